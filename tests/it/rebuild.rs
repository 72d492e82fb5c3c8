//! `grove build` into a `public/` that an earlier build made: only files whose bytes
//! differ are written, what the site no longer makes is removed, and the result is always
//! the same as a build into an empty folder. Both ways of putting the build in place are
//! covered: the atomic exchange, and the renames of systems without one
//! (`GROVE_OUTPUT_NO_EXCHANGE`).

use std::path::Path;
use std::process::{Command, Output};

use crate::harness::*;

fn build_with(root: &Path, output: &Path, no_exchange: bool) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_grove"));
    c.args(["build", "--root"])
        .arg(root)
        .arg("--output")
        .arg(output);
    if no_exchange {
        c.env("GROVE_OUTPUT_NO_EXCHANGE", "1");
    }
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    out
}

/// `(changed, files)` from the summary line's "(3 of 27 files changed)".
fn changed(out: &Output) -> (usize, usize) {
    let line = stdout(out);
    let inside = line
        .rsplit_once(" (")
        .and_then(|(_, r)| r.split_once(" files changed"))
        .map(|(n, _)| n)
        .unwrap_or_else(|| panic!("no count of changed files: {line}"));
    let (a, b) = inside.split_once(" of ").unwrap();
    (a.parse().unwrap(), b.parse().unwrap())
}

/// Builds `site` afresh elsewhere and checks that its `public/` holds exactly that.
fn assert_same_as_fresh(site: &Path, step: &str) {
    let fresh = tempfile::tempdir().unwrap();
    build_with(site, &fresh.path().join("public"), false);
    let (have, want) = (
        files(&site.join("public")),
        files(&fresh.path().join("public")),
    );
    let names = |s: &[(std::path::PathBuf, Vec<u8>)]| -> Vec<String> {
        s.iter().map(|(p, _)| p.display().to_string()).collect()
    };
    assert_eq!(names(&have), names(&want), "{step}: the files differ");
    assert!(have == want, "{step}: same files, different bytes");
}

fn rebuilds_match_fresh_builds(no_exchange: bool) {
    let site = fixture("build/site");
    let root = site.path();
    let public = root.join("public");
    let build = || build_with(root, &public, no_exchange);

    let (first, total) = changed(&build());
    assert_eq!(first, total, "a first build writes every file");
    build();
    let (unchanged, _) = changed(&build());
    assert_eq!(
        unchanged, 0,
        "nothing changed in the site, nothing is written"
    );
    assert_same_as_fresh(root, "unchanged site");

    let about = read(root, "content/about.md");
    write(
        root,
        "content/about.md",
        &about.replace("\n+++\n", "\n+++\nA new first line.\n\n"),
    );
    let out = build();
    let (n, total) = changed(&out);
    assert!(
        (1..=5).contains(&n),
        "one edited page writes a few files, not {n} of {total}"
    );
    assert!(read(&public, "about/index.html").contains("A new first line."));
    assert_same_as_fresh(root, "one page edited");
    // The slot still holds the build before the edit: the next build catches it up.
    build();
    assert_same_as_fresh(root, "one page edited, built again");

    std::fs::remove_file(root.join("content/articles/second.md")).unwrap();
    build();
    assert!(!public.join("articles/second").exists());
    assert_same_as_fresh(root, "one article removed");
    build();
    assert_same_as_fresh(root, "one article removed, built again");

    write(root, "static/css/site.css", "body { color: black }\n");
    write(root, "static/new/file.txt", "new\n");
    build();
    assert_eq!(read(&public, "css/site.css"), "body { color: black }\n");
    assert_same_as_fresh(root, "static files changed");
    build();
    assert_same_as_fresh(root, "static files changed, built again");

    let beside: Vec<String> = std::fs::read_dir(root.join(".public.grove"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".manifest"))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(beside, [".gitignore", "lock", "slot"]);
}

#[test]
fn rebuilds_with_an_atomic_exchange_match_fresh_builds() {
    rebuilds_match_fresh_builds(false);
}

#[test]
fn rebuilds_without_an_atomic_exchange_match_fresh_builds() {
    rebuilds_match_fresh_builds(true);
}

#[test]
fn the_output_folder_and_its_slot_are_ignored_by_git() {
    let site = fixture("build/site");
    build_with(site.path(), &site.path().join("public"), false);
    assert_eq!(read(site.path(), ".public.grove/.gitignore"), "*\n");
}
