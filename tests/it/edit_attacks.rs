//! The editor attacked as a local program would attack it, over real HTTP on 127.0.0.1:
//! saves and uploads sent at once, links planted where files and folders are expected,
//! large bodies without the key, and values that cannot be written. Every loop is bounded
//! in count, and the site's files (and the folder beside it) are compared afterwards.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::edit::{FILE, PNG, json, open, picture_headers, post, post_as, save_request};
use crate::harness::files;
use crate::harness::{ARTICLE, ARTICLE_URL, DEADLINE, SiteTest, eventually};

#[test]
fn of_saves_sent_at_once_from_one_version_exactly_one_wins() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    for round in 0..20 {
        let opened = open(&serve, FILE);
        let texts: Vec<String> = (0..3)
            .map(|i| format!("Round {round}, person {i}: {}\n", "words ".repeat(20_000)))
            .collect();
        let statuses: Vec<u16> = std::thread::scope(|s| {
            let sent: Vec<_> = texts
                .iter()
                .map(|text| {
                    let (serve, opened) = (&serve, &opened);
                    s.spawn(move || {
                        let request = save_request(FILE, &opened.version, "First steps", text);
                        post(serve, "/__grove/api/save", &opened.secret, &request).status
                    })
                })
                .collect();
            sent.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut sorted = statuses.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [200, 409, 409], "round {round}");
        let winner = statuses.iter().position(|&s| s == 200).unwrap();
        let file = site.read(ARTICLE);
        assert!(
            file.ends_with(&format!("+++\n{}", texts[winner])),
            "round {round}: the file is not the winner's whole text"
        );
    }
}

#[test]
fn uploads_of_one_name_sent_at_once_each_keep_their_own_bytes() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let headers = picture_headers(&serve);
    for round in 0..5u8 {
        let pictures: Vec<Vec<u8>> = (0..6u8)
            .map(|i| {
                // A real picture of its own (the editor stores what it can read, without
                // metadata): 200 x 200 pixels of one colour per upload.
                let pixels = grove::images::decode::Pixels {
                    width: 200,
                    height: 200,
                    channels: 3,
                    data: [round, i, 7].repeat(200 * 200),
                };
                grove::images::process::encode_with(&pixels, grove::images::Encoding::Png, 90)
                    .unwrap()
            })
            .collect();
        let answers: Vec<(u16, serde_json::Value)> = std::thread::scope(|s| {
            let sent: Vec<_> = pictures
                .iter()
                .map(|bytes| {
                    let (serve, headers) = (&serve, &headers);
                    s.spawn(move || {
                        let r = post_as(
                            serve,
                            "/__grove/api/upload?name=race.png&alt=A%20race",
                            headers,
                            bytes,
                        );
                        (r.status, json(&r))
                    })
                })
                .collect();
            sent.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut urls = std::collections::HashSet::new();
        for ((status, answer), bytes) in answers.iter().zip(&pictures) {
            assert_eq!(*status, 201, "{answer}");
            let url = answer["url"].as_str().unwrap();
            let file = site.path(&format!("static{url}"));
            assert_eq!(&std::fs::read(&file).unwrap(), bytes, "{url}");
            urls.insert(url.to_string());
        }
        assert_eq!(urls.len(), 6, "round {round}: {urls:?}");
    }
}

#[cfg(unix)]
#[test]
fn links_planted_at_the_temporary_names_are_never_written_through() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let secret_file = site.outside().join("keep.txt");
    std::fs::write(&secret_file, "keep").unwrap();
    let pid = serve.child.id();
    for n in 0..200 {
        for name in ["first-steps.md", "race.png"] {
            let dir = if name.ends_with(".md") {
                "content/articles"
            } else {
                "static/images"
            };
            std::fs::create_dir_all(site.path(dir)).unwrap();
            let link = site.path(&format!("{dir}/.{name}.grove-{pid}-{n}.tmp"));
            std::os::unix::fs::symlink(&secret_file, link).unwrap();
        }
    }
    let opened = open(&serve, FILE);
    let request = save_request(FILE, &opened.version, "First steps", "Saved.\n");
    let r = post(&serve, "/__grove/api/save", &opened.secret, &request);
    assert_eq!(r.status, 200, "{}", r.text());
    let r = post_as(
        &serve,
        "/__grove/api/upload?name=race.png&alt=A%20race",
        &picture_headers(&serve),
        PNG,
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(std::fs::read_to_string(&secret_file).unwrap(), "keep");
    assert!(site.read(ARTICLE).ends_with("+++\nSaved.\n"));
}

#[cfg(unix)]
#[test]
fn folders_linked_out_of_the_site_receive_nothing() {
    use std::os::unix::fs::symlink;
    let site = SiteTest::serve_fixture();
    // content/team leads out of the site; static/images leads into content/faq.
    std::fs::remove_dir_all(site.path("content/team")).unwrap();
    symlink(site.outside(), site.path("content/team")).unwrap();
    std::fs::create_dir_all(site.path("static")).unwrap();
    let _ = std::fs::remove_dir_all(site.path("static/images"));
    std::fs::create_dir_all(site.path("content/faq")).unwrap();
    symlink(site.path("content/faq"), site.path("static/images")).unwrap();
    // The build refuses the first link: the preview starts with an error page, and the
    // editor must still refuse to write through it.
    let serve = site.serve();
    let before = files(&site.root());
    let r = serve.editor_get("/__grove/new");
    let secret = r
        .text()
        .split("<meta name=\"grove-secret\" content=\"")
        .nth(1)
        .unwrap()[..64]
        .to_string();
    let r = post(
        &serve,
        "/__grove/api/new",
        &secret,
        &serde_json::json!({ "kind": "team", "title": "Mallory Outside" }),
    );
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("outside the site folder"), "{}", r.text());
    let headers = picture_headers(&serve);
    let r = post_as(
        &serve,
        "/__grove/api/upload?name=x.png&alt=A%20picture",
        &headers,
        PNG,
    );
    // static/images leads into content/faq: pictures go under static/ only.
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(files(&site.root()), before);
    std::fs::remove_file(site.path("static/images")).unwrap();

    // content/ itself linked out of the site.
    let moved = site.dir.path().join("content-elsewhere");
    std::fs::rename(site.path("content"), &moved).unwrap();
    symlink(&moved, site.path("content")).unwrap();
    let request = save_request(FILE, "0000000000000000", "x", "x\n");
    let r = post(&serve, "/__grove/api/save", &secret, &request);
    assert_eq!(r.status, 403, "{}", r.text());
    let r = serve.editor_get(&format!("/__grove/edit?file={FILE}"));
    assert_eq!(r.status, 404);
    assert!(std::fs::read_dir(site.outside()).unwrap().next().is_none());
}

#[cfg(unix)]
#[test]
fn a_link_moved_over_a_saved_page_is_refused_as_the_build_refuses_it() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    serve.wait_for_text(ARTICLE_URL, "The first article says hello.");
    let secret = site.outside().join("diary.md");
    std::fs::write(
        &secret,
        "+++\ntitle = \"First steps\"\ndate = 2025-03-14\n+++\nA private diary entry.\n",
    )
    .unwrap();
    let link = site.path("content/articles/.incoming");
    std::os::unix::fs::symlink(&secret, &link).unwrap();
    // `mv -f link content/articles/first-steps.md`
    std::fs::rename(&link, site.path(ARTICLE)).unwrap();
    eventually("the rebuild to report the link", || {
        serve
            .stderr()
            .contains("outside the site folder")
            .then_some(())
    });
    let page = serve.get(ARTICLE_URL).text();
    assert!(!page.contains("private diary"), "{page}");
}

/// Sends a request head announcing `len` bytes of body, without the body, and reads the
/// answer: a request the editor refuses is answered from its head alone.
fn head_only(port: u16, head: &str) -> u16 {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let mut chunk = [0u8; 4096];
    while !raw.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => raw.extend_from_slice(&chunk[..n]),
        }
    }
    let text = String::from_utf8_lossy(&raw);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

#[test]
fn large_bodies_without_the_key_are_refused_before_they_are_read() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let host = serve.editor_host();
    let before = resident_kib(serve.child.id());
    let started = Instant::now();
    // 100 connections announcing 10 MB each, held open: none is answered by reading it.
    let mut held = Vec::new();
    for i in 0..100 {
        let head = format!(
            "POST /__grove/api/{} HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nContent-Type: image/png\r\nContent-Length: {}\r\n\r\n",
            if i % 2 == 0 {
                "save"
            } else {
                "upload?name=x.png&alt=x"
            },
            10 * 1024 * 1024
        );
        assert_eq!(head_only(serve.editor(), &head), 403, "connection {i}");
        let mut stream = TcpStream::connect(("127.0.0.1", serve.editor())).unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        // Part of the body: nothing of it may be kept.
        let _ = stream.write_all(&vec![b'x'; 256 * 1024]);
        held.push(stream);
    }
    // The site is served meanwhile.
    let r = serve.get(ARTICLE_URL);
    assert_eq!(r.status, 200);
    let after = resident_kib(serve.child.id());
    if before > 0 {
        assert!(
            after < before + 100 * 1024,
            "the preview grew from {before} KiB to {after} KiB"
        );
    }
    drop(held);
    assert!(started.elapsed() < Duration::from_secs(60));
    // A body with the key is still read.
    let r = post(
        &serve,
        "/__grove/api/preview",
        &open(&serve, FILE).secret,
        &save_request(FILE, "x", "First steps", "Text.\n"),
    );
    assert_eq!(r.status, 200, "{}", r.text());
}

#[test]
fn values_that_cannot_be_written_are_refused_by_their_field() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let opened = open(&serve, FILE);
    let before = files(&site.root());
    for title in [
        "Hello\n+++\ntitle = \"x\"",
        "Tab\there",
        &"Long title ".repeat(50),
    ] {
        let r = post(
            &serve,
            "/__grove/api/new",
            &opened.secret,
            &serde_json::json!({ "kind": "page", "title": title }),
        );
        assert_eq!(r.status, 409, "{title:?}: {}", r.text());
        let message = json(&r)["message"].as_str().unwrap().to_string();
        assert!(message.starts_with("the title "), "{message}");
    }
    assert_eq!(files(&site.root()), before);
    // A pasted name of 5,000 characters, and alt text with a line break.
    let long = "a".repeat(5_000);
    let r = post_as(
        &serve,
        &format!(
            "/__grove/api/upload?name={long}.png&alt=A%20cat%0A%3Cscript%3Ealert(1)%3C%2Fscript%3E"
        ),
        &picture_headers(&serve),
        PNG,
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let made = json(&r);
    assert_eq!(made["url"], format!("/images/{}.png", "a".repeat(60)));
    assert_eq!(
        made["markdown"],
        format!(
            "![A cat \\<script\\>alert(1)\\</script\\>](/images/{}.png)",
            "a".repeat(60)
        )
    );
}
