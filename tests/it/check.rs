//! `grove check` on real sites: a fixture with one planted problem of each kind, a site
//! that does not load, external links against a server on 127.0.0.1, and the real site.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `grove check` in `dir` with `args`.
fn check_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_grove"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("grove runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The `file:line: message` lines, without the help lines and the summary.
fn problem_lines(o: &Output) -> Vec<String> {
    stdout(o)
        .lines()
        .filter(|l| l.starts_with("content/"))
        .map(str::to_string)
        .collect()
}

#[test]
fn lists_each_planted_problem_at_its_file_and_line() {
    let site = repo().join("tests/fixtures/check/problems");
    let out = check_in(&site, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let expected = [
        "content/articles/duplicate-b.md:2: the title `Same Title` is also the title of `content/articles/duplicate-a.md`",
        "content/articles/future.md:4: warning: `date` 2099-01-01 is in the future, but the page is published now",
        "content/articles/images.md:6: image `/images/logo.png` has no alt text",
        "content/articles/images.md:8: image `missing.png` does not exist",
        "content/articles/links.md:6: link to `@/articles/good.md#nowhere`: that page has no heading or element with id `nowhere`",
        "content/articles/links.md:8: link to `/articles/good/#missing`: that page has no heading or element with id `missing`",
        "content/articles/links.md:10: link to `#not-here`: this page has no heading or element with id `not-here`",
        "content/articles/links.md:12: link to `/articles/gone/`, which is not a page or file of this site",
        "content/articles/no-description.md:1: no `description`",
        "content/articles/skipped.md:8: this h4 (`####`) follows an h2: skip no level, use `###`",
        "content/team/jane-doe.md:5: `photo` names `/images/team/nobody.jpg`, which does not exist",
        "content/team/john-roe.md:1: no `summary`",
    ];
    assert_eq!(problem_lines(&out), expected);
    let text = stdout(&out);
    assert!(
        text.contains("help: did you mean `/articles/good/`?"),
        "{text}"
    );
    assert!(
        text.contains("help: the ids of its headings are #why-it-matters, #details"),
        "{text}"
    );
    assert!(
        text.trim_end()
            .ends_with("checked 15 pages, 12 links, 6 images, 12 problems (11 errors, 1 warning)"),
        "{text}"
    );
}

#[test]
fn drafts_are_checked_only_when_asked() {
    let site = repo().join("tests/fixtures/check/problems");
    let out = check_in(&site, &["--drafts"]);
    assert!(
        problem_lines(&out).contains(&"content/articles/draft.md:1: no `description`".to_string()),
        "{}",
        stdout(&out)
    );
    // without --drafts the draft's missing description was not among the problems above
    let out = check_in(&site, &[]);
    assert!(!stdout(&out).contains("draft.md"), "{}", stdout(&out));
}

#[test]
fn root_option_names_files_from_the_current_folder() {
    let out = check_in(&repo(), &["--root", "tests/fixtures/check/problems"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out)
            .contains("tests/fixtures/check/problems/content/team/john-roe.md:1: no `summary`"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_site_that_does_not_load_lists_why_and_fails() {
    let site = repo().join("tests/fixtures/check/broken-related");
    let out = check_in(&site, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        problem_lines(&out),
        ["content/faq/how-long.md:4: `related` names `articles/nope.md`, which does not exist"]
    );
    assert!(
        stdout(&out).contains("the site did not load: fix 1 problem first, then check again"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn check_writes_nothing() {
    let site = repo().join("tests/fixtures/check/problems");
    check_in(&site, &[]);
    assert!(!site.join("public").exists());
}

#[test]
fn the_real_site_passes() {
    let out = check_in(&repo(), &[]);
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = text.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with("checked ") && summary.contains(", 0 problems"),
        "{text}"
    );
}

/// Answers requests on 127.0.0.1, 200 for `/ok` and 404 for anything else, until a
/// `STOP` line arrives; returns the request lines it saw.
fn answer(listener: TcpListener) -> std::thread::JoinHandle<Vec<String>> {
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        for stream in listener.incoming().flatten() {
            let mut lines = BufReader::new(&stream).lines().map_while(Result::ok);
            let request = lines.next().unwrap_or_default();
            if request == "STOP" {
                break;
            }
            lines.take_while(|l| !l.is_empty()).for_each(drop);
            let status = if request.contains(" /ok ") {
                "200 OK"
            } else {
                "404 Not Found"
            };
            let reply =
                format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            let _ = (&stream).write_all(reply.as_bytes());
            seen.push(request);
        }
        seen
    })
}

fn stop(
    address: std::net::SocketAddr,
    server: std::thread::JoinHandle<Vec<String>>,
) -> Vec<String> {
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.write_all(b"STOP\r\n").unwrap();
    drop(stream);
    server.join().unwrap()
}

/// A one-page site whose home page links to `base`/ok and `base`/gone.
fn site_with_external_links(base: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("config.toml", "title = \"External\"\n");
    write("templates/index.html", "{{ section.content | safe }}");
    write(
        "content/_index.md",
        &format!(
            "+++\ntitle = \"Home\"\ndescription = \"Links out.\"\n+++\n\n[Working]({base}/ok)\n\n[Gone]({base}/gone)\n"
        ),
    );
    dir
}

#[test]
fn external_links_are_listed_and_checked_only_when_asked() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let base = format!("http://{address}");
    let site = site_with_external_links(&base);

    let out = check_in(site.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("0 problems; 2 external links not checked (add --external)"),
        "{}",
        stdout(&out)
    );

    let server = answer(listener);
    let out = check_in(site.path(), &["--external"]);
    let requests = stop(address, server);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    // one request per link, HEAD: nothing to download
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(
        requests.iter().all(|r| r.starts_with("HEAD ")),
        "{requests:?}"
    );
    assert!(
        text.contains(&format!("content/_index.md:6: {base}/ok -> 200")),
        "{text}"
    );
    assert!(
        text.contains(&format!("content/_index.md:8: {base}/gone -> 404")),
        "{text}"
    );
    assert_eq!(
        problem_lines(&out),
        [format!(
            "content/_index.md:8: external link `{base}/gone` answers 404"
        )]
    );
}
