//! The preview's build state: the last good site and its files in memory, rebuilt whole
//! or in part for each batch of changes, and handed to the server part by part.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use crate::cmd::build::{collect_static, render_jobs, render_site, write_generated};
use crate::diag::Result;
use crate::output::{Entry, MemoryOutput};
use crate::render::{Job, Renderer};
use crate::site::update::{Plan, affected_jobs, own_first};
use crate::site::{BuildOptions, Site};

use super::Snapshot;

/// What a rebuild did, for the terminal and the open tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Only stylesheets changed: tabs swap them in place.
    Css,
    /// Other static files changed.
    Static,
    /// This many outputs were rendered again.
    Rendered(usize),
    /// The files were saved without a change to their text: nothing to do.
    Unchanged,
}

/// Receives each finished part of a rebuild: the snapshot to serve, and the URL paths
/// whose output changed (`None`: anything may have changed).
pub type Publish<'a> = dyn FnMut(Snapshot, Option<Vec<String>>) + 'a;

/// Holds the last good site and its files, and rebuilds them.
pub struct Builder {
    /// The site folder as the user named it (messages show paths under it).
    root: PathBuf,
    options: BuildOptions,
    /// `None` when the last build failed: the next change reloads everything.
    site: Option<Site>,
    files: Arc<HashMap<String, Entry>>,
    /// Static files of the last build, for the generated files that list them.
    statics: BTreeMap<String, PathBuf>,
    /// The templates and page values of the last build, kept so that a saved page costs
    /// that page and not a reload of the whole theme; `None` until needed again.
    renderer: Option<Renderer>,
    /// Changes at every published part of a build; a tab that sees a new number reloads.
    pub build: u64,
}

impl Builder {
    pub fn new(root: PathBuf, options: BuildOptions) -> Builder {
        Builder {
            root,
            options,
            site: None,
            files: Arc::default(),
            statics: BTreeMap::new(),
            renderer: None,
            build: 0,
        }
    }

    /// The theme of the last good build, if any.
    pub fn theme(&self) -> Option<String> {
        self.site.as_ref().and_then(|s| s.config.theme.clone())
    }

    /// The site as served now, with `error` shown over it.
    pub fn snapshot(&self, error: Option<String>) -> Snapshot {
        Snapshot {
            files: Arc::clone(&self.files),
            error,
            build: self.build,
        }
    }

    fn next_build(&mut self) {
        // Unique across restarts too, so a tab that reconnects to a new server reloads.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        self.build = now.max(self.build + 1);
    }

    /// Loads and renders the whole site; says how many outputs were rendered.
    pub fn full(&mut self) -> Result<crate::BuildStats> {
        self.site = None;
        self.renderer = None;
        let site = Site::load(&self.root, &self.options)?;
        let out = MemoryOutput::default();
        let stats = render_site(&site, &out)?;
        // Made now rather than at the first save, which is the moment someone is waiting.
        self.renderer = Some(Renderer::new(&site)?);
        self.files = Arc::new(out.into_files());
        self.statics = collect_static(&site)?;
        self.site = Some(site);
        self.next_build();
        Ok(stats)
    }

    /// Carries out `plan`, calling `publish` as soon as a part of the site is ready.
    pub fn rebuild(&mut self, plan: &Plan, publish: &mut Publish) -> Result<Outcome> {
        let Some(mut site) = self.site.take() else {
            return self.full_and_publish(publish);
        };
        match plan {
            Plan::Nothing => {
                self.site = Some(site);
                Ok(Outcome::Unchanged)
            }
            Plan::Static { css_only } => {
                let statics = collect_static(&site)?;
                let files = Arc::make_mut(&mut self.files);
                for (rel, src) in &statics {
                    files.insert(rel.clone(), Entry::File(src.clone()));
                }
                self.statics = statics;
                // Its cache of file hashes (get_url with cachebust) is out of date now.
                self.renderer = None;
                self.site = Some(site);
                self.next_build();
                if *css_only {
                    Ok(Outcome::Css)
                } else {
                    publish(self.snapshot(None), None);
                    Ok(Outcome::Static)
                }
            }
            Plan::Pages(rels) => match site.update_pages(rels, &self.options)? {
                None => self.full_and_publish(publish),
                Some(update) if update.pages.is_empty() => {
                    self.site = Some(site);
                    Ok(Outcome::Unchanged)
                }
                Some(update) => {
                    let renderer = match self.renderer.take() {
                        // Same order and grouping: only the edited pages' values change.
                        Some(mut kept) if !update.structural => {
                            kept.refresh_pages(&site, &update.pages);
                            kept
                        }
                        _ => Renderer::new(&site)?,
                    };
                    let all = renderer.jobs(&site);
                    let (own, rest) = own_first(affected_jobs(&site, &all, &update), &update);
                    // The edited pages first: the tab showing one reloads without waiting
                    // for the lists and tag pages that also show it.
                    let changed = self.render(&site, &renderer, &own)?;
                    self.next_build();
                    publish(self.snapshot(None), Some(changed));
                    let mut changed = self.render(&site, &renderer, &rest)?;
                    // The feed, sitemap and search index show every page: keep them in step.
                    let out = MemoryOutput::default();
                    write_generated(&site, &all, &self.statics, &out)?;
                    changed.extend(self.merge(out));
                    self.site = Some(site);
                    self.renderer = Some(renderer);
                    if !changed.is_empty() {
                        self.next_build();
                        publish(self.snapshot(None), Some(changed));
                    }
                    Ok(Outcome::Rendered(own.len() + rest.len()))
                }
            },
            Plan::Full => self.full_and_publish(publish),
        }
    }

    fn full_and_publish(&mut self, publish: &mut Publish) -> Result<Outcome> {
        let n = self.full()?.rendered;
        publish(self.snapshot(None), None);
        Ok(Outcome::Rendered(n))
    }

    fn render(&mut self, site: &Site, renderer: &Renderer, jobs: &[Job]) -> Result<Vec<String>> {
        let out = MemoryOutput::default();
        render_jobs(site, renderer, jobs, &out)?;
        Ok(self.merge(out))
    }

    /// Puts new outputs in place of the old ones; returns the URL paths whose bytes changed.
    fn merge(&mut self, out: MemoryOutput) -> Vec<String> {
        let files = Arc::make_mut(&mut self.files);
        let mut changed = Vec::new();
        for (key, entry) in out.into_files() {
            if files.get(&key) != Some(&entry) {
                changed.push(url_of(&key));
                files.insert(key, entry);
            }
        }
        changed.sort();
        changed
    }
}

/// The URL path a tab shows for an output file: `articles/x/index.html` -> `/articles/x/`.
pub fn url_of(key: &str) -> String {
    match key.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => format!("/{dir}"),
        _ => format!("/{key}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_files_map_back_to_the_urls_tabs_show() {
        assert_eq!(url_of("index.html"), "/");
        assert_eq!(url_of("articles/x/index.html"), "/articles/x/");
        assert_eq!(url_of("404.html"), "/404.html");
        assert_eq!(url_of("atom.xml"), "/atom.xml");
        assert_eq!(url_of("notindex.html"), "/notindex.html");
    }
}
