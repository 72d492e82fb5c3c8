//! The one harness of the integration tests. A [`SiteTest`] is a site in a temporary
//! folder (a copied fixture, files written by the test, or both) with a sibling folder
//! outside it; it runs the real `grove` binary on the site ([`SiteTest::grove`],
//! [`SiteTest::build`]), starts the preview on free ports of 127.0.0.1 ([`Serve`]) and
//! talks HTTP and the live-reload socket to it, and [`SiteTest::normalize`]s whole outputs
//! for insta snapshots: the temporary folder, ports, editing keys and durations vary from
//! run to run and are replaced by `[site]`, `[port]`, `[key]` and `[ms]`.
//!
//! Conditions are polled up to a deadline, never assumed after a sleep.
#![allow(dead_code, reason = "each test file uses a different subset")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// How long a read or an awaited event may take. Some tests read until the server stops
/// sending: it must stay shorter than the live-reload socket's keep-alive period.
pub(crate) const DEADLINE: Duration = Duration::from_secs(10);

/// How long any one polled condition may take to come true before the test fails (a
/// loaded machine can take seconds for what usually takes milliseconds).
pub(crate) const PATIENCE: Duration = Duration::from_secs(30);

/// The article of the serve fixture (`tests/fixtures/serve/site`).
pub(crate) const ARTICLE: &str = "content/articles/first-steps.md";
pub(crate) const ARTICLE_URL: &str = "/articles/first-steps/";

/// The repository root (where Cargo.toml is).
pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies a folder tree. Links are followed: a copy must never point back into the
/// repository, where a test could change the real site.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

// ---------------------------------------------------------------------------------------
// The site under test

/// A site in `<tmp>/site`, with `<tmp>/outside` beside it (nothing in which may ever be
/// served or published). Removed when dropped.
pub(crate) struct SiteTest {
    pub(crate) dir: tempfile::TempDir,
}

impl SiteTest {
    /// An empty site folder: the test writes its files.
    pub(crate) fn empty() -> SiteTest {
        SiteTest::empty_in(None)
    }

    /// An empty site folder under `parent` (a memory disk, say).
    pub(crate) fn empty_in(parent: Option<&Path>) -> SiteTest {
        let dir = match parent {
            Some(p) => tempfile::tempdir_in(p).unwrap(),
            None => tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir(dir.path().join("site")).unwrap();
        std::fs::create_dir(dir.path().join("outside")).unwrap();
        SiteTest { dir }
    }

    /// A copy of `tests/fixtures/<name>`.
    pub(crate) fn fixture(name: &str) -> SiteTest {
        let site = SiteTest::empty();
        copy_dir(&repo().join("tests/fixtures").join(name), &site.root());
        site
    }

    /// The preview's fixture: an article, an FAQ entry, a team bio, a page, the `tiny`
    /// theme.
    pub(crate) fn serve_fixture() -> SiteTest {
        SiteTest::fixture("serve/site")
    }

    /// A copy of `tests/fixtures/<name>` with the shared minimal theme as `themes/minimal`.
    pub(crate) fn fixture_with_minimal_theme(name: &str) -> SiteTest {
        SiteTest::fixture(name).with_minimal_theme()
    }

    /// Adds tests/fixtures/minimal-theme as `themes/minimal`.
    pub(crate) fn with_minimal_theme(self) -> SiteTest {
        copy_dir(
            &repo().join("tests/fixtures/minimal-theme"),
            &self.path("themes/minimal"),
        );
        self
    }

    /// A small site on the minimal theme: a home page, an article list with two articles
    /// (`content/articles/first.md` and `second.md`), a plain page and a static file.
    pub(crate) fn small() -> SiteTest {
        let site = SiteTest::empty().with_minimal_theme();
        site.write(
            "config.toml",
            "title = \"Preview\"\nbase_url = \"https://test.example\"\ntheme = \"minimal\"\n",
        );
        site.write(
            "content/_index.md",
            "+++\ntitle = \"Home\"\n+++\nWelcome.\n",
        );
        site.write(
            "content/articles/_index.md",
            "+++\ntitle = \"Articles\"\n+++\n",
        );
        site.write(
            "content/articles/first.md",
            &small_article("The first article."),
        );
        site.write(
            "content/articles/second.md",
            "+++\ntitle = \"Second\"\ndate = 2025-01-03\n+++\nThe second article.\n",
        );
        site.write(
            "content/about.md",
            "+++\ntitle = \"About\"\n+++\nAbout us.\n",
        );
        site.write("static/robots.txt", "User-agent: *\n");
        site
    }

    /// Gives every file of the site the same modification time (2025-01-01): pages
    /// without a date take their last change from the file outside a repository, and a
    /// snapshot must not depend on when the copy was made.
    pub(crate) fn fix_mtimes(self) -> SiteTest {
        fn walk(dir: &Path, when: std::time::SystemTime) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, when);
                } else {
                    std::fs::File::options()
                        .write(true)
                        .open(&path)
                        .and_then(|f| f.set_modified(when))
                        .unwrap();
                }
            }
        }
        walk(
            &self.root(),
            std::time::UNIX_EPOCH + Duration::from_secs(1_735_689_600),
        );
        self
    }

    /// The site's folder.
    pub(crate) fn root(&self) -> PathBuf {
        self.dir.path().join("site")
    }

    /// A folder beside the site.
    pub(crate) fn outside(&self) -> PathBuf {
        self.dir.path().join("outside")
    }

    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    pub(crate) fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    /// Writes `text` to `rel`, making its folders.
    pub(crate) fn write(&self, rel: &str, text: &str) -> &SiteTest {
        write(&self.root(), rel, text);
        self
    }

    /// Replaces the first `from` in `rel` with `to`; `from` must be there.
    pub(crate) fn replace(&self, rel: &str, from: &str, to: &str) -> &SiteTest {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1))
    }

    pub(crate) fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path(rel)).unwrap();
    }

    pub(crate) fn assert_no_public(&self) {
        assert!(
            !self.path("public").exists(),
            "grove serve created public/ in the site folder"
        );
    }

    /// `grove ARGS` run in the site folder.
    pub(crate) fn grove(&self, args: &[&str]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_grove"));
        command.current_dir(self.root()).args(args);
        self.run(&mut command)
    }

    /// Runs `command` (a grove command this test prepared) to its end.
    pub(crate) fn run(&self, command: &mut Command) -> Run {
        let output = command.stdin(Stdio::null()).output().unwrap();
        Run {
            stdout: self.normalize(&String::from_utf8_lossy(&output.stdout)),
            stderr: self.normalize(&String::from_utf8_lossy(&output.stderr)),
            output,
        }
    }

    /// `grove build --root <site> EXTRA`.
    pub(crate) fn build(&self, extra: &[&str]) -> Run {
        let root = self.root();
        let mut args = vec!["build", "--root", root.to_str().unwrap()];
        args.extend_from_slice(extra);
        self.grove(&args)
    }

    /// `grove build`, which must succeed.
    pub(crate) fn built(self) -> SiteTest {
        self.build(&[]).ok();
        self
    }

    /// `grove check ARGS` in the site folder.
    pub(crate) fn check(&self, args: &[&str]) -> Run {
        let mut all = vec!["check"];
        all.extend_from_slice(args);
        self.grove(&all)
    }

    /// Runs `grove build`, which must fail as a person would want: exit 1, a message and
    /// no panic, nothing on stdout, the earlier `public/` byte for byte as it was, and no
    /// staging folder left behind. Returns stderr, normalized.
    pub(crate) fn build_fails(&self) -> String {
        let before = files(&self.path("public"));
        let run = self.build(&[]);
        assert_eq!(run.code(), Some(1), "expected exit 1\n{}", run.stderr);
        assert!(run.stdout.is_empty(), "nothing on stdout\n{}", run.stdout);
        assert!(
            before == files(&self.path("public")),
            "public/ changed although the build failed"
        );
        let leftovers: Vec<String> = std::fs::read_dir(self.root())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("grove-"))
            .collect();
        assert!(leftovers.is_empty(), "staging left: {leftovers:?}");
        run.stderr
    }

    /// `grove serve --port 0` in the site folder.
    pub(crate) fn serve(&self) -> Serve {
        self.serve_with(&[])
    }

    /// `grove serve --port 0 ARGS` in the site folder, as a person previewing their site
    /// would (without `--port 0` when ARGS name a port).
    pub(crate) fn serve_with(&self, args: &[&str]) -> Serve {
        let mut command = Command::new(env!("CARGO_BIN_EXE_grove"));
        command.current_dir(self.root()).arg("serve");
        if !args.contains(&"--port") {
            command.args(["--port", "0"]);
        }
        Serve::spawn(command.args(args))
    }

    /// `text` as it reads on any machine: the site's folder is `[site]` (and its own
    /// prefix `[site]/` disappears from paths, as grove shows them from inside the
    /// site), the folder around it `[tmp]`, and see [`normalize`].
    pub(crate) fn normalize(&self, text: &str) -> String {
        let mut text = text.to_string();
        for dir in [
            self.dir.path().to_path_buf(),
            self.dir.path().canonicalize().unwrap(),
        ] {
            let root = dir.join("site").display().to_string();
            text = text
                .replace(&format!("{root}/"), "")
                .replace(&root, "[site]")
                .replace(&dir.display().to_string(), "[tmp]");
        }
        normalize(&text)
    }
}

/// An article of [`SiteTest::small`] with `text` as its body.
pub(crate) fn small_article(text: &str) -> String {
    format!("+++\ntitle = \"First\"\ndate = 2025-01-02\n+++\n{text}\n")
}

/// Writes `text` to `root/rel`, making its folders.
pub(crate) fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Takes out what differs between two runs of the same test: ports after `127.0.0.1:`,
/// the editing key (`grove-secret`), and `N ms` durations.
pub(crate) fn normalize(text: &str) -> String {
    let text = replace_after(text, "127.0.0.1:", "[port]", |c| c.is_ascii_digit());
    let text = replace_after(&text, "name=\"grove-secret\" content=\"", "[key]", |c| {
        c != '"'
    });
    let text = replace_after(&text, "X-Grove-Secret: ", "[key]", |c| c != '\r');
    replace_before(&text, " ms", "[ms]", |c| c.is_ascii_digit())
}

/// Replaces the run of characters satisfying `part` after each `marker` by `with`.
pub(crate) fn replace_after(
    text: &str,
    marker: &str,
    with: &str,
    part: impl Fn(char) -> bool,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(marker) {
        let after = at + marker.len();
        out.push_str(&rest[..after]);
        let tail = &rest[after..];
        let end = tail.find(|c: char| !part(c)).unwrap_or(tail.len());
        if end > 0 {
            out.push_str(with);
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Replaces the run of characters satisfying `part` before each `marker` (after a
/// space) by `with`.
fn replace_before(text: &str, marker: &str, with: &str, part: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(marker) {
        let head = &rest[..at];
        let start = head.rfind(|c: char| !part(c)).map_or(0, |i| i + 1);
        if start < at && head[..start].ends_with(' ') {
            out.push_str(&head[..start]);
            out.push_str(with);
        } else {
            out.push_str(head);
        }
        out.push_str(marker);
        rest = &rest[at + marker.len()..];
    }
    out.push_str(rest);
    out
}

/// A finished grove command: its exit and its whole outputs, normalized.
pub(crate) struct Run {
    pub(crate) output: Output,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    pub(crate) fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    /// The command succeeded (and never panicked); returns itself for its outputs.
    pub(crate) fn ok(self) -> Run {
        assert!(
            self.output.status.success(),
            "grove failed ({}):\n{}",
            self.output.status,
            self.stderr
        );
        self
    }

    /// The command failed with exit 1 and a message, without a panic.
    pub(crate) fn fails(self) -> Run {
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "grove panicked:\n{}",
            self.stderr
        );
        assert_eq!(self.code(), Some(1), "expected exit 1:\n{}", self.stderr);
        self
    }

    /// What the terminal shows, for a snapshot: stdout, then stderr, each labelled when
    /// there is any, with the exit code.
    pub(crate) fn transcript(&self) -> String {
        let mut text = format!("exit: {}\n", self.code().unwrap_or(-1));
        for (name, out) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            if !out.is_empty() {
                text.push_str(&format!("--- {name}\n{out}"));
            }
        }
        text
    }
}

/// Every file under `dir` with its bytes, for "nothing changed" checks; links are
/// recorded by where they point, never followed.
pub(crate) fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    if !dir.exists() {
        return files;
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            let rel = entry.path().strip_prefix(dir).unwrap().to_path_buf();
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_symlink() {
                let target = std::fs::read_link(entry.path()).unwrap();
                files.push((rel, format!("-> {}", target.display()).into_bytes()));
            } else {
                files.push((rel, std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    files.sort();
    files
}

/// Polls `check` until it returns `Some`, or fails the test after [`PATIENCE`].
pub(crate) fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

// ---------------------------------------------------------------------------------------
// The preview server. Dropping it kills the process, so a failing test leaves nothing
// behind.

pub(crate) struct Serve {
    pub(crate) child: Child,
    pub(crate) port: u16,
    /// The editor's own port (printed as `editor at ...`), when editing is on.
    pub(crate) editor_port: Option<u16>,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<String>>,
    closed: Arc<std::sync::atomic::AtomicBool>,
}

impl Serve {
    /// Runs a prepared `grove serve` command and waits for its `serving at` line.
    pub(crate) fn spawn(command: &mut Command) -> Serve {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let out = child.stdout.take().unwrap();
        let lines = Arc::clone(&stdout);
        let closed = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let done = Arc::clone(&closed);
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        let mut err = child.stderr.take().unwrap();
        let text = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                text.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut serve = Serve {
            child,
            port: 0,
            editor_port: None,
            stdout,
            stderr,
            closed,
        };
        let port = |prefix: &str, lines: &[String]| {
            lines.iter().find_map(|l| {
                l.strip_prefix(prefix)?
                    .strip_suffix('/')?
                    .parse::<u16>()
                    .ok()
            })
        };
        serve.port = serve.until("the `serving at` line", |s| {
            port("serving at http://127.0.0.1:", &s.lines())
        });
        // Printed before the `serving at` line.
        serve.editor_port = port("editor at http://127.0.0.1:", &serve.lines());
        serve
    }

    /// Polls `check` until it gives a value; fails if the server exits or time runs out.
    pub(crate) fn until<T>(&self, what: &str, mut check: impl FnMut(&Serve) -> Option<T>) -> T {
        let start = Instant::now();
        loop {
            if let Some(v) = check(self) {
                return v;
            }
            if let Some(status) = self.exited() {
                panic!(
                    "grove serve exited ({status}) while waiting for {what}:\n{}",
                    self.stderr()
                );
            }
            assert!(
                start.elapsed() < PATIENCE,
                "timed out waiting for {what}\nstdout:\n{}\nstderr:\n{}",
                self.lines().join("\n"),
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The process has exited (its stdout closed: grove never closes it while serving).
    fn exited(&self) -> Option<&'static str> {
        self.closed
            .load(std::sync::atomic::Ordering::SeqCst)
            .then_some("its output closed")
    }

    /// The editor's port; the preview's when editing is off (its requests are refused
    /// there).
    pub(crate) fn editor(&self) -> u16 {
        self.editor_port.unwrap_or(self.port)
    }

    /// The `Host` (and, with `http://`, the `Origin`) of the editor's pages.
    pub(crate) fn editor_host(&self) -> String {
        format!("127.0.0.1:{}", self.editor())
    }

    pub(crate) fn editor_get(&self, path: &str) -> Response {
        http(
            self.editor(),
            &format!("GET {path} HTTP/1.1\r\nHost: {}\r\n", self.editor_host()),
        )
    }

    /// The lines printed on stdout so far.
    pub(crate) fn lines(&self) -> Vec<String> {
        self.stdout.lock().unwrap().clone()
    }

    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits for a line on stdout that satisfies `want`, and returns it.
    pub(crate) fn wait_line(&self, what: &str, want: impl Fn(&str) -> bool) -> String {
        self.until(what, |s| s.lines().into_iter().find(|l| want(l)))
    }

    /// Waits until stderr satisfies `want`, and returns it.
    pub(crate) fn wait_stderr(&self, what: &str, want: impl Fn(&str) -> bool) -> String {
        self.until(what, |s| Some(s.stderr()).filter(|e| want(e)))
    }

    pub(crate) fn rebuild_lines(&self) -> Vec<String> {
        self.lines()
            .into_iter()
            .filter(|l| l.starts_with("rebuilt ") || l.starts_with("updated "))
            .collect()
    }

    pub(crate) fn get(&self, path: &str) -> Response {
        self.send(&format!("GET {path} HTTP/1.1\r\nHost: {}\r\n", self.host()))
    }

    /// The `Host` a browser sends to this server.
    pub(crate) fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Sends a request head (without the final blank line) and reads the whole response.
    pub(crate) fn send(&self, head: &str) -> Response {
        http(self.port, head)
    }

    pub(crate) fn events(&self) -> Events {
        Events::open(self.port)
    }

    /// Polls `path` until it answers 200 with a body that contains `text`.
    pub(crate) fn wait_for_text(&self, path: &str, text: &str) -> Response {
        self.wait_for(path, 200, text)
    }

    /// Polls `path` until it answers `status` with a body that contains `text`.
    pub(crate) fn wait_for(&self, path: &str, status: u16, text: &str) -> Response {
        self.until(&format!("{path} to answer {status} with {text:?}"), |s| {
            let r = s.get(path);
            (r.status == status && r.text().contains(text)).then_some(r)
        })
    }

    pub(crate) fn wait_exit(&mut self) -> ExitStatus {
        eventually("grove serve to exit", || self.child.try_wait().unwrap())
    }

    /// The server is alive, answers, and never panicked.
    pub(crate) fn assert_healthy(&mut self) {
        assert!(
            self.child.try_wait().unwrap().is_none(),
            "grove serve exited"
        );
        assert_eq!(self.get("/").status, 200);
        let err = self.stderr();
        assert!(
            !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
            "{err}"
        );
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------
// A small HTTP/1.1 client: raw request targets are needed to test path traversal, which
// a URL-normalising client would clean up before sending.

pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body is as long as its `Content-Length` says (a body cut short is what a
    /// download of a file rewritten while it was sent may get).
    pub(crate) fn complete(&self) -> bool {
        self.header("Content-Length")
            .is_none_or(|l| l.parse::<usize>().ok() == Some(self.body.len()))
    }
}

pub(crate) fn http(port: u16, head: &str) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream
        .write_all(format!("{head}Connection: close\r\n\r\n").as_bytes())
        .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    parse_response(&raw)
}

pub(crate) fn parse_response(raw: &[u8]) -> Response {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("Transfer-Encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

pub(crate) fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n").unwrap();
        let size_text = String::from_utf8_lossy(&raw[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        let start = line_end + 2;
        out.extend_from_slice(&raw[start..start + size]);
        raw = &raw[start + size + 2..];
    }
}

// ---------------------------------------------------------------------------------------
// A live-reload listener on /__grove/live, like a tab's WebSocket.

#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub(crate) name: String,
    pub(crate) data: String,
}

impl Event {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.data).unwrap()
    }
}

pub(crate) struct Events {
    pub(crate) rx: mpsc::Receiver<Event>,
    pub(crate) stream: TcpStream,
}

impl Events {
    pub(crate) fn open(port: u16) -> Events {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let kept = stream.try_clone().unwrap();
        let url = format!("ws://127.0.0.1:{port}/__grove/live");
        let (mut socket, response) = tungstenite::client(url.as_str(), stream)
            .unwrap_or_else(|e| panic!("the live-reload handshake failed: {e}"));
        assert_eq!(response.status().as_u16(), 101);
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            while let Ok(message) = socket.read() {
                let tungstenite::Message::Text(text) = message else {
                    continue;
                };
                let json: serde_json::Value = serde_json::from_str(&text).unwrap();
                let name = json["event"].as_str().unwrap_or_default().to_string();
                let event = Event {
                    name,
                    data: text.to_string(),
                };
                if tx.send(event).is_err() {
                    return;
                }
            }
        });
        Events { rx, stream: kept }
    }

    pub(crate) fn next(&self) -> Event {
        self.rx
            .recv_timeout(DEADLINE)
            .unwrap_or_else(|_| panic!("no event within {DEADLINE:?}"))
    }

    /// Skips events until one named `name` arrives.
    pub(crate) fn wait(&self, name: &str) -> Event {
        let start = Instant::now();
        loop {
            let left = DEADLINE.saturating_sub(start.elapsed());
            match self.rx.recv_timeout(left) {
                Ok(e) if e.name == name => return e,
                Ok(_) => {}
                Err(_) => panic!("no `{name}` event within {DEADLINE:?}"),
            }
        }
    }

    /// The `hello` message every new connection starts with.
    pub(crate) fn hello(&self) -> serde_json::Value {
        let e = self.next();
        assert_eq!(e.name, "hello", "{e:?}");
        e.json()
    }
}

impl Drop for Events {
    fn drop(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

#[test]
fn normalize_takes_out_ports_keys_and_durations() {
    let text = "serving at http://127.0.0.1:40123/\nbuilt 3 pages in 12 ms\nrebuilt 1 page in 0 ms (a.md)\n<meta name=\"grove-secret\" content=\"ab12\">\nat 10 ms, 7ms";
    assert_eq!(
        normalize(text),
        "serving at http://127.0.0.1:[port]/\nbuilt 3 pages in [ms] ms\nrebuilt 1 page in [ms] ms (a.md)\n<meta name=\"grove-secret\" content=\"[key]\">\nat [ms] ms, 7ms"
    );
}

// ---------------------------------------------------------------------------------------
// Plain functions on a site folder, for tests that build in a folder of their own making
// (a memory disk, the repository itself).

/// A temporary copy of `tests/fixtures/<name>` (the site is the folder itself).
pub(crate) fn fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("tests/fixtures").join(name), dir.path());
    dir
}

/// Runs the grove binary with `args`.
pub(crate) fn grove(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_grove"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Runs `grove build --root <root>` with extra args.
pub(crate) fn build(root: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["build", "--root", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    grove(&args)
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Reads a file as text.
pub(crate) fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
}
