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
    let agent = agent(timeout);
    let next = AtomicUsize::new(0);
    let results = Mutex::new(HashMap::with_capacity(urls.len()));
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL.min(urls.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(url) = urls.get(i) else { break };
                    let outcome = check_url(&agent, url);
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

/// An HTTP client that reports statuses instead of failing on them, with one overall
/// time limit per request (connection, headers and body together).
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .user_agent(concat!("grove-check/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Asks with HEAD first (no body to download); servers that refuse HEAD get a GET.
pub fn check_url(agent: &ureq::Agent, url: &str) -> Outcome {
    let status = |r: Result<ureq::http::Response<ureq::Body>, ureq::Error>| match r {
        Ok(response) => Ok(response.status().as_u16()),
        Err(e) => Err(describe(&e)),
    };
    match status(agent.head(url).call())? {
        // 405 Method Not Allowed and 501 Not Implemented say "not HEAD"; some sites
        // answer HEAD from scripts with 403 but serve the page to a GET
        403 | 405 | 501 => status(agent.get(url).call()),
        code => Ok(code),
    }
}

fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "no answer in time".into(),
        ureq::Error::HostNotFound => "the host name does not exist".into(),
        ureq::Error::ConnectionFailed => "the connection failed".into(),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "the connection was refused".into()
        }
        ureq::Error::TooManyRedirects => "too many redirects".into(),
        other => other.to_string(),
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
        let agent = agent(Duration::from_secs(10));
        let outcome = check_url(&agent, &format!("http://127.0.0.1:{port}/"));
        assert!(outcome.is_err(), "{outcome:?}");
        assert!(!is_ok(&outcome));
    }
}
