//! Answering one HTTP request from the in-memory site: paths, redirects, MIME types,
//! ETags, the 404 page, and the live-reload script in HTML.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::output::Entry;

use super::Shared;
use super::reload::SCRIPT;
use super::wire::{Request, Response};

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

/// Puts the live-reload script at the end of the body.
pub fn inject(html: &[u8]) -> Vec<u8> {
    let tag = b"<script src=\"/__grove/live.js\"></script>";
    let pos = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..pos]);
    out.extend_from_slice(tag);
    out.extend_from_slice(&html[pos..]);
    out
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
    /// The connection becomes an event stream that starts with this `hello` event.
    Events(String),
}

/// Answers one request from the current snapshot of the site.
pub fn respond(request: &Request, shared: &Shared) -> Reply {
    if request.method != "GET" && request.method != "HEAD" {
        return Reply::Page(
            Response::new(405, b"method not allowed\n".to_vec())
                .with("Content-Type", "text/plain; charset=utf-8")
                .with("Allow", "GET, HEAD"),
        );
    }
    let (path, query) = match request.target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (request.target.as_str(), None),
    };
    let path = path.split('#').next().unwrap_or("");
    let snapshot = shared.snapshot();
    match path {
        "/__grove/events" => return Reply::Events(super::hello(&snapshot)),
        "/__grove/live.js" => return Reply::Page(page(200, "live.js", SCRIPT.as_bytes().to_vec())),
        _ => {}
    }
    if snapshot.files.is_empty()
        && let Some(error) = &snapshot.error
    {
        return Reply::Page(page(500, "error.html", inject(&error_page(error))));
    }
    let files = &snapshot.files;
    let roots = &shared.allowed_roots;
    let response = match resolve(path, |k| files.contains_key(k)) {
        Resolved::File(key) => match read_entry(&files[&key], roots) {
            Some(bytes) => {
                let body = if key.ends_with(".html") {
                    inject(&bytes)
                } else {
                    bytes.to_vec()
                };
                let response = page(200, &key, body);
                if let (Some(tag), Some(wanted)) =
                    (response.header("ETag"), request.header("If-None-Match"))
                    && etag_matches(wanted, tag)
                {
                    let mut not_modified = Response::new(304, Vec::new());
                    not_modified.headers = response.headers;
                    not_modified
                } else {
                    response
                }
            }
            None => not_found(files, roots),
        },
        Resolved::Redirect(location) => {
            let location = match query {
                Some(q) => format!("{location}?{q}"),
                None => location,
            };
            Response::new(301, Vec::new())
                .with("Location", location)
                .with("Cache-Control", "no-cache")
        }
        Resolved::NotFound => not_found(files, roots),
    };
    Reply::Page(response)
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

fn not_found(files: &HashMap<String, Entry>, roots: &[PathBuf]) -> Response {
    let body = files
        .get("404.html")
        .and_then(|e| read_entry(e, roots))
        .map(|b| inject(&b))
        .unwrap_or_else(|| inject(b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head><body><h1>Not found</h1><p>There is no page at this address. <a href=\"/\">Go to the home page</a>.</p></body></html>"));
    page(404, "404.html", body)
}

/// The bytes of a site file; static files are read now and must lie inside the site.
fn read_entry(entry: &Entry, roots: &[PathBuf]) -> Option<Arc<Vec<u8>>> {
    match entry {
        Entry::Bytes(b) => Some(Arc::clone(b)),
        Entry::File(path) => {
            let real = path.canonicalize().ok()?;
            if !roots.iter().any(|r| real.starts_with(r)) {
                return None;
            }
            let mut bytes = Vec::new();
            std::fs::File::open(&real)
                .ok()?
                .read_to_end(&mut bytes)
                .ok()?;
            Some(Arc::new(bytes))
        }
    }
}

/// The page shown while the site has never built: the error, and the script that turns
/// it into the site as soon as the problem is fixed.
pub fn error_page(message: &str) -> Vec<u8> {
    let escaped = crate::content::escape_html(message);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Build error</title>\n</head>\n<body style=\"font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem\">\n<h1>The site could not be built</h1>\n<p>Fix the problem below and save the file: this page turns into the site by itself.</p>\n<pre style=\"white-space:pre-wrap;background:#f6f6f6;padding:1rem;border-left:4px solid #c00\">{escaped}</pre>\n</body>\n</html>\n"
    )
    .into_bytes()
}

/// The folders static files may be served from, resolved once (symlinks must stay inside).
pub fn allowed_roots(root: &Path, theme_dir: Option<PathBuf>) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = vec![root.canonicalize().unwrap_or_else(|_| root.to_path_buf())];
    if let Some(t) = theme_dir.and_then(|t| t.canonicalize().ok()) {
        roots.push(t);
    }
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn content_types_cover_the_web_formats() {
        assert_eq!(content_type("a.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("a.mjs"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("a.SVG"), "image/svg+xml");
        assert_eq!(content_type("a.woff2"), "font/woff2");
        assert_eq!(content_type("a.pdf"), "application/pdf");
    }

    #[test]
    fn script_goes_before_the_closing_body() {
        let out = inject(b"<html><body><p>x</p></BODY></html>");
        let s = String::from_utf8(out).unwrap();
        assert!(
            s.ends_with("<script src=\"/__grove/live.js\"></script></BODY></html>"),
            "{s}"
        );
    }
}
