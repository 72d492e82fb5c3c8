//! `grove check` on real sites: a fixture with one planted problem of each kind, a site
//! that does not load, external links against a server on 127.0.0.1, and the real site.
//! Each report is pinned whole.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

use crate::harness::{SiteTest, normalize, repo};

/// Runs `grove check` in `dir` (a fixture checked where it is: check writes nothing).
fn check_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_grove"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("grove runs")
}

/// Exit code and stdout, for a snapshot.
fn report(o: &Output) -> String {
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    format!(
        "exit: {}\n{}",
        o.status.code().unwrap_or(-1),
        normalize(&String::from_utf8_lossy(&o.stdout))
    )
}

fn problems() -> std::path::PathBuf {
    repo().join("tests/fixtures/check/problems")
}

#[test]
fn lists_each_planted_problem_at_its_file_and_line() {
    insta::assert_snapshot!(report(&check_in(&problems(), &[])));
}

/// With `--drafts`, the draft's own problems are listed too (without it, nothing names
/// the draft: see the snapshot above).
#[test]
fn drafts_are_checked_only_when_asked() {
    insta::assert_snapshot!(report(&check_in(&problems(), &["--drafts"])));
}

/// The same report, every file named from where grove was started.
#[test]
fn root_option_names_files_from_the_current_folder() {
    let out = check_in(&repo(), &["--root", "tests/fixtures/check/problems"]);
    insta::assert_snapshot!(report(&out));
}

#[test]
fn a_site_that_does_not_load_lists_why_and_fails() {
    let site = repo().join("tests/fixtures/check/broken-related");
    insta::assert_snapshot!(report(&check_in(&site, &[])));
}

#[test]
fn check_writes_nothing() {
    let site = SiteTest::fixture("check/problems");
    site.check(&[]).fails();
    assert!(!site.path("public").exists());
}

/// The real site may still lack what only the center can provide (warnings), but nothing
/// in it is broken.
#[test]
fn the_real_site_has_no_errors() {
    let out = check_in(&repo(), &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = text.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with("checked ")
            && (summary.ends_with(", 0 problems") || summary.contains("(0 errors,")),
        "{text}"
    );
}

/// A site whose theme wants contact details that are still empty, with a placeholder
/// address and a team member without a photo: warnings that say which file and key to
/// fill in, exit 0; `--strict` makes each of them an error, exit 1.
#[test]
fn what_the_site_still_lacks_is_listed_and_strict_refuses_it() {
    let site = SiteTest::empty();
    site.write(
        "config.toml",
        "title = \"Clinic\"\nbase_url = \"https://example.org\"\ntheme = \"t\"\n\n[extra]\nphone = \"\"\nemail = \"hello@clinic.test\"\n",
    )
    .write(
        "themes/t/theme.toml",
        "[wanted.extra]\nphone = \"the number clients call\"\nemail = \"the address clients write to\"\nbooking_url = \"where clients book\"\n",
    )
    .write(
        "content/_index.md",
        "+++\ntitle = \"Home\"\ndescription = \"Home.\"\n+++\n",
    )
    .write(
        "content/team/_index.md",
        "+++\ntitle = \"Team\"\ndescription = \"Team.\"\n+++\n",
    )
    .write(
        "content/team/ann-lee.md",
        "+++\nname = \"Ann Lee\"\nsummary = \"Therapist.\"\n+++\nBio.\n",
    )
    .write("content/about.md", "+++\ntitle = \"About\"\n+++\nText.\n");
    for t in ["index.html", "section.html", "bio.html", "page.html"] {
        site.write(
            &format!("themes/t/templates/{t}"),
            "<!DOCTYPE html><title>x</title><h1>x</h1>",
        );
    }
    let lenient = site.check(&[]);
    let strict = site.check(&["--strict"]);
    insta::assert_snapshot!(format!(
        "$ grove check\n{}\n$ grove check --strict\n{}",
        lenient.transcript(),
        strict.transcript()
    ));
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
fn site_with_external_links(base: &str) -> SiteTest {
    let site = SiteTest::empty();
    site.write(
        "config.toml",
        "title = \"External\"\nbase_url = \"https://clinic.test\"\n",
    )
    .write("templates/index.html", "{{ section.content | safe }}")
    .write(
        "content/_index.md",
        &format!(
            "+++\ntitle = \"Home\"\ndescription = \"Links out.\"\n+++\n\n[Working]({base}/ok)\n\n[Gone]({base}/gone)\n"
        ),
    );
    site
}

/// Listed without `--external`; with it, one HEAD request per link (nothing to
/// download), and the link that answers 404 is a problem.
#[test]
fn external_links_are_listed_and_checked_only_when_asked() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let site = site_with_external_links(&format!("http://{address}"));

    let offline = site.check(&[]);
    let server = answer(listener);
    let online = site.check(&["--external"]);
    let requests = stop(address, server);
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(
        requests.iter().all(|r| r.starts_with("HEAD ")),
        "{requests:?}"
    );
    insta::assert_snapshot!(format!(
        "$ grove check\n{}\n$ grove check --external\n{}",
        offline.transcript(),
        online.transcript()
    ));
}
