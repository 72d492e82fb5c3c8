//! Answering one HTTP request from the in-memory site: paths, redirects, MIME types,
//! ETags, the 404 page, and the live-reload script in HTML.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use crate::fs::Roots;
use crate::output::Entry;

use super::live::SCRIPT;
use super::request::Request;
use super::response::{Body, Range, Response, content_type, parse_range};

/// What is written into each page of the preview, by page key.
type Tags<'a> = dyn Fn(&str) -> Arc<Vec<u8>> + 'a;
use super::{Shared, Side, Snapshot};

/// Where a request path leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A file of the site, by its key (`articles/x/index.html`).
    File(String),
    /// A folder asked for without its trailing slash.
    Redirect(String),
    NotFound,
}

/// Maps a request path (no query) to a site file. Anything that could leave the site
/// (`..`, encoded slashes or dots, backslashes, NUL) is refused as not found.
pub fn resolve(raw: &str, has: impl Fn(&str) -> bool) -> Resolved {
    if !raw.starts_with('/') || raw.starts_with("//") {
        return Resolved::NotFound;
    }
    let lower = raw.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00") {
        return Resolved::NotFound;
    }
    let Ok(decoded) = percent_encoding::percent_decode_str(raw).decode_utf8() else {
        return Resolved::NotFound;
    };
    // Control characters never name a site file, and in a redirect's Location a browser
    // drops tabs and newlines (`/\t/host` would become `//host`, another site).
    if decoded.contains('\\') || decoded.chars().any(char::is_control) {
        return Resolved::NotFound;
    }
    let rel = &decoded[1..];
    if rel.split('/').any(|seg| seg == ".." || seg == ".") || rel.contains("//") {
        return Resolved::NotFound;
    }
    if rel.is_empty() || rel.ends_with('/') {
        let key = format!("{rel}index.html");
        return if has(&key) {
            Resolved::File(key)
        } else {
            Resolved::NotFound
        };
    }
    if has(rel) {
        return Resolved::File(rel.to_string());
    }
    if has(&format!("{rel}/index.html")) {
        return Resolved::Redirect(format!("{raw}/"));
    }
    Resolved::NotFound
}

/// Puts `tag` (the live-reload script, and the editing links) at the end of the body.
pub fn inject(html: &[u8], tag: &[u8]) -> Vec<u8> {
    let at = script_position(html);
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag);
    out.extend_from_slice(&html[at..]);
    out
}

/// Where [`inject`] puts the script: before the last `</body>`, else at the end.
pub fn script_position(html: &[u8]) -> usize {
    html.windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len())
}

fn etag(bytes: &[u8]) -> String {
    format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(bytes))
}

/// Whether an `If-None-Match` value (`"a"`, `W/"a", "b"` or `*`) names `tag`.
fn etag_matches(wanted: &str, tag: &str) -> bool {
    wanted
        .split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == tag || t == "*")
}

/// What a request gets.
#[derive(Debug)]
pub enum Reply {
    Page(Response),
    /// The connection becomes a live-reload WebSocket: the `Sec-WebSocket-Accept` value,
    /// and the first message, which says which build the tab is looking at.
    Live {
        accept: String,
        hello: String,
    },
}

/// Static files up to this size are read whole and checked for a rewrite during the read;
/// larger ones are streamed from the open file.
const READ_WHOLE: u64 = 256 * 1024;

/// Answers one request from the current snapshot of the site.
pub fn respond(request: &Request, shared: &Shared, side: Side) -> Reply {
    let hosts = shared.hosts(side);
    if !request.header("Host").is_some_and(|h| hosts.allows(h)) {
        return Reply::Page(Response::text(
            421,
            &format!(
                "this is grove's preview, which answers only at http://{}/",
                hosts.shown()
            ),
        ));
    }
    if side == Side::Editor {
        if request.path() == "/__grove/live" {
            return live(request, shared, &shared.snapshot(), side);
        }
        return Reply::Page(super::edit::respond(request, shared));
    }
    if let Some(response) = super::edit::redirect(request, shared) {
        return Reply::Page(response);
    }
    if request.method != "GET" && request.method != "HEAD" {
        return Reply::Page(Response::text(405, "method not allowed").with("Allow", "GET, HEAD"));
    }
    let path = request.path();
    let snapshot = shared.snapshot();
    let facts = snapshot.facts.as_deref();
    let tags = |key: &str| Arc::new(shared.editing.page_tag(key, facts, snapshot.build));
    match path {
        "/__grove/live" => return live(request, shared, &snapshot, side),
        "/__grove/live.js" => {
            return Reply::Page(page(200, "live.js", SCRIPT.as_bytes().to_vec()));
        }
        _ => {}
    }
    if snapshot.files.is_empty()
        && let Some(error) = &snapshot.error
    {
        return Reply::Page(page(
            500,
            "error.html",
            inject(&error_page(error), &tags("")),
        ));
    }
    let files = &snapshot.files;
    let roots = &shared.roots;
    let response = match resolve(path, |k| files.contains_key(k)) {
        Resolved::File(key) => match open_entry(&key, &files[&key], roots, &tags) {
            Ok(found) => found.answer(request),
            Err(Missing::NotFound) => not_found(files, roots, &tags),
            Err(Missing::Unavailable(why)) => Response::text(503, &why).with("Retry-After", "1"),
        },
        Resolved::Redirect(location) => {
            let location = match request.query() {
                Some(q) => format!("{location}?{q}"),
                None => location,
            };
            Response::new(301, Vec::new())
                .with("Location", location)
                .with("Cache-Control", "no-cache")
        }
        Resolved::NotFound => not_found(files, roots, &tags),
    };
    Reply::Page(response)
}

/// `/__grove/live`: a WebSocket for a page of the preview, refused for other origins.
fn live(request: &Request, shared: &Shared, snapshot: &Snapshot, side: Side) -> Reply {
    let upgrade = request.has_token("Connection", "upgrade")
        && request.has_token("Upgrade", "websocket")
        && request.header("Sec-WebSocket-Version") == Some("13");
    let key = request.header("Sec-WebSocket-Key");
    let (true, Some(key), "GET") = (upgrade, key, request.method.as_str()) else {
        return Reply::Page(
            Response::text(426, "this address is for live reload over a WebSocket")
                .with("Upgrade", "websocket"),
        );
    };
    // A browser always sends Origin with a WebSocket; a page of another site must not
    // learn when, or what, the preview rebuilds.
    if let Some(origin) = request.header("Origin")
        && !shared.hosts(side).allows_origin(origin)
    {
        return Reply::Page(Response::text(
            403,
            "live reload is only for pages of this preview",
        ));
    }
    Reply::Live {
        accept: tungstenite::handshake::derive_accept_key(key.as_bytes()),
        hello: super::hello(snapshot),
    }
}

/// A response for a site file: its type, no caching without revalidation, and an ETag.
fn page(status: u16, name: &str, body: Vec<u8>) -> Response {
    let tag = etag(&body);
    Response::new(status, body)
        .with("Content-Type", content_type(name))
        .with("Cache-Control", "no-cache")
        .with("ETag", tag)
        .with("X-Content-Type-Options", "nosniff")
}

fn not_found(files: &HashMap<String, Entry>, roots: &Roots, tags: &Tags) -> Response {
    let tag = tags("404.html");
    let body = match files.get("404.html").map(|e| open_entry("404.html", e, roots, tags)) {
        Some(Ok(Found {
            body: Body::Page { page, .. },
            ..
        })) => inject(&page, &tag),
        _ => inject(b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head><body><h1>Not found</h1><p>There is no page at this address. <a href=\"/\">Go to the home page</a>.</p></body></html>", &tag),
    };
    page(404, "404.html", body)
}

/// A site file ready to send.
struct Found {
    name: String,
    body: Body,
    etag: String,
}

/// Why a site file cannot be sent.
enum Missing {
    /// Gone, or outside the site: 404.
    NotFound,
    /// There for sure, but it cannot be read now (no file descriptors left, being
    /// rewritten): 503, so the browser tries again rather than believing it gone.
    Unavailable(String),
}

impl Found {
    /// The response to `request`: whole, a byte range, or 304.
    fn answer(self, request: &Request) -> Response {
        let wanted = request.header("If-None-Match");
        let headers = |r: Response| {
            r.with("Content-Type", content_type(&self.name))
                .with("Cache-Control", "no-cache")
                .with("ETag", self.etag.clone())
                .with("Accept-Ranges", "bytes")
                .with("X-Content-Type-Options", "nosniff")
        };
        if wanted.is_some_and(|w| etag_matches(w, &self.etag)) {
            return headers(Response::new(304, Vec::new()));
        }
        let len = self.body.len();
        // A range asked for against another version of the file gets the whole new one.
        let same = request
            .header("If-Range")
            .is_none_or(|t| t.trim() == self.etag);
        let range = match request.header("Range") {
            Some(r) if same => parse_range(r, len),
            _ => Range::Whole,
        };
        match range {
            Range::Whole => headers(Response {
                status: 200,
                headers: Vec::new(),
                body: self.body,
            }),
            Range::Part { start, len: part } => headers(Response {
                status: 206,
                headers: vec![(
                    "Content-Range",
                    format!("bytes {start}-{}/{len}", start + part - 1),
                )],
                body: self.body.slice(start, part),
            }),
            Range::Unsatisfiable => headers(Response::new(416, Vec::new()))
                .with("Content-Range", format!("bytes */{len}")),
        }
    }
}

/// The bytes of a site file: rendered pages from memory (with the live-reload script),
/// static files from disk, which must lie inside the site.
fn open_entry(key: &str, entry: &Entry, roots: &Roots, tags: &Tags) -> Result<Found, Missing> {
    match entry {
        // Pages get the script as they are written out, so a large page is not copied
        // for each request; the ETag covers both.
        Entry::Bytes(b) if key.ends_with(".html") => {
            let tag = tags(key);
            Ok(Found {
                name: key.to_string(),
                etag: format!(
                    "\"{:016x}{:08x}\"",
                    xxhash_rust::xxh3::xxh3_64(b),
                    xxhash_rust::xxh3::xxh3_64(&tag) as u32
                ),
                body: Body::Page {
                    at: script_position(b),
                    page: Arc::clone(b),
                    tag,
                },
            })
        }
        Entry::Bytes(b) => Ok(Found {
            name: key.to_string(),
            etag: etag(b),
            body: Body::Bytes(Arc::clone(b)),
        }),
        Entry::File(path) => {
            let real = path.canonicalize().map_err(|e| io_missing(&e))?;
            if !roots.contain(&real) {
                return Err(Missing::NotFound);
            }
            open_static(key, &real)
        }
    }
}

fn open_static(key: &str, real: &Path) -> Result<Found, Missing> {
    let stamp = |m: &std::fs::Metadata| {
        let modified = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        (m.len(), modified)
    };
    // A file saved in place (truncated, then written) can be read half old, half new:
    // small files are read whole and read again when they changed during the read.
    for _ in 0..3 {
        let mut file = std::fs::File::open(real).map_err(|e| io_missing(&e))?;
        let before = stamp(&file.metadata().map_err(|e| io_missing(&e))?);
        let etag = format!("\"{:x}-{:x}\"", before.0, before.1);
        if before.0 > READ_WHOLE {
            return Ok(Found {
                name: key.to_string(),
                body: Body::File {
                    file,
                    start: 0,
                    len: before.0,
                },
                etag,
            });
        }
        let mut bytes = Vec::with_capacity(before.0 as usize);
        file.read_to_end(&mut bytes).map_err(|e| io_missing(&e))?;
        let after = std::fs::metadata(real).map_err(|e| io_missing(&e))?;
        if stamp(&after) == before && bytes.len() as u64 == before.0 {
            return Ok(Found {
                name: key.to_string(),
                body: Body::Bytes(Arc::new(bytes)),
                etag,
            });
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Err(Missing::Unavailable(format!(
        "{key} is being written: try again in a moment"
    )))
}

fn io_missing(e: &std::io::Error) -> Missing {
    if e.kind() == std::io::ErrorKind::NotFound {
        Missing::NotFound
    } else if out_of_descriptors(e) {
        Missing::Unavailable("the preview has too many files open: try again in a moment".into())
    } else {
        Missing::Unavailable(format!("the file cannot be read: {e}"))
    }
}

/// EMFILE / ENFILE: this process, or the whole system, has no file descriptor left.
fn out_of_descriptors(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE))
    }
    #[cfg(windows)]
    {
        // ERROR_TOO_MANY_OPEN_FILES
        e.raw_os_error() == Some(4)
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = e;
        false
    }
}

/// The page shown while the site has never built: the error, and the script that turns
/// it into the site as soon as the problem is fixed.
pub fn error_page(message: &str) -> Vec<u8> {
    let escaped = crate::escape::escape_html(message);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Build error</title>\n</head>\n<body style=\"font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem\">\n<h1>The site could not be built</h1>\n<p>Fix the problem below and save the file: this page turns into the site by itself.</p>\n<pre style=\"white-space:pre-wrap;background:#f6f6f6;padding:1rem;border-left:4px solid #c00\">{escaped}</pre>\n</body>\n</html>\n"
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::serve::response::LIVE_TAG;

    fn files() -> impl Fn(&str) -> bool {
        |k: &str| {
            [
                "index.html",
                "faq/index.html",
                "css/site.css",
                "a b/index.html",
            ]
            .contains(&k)
        }
    }

    #[test]
    fn resolves_folders_files_and_redirects() {
        assert_eq!(resolve("/", files()), Resolved::File("index.html".into()));
        assert_eq!(
            resolve("/faq/", files()),
            Resolved::File("faq/index.html".into())
        );
        assert_eq!(resolve("/faq", files()), Resolved::Redirect("/faq/".into()));
        assert_eq!(
            resolve("/css/site.css", files()),
            Resolved::File("css/site.css".into())
        );
        assert_eq!(
            resolve("/a%20b/", files()),
            Resolved::File("a b/index.html".into())
        );
        assert_eq!(resolve("/nope/", files()), Resolved::NotFound);
    }

    #[test]
    fn refuses_every_way_out_of_the_site() {
        for bad in [
            "/../etc/passwd",
            "/faq/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/%2E%2E/etc/passwd",
            "/faq%2f..%2f..%2fetc",
            "/..%5c..%5cetc",
            "/faq\\..\\x",
            "//etc/passwd",
            "/./index.html",
            "etc/passwd",
            "/%00",
            "/%ff%fe",
        ] {
            assert_eq!(resolve(bad, |_| true), Resolved::NotFound, "{bad}");
        }
    }

    #[test]
    fn script_goes_before_the_closing_body() {
        let out = inject(b"<html><body><p>x</p></BODY></html>", LIVE_TAG);
        let s = String::from_utf8(out).unwrap();
        assert!(
            s.ends_with("<script src=\"/__grove/live.js\"></script></BODY></html>"),
            "{s}"
        );
    }
}
