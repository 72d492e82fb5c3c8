//! Reading one request head off a connection: parsed by `httparse`, bounded in size and
//! in time, and refused when it is ambiguous (two lengths, a signed length, folded lines,
//! an HTTP version this server does not speak).

use std::io::{ErrorKind, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Longest request head accepted (request line and headers).
pub const MAX_HEAD: usize = 16 * 1024;
/// Most header lines accepted in one head.
pub const MAX_HEADERS: usize = 64;
/// The whole head must arrive within this long of its first byte: a client that sends
/// it a byte at a time cannot hold a connection for longer.
pub const HEAD_DEADLINE: Duration = Duration::from_secs(10);
/// An idle keep-alive connection is closed after this long; the browser opens another.
pub const IDLE: Duration = Duration::from_secs(60);

/// A request head: what the server needs to answer it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The request target as sent: `/articles/x/?q=1`.
    pub target: String,
    pub headers: Vec<(String, String)>,
    /// HTTP/1.1 keeps the connection open by default; HTTP/1.0 does not.
    pub http11: bool,
    /// The body's length from `Content-Length` (0 without one).
    pub content_length: u64,
    /// A `Transfer-Encoding` body, whose length is not known from the head.
    pub chunked: bool,
    /// The body, read only for the editor's requests (`/__grove/api/...`); empty otherwise.
    pub body: Vec<u8>,
}

impl Request {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether a header holds `token` in its comma-separated list (case-insensitive).
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    /// Whether the client asked to keep the connection open after this request.
    pub fn keep_alive(&self) -> bool {
        if self.http11 {
            !self.has_token("Connection", "close")
        } else {
            self.has_token("Connection", "keep-alive")
        }
    }

    /// The path part of the target, without query or fragment.
    pub fn path(&self) -> &str {
        let path = self.target.split('?').next().unwrap_or("");
        path.split('#').next().unwrap_or("")
    }

    /// The query, if any.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// The value of `key` in the query, decoded (`+` is a space, `%xx` a byte).
    pub fn query_value(&self, key: &str) -> Option<String> {
        let value = self.query()?.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == key).then_some(v)
        })?;
        Some(
            percent_encoding::percent_decode_str(&value.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned(),
        )
    }
}

/// Why no request could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The client closed the connection, or stayed quiet between requests.
    Closed,
    /// Answered with this status and a short reason, then the connection is closed.
    Bad(u16, &'static str),
}

/// Bytes read from a connection but not used yet (the start of the next request, or a body).
#[derive(Debug, Default)]
pub struct Buffer {
    bytes: Vec<u8>,
}

impl Buffer {
    /// Takes up to `n` buffered bytes; returns how many were taken.
    pub fn take(&mut self, n: usize) -> usize {
        let n = n.min(self.bytes.len());
        self.bytes.drain(..n);
        n
    }

    /// Moves up to `n` buffered bytes to the end of `out`; returns how many were moved.
    pub fn take_into(&mut self, n: usize, out: &mut Vec<u8>) -> usize {
        let n = n.min(self.bytes.len());
        out.extend(self.bytes.drain(..n));
        n
    }
}

/// Where request bytes come from: a connection with timeouts, or a slice in tests.
pub trait Source {
    /// Reads into `buf`, waiting at most `wait`. `Ok(0)` is the end of the stream.
    fn read_for(&mut self, buf: &mut [u8], wait: Duration) -> std::io::Result<usize>;
}

impl Source for &TcpStream {
    fn read_for(&mut self, buf: &mut [u8], wait: Duration) -> std::io::Result<usize> {
        // A zero timeout means "block forever" to the OS: never ask for one.
        self.set_read_timeout(Some(wait.max(Duration::from_millis(1))))?;
        self.read(buf)
    }
}

impl Source for &[u8] {
    fn read_for(&mut self, buf: &mut [u8], _: Duration) -> std::io::Result<usize> {
        self.read(buf)
    }
}

/// Reads the next request head. Waits up to [`IDLE`] for its first byte, then up to
/// [`HEAD_DEADLINE`] for the rest.
pub fn read_request(source: &mut impl Source, buffer: &mut Buffer) -> Result<Request, ReadError> {
    let mut started = (!buffer.bytes.is_empty()).then(Instant::now);
    let mut chunk = [0u8; 4096];
    loop {
        if !buffer.bytes.is_empty() {
            if let Some((request, used)) = parse(&buffer.bytes)? {
                buffer.bytes.drain(..used);
                return Ok(request);
            }
            if buffer.bytes.len() > MAX_HEAD {
                return Err(ReadError::Bad(431, "the request head is too large"));
            }
        }
        let wait = match started {
            None => IDLE,
            Some(t) => match HEAD_DEADLINE.checked_sub(t.elapsed()) {
                Some(left) if !left.is_zero() => left,
                _ => return Err(ReadError::Bad(408, "the request head took too long")),
            },
        };
        match source.read_for(&mut chunk, wait) {
            Ok(0) => return Err(ReadError::Closed),
            Ok(n) => {
                started.get_or_insert_with(Instant::now);
                buffer.bytes.extend_from_slice(&chunk[..n]);
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if started.is_none() {
                    return Err(ReadError::Closed);
                }
                // the deadline is checked at the top of the loop
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return Err(ReadError::Closed),
        }
    }
}

/// Whether the request line has three parts, the last an `HTTP/` version.
fn speaks_http(bytes: &[u8]) -> bool {
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let parts: Vec<&str> = line.trim().split(' ').collect();
    parts.len() == 3 && parts[2].starts_with("HTTP/")
}

/// Parses a complete head at the start of `bytes`: `None` while more is needed.
fn parse(bytes: &[u8]) -> Result<Option<(Request, usize)>, ReadError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    let used = match parsed.parse(bytes) {
        Ok(httparse::Status::Complete(n)) if n > MAX_HEAD => {
            return Err(ReadError::Bad(431, "the request head is too large"));
        }
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        // `GET /a b HTTP/1.1` is a bad request line, not an unknown version.
        Err(httparse::Error::Version) if speaks_http(bytes) => {
            return Err(ReadError::Bad(
                505,
                "only HTTP/1.0 and HTTP/1.1 are spoken here",
            ));
        }
        Err(httparse::Error::TooManyHeaders) => {
            return Err(ReadError::Bad(431, "the request has too many headers"));
        }
        Err(_) => {
            return Err(ReadError::Bad(
                400,
                "this is not a well-formed HTTP request",
            ));
        }
    };
    let (Some(method), Some(target), Some(version)) = (parsed.method, parsed.path, parsed.version)
    else {
        return Ok(None);
    };
    if !target.starts_with('/') {
        return Err(ReadError::Bad(400, "the request target must start with /"));
    }
    let headers: Vec<(String, String)> = parsed
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).trim().to_string(),
            )
        })
        .collect();
    let all = |name: &'static str| {
        headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let lengths: Vec<&str> = all("Content-Length").collect();
    let content_length = match lengths.as_slice() {
        [] => 0,
        [one] if !one.is_empty() && one.bytes().all(|b| b.is_ascii_digit()) => {
            one.parse::<u64>()
                .map_err(|_| ReadError::Bad(400, "the Content-Length is too large"))?
        }
        [_] => return Err(ReadError::Bad(400, "the Content-Length is not a number")),
        _ => {
            return Err(ReadError::Bad(
                400,
                "the request has more than one Content-Length",
            ));
        }
    };
    let chunked = all("Transfer-Encoding").next().is_some();
    if chunked && (!lengths.is_empty() || version == 0) {
        // Two ways of saying where the body ends: the one request smuggling relies on.
        return Err(ReadError::Bad(
            400,
            "the request has both Transfer-Encoding and Content-Length",
        ));
    }
    let hosts = all("Host").count();
    if hosts > 1 || (version == 1 && hosts == 0) {
        return Err(ReadError::Bad(
            400,
            "an HTTP/1.1 request needs exactly one Host header",
        ));
    }
    Ok(Some((
        Request {
            method: method.to_string(),
            target: target.to_string(),
            headers,
            http11: version == 1,
            content_length,
            chunked,
            body: Vec::new(),
        },
        used,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_found_by_key_and_decoded() {
        let mut buffer = Buffer::default();
        let mut input: &[u8] =
            b"GET /__grove/edit?x=1&file=articles%2Fa%20b.md&alt=Two+chairs&empty HTTP/1.1\r\nHost: h\r\n\r\n";
        let r = read_request(&mut input, &mut buffer).unwrap();
        assert_eq!(r.query_value("file").as_deref(), Some("articles/a b.md"));
        assert_eq!(r.query_value("alt").as_deref(), Some("Two chairs"));
        assert_eq!(r.query_value("empty").as_deref(), Some(""));
        assert_eq!(r.query_value("fil"), None);
    }

    fn read_all(mut input: &[u8]) -> Vec<Result<Request, ReadError>> {
        let mut buffer = Buffer::default();
        let mut out = Vec::new();
        loop {
            let r = read_request(&mut input, &mut buffer);
            let stop = r.is_err();
            out.push(r);
            if stop {
                return out;
            }
        }
    }

    fn status(input: &[u8]) -> u16 {
        match read_all(input).remove(0) {
            Err(ReadError::Bad(status, _)) => status,
            other => panic!("{other:?} for {}", String::from_utf8_lossy(input)),
        }
    }

    #[test]
    fn reads_pipelined_heads_with_crlf_or_lf() {
        let all = read_all(b"GET /a/?x=1 HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"1\"\r\n\r\nHEAD / HTTP/1.0\nConnection: keep-alive\n\n");
        let r = all[0].as_ref().unwrap();
        assert_eq!(
            (r.method.as_str(), r.path(), r.query()),
            ("GET", "/a/", Some("x=1"))
        );
        assert_eq!(r.header("if-none-match"), Some("\"1\""));
        assert!(r.keep_alive());
        let r = all[1].as_ref().unwrap();
        assert!(r.method == "HEAD" && !r.http11 && r.keep_alive());
        assert_eq!(all[2], Err(ReadError::Closed));
    }

    #[test]
    fn refuses_what_is_not_http() {
        for bad in [
            &b"hello\r\n\r\n"[..],
            b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n",
            b"GET /faq?a\rLocation:x HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET /faq?\x1b HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n",
        ] {
            assert_eq!(status(bad), 400, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn refuses_ambiguous_lengths_folded_lines_and_missing_hosts() {
        for bad in [
            &b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"[..],
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5 5\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: x\r\nX-A: one\r\n two\r\n\r\n",
            b"GET / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        ] {
            assert_eq!(status(bad), 400, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn unknown_versions_are_505_and_huge_heads_431() {
        assert_eq!(status(b"GET / HTTP/2.0\r\nHost: x\r\n\r\n"), 505);
        assert_eq!(status(b"GET / HTTP/1.2\r\nHost: x\r\n\r\n"), 505);
        let huge = format!(
            "GET / HTTP/1.1\r\nHost: x\r\nX: {}\r\n\r\n",
            "a".repeat(MAX_HEAD)
        );
        assert_eq!(status(huge.as_bytes()), 431);
        let many: String = (0..MAX_HEADERS + 1)
            .map(|i| format!("X-{i}: y\r\n"))
            .collect();
        assert_eq!(
            status(format!("GET / HTTP/1.1\r\nHost: x\r\n{many}\r\n").as_bytes()),
            431
        );
    }

    #[test]
    fn a_body_length_is_read_from_the_head() {
        let all = read_all(b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n");
        assert_eq!(all[0].as_ref().unwrap().content_length, 12);
    }
}
