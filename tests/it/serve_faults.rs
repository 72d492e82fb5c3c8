//! `grove serve` left running while files misbehave under it: a static file deleted or
//! rewritten while being sent, folders renamed or deleted and made again, a broken config,
//! thousands of saves in a burst. The server must keep answering, recover by itself once
//! the files are good again, and show the last content written. Each test runs the real
//! binary with `--port 0` on a temporary site and talks HTTP over 127.0.0.1; conditions are
//! polled up to a deadline, never assumed after a sleep.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{copy_dir, repo, write};

/// How long a condition may take to come true before the test fails (a loaded machine
/// can take seconds for what usually takes milliseconds).
const DEADLINE: Duration = Duration::from_secs(30);

const ARTICLE: &str = "content/articles/first.md";

fn article(text: &str) -> String {
    format!("+++\ntitle = \"First\"\ndate = 2025-01-02\n+++\n{text}\n")
}

/// A small site: home, an article list with two articles, a plain page, a static file.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_dir(
        &repo().join("tests/fixtures/minimal-theme"),
        &root.join("themes/minimal"),
    );
    write(
        root,
        "config.toml",
        "title = \"Preview\"\nbase_url = \"https://test.example\"\ntheme = \"minimal\"\n",
    );
    write(
        root,
        "content/_index.md",
        "+++\ntitle = \"Home\"\n+++\nWelcome.\n",
    );
    write(
        root,
        "content/articles/_index.md",
        "+++\ntitle = \"Articles\"\n+++\n",
    );
    write(root, ARTICLE, &article("The first article."));
    write(
        root,
        "content/articles/second.md",
        "+++\ntitle = \"Second\"\ndate = 2025-01-03\n+++\nThe second article.\n",
    );
    write(
        root,
        "content/about.md",
        "+++\ntitle = \"About\"\n+++\nAbout us.\n",
    );
    write(root, "static/robots.txt", "User-agent: *\n");
    dir
}

/// `grove serve` on a site; killed when dropped.
struct Serve {
    child: Child,
    port: u16,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
}

fn collect(pipe: impl Read + Send + 'static, into: Arc<Mutex<Vec<String>>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            into.lock().unwrap().push(line);
        }
    });
}

impl Serve {
    fn start(root: &Path) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_grove"))
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        collect(child.stdout.take().unwrap(), Arc::clone(&stdout));
        collect(child.stderr.take().unwrap(), Arc::clone(&stderr));
        let mut serve = Serve {
            child,
            port: 0,
            stdout,
            stderr,
        };
        serve.port = serve.eventually("the `serving at` line", |s| {
            s.stdout.lock().unwrap().iter().find_map(|l| {
                l.strip_prefix("serving at http://127.0.0.1:")?
                    .strip_suffix('/')?
                    .parse()
                    .ok()
            })
        });
        serve
    }

    /// Polls `check` until it gives a value; fails if the server died or time ran out.
    fn eventually<T>(&mut self, what: &str, mut check: impl FnMut(&Serve) -> Option<T>) -> T {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "grove serve exited ({status}) while waiting for {what}:\n{}",
                    self.stderr()
                );
            }
            if let Some(v) = check(self) {
                return v;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "timed out waiting for {what}\nstdout:\n{}\nstderr:\n{}",
                self.stdout.lock().unwrap().join("\n"),
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().join("\n")
    }

    fn rebuilds(&self) -> usize {
        self.stdout
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.starts_with("rebuilt "))
            .count()
    }

    fn get(&self, path: &str) -> (u16, String) {
        let (status, body) = get(self.port, path);
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// Waits until `path` answers `status` with a body that contains `text`.
    fn wait_for(&mut self, path: &str, status: u16, text: &str) {
        self.eventually(&format!("{path} to answer {status} with {text:?}"), |s| {
            let (got, body) = s.get(path);
            (got == status && body.contains(text)).then_some(())
        });
    }

    /// The server is alive, answers, and never panicked.
    fn assert_healthy(&mut self) {
        assert!(
            self.child.try_wait().unwrap().is_none(),
            "grove serve exited"
        );
        let (status, _) = self.get("/");
        assert_eq!(status, 200);
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

/// One request on its own connection: the status and the body (exactly `Content-Length`
/// bytes; a shorter body fails the test, since a browser would show a cut page).
fn get(port: u16, path: &str) -> (u16, Vec<u8>) {
    let (status, body, complete) = get_any(port, path);
    assert!(complete, "{path}: body cut short");
    (status, body)
}

/// The same, but a body cut short is an answer too (`false`): what a download of a file
/// rewritten while it was sent may get.
fn get_any(port: u16, path: &str) -> (u16, Vec<u8>, bool) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let body = raw[end + 4..].to_vec();
    let length = head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().unwrap())
    });
    let complete = length.is_none_or(|l| body.len() == l);
    (status, body, complete)
}

#[test]
fn static_file_deleted_or_rewritten_while_being_sent() {
    let site = site();
    let root = site.path();
    let big = |fill: u8| vec![fill; 8 * 1024 * 1024];
    std::fs::write(root.join("static/big.bin"), big(b'a')).unwrap();
    let mut serve = Serve::start(root);
    serve.wait_for("/robots.txt", 200, "User-agent");
    let (status, body) = get(serve.port, "/big.bin");
    assert_eq!((status, body.len()), (200, 8 * 1024 * 1024));

    let port = serve.port;
    let readers: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                for _ in 0..15 {
                    let (status, body, complete) = get_any(port, "/big.bin");
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

    serve.eventually("big.bin to be its last version", |_| {
        let (status, body) = get(port, "/big.bin");
        (status == 200 && body.len() == 8 * 1024 * 1024 && body[0] == b'd').then_some(())
    });
    serve.assert_healthy();
}

#[test]
fn page_deleted_and_folder_renamed_under_the_watcher() {
    let site = site();
    let root = site.path();
    let mut serve = Serve::start(root);
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
    let site = site();
    let root = site.path();
    let mut serve = Serve::start(root);
    serve.wait_for("/about/", 200, "About us.");

    let saved = tempfile::tempdir().unwrap();
    copy_dir(&root.join("content"), saved.path());
    std::fs::remove_dir_all(root.join("content")).unwrap();
    serve.eventually("the missing content folder to be reported", |s| {
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
    let site = site();
    let root = site.path();
    let mut serve = Serve::start(root);
    serve.wait_for("/about/", 200, "<title>About</title>");

    let good = std::fs::read_to_string(root.join("config.toml")).unwrap();
    write(root, "config.toml", "title = \"Preview\nbase_url = 3\n");
    serve.eventually("the config error to be reported", |s| {
        s.stderr().contains("config.toml:1:").then_some(())
    });
    serve.wait_for("/about/", 200, "About us.");

    write(
        root,
        "config.toml",
        "title = \"Preview\"\ntheme = \"nope\"\n",
    );
    serve.eventually("the missing theme to be reported", |s| {
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
    let site = site();
    let root = site.path();
    let mut serve = Serve::start(root);
    serve.wait_for("/articles/first/", 200, "The first article.");
    let before = serve.rebuilds();

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
    serve.eventually("rebuilds to stop after the burst", |s| {
        let n = s.rebuilds();
        if n != settled.0 {
            settled = (n, Instant::now());
        }
        (settled.1.elapsed() > Duration::from_secs(1)).then_some(())
    });
    eprintln!("{SAVES} saves -> {} rebuilds", serve.rebuilds() - before);
    let (_, list) = serve.get("/articles/");
    assert!(list.contains("First"), "{list}");
    // A rebuild may catch a page half-written (and say so) but must then show the last save.
    let (_, page) = serve.get("/articles/first/");
    assert!(page.contains(&last), "{page}");
    serve.assert_healthy();
}
