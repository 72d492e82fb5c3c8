//! `grove new` run as staff run it: new files in a copy of a small site with the real
//! theme, which must then build, and which are never overwritten. Each new file is pinned
//! whole. (Its refusals: tests/it/error_messages.rs.)

use crate::harness::{SiteTest, copy_dir, replace_after, repo};

/// tests/fixtures/new with the site's real theme.
fn site() -> SiteTest {
    let site = SiteTest::fixture("new");
    copy_dir(&repo().join("themes/oakland"), &site.path("themes/oakland"));
    site
}

fn new(site: &SiteTest, kind: &str, title: &str) -> crate::harness::Run {
    let root = site.root();
    site.grove(&["new", kind, title, "--root", root.to_str().unwrap()])
}

#[test]
fn new_files_of_every_kind_build_and_appear_on_the_site() {
    let site = site();
    let cases = [
        (
            "article",
            r#"Finding "calm" \ again"#,
            "content/articles/finding-calm-again.md",
        ),
        // After the existing entry (weight 40).
        (
            "faq",
            "How long does it take?",
            "content/faq/how-long-does-it-take.md",
        ),
        ("team", "Jane Doe", "content/team/jane-doe.md"),
        ("page", "Fees", "content/fees.md"),
    ];
    let mut report = String::new();
    for (kind, title, file) in cases {
        let run = new(&site, kind, title).ok();
        report.push_str(&format!(
            "$ grove new {kind} '{title}'\n{}--- {file}\n{}\n",
            run.transcript(),
            site.read(file)
        ));
        // Dates are today's.
        for key in ["date = ", "updated = "] {
            report = replace_after(&report, key, "[today]", |c| c.is_ascii_digit() || c == '-');
        }
    }
    insta::assert_snapshot!(report);

    site.build(&["--drafts"]).ok();
    let html = site.read("public/articles/finding-calm-again/index.html");
    assert!(
        html.contains("<h1 id=\"page_title\">Finding &quot;calm&quot; \\ again</h1>"),
        "{html}"
    );
    for (page, title) in [
        ("faq/index.html", "How long does it take?"),
        ("team/index.html", "Jane Doe"),
        ("fees/index.html", "Fees"),
    ] {
        assert!(
            site.read(&format!("public/{page}")).contains(title),
            "{page}"
        );
    }
}

#[test]
fn the_new_article_is_a_draft_until_published() {
    let site = site();
    new(&site, "article", "Not yet").ok();
    site.build(&[]).ok();
    assert!(!site.path("public/articles/not-yet").exists());
}
