//! Static assets for hosts that cache: content-hashed copies of stylesheets and scripts,
//! and the `_headers` file (Netlify, Cloudflare Pages) with caching and security headers.

use std::collections::BTreeMap;
use std::path::PathBuf;

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
pub fn headers_file(hashed: &BTreeMap<String, PathBuf>) -> String {
    let mut out = String::from(
        "# Written by grove: security headers for every page, long caching for content-hashed assets.\n/*\n",
    );
    out.push_str(&format!("  Content-Security-Policy: {CSP}\n"));
    out.push_str("  X-Content-Type-Options: nosniff\n");
    out.push_str("  Referrer-Policy: strict-origin-when-cross-origin\n");
    out.push_str("  Permissions-Policy: camera=(), microphone=(), geolocation=()\n");
    out.push_str("  X-Frame-Options: DENY\n");
    for rel in hashed.keys() {
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
        let mut hashed = BTreeMap::new();
        hashed.insert(
            "css/site.0123456789abcdef.css".to_string(),
            PathBuf::from("x"),
        );
        let h = headers_file(&hashed);
        assert!(h.contains(
            "/css/site.0123456789abcdef.css\n  Cache-Control: public, max-age=31536000, immutable"
        ));
        assert!(h.contains("X-Content-Type-Options: nosniff"));
        assert!(h.contains("Content-Security-Policy: default-src 'self'"));
    }
}
