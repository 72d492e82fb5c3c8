//! The site model: every page and section loaded, linked, sorted and grouped by tag.
//! `Site::load` reads `content/` and returns a model that rendering only reads.

pub mod update;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::content::front_matter::SortBy;
use crate::content::{Kind, Page, Section};
use crate::diag::{Error, Result, Shown};
use crate::fs::{Roots, Skip, display_join, read_text, walk};
use crate::markdown::{self, LinkMap, Source};
use crate::slugs::{nearest, slugify};

/// What the command line can change about a build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Include pages with `draft = true`.
    pub drafts: bool,
    /// Replaces `base_url` from `config.toml` (previews, CI).
    pub base_url: Option<String>,
    /// A build to publish: a placeholder `base_url` is an error, not a warning.
    pub production: bool,
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
    /// Last git change of each content file, read once per loaded site (see [`Site::history`]).
    history: std::sync::OnceLock<HashMap<String, String>>,
}

enum Loaded {
    Page(Box<Page>),
    Section(Box<Section>),
}

impl Site {
    /// Reads the config and every content file, renders the Markdown, links and sorts.
    pub fn load(root: &Path, options: &BuildOptions) -> Result<Site> {
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
        for item in loaded {
            match item {
                Ok(Loaded::Page(p)) if p.meta.draft && !options.drafts => {}
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
        site.render_markdown()?;
        site.resolve_related()?;
        site.sort_sections();
        site.collect_tags();
        Ok(site)
    }

    fn attach_to_sections(&mut self) {
        let section_of = |rel: &str, own_dir: bool| -> usize {
            let mut dir = match rel.rsplit_once('/') {
                Some((d, _)) => d.to_string(),
                None => String::new(),
            };
            if own_dir {
                // a section's parent starts one folder up
                dir = dir
                    .rsplit_once('/')
                    .map(|(d, _)| d.to_string())
                    .unwrap_or_default();
                if rel == "_index.md" {
                    return usize::MAX;
                }
            }
            loop {
                let candidate = if dir.is_empty() {
                    "_index.md".to_string()
                } else {
                    format!("{dir}/_index.md")
                };
                if let Some(&i) = self.section_index.get(&candidate) {
                    return i;
                }
                match dir.rsplit_once('/') {
                    Some((d, _)) => dir = d.to_string(),
                    None if dir.is_empty() => return self.section_index["_index.md"],
                    None => dir.clear(),
                }
            }
        };
        let page_sections: Vec<usize> = self
            .pages
            .iter()
            .map(|p| section_of(&p.relative_path, false))
            .collect();
        let parents: Vec<usize> = self
            .sections
            .iter()
            .map(|s| section_of(&s.relative_path, true))
            .collect();
        for (i, s) in page_sections.into_iter().enumerate() {
            self.pages[i].section = self.sections[s].relative_path.clone();
            self.sections[s].pages.push(i);
        }
        for (i, parent) in parents.into_iter().enumerate() {
            if parent != usize::MAX {
                self.sections[i].parent = Some(parent);
                self.sections[parent].subsections.push(i);
            }
        }
    }

    fn check_unique_urls(&self) -> Result<()> {
        let mut seen: HashMap<String, PathBuf> = HashMap::new();
        let mut errors = Vec::new();
        let mut claim = |url: String, file: &Path, what: &str| {
            if let Some(first) = seen.get(&url) {
                errors.push(
                    Error::file(file, format!("{what} `{url}` is also the URL of `{}`", first.shown()))
                        .with_help("two files cannot share a URL: rename one of them or give it another slug = \"...\""),
                );
            } else {
                seen.insert(url, file.to_path_buf());
            }
        };
        for s in &self.sections {
            claim(s.path.clone(), &s.file, "its URL");
        }
        for p in &self.pages {
            claim(p.path.clone(), &p.file, "its URL");
            for a in &p.meta.aliases {
                claim(normalize_alias(a), &p.file, "its alias");
            }
        }
        Error::collect(errors)
    }

    fn render_markdown(&mut self) -> Result<()> {
        let links = &self.links;
        let base_path = self.config.base_path.as_str();
        let page_errors: Vec<Error> = self
            .pages
            .par_iter_mut()
            .flat_map_iter(|p| {
                let source = Source {
                    path: &p.file,
                    text: &p.text,
                    body_offset: p.body_offset,
                    base_path,
                };
                match markdown::render(p.body(), &source, links) {
                    Ok(r) => {
                        p.rendered = r;
                        Vec::new()
                    }
                    Err(errors) => errors,
                }
            })
            .collect();
        let section_errors: Vec<Error> = self
            .sections
            .par_iter_mut()
            .flat_map_iter(|s| {
                let source = Source {
                    path: &s.file,
                    text: &s.text,
                    body_offset: s.body_offset,
                    base_path,
                };
                match markdown::render(s.body(), &source, links) {
                    Ok(r) => {
                        s.rendered = r;
                        Vec::new()
                    }
                    Err(errors) => errors,
                }
            })
            .collect();
        Error::collect(page_errors.into_iter().chain(section_errors).collect())
    }

    pub(crate) fn resolve_related(&mut self) -> Result<()> {
        let mut errors = Vec::new();
        let mut related_faq: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, page) in self.pages.iter().enumerate() {
            for target in &page.meta.related {
                let key = crate::content::content_path(target);
                match self.page_index.get(key) {
                    Some(&j) => related_faq.entry(j).or_default().push(i),
                    None => {
                        let hint = match nearest(key, self.page_index.keys().map(String::as_str)) {
                            Some(n) => format!("the nearest existing file is `{n}`"),
                            None => "write the path of an article under content/, e.g. \"articles/my-article.md\"".into(),
                        };
                        let message = format!("`related` names `{target}`, which does not exist");
                        errors.push(page.key_error("related", message).with_help(hint));
                    }
                }
            }
        }
        for list in related_faq.values_mut() {
            list.sort_by_key(|&i| (self.pages[i].meta.weight, i));
        }
        self.related_faq = related_faq;
        Error::collect(errors)
    }

    pub(crate) fn sort_sections(&mut self) {
        let pages = &self.pages;
        for s in &mut self.sections {
            let sort_by = s.sort_by;
            s.pages
                .sort_by(|&a, &b| compare(&pages[a], &pages[b], sort_by));
            s.subsections.sort();
        }
    }

    pub(crate) fn collect_tags(&mut self) {
        let mut tags: BTreeMap<String, Tag> = BTreeMap::new();
        for (i, page) in self.pages.iter().enumerate() {
            for name in &page.meta.tags {
                let slug = slugify(name);
                let tag = tags.entry(slug.clone()).or_insert_with(|| Tag {
                    name: name.clone(),
                    path: format!("/tags/{slug}/"),
                    slug,
                    pages: Vec::new(),
                });
                if !tag.pages.contains(&i) {
                    tag.pages.push(i);
                }
            }
        }
        let pages = &self.pages;
        self.tags = tags
            .into_values()
            .map(|mut t| {
                t.pages
                    .sort_by(|&a, &b| compare(&pages[a], &pages[b], SortBy::Date));
                t
            })
            .collect();
    }

    /// When each content file last changed in git, for pages without `date` or `updated`.
    /// Read at most once per loaded site: the preview server keeps the site between saves,
    /// and a save does not change git history, so no save runs `git log` again.
    pub fn history(&self) -> &HashMap<String, String> {
        self.history.get_or_init(|| {
            let undated = self
                .pages
                .iter()
                .any(|p| p.meta.date.is_none() && p.meta.updated.is_none());
            if undated {
                crate::generate::history::last_changes(&self.root)
            } else {
                HashMap::new()
            }
        })
    }

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

/// Page order within a section: by date newest first, by weight, or by title.
pub fn compare(a: &Page, b: &Page, sort_by: SortBy) -> std::cmp::Ordering {
    let title = |p: &Page| p.meta.title.to_lowercase();
    let primary = match sort_by {
        SortBy::Date => {
            let key = |p: &Page| p.meta.date.as_ref().map(|d| d.timestamp);
            match (key(a), key(b)) {
                (Some(x), Some(y)) => y.cmp(&x),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
        }
        SortBy::Weight => a.meta.weight.cmp(&b.meta.weight),
        SortBy::Title => std::cmp::Ordering::Equal,
    };
    primary
        .then_with(|| title(a).cmp(&title(b)))
        .then_with(|| a.relative_path.cmp(&b.relative_path))
}

fn check_theme(root: &Path, config: &Config) -> Result<()> {
    let Some(dir) = config.theme_dir(root) else {
        return Ok(());
    };
    let templates = dir.join("templates");
    let theme = config.theme.as_deref().unwrap_or_default();
    let config_file = display_join(root, "config.toml");
    match std::fs::metadata(&templates) {
        Ok(m) if m.is_dir() => Ok(()),
        // A link that loops (or leads to a missing folder) would otherwise read as "not
        // found" and suggest the very name that is already written.
        Err(e)
            if std::fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_symlink())
                && std::fs::metadata(&dir).is_err() =>
        {
            Err(Error::file(
                config_file,
                format!(
                    "theme `{theme}`: {} is a symbolic link that cannot be followed ({e})",
                    dir.shown()
                ),
            )
            .with_help(format!(
                "a link that points to itself, or to a link back to it, never reaches a folder: replace themes/{theme} with the theme's folder or point the link at one"
            )))
        }
        _ if dir.is_dir() => Err(Error::file(
            config_file,
            format!(
                "theme `{theme}` has no templates: there is no folder {}",
                templates.shown()
            ),
        )
        .with_help(format!(
            "a theme keeps its Tera templates in themes/{theme}/templates/"
        ))),
        _ => {
            let available: Vec<String> = std::fs::read_dir(display_join(root, "themes"))
                .map(|rd| {
                    rd.filter_map(|e| e.ok())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            let help = match nearest(theme, available.iter().map(String::as_str)) {
                Some(n) => format!("did you mean theme = \"{n}\"?"),
                None if available.is_empty() => {
                    "put the theme in themes/<name>/templates/, or remove `theme` from config.toml"
                        .into()
                }
                None => format!("themes found: {}", available.join(", ")),
            };
            Err(Error::file(
                config_file,
                format!(
                    "theme `{theme}` not found: there is no folder {}",
                    templates.shown()
                ),
            )
            .with_help(help))
        }
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

fn load_file(file: &Path, rel: &str, tz: &jiff::tz::TimeZone) -> Result<Loaded> {
    let text = read_text(file)?;
    if rel == "_index.md" || rel.ends_with("/_index.md") {
        Section::parse(file, rel, text).map(|s| Loaded::Section(Box::new(s)))
    } else {
        Page::parse(file, rel, text, tz).map(|p| Loaded::Page(Box::new(p)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Page;

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
