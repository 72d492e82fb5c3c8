//! Links as written in Markdown: where they lead (this site, another site, or somewhere
//! grove cannot check), resolved the way a browser would.

use std::collections::HashSet;

/// Where a link in the Markdown leads.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Target {
    /// An http/https address on another site.
    External(String),
    /// A page or file of this site, with an optional `#anchor`; `path` is `None` for
    /// `#anchor` alone (this page).
    Internal {
        path: Option<String>,
        anchor: Option<String>,
    },
    /// `mailto:`, `tel:` and other schemes grove cannot check.
    Other,
}

/// Classifies `url` as written on the page at site path `page_url`. Links to the site's
/// own `base_url` count as internal so that they are checked without the network.
pub(super) fn classify(url: &str, page_url: &str, base_url: &str) -> Target {
    let url = url.trim();
    let own = (!base_url.is_empty())
        .then(|| url.strip_prefix(base_url))
        .flatten()
        .filter(|rest| rest.is_empty() || rest.starts_with(['/', '#', '?']));
    let url = match own {
        Some("") => "/",
        Some(rest) => rest,
        None => url,
    };
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Target::External(url.to_string());
    }
    if let Some(rest) = url.strip_prefix("//") {
        return Target::External(format!("https://{rest}"));
    }
    if has_scheme(url) {
        return Target::Other;
    }
    let (before_anchor, anchor) = match url.split_once('#') {
        Some((p, a)) => (p, Some(decode(a))),
        None => (url, None),
    };
    let path = before_anchor
        .split_once('?')
        .map_or(before_anchor, |(p, _)| p);
    let path = (!path.is_empty()).then(|| join_url(page_url, &decode(path)));
    Target::Internal { path, anchor }
}

/// `mailto:x`, `tel:x`, `data:x`: a scheme is letters, digits, `+`, `-`, `.` before a `:`.
fn has_scheme(url: &str) -> bool {
    match url.split_once(':') {
        Some((scheme, _)) => {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

pub(super) fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Resolves `link` against the site path `base` (`/articles/x/` + `../y/` = `/articles/y/`),
/// removing `.` and `..` so that the result never climbs above the site's root.
pub(super) fn join_url(base: &str, link: &str) -> String {
    let combined = if link.starts_with('/') {
        link.to_string()
    } else {
        let dir = &base[..base.rfind('/').map_or(0, |i| i + 1)];
        format!("{dir}{link}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in combined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut out = format!("/{}", parts.join("/"));
    let ends_in_folder = combined.ends_with('/') || combined.ends_with("/.") || link == "..";
    if ends_in_folder && out.len() > 1 {
        out.push('/');
    }
    out
}

/// Every `id="..."` in an HTML page: headings, and whatever the templates give an id.
pub(super) fn ids_in(html: &str) -> HashSet<String> {
    let mut ids = HashSet::new();
    let mut rest = html;
    while let Some(i) = rest.find("id=") {
        let preceded_by_space = rest[..i].ends_with(|c: char| c.is_ascii_whitespace());
        rest = &rest[i + 3..];
        // minified HTML drops the quotes where it can: `id=why`
        let value = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => rest[1..].find(q).map(|end| &rest[1..1 + end]),
            _ => rest
                .find(|c: char| c.is_ascii_whitespace() || c == '>')
                .map(|end| &rest[..end]),
        };
        if let Some(value) = value.filter(|v| preceded_by_space && !v.is_empty()) {
            ids.insert(value.to_string());
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_links() {
        let base = "https://example.org";
        let page = "/articles/x/";
        assert_eq!(
            classify("https://other.org/a", page, base),
            Target::External("https://other.org/a".into())
        );
        assert_eq!(
            classify("//cdn.org/a.js", page, base),
            Target::External("https://cdn.org/a.js".into())
        );
        assert_eq!(classify("mailto:a@b.org", page, base), Target::Other);
        assert_eq!(classify("tel:+15105550100", page, base), Target::Other);
        assert_eq!(
            classify("#why", page, base),
            Target::Internal {
                path: None,
                anchor: Some("why".into())
            }
        );
        assert_eq!(
            classify("/faq/?q=1#how-long", page, base),
            Target::Internal {
                path: Some("/faq/".into()),
                anchor: Some("how-long".into())
            }
        );
        assert_eq!(
            classify("https://example.org/team/#x", page, base),
            Target::Internal {
                path: Some("/team/".into()),
                anchor: Some("x".into())
            }
        );
        assert_eq!(
            classify("../y/my%20photo.jpg", page, base),
            Target::Internal {
                path: Some("/articles/y/my photo.jpg".into()),
                anchor: None
            }
        );
    }

    #[test]
    fn relative_links_resolve_against_the_page_and_stay_inside_the_site() {
        assert_eq!(join_url("/articles/x/", "../y/"), "/articles/y/");
        assert_eq!(join_url("/articles/x/", "img.png"), "/articles/x/img.png");
        assert_eq!(join_url("/articles/x/", ".."), "/articles/");
        assert_eq!(join_url("/", "../../etc/passwd"), "/etc/passwd");
        assert_eq!(join_url("/404.html", "faq/"), "/faq/");
        assert_eq!(join_url("/a/", "/"), "/");
    }

    #[test]
    fn finds_ids_in_html_but_not_lookalike_attributes() {
        let html = "<h2 id=\"why\">Why</h2><details class='x' id='how-long'><div data-id=\"no\"><p id=min>";
        let ids = ids_in(html);
        assert!(ids.contains("why"));
        assert!(ids.contains("how-long"));
        assert!(!ids.contains("no"));
        assert!(ids.contains("min"));
    }
}
