//! Responses on the wire: a status, headers and a body that is either bytes in memory or
//! a range of an open file, streamed so that a large video costs a small buffer, not its
//! whole size, per request.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::Arc;

/// The live-reload script tag put into every served page.
pub const LIVE_TAG: &[u8] = b"<script src=\"/__grove/live.js\"></script>";

/// The `Content-Type` for a file name.
pub fn content_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" => "text/plain; charset=utf-8",
        "pdf" => "application/pdf",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// What follows the head.
#[derive(Debug)]
pub enum Body {
    Bytes(Arc<Vec<u8>>),
    /// A rendered page with `tag` (the live-reload script, the editing links) written in
    /// at byte `at`.
    Page {
        page: Arc<Vec<u8>>,
        at: usize,
        tag: Arc<Vec<u8>>,
    },
    /// `len` bytes of `file` from `start`.
    File {
        file: File,
        start: u64,
        len: u64,
    },
}

impl Body {
    pub fn len(&self) -> u64 {
        match self {
            Body::Bytes(b) => b.len() as u64,
            Body::Page { page, tag, .. } => (page.len() + tag.len()) as u64,
            Body::File { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The same body cut to `start..start + len` (a byte range already checked against
    /// the length).
    pub fn slice(self, start: u64, len: u64) -> Body {
        match self {
            Body::Page { page, at, tag } => {
                let whole = [&page[..at], &tag[..], &page[at..]].concat();
                Body::Bytes(Arc::new(whole)).slice(start, len)
            }
            Body::Bytes(b) => {
                let s = usize::try_from(start).unwrap_or(usize::MAX).min(b.len());
                let e = usize::try_from(start + len)
                    .unwrap_or(usize::MAX)
                    .min(b.len());
                Body::Bytes(Arc::new(b[s..e].to_vec()))
            }
            Body::File {
                file, start: at, ..
            } => Body::File {
                file,
                start: at + start,
                len,
            },
        }
    }
}

/// A complete response; `Content-Length` and `Connection` are added when written.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
}

impl Response {
    pub fn new(status: u16, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Body::Bytes(Arc::new(body)),
        }
    }

    /// A short plain-text answer, for errors.
    pub fn text(status: u16, text: &str) -> Response {
        Response::new(status, format!("{text}\n").into_bytes())
            .with("Content-Type", "text/plain; charset=utf-8")
            .with("Cache-Control", "no-store")
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

    /// Writes the response; a HEAD request gets the same head and no body. A file that
    /// ends before its announced length fails the write, so the client sees a cut-off
    /// response rather than a file that is neither the old nor the new one.
    pub fn write_to(
        self,
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
            match self.body {
                Body::Bytes(b) => out.write_all(&b)?,
                Body::Page { page, at, tag } => {
                    out.write_all(&page[..at])?;
                    out.write_all(&tag)?;
                    out.write_all(&page[at..])?;
                }
                Body::File {
                    mut file,
                    start,
                    len,
                } => send_file(&mut file, start, len, out)?,
            }
        }
        out.flush()
    }
}

/// Sends `len` bytes of `file` from `start`, a chunk at a time. A file rewritten in place
/// while it is sent (its size or time changes) ends the answer before its last bytes: the
/// browser sees a cut-off download it can retry, never a file that is half old, half new.
fn send_file(file: &mut File, start: u64, len: u64, out: &mut impl Write) -> std::io::Result<()> {
    let stamp = |f: &File| f.metadata().map(|m| (m.len(), m.modified().ok()));
    let before = stamp(file)?;
    file.seek(SeekFrom::Start(start))?;
    let mut chunk = vec![0u8; 64 * 1024];
    let mut left = len;
    while left > 0 {
        let want = chunk.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = file.read(&mut chunk[..want])?;
        if n == 0 || stamp(file)? != before {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the file changed while it was sent",
            ));
        }
        out.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    Ok(())
}

/// The reason phrase for a status.
pub fn reason(status: u16) -> &'static str {
    match status {
        101 => "Switching Protocols",
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        416 => "Range Not Satisfiable",
        421 => "Misdirected Request",
        426 => "Upgrade Required",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// A `Range: bytes=...` header against a body of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// No usable range: answer the whole body (several ranges at once are answered so too).
    Whole,
    /// `start..start + len`.
    Part { start: u64, len: u64 },
    /// Outside the body: 416.
    Unsatisfiable,
}

/// Reads one `bytes=a-b`, `bytes=a-` or `bytes=-n` range.
pub fn parse_range(header: &str, len: u64) -> Range {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Range::Whole;
    };
    if spec.contains(',') {
        return Range::Whole;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return Range::Whole;
    };
    let number = |s: &str| -> Option<u64> {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    match (a.trim().is_empty(), number(a), number(b)) {
        // the last n bytes
        (true, _, Some(n)) if n > 0 && len > 0 => {
            let n = n.min(len);
            Range::Part {
                start: len - n,
                len: n,
            }
        }
        (true, _, _) => Range::Unsatisfiable,
        (false, Some(start), end) if start < len => {
            let last = match (end, b.trim().is_empty()) {
                (Some(e), _) if e >= start => e.min(len - 1),
                (None, true) => len - 1,
                _ => return Range::Whole,
            };
            Range::Part {
                start,
                len: last - start + 1,
            }
        }
        (false, Some(_), _) => Range::Unsatisfiable,
        _ => Range::Whole,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_cover_the_web_formats() {
        assert_eq!(content_type("a.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("a.mjs"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("a.SVG"), "image/svg+xml");
        assert_eq!(content_type("a.woff2"), "font/woff2");
        assert_eq!(content_type("a.pdf"), "application/pdf");
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

    #[test]
    fn ranges_follow_rfc_9110() {
        assert_eq!(
            parse_range("bytes=0-9", 100),
            Range::Part { start: 0, len: 10 }
        );
        assert_eq!(
            parse_range("bytes=90-", 100),
            Range::Part { start: 90, len: 10 }
        );
        assert_eq!(
            parse_range("bytes=90-500", 100),
            Range::Part { start: 90, len: 10 }
        );
        assert_eq!(
            parse_range("bytes=-5", 100),
            Range::Part { start: 95, len: 5 }
        );
        assert_eq!(
            parse_range("bytes=-500", 100),
            Range::Part { start: 0, len: 100 }
        );
        assert_eq!(parse_range("bytes=100-", 100), Range::Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 100), Range::Unsatisfiable);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), Range::Whole);
        assert_eq!(parse_range("bytes=9-2", 100), Range::Whole);
        assert_eq!(parse_range("bytes=+1-2", 100), Range::Whole);
        assert_eq!(parse_range("items=0-1", 100), Range::Whole);
    }

    /// A sink that rewrites the file being sent (same size, other bytes) once it has the
    /// first chunk: as a tool regenerating a video in place would, mid-download.
    struct Rewriter {
        path: std::path::PathBuf,
        got: Vec<u8>,
    }

    impl Write for Rewriter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.got.is_empty() {
                std::thread::sleep(std::time::Duration::from_millis(20));
                std::fs::write(&self.path, vec![b'n'; 300 * 1024])?;
            }
            self.got.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_file_rewritten_while_it_is_sent_is_cut_off_never_mixed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clip.bin");
        std::fs::write(&path, vec![b'o'; 300 * 1024]).unwrap();
        let mut file = File::open(&path).unwrap();
        let mut sink = Rewriter {
            path: path.clone(),
            got: Vec::new(),
        };
        assert!(send_file(&mut file, 0, 300 * 1024, &mut sink).is_err());
        assert!(sink.got.len() < 300 * 1024, "a whole answer went out");
        assert!(
            sink.got.iter().all(|&b| b == b'o'),
            "old and new bytes were mixed"
        );
    }

    #[test]
    fn a_file_cut_short_fails_the_write() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(b"0123456789").unwrap();
        let r = Response {
            status: 200,
            headers: Vec::new(),
            body: Body::File {
                file,
                start: 0,
                len: 20,
            },
        };
        assert!(r.write_to(&mut Vec::new(), true, false).is_err());
    }
}
