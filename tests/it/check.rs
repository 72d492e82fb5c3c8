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
        "content/articles/duplicate-b.md:2: Title `Same Title` is also the title of `content/articles/duplicate-a.md`",
        "content/articles/future.md:4: warning: Published 2099-01-01 is in the future, but the page is published now",
        "content/articles/images.md:6: image `/images/logo.png` has no alt text",
        "content/articles/images.md:8: image `missing.png` does not exist",
        "content/articles/links.md:6: link to `@/articles/good.md#nowhere`: that page has no heading or element with id `nowhere`",
        "content/articles/links.md:8: link to `/articles/good/#missing`: that page has no heading or element with id `missing`",
        "content/articles/links.md:10: link to `#not-here`: this page has no heading or element with id `not-here`",
        "content/articles/links.md:12: link to `/articles/gone/`, which is not a page or file of this site",
        "content/articles/no-description.md:1: warning: Description is empty: search engines and link previews make up their own",
        "content/articles/skipped.md:8: this h4 (`####`) follows an h2: skip no level, use `###`",
        "content/team/jane-doe.md:5: Photo: there is no picture `/images/team/nobody.jpg`",
        "content/team/john-roe.md:1: warning: Photo is empty: the team page shows initials instead of a portrait",
        "content/team/john-roe.md:1: warning: Summary is empty: search engines and link previews make up their own",
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
            .ends_with("checked 15 pages, 12 links, 6 images, 14 problems (9 errors, 5 warnings)"),
        "{text}"
    );
}

#[test]
fn drafts_are_checked_only_when_asked() {
    let site = repo().join("tests/fixtures/check/problems");
    let out = check_in(&site, &["--drafts"]);
    assert!(
        problem_lines(&out).contains(
            &"content/articles/draft.md:1: warning: Description is empty: search engines and link previews make up their own"
                .to_string()
        ),
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
        stdout(&out).contains(
            "tests/fixtures/check/problems/content/team/john-roe.md:1: warning: Summary is empty"
        ),
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
        ["content/faq/how-long.md:4: Related articles: there is no file `articles/nope.md`"]
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

/// The real site may still lack what only the center can provide (warnings), but nothing
/// in it is broken.
#[test]
fn the_real_site_has_no_errors() {
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
        summary.starts_with("checked ")
            && (summary.contains(", 0 problems") || summary.contains("(0 errors,")),
        "{text}"
    );
}

/// A site whose theme wants contact details that are still empty, with a placeholder
/// address and a team member without a photo: warnings that say which file and key to
/// fill in, exit 0; `--strict` makes each of them an error, exit 1.
#[test]
fn what_the_site_still_lacks_is_listed_and_strict_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "config.toml",
        "title = \"Clinic\"\nbase_url = \"https://example.org\"\ntheme = \"t\"\n\n[extra]\nphone = \"\"\nemail = \"hello@clinic.test\"\n",
    );
    write(
        "themes/t/theme.toml",
        "[wanted.extra]\nphone = \"the number clients call\"\nemail = \"the address clients write to\"\nbooking_url = \"where clients book\"\n",
    );
    for t in ["index.html", "section.html", "bio.html", "page.html"] {
        write(
            &format!("themes/t/templates/{t}"),
            "<!DOCTYPE html><title>x</title><h1>x</h1>",
        );
    }
    write(
        "content/_index.md",
        "+++\ntitle = \"Home\"\ndescription = \"Home.\"\n+++\n",
    );
    write(
        "content/team/_index.md",
        "+++\ntitle = \"Team\"\ndescription = \"Team.\"\n+++\n",
    );
    write(
        "content/team/ann-lee.md",
        "+++\nname = \"Ann Lee\"\nsummary = \"Therapist.\"\n+++\nBio.\n",
    );
    write("content/about.md", "+++\ntitle = \"About\"\n+++\nText.\n");

    let out = check_in(root, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for line in [
        "config.toml:2: warning: `base_url` is `https://example.org`: it is an example address, not the site's own",
        "config.toml:6: warning: `phone` under [extra] is empty: the number clients call",
        "config.toml:5: warning: `booking_url` under [extra] is not set: where clients book",
        "content/about.md:1: warning: Description is empty",
        "content/team/ann-lee.md:1: warning: Photo is empty: the team page shows initials instead of a portrait",
    ] {
        assert!(text.contains(line), "expected {line:?} in:\n{text}");
    }
    assert!(
        text.contains(
            "help: write it between the quotes in config.toml, under [extra]: phone = \"...\""
        ),
        "{text}"
    );
    assert!(!text.contains("`email`"), "email is filled in: {text}");
    assert!(text.contains("(0 errors, 5 warnings)"), "{text}");

    let strict = check_in(root, &["--strict"]);
    let text = stdout(&strict);
    assert_eq!(strict.status.code(), Some(1), "{text}");
    assert!(!text.contains("warning:"), "{text}");
    assert!(
        text.contains("config.toml:6: `phone` under [extra] is empty"),
        "{text}"
    );
    assert!(text.trim_end().ends_with("5 problems"), "{text}");
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
    write(
        "config.toml",
        "title = \"External\"\nbase_url = \"https://clinic.test\"\n",
    );
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
