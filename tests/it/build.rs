//! `grove build` on the build fixture (articles with tags and pages of them, an FAQ, a
//! team, the `plain` theme with site overrides): the pages and generated files that come
//! out, each pinned whole in a snapshot. The fixture is built once and shared by the tests
//! that only read its output; tests that change the site build a copy of their own. (The
//! errors that stop a build: tests/it/error_messages.rs.)

use std::sync::OnceLock;

use crate::harness::{Run, SiteTest, repo};

/// The build fixture, built once for every test that only reads its output, with the
/// build's own report.
fn built() -> &'static (SiteTest, Run) {
    static BUILT: OnceLock<(SiteTest, Run)> = OnceLock::new();
    BUILT.get_or_init(|| {
        // Under target/tmp: a static is never dropped, and that folder is cargo's to clean.
        let site = SiteTest::empty_in(Some(std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))));
        crate::harness::copy_dir(&repo().join("tests/fixtures/build/site"), &site.root());
        let site = site.fix_mtimes();
        let run = site.build(&[]).ok();
        (site, run)
    })
}

fn page(rel: &str) -> String {
    built().0.read(&format!("public/{rel}"))
}

/// A fresh copy of the build fixture, for a test that changes it.
fn fresh() -> SiteTest {
    SiteTest::fixture("build/site").fix_mtimes()
}

#[test]
fn prints_one_summary_line_and_writes_pretty_urls() {
    let (site, run) = built();
    insta::assert_snapshot!(run.transcript());
    let files: Vec<String> = crate::harness::files(&site.path("public"))
        .into_iter()
        .map(|(rel, _)| rel.display().to_string())
        .collect();
    insta::assert_snapshot!("files", files.join("\n"));
}

/// The article page whole, as the fixture theme prints it: headings with unique ids and
/// a nested table of contents, tables, footnotes, strikethrough, task lists, smart
/// punctuation, resolved `@/` links, date, reading time and word count, tags, related
/// FAQ entries and the next article; its title escaped in HTML and JSON-LD.
#[test]
fn article_has_markdown_features_toc_and_resolved_links() {
    let html = page("articles/third/index.html");
    assert!(!html.contains("<Recovery>"), "the title is escaped");
    insta::assert_snapshot!(html);
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    assert!(!built().0.path("public/articles/draft").exists());
    let site = fresh();
    site.build(&["--drafts"]).ok();
    insta::assert_snapshot!(site.read("public/articles/draft/index.html"));
}

/// Newest first, the summary before `<!-- more -->` (or the description), links to the
/// next and previous pages.
#[test]
fn article_list_is_paginated_newest_first() {
    insta::assert_snapshot!("articles", page("articles/index.html"));
    insta::assert_snapshot!("articles_page_2", page("articles/page/2/index.html"));
}

#[test]
fn tags_merge_case_and_paginate() {
    insta::assert_snapshot!("tags", page("tags/index.html"));
    insta::assert_snapshot!("tag_trauma", page("tags/trauma/index.html"));
    insta::assert_snapshot!("tag_trauma_page_2", page("tags/trauma/page/2/index.html"));
}

#[test]
fn a_page_that_names_a_tag_twice_is_listed_once() {
    let site = fresh();
    site.replace(
        "content/articles/second.md",
        "tags = [\"trauma\"]",
        "tags = [\"trauma\", \"Trauma\", \"trauma\"]",
    );
    let site = site.built();
    for rel in ["tags/index.html", "tags/trauma/index.html"] {
        assert_eq!(site.read(&format!("public/{rel}")), page(rel), "{rel}");
    }
}

#[test]
fn aliases_redirect_to_the_page() {
    insta::assert_snapshot!(page("blog/care/index.html"));
}

/// Entries by weight with an anchor each, answers on the FAQ page, related articles and
/// breadcrumbs on an entry's own page.
#[test]
fn faq_lists_entries_by_weight_with_anchors_and_related_articles() {
    insta::assert_snapshot!("faq", page("faq/index.html"));
    insta::assert_snapshot!("faq_entry", page("faq/how-long/index.html"));
}

#[test]
fn team_cards_show_initials_credentials_and_order() {
    insta::assert_snapshot!("team", page("team/index.html"));
    insta::assert_snapshot!("bio", page("team/christine-benvenuto/index.html"));
}

#[test]
fn site_templates_and_static_files_override_the_theme() {
    insta::assert_snapshot!(page("about/index.html"));
    assert_eq!(page("robots.txt"), "site robots\n");
}

/// Other sections' pages on the home page (with `limit`), root-relative `get_url`, and the
/// stylesheet under a name with its hash.
#[test]
fn home_reaches_other_sections_and_cachebusts_assets() {
    let home = page("index.html");
    let hashed = home
        .split("/css/site.")
        .nth(1)
        .unwrap()
        .split(".css")
        .next()
        .unwrap();
    assert_eq!(hashed.len(), 16, "{home}");
    assert!(
        built()
            .0
            .path(&format!("public/css/site.{hashed}.css"))
            .is_file()
    );
    insta::assert_snapshot!(home);
}

#[test]
fn base_url_and_output_can_be_overridden() {
    let site = fresh();
    let target = site.outside().join("www");
    site.build(&[
        "--output",
        target.to_str().unwrap(),
        "--base-url",
        "http://localhost:8000/",
    ])
    .ok();
    let home = std::fs::read_to_string(target.join("index.html")).unwrap();
    assert!(home.contains("<link rel=\"canonical\" href=\"http://localhost:8000/\">"));
    assert!(!site.path("public").exists());
}

#[test]
fn hashed_asset_url_changes_when_the_file_changes() {
    let site = fresh();
    site.write("themes/plain/static/css/site.css", "body { color: red; }\n");
    let site = site.built();
    let hash = |s: &str| s.split("/css/site.").nth(1).unwrap()[..16].to_string();
    assert_ne!(
        hash(&page("index.html")),
        hash(&site.read("public/index.html"))
    );
}

#[test]
fn the_center_site_builds_with_all_its_content() {
    let out_dir = tempfile::tempdir().unwrap();
    let target = out_dir.path().join("public");
    let out = crate::harness::build(&repo(), &["--output", target.to_str().unwrap()]);
    assert!(out.status.success(), "{}", crate::harness::stderr(&out));
    // Whatever the articles are: each #anchor they link to exists, each @/ link is resolved.
    for entry in std::fs::read_dir(target.join("articles"))
        .unwrap()
        .flatten()
    {
        let page = entry.path().join("index.html");
        if !page.is_file() || entry.file_name() == "page" {
            continue;
        }
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(
            !html.contains("href=\"@/"),
            "{}: an unresolved @/ link",
            page.display()
        );
        for anchor in html.split("href=\"#").skip(1) {
            let id = anchor.split('"').next().unwrap();
            assert!(
                html.contains(&format!("id=\"{id}\"")),
                "{}: #{id} leads nowhere",
                page.display()
            );
        }
    }
    // Every FAQ entry and every bio there is (staff add and remove them: no counts here).
    let faq = crate::harness::read(&target, "faq/index.html");
    let entries: Vec<_> = std::fs::read_dir(repo().join("content/faq"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name() != "_index.md")
        .collect();
    assert!(!entries.is_empty());
    for e in entries {
        let text = std::fs::read_to_string(e.path()).unwrap();
        let title = text
            .lines()
            .find_map(|l| l.strip_prefix("title = \""))
            .unwrap()
            .trim_end_matches('"');
        assert!(
            faq.contains(&title.replace('\'', "&#39;")),
            "FAQ page lists {title}"
        );
    }
    for bio in std::fs::read_dir(repo().join("content/team"))
        .unwrap()
        .flatten()
    {
        let name = bio.file_name().to_string_lossy().into_owned();
        if let Some(slug) = name.strip_suffix(".md").filter(|n| *n != "_index") {
            assert!(
                target.join("team").join(slug).join("index.html").is_file(),
                "{name} has its page"
            );
        }
    }
}

/// `xmllint --noout` on a generated file: the same check a feed reader or crawler makes.
fn assert_well_formed_xml(path: &std::path::Path) {
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg(path)
        .output();
    let out = out.expect("xmllint is needed for this test: apt-get install libxml2-utils");
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Absolute links, full content escaped, newest first, no draft; `updated` is the newest
/// entry's date.
#[test]
fn atom_feed_has_absolute_links_and_full_content() {
    assert_well_formed_xml(&built().0.path("public/atom.xml"));
    insta::assert_snapshot!(page("atom.xml"));
}

/// Public pages only: no aliases, no 404 page, no drafts. The fixture has its own
/// robots.txt, which wins; without it grove writes one that names the sitemap.
#[test]
fn sitemap_lists_public_pages_only_and_robots_names_it() {
    assert_well_formed_xml(&built().0.path("public/sitemap.xml"));
    insta::assert_snapshot!(page("sitemap.xml"));
    let site = fresh();
    site.remove("static/robots.txt");
    site.remove("themes/plain/static/robots.txt");
    let site = site.built();
    assert_eq!(
        site.read("public/robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://test.example/sitemap.xml\n"
    );
}

#[test]
fn search_index_holds_every_page() {
    let index: serde_json::Value = serde_json::from_str(&page("search-index.json")).unwrap();
    insta::assert_snapshot!(serde_json::to_string_pretty(&index).unwrap());
}

/// Hashed assets cached for a year, security headers on every page.
#[test]
fn headers_file_caches_hashed_assets_and_sets_security_headers() {
    insta::assert_snapshot!(page("_headers"));
}

#[test]
fn the_retired_minify_setting_warns_and_builds() {
    let site = fresh();
    let config = site.read("config.toml");
    site.write("config.toml", &format!("minify_html = true\n{config}"));
    let run = site.build(&[]).ok();
    insta::assert_snapshot!(run.stderr);
    assert_eq!(
        site.read("public/articles/third/index.html"),
        page("articles/third/index.html")
    );
}
