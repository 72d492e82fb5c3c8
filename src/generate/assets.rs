//! Static assets for hosts that cache: content-hashed copies of stylesheets and scripts,
//! and the `_headers` file (Netlify, Cloudflare Pages) with caching and security headers.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::diag::{Error, Result};
use crate::fs::{Skip, display_join, walk};
use crate::site::Site;

/// The files a build copies as they are, read once per build.
#[derive(Debug, Clone, Default)]
pub struct Statics {
    /// Output path -> source file: the theme's static/, the site's static/, the files
    /// beside the content (later ones win), and a content-hashed copy of each stylesheet
    /// and script.
    pub files: BTreeMap<String, PathBuf>,
    /// Output path -> stamp: the content hash of stylesheets and scripts, a stamp of
    /// size and modification time for the rest; what `get_url(cachebust=true)` uses.
    pub stamps: HashMap<String, String>,
    /// The output paths that are hashed copies (cached for a year by `_headers`).
    pub hashed: BTreeSet<String>,
}

/// Folders whose files are copied as they are, in order (later ones win).
pub fn static_dirs(site: &Site) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(t) = site.config.theme_dir(&site.root) {
        dirs.push(t.join("static"));
    }
    dirs.push(display_join(&site.root, "static"));
    dirs
}

/// Every static file of `site`, with the stamps and hashed copies templates link to.
pub fn collect(site: &Site) -> Result<Statics> {
    let mut statics = Statics::default();
    for dir in static_dirs(site) {
        for file in walk(&dir, &site.roots, Skip::Files)? {
            statics.files.insert(file.rel, file.path);
        }
    }
    for (src, rel) in &site.assets {
        statics.files.insert(rel.clone(), src.clone());
    }
    let mut copies = Vec::new();
    for (rel, src) in &statics.files {
        let stamp = if is_hashable(rel) {
            let bytes = std::fs::read(src).map_err(|e| Error::io("cannot read", src, e))?;
            let h = hash(&bytes);
            copies.push((hashed_name(rel, &h), src.clone()));
            h
        } else {
            stamp(src)?
        };
        statics.stamps.insert(rel.clone(), stamp);
    }
    for (name, src) in copies {
        statics.hashed.insert(name.clone());
        statics.files.insert(name, src);
    }
    Ok(statics)
}

/// Size and modification time: what changes when a large file (an image) changes,
/// without reading it.
fn stamp(file: &Path) -> Result<String> {
    let meta = std::fs::metadata(file).map_err(|e| Error::io("cannot read", file, e))?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Ok(format!("{:x}{:x}", meta.len(), modified & 0xffff_ffff_ffff))
}

/// The hash grove puts in asset names: 16 hex digits of xxh3 over the bytes.
pub fn hash(bytes: &[u8]) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(bytes))
}

/// Files that get a hashed copy: the ones templates link to and browsers cache.
pub fn is_hashable(rel: &str) -> bool {
    rel.ends_with(".css") || rel.ends_with(".js") || rel.ends_with(".mjs")
}

/// `css/site.css` + hash -> `css/site.<hash>.css`.
pub fn hashed_name(rel: &str, hash: &str) -> String {
    match rel.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{rel}.{hash}"),
    }
}

/// The Content-Security-Policy the theme is written to pass: nothing from other origins,
/// no inline scripts or styles.
pub const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The `_headers` file: security headers everywhere, a year of caching for hashed assets.
pub fn headers_file(hashed: &BTreeSet<String>) -> String {
    let mut out = String::from(
        "# Written by grove: security headers for every page, long caching for content-hashed assets.\n/*\n",
    );
    out.push_str(&format!("  Content-Security-Policy: {CSP}\n"));
    out.push_str("  X-Content-Type-Options: nosniff\n");
    out.push_str("  Referrer-Policy: strict-origin-when-cross-origin\n");
    out.push_str("  Permissions-Policy: camera=(), microphone=(), geolocation=()\n");
    out.push_str("  X-Frame-Options: DENY\n");
    for rel in hashed {
        out.push_str(&format!(
            "/{rel}\n  Cache-Control: public, max-age=31536000, immutable\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_keep_the_extension() {
        assert_eq!(hashed_name("css/site.css", "abc"), "css/site.abc.css");
        assert_eq!(
            hashed_name("js/search.min.js", "abc"),
            "js/search.min.abc.js"
        );
        assert_ne!(hash(b"a"), hash(b"b"));
        assert_eq!(hash(b"a").len(), 16);
    }

    #[test]
    fn headers_cache_hashed_assets_for_a_year() {
        let hashed = BTreeSet::from(["css/site.0123456789abcdef.css".to_string()]);
        let h = headers_file(&hashed);
        assert!(h.contains(
            "/css/site.0123456789abcdef.css\n  Cache-Control: public, max-age=31536000, immutable"
        ));
        assert!(h.contains("X-Content-Type-Options: nosniff"));
        assert!(h.contains("Content-Security-Policy: default-src 'self'"));
    }
}
