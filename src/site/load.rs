//! Reading a site: the config, every file of `content/` (in parallel), then putting the
//! model together (see [`super::graph`]) and rendering the Markdown.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::theme::check_theme;
use super::{BuildOptions, Site};
use crate::config::Config;
use crate::content::{Page, Section};
use crate::diag::{Error, Result};
use crate::fs::{Roots, Skip, display_join, read_text, walk};
use crate::markdown::LinkMap;

enum Loaded {
    Page(Box<Page>),
    Section(Box<Section>),
}

impl Site {
    /// Reads the config and every content file, renders the Markdown, links and sorts.
    pub fn load(root: &Path, options: &BuildOptions) -> Result<Site> {
        Site::load_drafts(root, options, false)
    }

    /// As [`Site::load`], and keeps the drafts that `options` leaves out in
    /// [`Site::drafts`], so that the preview can show each one's own page.
    pub fn load_with_draft_pages(root: &Path, options: &BuildOptions) -> Result<Site> {
        Site::load_drafts(root, options, true)
    }

    fn load_drafts(root: &Path, options: &BuildOptions, draft_pages: bool) -> Result<Site> {
        let mut config = Config::load(root)?;
        if let Some(base) = &options.base_url {
            config.set_base_url(base);
        }
        check_theme(root, &config)?;

        let content_dir = display_join(root, "content");
        let theme_dir = config.theme_dir(root);
        let roots = Roots::of_site(root, theme_dir.as_deref());
        let (files, assets) = list_content(&content_dir, &roots)?;
        let loaded: Vec<Result<Loaded>> = files
            .par_iter()
            .map(|(file, rel)| load_file(file, rel, &config.tz))
            .collect();
        let mut errors = Vec::new();
        let mut pages = Vec::new();
        let mut sections = Vec::new();
        let mut drafts = Vec::new();
        for item in loaded {
            match item {
                Ok(Loaded::Page(p)) if p.meta.draft && !options.drafts => {
                    if draft_pages {
                        drafts.push(*p);
                    }
                }
                Ok(Loaded::Page(p)) => pages.push(*p),
                Ok(Loaded::Section(s)) => sections.push(*s),
                Err(e) => errors.push(e),
            }
        }
        Error::collect(errors)?;
        if !sections.iter().any(|s| s.relative_path == "_index.md") {
            sections.push(Section::implicit_home(content_dir.join("_index.md")));
        }
        // Stable order regardless of the file system's listing order.
        sections.sort_by(|a, b| a.relative_path.cmp(&b.relative_path));
        pages.sort_by(|a, b| a.relative_path.cmp(&b.relative_path));

        let mut site = Site {
            root: root.to_path_buf(),
            roots,
            config,
            page_index: pages
                .iter()
                .enumerate()
                .map(|(i, p)| (p.relative_path.clone(), i))
                .collect(),
            section_index: sections
                .iter()
                .enumerate()
                .map(|(i, s)| (s.relative_path.clone(), i))
                .collect(),
            pages,
            sections,
            tags: Vec::new(),
            history: std::sync::OnceLock::new(),
            links: LinkMap::new(),
            assets,
            related_faq: HashMap::new(),
            drafts: Vec::new(),
            draft_index: HashMap::new(),
        };
        site.attach_to_sections();
        site.check_unique_urls()?;
        site.links = site
            .pages
            .iter()
            .map(|p| (p.relative_path.clone(), p.path.clone()))
            .chain(
                site.sections
                    .iter()
                    .map(|s| (s.relative_path.clone(), s.path.clone())),
            )
            .collect();
        site.render_markdown(options.one_shot)?;
        site.resolve_related()?;
        site.sort_sections();
        site.collect_tags();
        site.keep_drafts(drafts);
        Ok(site)
    }

    /// Renders every page's and section's Markdown, in parallel; every broken `@/` link
    /// of the site is reported at once. `one_shot`: see [`BuildOptions::one_shot`].
    fn render_markdown(&mut self, one_shot: bool) -> Result<()> {
        let links = &self.links;
        let base_path = self.config.base_path.as_str();
        let search_text = crate::generate::search::text_per_page(self.pages.len());
        let page_errors: Vec<Error> = self
            .pages
            .par_iter_mut()
            .flat_map_iter(|p| {
                let errors = p.render_markdown(links, base_path).err();
                if one_shot {
                    p.doc.forget_body();
                    p.rendered.text =
                        crate::generate::search::body_text(&p.rendered.text, search_text)
                            .to_string();
                }
                errors.unwrap_or_default()
            })
            .collect();
        let section_errors: Vec<Error> = self
            .sections
            .par_iter_mut()
            .flat_map_iter(|s| {
                s.render_markdown(links, base_path)
                    .err()
                    .unwrap_or_default()
            })
            .collect();
        Error::collect(page_errors.into_iter().chain(section_errors).collect())
    }
}

type ContentFiles = (Vec<(PathBuf, String)>, Vec<(PathBuf, String)>);

/// Markdown files and other files under `content/`, with their `/`-separated relative paths.
fn list_content(content_dir: &Path, roots: &Roots) -> Result<ContentFiles> {
    if !content_dir.is_dir() {
        return Err(Error::file(content_dir, "there is no content folder")
            .with_help("create content/_index.md (the home page) and put pages in content/"));
    }
    let (markdown, assets) = walk(content_dir, roots, Skip::FilesAndFolders)?
        .into_iter()
        .map(|f| (f.path, f.rel))
        .partition(|(_, rel)| rel.ends_with(".md"));
    Ok((markdown, assets))
}

/// Reads and parses one file of `content/` (`rel`: its path under it).
fn load_file(file: &Path, rel: &str, tz: &jiff::tz::TimeZone) -> Result<Loaded> {
    let text = read_text(file)?;
    if rel == "_index.md" || rel.ends_with("/_index.md") {
        Section::parse(file, rel, text).map(|s| Loaded::Section(Box::new(s)))
    } else {
        Page::parse(file, rel, text, tz).map(|p| Loaded::Page(Box::new(p)))
    }
}
