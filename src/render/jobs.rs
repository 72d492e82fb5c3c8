//! What a site's templates produce: one [`Job`] per output file, the URL <-> file mapping,
//! list pages (pagers), and which jobs a changed page affects.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::generate::sitemap::Listed;
use crate::site::Site;
use crate::site::update::Update;

/// One file the build writes, and what produces it.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// URL path, e.g. `/articles/x/` or `/404.html`.
    pub url: String,
    pub what: What,
}

/// What a [`Job`] renders.
#[derive(Debug, Clone, PartialEq)]
pub enum What {
    Page(usize),
    Section {
        section: usize,
        pager: usize,
    },
    TagList,
    Tag {
        tag: usize,
        pager: usize,
    },
    NotFound,
    Alias {
        target: String,
    },
    /// A draft's own page in the preview (index into `Site::drafts`), with a banner.
    Draft(usize),
}

impl Job {
    /// The output file for this job, relative to the output folder.
    pub fn file(&self) -> String {
        url_to_file(&self.url)
    }

    /// This output as the sitemap lists it: its URL, and the page it shows when it is a
    /// page; `None` for an alias or the 404 page, which are not listed.
    pub fn listed(&self) -> Option<Listed<'_>> {
        let page = match self.what {
            What::Page(i) => Some(i),
            What::Section { .. } | What::TagList | What::Tag { .. } => None,
            // A draft's own page in the preview is never listed.
            What::Alias { .. } | What::NotFound | What::Draft(_) => return None,
        };
        Some(Listed {
            url: &self.url,
            page,
        })
    }
}

/// `/a/b/` -> `a/b/index.html`; `/404.html` -> `404.html`.
pub fn url_to_file(url: &str) -> String {
    let rel = url.trim_start_matches('/');
    if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    }
}

/// The URL path a tab shows for an output file: `articles/x/index.html` -> `/articles/x/`.
pub fn file_to_url(file: &str) -> String {
    match file.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => format!("/{dir}"),
        _ => format!("/{file}"),
    }
}

/// URL of list page `pager` (0-based) of a list at `base`: page 1 is `base` itself.
pub fn pager_url(base: &str, pager: usize) -> String {
    if pager == 0 {
        base.to_string()
    } else {
        format!("{base}page/{}/", pager + 1)
    }
}

/// How many list pages `len` items make, `by` to a page (one page when not paginated).
pub fn pager_count(len: usize, by: Option<usize>) -> usize {
    match by {
        Some(by) => len.div_ceil(by.max(1)).max(1),
        None => 1,
    }
}

/// The items of list page `pager`: a range of the list's indices.
pub fn pager_items(len: usize, by: Option<usize>, pager: usize) -> Range<usize> {
    match by {
        Some(by) => (pager * by).min(len)..((pager + 1) * by).min(len),
        None => 0..len,
    }
}

/// Every file the site produces from templates, in a stable order. `not_found`: the
/// templates have a 404 page.
pub fn all(site: &Site, not_found: bool) -> Vec<Job> {
    let mut jobs = Vec::new();
    for (i, s) in site.sections.iter().enumerate() {
        for pager in 0..pager_count(s.pages.len(), s.meta.paginate_by) {
            jobs.push(Job {
                url: pager_url(&s.path, pager),
                what: What::Section { section: i, pager },
            });
        }
    }
    for (i, p) in site.pages.iter().enumerate() {
        jobs.push(Job {
            url: p.path.clone(),
            what: What::Page(i),
        });
        for alias in &p.meta.aliases {
            jobs.push(Job {
                url: crate::site::normalize_alias(alias),
                what: What::Alias {
                    target: site.permalink(&p.path),
                },
            });
        }
    }
    if !site.tags.is_empty() {
        jobs.push(Job {
            url: "/tags/".into(),
            what: What::TagList,
        });
        let by = Some(site.config.tags_paginate_by);
        for (i, t) in site.tags.iter().enumerate() {
            for pager in 0..pager_count(t.pages.len(), by) {
                jobs.push(Job {
                    url: pager_url(&t.path, pager),
                    what: What::Tag { tag: i, pager },
                });
            }
        }
    }
    if not_found {
        jobs.push(Job {
            url: "/404.html".into(),
            what: What::NotFound,
        });
    }
    jobs
}

/// The outputs to re-render after `update`, out of `all` (every job of the site): the
/// edited pages, the list pages that show them, and, when the order or grouping changed,
/// every list page and every neighbour.
pub fn affected(site: &Site, all: &[Job], update: &Update) -> Vec<Job> {
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
        list[pager_items(list.len(), by, pager)]
            .iter()
            .any(|j| update.pages.contains(j))
    };
    all.iter()
        .filter(|job| match &job.what {
            What::Page(i) => pages.contains(i),
            What::Alias { .. } | What::NotFound | What::Draft(_) => false,
            // Templates may list any section through get_section, so first list pages stay fresh.
            What::Section { section, pager } => {
                let s = &site.sections[*section];
                update.structural || *pager == 0 || shows(&s.pages, s.meta.paginate_by, *pager)
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
    jobs.into_iter().partition(|job| match job.what {
        What::Page(i) => update.pages.contains(&i),
        What::Draft(i) => update.drafts.contains(&i),
        _ => false,
    })
}

/// The preview's draft pages: one per draft of `site` whose output file no published
/// output has (`published`: every output file of the site as a build makes it).
pub fn drafts(site: &Site, published: &std::collections::HashSet<String>) -> Vec<Job> {
    site.drafts
        .iter()
        .enumerate()
        .filter(|(_, d)| !published.contains(&url_to_file(&d.path)))
        .map(|(i, d)| Job {
            url: d.path.clone(),
            what: What::Draft(i),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_map_to_index_files_and_back() {
        for (url, file) in [
            ("/", "index.html"),
            ("/articles/x/", "articles/x/index.html"),
            ("/404.html", "404.html"),
            ("/atom.xml", "atom.xml"),
            ("/notindex.html", "notindex.html"),
        ] {
            assert_eq!(url_to_file(url), file);
            assert_eq!(file_to_url(file), url);
        }
    }

    #[test]
    fn pagers_split_a_list_and_name_their_pages() {
        assert_eq!(pager_url("/articles/", 0), "/articles/");
        assert_eq!(pager_url("/articles/", 2), "/articles/page/3/");
        assert_eq!(pager_count(0, Some(10)), 1);
        assert_eq!(pager_count(21, Some(10)), 3);
        assert_eq!(pager_count(21, None), 1);
        assert_eq!(pager_items(21, Some(10), 2), 20..21);
        assert_eq!(pager_items(21, Some(10), 5), 21..21);
        assert_eq!(pager_items(21, None, 0), 0..21);
    }
}
