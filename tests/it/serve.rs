//! `grove serve` end to end: each test copies tests/fixtures/serve/site to a temporary
//! folder, starts the real binary on it with `--port 0`, and talks HTTP and Server-Sent
//! Events to it over 127.0.0.1, as a browser would. Conditions are polled up to a deadline,
//! never assumed after a sleep.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{ARTICLE, ARTICLE_URL, Events, Serve, SiteTest, eventually};

// ---------------------------------------------------------------------------------------
// HTTP

#[test]
fn serves_pages_and_files_with_their_content_types() {
    let site = SiteTest::serve_fixture();
    let files: &[(&str, &str)] = &[
        ("a.js", "text/javascript; charset=utf-8"),
        ("a.mjs", "text/javascript; charset=utf-8"),
        ("a.json", "application/json"),
        ("a.xml", "application/xml"),
        ("a.svg", "image/svg+xml"),
        ("a.png", "image/png"),
        ("a.jpg", "image/jpeg"),
        ("a.gif", "image/gif"),
        ("a.webp", "image/webp"),
        ("a.avif", "image/avif"),
        ("a.ico", "image/x-icon"),
        ("a.woff2", "font/woff2"),
        ("a.txt", "text/plain; charset=utf-8"),
        ("a.pdf", "application/pdf"),
    ];
    for (name, _) in files {
        site.write(&format!("static/files/{name}"), &format!("bytes of {name}"));
    }
    let serve = site.serve();

    for (path, text) in [
        ("/", "Welcome to the fixture home page."),
        (ARTICLE_URL, "The first article says hello."),
        ("/faq/how-long/", "About six weeks."),
        ("/team/jane-doe/", "Jane Doe, LCSW"),
        ("/about/", "The about page."),
        ("/faq/", "How long does it take?"),
    ] {
        let r = serve.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(
            r.header("Content-Type"),
            Some("text/html; charset=utf-8"),
            "{path}"
        );
        assert!(
            r.text().contains(text),
            "{path} lacks {text:?}:\n{}",
            r.text()
        );
    }
    let css = serve.get("/css/site.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("Content-Type"), Some("text/css; charset=utf-8"));
    assert_eq!(css.text(), site.read("themes/tiny/static/css/site.css"));
    for (name, mime) in files {
        let r = serve.get(&format!("/files/{name}"));
        assert_eq!(r.status, 200, "{name}");
        assert_eq!(r.header("Content-Type"), Some(*mime), "{name}");
        assert_eq!(r.text(), format!("bytes of {name}"));
        assert_eq!(r.header("Cache-Control"), Some("no-cache"), "{name}");
    }
    site.assert_no_public();
}

#[test]
fn a_folder_asked_for_without_its_slash_redirects() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let r = serve.get("/faq");
    assert_eq!(r.status, 301);
    assert_eq!(r.header("Location"), Some("/faq/"));
    let r = serve.get("/articles/first-steps?x=1");
    assert_eq!(r.status, 301);
    assert_eq!(r.header("Location"), Some("/articles/first-steps/?x=1"));
    // A file is served as it is, never redirected.
    assert_eq!(serve.get("/css/site.css").status, 200);
}

#[test]
fn a_missing_page_gets_the_theme_404_page_with_status_404() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let page = serve.get("/no-such-page/").text();
    for path in ["/no-such-page/", "/no-such-file.css", "/faq/nope"] {
        let r = serve.get(path);
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.header("Content-Type"), Some("text/html; charset=utf-8"));
        assert_eq!(r.text(), page, "{path}");
    }
    // The theme's page, with the live-reload script and the editing links.
    insta::assert_snapshot!(site.normalize(&page));
}

#[test]
fn head_answers_with_the_headers_of_get_and_no_body() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let host = serve.host();
    for path in [ARTICLE_URL, "/css/site.css", "/nope/"] {
        let get = serve.get(path);
        let head = serve.send(&format!("HEAD {path} HTTP/1.1\r\nHost: {host}\r\n"));
        assert_eq!(head.status, get.status, "{path}");
        assert_eq!(head.header("Content-Type"), get.header("Content-Type"));
        assert_eq!(head.header("ETag"), get.header("ETag"));
        assert!(head.body.is_empty(), "HEAD {path} sent a body");
    }
}

#[test]
fn an_unchanged_file_answers_304_to_its_etag() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let host = serve.host();
    for path in [ARTICLE_URL, "/css/site.css"] {
        let first = serve.get(path);
        assert_eq!(first.header("Cache-Control"), Some("no-cache"));
        let tag = first.header("ETag").expect("an ETag").to_string();
        let again = serve.send(&format!(
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nIf-None-Match: {tag}\r\n"
        ));
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
        assert_eq!(again.header("ETag"), Some(tag.as_str()));
        let other = serve.send(&format!(
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nIf-None-Match: \"stale\"\r\n"
        ));
        assert_eq!(other.status, 200);
    }
    // After an edit the old tag no longer matches: the browser gets the new page.
    let tag = serve.get(ARTICLE_URL).header("ETag").unwrap().to_string();
    site.replace(ARTICLE, "says hello", "says hello again");
    serve.wait_for_text(ARTICLE_URL, "says hello again");
    let r = serve.send(&format!(
        "GET {ARTICLE_URL} HTTP/1.1\r\nHost: {host}\r\nIf-None-Match: {tag}\r\n"
    ));
    assert_eq!(r.status, 200);
}

#[test]
fn methods_other_than_get_and_head_are_refused_with_405() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let host = serve.host();
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let r = serve.send(&format!(
            "{method} {ARTICLE_URL} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\n"
        ));
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("Allow"), Some("GET, HEAD"), "{method}");
    }
}

#[test]
fn no_request_reaches_a_file_outside_the_site() {
    let site = SiteTest::serve_fixture();
    let secret = "SECRET-OUTSIDE-THE-SITE";
    std::fs::write(site.outside().join("secret.txt"), secret).unwrap();
    std::fs::write(site.dir.path().join("secret.txt"), secret).unwrap();
    // Links out of the site stop the build itself (serve_hardening.rs); here, paths only.
    let serve = site.serve();
    let host = serve.host();
    let port = serve.port;
    let absolute = site.dir.path().join("secret.txt").display().to_string();
    let attempts = [
        "/../secret.txt".to_string(),
        "/../../secret.txt".into(),
        "/css/../../secret.txt".into(),
        "/%2e%2e/secret.txt".into(),
        "/%2E%2E/secret.txt".into(),
        "/.%2e/secret.txt".into(),
        "/%2e%2e%2fsecret.txt".into(),
        "/..%2fsecret.txt".into(),
        "/css%2f..%2f..%2fsecret.txt".into(),
        "/%252e%252e/secret.txt".into(),
        "/%c0%ae%c0%ae/secret.txt".into(),
        "/..\\secret.txt".into(),
        "/css\\..\\..\\secret.txt".into(),
        "/..%5csecret.txt".into(),
        "/%5c..%5csecret.txt".into(),
        format!("/{absolute}"),
        format!("/{}", absolute.trim_start_matches('/')),
        absolute.clone(),
        format!("//{}", absolute.trim_start_matches('/')),
        format!(
            "/%2f{}",
            absolute.trim_start_matches('/').replace('/', "%2f")
        ),
        format!("http://127.0.0.1:{port}/../secret.txt"),
        "/C:/Windows/win.ini".into(),
        "/C:%5cWindows%5cwin.ini".into(),
        "/about/index.html%00.txt".into(),
        "/config.toml".into(),
        "/content/about.md".into(),
        "/themes/tiny/templates/base.html".into(),
    ];
    for target in attempts {
        let r = serve.send(&format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n"));
        // 400 where the request itself is malformed (a backslash, an absolute URL).
        assert!(matches!(r.status, 400 | 404), "GET {target}: {}", r.status);
        assert!(!r.text().contains(secret), "GET {target} leaked the file");
        assert!(
            !r.text().contains("[[menu]]"),
            "GET {target} leaked config.toml"
        );
    }
    // The site's own files are still served next to the refused ones.
    assert_eq!(serve.get("/css/site.css").status, 200);
}

// ---------------------------------------------------------------------------------------
// Command line

#[test]
fn prints_the_address_then_one_line_per_rebuild() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let events = serve.events();
    events.hello();
    site.replace(ARTICLE, "says hello", "says goodbye");
    events.wait("reload");
    let line = serve.wait_line("a rebuild line", |l| l.starts_with("rebuilt "));
    let rest = line.strip_prefix("rebuilt ").unwrap();
    let (count, rest) = rest.split_once(' ').unwrap();
    count.parse::<usize>().unwrap();
    assert!(
        rest.starts_with("page in ") || rest.starts_with("pages in "),
        "{line}"
    );
    assert!(
        line.ends_with(&format!(" ms ({ARTICLE})")),
        "the line names the saved file: {line}"
    );
    site.assert_no_public();
}

#[test]
fn a_taken_port_is_reported_and_the_next_one_is_used() {
    let site = SiteTest::serve_fixture();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let serve = site.serve_with(&["--port", &port.to_string()]);
    assert!(serve.port > port, "serving on {}", serve.port);
    let said = serve.lines().join("\n");
    assert!(
        said.contains(&format!("port {port} is in use; trying {}", port + 1)),
        "{said}"
    );
    assert_eq!(serve.get("/").status, 200);
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let site = SiteTest::serve_fixture();
    let mut serve = site.serve();
    assert_eq!(serve.get("/").status, 200);
    let pid = serve.child.id() as libc::pid_t;
    // SAFETY: sends a signal to the child this test started and still owns.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let status = serve.wait_exit();
    assert!(status.success(), "{status}: {}", serve.stderr());
    site.assert_no_public();
}

#[test]
fn a_draft_has_a_banner_in_the_preview_and_none_with_the_drafts_flag() {
    let site = SiteTest::serve_fixture();
    site.write(
        "content/articles/unfinished.md",
        "+++\ntitle = \"Unfinished\"\ndraft = true\n+++\n\nNot ready yet.\n",
    );
    let plain = site.serve();
    let page = plain.wait_for_text("/articles/unfinished/", "Not ready yet.");
    assert!(page.text().contains(grove::render::banner::HTML));
    drop(plain);
    // --drafts: drafts are pages like any other, everywhere, as `grove build --drafts`.
    let with_drafts = site.serve_with(&["--drafts"]);
    let page = with_drafts.wait_for_text("/articles/unfinished/", "Not ready yet.");
    assert!(!page.text().contains("data-grove-draft"));
    assert!(with_drafts.get("/articles/").text().contains("Unfinished"));
}

// ---------------------------------------------------------------------------------------
// Live reload

#[test]
fn served_pages_carry_the_live_script_and_local_links_but_built_pages_do_not() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let page = serve.get(ARTICLE_URL).text();
    // The script and the editing links (tests/it/edit.rs) go just before `</body>`. Links
    // are root-relative, so the preview needs no base_url of its own for them, and
    // absolute addresses (the canonical link) are the preview's, not the site's.
    insta::assert_snapshot!(site.normalize(&page));
    let script = serve.get("/__grove/live.js");
    assert_eq!(script.status, 200);
    assert_eq!(
        script.header("Content-Type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(script.text().contains("new WebSocket(") && script.text().contains("/__grove/live\""));
    assert!(!serve.get("/css/site.css").text().contains("__grove"));

    let out = site.dir.path().join("built");
    let status = Command::new(env!("CARGO_BIN_EXE_grove"))
        .args(["build", "--root"])
        .arg(site.root())
        .arg("--output")
        .arg(&out)
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let built = std::fs::read_to_string(out.join("articles/first-steps/index.html")).unwrap();
    assert!(built.contains("href=\"/faq/\""), "{built}");
    for entry in walk(&out) {
        let text = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned();
        assert!(
            !text.contains("__grove"),
            "{} has the live script",
            entry.display()
        );
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn saving_a_page_sends_reload_and_serves_the_new_text() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let events = serve.events();
    let hello = events.hello();
    assert!(hello["error"].is_null(), "{hello}");
    site.replace(ARTICLE, "says hello", "now says something new");
    // The edited page comes first, on its own: its tab reloads, tabs on other pages stay.
    let reload = events.wait("reload");
    assert_ne!(reload.json()["build"], hello["build"]);
    assert_eq!(reload.json()["paths"], serde_json::json!([ARTICLE_URL]));
    let page = serve.get(ARTICLE_URL).text();
    assert!(page.contains("now says something new"), "{page}");
    // A page that shows the edited one (the FAQ links to it by title) stays right too.
    site.replace(
        ARTICLE,
        "title = \"First steps\"",
        "title = \"Very first steps\"",
    );
    events.wait("reload");
    serve.wait_for_text("/faq/how-long/", "Very first steps");
    serve.wait_for_text("/articles/", "Very first steps");
    site.assert_no_public();
}

#[test]
fn a_save_that_renames_a_new_file_over_the_page_is_seen() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let events = serve.events();
    events.hello();
    // Write the new text beside the page, then rename it over (vim, many IDEs).
    let text = site
        .read(ARTICLE)
        .replace("says hello", "was saved by a rename");
    std::fs::write(site.path("content/articles/first-steps.md.tmp"), text).unwrap();
    std::fs::rename(
        site.path("content/articles/first-steps.md.tmp"),
        site.path(ARTICLE),
    )
    .unwrap();
    events.wait("reload");
    serve.wait_for_text(ARTICLE_URL, "was saved by a rename");
    // vim's own dance: move the original to a backup, write a new file, drop the backup.
    std::fs::rename(
        site.path(ARTICLE),
        site.path("content/articles/first-steps.md~"),
    )
    .unwrap();
    let text = site.read("content/articles/first-steps.md~");
    site.write(
        ARTICLE,
        &text.replace("was saved by a rename", "was saved by vim"),
    );
    std::fs::remove_file(site.path("content/articles/first-steps.md~")).unwrap();
    serve.wait_for_text(ARTICLE_URL, "was saved by vim");
}

#[test]
fn editor_droppings_do_not_trigger_rebuilds() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let events = serve.events();
    events.hello();
    for dropping in [
        "content/articles/.first-steps.md.swp",
        "content/articles/first-steps.md~",
        "content/articles/.#first-steps.md",
        "content/articles/4913",
        "content/articles/first-steps.md.tmp",
        "themes/tiny/templates/.base.html.swp",
        "themes/tiny/static/css/site.css~",
        "config.toml~",
    ] {
        site.write(dropping, "+++\nnot = valid content\n");
    }
    std::fs::remove_file(site.path("content/articles/4913")).unwrap();
    // A real save after the droppings: its rebuild is the only one.
    site.replace(
        "content/about.md",
        "The about page.",
        "The about page, edited.",
    );
    let first = events.next();
    assert_eq!(first.name, "reload", "{first:?}");
    serve.wait_for_text("/about/", "The about page, edited.");
    serve.wait_line("the rebuild line", |l| l.starts_with("rebuilt "));
    let rebuilds = serve.rebuild_lines();
    assert_eq!(rebuilds.len(), 1, "{rebuilds:?}");
    assert!(rebuilds[0].ends_with("(content/about.md)"), "{rebuilds:?}");
    assert!(!serve.stderr().contains("error"), "{}", serve.stderr());
}

#[test]
fn a_broken_file_keeps_the_last_good_site_and_reports_file_and_line() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let events = serve.events();
    events.hello();
    // Front matter that is not valid TOML: an unclosed string on line 4 of the file.
    let good = site.read(ARTICLE);
    let broken = good
        .replace("\"Where to begin.\"", "\"Where to begin.")
        .replace("The first article says hello.", "Broken edit.");
    site.write(ARTICLE, &broken);
    let error = events.wait("build-error").json();
    let message = error["message"].as_str().unwrap();
    assert!(message.starts_with(&format!("{ARTICLE}:4:")), "{message}");
    // The last good page is still served, with the error shown by the script.
    let page = serve.get(ARTICLE_URL);
    assert_eq!(page.status, 200);
    assert!(page.text().contains("The first article says hello."));
    let late = serve.events();
    assert_eq!(
        late.hello()["error"].as_str(),
        Some(message),
        "a tab opened now sees it too"
    );
    let stderr = eventually("the error on the terminal", || {
        let e = serve.stderr();
        e.contains(&format!("{ARTICLE}:4:")).then_some(e)
    });
    assert!(
        stderr.contains("still serving the last good build"),
        "{stderr}"
    );

    // The fix: a reload, the new text, and no error left for tabs that connect later.
    site.write(
        ARTICLE,
        &good.replace("The first article says hello.", "Fixed edit."),
    );
    events.wait("reload");
    serve.wait_for_text(ARTICLE_URL, "Fixed edit.");
    assert!(serve.events().hello()["error"].is_null());
}

#[test]
fn a_broken_config_keeps_the_last_good_site_until_fixed() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let events = serve.events();
    events.hello();
    site.replace(
        "config.toml",
        "theme = \"tiny\"",
        "theme = \"tiny\"\nbroken =",
    );
    let message = events.wait("build-error").json()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("config.toml:6:"), "{message}");
    assert_eq!(serve.get("/").status, 200);
    assert!(serve.get("/about/").text().contains("The about page."));
    site.replace("config.toml", "\nbroken =", "");
    site.replace("config.toml", "Serve fixture", "Renamed fixture");
    events.wait("reload");
    serve.wait_for_text("/", "<title>Renamed fixture</title>");
}

#[test]
fn a_deleted_page_disappears_and_a_new_page_appears() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let events = serve.events();
    events.hello();
    std::fs::remove_file(site.path("content/about.md")).unwrap();
    events.wait("reload");
    eventually("/about/ to be gone", || {
        let r = serve.get("/about/");
        (r.status == 404 && r.text().contains("This page went for a walk")).then_some(())
    });
    site.write(
        "content/faq/new-question.md",
        "+++\ntitle = \"A new question?\"\nweight = 2\n+++\n\nA new answer.\n",
    );
    events.wait("reload");
    serve.wait_for_text("/faq/new-question/", "A new answer.");
    serve.wait_for_text("/faq/", "A new question?");
    // A page moved to another file name: the old URL goes, the new one comes.
    std::fs::rename(
        site.path("content/faq/new-question.md"),
        site.path("content/faq/renamed-question.md"),
    )
    .unwrap();
    serve.wait_for_text("/faq/renamed-question/", "A new answer.");
    eventually("the old URL to be gone", || {
        (serve.get("/faq/new-question/").status == 404).then_some(())
    });
    site.assert_no_public();
}

#[test]
fn a_stylesheet_change_swaps_css_without_a_page_reload() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let events = serve.events();
    events.hello();
    site.write(
        "themes/tiny/static/css/site.css",
        "body { background: black; }\n",
    );
    let css = events.next();
    assert_eq!(css.name, "css", "{css:?}");
    assert_eq!(
        serve.get("/css/site.css").text(),
        "body { background: black; }\n"
    );
    let line = serve.wait_line("the update line", |l| l.starts_with("updated "));
    assert_eq!(
        crate::harness::normalize(&line),
        "updated stylesheets in [ms] ms (themes/tiny/static/css/site.css)"
    );
}

#[test]
fn a_template_change_rebuilds_every_page() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let events = serve.events();
    events.hello();
    site.replace(
        "themes/tiny/templates/base.html",
        "<main>",
        "<main data-edited>",
    );
    // Every tab reloads: no list of paths.
    assert!(events.wait("reload").json()["paths"].is_null());
    for path in [
        "/",
        ARTICLE_URL,
        "/faq/how-long/",
        "/team/jane-doe/",
        "/about/",
        "/nope/",
    ] {
        eventually(&format!("{path} to use the new template"), || {
            serve
                .get(path)
                .text()
                .contains("<main data-edited>")
                .then_some(())
        });
    }
}

#[test]
fn fifty_open_live_reload_sockets_do_not_starve_page_requests() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let streams: Vec<Events> = (0..50).map(|_| serve.events()).collect();
    for s in &streams {
        s.hello();
    }
    for path in ["/", ARTICLE_URL, "/css/site.css", "/faq/how-long/"] {
        for _ in 0..5 {
            assert_eq!(serve.get(path).status, 200, "{path}");
        }
    }
    site.replace(ARTICLE, "says hello", "says hello to fifty tabs");
    for s in &streams {
        s.wait("reload");
    }
    serve.wait_for_text(ARTICLE_URL, "fifty tabs");
}

#[test]
fn when_the_first_build_fails_an_error_page_turns_into_the_site_once_fixed() {
    let site = SiteTest::serve_fixture();
    site.replace(
        ARTICLE,
        "title = \"First steps\"",
        "titel = \"First steps\"",
    );
    // Started from elsewhere with --root, as a script or an editor plugin might.
    let serve = Serve::spawn(
        Command::new(env!("CARGO_BIN_EXE_grove"))
            .current_dir(site.outside())
            .args(["serve", "--port", "0", "--root"])
            .arg(site.root()),
    );
    let page = serve.get(ARTICLE_URL);
    assert_eq!(page.status, 500);
    // The message as the terminal shows it, in a page that reloads itself.
    insta::assert_snapshot!(site.normalize(&page.text()));
    let said = serve.wait_stderr("the error on the terminal", |e| {
        e.contains("serving an error page")
    });
    insta::assert_snapshot!("first_build_fails_terminal", site.normalize(&said));
    let events = serve.events();
    assert!(events.hello()["error"].is_string());

    site.replace(ARTICLE, "titel", "title");
    events.wait("reload");
    serve.wait_for_text(ARTICLE_URL, "The first article says hello.");
    assert_eq!(serve.get("/css/site.css").status, 200);
    site.assert_no_public();
}
