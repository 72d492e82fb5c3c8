//! `sitemap.xml` (every public page, with `lastmod` where known) and `robots.txt`.

use std::collections::HashMap;

use crate::escape::escape_html as xml;
use crate::site::Site;

/// An output the sitemap lists: its URL, and the page it shows when it is a page (a
/// section, a list page or a tag page shows none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed<'a> {
    pub url: &'a str,
    pub page: Option<usize>,
}

/// The sitemap of the rendered pages: sections, their list pages, pages and tags, as the
/// renderer lists them (aliases and the 404 page are not). Drafts are never rendered
/// unless asked for, and never listed.
pub fn sitemap<'a>(
    site: &Site,
    outputs: impl IntoIterator<Item = Listed<'a>>,
    history: &HashMap<String, String>,
) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for output in outputs {
        let lastmod = match output.page {
            Some(i) => {
                let p = &site.pages[i];
                if p.meta.draft {
                    continue;
                }
                crate::generate::feed::last_change(p, history)
            }
            None => None,
        };
        out.push_str("<url><loc>");
        out.push_str(&xml(&site.permalink(output.url)));
        out.push_str("</loc>");
        if let Some(d) = lastmod {
            out.push_str("<lastmod>");
            out.push_str(&xml(&d));
            out.push_str("</lastmod>");
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// Lets every crawler in and names the sitemap.
pub fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}/sitemap.xml\n",
        site.config.base_url
    )
}
