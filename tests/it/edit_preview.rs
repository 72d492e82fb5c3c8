//! The preview beside the editor's text, over real HTTP on 127.0.0.1: it is the page the
//! site's own templates make from the form before it is saved (byte for byte the page the
//! preview serves once it is saved, published or draft), a form with problems gets them
//! by field and no page, and only the editor's own requests of a bounded size are read.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::edit::{FILE, json, open, post, post_as};
use crate::harness::{ARTICLE_URL, DEADLINE, Serve, SiteTest, eventually};

/// The preview of `fields` and `body` for `file`, as the editor's script asks for it.
fn preview(
    serve: &Serve,
    secret: &str,
    file: &str,
    fields: serde_json::Value,
    body: &str,
) -> serde_json::Value {
    let request =
        serde_json::json!({ "file": file, "version": "", "fields": fields, "body": body });
    let r = post(serve, "/__grove/api/preview", secret, &request);
    assert_eq!(r.status, 200, "{}", r.text());
    json(&r)
}

/// The preview's document without the `<base>` the editor's frame needs: what the
/// pipeline rendered.
fn rendered(answer: &serde_json::Value, origin: &str) -> String {
    let html = answer["html"]
        .as_str()
        .unwrap_or_else(|| panic!("no page: {answer}"));
    let base = format!("<base href=\"{origin}/\" target=\"_blank\">");
    assert_eq!(html.matches(&base).count(), 1, "{html}");
    html.replacen(&base, "", 1)
}

/// Whether `served` is `page` with the preview's own links put before its `</body>`.
fn is_served_as(served: &str, page: &str) -> bool {
    let at = page.rfind("</body>").unwrap_or(page.len());
    served.len() > page.len() && served.starts_with(&page[..at]) && served.ends_with(&page[at..])
}

fn save(serve: &Serve, secret: &str, file: &str, fields: serde_json::Value, body: &str) {
    let version = crate::edit::open(serve, file).version;
    let request =
        serde_json::json!({ "file": file, "version": version, "fields": fields, "body": body });
    let r = post(serve, "/__grove/api/save", secret, &request);
    assert_eq!(r.status, 200, "{}", r.text());
}

#[test]
fn the_preview_is_the_page_the_site_serves_once_the_form_is_saved() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let opened = open(&serve, FILE);
    let origin = format!("http://{}", serve.host());
    let fields = serde_json::json!({ "title": "First steps, <again>", "date": "2025-04-01" });
    let body = "Typed, not saved: **bold**.\n\n<script>document.title = 'ran'</script>\n";
    let answer = preview(&serve, &opened.secret, FILE, fields.clone(), body);
    assert_eq!(answer["problems"], serde_json::json!([]));
    let page = rendered(&answer, &origin);
    assert!(
        page.contains("<h1>First steps, &lt;again&gt;</h1>"),
        "{page}"
    );
    assert!(page.contains("<strong>bold</strong>"), "{page}");
    assert!(
        page.starts_with("<!DOCTYPE html>"),
        "the site's template: {page}"
    );
    assert!(
        !site
            .read(crate::harness::ARTICLE)
            .contains("Typed, not saved"),
        "the preview wrote the file"
    );

    save(&serve, &opened.secret, FILE, fields, body);
    let served = eventually("the saved page", || {
        let r = serve.get(ARTICLE_URL);
        r.text().contains("Typed, not saved").then(|| r.text())
    });
    assert!(
        is_served_as(&served, &page),
        "preview:\n{page}\n\nserved:\n{served}"
    );
}

/// An article no other page names (the fixture's FAQ entry relates to `FILE`).
const OTHER: &str = "articles/second.md";

#[test]
fn a_draft_is_previewed_with_its_banner_as_its_page_is_served() {
    let site = SiteTest::serve_fixture();
    site.write(
        &format!("content/{OTHER}"),
        "+++\ntitle = \"Second\"\ndate = 2025-03-15\n+++\nSecond.\n",
    );
    let serve = site.serve();
    let opened = open(&serve, OTHER);
    let origin = format!("http://{}", serve.host());
    let fields = serde_json::json!({ "title": "Second", "draft": "true" });
    let answer = preview(&serve, &opened.secret, OTHER, fields.clone(), "Not yet.\n");
    let page = rendered(&answer, &origin);
    assert_eq!(
        page.matches("<strong>Draft:</strong> not on the published site")
            .count(),
        1,
        "{page}"
    );

    save(&serve, &opened.secret, OTHER, fields, "Not yet.\n");
    let served = eventually("the draft's page", || {
        let r = serve.get("/articles/second/");
        r.text().contains("Not yet.").then(|| r.text())
    });
    assert!(
        is_served_as(&served, &page),
        "preview:\n{page}\n\nserved:\n{served}"
    );
}

#[test]
fn a_section_is_previewed_with_the_pages_it_lists() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let opened = open(&serve, "articles/_index.md");
    let origin = format!("http://{}", serve.host());
    let fields = serde_json::json!({ "title": "Writing, renamed" });
    let answer = preview(
        &serve,
        &opened.secret,
        "articles/_index.md",
        fields.clone(),
        "Intro.\n",
    );
    let page = rendered(&answer, &origin);
    assert!(page.contains("Writing, renamed"), "{page}");
    assert!(
        page.contains("First steps"),
        "the section's article: {page}"
    );

    save(
        &serve,
        &opened.secret,
        "articles/_index.md",
        fields,
        "Intro.\n",
    );
    let served = eventually("the saved section", || {
        let r = serve.get("/articles/");
        r.text().contains("Writing, renamed").then(|| r.text())
    });
    assert!(
        is_served_as(&served, &page),
        "preview:\n{page}\n\nserved:\n{served}"
    );
}

#[test]
fn a_form_with_problems_gets_them_by_field_and_no_page() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let opened = open(&serve, FILE);
    let cases = [
        (
            serde_json::json!({ "title": "First steps" }),
            "A link to [nowhere](@/articles/nowhere.md).\n",
            "body",
        ),
        (
            serde_json::json!({ "title": "First steps", "date": "2025-02-31" }),
            "Text.\n",
            "date",
        ),
        (serde_json::json!({ "title": "" }), "Text.\n", "title"),
        // The theme has no page for topics: a build would refuse the topic.
        (
            serde_json::json!({ "title": "First steps", "tags": "anxiety" }),
            "Text.\n",
            "",
        ),
    ];
    for (fields, body, field) in cases {
        let answer = preview(&serve, &opened.secret, FILE, fields.clone(), body);
        assert_eq!(
            answer["html"],
            serde_json::Value::Null,
            "{fields}: {answer}"
        );
        let problems = answer["problems"].as_array().unwrap();
        let wanted = match field {
            "" => serde_json::Value::Null,
            f => f.into(),
        };
        assert!(
            problems.iter().any(|p| p["field"] == wanted),
            "{fields}: {answer}"
        );
    }
}

#[test]
fn only_the_editors_own_requests_are_answered() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let opened = open(&serve, FILE);
    let body =
        serde_json::json!({ "file": FILE, "version": "", "fields": {}, "body": "x" }).to_string();
    let host = serve.editor_host();
    for (what, headers) in [
        (
            "no key",
            format!("Host: {host}\r\nOrigin: http://{host}\r\nContent-Type: application/json\r\n"),
        ),
        (
            "a wrong key",
            format!(
                "Host: {host}\r\nOrigin: http://{host}\r\nX-Grove-Secret: {}0\r\n",
                opened.secret
            ),
        ),
        (
            "a page of the site",
            format!(
                "Host: {host}\r\nOrigin: http://{}\r\nX-Grove-Secret: {}\r\n",
                serve.host(),
                opened.secret
            ),
        ),
    ] {
        let r = post_as(&serve, "/__grove/api/preview", &headers, body.as_bytes());
        assert_eq!(r.status, 403, "{what}: {}", r.text());
        assert!(!r.text().contains("html"), "{what}: {}", r.text());
    }
    // On the site's own address, the editor's requests are not served at all.
    let r = crate::harness::http(
        serve.port,
        &format!(
            "POST /__grove/api/preview HTTP/1.1\r\nHost: {}\r\nX-Grove-Secret: {}\r\nContent-Length: 0\r\n",
            serve.host(),
            opened.secret
        ),
    );
    assert_eq!(r.status, 404, "{}", r.text());
}

#[test]
fn a_body_over_the_limit_is_refused_unread_and_a_huge_text_is_bounded() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let opened = open(&serve, FILE);
    // Over 4 MB: refused from the head, in words, before the body is sent.
    let mut stream = TcpStream::connect(("127.0.0.1", serve.editor())).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    write!(
        stream,
        "POST /__grove/api/preview HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nX-Grove-Secret: {}\r\nContent-Length: {}\r\n\r\n",
        opened.secret,
        5 * 1024 * 1024,
        host = serve.editor_host()
    )
    .unwrap();
    let mut raw = String::new();
    let _ = stream.read_to_string(&mut raw);
    assert!(raw.starts_with("HTTP/1.1 413"), "{raw}");
    assert!(
        raw.contains("This page's text is 5.0 MB; the largest the editor takes is 4 MB"),
        "{raw}"
    );

    // Just under it: nested emphasis, brackets and headings, a few MB of each kind of
    // text that makes Markdown parsers slow, rendered through the site's templates.
    let chunk = "*a _b [c `d ".repeat(20_000) + "\n\n" + &"# Same\n\n".repeat(20_000);
    let start = Instant::now();
    let answer = preview(
        &serve,
        &opened.secret,
        FILE,
        serde_json::json!({ "title": "First steps" }),
        &chunk,
    );
    let took = start.elapsed();
    assert!(took < Duration::from_secs(10), "the preview took {took:?}");
    let html = answer["html"].as_str().unwrap();
    assert!(
        html.contains("<h1 id=\"same-19999\">Same</h1>"),
        "the last id"
    );
    // Still answering the site's pages afterwards.
    assert_eq!(serve.get(ARTICLE_URL).status, 200);
}
