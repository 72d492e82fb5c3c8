//! Answering one HTTP request from the in-memory site: paths, redirects, MIME types,
//! ETags, the 404 page, and the live-reload script in HTML.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tiny_http::{Header, Method, Request, Response, StatusCode};

use crate::output::Entry;

use super::Shared;
use super::reload::SCRIPT;

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
    if decoded.contains('\\') || decoded.contains('\0') {
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

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .expect("header names and values are ASCII")
}

fn etag(bytes: &[u8]) -> String {
    format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(bytes))
}

/// Answers one request. Errors writing to the client are ignored: the tab went away.
pub fn handle(request: Request, shared: &Shared) {
    let method = request.method().clone();
    if method != Method::Get && method != Method::Head {
        let response = Response::from_string("method not allowed\n")
            .with_status_code(405)
            .with_header(header("Allow", "GET, HEAD"));
        let _ = request.respond(response);
        return;
    }
    let url = request.url().to_string();
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (url.clone(), None),
    };
    let path = path.split('#').next().unwrap_or("").to_string();
    let snapshot = shared.snapshot();
    match path.as_str() {
        "/__grove/events" => {
            let hello = super::hello(&snapshot);
            shared.hub.attach(request.into_writer(), hello);
            return;
        }
        "/__grove/live.js" => {
            send(request, 200, "live.js", SCRIPT.as_bytes().to_vec(), false);
            return;
        }
        _ => {}
    }
    if snapshot.files.is_empty()
        && let Some(error) = &snapshot.error
    {
        send(request, 500, "error.html", error_page(error), true);
        return;
    }
    let files = &snapshot.files;
    match resolve(&path, |k| files.contains_key(k)) {
        Resolved::File(key) => match read_entry(&files[&key], &shared.allowed_roots) {
            Some(bytes) => {
                let html = key.ends_with(".html");
                let if_none_match = request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("If-None-Match"))
                    .map(|h| h.value.as_str().to_string());
                let body = if html { inject(&bytes) } else { bytes.to_vec() };
                let tag = etag(&body);
                if if_none_match.as_deref() == Some(tag.as_str()) {
                    let response = Response::empty(StatusCode(304))
                        .with_header(header("ETag", &tag))
                        .with_header(header("Cache-Control", "no-cache"));
                    let _ = request.respond(response);
                } else {
                    send(request, 200, &key, body, false);
                }
            }
            None => not_found(request, files, &shared.allowed_roots),
        },
        Resolved::Redirect(location) => {
            let location = match query {
                Some(q) => format!("{location}?{q}"),
                None => location,
            };
            let response = Response::empty(StatusCode(301))
                .with_header(header("Location", &location))
                .with_header(header("Cache-Control", "no-cache"));
            let _ = request.respond(response);
        }
        Resolved::NotFound => not_found(request, files, &shared.allowed_roots),
    }
}

fn send(request: Request, status: u16, name: &str, body: Vec<u8>, inject_script: bool) {
    let body = if inject_script { inject(&body) } else { body };
    let tag = etag(&body);
    let response = Response::from_data(body)
        .with_status_code(status)
        .with_header(header("Content-Type", content_type(name)))
        .with_header(header("Cache-Control", "no-cache"))
        .with_header(header("ETag", &tag))
        .with_header(header("X-Content-Type-Options", "nosniff"));
    let _ = request.respond(response);
}

fn not_found(request: Request, files: &HashMap<String, Entry>, roots: &[PathBuf]) {
    let body = files
        .get("404.html")
        .and_then(|e| read_entry(e, roots))
        .map(|b| inject(&b))
        .unwrap_or_else(|| inject(b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head><body><h1>Not found</h1><p>There is no page at this address. <a href=\"/\">Go to the home page</a>.</p></body></html>"));
    send(request, 404, "404.html", body, false);
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
