//! `grove serve` left running while files misbehave under it: a static file deleted or
//! rewritten while being sent, folders renamed or deleted and made again, a broken config,
//! thousands of saves in a burst. The server must keep answering, recover by itself once
//! the files are good again, and show the last content written. Each test runs the real
//! binary with `--port 0` on a temporary site and talks HTTP over 127.0.0.1; conditions are
//! polled up to a deadline, never assumed after a sleep.

use std::time::{Duration, Instant};

use crate::harness::{Response, SiteTest, copy_dir, http, small_article as article, write};

const ARTICLE: &str = "content/articles/first.md";

/// One request on its own connection; a body cut short is an answer too, as a download
/// of a file rewritten while it was sent may get.
fn get_any(port: u16, path: &str) -> Response {
    http(
        port,
        &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"),
    )
}

/// The same, but the body must be whole: a browser would show a cut page.
fn get(port: u16, path: &str) -> Response {
    let r = get_any(port, path);
    assert!(r.complete(), "{path}: body cut short");
    r
}

#[test]
fn static_file_deleted_or_rewritten_while_being_sent() {
    let site = SiteTest::small();
    let root = &site.root();
    let big = |fill: u8| vec![fill; 8 * 1024 * 1024];
    std::fs::write(root.join("static/big.bin"), big(b'a')).unwrap();
    let mut serve = site.serve();
    serve.wait_for("/robots.txt", 200, "User-agent");
    let r = get(serve.port, "/big.bin");
    assert_eq!((r.status, r.body.len()), (200, 8 * 1024 * 1024));

    let port = serve.port;
    let readers: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                for _ in 0..15 {
                    let r = get_any(port, "/big.bin");
                    let (status, body, complete) = (r.status, &r.body, r.complete());
                    // Whole and of one version, or cut off (the browser tries again):
                    // never a whole answer that mixes old and new bytes.
                    // An empty answer is the file caught between a rewrite's truncation
                    // and its write: one version too.
                    if status == 200
                        && complete
                        && let Some(&first) = body.first()
                    {
                        assert!(body.iter().all(|&b| b == first), "a mixed file");
                    }
                    seen.push((status, complete));
                }
                seen
            })
        })
        .collect();
    let path = root.join("static/big.bin");
    for round in 0..20u8 {
        match round % 3 {
            0 => std::fs::remove_file(&path).unwrap(),
            // Rewritten in place: shorter, then longer, as a tool that regenerates it would,
            // and the same size with other bytes (where only a guard can tell a mix).
            1 => std::fs::write(&path, &big(b'b')[..1024 * 1024]).unwrap(),
            _ => std::fs::write(&path, big(if round % 2 == 0 { b'c' } else { b'e' })).unwrap(),
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    std::fs::write(&path, big(b'd')).unwrap();
    let mut statuses = Vec::new();
    for r in readers {
        statuses.extend(r.join().expect("a reader saw a mixed file"));
    }
    assert!(
        statuses.iter().all(|(s, _)| matches!(s, 200 | 404 | 503)),
        "{statuses:?}"
    );

    serve.until("big.bin to be its last version", |_| {
        let Response { status, body, .. } = get(port, "/big.bin");
        (status == 200 && body.len() == 8 * 1024 * 1024 && body[0] == b'd').then_some(())
    });
    serve.assert_healthy();
}

#[test]
fn page_deleted_and_folder_renamed_under_the_watcher() {
    let site = SiteTest::small();
    let root = &site.root();
    let mut serve = site.serve();
    serve.wait_for("/articles/first/", 200, "The first article.");

    std::fs::remove_file(root.join(ARTICLE)).unwrap();
    serve.wait_for("/articles/first/", 404, "");
    write(root, ARTICLE, &article("Back again."));
    serve.wait_for("/articles/first/", 200, "Back again.");

    std::fs::rename(root.join("content/articles"), root.join("content/posts")).unwrap();
    serve.wait_for("/posts/first/", 200, "Back again.");
    serve.wait_for("/articles/first/", 404, "");
    // Files inside the renamed folder are still watched.
    write(
        root,
        "content/posts/first.md",
        &article("Edited after the move."),
    );
    serve.wait_for("/posts/first/", 200, "Edited after the move.");

    std::fs::rename(root.join("content/posts"), root.join("content/articles")).unwrap();
    serve.wait_for("/articles/first/", 200, "Edited after the move.");
    write(root, ARTICLE, &article("Edited after moving back."));
    serve.wait_for("/articles/first/", 200, "Edited after moving back.");
    serve.assert_healthy();
}

#[test]
fn content_folder_deleted_and_made_again() {
    let site = SiteTest::small();
    let root = &site.root();
    let mut serve = site.serve();
    serve.wait_for("/about/", 200, "About us.");

    let saved = tempfile::tempdir().unwrap();
    copy_dir(&root.join("content"), saved.path());
    std::fs::remove_dir_all(root.join("content")).unwrap();
    serve.until("the missing content folder to be reported", |s| {
        s.stderr()
            .contains("there is no content folder")
            .then_some(())
    });
    // The last good site is still served meanwhile.
    serve.wait_for("/about/", 200, "About us.");

    copy_dir(saved.path(), &root.join("content"));
    write(
        root,
        "content/about.md",
        "+++\ntitle = \"About\"\n+++\nRestored.\n",
    );
    serve.wait_for("/about/", 200, "Restored.");
    // The new folder is watched like the old one was.
    write(root, ARTICLE, &article("Saved in the new folder."));
    serve.wait_for("/articles/first/", 200, "Saved in the new folder.");
    serve.assert_healthy();
}

#[test]
fn broken_config_is_reported_then_fixed() {
    let site = SiteTest::small();
    let root = &site.root();
    let mut serve = site.serve();
    serve.wait_for("/about/", 200, "<title>About</title>");

    let good = std::fs::read_to_string(root.join("config.toml")).unwrap();
    write(root, "config.toml", "title = \"Preview\nbase_url = 3\n");
    serve.until("the config error to be reported", |s| {
        s.stderr().contains("config.toml:1:").then_some(())
    });
    serve.wait_for("/about/", 200, "About us.");

    write(
        root,
        "config.toml",
        "title = \"Preview\"\ntheme = \"nope\"\n",
    );
    serve.until("the missing theme to be reported", |s| {
        s.stderr().contains("theme `nope` not found").then_some(())
    });
    write(
        root,
        "config.toml",
        &good.replace("Preview", "Fixed preview"),
    );
    write(
        root,
        "content/about.md",
        "+++\ntitle = \"About\"\n+++\nAfter the fix.\n",
    );
    serve.wait_for("/about/", 200, "After the fix.");
    serve.assert_healthy();
}

#[test]
fn thousands_of_saves_in_a_burst() {
    let site = SiteTest::small();
    let root = &site.root();
    let mut serve = site.serve();
    serve.wait_for("/articles/first/", 200, "The first article.");
    let before = serve.rebuild_lines().len();

    const SAVES: usize = 2_000;
    let target = root.join(ARTICLE);
    let temp = root.join("content/articles/.first.md.tmp");
    for i in 0..SAVES {
        let text = article(&format!("Save number {i} of the burst."));
        if i % 2 == 0 {
            std::fs::write(&target, text).unwrap();
        } else {
            // What many editors do: write a temporary file, then rename it over the page.
            std::fs::write(&temp, text).unwrap();
            std::fs::rename(&temp, &target).unwrap();
        }
    }
    let last = format!("Save number {} of the burst.", SAVES - 1);
    serve.wait_for("/articles/first/", 200, &last);
    // The burst is over once the rebuilds stop: the server catches up instead of building
    // each save in turn long after the writing ended. (How many rebuilds that takes
    // depends on the machine's timing; what a person sees does not.)
    let mut settled = (0, Instant::now());
    serve.until("rebuilds to stop after the burst", |s| {
        let n = s.rebuild_lines().len();
        if n != settled.0 {
            settled = (n, Instant::now());
        }
        (settled.1.elapsed() > Duration::from_secs(1)).then_some(())
    });
    eprintln!(
        "{SAVES} saves -> {} rebuilds",
        serve.rebuild_lines().len() - before
    );
    let list = serve.get("/articles/").text();
    assert!(list.contains("First"), "{list}");
    // A rebuild may catch a page half-written (and say so) but must then show the last save.
    let page = serve.get("/articles/first/").text();
    assert!(page.contains(&last), "{page}");
    serve.assert_healthy();
}
