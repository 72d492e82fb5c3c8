//! The site model: every page and section loaded, linked, sorted and grouped by tag.
//! `Site::load` reads `content/` and returns a model that rendering only reads.

mod drafts;
mod graph;
mod load;
mod order;
mod theme;
mod unsaved;
pub mod update;

pub use load::SearchText;
pub use order::compare;
pub use unsaved::Unsaved;

use std::collections::HashMap;
use std::path::PathBuf;

use crate::config::Config;
use crate::content::field_types::SortBy;
use crate::content::{Kind, Page, Section};
use crate::fs::Roots;
use crate::markdown::LinkMap;

/// What the command line can change about a build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Include pages with `draft = true`.
    pub drafts: bool,
    /// Replaces `base_url` from `config.toml` (previews, CI).
    pub base_url: Option<String>,
    /// A build to publish: a placeholder `base_url` is an error, not a warning.
    pub production: bool,
    /// A site built once and let go (`grove build`), not kept to be updated on saves or
    /// checked: as soon as a page's Markdown is rendered, its body and the search text
    /// the index will not show are dropped (at 10,000 pages, about 110 MB).
    pub one_shot: bool,
}

/// A tag and the articles that carry it, newest first.
#[derive(Debug, Clone)]
pub struct Tag {
    pub name: String,
    pub slug: String,
    pub path: String,
    pub pages: Vec<usize>,
}

/// Everything grove knows about a site before rendering.
#[derive(Debug)]
pub struct Site {
    pub root: PathBuf,
    /// The folders the site may read from (links out of them are refused).
    pub roots: Roots,
    pub config: Config,
    pub pages: Vec<Page>,
    pub sections: Vec<Section>,
    pub tags: Vec<Tag>,
    /// `articles/x.md` -> index into `pages`.
    pub page_index: HashMap<String, usize>,
    /// `articles/_index.md` -> index into `sections`.
    pub section_index: HashMap<String, usize>,
    /// `@/` targets: content path -> site path.
    pub links: LinkMap,
    /// Non-Markdown files under `content/` (images beside articles), copied as they are:
    /// (source file, output path under the site root).
    pub assets: Vec<(PathBuf, String)>,
    /// For each FAQ `related` article: the FAQ entries that name it.
    pub related_faq: HashMap<usize, Vec<usize>>,
    /// Drafts whose own page the preview shows (see `drafts.rs`); empty unless loaded with
    /// [`Site::load_with_draft_pages`]. No list, tag or generated file ever reads these.
    pub drafts: Vec<Page>,
    /// `articles/x.md` -> index into `drafts`.
    pub draft_index: HashMap<String, usize>,
}

impl Site {
    /// The section a page belongs to.
    pub fn section_of(&self, page: &Page) -> &Section {
        &self.sections[self.section_index[&page.section]]
    }

    /// Sections above `section` (not included), home first.
    pub fn ancestors(&self, mut section: Option<usize>) -> Vec<usize> {
        let mut chain = Vec::new();
        while let Some(i) = section {
            chain.push(i);
            section = self.sections[i].parent;
        }
        chain.reverse();
        chain
    }

    /// `base_url` + `path`: the absolute address, for canonical links, feeds and sitemaps.
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{}", self.config.base_url, path)
    }

    /// `base_path` + `path`: the root-relative address every link in a page uses, which
    /// works on any host and under a sub-path (`/site/articles/x/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.config.base_path, path)
    }

    /// Pages of one kind, in their section's order (FAQ entries and team bios for overviews).
    pub fn pages_of_kind(&self, kind: Kind) -> Vec<usize> {
        let mut list: Vec<usize> = (0..self.pages.len())
            .filter(|&i| self.pages[i].kind == kind)
            .collect();
        list.sort_by(|&a, &b| compare(&self.pages[a], &self.pages[b], SortBy::Weight));
        list
    }
}

/// The URL path an alias is written to: `/blog/x` -> `/blog/x/`, `old.html` stays a file.
pub fn normalize_alias(alias: &str) -> String {
    let trimmed = alias.trim().trim_start_matches('/');
    if trimmed.ends_with(".html") || trimmed.ends_with(".htm") {
        format!("/{trimmed}")
    } else {
        format!("/{}/", trimmed.trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Page;
    use std::path::Path;

    fn page(rel: &str, front: &str) -> Page {
        Page::parse(
            Path::new(rel),
            rel,
            format!("+++\n{front}\n+++\n"),
            &jiff::tz::TimeZone::UTC,
        )
        .unwrap()
    }

    #[test]
    fn sorts_by_date_newest_first_undated_last() {
        let a = page("articles/a.md", "title = \"A\"\ndate = 2024-01-01");
        let b = page("articles/b.md", "title = \"B\"\ndate = 2025-01-01");
        let c = page("articles/c.md", "title = \"C\"");
        let mut list = [&a, &c, &b];
        list.sort_by(|x, y| compare(x, y, SortBy::Date));
        let titles: Vec<&str> = list.iter().map(|p| p.meta.title.as_str()).collect();
        assert_eq!(titles, ["B", "A", "C"]);
    }

    #[test]
    fn sorts_by_weight_then_title() {
        let a = page("faq/a.md", "title = \"Zeta\"\nweight = 1");
        let b = page("faq/b.md", "title = \"Alpha\"\nweight = 2");
        let c = page("faq/c.md", "title = \"Beta\"\nweight = 1");
        let mut list = [&a, &b, &c];
        list.sort_by(|x, y| compare(x, y, SortBy::Weight));
        let titles: Vec<&str> = list.iter().map(|p| p.meta.title.as_str()).collect();
        assert_eq!(titles, ["Beta", "Zeta", "Alpha"]);
        list.sort_by(|x, y| compare(x, y, SortBy::Title));
        let titles: Vec<&str> = list.iter().map(|p| p.meta.title.as_str()).collect();
        assert_eq!(titles, ["Alpha", "Beta", "Zeta"]);
    }

    #[test]
    fn aliases_normalize_to_folder_urls() {
        assert_eq!(normalize_alias("blog/kap"), "/blog/kap/");
        assert_eq!(normalize_alias("/blog/kap/"), "/blog/kap/");
        assert_eq!(normalize_alias("/old.html"), "/old.html");
    }
}
