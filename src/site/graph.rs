//! How the pages of a site hang together: their sections, the URLs they claim, their
//! related entries, their tags, and which pages show which.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::{Site, Tag, compare, normalize_alias};
use crate::content::field_types::SortBy;
use crate::diag::{Cap, Error, FileErrors, Result, SUGGESTED, Shown, nearest};
use crate::slugs::slugify;

impl Site {
    /// The section a file belongs to: the nearest `_index.md` above it (`own_dir`: the
    /// file is a section's own `_index.md`, whose parent starts one folder up; the home
    /// page has none, `usize::MAX`).
    fn section_above(&self, rel: &str, own_dir: bool) -> usize {
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
    }

    /// The section a page at `rel` (`articles/x.md`) belongs to.
    pub(super) fn section_for(&self, rel: &str) -> usize {
        self.section_above(rel, false)
    }

    pub(super) fn attach_to_sections(&mut self) {
        let section_of = |rel: &str, own_dir: bool| self.section_above(rel, own_dir);
        let page_sections: Vec<usize> = self
            .pages
            .iter()
            .map(|p| section_of(&p.doc.relative_path, false))
            .collect();
        let parents: Vec<usize> = self
            .sections
            .iter()
            .map(|s| section_of(&s.doc.relative_path, true))
            .collect();
        for (i, s) in page_sections.into_iter().enumerate() {
            self.pages[i].section = self.sections[s].doc.relative_path.clone();
            self.sections[s].pages.push(i);
        }
        for (i, parent) in parents.into_iter().enumerate() {
            if parent != usize::MAX {
                self.sections[i].parent = Some(parent);
                self.sections[parent].subsections.push(i);
            }
        }
    }

    pub(super) fn check_unique_urls(&self) -> Result<()> {
        let mut seen: HashMap<String, PathBuf> = HashMap::new();
        let mut errors = Vec::new();
        // A page with thousands of clashing aliases shows its first few.
        let mut caps: HashMap<PathBuf, Cap> = HashMap::new();
        let mut claim = |url: String, file: &Path, what: &str| {
            if let Some(first) = seen.get(&url) {
                if caps.entry(file.to_path_buf()).or_default().take() {
                    errors.push(
                        Error::file(file, format!("{what} `{url}` is also the URL of `{}`", first.shown()))
                            .with_help("two files cannot share a URL: rename one of them or give it another slug = \"...\""),
                    );
                }
            } else {
                seen.insert(url, file.to_path_buf());
            }
        };
        for s in &self.sections {
            claim(s.path.clone(), &s.doc.file, "its URL");
        }
        for p in &self.pages {
            claim(p.path.clone(), &p.doc.file, "its URL");
            for a in &p.meta.aliases {
                claim(normalize_alias(a), &p.doc.file, "its alias");
            }
        }
        let mut more: Vec<(PathBuf, usize)> = caps
            .into_iter()
            .filter(|(_, cap)| cap.more() > 0)
            .map(|(file, cap)| (file, cap.more()))
            .collect();
        more.sort();
        errors.extend(more.into_iter().map(|(file, n)| Error::more(file, n)));
        Error::collect(errors)
    }

    pub(crate) fn resolve_related(&mut self) -> Result<()> {
        let mut errors = Vec::new();
        let mut related_faq: HashMap<usize, Vec<usize>> = HashMap::new();
        // "Did you mean" compares a name with every page: for the first errors only.
        let mut suggestions = SUGGESTED;
        for (i, page) in self.pages.iter().enumerate() {
            let mut page_errors = FileErrors::new(&page.doc.file, &page.doc.text);
            for target in &page.meta.related {
                let key = crate::content::content_path(target);
                match self.page_index.get(key) {
                    Some(&j) => related_faq.entry(j).or_default().push(i),
                    None => page_errors.push(|| {
                        suggestions = suggestions.saturating_sub(1);
                        let found = (suggestions > 0)
                            .then(|| nearest(key, self.page_index.keys().map(String::as_str)))
                            .flatten();
                        page.related_missing(target, found)
                    }),
                }
            }
            errors.extend(page_errors.into_errors());
        }
        for list in related_faq.values_mut() {
            list.sort_by_key(|&i| (self.pages[i].meta.weight, i));
        }
        self.related_faq = related_faq;
        Error::collect(errors)
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
                // Pages come in order, so a page that names a tag twice (or two names with
                // one slug) can only be the last one listed: searching the whole list made
                // this quadratic in the tag's size (1.4% of the CPU at 100,000 articles).
                if tag.pages.last() != Some(&i) {
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

    /// Pages whose own output shows page `i`'s title: its neighbours and related entries.
    pub fn dependents(&self, i: usize) -> Vec<usize> {
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

    /// The tag named `name`, if any page carries it.
    pub fn tag(&self, name: &str) -> Option<&Tag> {
        let slug = slugify(name);
        self.tags
            .binary_search_by(|t| t.slug.as_str().cmp(&slug))
            .ok()
            .map(|i| &self.tags[i])
    }
}
