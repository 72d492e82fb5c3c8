//! The search index (`/search-index.json`) the theme's search page reads in the browser:
//! title, URL, section, description, headings and body text of every page.

use serde::Serialize;

use crate::site::Site;

/// Total body text kept across all pages; large sites keep less text per page so the
/// index stays small enough to download (10,000 pages: about 600 characters each).
pub const TEXT_BUDGET: usize = 6_000_000;
/// Every page keeps at least this much body text.
pub const MIN_TEXT: usize = 400;

#[derive(Serialize)]
struct Entry<'a> {
    /// title
    t: &'a str,
    /// URL, root-relative (with `base_path`)
    u: String,
    /// section title
    s: &'a str,
    /// description
    d: &'a str,
    /// headings
    h: String,
    /// body text
    b: &'a str,
}

/// The JSON index. Every page (not sections, aliases or tags) is one entry.
pub fn index(site: &Site) -> String {
    let per_page = text_per_page(site.pages.len());
    let entries: Vec<Entry> = site
        .pages
        .iter()
        .map(|p| {
            let section = site.section_of(p);
            let section_title = if section.doc.relative_path == "_index.md" {
                ""
            } else {
                section.meta.title.as_str()
            };
            let headings: Vec<&str> = flatten(&p.doc.rendered.toc);
            Entry {
                t: &p.meta.title,
                u: site.url(&p.path),
                s: section_title,
                d: &p.meta.description,
                h: headings.join(" · "),
                b: body_text(&p.doc.rendered.text, per_page),
            }
        })
        .collect();
    serde_json::to_string(&entries).unwrap_or_else(|_| "[]".into())
}

fn flatten(toc: &[crate::markdown::Heading]) -> Vec<&str> {
    let mut out = Vec::new();
    let mut stack: Vec<&crate::markdown::Heading> = toc.iter().rev().collect();
    while let Some(h) = stack.pop() {
        out.push(h.title.as_str());
        stack.extend(h.children.iter().rev());
    }
    out
}

/// The body text a page of a site of `pages` pages shows in the index: what a build
/// that lets go of the site keeps of it (`Site::load`).
pub fn kept_text(text: &str, pages: usize) -> &str {
    body_text(text, text_per_page(pages))
}

/// How much body text each page keeps in the index of a site of `pages` pages.
pub fn text_per_page(pages: usize) -> usize {
    (TEXT_BUDGET / pages.max(1)).max(MIN_TEXT)
}

/// The body text a page shows in the index: the start of its text, at most `max` bytes,
/// cut at a word boundary. Taking it again from its own result gives the same text.
pub fn body_text(text: &str, max: usize) -> &str {
    truncate(text.trim(), max).trim_end()
}

/// The first `max` bytes of `text`, cut at a word boundary.
fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    match text[..end].rfind(' ') {
        Some(space) if space > max / 2 => &text[..space],
        _ => &text[..end],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_at_words_and_char_boundaries() {
        assert_eq!(truncate("one two three", 100), "one two three");
        assert_eq!(truncate("one two three", 9), "one two");
        assert_eq!(truncate("ééééé", 3), "é");
    }

    proptest::proptest! {
        /// `grove build` keeps only `body_text` of each page and the index takes it again:
        /// the index must come out the same as from the whole text.
        #[test]
        fn body_text_of_body_text_is_the_same(text in "[a é\n]{0,80}", max in 1usize..60) {
            let once = body_text(&text, max);
            proptest::prop_assert_eq!(body_text(once, max), once);
        }
    }
}
