//! Incremental rebuilds for the preview server: which files changed, what kind of rebuild
//! that needs, and which outputs depend on an edited page.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::content::Page;
use crate::diag::{Error, Result};
use crate::fs::{display_join, is_ignored_file_name};
use crate::markdown::{self, Source};
use crate::render::{Job, What};
use crate::site::{BuildOptions, Site};

/// What a set of changed files asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Nothing grove reads changed (an editor's swap file, a file outside the site).
    Nothing,
    /// Only files under `static/` changed; `css_only` when all of them are stylesheets.
    Static { css_only: bool },
    /// Only existing Markdown pages changed: re-read these (`articles/x.md`).
    Pages(Vec<String>),
    /// Templates, config, sections, or files created or deleted: rebuild everything.
    Full,
}

/// Sorts changed paths into a plan. Paths may be absolute or relative to the current folder.
pub fn plan(root: &Path, theme: Option<&str>, changed: &[PathBuf]) -> Plan {
    let root_abs = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let content = root_abs.join("content");
    let statics: Vec<PathBuf> = {
        let mut v = vec![root_abs.join("static")];
        if let Some(t) = theme {
            v.push(root_abs.join("themes").join(t).join("static"));
        }
        v
    };
    let mut pages = BTreeSet::new();
    let mut static_files = 0;
    let mut css = 0;
    let mut full = false;
    for path in changed {
        let abs = if path.is_absolute() {
            path.clone()
        } else {
            root_abs.join(path)
        };
        let name = abs
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if is_ignored_file_name(&name) {
            continue;
        }
        if let Ok(rel) = abs.strip_prefix(&content) {
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let rel = rel.join("/");
            if rel.ends_with(".md") && !rel.ends_with("_index.md") && abs.is_file() {
                pages.insert(rel);
            } else {
                full = true;
            }
        } else if statics.iter().any(|s| abs.starts_with(s)) {
            static_files += 1;
            if name.ends_with(".css") {
                css += 1;
            }
            if !abs.exists() {
                full = true;
            }
        } else if abs == root_abs.join("config.toml")
            || abs.starts_with(root_abs.join("templates"))
            || abs.starts_with(root_abs.join("themes"))
            || abs == content
        {
            full = true;
        }
    }
    if full {
        Plan::Full
    } else if !pages.is_empty() {
        Plan::Pages(pages.into_iter().collect())
    } else if static_files > 0 {
        Plan::Static {
            css_only: css == static_files,
        }
    } else {
        Plan::Nothing
    }
}

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
}

impl Site {
    /// Re-reads the given pages in place. `Ok(None)` means the change needs a full reload
    /// (a page appeared, disappeared, moved to another URL, or became a draft).
    pub fn update_pages(
        &mut self,
        rels: &[String],
        options: &BuildOptions,
    ) -> Result<Option<Update>> {
        let mut replacements = Vec::new();
        for rel in rels {
            let Some(&i) = self.page_index.get(rel) else {
                return Ok(None);
            };
            let file = display_join(&self.root, "content").join(rel);
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
            // Saved without a change, or a second event for a save already handled.
            if text == self.pages[i].text {
                continue;
            }
            let mut page = Page::parse(&file, rel, text, &self.config.tz)?;
            let old = &self.pages[i];
            if (page.meta.draft && !options.drafts)
                || page.path != old.path
                || page.meta.aliases != old.meta.aliases
            {
                return Ok(None);
            }
            let source = Source {
                path: &page.file,
                text: &page.text,
                body_offset: page.body_offset,
                base_path: &self.config.base_path,
            };
            page.rendered =
                markdown::render(page.body(), &source, &self.links).map_err(Error::Many)?;
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
        if structural {
            self.resolve_related()?;
            self.sort_sections();
            self.collect_tags();
        }
        Ok(Some(Update {
            pages,
            structural,
            before: before.into_iter().collect(),
        }))
    }

    /// Pages whose own output shows page `i`'s title: its neighbours and related entries.
    fn dependents(&self, i: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let siblings = &self.section_of(&self.pages[i]).pages;
        if let Some(k) = siblings.iter().position(|&j| j == i) {
            if k > 0 {
                out.push(siblings[k - 1]);
            }
            if let Some(&j) = siblings.get(k + 1) {
                out.push(j);
            }
        }
        if let Some(faq) = self.related_faq.get(&i) {
            out.extend(faq);
        }
        for r in &self.pages[i].meta.related {
            if let Some(&j) = self.page_index.get(crate::content::content_path(r)) {
                out.push(j);
            }
        }
        out
    }
}

/// The outputs to re-render after `update`, out of `all` (every job of the site): the
/// edited pages, the list pages that show them, and, when the order or grouping changed,
/// every list page and every neighbour.
pub fn affected_jobs(site: &Site, all: &[Job], update: &Update) -> Vec<Job> {
    if update.pages.is_empty() {
        return Vec::new();
    }
    let mut pages: BTreeSet<usize> = update.pages.iter().copied().collect();
    if update.structural {
        pages.extend(update.before.iter().copied());
        for &i in &update.pages {
            pages.extend(site.dependents(i));
        }
    }
    let shows = |list: &[usize], by: Option<usize>, pager: usize| -> bool {
        match by {
            Some(by) => list
                .iter()
                .skip(pager * by)
                .take(by)
                .any(|j| update.pages.contains(j)),
            None => list.iter().any(|j| update.pages.contains(j)),
        }
    };
    all.iter()
        .filter(|job| match &job.what {
            What::Page(i) => pages.contains(i),
            What::Alias { .. } => false,
            What::NotFound => false,
            // Templates may list any section through get_section, so first list pages stay fresh.
            What::Section { section, pager } => {
                let s = &site.sections[*section];
                update.structural || *pager == 0 || shows(&s.pages, s.paginate_by, *pager)
            }
            What::TagList => update.structural,
            What::Tag { tag, pager } => {
                update.structural
                    || shows(
                        &site.tags[*tag].pages,
                        Some(site.config.tags_paginate_by),
                        *pager,
                    )
            }
        })
        .cloned()
        .collect()
}

/// Splits `jobs` into the edited pages' own outputs, which a writer is looking at and which
/// are served first, and the rest (lists, neighbours, tags), which follow.
pub fn own_first(jobs: Vec<Job>, update: &Update) -> (Vec<Job>, Vec<Job>) {
    jobs.into_iter()
        .partition(|job| matches!(job.what, What::Page(i) if update.pages.contains(&i)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_by_what_changed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/faq")).unwrap();
        std::fs::create_dir_all(root.join("static/css")).unwrap();
        std::fs::write(root.join("content/faq/a.md"), "").unwrap();
        std::fs::write(root.join("static/css/site.css"), "").unwrap();
        std::fs::write(root.join("static/logo.svg"), "").unwrap();
        let p = |list: &[&str]| {
            plan(
                root,
                Some("t"),
                &list.iter().map(|s| root.join(s)).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            p(&["content/faq/a.md"]),
            Plan::Pages(vec!["faq/a.md".into()])
        );
        assert_eq!(
            p(&["content/faq/.a.md.swp", "content/faq/4913"]),
            Plan::Nothing
        );
        assert_eq!(p(&["content/faq/gone.md"]), Plan::Full);
        assert_eq!(p(&["content/faq/_index.md"]), Plan::Full);
        assert_eq!(p(&["static/css/site.css"]), Plan::Static { css_only: true });
        assert_eq!(
            p(&["static/css/site.css", "static/logo.svg"]),
            Plan::Static { css_only: false }
        );
        assert_eq!(p(&["config.toml"]), Plan::Full);
        assert_eq!(p(&["themes/t/templates/base.html"]), Plan::Full);
        assert_eq!(p(&["public/index.html"]), Plan::Nothing);
    }
}
