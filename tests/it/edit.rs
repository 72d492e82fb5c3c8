//! Editing in the preview, over real HTTP on 127.0.0.1: the "Edit this page" link (in the
//! preview only, never in a build), saving through the build's own checks, a change on
//! disk since the editor opened the file, new files, pictures, and every way a request
//! that is not the editor's own must be refused with the site's files left as they were.

use std::io::{Read, Write};
use std::net::TcpStream;

use crate::harness::files;
use crate::harness::{
    ARTICLE, ARTICLE_URL, DEADLINE, Response, Serve, SiteTest, eventually, parse_response,
};

/// Sends a request with a body and reads the whole response.
fn send_body(port: u16, head: &str, body: &[u8]) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let head = format!(
        "{head}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    // A refused request may be answered before its body is read: a failed write is fine.
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let mut chunk = [0u8; 8192];
    while let Ok(n) = stream.read(&mut chunk) {
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&chunk[..n]);
    }
    parse_response(&raw)
}

/// What the editor page of a file gives its script: the key, and the file's version.
pub(crate) struct Opened {
    pub(crate) secret: String,
    pub(crate) version: String,
    pub(crate) page: String,
}

pub(crate) fn between<'a>(text: &'a str, before: &str, after: &str) -> &'a str {
    let start = text
        .find(before)
        .unwrap_or_else(|| panic!("{before:?} not in {text}"))
        + before.len();
    let len = text[start..].find(after).unwrap();
    &text[start..start + len]
}

pub(crate) fn open(serve: &Serve, file: &str) -> Opened {
    let r = serve.editor_get(&format!("/__grove/edit?file={file}"));
    assert_eq!(r.status, 200, "{}", r.text());
    let page = r.text();
    Opened {
        secret: between(&page, "<meta name=\"grove-secret\" content=\"", "\"").to_string(),
        version: between(&page, "data-version=\"", "\"").to_string(),
        page,
    }
}

/// A POST as the editor's script makes it: its Host, its Origin and the key.
pub(crate) fn post(serve: &Serve, path: &str, secret: &str, json: &serde_json::Value) -> Response {
    post_as(
        serve,
        path,
        &format!(
            "Host: {host}\r\nOrigin: http://{host}\r\nX-Grove-Secret: {secret}\r\nContent-Type: application/json\r\n",
            host = serve.editor_host()
        ),
        json.to_string().as_bytes(),
    )
}

pub(crate) fn post_as(serve: &Serve, path: &str, headers: &str, body: &[u8]) -> Response {
    send_body(
        serve.editor(),
        &format!("POST {path} HTTP/1.1\r\n{headers}"),
        body,
    )
}

pub(crate) fn save_request(
    file: &str,
    version: &str,
    title: &str,
    body: &str,
) -> serde_json::Value {
    serde_json::json!({
        "file": file,
        "version": version,
        "fields": { "title": title },
        "body": body,
    })
}

pub(crate) fn json(r: &Response) -> serde_json::Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|_| panic!("not JSON: {}", r.text()))
}

pub(crate) const FILE: &str = "articles/first-steps.md";

#[test]
fn pages_of_the_preview_link_to_their_editor_and_built_pages_do_not() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    // "Edit this page" and "New content" (the page whole: serve.rs's snapshot).
    let page = serve.get(ARTICLE_URL).text();
    let link = format!("href=\"/__grove/edit?file={FILE}\"");
    assert!(page.contains(&link), "{page}");
    // The editor's page of the file: its form, its text, its key (64 hex digits).
    let opened = open(&serve, FILE);
    assert_eq!(opened.secret.len(), 64);
    let version = format!("data-version=\"{}\"", opened.version);
    insta::assert_snapshot!(
        site.normalize(&opened.page.replace(&version, "data-version=\"[version]\""))
    );

    site.build(&[]).ok();
    let built = site.read("public/articles/first-steps/index.html");
    assert!(!built.contains("__grove"), "{built}");
}

#[test]
fn a_save_writes_the_file_keeps_its_comments_and_the_page_shows_it() {
    let site = SiteTest::serve_fixture();
    site.write(
        ARTICLE,
        "+++\n# Shown on the articles list.\ntitle = \"First steps\" # keep it short\ndate = 2025-03-14\ndescription = \"Where to begin.\"\n+++\n\nThe first article says hello.\n",
    );
    let serve = site.serve();
    let opened = open(&serve, FILE);
    let r = post(
        &serve,
        "/__grove/api/save",
        &opened.secret,
        &save_request(
            FILE,
            &opened.version,
            "Your first steps",
            "\nThe first article now says welcome.\n",
        ),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(json(&r)["url"], ARTICLE_URL);
    assert_eq!(
        site.read(ARTICLE),
        "+++\n# Shown on the articles list.\ntitle = \"Your first steps\" # keep it short\ndate = 2025-03-14\ndescription = \"Where to begin.\"\n+++\n\nThe first article now says welcome.\n"
    );
    let page = serve.wait_for_text(ARTICLE_URL, "now says welcome").text();
    assert!(page.contains("Your first steps"), "{page}");
    // The version the editor gets back is the file's: a second save needs no reload.
    let version = json(&r)["version"].as_str().unwrap().to_string();
    let r = post(
        &serve,
        "/__grove/api/save",
        &opened.secret,
        &save_request(FILE, &version, "Your first steps", "\nAnd again.\n"),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(site.read(ARTICLE).ends_with("+++\n\nAnd again.\n"));
}

#[test]
fn an_invalid_value_is_shown_by_its_field_and_never_written() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let before = site.read(ARTICLE);
    let opened = open(&serve, FILE);
    let mut request = save_request(FILE, &opened.version, "First steps", "Text.\n");
    request["fields"]["date"] = "14/03/2025".into();
    let r = post(&serve, "/__grove/api/save", &opened.secret, &request);
    assert_eq!(r.status, 422, "{}", r.text());
    let problems = json(&r)["problems"].as_array().unwrap().clone();
    let date = problems
        .iter()
        .find(|p| p["field"] == "date")
        .unwrap_or_else(|| panic!("no problem by the date field: {problems:?}"));
    assert!(date["message"].as_str().unwrap().contains("date"), "{date}");
    let mut request = save_request(FILE, &opened.version, "", "Text.\n");
    request["fields"]["date"] = "2025-03-14".into();
    let r = post(&serve, "/__grove/api/save", &opened.secret, &request);
    assert_eq!(r.status, 422, "an empty title: {}", r.text());
    assert!(r.text().contains("\"field\":\"title\""), "{}", r.text());
    let broken_link = save_request(
        FILE,
        &opened.version,
        "First steps",
        "See [x](@/nowhere.md).\n",
    );
    let r = post(&serve, "/__grove/api/save", &opened.secret, &broken_link);
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.text().contains("\"field\":\"body\""), "{}", r.text());
    assert_eq!(site.read(ARTICLE), before);
}

#[test]
fn a_file_changed_on_disk_since_it_was_opened_is_not_overwritten() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let opened = open(&serve, FILE);
    let theirs = site
        .read(ARTICLE)
        .replace("says hello", "says hello from another editor");
    site.write(ARTICLE, &theirs);
    let r = post(
        &serve,
        "/__grove/api/save",
        &opened.secret,
        &save_request(FILE, &opened.version, "Mine", "My text.\n"),
    );
    assert_eq!(r.status, 409, "{}", r.text());
    let answer = json(&r);
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .starts_with("This page was changed elsewhere since you opened it"),
        "{answer}"
    );
    // Their version comes back whole, for the editor to show beside the person's own.
    assert!(
        answer["theirs"]["body"]
            .as_str()
            .unwrap()
            .contains("says hello from another editor"),
        "{answer}"
    );
    assert_eq!(answer["theirs"]["fields"]["title"], "First steps");
    assert_eq!(site.read(ARTICLE), theirs);
}

#[test]
fn requests_that_are_not_the_editors_own_change_nothing() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let opened = open(&serve, FILE);
    let before = files(&site.root());
    let outside_before = files(&site.outside());
    let host = serve.editor_host();
    let site_host = serve.host();
    let good = save_request(FILE, &opened.version, "Changed", "Changed.\n").to_string();
    let refused: Vec<(&str, String, String, u16)> = vec![
        (
            "no key",
            format!("Host: {host}\r\nOrigin: http://{host}\r\n"),
            good.clone(),
            403,
        ),
        (
            "a wrong key",
            format!(
                "Host: {host}\r\nOrigin: http://{host}\r\nX-Grove-Secret: {}\r\n",
                "0".repeat(64)
            ),
            good.clone(),
            403,
        ),
        (
            "another site's page",
            format!(
                "Host: {host}\r\nOrigin: http://evil.example\r\nX-Grove-Secret: {}\r\n",
                opened.secret
            ),
            good.clone(),
            403,
        ),
        (
            "no Origin",
            format!("Host: {host}\r\nX-Grove-Secret: {}\r\n", opened.secret),
            good.clone(),
            403,
        ),
        (
            "a page of the site (another origin than the editor's)",
            format!(
                "Host: {host}\r\nOrigin: http://{site_host}\r\nX-Grove-Secret: {}\r\n",
                opened.secret
            ),
            good.clone(),
            403,
        ),
        (
            "a foreign Host (DNS rebinding)",
            format!(
                "Host: evil.example\r\nOrigin: http://evil.example\r\nX-Grove-Secret: {}\r\n",
                opened.secret
            ),
            good.clone(),
            421,
        ),
    ];
    for (what, headers, body, status) in refused {
        let r = post_as(&serve, "/__grove/api/save", &headers, body.as_bytes());
        assert_eq!(r.status, status, "{what}: {}", r.text());
    }
    for file in [
        "../config.toml",
        "../../outside/x.md",
        "articles/../../config.toml",
        "/etc/passwd.md",
        "articles/first-steps.txt",
        "..\\config.toml",
    ] {
        let request = save_request(file, &opened.version, "x", "x\n");
        let r = post(&serve, "/__grove/api/save", &opened.secret, &request);
        assert_eq!(r.status, 403, "{file}: {}", r.text());
        let r = serve.editor_get(&format!("/__grove/edit?file={file}"));
        assert_eq!(r.status, 404, "{file}");
    }
    // A link inside content/ that leads out of it is not followed.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(site.path("config.toml"), site.path("content/config.md"))
            .unwrap();
        let request = save_request("config.md", &opened.version, "x", "x\n");
        let r = post(&serve, "/__grove/api/save", &opened.secret, &request);
        assert_eq!(r.status, 403, "{}", r.text());
        std::fs::remove_file(site.path("content/config.md")).unwrap();
    }
    let r = crate::harness::http(
        serve.editor(),
        &format!("GET /__grove/api/save HTTP/1.1\r\nHost: {host}\r\n"),
    );
    assert_eq!(r.status, 405, "editing requests are POST requests");
    assert_eq!(files(&site.root()), before, "the site's files changed");
    assert_eq!(files(&site.outside()), outside_before);
}

#[test]
fn read_only_turns_editing_off() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve_with(&["--read-only"]);
    serve.wait_line("the editing line", |l| l.contains("--read-only"));
    let page = serve.get(ARTICLE_URL).text();
    assert!(page.contains("The first article says hello."));
    assert!(!page.contains("Edit this page"), "{page}");
    let r = serve.get(&format!("/__grove/edit?file={FILE}"));
    assert_eq!(r.status, 403);
    insta::assert_snapshot!(site.normalize(&r.text()));
    let before = site.read(ARTICLE);
    let r = post(
        &serve,
        "/__grove/api/save",
        "",
        &save_request(FILE, "x", "x", "x"),
    );
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(site.read(ARTICLE), before);
    // Publishing is part of editing: off too.
    assert!(!page.contains("/__grove/publish"), "{page}");
    for path in [
        "/__grove/publish",
        "/__grove/history?file=articles/first-steps.md",
    ] {
        let r = serve.get(path);
        assert_eq!(r.status, 403, "{path}");
        assert!(r.text().contains("--read-only"), "{}", r.text());
    }
    let r = post(
        &serve,
        "/__grove/api/publish",
        "",
        &serde_json::json!({ "message": "x", "fingerprint": "x" }),
    );
    assert_eq!(r.status, 403, "{}", r.text());
}

#[test]
fn new_content_makes_the_file_grove_new_makes() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let r = serve.editor_get("/__grove/new");
    assert_eq!(r.status, 200);
    let secret = between(&r.text(), "<meta name=\"grove-secret\" content=\"", "\"").to_string();
    let r = post(
        &serve,
        "/__grove/api/new",
        &secret,
        &serde_json::json!({ "kind": "faq", "title": "Do you take insurance?" }),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let made = json(&r);
    assert_eq!(made["file"], "faq/do-you-take-insurance.md");
    assert_eq!(
        made["edit"],
        "/__grove/edit?file=faq/do-you-take-insurance.md"
    );
    let text = site.read("content/faq/do-you-take-insurance.md");

    let other = SiteTest::serve_fixture();
    let out = crate::harness::grove(&[
        "new",
        "faq",
        "Do you take insurance?",
        "--root",
        other.root().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", crate::harness::stderr(&out));
    assert_eq!(text, other.read("content/faq/do-you-take-insurance.md"));
    open(&serve, "faq/do-you-take-insurance.md");
    // The same title again is refused, and the file is left as it is.
    let r = post(
        &serve,
        "/__grove/api/new",
        &secret,
        &serde_json::json!({ "kind": "faq", "title": "Do you take insurance?" }),
    );
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(site.read("content/faq/do-you-take-insurance.md"), text);
}

/// The smallest PNG: one transparent pixel.
pub(crate) const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0b, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x02, 0x00,
    0x00, 0x05, 0x00, 0x01, 0x7a, 0x5e, 0xab, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44,
    0xae, 0x42, 0x60, 0x82,
];

/// The head of an upload as the editor's script sends it, with the key of an open editor.
pub(crate) fn picture_headers(serve: &Serve) -> String {
    let secret = open(serve, FILE).secret;
    let host = serve.editor_host();
    format!(
        "Host: {host}\r\nOrigin: http://{host}\r\nX-Grove-Secret: {secret}\r\nContent-Type: image/png\r\n"
    )
}

#[test]
fn pictures_are_checked_saved_under_static_and_need_words() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let headers = picture_headers(&serve);
    let r = post_as(
        &serve,
        "/__grove/api/upload?name=Our%20Room.png&alt=The%20waiting%20room",
        &headers,
        PNG,
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let made = json(&r);
    assert_eq!(made["url"], "/images/our-room.png");
    assert_eq!(
        made["markdown"],
        "![The waiting room](/images/our-room.png)"
    );
    assert_eq!(
        std::fs::read(site.path("static/images/our-room.png")).unwrap(),
        PNG
    );
    let r = post_as(
        &serve,
        "/__grove/api/upload?name=our-room.png&alt=Again",
        &headers,
        PNG,
    );
    assert_eq!(
        json(&r)["url"],
        "/images/our-room.png",
        "the same picture again"
    );
    // One red pixel: the same header, other pixels.
    let other = [
        &PNG[..33],
        &[
            0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0,
            0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00,
            0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
        ],
    ]
    .concat();
    let r = post_as(
        &serve,
        "/__grove/api/upload?name=our-room.png&alt=Another",
        &headers,
        &other,
    );
    assert_eq!(
        json(&r)["url"],
        "/images/our-room-2.png",
        "another picture of the same name"
    );
    let config = site.read("config.toml");
    let r = post_as(
        &serve,
        "/__grove/api/upload?name=..%2F..%2Fconfig.toml&alt=x",
        &headers,
        PNG,
    );
    assert_eq!(
        json(&r)["url"],
        "/images/config.png",
        "a name that climbs stays in static/images/"
    );
    assert_eq!(site.read("config.toml"), config);
    // The preview serves it once the watcher has seen it, as for a file copied in by hand.
    let served = eventually("the picture to be served", || {
        let r = serve.get("/images/our-room.png");
        (r.status == 200).then_some(r)
    });
    assert_eq!(served.body, PNG);

    let before = files(&site.root());
    for (what, query, body, status) in [
        ("no words", "name=x.png&alt=", PNG.to_vec(), 400),
        (
            "an SVG (it can carry scripts)",
            "name=x.svg&alt=A%20logo",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(),
            400,
        ),
        (
            "a page called .png",
            "name=x.png&alt=A%20page",
            b"<!DOCTYPE html><p>hi".to_vec(),
            400,
        ),
        (
            // The smallest PNG with its pixels' checksum wrong: the build could not read it.
            "a damaged picture",
            "name=x.png&alt=Broken",
            [&PNG[..52], &[0u8; 4], &PNG[56..]].concat(),
            400,
        ),
        (
            "too large",
            "name=big.png&alt=Big",
            [PNG, &vec![0u8; 10 * 1024 * 1024]].concat(),
            413,
        ),
    ] {
        let r = post_as(
            &serve,
            &format!("/__grove/api/upload?{query}"),
            &headers,
            &body,
        );
        assert_eq!(r.status, status, "{what}: {}", r.text());
    }
    assert_eq!(files(&site.root()), before);
}

#[cfg(unix)]
#[test]
fn a_picture_is_never_written_through_a_link_out_of_the_site() {
    let site = SiteTest::serve_fixture();
    let _ = std::fs::remove_dir_all(site.path("static"));
    std::os::unix::fs::symlink(site.outside(), site.path("static")).unwrap();
    let serve = site.serve();
    let headers = picture_headers(&serve);
    let r = post_as(
        &serve,
        "/__grove/api/upload?name=x.png&alt=A%20picture",
        &headers,
        PNG,
    );
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.text().contains("link"), "{}", r.text());
    let made: Vec<_> = std::fs::read_dir(site.outside()).unwrap().collect();
    assert!(made.is_empty(), "made outside the site: {made:?}");
}

/// A published page that names an article in `related` would lead nowhere once the article
/// is a draft, and the whole site would stop building: the save is refused by the Draft
/// field, naming the page, and the file stays as it was; with the link gone it is saved.
#[test]
fn a_page_others_link_to_is_not_made_a_draft_behind_their_backs() {
    let site = SiteTest::serve_fixture();
    site.write(
        "content/linking.md",
        "+++\ntitle = \"Where to begin\"\n+++\nRead [the first steps](@/articles/first-steps.md).\n",
    );
    let serve = site.serve();
    let before = site.read(ARTICLE);
    let opened = open(&serve, FILE);
    let mut request = save_request(FILE, &opened.version, "First steps", "Text.\n");
    request["fields"]["draft"] = "true".into();
    let r = post(&serve, "/__grove/api/save", &opened.secret, &request);
    assert_eq!(r.status, 422, "{}", r.text());
    let problems = json(&r)["problems"].clone();
    assert_eq!(problems[0]["field"], "draft", "{problems}");
    assert_eq!(
        problems[0]["message"],
        "Draft: \u{201c}How long does it take?\u{201d}, \u{201c}Where to begin\u{201d} link to this page. A draft is left out of the site, so those links would lead nowhere and the site would not build: remove them first, then make this page a draft."
    );
    assert_eq!(site.read(ARTICLE), before);

    site.write(
        "content/linking.md",
        "+++\ntitle = \"Where to begin\"\n+++\nRead on.\n",
    );
    let faq = site.read("content/faq/how-long.md");
    site.write(
        "content/faq/how-long.md",
        &faq.replace("related = [\"articles/first-steps.md\"]\n", ""),
    );
    let r = post(&serve, "/__grove/api/save", &opened.secret, &request);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(site.read(ARTICLE).contains("draft = true"));
}
