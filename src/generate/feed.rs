//! The Atom feed of articles (`/atom.xml`): full content, absolute links, valid Atom 1.0.

use std::collections::HashMap;

use crate::content::{Kind, Page};
use crate::escape::escape_html as xml;
use crate::site::Site;

/// When a page last changed: `updated`, else `date`, else its file's last change.
pub fn last_change(page: &Page, history: &HashMap<String, String>) -> Option<String> {
    page.meta
        .updated
        .as_ref()
        .or(page.meta.date.as_ref())
        .map(|d| d.rfc3339.clone())
        .or_else(|| history.get(&page.doc.relative_path).cloned())
        .or_else(|| crate::generate::history::modified(&page.doc.file))
}

/// Whether the site has a feed: at least one published article.
pub fn atom_has_entries(site: &Site) -> bool {
    site.pages
        .iter()
        .any(|p| p.kind == Kind::Article && !p.meta.draft)
}

/// The feed's XML, or `None` when the site has no articles: the `feed_limit` newest
/// articles of the whole site, newest first, whatever order their sections list them in.
pub fn atom(site: &Site, history: &HashMap<String, String>) -> Option<String> {
    let mut entries: Vec<(&Page, String, i64)> = site
        .pages
        .iter()
        .filter(|p| p.kind == Kind::Article && !p.meta.draft)
        .map(|p| {
            let updated = last_change(p, history).unwrap_or_else(|| EPOCH.into());
            // Newest by the day it was published; undated articles by their last change.
            let published = p
                .meta
                .date
                .as_ref()
                .map(|d| d.timestamp)
                .unwrap_or_else(|| timestamp_of(&updated));
            (p, updated, published)
        })
        .collect();
    entries.sort_by(|a, b| {
        b.2.cmp(&a.2)
            .then_with(|| a.0.meta.title.cmp(&b.0.meta.title))
            .then_with(|| a.0.doc.relative_path.cmp(&b.0.doc.relative_path))
    });
    entries.truncate(site.config.feed_limit);
    if entries.is_empty() {
        return None;
    }
    let base = &site.config.base_url;
    let updated = entries
        .iter()
        .max_by_key(|(_, u, _)| timestamp_of(u))
        .map(|(_, u, _)| u.as_str())
        .unwrap_or(EPOCH);
    let mut out = String::with_capacity(4096);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\" xml:base=\"{}/\">\n",
        xml(&site.config.language),
        xml(base)
    ));
    out.push_str(&format!("<title>{}</title>\n", xml(&site.config.title)));
    if !site.config.description.is_empty() {
        out.push_str(&format!(
            "<subtitle>{}</subtitle>\n",
            xml(&site.config.description)
        ));
    }
    out.push_str(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml(&format!("{base}/atom.xml"))
    ));
    out.push_str(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}/\"/>\n",
        xml(base)
    ));
    out.push_str(&format!("<id>{}/</id>\n", xml(base)));
    out.push_str(&format!("<updated>{updated}</updated>\n"));
    out.push_str(&format!(
        "<author><name>{}</name></author>\n",
        xml(&site.config.title)
    ));
    out.push_str(&format!(
        "<generator version=\"{}\">grove</generator>\n",
        env!("CARGO_PKG_VERSION")
    ));
    for (p, updated, _) in entries {
        let link = site.permalink(&p.path);
        out.push_str("<entry>\n");
        out.push_str(&format!(
            "<title type=\"text\">{}</title>\n",
            xml(&p.meta.title)
        ));
        out.push_str(&format!(
            "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml(&link)
        ));
        out.push_str(&format!("<id>{}</id>\n", xml(&link)));
        if let Some(d) = &p.meta.date {
            out.push_str(&format!("<published>{}</published>\n", d.rfc3339));
        }
        out.push_str(&format!("<updated>{updated}</updated>\n"));
        for tag in &p.meta.tags {
            out.push_str(&format!("<category term=\"{}\"/>\n", xml(tag)));
        }
        if !p.meta.description.is_empty() {
            out.push_str(&format!(
                "<summary type=\"text\">{}</summary>\n",
                xml(&p.meta.description)
            ));
        }
        // The summary marker is for list pages; a feed reader shows the whole article.
        let content = p.doc.rendered.html.replace("<!-- more -->", "");
        out.push_str(&format!(
            "<content type=\"html\">{}</content>\n",
            xml(&content)
        ));
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    Some(out)
}

const EPOCH: &str = "1970-01-01T00:00:00+00:00";

fn timestamp_of(rfc3339: &str) -> i64 {
    rfc3339
        .parse::<jiff::Timestamp>()
        .map_or(0, |t| t.as_second())
}
