//! Saved pages read again in place, for the preview server: the same parsing and
//! Markdown as a full load, and what the change touches (order, grouping, neighbours).

use std::collections::BTreeSet;

use crate::content::Page;
use crate::diag::{Error, Result};
use crate::fs::display_join;
use crate::site::{BuildOptions, Site};

/// The outcome of [`Site::update_pages`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// Indices of the pages whose text changed (empty when every file was saved unchanged).
    pub pages: Vec<usize>,
    /// Whether anything that orders or groups pages, or that other pages show, changed
    /// (title, description, date, weight, tags, related).
    pub structural: bool,
    /// Pages that linked to the edited ones before the edit (neighbours, related entries).
    pub before: Vec<usize>,
    /// Indices into [`Site::drafts`] of the drafts whose text changed (still drafts, at
    /// the same address): only their own pages show them.
    pub drafts: Vec<usize>,
}

impl Update {
    /// True when every file was saved without a change to its text.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty() && self.drafts.is_empty()
    }
}

impl Site {
    /// Re-reads the given pages (and drafts the preview shows) in place. `Ok(None)` means
    /// the change needs a full reload (a page appeared, disappeared, moved to another URL,
    /// became a draft or was published).
    pub fn update_pages(
        &mut self,
        rels: &[String],
        options: &BuildOptions,
    ) -> Result<Option<Update>> {
        let mut replacements = Vec::new();
        let mut drafts = Vec::new();
        for rel in rels {
            let (i, draft) = match (self.page_index.get(rel), self.draft_index.get(rel)) {
                (Some(&i), _) => (i, false),
                (None, Some(&i)) => (i, true),
                (None, None) => return Ok(None),
            };
            let file = display_join(&self.root, "content").join(rel);
            // The build's rule: a file reached through a link must stay inside the site
            // (a link moved over a saved page is refused here as a full load refuses it).
            crate::fs::check_link(&file, &self.roots)?;
            let read = || match std::fs::read(&file) {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(Error::io("cannot read", &file, e)),
            };
            let Some(mut bytes) = read()? else {
                return Ok(None);
            };
            if bytes.is_empty() {
                // Editors that save in place truncate first and write after: an empty read
                // is most likely the middle of a save, so look again before reporting it.
                std::thread::sleep(std::time::Duration::from_millis(25));
                let Some(again) = read()? else {
                    return Ok(None);
                };
                bytes = again;
            }
            let text = crate::fs::decode(&file, bytes)?;
            let old = if draft {
                &self.drafts[i]
            } else {
                &self.pages[i]
            };
            // Saved without a change, or a second event for a save already handled.
            if text == old.doc.text {
                continue;
            }
            let mut page = Page::parse(&file, rel, text, &self.config.tz)?;
            if draft {
                if !page.meta.draft || page.path != old.path {
                    return Ok(None);
                }
                drafts.push((i, page));
                continue;
            }
            if (page.meta.draft && !options.drafts)
                || page.path != old.path
                || page.meta.aliases != old.meta.aliases
            {
                return Ok(None);
            }
            page.doc
                .render_markdown(&self.links, &self.config.base_path)
                .map_err(Error::Many)?;
            page.section = old.section.clone();
            replacements.push((i, page));
        }
        let mut structural = false;
        let mut before = BTreeSet::new();
        for (i, page) in replacements.iter() {
            let old = &self.pages[*i].meta;
            let new = &page.meta;
            // Neighbours and related entries show the title and description, so those
            // count as structural too: the pages that show them are rendered again.
            if old.title != new.title
                || old.description != new.description
                || old.date != new.date
                || old.weight != new.weight
                || old.tags != new.tags
                || old.related != new.related
            {
                structural = true;
            }
            before.extend(self.dependents(*i));
        }
        let pages: Vec<usize> = replacements.iter().map(|(i, _)| *i).collect();
        for (i, page) in replacements {
            self.pages[i] = page;
        }
        let changed_drafts: Vec<usize> = drafts.iter().map(|(i, _)| *i).collect();
        for (i, page) in drafts {
            self.replace_draft(i, page);
        }
        if structural {
            self.resolve_related()?;
            self.sort_sections();
            self.collect_tags();
        }
        Ok(Some(Update {
            pages,
            structural,
            before: before.into_iter().collect(),
            drafts: changed_drafts,
        }))
    }
}
