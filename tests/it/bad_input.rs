//! `grove build` on odd input that is valid (tests/fixtures/broken/<case>/ and pages
//! written here): CRLF, a BOM, accents in file names, a huge page, deep nesting, links to
//! itself. Each builds, and the page it gives is pinned whole. (Input that is not valid
//! stops the build: tests/it/error_messages.rs.)

use crate::harness::SiteTest;

/// A copy of `broken/<case>` on the minimal theme, changed by `change`, built.
fn builds(case: &str, change: impl FnOnce(&SiteTest)) -> SiteTest {
    let site = SiteTest::fixture_with_minimal_theme(&format!("broken/{case}"));
    change(&site);
    site.built()
}

#[test]
fn byte_order_mark_is_accepted_in_pages_and_config() {
    let site = builds("bom", |_| {});
    let html = site.read("public/about/index.html");
    assert!(
        !html.contains('\u{feff}'),
        "the BOM must not reach the page"
    );
    insta::assert_snapshot!(html);
}

#[test]
fn crlf_line_endings_build_like_lf() {
    let site = builds("crlf", |_| {});
    insta::assert_snapshot!(site.read("public/about/index.html"));
}

#[test]
fn five_megabyte_article_builds() {
    let site = builds("huge-article", |site| {
        let paragraph =
            "Mindfulness is paying attention, on purpose, to the present moment. ".repeat(15);
        let mut body = String::from("+++\ntitle = \"A very long article\"\n+++\n");
        let mut i = 0;
        while body.len() < 5 * 1024 * 1024 {
            body.push_str(&format!("## Part {i}\n\n{paragraph}\n\n- one\n- two\n\n"));
            i += 1;
        }
        site.write("content/long.md", &body);
    });
    let html = site.read("public/long/index.html");
    assert!(html.len() > 5 * 1024 * 1024);
    assert!(html.contains("<h2 id=\"part-0\">Part 0</h2>"));
    assert!(html.contains("<a href=\"#part-1000\">Part 1000</a>"), "toc");
}

#[test]
fn ten_thousand_deep_nesting_builds() {
    let site = builds("deep-nesting", |site| {
        let page = |title: &str, body: String| format!("+++\ntitle = \"{title}\"\n+++\n{body}\n");
        site.write(
            "content/lists.md",
            &page("Lists", "- ".repeat(10_000) + "deep"),
        );
        site.write(
            "content/ordered.md",
            &page("Ordered", "1. ".repeat(10_000) + "deep"),
        );
        site.write(
            "content/quotes.md",
            &page("Quotes", "> ".repeat(10_000) + "deep"),
        );
        site.write(
            "content/mixed.md",
            &page("Mixed", "> - ".repeat(5_000) + "deep"),
        );
        let emphasis =
            "*".repeat(10_000) + "deep" + &"*".repeat(10_000) + "\n\n" + &"[".repeat(10_000);
        site.write("content/emphasis.md", &page("Emphasis", emphasis));
    });
    for (page, open) in [
        ("lists", "<ul>"),
        ("ordered", "<ol>"),
        ("quotes", "<blockquote>"),
    ] {
        let html = site.read(&format!("public/{page}/index.html"));
        assert!(html.matches(open).count() >= 10_000, "{page}");
        assert!(html.contains("deep"), "{page}");
    }
}

#[test]
fn headings_of_only_punctuation_or_emoji_get_distinct_ids() {
    let site = builds("punctuation-headings", |_| {});
    let html = site.read("public/about/index.html");
    let ids: Vec<&str> = html
        .split("<h2 id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(ids.len(), 5, "{html}");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 5, "ids repeat: {ids:?}");
    for id in &ids {
        assert!(
            !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{id:?} is not a clean anchor"
        );
    }
}

#[test]
fn non_ascii_and_spaces_in_file_names() {
    let site = builds("non-ascii-names", |_| {});
    assert!(site.path("public/articles/cafe-ole/index.html").is_file());
    // A name with no Latin letters is transliterated too, rather than refused.
    insta::assert_snapshot!(format!(
        "{}\n{}",
        site.read("public/uber-uns/index.html"),
        site.read("public/articles/index.html")
    ));
}

#[test]
fn link_to_itself_resolves() {
    let site = builds("link-to-itself", |_| {});
    insta::assert_snapshot!(site.read("public/about/index.html"));
}

/// A link in static/ (or content/, or a theme) that leads out of the site would publish
/// whatever it points to: build, check and the preview all refuse it by name (the
/// messages: error_messages.rs).
#[cfg(unix)]
#[test]
fn a_link_out_of_the_site_is_never_published() {
    let site = SiteTest::fixture_with_minimal_theme("broken/theme-symlink-loop");
    site.write("config.toml", "title = \"x\"\ntheme = \"minimal\"\n");
    site.write("static/files/a.txt", "inside");
    crate::harness::write(&site.outside(), "secret.txt", "root:x:0:0");
    std::os::unix::fs::symlink(
        site.outside().join("secret.txt"),
        site.path("static/leak.txt"),
    )
    .unwrap();
    let err = site.build_fails();
    assert!(!err.contains("root:x"), "{err}");
    let check = site.check(&[]).fails();
    assert!(!check.stdout.contains("root:x"), "{}", check.stdout);

    // A link that stays inside the site is followed.
    site.remove("static/leak.txt");
    std::os::unix::fs::symlink("files/a.txt", site.path("static/b.txt")).unwrap();
    let site = site.built();
    assert_eq!(site.read("public/b.txt"), "inside");
}
