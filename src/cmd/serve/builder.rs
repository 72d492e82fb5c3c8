//! The preview's build state: the last good [`Pipeline`] and its files in memory, brought
//! up to date for each batch of changes through the same pipeline `grove build` uses, and
//! handed to the server part by part.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::Snapshot;
use super::edit::Facts;
use super::plan::Plan;
use crate::diag::Result;
use crate::output::{Entry, MemoryOutput};
use crate::pipeline::{BuildStats, Pipeline};
use crate::render::{Job, file_to_url};
use crate::site::BuildOptions;

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
    /// `None` when the last build failed: the next change loads everything.
    pipeline: Option<Pipeline>,
    files: Arc<HashMap<String, Entry>>,
    /// What the editor knows of the last good build (kept while a build fails, so that a
    /// fix can be saved from the editor).
    facts: Option<Arc<Facts>>,
    /// Changes at every published part of a build; a tab that sees a new number reloads.
    pub build: u64,
}

impl Builder {
    pub fn new(root: PathBuf, options: BuildOptions) -> Builder {
        Builder {
            root,
            options,
            pipeline: None,
            files: Arc::default(),
            facts: None,
            build: 0,
        }
    }

    /// The theme of the last good build, if any.
    pub fn theme(&self) -> Option<String> {
        self.pipeline
            .as_ref()
            .and_then(|p| p.site.config.theme.clone())
    }

    /// The site as served now, with `error` shown over it.
    pub fn snapshot(&self, error: Option<String>) -> Snapshot {
        Snapshot {
            files: Arc::clone(&self.files),
            error,
            build: self.build,
            facts: self.facts.clone(),
        }
    }

    /// Brings the editor's facts in step with `pipeline`; a save that adds or renames no
    /// page leaves them as they are.
    fn refresh_facts(&mut self, pipeline: &Pipeline) {
        let site = &pipeline.site;
        if !self.facts.as_ref().is_some_and(|f| f.is_current(site)) {
            self.facts = Some(Arc::new(Facts::new(site)));
        }
    }

    /// The files served now, by output path: what the consistency tests compare.
    pub fn files(&self) -> &HashMap<String, Entry> {
        &self.files
    }

    fn next_build(&mut self) {
        // Unique across restarts too, so a tab that reconnects to a new server reloads.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        self.build = now.max(self.build + 1);
    }

    /// Loads and renders the whole site.
    pub fn full(&mut self) -> Result<BuildStats> {
        self.pipeline = None;
        let pipeline = Pipeline::load(&self.root, &self.options)?;
        let out = MemoryOutput::default();
        let stats = pipeline.render_all(&out)?;
        self.files = Arc::new(out.into_files());
        self.refresh_facts(&pipeline);
        self.pipeline = Some(pipeline);
        self.next_build();
        Ok(stats)
    }

    /// Carries out `plan`, calling `publish` as soon as a part of the site is ready.
    pub fn rebuild(&mut self, plan: &Plan, publish: &mut Publish) -> Result<Outcome> {
        let Some(mut pipeline) = self.pipeline.take() else {
            return self.full_and_publish(publish);
        };
        match plan {
            Plan::Nothing => {
                self.pipeline = Some(pipeline);
                Ok(Outcome::Unchanged)
            }
            Plan::Static { css_only } => {
                pipeline.refresh_statics()?;
                let files = Arc::make_mut(&mut self.files);
                for (rel, src) in &pipeline.statics.files {
                    files.insert(rel.clone(), Entry::File(src.clone()));
                }
                self.pipeline = Some(pipeline);
                self.next_build();
                if *css_only {
                    Ok(Outcome::Css)
                } else {
                    publish(self.snapshot(None), None);
                    Ok(Outcome::Static)
                }
            }
            Plan::Pages(rels) => match pipeline.update_pages(rels, &self.options)? {
                None => self.full_and_publish(publish),
                Some(update) if update.pages.is_empty() => {
                    self.pipeline = Some(pipeline);
                    Ok(Outcome::Unchanged)
                }
                Some(update) => {
                    self.refresh_facts(&pipeline);
                    let (own, rest) = pipeline.affected(&update);
                    // The edited pages first: the tab showing one reloads without waiting
                    // for the lists and tag pages that also show it.
                    let changed = self.render(&pipeline, &own)?;
                    self.next_build();
                    publish(self.snapshot(None), Some(changed));
                    let mut changed = self.render(&pipeline, &rest)?;
                    // The feed, sitemap and search index show every page: keep them in step.
                    let out = MemoryOutput::default();
                    pipeline.write_generated(&out)?;
                    changed.extend(self.merge(out));
                    // A tag nobody carries any more, a list page fewer: gone from the site.
                    changed.extend(self.forget_all_but(&pipeline.outputs()));
                    self.pipeline = Some(pipeline);
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

    fn render(&mut self, pipeline: &Pipeline, jobs: &[Job]) -> Result<Vec<String>> {
        let out = MemoryOutput::default();
        pipeline.render_jobs(jobs, &out)?;
        Ok(self.merge(out))
    }

    /// Removes the files the site no longer has; returns their URL paths.
    fn forget_all_but(&mut self, outputs: &std::collections::HashSet<String>) -> Vec<String> {
        let gone: Vec<String> = self
            .files
            .keys()
            .filter(|k| !outputs.contains(*k))
            .cloned()
            .collect();
        if gone.is_empty() {
            return gone;
        }
        let files = Arc::make_mut(&mut self.files);
        for k in &gone {
            files.remove(k);
        }
        gone.iter().map(|k| file_to_url(k)).collect()
    }

    /// Puts new outputs in place of the old ones; returns the URL paths whose bytes changed.
    fn merge(&mut self, out: MemoryOutput) -> Vec<String> {
        let files = Arc::make_mut(&mut self.files);
        let mut changed = Vec::new();
        for (key, entry) in out.into_files() {
            if files.get(&key) != Some(&entry) {
                changed.push(file_to_url(&key));
                files.insert(key, entry);
            }
        }
        changed.sort();
        changed
    }
}
