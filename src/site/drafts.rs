//! Drafts in the preview: each draft (`draft = true`) keeps its own page, so its author can
//! read it as it will look, while every list, tag, feed, sitemap, search index, neighbour
//! and related entry leaves it out exactly as a build does. Drafts are therefore kept
//! apart from [`Site::pages`]: nothing that reads the published site can meet one.

use crate::content::Page;
use crate::diag::Error;
use crate::escape::escape_html;
use crate::markdown::LinkMap;

use super::Site;

impl Site {
    /// Puts the drafts read by a load beside the published pages: their section and
    /// their Markdown. Of two drafts with one URL, the first by file name keeps it (the
    /// pipeline also leaves out a draft whose URL the published site uses).
    pub(super) fn keep_drafts(&mut self, mut drafts: Vec<Page>) {
        drafts.sort_by(|a, b| a.doc.relative_path.cmp(&b.doc.relative_path));
        let mut taken = std::collections::HashSet::new();
        drafts.retain(|d| taken.insert(d.path.clone()));
        for d in &mut drafts {
            let s = self.section_for(&d.doc.relative_path);
            d.section = self.sections[s].doc.relative_path.clone();
        }
        let links = self.links_with_drafts(&drafts);
        for d in &mut drafts {
            render_draft_markdown(d, &links, &self.config.base_path);
        }
        self.draft_index = drafts
            .iter()
            .enumerate()
            .map(|(i, d)| (d.doc.relative_path.clone(), i))
            .collect();
        self.drafts = drafts;
    }

    /// The `@/` targets a draft may link to: the published pages and the other drafts
    /// (a draft linking to a draft is fine until one of them is published).
    pub(super) fn links_with_drafts(&self, drafts: &[Page]) -> LinkMap {
        let mut links = self.links.clone();
        links.extend(
            drafts
                .iter()
                .map(|d| (d.doc.relative_path.clone(), d.path.clone())),
        );
        links
    }

    /// Draft `i` read again after a save, when it is still a draft at the same address.
    pub(super) fn replace_draft(&mut self, i: usize, mut page: Page) {
        page.section = self.drafts[i].section.clone();
        let links = self.links_with_drafts(&self.drafts);
        render_draft_markdown(&mut page, &links, &self.config.base_path);
        self.drafts[i] = page;
    }
}

/// Renders a draft's Markdown. A draft is work in progress: a broken link in it must not
/// stop the preview of the whole site (a build, which leaves drafts out, would not stop
/// either), so its problems are shown where its text would be.
fn render_draft_markdown(page: &mut Page, links: &LinkMap, base_path: &str) {
    if let Err(errors) = page.doc.render_markdown(links, base_path) {
        let list: String = errors
            .iter()
            .map(|e: &Error| format!("<li><pre>{}</pre></li>", escape_html(&e.to_string())))
            .collect();
        page.doc.rendered.html = format!(
            "<p><strong>This draft's text cannot be shown yet.</strong> Fix what is listed below and save: the page shows the text again by itself.</p>\n<ul>{list}</ul>\n"
        );
    }
}
