//! Asks the web whether external links still answer: one request per distinct URL, a
//! few at a time, each bounded by a timeout so that one dead host cannot stall the check.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// How many requests run at once: enough to hide network latency, few enough not to look
/// like a flood to the sites being linked.
const PARALLEL: usize = 8;

/// What one URL answered: its final HTTP status (after redirects), or why there was none.
pub type Outcome = Result<u16, String>;

/// Checks every URL once, `PARALLEL` at a time, and returns the outcome for each.
pub fn check_urls(urls: &[String], timeout: Duration) -> HashMap<String, Outcome> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(HashMap::with_capacity(urls.len()));
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL.min(urls.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(url) = urls.get(i) else { break };
                    let outcome = check_url(url, timeout);
                    results
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(url.clone(), outcome);
                }
            });
        }
    });
    results.into_inner().unwrap_or_else(|p| p.into_inner())
}

/// Asks with HEAD first (no body to download); servers that refuse HEAD get a GET.
pub fn check_url(url: &str, timeout: Duration) -> Outcome {
    match curl(url, true, timeout)? {
        // 405 Method Not Allowed and 501 Not Implemented say "not HEAD"; some sites
        // answer HEAD from scripts with 403 but serve the page to a GET
        403 | 405 | 501 => curl(url, false, timeout),
        code => Ok(code),
    }
}

/// One request through the system's `curl` (macOS, Windows 10 and later, and Linux
/// distributions ship it): the final status after redirects. grove links no HTTP client
/// or TLS stack of its own for a check that runs now and then; see docs/performance.md.
fn curl(url: &str, head: bool, timeout: Duration) -> Outcome {
    let null = if cfg!(windows) { "NUL" } else { "/dev/null" };
    let mut command = std::process::Command::new("curl");
    command
        .args([
            "--silent",
            "--show-error",
            "--location",
            "--max-redirs",
            "10",
        ])
        .arg("--max-time")
        .arg(format!("{:.1}", timeout.as_secs_f64().max(0.1)))
        .args([
            "--user-agent",
            concat!("grove-check/", env!("CARGO_PKG_VERSION")),
        ])
        .args(["--output", null, "--write-out", "%{http_code}"]);
    if head {
        command.arg("--head");
    }
    // `--` so that a URL can never be read as an option.
    command.arg("--").arg(url);
    let output = command.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            "curl is not installed: install curl to check external links".to_string()
        } else {
            format!("cannot run curl: {e}")
        }
    })?;
    let code = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse::<u16>()
        .unwrap_or(0);
    if output.status.success() && code > 0 {
        return Ok(code);
    }
    Err(describe(output.status.code(), &output.stderr))
}

/// curl's exit code in words (the codes are listed in `man curl`).
fn describe(exit: Option<i32>, stderr: &[u8]) -> String {
    match exit {
        Some(6) => "the host name does not exist".into(),
        Some(7) => "the connection was refused".into(),
        Some(28) => "no answer in time".into(),
        Some(47) => "too many redirects".into(),
        Some(35 | 60) => "the secure connection failed (TLS)".into(),
        Some(52) => "the server closed the connection without answering".into(),
        _ => {
            let text = String::from_utf8_lossy(stderr);
            let text = text.trim().trim_start_matches("curl: ");
            if text.is_empty() {
                "the request failed".into()
            } else {
                text.to_string()
            }
        }
    }
}

/// True when the answer means the link works (2xx, or 3xx left after redirects).
pub fn is_ok(outcome: &Outcome) -> bool {
    matches!(outcome, Ok(code) if *code < 400)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    /// A server on 127.0.0.1: `/ok` is 200, `/head-refused` is 405 for HEAD and 200 for
    /// GET, anything else 404. It stops at a request line `STOP` (see `stop`).
    fn local_server() -> (String, std::thread::JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                let _ = reader.read_line(&mut request_line);
                // read the headers: closing with unread input would reset the connection
                let mut header = String::from("-");
                while !header.trim_end().is_empty() && request_line.trim_end() != "STOP" {
                    header.clear();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 {
                        break;
                    }
                }
                let mut parts = request_line.split_whitespace();
                let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                let status = match (method, path) {
                    ("STOP", _) => break,
                    (_, "/ok") => "200 OK",
                    ("HEAD", "/head-refused") => "405 Method Not Allowed",
                    ("GET", "/head-refused") => "200 OK",
                    _ => "404 Not Found",
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            }
        });
        (base, handle)
    }

    fn stop(base: &str, server: std::thread::JoinHandle<()>) {
        let address = base.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream.write_all(b"STOP\r\n").unwrap();
        drop(stream);
        server.join().unwrap();
    }

    #[test]
    fn reports_the_status_of_each_url() {
        let (base, server) = local_server();
        let urls: Vec<String> = ["/ok", "/missing", "/head-refused"]
            .iter()
            .map(|p| format!("{base}{p}"))
            .collect();
        let results = check_urls(&urls, Duration::from_secs(10));
        stop(&base, server);
        assert_eq!(results[&urls[0]], Ok(200));
        assert_eq!(results[&urls[1]], Ok(404));
        assert_eq!(results[&urls[2]], Ok(200), "a GET after the refused HEAD");
        assert!(is_ok(&results[&urls[0]]));
        assert!(!is_ok(&results[&urls[1]]));
    }

    #[test]
    fn a_closed_port_is_a_failure_with_a_reason() {
        // bind then drop: the port is free, so nothing listens there
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let outcome = check_url(
            &format!("http://127.0.0.1:{port}/"),
            Duration::from_secs(10),
        );
        assert_eq!(outcome, Err("the connection was refused".to_string()));
        assert!(!is_ok(&outcome));
    }
}
