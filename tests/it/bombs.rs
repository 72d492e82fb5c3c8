//! Content bombs: a page pasted with 20,000 broken links on one line, or with 20,000
//! headings of one name, through `grove build`, `grove check` and the editor's preview.
//! Each must end quickly, in little memory, and say a bounded amount: the first 20
//! problems of a file, then how many more. The bounds are ten times the goals of
//! docs/reliability.md (2 s and 200 MB for the links, 1 s for the headings): they catch
//! work that grows with the square of the page, not a busy machine.

use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use crate::edit::{FILE, json, open, post, save_request};
use crate::harness::SiteTest;

const COUNT: usize = 20_000;
const LINKS_WITHIN: Duration = Duration::from_secs(20);
/// For every run: ten times the goal for the links.
const MOST_MB: u64 = 2_000;
const HEADINGS_WITHIN: Duration = Duration::from_secs(10);
/// Twenty problems of five lines, the closing line, the summary: far fewer than this.
const MOST_LINES: usize = 200;

/// 20,000 `@/` links to files that do not exist, all on one line.
fn broken_links() -> String {
    let links: Vec<String> = (0..COUNT)
        .map(|i| format!("[x](@/articles/first-{}.md)", i % 7))
        .collect();
    links.join(" ") + "\n"
}

/// 20,000 level-1 headings named alike: each needs its own id, and `grove check` finds
/// each one wrong (the page title is the only h1).
fn same_headings() -> String {
    "# Same\n\nText.\n\n".repeat(COUNT)
}

fn page(body: &str) -> String {
    format!("+++\ntitle = \"Pasted\"\ndescription = \"A pasted page.\"\n+++\n{body}")
}

/// A run of the real binary: its output, how long it took, and its peak memory where the
/// system says (Unix: the child's own resource usage).
struct Run {
    output: Output,
    took: Duration,
    peak_mb: Option<u64>,
}

impl Run {
    fn of(args: &[&str]) -> Run {
        let start = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_grove"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = child.stdout.take().unwrap();
        let mut err = child.stderr.take().unwrap();
        let stdout = std::thread::spawn(move || {
            let mut buf = Vec::new();
            out.read_to_end(&mut buf).unwrap();
            buf
        });
        let stderr = std::thread::spawn(move || {
            let mut buf = Vec::new();
            err.read_to_end(&mut buf).unwrap();
            buf
        });
        let (status, peak_mb) = wait_measured(&mut child);
        Run {
            output: Output {
                status,
                stdout: stdout.join().unwrap(),
                stderr: stderr.join().unwrap(),
            },
            took: start.elapsed(),
            peak_mb,
        }
    }

    /// `grove COMMAND --root SITE`, which must end `within` and say and use little.
    fn on(command: &str, site: &Path, within: Duration) -> Run {
        let run = Run::of(&[command, "--root", site.to_str().unwrap()]);
        run.assert_bounded(within, &format!("grove {command}"));
        run
    }

    /// Its output with the site's folder taken out of paths.
    fn text(&self, site: &Path) -> (String, String) {
        let clean = |bytes: &[u8]| {
            String::from_utf8_lossy(bytes).replace(&format!("{}/", site.display()), "")
        };
        (clean(&self.output.stdout), clean(&self.output.stderr))
    }

    fn assert_bounded(&self, within: Duration, what: &str) {
        let (out, err) = (
            String::from_utf8_lossy(&self.output.stdout),
            String::from_utf8_lossy(&self.output.stderr),
        );
        assert!(!err.contains("panicked"), "{what}: grove panicked:\n{err}");
        assert!(
            self.took < within,
            "{what} took {:?}, more than {within:?}",
            self.took
        );
        let lines = out.lines().count() + err.lines().count();
        assert!(lines < MOST_LINES, "{what} printed {lines} lines");
        if let Some(mb) = self.peak_mb {
            assert!(mb < MOST_MB, "{what} used {mb} MB");
        }
    }
}

#[cfg(unix)]
fn wait_measured(child: &mut std::process::Child) -> (ExitStatus, Option<u64>) {
    use std::os::unix::process::ExitStatusExt;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it and the status for our own child,
    // which std has not waited for (it never will: the Child is dropped unwaited).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid, "wait4: {}", std::io::Error::last_os_error());
    // kilobytes on Linux, bytes on macOS
    let kb = if cfg!(target_os = "macos") {
        usage.ru_maxrss / 1024
    } else {
        usage.ru_maxrss
    };
    (ExitStatus::from_raw(status), u64::try_from(kb / 1024).ok())
}

#[cfg(not(unix))]
fn wait_measured(child: &mut std::process::Child) -> (ExitStatus, Option<u64>) {
    (child.wait().unwrap(), None)
}

fn site_with(body: &str) -> SiteTest {
    let site = SiteTest::fixture("build/site");
    site.write("content/pasted.md", &page(body));
    site
}

#[test]
fn twenty_thousand_broken_links_fail_a_build_quickly_with_twenty_shown() {
    let site = site_with(&broken_links());
    let run = Run::on("build", &site.root(), LINKS_WITHIN);
    assert_eq!(run.output.status.code(), Some(1));
    assert!(!&site.root().join("public").exists(), "nothing is written");
    let (out, err) = run.text(&site.root());
    assert_eq!(out, "");
    insta::assert_snapshot!(err);
}

#[test]
fn twenty_thousand_broken_links_fail_a_check_quickly_with_twenty_shown() {
    let site = site_with(&broken_links());
    let run = Run::on("check", &site.root(), LINKS_WITHIN);
    assert_eq!(run.output.status.code(), Some(1));
    let (out, err) = run.text(&site.root());
    assert_eq!(err, "");
    insta::assert_snapshot!(out);
}

#[test]
fn twenty_thousand_same_headings_build_quickly_with_distinct_ids() {
    let site = site_with(&same_headings());
    let run = Run::on("build", &site.root(), HEADINGS_WITHIN);
    let (_, err) = run.text(&site.root());
    assert_eq!(run.output.status.code(), Some(0), "{err}");
    let html = site.read("public/pasted/index.html");
    assert!(html.contains("<h1 id=\"same\">Same</h1>"), "the first");
    assert!(html.contains("<h1 id=\"same-19999\">Same</h1>"), "the last");
    assert_eq!(html.matches("<h1 id=\"same").count(), COUNT);
}

#[test]
fn twenty_thousand_same_headings_are_checked_quickly_with_twenty_shown() {
    let site = site_with(&same_headings());
    let run = Run::on("check", &site.root(), HEADINGS_WITHIN);
    assert_eq!(run.output.status.code(), Some(1));
    let (out, _) = run.text(&site.root());
    insta::assert_snapshot!(out);
}

#[cfg(target_os = "linux")]
fn peak_mb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

#[cfg(not(target_os = "linux"))]
fn peak_mb(_: u32) -> Option<u64> {
    None
}

#[test]
fn the_editors_preview_renders_both_bombs_quickly() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let opened = open(&serve, FILE);
    let preview = |body: &str| {
        let start = Instant::now();
        let request = save_request(FILE, &opened.version, "First steps", body);
        let r = post(&serve, "/__grove/api/preview", &opened.secret, &request);
        assert_eq!(r.status, 200, "{}", r.text());
        (json(&r), start.elapsed())
    };

    let (links, took) = preview(&broken_links());
    assert!(
        took < LINKS_WITHIN,
        "the preview of the links took {took:?}"
    );
    let problems = serde_json::to_string_pretty(&links["problems"]).unwrap();
    insta::assert_snapshot!(problems);

    let (headings, took) = preview(&same_headings());
    assert!(
        took < HEADINGS_WITHIN,
        "the preview of the headings took {took:?}"
    );
    let html = headings["html"].as_str().unwrap();
    assert!(
        html.contains("<h1 id=\"same-19999\">Same</h1>"),
        "the last id"
    );
    assert_eq!(headings["problems"], serde_json::json!([]));

    if let Some(mb) = peak_mb(serve.child.id()) {
        assert!(mb < MOST_MB, "the preview server used {mb} MB");
    }
}

#[test]
fn twenty_thousand_missing_related_entries_or_clashing_aliases_are_capped_too() {
    let site = SiteTest::fixture("build/site");
    let names: Vec<String> = (0..COUNT)
        .map(|i| format!("\"articles/gone-{i}.md\""))
        .collect();
    site.write(
        "content/faq/pasted.md",
        &format!(
            "+++\ntitle = \"Pasted?\"\nrelated = [{}]\n+++\nYes.\n",
            names.join(", ")
        ),
    );
    let aliases = vec!["\"/same/\""; COUNT].join(", ");
    site.write(
        "content/moved.md",
        &format!("+++\ntitle = \"Moved\"\naliases = [{aliases}]\n+++\nHere.\n"),
    );
    // URLs are checked before `related`: the aliases stop the build first.
    fails_closing_with(
        &site.root(),
        "content/moved.md: and 19,979 more like this",
        "19,999",
    );
    site.write("content/moved.md", "+++\ntitle = \"Moved\"\n+++\nHere.\n");
    fails_closing_with(
        &site.root(),
        "content/faq/pasted.md: and 19,980 more like this",
        "20,000",
    );
}

/// Builds `site`, which must fail quickly with one closing line, `closing`, and `total`
/// problems in all.
fn fails_closing_with(site: &Path, closing: &str, total: &str) {
    let run = Run::on("build", site, LINKS_WITHIN);
    assert_eq!(run.output.status.code(), Some(1));
    let (_, err) = run.text(site);
    let found: Vec<&str> = err
        .lines()
        .filter(|l| l.contains(" more like this"))
        .collect();
    assert_eq!(found, [format!("error: {closing}")]);
    let end = format!("\n{total} problems found; nothing was written; fix them and build again.\n");
    assert!(err.ends_with(&end), "{err}");
}

/// "Did you mean" compares a broken link with every file of the site: a site whose
/// 10,000 pages each link to a removed one took 77 s to fail. Only the first 100 errors
/// (in the order of the files) are told the nearest file; the rest what to write.
#[test]
fn only_the_first_hundred_broken_links_of_a_site_search_for_the_nearest_file() {
    let site = SiteTest::fixture("build/site");
    for i in 0..30 {
        let links = "[x](@/articles/first-0.md) ".repeat(5);
        site.write(
            &format!("content/articles/pasted-{i:02}.md"),
            &format!("+++\ntitle = \"Pasted {i}\"\n+++\n{links}\n"),
        );
    }
    let run = Run::of(&["build", "--root", site.root().to_str().unwrap()]);
    assert_eq!(run.output.status.code(), Some(1));
    let (_, err) = run.text(&site.root());
    let hints: Vec<&str> = err.lines().filter(|l| l.starts_with("  help: ")).collect();
    assert_eq!(hints.len(), 150);
    let nearest = "  help: the nearest existing file is `@/articles/first.md`";
    assert!(hints[..100].iter().all(|h| *h == nearest), "{err}");
    assert!(
        hints[100..].iter().all(|h| h.contains("write the path")),
        "{err}"
    );
}
