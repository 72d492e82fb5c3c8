//! HTTP/1.1 on the wire: one thread per connection, request heads parsed, responses
//! written with a length, keep-alive. A thread per connection (instead of a fixed pool)
//! means long-lived event streams and idle keep-alive connections can never hold up a
//! page request: each connection only ever waits for its own client.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::Shared;
use super::http::{Reply, respond};

/// Open connections beyond this are answered 503 and closed: a bound on threads.
pub const MAX_CONNECTIONS: usize = 512;
/// An idle keep-alive connection is closed after this long; the browser opens another.
const IDLE: Duration = Duration::from_secs(60);
/// A client that stops reading is dropped after this long, so its thread ends.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest request head accepted (request line and headers).
const MAX_HEAD: usize = 16 * 1024;
/// Request bodies are never used; one this small is read and dropped to keep the connection.
const MAX_DISCARDED_BODY: u64 = 64 * 1024;

/// A request head: what the server needs to answer it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The request target as sent: `/articles/x/?q=1`.
    pub target: String,
    pub headers: Vec<(String, String)>,
    /// HTTP/1.1 keeps the connection open by default; HTTP/1.0 does not.
    pub http11: bool,
}

impl Request {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn keep_alive(&self) -> bool {
        let connection = self.header("Connection").unwrap_or("").to_ascii_lowercase();
        if self.http11 {
            !connection.contains("close")
        } else {
            connection.contains("keep-alive")
        }
    }
}

/// A complete response; `Content-Length` and `Connection` are added when written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body,
        }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }

    /// The value of a header this response carries.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Writes the response; a HEAD request gets the same head and no body.
    pub fn write_to(
        &self,
        out: &mut impl Write,
        with_body: bool,
        keep_alive: bool,
    ) -> std::io::Result<()> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        // 304 has no body and must not announce one.
        if self.status != 304 {
            head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        head.push_str(if keep_alive {
            "Connection: keep-alive\r\n\r\n"
        } else {
            "Connection: close\r\n\r\n"
        });
        out.write_all(head.as_bytes())?;
        if with_body && self.status != 304 {
            out.write_all(&self.body)?;
        }
        out.flush()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        304 => "Not Modified",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Why a request head could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The client closed the connection (or went quiet) between requests.
    Closed,
    /// Not HTTP, or too large: answered with this status, then the connection is closed.
    Bad(u16),
}

/// Reads one request head. Lines may end in CRLF or LF.
pub fn read_request(reader: &mut impl BufRead) -> Result<Request, ReadError> {
    let mut used = 0;
    let mut line = String::new();
    // Browsers may send an empty line after a POST body; skip leading blank lines.
    loop {
        line.clear();
        let n = read_line(reader, &mut line, &mut used)?;
        if n == 0 {
            return Err(ReadError::Closed);
        }
        if !line.trim_end().is_empty() {
            break;
        }
    }
    let mut parts = line.trim_end().split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Bad(400));
    };
    // A control character in the target could end up in a Location header (the query of a
    // redirect is sent back as it came) and split it; no real request has one.
    if method.is_empty()
        || target.is_empty()
        || target.chars().any(char::is_control)
        || !version.starts_with("HTTP/1.")
    {
        return Err(ReadError::Bad(400));
    }
    let mut request = Request {
        method: method.to_string(),
        target: target.to_string(),
        headers: Vec::new(),
        http11: version != "HTTP/1.0",
    };
    loop {
        line.clear();
        if read_line(reader, &mut line, &mut used)? == 0 {
            return Err(ReadError::Closed);
        }
        let text = line.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            return Ok(request);
        }
        let Some((name, value)) = text.split_once(':') else {
            return Err(ReadError::Bad(400));
        };
        request
            .headers
            .push((name.trim().to_string(), value.trim().to_string()));
    }
}

fn read_line(
    reader: &mut impl BufRead,
    line: &mut String,
    used: &mut usize,
) -> Result<usize, ReadError> {
    let left = (MAX_HEAD - *used) as u64;
    let mut bytes = Vec::new();
    let n = reader
        .take(left)
        .read_until(b'\n', &mut bytes)
        .map_err(|_| ReadError::Closed)?;
    *used += n;
    if n > 0 && !bytes.ends_with(b"\n") {
        return Err(if *used >= MAX_HEAD {
            ReadError::Bad(431)
        } else {
            ReadError::Closed
        });
    }
    line.push_str(&String::from_utf8_lossy(&bytes));
    Ok(n)
}

/// Accepts connections until the process ends, each on its own thread.
pub fn listen(listener: TcpListener, shared: Arc<Shared>) {
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else {
            // Out of file descriptors or similar: wait for connections to close.
            std::thread::sleep(Duration::from_millis(20));
            continue;
        };
        if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            open.fetch_sub(1, Ordering::SeqCst);
            let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
            let _ = Response::new(503, b"too many connections\n".to_vec()).write_to(
                &mut stream,
                true,
                false,
            );
            continue;
        }
        let shared = Arc::clone(&shared);
        let count = Arc::clone(&open);
        let spawned = std::thread::Builder::new()
            .name("grove-conn".into())
            .spawn(move || {
                serve_connection(stream, &shared);
                count.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            open.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Answers the requests of one connection in order until it closes or turns into an
/// event stream. I/O errors end the connection quietly: the tab went away.
pub fn serve_connection(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(IDLE));
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    loop {
        let request = match read_request(&mut reader) {
            Ok(r) => r,
            Err(ReadError::Closed) => return,
            Err(ReadError::Bad(status)) => {
                let _ = Response::new(status, b"bad request\n".to_vec()).write_to(
                    &mut writer,
                    true,
                    false,
                );
                return;
            }
        };
        let mut keep_alive = request.keep_alive();
        if !discard_body(&request, &mut reader) {
            keep_alive = false;
        }
        match respond(&request, shared) {
            Reply::Events(hello) => {
                shared.hub.serve(&mut writer, hello);
                return;
            }
            Reply::Page(response) => {
                let with_body = request.method != "HEAD";
                if response
                    .write_to(&mut writer, with_body, keep_alive)
                    .is_err()
                    || !keep_alive
                {
                    return;
                }
            }
        }
    }
}

/// Reads a small request body so the next request starts where expected; false when the
/// body cannot be skipped (chunked, or too large) and the connection must close.
fn discard_body(request: &Request, reader: &mut impl Read) -> bool {
    if request.header("Transfer-Encoding").is_some() {
        return false;
    }
    let length = match request.header("Content-Length") {
        None => return true,
        Some(v) => match v.trim().parse::<u64>() {
            Ok(n) => n,
            Err(_) => return false,
        },
    };
    if length > MAX_DISCARDED_BODY {
        return false;
    }
    std::io::copy(&mut reader.take(length), &mut std::io::sink()).ok() == Some(length)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_request_head_with_crlf_or_lf() {
        let mut input: &[u8] = b"GET /a/?x=1 HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"1\"\r\n\r\nHEAD / HTTP/1.0\nConnection: keep-alive\n\n";
        let r = read_request(&mut input).unwrap();
        assert_eq!(r.method, "GET");
        assert_eq!(r.target, "/a/?x=1");
        assert_eq!(r.header("if-none-match"), Some("\"1\""));
        assert!(r.keep_alive());
        let r = read_request(&mut input).unwrap();
        assert_eq!(r.method, "HEAD");
        assert!(!r.http11 && r.keep_alive());
        assert!(matches!(read_request(&mut input), Err(ReadError::Closed)));
    }

    #[test]
    fn refuses_what_is_not_http() {
        for bad in [
            &b"hello\r\n\r\n"[..],
            b"GET / SMTP\r\n\r\n",
            b"GET /a b HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nno colon\r\n\r\n",
            b"GET /faq?a\rLocation:x HTTP/1.1\r\n\r\n",
            b"GET /faq?\x1b HTTP/1.1\r\n\r\n",
        ] {
            let mut input = bad;
            assert!(
                matches!(read_request(&mut input), Err(ReadError::Bad(400))),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        assert!(matches!(
            read_request(&mut huge.as_bytes()),
            Err(ReadError::Bad(431))
        ));
    }

    #[test]
    fn head_gets_the_length_but_no_body_and_304_no_length() {
        let r = Response::new(200, b"hello".to_vec()).with("Content-Type", "text/plain");
        let mut out = Vec::new();
        r.write_to(&mut out, false, true).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("Content-Length: 5\r\n"), "{text}");
        assert!(text.ends_with("Connection: keep-alive\r\n\r\n"), "{text}");
        let mut out = Vec::new();
        Response::new(304, Vec::new())
            .write_to(&mut out, true, false)
            .unwrap();
        assert!(!String::from_utf8(out).unwrap().contains("Content-Length"));
    }
}
