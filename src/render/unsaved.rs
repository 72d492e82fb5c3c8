//! A file read from unsaved text ([`Unsaved`]) rendered by the site's own templates, as
//! its page will be once saved: the editor shows it beside the text. Nothing is kept:
//! the renderer, its values and the site are as they were.

use super::{Renderer, banner, read, section_context, values};
use crate::diag::Result;
use crate::render::templates::{missing, page_template, section_template};
use crate::site::{Site, Unsaved};

impl Renderer {
    /// The page `unsaved` will be: a draft with the banner its page in the preview has,
    /// a section's first list page with the pages it lists now. Not counted in
    /// [`Renderer::renders`], which counts the outputs of builds.
    pub fn render_unsaved(&self, site: &Site, unsaved: &Unsaved) -> Result<String> {
        match unsaved {
            Unsaved::Page {
                page,
                existing,
                draft,
            } => {
                // What a build would refuse for want of a template, the preview refuses.
                let mut needed = vec![page_template(page)];
                if !*draft && !page.meta.tags.is_empty() {
                    needed.extend(["tags/list.html", "tags/single.html"]);
                }
                if let Some(name) = needed.into_iter().find(|n| !self.has_template(n)) {
                    return Err(missing(name, &page.doc.file));
                }
                let position = existing.and_then(|i| self.positions.get(i).copied().flatten());
                let mut ctx = self.context(site, &page.path);
                let value = values::unsaved_page(site, page, *existing, position, *draft);
                ctx.insert("page".into(), value);
                let template = page_template(page).to_string();
                let html = self.render_template(template, Some(&page.doc.file), ctx)?;
                Ok(if *draft {
                    banner::with_banner(&html)
                } else {
                    html
                })
            }
            Unsaved::Section { section, .. } => {
                let mut ctx = self.context(site, &section.path);
                section_context(site, section, &read(&self.light), 0, &mut ctx);
                self.render_template(section_template(section), Some(&section.doc.file), ctx)
            }
        }
    }
}
