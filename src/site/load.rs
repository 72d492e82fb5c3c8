//! Reading a site: the config, every file of `content/` (in parallel), then putting the
//! model together (see [`super::graph`]) and rendering the Markdown.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::theme::check_theme;
use super::{BuildOptions, Site};
use crate::config::Config;
use crate::content::{Document, Page, Section};
use crate::diag::{Error, Result, SUGGESTED};
use crate::fs::{Roots, Skip, display_join, read_text, walk};
use crate::markdown::LinkMap;

enum Loaded {
    Page(Box<Page>),
    Section(Box<Section>),
}

impl Site {
    /// Reads the config and every content file, renders the Markdown, links and sorts.
    /// `search_text`: for a one-shot build, the part of a page's text to keep, given the
    /// number of pages (what the search index shows: `generate::search::kept_text`).
    pub fn load(root: &Path, options: &BuildOptions, search_text: SearchText) -> Result<Site> {
        Site::load_drafts(root, options, search_text, false)
    }

    /// As [`Site::load`], and keeps the drafts that `options` leaves out in
    /// [`Site::drafts`], so that the preview can show each one's own page.
    pub fn load_with_draft_pages(
        root: &Path,
        options: &BuildOptions,
        search_text: SearchText,
    ) -> Result<Site> {
        Site::load_drafts(root, options, search_text, true)
    }

    fn load_drafts(
        root: &Path,
        options: &BuildOptions,
        search_text: SearchText,
        draft_pages: bool,
    ) -> Result<Site> {
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
        if !sections.iter().any(|s| s.doc.relative_path == "_index.md") {
            sections.push(Section::implicit_home(content_dir.join("_index.md")));
        }
        // Stable order regardless of the file system's listing order.
        sections.sort_by(|a, b| a.doc.relative_path.cmp(&b.doc.relative_path));
        pages.sort_by(|a, b| a.doc.relative_path.cmp(&b.doc.relative_path));

        let mut site = Site {
            root: root.to_path_buf(),
            roots,
            config,
            page_index: pages
                .iter()
                .enumerate()
                .map(|(i, p)| (p.doc.relative_path.clone(), i))
                .collect(),
            section_index: sections
                .iter()
                .enumerate()
                .map(|(i, s)| (s.doc.relative_path.clone(), i))
                .collect(),
            pages,
            sections,
            tags: Vec::new(),
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
            .map(|p| (p.doc.relative_path.clone(), p.path.clone()))
            .chain(
                site.sections
                    .iter()
                    .map(|s| (s.doc.relative_path.clone(), s.path.clone())),
            )
            .collect();
        site.render_markdown(options.one_shot.then_some(search_text))?;
        site.resolve_related()?;
        site.sort_sections();
        site.collect_tags();
        site.keep_drafts(drafts);
        Ok(site)
    }

    /// Renders every page's and section's Markdown, in parallel; every broken `@/` link
    /// of the site is reported at once. `one_shot`: see [`BuildOptions::one_shot`], with
    /// the search text to keep.
    fn render_markdown(&mut self, one_shot: Option<SearchText>) -> Result<()> {
        let links = &self.links;
        let base_path = self.config.base_path.as_str();
        let pages = self.pages.len();
        let mut docs: Vec<&mut Document> = self
            .pages
            .iter_mut()
            .map(|p| &mut p.doc)
            .chain(self.sections.iter_mut().map(|s| &mut s.doc))
            .collect();
        // First without "did you mean": a site whose every page has a broken link would
        // compare each link with every file.
        let mut errors: Vec<Vec<Error>> = docs
            .par_iter_mut()
            .enumerate()
            .map(
                |(i, doc)| match doc.render_markdown_with(links, base_path, false) {
                    Ok(()) => {
                        if let Some(search_text) = one_shot.filter(|_| i < pages) {
                            doc.forget_body();
                            doc.rendered.text = search_text(&doc.rendered.text, pages).to_string();
                        }
                        Vec::new()
                    }
                    Err(errors) => errors,
                },
            )
            .collect();
        // Then the first files with errors, in order, again with it: the same messages
        // on every run, and at most about SUGGESTED searches.
        let mut budget = SUGGESTED;
        for (doc, errors) in docs.iter_mut().zip(&mut errors) {
            if budget == 0 {
                break;
            }
            if !errors.is_empty() {
                budget = budget.saturating_sub(errors.len());
                *errors = doc
                    .render_markdown_with(links, base_path, true)
                    .err()
                    .unwrap_or_default();
            }
        }
        Error::collect(errors.into_iter().flatten().collect())
    }
}

/// The part of a page's text kept for the search index, given the number of pages.
pub type SearchText = fn(&str, usize) -> &str;

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
