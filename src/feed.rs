//! The Atom feed of articles (`/atom.xml`): full content, absolute links, valid Atom 1.0.

use std::collections::HashMap;

use crate::content::{Kind, Page, escape_html as xml};
use crate::site::Site;

/// An RFC 3339 date-time for Atom: `2025-03-04` becomes `2025-03-04T00:00:00Z`.
pub fn rfc3339(iso: &str) -> String {
    if iso.len() == 10 {
        format!("{iso}T00:00:00Z")
    } else {
        iso.to_string()
    }
}

/// When a page last changed: `updated`, else `date`, else its file's last change.
pub fn last_change(page: &Page, history: &HashMap<String, String>) -> Option<String> {
    page.meta
        .updated
        .as_ref()
        .or(page.meta.date.as_ref())
        .map(|d| d.iso.clone())
        .or_else(|| history.get(&page.relative_path).cloned())
        .or_else(|| crate::history::modified(&page.file))
}

/// The feed's XML, or `None` when the site has no articles.
pub fn atom(site: &Site, history: &HashMap<String, String>) -> Option<String> {
    let articles: Vec<&Page> = site
        .sections
        .iter()
        .flat_map(|s| s.pages.iter().map(|&i| &site.pages[i]))
        .filter(|p| p.kind == Kind::Article)
        .take(site.config.feed_limit)
        .collect();
    if articles.is_empty() {
        return None;
    }
    let base = &site.config.base_url;
    let entries: Vec<(&Page, String)> = articles
        .into_iter()
        .map(|p| {
            (
                p,
                rfc3339(&last_change(p, history).unwrap_or_else(|| "1970-01-01".into())),
            )
        })
        .collect();
    let updated = entries
        .iter()
        .map(|(_, u)| u.as_str())
        .max()
        .unwrap_or("1970-01-01T00:00:00Z");
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
    for (p, updated) in entries {
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
            out.push_str(&format!("<published>{}</published>\n", rfc3339(&d.iso)));
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
        out.push_str(&format!(
            "<content type=\"html\">{}</content>\n",
            xml(&p.rendered.html)
        ));
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_dates_become_date_times() {
        assert_eq!(rfc3339("2025-03-04"), "2025-03-04T00:00:00Z");
        assert_eq!(
            rfc3339("2025-03-04T10:00:00-08:00"),
            "2025-03-04T10:00:00-08:00"
        );
    }
}
