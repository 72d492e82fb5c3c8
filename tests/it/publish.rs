//! A site ready to publish, built with the real theme (themes/oakland) on a small site of
//! its own: assets and links that do not depend on `base_url` (and carry a sub-path when
//! there is one), a placeholder `base_url` that warns and that `--production` refuses,
//! RFC 3339 dates everywhere a validator reads them, the feed's order, and what a phone
//! user needs (tap-to-call crisis numbers, a share image that exists, a touch icon).

use std::path::Path;

use html5gum::{Token, Tokenizer};

use crate::harness::*;

/// A small site on the real theme: three articles in a section sorted by title, a FAQ
/// entry, a bio, the contact page; `base_url` and `extra` lines are the caller's.
fn clinic(config_tail: &str) -> SiteTest {
    let site = SiteTest::empty();
    copy_dir(&repo().join("themes/oakland"), &site.path("themes/oakland"));
    site.write("config.toml",
        &format!(
            "title = \"Test Clinic\"\ndescription = \"A clinic for tests.\"\ntheme = \"oakland\"\nfeed_limit = 2\n{config_tail}\n"
        ),
    );
    site.write(
        "content/_index.md",
        "+++\ntitle = \"Home\"\ndescription = \"Home.\"\n+++\nWelcome.\n",
    );
    site.write(
        "content/articles/_index.md",
        "+++\ntitle = \"Articles\"\ndescription = \"All articles.\"\nsort_by = \"title\"\n+++\n",
    );
    // Titles in the opposite order of the dates: a title-sorted section.
    site.write("content/articles/a-oldest.md",
        "+++\ntitle = \"A: the oldest\"\ndescription = \"Old.\"\ndate = 2020-01-15\n+++\nOld text.\n",
    );
    site.write("content/articles/b-newest.md",
        "+++\ntitle = \"B: the newest\"\ndescription = \"New.\"\ndate = 2025-01-31T09:00:00\n+++\nThe summary.\n\n<!-- more -->\n\nThe rest.\n",
    );
    site.write("content/articles/c-middle.md",
        "+++\ntitle = \"C: the middle one\"\ndescription = \"Middle.\"\ndate = \"2023-06-01T12:00:00+02:00\"\nupdated = 2024-02-29\n+++\nMiddle text, see [the FAQ](@/faq/_index.md) and [contact](/contact/).\n",
    );
    site.write(
        "content/faq/_index.md",
        "+++\ntitle = \"FAQ\"\ndescription = \"Questions.\"\nsort_by = \"weight\"\n+++\n",
    );
    site.write(
        "content/faq/why.md",
        "+++\ntitle = \"Why?\"\ndescription = \"Why.\"\nweight = 1\n+++\nBecause.\n",
    );
    site.write("content/team/_index.md",
        "+++\ntitle = \"Team\"\ndescription = \"Us.\"\nsort_by = \"weight\"\ntemplate = \"team.html\"\n+++\n",
    );
    site.write("content/team/ann-lee.md",
        "+++\nname = \"Ann Lee\"\ncredentials = \"LCSW\"\nsummary = \"Ann is a therapist.\"\nweight = 1\n+++\nBio.\n",
    );
    site.write(
        "content/contact.md",
        "+++\ntitle = \"Contact\"\ndescription = \"How to reach us.\"\n+++\nWrite to us.\n",
    );
    site
}

fn built(config_tail: &str, extra_args: &[&str]) -> SiteTest {
    let site = clinic(config_tail);
    let out = build(&site.root(), extra_args);
    assert!(out.status.success(), "{}", stderr(&out));
    site
}

/// Every `href`, `src` and `action` in an HTML page, read with an HTML tokenizer, but
/// for the canonical link (absolute by definition).
fn urls_in(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for token in Tokenizer::new(html).flatten() {
        if let Token::StartTag(tag) = token {
            if tag
                .attributes
                .get(&b"rel"[..])
                .is_some_and(|r| r.as_slice() == b"canonical")
            {
                continue;
            }
            for (name, value) in &tag.attributes {
                let name = String::from_utf8_lossy(name).into_owned();
                if name == "href" || name == "src" || name == "action" {
                    out.push((name, String::from_utf8_lossy(value).into_owned()));
                }
            }
        }
    }
    out
}

/// `<meta property|name="KEY" content="...">` values of a page.
fn meta(html: &str, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    for token in Tokenizer::new(html).flatten() {
        if let Token::StartTag(tag) = token
            && tag.name.as_slice() == b"meta"
        {
            let attr = |n: &[u8]| {
                tag.attributes
                    .get(n)
                    .map(|v| String::from_utf8_lossy(v).into_owned())
            };
            if attr(b"property").or_else(|| attr(b"name")).as_deref() == Some(key)
                && let Some(c) = attr(b"content")
            {
                out.push(c);
            }
        }
    }
    out
}

fn html_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "html") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn pages_link_to_their_assets_without_base_url_and_under_a_sub_path() {
    // A placeholder base_url: the pages still find their stylesheet wherever they are served.
    let site = built("base_url = \"https://example.org\"", &[]);
    let home = read(&site.root(), "public/index.html");
    let css: Vec<String> = urls_in(&home)
        .into_iter()
        .map(|(_, u)| u)
        .filter(|u| u.contains("/css/site."))
        .collect();
    assert_eq!(css.len(), 1, "{home}");
    assert!(css[0].starts_with("/css/site."), "{}", css[0]);
    assert!(site.root().join("public").join(&css[0][1..]).is_file());
    for (attr, url) in urls_in(&home) {
        assert!(
            !url.starts_with("https://example.org"),
            "{attr}={url} depends on base_url"
        );
    }
    // The absolute addresses that specs ask for keep base_url.
    assert_eq!(meta(&home, "og:url"), ["https://example.org/"]);

    // A GitHub Pages project site: every root-relative address carries /site.
    let site = built("base_url = \"https://user.github.io/site/\"", &[]);
    let public = site.root().join("public");
    for file in html_files(&public) {
        let html = std::fs::read_to_string(&file).unwrap();
        if html.contains("http-equiv=\"refresh\"") {
            continue; // an alias's redirect is absolute
        }
        for (attr, url) in urls_in(&html) {
            if url.starts_with('/') && !url.starts_with("//") {
                assert!(
                    url.starts_with("/site/"),
                    "{}: {attr}={url} lacks the sub-path",
                    file.display()
                );
                // and leads to a file of the site, once /site is the folder public/
                let path = url.trim_start_matches("/site/");
                let path = path.split(['#', '?']).next().unwrap();
                let target = if path.is_empty() || path.ends_with('/') {
                    public.join(path).join("index.html")
                } else {
                    public.join(path)
                };
                assert!(target.exists(), "{}: {url} leads nowhere", file.display());
            }
        }
    }
    let article = read(&site.root(), "public/articles/c-middle/index.html");
    assert!(
        article.contains("href=\"/site/faq/\""),
        "@/ links get the sub-path"
    );
    assert!(
        article.contains("href=\"/site/contact/\""),
        "so do links written from the root"
    );
    let index = read(&site.root(), "public/search-index.json");
    assert!(
        index.contains("\"u\":\"/site/articles/c-middle/\""),
        "{index}"
    );
}

#[test]
fn a_placeholder_base_url_warns_and_production_refuses_it() {
    let site = clinic("base_url = \"https://example.org\"   # placeholder");
    let said = |out: &std::process::Output| {
        format!(
            "exit: {}\n{}",
            out.status.code().unwrap_or(-1),
            normalize(&stderr(out).replace(&format!("{}/", site.root().display()), ""))
        )
    };
    let mut report = String::from("$ grove build\n");
    let out = build(&site.root(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    report.push_str(&said(&out));

    let before = files(&site.root().join("public"));
    let out = build(&site.root(), &["--production"]);
    report.push_str(&format!("\n$ grove build --production\n{}", said(&out)));
    assert_eq!(
        before,
        files(&site.root().join("public")),
        "public/ untouched"
    );

    // The real address given on the command line is enough.
    let out = build(
        &site.root(),
        &["--production", "--base-url", "https://clinic.test/"],
    );
    report.push_str(&format!(
        "\n$ grove build --production --base-url https://clinic.test/\n{}",
        said(&out)
    ));
    let unset = clinic("");
    let out = build(&unset.root(), &["--production"]);
    report.push_str(&format!(
        "\n$ grove build --production   # no base_url\n{}",
        said(&out).replace(&format!("{}/", unset.root().display()), "")
    ));
    insta::assert_snapshot!(report);
}

#[test]
fn every_date_is_rfc3339_where_feeds_sitemaps_and_search_engines_read_it() {
    let site = built(
        "base_url = \"https://clinic.test\"\ntimezone = \"America/Los_Angeles\"",
        &[],
    );
    let feed = read(&site.root(), "public/atom.xml");
    // a local date-time, in the site's zone
    assert!(
        feed.contains("<published>2025-01-31T09:00:00-08:00</published>"),
        "{feed}"
    );
    // an offset as written; a day's `updated` at midnight where the site is
    assert!(
        feed.contains("<published>2023-06-01T12:00:00+02:00</published>"),
        "{feed}"
    );
    assert!(
        feed.contains("<updated>2024-02-29T00:00:00-08:00</updated>"),
        "{feed}"
    );
    let map = read(&site.root(), "public/sitemap.xml");
    assert!(
        map.contains("<loc>https://clinic.test/articles/a-oldest/</loc><lastmod>2020-01-15T00:00:00-08:00</lastmod>"),
        "{map}"
    );
    let rfc3339 = |s: &str| s.parse::<jiff::Timestamp>().is_ok();
    for line in feed.lines().chain(map.lines()) {
        for tag in ["published", "updated", "lastmod"] {
            if let Some(value) = line
                .split(&format!("<{tag}>"))
                .nth(1)
                .and_then(|r| r.split(&format!("</{tag}>")).next())
            {
                assert!(rfc3339(value), "<{tag}>{value} is not RFC 3339");
            }
        }
    }
    let article = read(&site.root(), "public/articles/b-newest/index.html");
    assert_eq!(
        meta(&article, "article:published_time"),
        ["2025-01-31T09:00:00-08:00"]
    );
    assert!(
        article.contains("\"datePublished\": \"2025-01-31T09:00:00-08:00\""),
        "Article JSON-LD: {article}"
    );
    // The page shows the day as written.
    assert!(
        article.contains("<time datetime=\"2025-01-31T09:00:00\">January 31, 2025</time>"),
        "{article}"
    );
}

#[test]
fn the_feed_holds_the_newest_articles_whatever_their_section_sorts_by() {
    let site = built("base_url = \"https://clinic.test\"", &[]);
    let feed = read(&site.root(), "public/atom.xml");
    let titles: Vec<&str> = feed
        .split("<title type=\"text\">")
        .skip(1)
        .map(|t| t.split('<').next().unwrap())
        .collect();
    // feed_limit = 2: the two newest, newest first; the list page sorts by title.
    assert_eq!(titles, ["B: the newest", "C: the middle one"], "{feed}");
    let list = read(&site.root(), "public/articles/index.html");
    assert!(list.find("A: the oldest").unwrap() < list.find("B: the newest").unwrap());
    assert!(
        !feed.contains("&lt;!-- more --&gt;"),
        "the summary marker stays out: {feed}"
    );
    assert!(feed.contains("The rest."), "{feed}");
}

#[test]
fn a_phone_user_can_call_for_help_and_pages_share_with_a_picture() {
    let site = built("base_url = \"https://clinic.test\"", &[]);
    let public = site.root().join("public");
    for file in html_files(&public) {
        let html = std::fs::read_to_string(&file).unwrap();
        if html.contains("http-equiv=\"refresh\"") {
            continue;
        }
        let shown = file.strip_prefix(&public).unwrap().display().to_string();
        let hrefs: Vec<String> = urls_in(&html).into_iter().map(|(_, u)| u).collect();
        for crisis in ["tel:988", "sms:988", "tel:911"] {
            assert!(
                hrefs.iter().any(|h| h == crisis),
                "{shown}: no {crisis} link"
            );
        }
        let image = meta(&html, "og:image");
        assert_eq!(image.len(), 1, "{shown}: og:image {image:?}");
        let path = image[0]
            .strip_prefix("https://clinic.test/")
            .unwrap_or_else(|| panic!("{shown}: og:image {} is not absolute", image[0]));
        assert!(
            public.join(path).is_file(),
            "{shown}: og:image {path} does not exist"
        );
        assert_eq!(
            meta(&html, "twitter:card"),
            ["summary_large_image"],
            "{shown}"
        );
        assert_eq!(meta(&html, "twitter:image"), image, "{shown}");
        assert!(!meta(&html, "og:image:alt")[0].is_empty(), "{shown}");
        let icon = hrefs.iter().find(|h| h.ends_with("apple-touch-icon.png"));
        assert!(
            icon.is_some_and(|i| public.join(&i[1..]).is_file()),
            "{shown}"
        );
    }
    // The theme's share card is a 1200x630 PNG.
    let png = std::fs::read(public.join("images/share.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let dimension = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    assert_eq!((dimension(16), dimension(20)), (1200, 630));
}

#[test]
fn a_page_can_have_its_own_share_image_with_its_alt_text() {
    let site = clinic("base_url = \"https://clinic.test\"");
    let pixels = grove::images::decode::Pixels {
        width: 1600,
        height: 900,
        channels: 3,
        data: [90, 120, 150].repeat(1600 * 900),
    };
    let png = grove::images::process::encode_with(&pixels, grove::images::Encoding::Png, 90);
    std::fs::create_dir_all(site.root().join("static/images")).unwrap();
    std::fs::write(site.root().join("static/images/room.png"), png.unwrap()).unwrap();
    write(
        &site.root(),
        "content/articles/b-newest.md",
        "+++\ntitle = \"B\"\ndescription = \"New.\"\nimage = \"/images/room.png\"\nimage_alt = \"A quiet room with two chairs\"\n+++\nText.\n",
    );
    let out = build(&site.root(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = read(&site.root(), "public/articles/b-newest/index.html");
    // Shared as a 1200 x 630 JPEG made from it, not as the picture itself.
    let image = meta(&html, "og:image");
    assert!(
        image[0].starts_with("https://clinic.test/processed_images/room-1200x630.")
            && image[0].ends_with(".jpg"),
        "{image:?}"
    );
    assert_eq!(meta(&html, "og:image:width"), ["1200"]);
    assert_eq!(
        meta(&html, "og:image:alt"),
        ["A quiet room with two chairs"]
    );

    // An image without its words is refused, by the line.
    write(
        &site.root(),
        "content/articles/b-newest.md",
        "+++\ntitle = \"B\"\ndescription = \"New.\"\nimage = \"/images/room.png\"\n+++\nText.\n",
    );
    let out = build(&site.root(), &[]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&out).replace(&format!("{}/", site.root().display()), ""));
}
