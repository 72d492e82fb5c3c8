//! A file's text that is not saved yet, read as the site would read it once saved: parsed
//! by its kind, placed in its section and its Markdown rendered against the site's links,
//! without changing the site. The editor shows the page rendered from it as the person
//! types (`Pipeline::render_unsaved`), so what it reads here is what a save then a build
//! would read: the same parsers, the same links, the same `related` rule.

use crate::content::{Page, Section};
use crate::diag::{Error, Result};
use crate::fs::display_join;
use crate::site::{BuildOptions, Site};

/// A content file read from unsaved text.
#[derive(Debug)]
pub enum Unsaved {
    /// A page. `existing`: its index in [`Site::pages`] when it is published now (its
    /// neighbours and the FAQ entries that name it come from there); `draft`: a build
    /// with these options leaves it out, so it shows as the preview shows a draft.
    Page {
        page: Box<Page>,
        existing: Option<usize>,
        draft: bool,
    },
    /// A section's `_index.md`; `index`: the section it replaces in [`Site::sections`],
    /// whose pages and subsections it keeps.
    Section { section: Box<Section>, index: usize },
}

impl Site {
    /// Reads `text` as the content file `rel` (`articles/x.md`) would be read once saved.
    /// An error is what the save or the build would refuse (the front matter, an `@/`
    /// link that leads nowhere, a `related` entry that does not exist).
    pub fn read_unsaved(&self, rel: &str, text: &str, options: &BuildOptions) -> Result<Unsaved> {
        let file = display_join(&self.root, "content").join(rel);
        let base_path = &self.config.base_path;
        if rel == "_index.md" || rel.ends_with("/_index.md") {
            let mut section = Section::parse(&file, rel, text.to_string())?;
            let Some(&index) = self.section_index.get(rel) else {
                return Err(Error::file(
                    &file,
                    "a new section is shown once it is saved: the preview shows the sections the site has",
                ));
            };
            let now = &self.sections[index];
            section.pages = now.pages.clone();
            section.subsections = now.subsections.clone();
            section.parent = now.parent;
            section
                .doc
                .render_markdown(&self.links, base_path)
                .map_err(Error::Many)?;
            return Ok(Unsaved::Section {
                section: Box::new(section),
                index,
            });
        }
        let mut page = Page::parse(&file, rel, text.to_string(), &self.config.tz)?;
        page.section = self.sections[self.section_for(rel)]
            .doc
            .relative_path
            .clone();
        let draft = page.meta.draft && !options.drafts;
        if draft {
            // A draft may link to other drafts, as its page in the preview does.
            let links = self.links_with_drafts(&self.drafts);
            page.doc
                .render_markdown(&links, base_path)
                .map_err(Error::Many)?;
        } else {
            page.doc
                .render_markdown(&self.links, base_path)
                .map_err(Error::Many)?;
            let missing: Vec<Error> = page
                .meta
                .related
                .iter()
                .filter(|r| {
                    !self
                        .page_index
                        .contains_key(crate::content::content_path(r))
                })
                .map(|r| {
                    page.doc.key_error(
                        "related",
                        format!("`related` names `{r}`, which does not exist"),
                    )
                })
                .collect();
            Error::collect(missing)?;
        }
        let existing = self.page_index.get(rel).copied().filter(|_| !draft);
        Ok(Unsaved::Page {
            page: Box::new(page),
            existing,
            draft,
        })
    }
}
