//! `grove build` on small fixture sites: the HTML that comes out, and the errors that stop it.

use crate::common::*;
use std::path::Path;

fn built() -> tempfile::TempDir {
    let site = fixture("build/site");
    let out = build(site.path(), &[]);
    assert!(out.status.success(), "build failed:\n{}", stderr(&out));
    site
}

#[test]
fn prints_one_summary_line_and_writes_pretty_urls() {
    let site = fixture("build/site");
    let out = build(site.path(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let line = stdout(&out);
    assert!(
        line.starts_with("built 8 pages, 4 sections, 3 static files in "),
        "{line}"
    );
    assert!(
        line.trim_end()
            .ends_with("/public/ (27 of 27 files changed)"),
        "{line}"
    );
    let public = site.path().join("public");
    for file in [
        "index.html",
        "about/index.html",
        "articles/index.html",
        "articles/page/2/index.html",
        "articles/third/index.html",
        "faq/index.html",
        "faq/how-long/index.html",
        "team/christine-benvenuto/index.html",
        "tags/index.html",
        "tags/trauma/index.html",
        "404.html",
        "css/site.css",
    ] {
        assert!(public.join(file).is_file(), "missing {file}");
    }
}

/// The article page whole, as the fixture theme prints it: headings with unique ids and
/// a nested table of contents, tables, footnotes, strikethrough, task lists, smart
/// punctuation, resolved `@/` links, date, reading time and word count, tags, related
/// FAQ entries and the next article. Review a changed snapshot with `cargo insta review`.
#[test]
fn article_has_markdown_features_toc_and_resolved_links() {
    let site = built();
    let html = read(site.path(), "public/articles/third/index.html");
    insta::assert_snapshot!(html);
}

#[test]
fn titles_are_escaped_in_html_and_json_ld() {
    let site = built();
    let html = read(site.path(), "public/articles/third/index.html");
    assert!(
        html.contains("<title>Care &amp; &lt;Recovery&gt;</title>"),
        "{html}"
    );
    assert!(
        html.contains("{\"headline\": \"Care \\u0026 \\u003cRecovery\\u003e\"}"),
        "{html}"
    );
    assert!(!html.contains("<Recovery>"));
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = built();
    assert!(!site.path().join("public/articles/draft").exists());
    let out = build(site.path(), &["--drafts"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(read(site.path(), "public/articles/draft/index.html").contains("Unfinished"));
}

#[test]
fn article_list_is_paginated_newest_first() {
    let site = built();
    let first = read(site.path(), "public/articles/index.html");
    assert!(first.contains("page 1 of 2"), "{first}");
    let third = first.find("Care &amp;").unwrap();
    let second = first.find("Second article").unwrap();
    assert!(third < second, "newest first");
    assert!(
        first.contains("<a rel=\"next\" href=\"/articles/page/2/\">"),
        "{first}"
    );
    assert!(
        first.contains("<p>The summary paragraph.</p>"),
        "summary before <!-- more -->"
    );
    let page2 = read(site.path(), "public/articles/page/2/index.html");
    assert!(
        page2.contains("page 2 of 2") && page2.contains("First article"),
        "{page2}"
    );
    assert!(
        page2.contains("<p>The first one.</p>"),
        "summary falls back to the description"
    );
    assert!(
        page2.contains("<a rel=\"prev\" href=\"/articles/\">"),
        "{page2}"
    );
}

#[test]
fn tags_merge_case_and_paginate() {
    let site = built();
    let list = read(site.path(), "public/tags/index.html");
    assert!(
        list.contains("<a href=\"/tags/trauma/\">Trauma</a> (3)"),
        "{list}"
    );
    assert!(
        list.contains("<a href=\"/tags/anxiety/\">anxiety</a> (1)"),
        "{list}"
    );
    let trauma = read(site.path(), "public/tags/trauma/index.html");
    assert!(
        trauma.contains("Care &amp; &lt;Recovery&gt;") && trauma.contains("/tags/trauma/page/2/"),
        "{trauma}"
    );
    assert!(read(site.path(), "public/tags/trauma/page/2/index.html").contains("First article"));
}

#[test]
fn a_page_that_names_a_tag_twice_is_listed_once() {
    let site = fixture("build/site");
    let second = read(site.path(), "content/articles/second.md");
    write(
        site.path(),
        "content/articles/second.md",
        &second.replace(
            "tags = [\"trauma\"]",
            "tags = [\"trauma\", \"Trauma\", \"trauma\"]",
        ),
    );
    let out = build(site.path(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list = read(site.path(), "public/tags/index.html");
    assert!(
        list.contains("<a href=\"/tags/trauma/\">Trauma</a> (3)"),
        "{list}"
    );
}

#[test]
fn aliases_redirect_to_the_page() {
    let site = built();
    let alias = read(site.path(), "public/blog/care/index.html");
    assert!(
        alias.contains(
            "<meta http-equiv=\"refresh\" content=\"0; url=https://test.example/articles/third/\">"
        ),
        "{alias}"
    );
}

#[test]
fn faq_lists_entries_by_weight_with_anchors_and_related_articles() {
    let site = built();
    let faq = read(site.path(), "public/faq/index.html");
    let safe = faq
        .find("<details id=\"is-it-safe\">")
        .expect("anchor per entry");
    let long = faq.find("<details id=\"how-long\">").unwrap();
    assert!(safe < long, "weight 10 before weight 20");
    assert!(
        faq.contains("It depends on <strong>integration</strong>."),
        "answers are on the FAQ page"
    );
    let entry = read(site.path(), "public/faq/how-long/index.html");
    assert!(
        entry.contains("<a href=\"/articles/third/\">Care &amp; &lt;Recovery&gt;</a>"),
        "{entry}"
    );
    assert!(
        entry.contains("<li><a href=\"/\">Home</a></li><li><a href=\"/faq/\">Questions</a></li>"),
        "{entry}"
    );
}

#[test]
fn team_cards_show_initials_credentials_and_order() {
    let site = built();
    let team = read(site.path(), "public/team/index.html");
    assert!(team.contains("<span class=\"avatar\">CB</span><a href=\"/team/christine-benvenuto/\">Christine Benvenuto</a>, MFT — Executive Director"), "{team}");
    assert!(team.find("Christine").unwrap() < team.find("David").unwrap());
    let bio = read(site.path(), "public/team/christine-benvenuto/index.html");
    assert!(
        bio.contains("<h1>Christine Benvenuto, MFT</h1>")
            && bio.contains("href=\"/team/david-pepper/\""),
        "{bio}"
    );
}

#[test]
fn site_templates_and_static_files_override_the_theme() {
    let site = built();
    assert!(
        read(site.path(), "public/about/index.html")
            .contains("<h1 class=\"site-override\">About us</h1>")
    );
    assert_eq!(read(site.path(), "public/robots.txt"), "site robots\n");
    assert!(
        read(site.path(), "public/about/index.html")
            .contains("<a href=\"/faq/#how-long\">the FAQ</a>")
    );
}

#[test]
fn home_reaches_other_sections_and_cachebusts_assets() {
    let site = built();
    let home = read(site.path(), "public/index.html");
    assert!(
        home.contains("<li><a href=\"https://test.example/articles/third/\">"),
        "{home}"
    );
    assert_eq!(
        home.matches("<li><a href=\"https://test.example/articles/")
            .count(),
        2,
        "limit=2"
    );
    assert!(
        home.contains("<li>Is it safe?</li><li>How long does it last?</li>"),
        "{home}"
    );
    // get_url gives root-relative addresses: they work on any host, whatever base_url says
    assert!(home.contains("<p class=\"faq-url\">/faq/</p>"), "{home}");
    assert!(home.contains("href=\"/css/site."), "{home}");
    let hashed = home
        .split("/css/site.")
        .nth(1)
        .unwrap()
        .split(".css")
        .next()
        .unwrap();
    assert_eq!(hashed.len(), 16, "{home}");
    assert!(
        site.path()
            .join(format!("public/css/site.{hashed}.css"))
            .is_file()
    );
}

#[test]
fn base_url_and_output_can_be_overridden() {
    let site = fixture("build/site");
    let out_dir = tempfile::tempdir().unwrap();
    let target = out_dir.path().join("www");
    let out = build(
        site.path(),
        &[
            "--output",
            target.to_str().unwrap(),
            "--base-url",
            "http://localhost:8000/",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        read(&target, "index.html")
            .contains("<link rel=\"canonical\" href=\"http://localhost:8000/\">")
    );
    assert!(!site.path().join("public").exists());
}

#[test]
fn hashed_asset_url_changes_when_the_file_changes() {
    let site = built();
    let before = read(site.path(), "public/index.html");
    std::fs::write(
        site.path().join("themes/plain/static/css/site.css"),
        "body { color: red; }\n",
    )
    .unwrap();
    assert!(build(site.path(), &[]).status.success());
    let after = read(site.path(), "public/index.html");
    let hash = |s: &str| s.split("/css/site.").nth(1).unwrap()[..16].to_string();
    assert_ne!(hash(&before), hash(&after));
}

/// Builds once, breaks the site with `change`, and checks the failed build's report
/// (see [`build_fails`]) for `expected`.
fn fails_with(change: impl FnOnce(&Path), expected: &[&str]) -> String {
    let site = built();
    change(site.path());
    let err = build_fails(site.path());
    for e in expected {
        assert!(err.contains(e), "expected {e:?} in:\n{err}");
    }
    err
}

fn write(root: &Path, rel: &str, text: &str) {
    std::fs::write(root.join(rel), text).unwrap();
}

#[test]
fn unknown_config_key_suggests_the_nearest() {
    fails_with(
        |r| {
            write(
                r,
                "config.toml",
                "title = \"x\"\nbaseurl = \"https://a\"\ntheme = \"plain\"\n",
            )
        },
        &[
            "config.toml:2:1: unknown key `baseurl` in config.toml",
            "did you mean `base_url`?",
        ],
    );
}

#[test]
fn yaml_front_matter_is_shown_as_toml() {
    fails_with(
        |r| {
            write(
                r,
                "content/about.md",
                "---\ntitle: About\ndraft: false\n---\nText\n",
            )
        },
        &[
            "content/about.md:1:1: this front matter is YAML",
            "+++\ntitle = \"About\"\ndraft = false\n+++",
        ],
    );
}

#[test]
fn field_typo_names_file_line_and_nearest_field() {
    fails_with(
        |r| {
            write(
                r,
                "content/faq/is-it-safe.md",
                "+++\ntitle = \"Is it safe?\"\nwieght = 10\n+++\nYes.\n",
            )
        },
        &[
            "content/faq/is-it-safe.md:3:1: `wieght` is not a field of a FAQ entry",
            "did you mean `weight`?",
        ],
    );
}

#[test]
fn bad_date_and_wrong_type_are_positioned() {
    fails_with(
        |r| {
            write(
                r,
                "content/articles/first.md",
                "+++\ntitle = \"First\"\ndate = \"10/01/2024\"\n+++\n",
            )
        },
        &[
            "content/articles/first.md:3:8: Published must be a date, e.g. 2025-03-14; \"10/01/2024\" is not one",
            "date = 2025-01-31",
        ],
    );
    fails_with(
        |r| {
            write(
                r,
                "content/articles/first.md",
                "+++\ntitle = \"First\"\ntags = \"trauma\"\n+++\n",
            )
        },
        &["content/articles/first.md:3:8:"],
    );
}

#[test]
fn several_broken_files_are_all_reported() {
    let err = fails_with(
        |r| {
            write(r, "content/about.md", "no front matter\n");
            write(r, "content/faq/is-it-safe.md", "+++\ntitle = \"x\"\n");
        },
        &[
            "content/about.md:1:1: no front matter",
            "content/faq/is-it-safe.md:1:1: the front matter that starts here is never closed",
            "2 problems found",
        ],
    );
    assert!(err.contains("add a line `+++`"), "{err}");
}

#[test]
fn missing_internal_link_names_line_and_nearest_file() {
    fails_with(
        |r| {
            write(
                r,
                "content/about.md",
                "+++\ntitle = \"About\"\n+++\n\nRead [this](@/articles/frist.md).\n",
            )
        },
        &[
            "content/about.md:5:6: link to `@/articles/frist.md`, which does not exist",
            "`@/articles/first.md`",
        ],
    );
}

#[test]
fn two_files_with_one_url_are_named_together() {
    fails_with(
        |r| {
            write(
                r,
                "content/articles/copy.md",
                "+++\ntitle = \"Copy\"\nslug = \"first\"\n+++\n",
            )
        },
        &[
            "/articles/first/",
            "content/articles/copy.md",
            "content/articles/first.md",
        ],
    );
}

#[test]
fn related_to_a_missing_article_is_an_error() {
    fails_with(
        |r| {
            write(
                r,
                "content/faq/is-it-safe.md",
                "+++\ntitle = \"Safe?\"\nrelated = [\"articles/thrid.md\"]\n+++\n",
            )
        },
        &[
            "content/faq/is-it-safe.md:3:1: Related articles: there is no file `articles/thrid.md`",
            "articles/third.md",
        ],
    );
}

#[test]
fn template_syntax_error_names_the_template() {
    fails_with(
        |r| {
            write(
                r,
                "themes/plain/templates/bio.html",
                "{% extends \"base.html\" %}\n{% block content %}{% if %}{% endblock %}",
            )
        },
        &["themes/plain/templates/bio.html", "2:"],
    );
}

#[test]
fn undefined_variable_in_a_template_names_template_and_page() {
    fails_with(
        |r| {
            write(
                r,
                "templates/page.html",
                "{% extends \"base.html\" %}{% block content %}{{ page.nope.deeper }}{% endblock %}",
            )
        },
        &["templates/page.html", "content/about.md", "nope"],
    );
}

#[test]
fn missing_template_names_the_content_that_needs_it() {
    fails_with(
        |r| std::fs::remove_file(r.join("themes/plain/templates/bio.html")).unwrap(),
        &["needs the template `bio.html`", "content/team/"],
    );
}

#[test]
fn missing_theme_suggests_an_existing_one() {
    fails_with(
        |r| write(r, "config.toml", "title = \"x\"\ntheme = \"plian\"\n"),
        &["theme `plian` not found", "did you mean theme = \"plain\"?"],
    );
}

#[test]
fn refuses_output_folders_that_would_destroy_the_site() {
    let site = built();
    let root = site.path().to_str().unwrap().to_string();
    for bad in [
        root.clone(),
        format!("{root}/content"),
        format!("{root}/.."),
    ] {
        let out = build(site.path(), &["--output", &bad]);
        assert_eq!(out.status.code(), Some(1), "{bad}");
        assert!(stderr(&out).contains("output folder"), "{}", stderr(&out));
    }
    assert!(site.path().join("content/about.md").exists());
    assert!(site.path().join("config.toml").exists());
}

#[test]
fn no_config_says_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    let out = build(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no config.toml in the site folder"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_center_site_builds_with_all_its_content() {
    let out_dir = tempfile::tempdir().unwrap();
    let target = out_dir.path().join("public");
    let out = build(&repo(), &["--output", target.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
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
    let faq = read(&target, "faq/index.html");
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
fn assert_well_formed_xml(path: &Path) {
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

#[test]
fn atom_feed_has_absolute_links_and_full_content() {
    let site = built();
    let feed_path = site.path().join("public/atom.xml");
    assert_well_formed_xml(&feed_path);
    let feed = read(site.path(), "public/atom.xml");
    assert!(
        feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""),
        "{feed}"
    );
    assert!(feed.contains("<id>https://test.example/</id>"));
    assert!(feed.contains(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"https://test.example/atom.xml\"/>"
    ));
    assert!(
        feed.contains("<updated>2025-03-01T00:00:00+00:00</updated>"),
        "feed updated = newest entry: {feed}"
    );
    assert_eq!(
        feed.matches("<entry>").count(),
        3,
        "three published articles, no draft"
    );
    assert!(feed.contains("<title type=\"text\">Care &amp; &lt;Recovery&gt;</title>"));
    assert!(feed.contains("<id>https://test.example/articles/third/</id>"));
    assert!(feed.contains("<published>2025-02-03T09:30:00-08:00</published>"));
    assert!(
        feed.contains("&lt;h2 id=&quot;why-it-matters&quot;&gt;"),
        "full content, escaped"
    );
    assert!(!feed.contains("Unfinished"));
    assert!(
        feed.find("articles/third/").unwrap() < feed.find("articles/second/").unwrap(),
        "newest first"
    );
}

#[test]
fn sitemap_lists_public_pages_only_and_robots_names_it() {
    let site = built();
    assert_well_formed_xml(&site.path().join("public/sitemap.xml"));
    let map = read(site.path(), "public/sitemap.xml");
    assert!(map.contains("<url><loc>https://test.example/articles/third/</loc><lastmod>2025-03-01T00:00:00+00:00</lastmod></url>"), "{map}");
    assert!(
        map.contains("<loc>https://test.example/</loc>")
            && map.contains("<loc>https://test.example/tags/trauma/</loc>")
    );
    assert!(!map.contains("/blog/care/"), "no aliases");
    assert!(!map.contains("404"), "no 404 page");
    assert!(!map.contains("/articles/draft/"), "no drafts");
    // The fixture has its own robots.txt, which wins; without it grove writes one.
    std::fs::remove_file(site.path().join("static/robots.txt")).unwrap();
    std::fs::remove_file(site.path().join("themes/plain/static/robots.txt")).unwrap();
    assert!(build(site.path(), &[]).status.success());
    assert_eq!(
        read(site.path(), "public/robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://test.example/sitemap.xml\n"
    );
}

#[test]
fn search_index_holds_every_page() {
    let site = built();
    let index: serde_json::Value =
        serde_json::from_str(&read(site.path(), "public/search-index.json")).unwrap();
    let entries = index.as_array().unwrap();
    assert_eq!(entries.len(), 8);
    let third = entries
        .iter()
        .find(|e| e["u"] == "/articles/third/")
        .unwrap();
    assert_eq!(third["t"], "Care & <Recovery>");
    assert_eq!(third["s"], "Articles");
    assert!(third["h"].as_str().unwrap().contains("Why it matters"));
    assert!(
        third["b"]
            .as_str()
            .unwrap()
            .contains("The summary paragraph.")
    );
}

#[test]
fn headers_file_caches_hashed_assets_and_sets_security_headers() {
    let site = built();
    let headers = read(site.path(), "public/_headers");
    let hashed = std::fs::read_dir(site.path().join("public/css"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n != "site.css")
        .unwrap();
    assert!(
        headers.contains(&format!(
            "/css/{hashed}\n  Cache-Control: public, max-age=31536000, immutable"
        )),
        "{headers}"
    );
    assert!(headers.contains("Content-Security-Policy: default-src 'self'"));
    assert!(
        headers.contains("X-Content-Type-Options: nosniff") && headers.contains("Referrer-Policy:")
    );
}

#[test]
fn the_retired_minify_setting_warns_and_builds() {
    let site = built();
    let plain = read(site.path(), "public/articles/third/index.html");
    let config = read(site.path(), "config.toml");
    std::fs::write(
        site.path().join("config.toml"),
        format!("minify_html = true\n{config}"),
    )
    .unwrap();
    let out = build(site.path(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning: ")
            && err.contains("config.toml:1:1: `minify_html` is no longer supported"),
        "{err}"
    );
    assert_eq!(read(site.path(), "public/articles/third/index.html"), plain);
}
