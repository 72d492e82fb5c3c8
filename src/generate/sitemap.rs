//! `sitemap.xml` (every public page, with `lastmod` where known) and `robots.txt`.

use std::collections::HashMap;

use crate::content::escape_html as xml;
use crate::render::{Job, What};
use crate::site::Site;

/// The sitemap of the rendered pages: sections, their list pages, pages and tags. Drafts
/// are never rendered unless asked for; aliases and the 404 page are left out.
pub fn sitemap(site: &Site, jobs: &[Job], history: &HashMap<String, String>) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for job in jobs {
        let lastmod = match &job.what {
            What::Page(i) => {
                let p = &site.pages[*i];
                if p.meta.draft {
                    continue;
                }
                crate::generate::feed::last_change(p, history)
            }
            What::Section { .. } | What::TagList | What::Tag { .. } => None,
            What::Alias { .. } | What::NotFound | What::Draft(_) => continue,
        };
        out.push_str("<url><loc>");
        out.push_str(&xml(&site.permalink(&job.url)));
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
