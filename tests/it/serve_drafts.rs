//! Drafts in the preview, over real HTTP on 127.0.0.1: without `--drafts`, a draft is
//! served at its own address, by its own template, under a "Draft: not on the published
//! site" banner, and nothing else of the preview shows it (lists, tag pages, feed,
//! sitemap, search index, neighbours), as a build leaves it out; `grove build` has no
//! trace of it. Publishing it (draft = false) puts it everywhere and takes the banner
//! away; making it a draft again does the reverse.

use std::path::Path;

use grove::render::banner;

use crate::harness::{Serve, SiteTest, build, eventually, stderr};

const DRAFT: &str = "content/articles/draft.md";
const DRAFT_URL: &str = "/articles/draft/";
/// In the draft's text and title only: any output that holds it shows the draft.
const MARK: &str = "Zebracalm";

fn draft_text(draft: bool, body: &str) -> String {
    format!(
        "+++\ntitle = \"{MARK} breathing\"\ndate = 2025-06-01\ndescription = \"A {MARK} exercise.\"\ntags = [\"anxiety\", \"{MARK} topic\"]\ndraft = {draft}\n+++\n\n{body}\n"
    )
}

/// A copy of the build fixture (articles with tags, FAQ, team; the `plain` theme with tag
/// templates), whose draft article carries the mark.
fn site() -> SiteTest {
    let site = SiteTest::fixture("build/site");
    site.write(DRAFT, &draft_text(true, &format!("The {MARK} text.")));
    site
}

/// Every file a build of the site writes, by URL path (`/articles/x/`, `/atom.xml`).
fn built_urls(root: &Path, out: &Path) -> Vec<String> {
    let done = build(root, &["--output", out.to_str().unwrap()]);
    assert!(done.status.success(), "{}", stderr(&done));
    crate::harness::files(out)
        .into_iter()
        .map(|(rel, _)| {
            let rel = rel.to_string_lossy().replace('\\', "/");
            match rel.strip_suffix("index.html") {
                Some(dir) => format!("/{dir}"),
                None => format!("/{rel}"),
            }
        })
        .collect()
}

/// The outputs that the draft shows up in now (its own page aside).
fn showing_the_draft(serve: &Serve, urls: &[String]) -> Vec<String> {
    urls.iter()
        .filter(|u| u.as_str() != DRAFT_URL)
        .filter(|u| {
            let text = serve.get(u).text();
            text.contains(MARK) || text.contains(DRAFT_URL)
        })
        .cloned()
        .collect()
}

#[test]
fn a_draft_is_served_with_its_banner_and_left_out_of_every_other_output() {
    let site = site();
    let (dir, root) = (&site.dir, site.root());
    let urls = built_urls(&root, &dir.path().join("public"));
    // The build has no trace of the draft, nor of the banner.
    for (rel, bytes) in crate::harness::files(&dir.path().join("public")) {
        let text = String::from_utf8_lossy(&bytes);
        for trace in [
            MARK,
            DRAFT_URL,
            "data-grove-draft",
            "not on the published site",
        ] {
            assert!(!text.contains(trace), "{} holds {trace:?}", rel.display());
        }
    }
    assert!(!urls.iter().any(|u| u == DRAFT_URL));

    let serve = site.serve_with(&[]);
    let page = serve.get(DRAFT_URL);
    assert_eq!(page.status, 200);
    // Its own template (the article's), with the banner first in the body; "Edit this
    // page" leads to the draft's file.
    insta::assert_snapshot!(crate::harness::normalize(&page.text()));

    // Every output of the build, as the preview serves it, leaves the draft out...
    assert_eq!(showing_the_draft(&serve, &urls), Vec::<String>::new());
    // ...and the draft makes no output of its own besides its page: not its new topic.
    assert_eq!(serve.get("/tags/zebracalm-topic/").status, 404);
    for url in ["/articles/", "/tags/anxiety/", "/atom.xml", "/sitemap.xml"] {
        assert_eq!(serve.get(url).status, 200, "{url}");
    }
}

#[test]
fn publishing_a_draft_lists_it_and_drafting_it_again_takes_it_back() {
    let site = site();
    let (dir, root) = (&site.dir, site.root());
    let serve = site.serve_with(&[]);
    assert!(serve.get(DRAFT_URL).text().contains(banner::HTML));

    // A save of the draft's text shows at once, still as a draft.
    std::fs::write(root.join(DRAFT), draft_text(true, "Second version.")).unwrap();
    let page = serve.wait_for_text(DRAFT_URL, "Second version.").text();
    assert!(page.contains(banner::HTML), "{page}");

    // draft = false: in the lists, on its topics' pages, in the feed, sitemap and search
    // index, without the banner.
    std::fs::write(root.join(DRAFT), draft_text(false, "Published now.")).unwrap();
    let page = serve.wait_for_text(DRAFT_URL, "Published now.").text();
    assert!(!page.contains("data-grove-draft"), "{page}");
    for url in [
        "/articles/",
        "/tags/anxiety/",
        "/tags/zebracalm-topic/",
        "/atom.xml",
        "/sitemap.xml",
        "/search-index.json",
    ] {
        eventually(&format!("{url} to show the published article"), || {
            let text = serve.get(url).text();
            (text.contains(MARK) || text.contains(DRAFT_URL)).then_some(())
        });
    }
    // As a build of the same files: now it is published.
    let urls = built_urls(&root, &dir.path().join("public"));
    assert!(urls.iter().any(|u| u == DRAFT_URL));

    // draft = true again: back to its own page with the banner, and out of the rest.
    std::fs::write(root.join(DRAFT), draft_text(true, "Drafted again.")).unwrap();
    let page = serve.wait_for_text(DRAFT_URL, "Drafted again.").text();
    assert!(page.contains(banner::HTML), "{page}");
    let urls = built_urls(&root, &dir.path().join("public"));
    eventually("every other output to leave the draft out", || {
        showing_the_draft(&serve, &urls).is_empty().then_some(())
    });
}

#[test]
fn with_drafts_a_draft_is_an_ordinary_page_everywhere() {
    let site = site();
    let serve = site.serve_with(&["--drafts"]);
    let page = serve.wait_for_text(DRAFT_URL, MARK).text();
    assert!(!page.contains("data-grove-draft"), "{page}");
    for url in ["/articles/", "/tags/zebracalm-topic/"] {
        assert!(serve.get(url).text().contains(MARK), "{url}");
    }
}

/// What the editor is given to list the drafts (its "Drafts" list leads back to each).
#[test]
fn the_editor_is_given_each_draft_with_its_title_kind_and_address() {
    let site = site();
    let root = site.root();
    std::fs::write(
        root.join("content/faq/later.md"),
        "+++\ntitle = \"Later?\"\ndraft = true\n+++\nSoon.\n",
    )
    .unwrap();
    let mut builder = grove::cmd::serve::builder::Builder::new(
        root.clone(),
        grove::BuildOptions {
            base_url: Some("http://127.0.0.1:9".into()),
            ..Default::default()
        },
    );
    builder.full().unwrap();
    let facts = builder.snapshot(None).facts.unwrap();
    let drafts = serde_json::to_value(&facts.drafts).unwrap();
    assert_eq!(
        drafts,
        serde_json::json!([
            {"file": "articles/draft.md", "title": format!("{MARK} breathing"), "kind": "article",
             "path": DRAFT_URL, "url": DRAFT_URL},
            {"file": "faq/later.md", "title": "Later?", "kind": "faq",
             "path": "/faq/later/", "url": "/faq/later/"},
        ])
    );
    assert_eq!(
        facts
            .sources
            .get("articles/draft/index.html")
            .map(String::as_str),
        Some("articles/draft.md")
    );
}
