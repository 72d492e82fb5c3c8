//! `grove new` run as staff run it: new files in a copy of a small site with the real
//! theme, which must then build, and which are never overwritten.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::copy_dir;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// tests/fixtures/new with the site's real theme, in a temporary folder.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("tests/fixtures/new"), dir.path());
    copy_dir(
        &repo().join("themes/oakland"),
        &dir.path().join("themes/oakland"),
    );
    dir
}

fn grove(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_grove"))
        .args(args)
        .output()
        .expect("grove runs")
}

fn new(root: &Path, kind: &str, title: &str) -> Output {
    grove(&["new", kind, title, "--root", root.to_str().unwrap()])
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn new_files_of_every_kind_build_and_appear_on_the_site() {
    let site = site();
    let root = site.path();
    let cases = [
        (
            "article",
            r#"Finding "calm" \ again"#,
            "content/articles/finding-calm-again.md",
        ),
        (
            "faq",
            "How long does it take?",
            "content/faq/how-long-does-it-take.md",
        ),
        ("team", "Jane Doe", "content/team/jane-doe.md"),
        ("page", "Fees", "content/fees.md"),
    ];
    for (kind, title, file) in cases {
        let out = new(root, kind, title);
        assert!(out.status.success(), "{kind}: {}", text(&out.stderr));
        assert_eq!(
            text(&out.stdout).trim(),
            root.join(file).display().to_string()
        );
    }
    let article = read(&root.join("content/articles/finding-calm-again.md"));
    assert!(
        article.contains(r#"title = 'Finding "calm" \ again'"#)
            || article.contains(r#"title = "Finding \"calm\" \\ again""#),
        "{article}"
    );
    assert!(article.contains("draft = true"), "{article}");
    // the FAQ entry comes after the existing one (weight 40)
    let faq = read(&root.join("content/faq/how-long-does-it-take.md"));
    assert!(faq.contains("weight = 50"), "{faq}");

    let out = grove(&["build", "--root", root.to_str().unwrap(), "--drafts"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let public = root.join("public");
    let html = read(&public.join("articles/finding-calm-again/index.html"));
    assert!(html.contains("Finding &quot;calm&quot; \\ again"), "{html}");
    assert!(read(&public.join("faq/index.html")).contains("How long does it take?"));
    assert!(read(&public.join("team/index.html")).contains("Jane Doe"));
    assert!(read(&public.join("fees/index.html")).contains("Fees"));
}

#[test]
fn the_new_article_is_a_draft_until_published() {
    let site = site();
    let root = site.path();
    assert!(new(root, "article", "Not yet").status.success());
    let out = grove(&["build", "--root", root.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!root.join("public/articles/not-yet").exists());
}

#[test]
fn an_existing_file_is_never_replaced() {
    let site = site();
    let root = site.path();
    assert!(new(root, "faq", "Is it safe?").status.success());
    let file = root.join("content/faq/is-it-safe.md");
    std::fs::write(&file, "my own words").unwrap();

    let out = new(root, "faq", "Is it safe?");
    let expected = format!(
        "{}: already exists; grove new never replaces a file",
        file.display()
    );
    fails_with(&out, &expected);
    assert_eq!(read(&file), "my own words");
}

#[test]
fn refuses_titles_without_letters_and_folders_that_are_not_sites() {
    let site = site();
    let out = new(site.path(), "article", "???");
    fails_with(&out, "the title `???` has no letters or digits");

    let empty = tempfile::tempdir().unwrap();
    fails_with(&new(empty.path(), "page", "Fees"), "no config.toml");
    assert!(!empty.path().join("content").exists());
}

fn fails_with(out: &Output, message: &str) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(message), "{err}");
}
