//! A build kept in memory and brought up to date for each set of changed files: what the
//! preview serves. Every update goes through the same [`Pipeline`] as `grove build`, and
//! its promise is checked by a property test (`tests/it/preview_equals_build.rs`): after
//! any changes, every output equals a fresh full build byte for byte.
//!
//! An update is handed out in parts as soon as each is ready, so that the page a person
//! is looking at comes first: the edited pages, then what follows them (lists, tags,
//! neighbours, feed, sitemap, search index); or new stylesheets, then the pages that
//! link to them.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::plan::{Plan, plan};
use super::{BuildStats, Pipeline};
use crate::diag::Result;
use crate::generate::assets;
use crate::images::is_raster;
use crate::output::{Entry, MemoryOutput};
use crate::render::{Job, file_to_url};
use crate::site::BuildOptions;

/// One part of an update, in place and ready to be shown. URL paths are what a tab shows
/// (`/articles/x/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part<'a> {
    /// The edited pages (the outputs whose bytes changed): shown first, so the tab on
    /// one of them need not wait for the lists that also show it.
    Edited(&'a [String]),
    /// The outputs that follow an edit and whose bytes changed.
    Followers(&'a [String]),
    /// Stylesheets changed: each content-hashed copy's old and new URL, so that open
    /// tabs swap them in place. The pages that link to them follow as [`Part::Restyled`].
    Stylesheets(&'a [(String, String)]),
    /// The pages now link to the new stylesheets (nothing else in them changed).
    Restyled,
    /// Anything may have changed: a full load, or static files other than stylesheets.
    Everything,
}

/// What kind of update a set of changes made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Only stylesheets changed.
    Stylesheets,
    /// Other static files changed.
    Static,
    /// This many outputs were rendered again (all of them after a full load).
    Rendered(usize),
    /// The files were saved without a change to their text: nothing to do.
    Unchanged,
}

/// What applying a set of changes did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub outcome: Outcome,
    /// The URL paths of the outputs whose bytes changed, appeared or went away; `None`
    /// after a full load (anything may have).
    pub changed: Option<Vec<String>>,
}

/// Receives each part of an update as it is ready, with the build as it stands.
pub type Ready<'a> = dyn FnMut(&LiveBuild, Part<'_>) + 'a;

/// The last good [`Pipeline`] (`None` while the site does not build), shared with those
/// who render from it between updates ([`Unsaved`]). Held for writing only while an
/// update changes it, never while it renders or hands out a part.
type Slot = Arc<RwLock<Option<Pipeline>>>;

fn read(slot: &Slot) -> RwLockReadGuard<'_, Option<Pipeline>> {
    // A panic while the pipeline was changed is an error of that update, which left
    // `None` or a whole pipeline in place: reading on is safe.
    slot.read().unwrap_or_else(|p| p.into_inner())
}

fn write(slot: &Slot) -> RwLockWriteGuard<'_, Option<Pipeline>> {
    slot.write().unwrap_or_else(|p| p.into_inner())
}

/// Pages rendered from unsaved text against the live build as it stands (see
/// [`Pipeline::render_unsaved`]): cheap to clone and to hand to other threads.
#[derive(Clone)]
pub struct Unsaved {
    slot: Slot,
    options: BuildOptions,
}

impl Unsaved {
    /// The page `rel` (`articles/x.md`) will be once `text` is saved; `None` while the
    /// site does not build (there is no last good build to render against).
    pub fn render(&self, rel: &str, text: &str) -> Option<Result<String>> {
        read(&self.slot)
            .as_ref()
            .map(|p| p.render_unsaved(rel, text, &self.options))
    }
}

/// The last good [`Pipeline`] of a site and its outputs in memory.
pub struct LiveBuild {
    /// The site folder as the user named it (messages show paths under it).
    root: PathBuf,
    options: BuildOptions,
    /// Each draft gets its own page (the preview without `--drafts`).
    draft_pages: bool,
    /// `None` when the last update failed: the next change loads everything.
    pipeline: Slot,
    files: Arc<HashMap<String, Entry>>,
}

impl LiveBuild {
    /// Nothing is read until [`LiveBuild::full`]. `draft_pages`: see
    /// [`Pipeline::load_with_draft_pages`].
    pub fn new(root: PathBuf, options: BuildOptions, draft_pages: bool) -> LiveBuild {
        LiveBuild {
            root,
            options,
            draft_pages,
            pipeline: Slot::default(),
            files: Arc::default(),
        }
    }

    /// The last good build's pipeline (`None` if the last update failed), held for
    /// reading: drop it before the next update.
    pub fn pipeline(&self) -> RwLockReadGuard<'_, Option<Pipeline>> {
        read(&self.pipeline)
    }

    /// Renders pages from unsaved text against this build, from any thread, as it
    /// stands after each update.
    pub fn unsaved(&self) -> Unsaved {
        Unsaved {
            slot: Arc::clone(&self.pipeline),
            options: self.options.clone(),
        }
    }

    /// Every output, by path (`articles/x/index.html`): rendered bytes, or static files
    /// read when served. Shared, so a server can keep serving one version while the next
    /// is made.
    pub fn files(&self) -> &Arc<HashMap<String, Entry>> {
        &self.files
    }

    /// Which kind of update `changed` (paths under the site folder) asks for.
    pub fn plan(&self, changed: &[PathBuf]) -> Plan {
        let pipeline = read(&self.pipeline);
        let theme = pipeline
            .as_ref()
            .and_then(|p| p.site.config.theme.as_deref());
        plan(&self.root, theme, changed)
    }

    /// Loads and renders the whole site.
    pub fn full(&mut self) -> Result<BuildStats> {
        // The old one goes first: at 10,000 pages, two at once would double the memory.
        *write(&self.pipeline) = None;
        let pipeline = if self.draft_pages {
            Pipeline::load_with_draft_pages(&self.root, &self.options)?
        } else {
            Pipeline::load(&self.root, &self.options)?
        };
        let out = MemoryOutput::default();
        let stats = pipeline.render_all(&out)?;
        self.files = Arc::new(out.into_files());
        *write(&self.pipeline) = Some(pipeline);
        Ok(stats)
    }

    /// Carries `plan` out, handing each part to `ready` as soon as it is in place. After
    /// an error the outputs are those of the last good build, and the next update loads
    /// the whole site.
    pub fn apply(&mut self, plan: &Plan, ready: &mut Ready) -> Result<Applied> {
        let loaded = read(&self.pipeline).is_some();
        let applied = match (plan, loaded) {
            (Plan::Nothing, _) => Ok(unchanged()),
            (_, false) | (Plan::Full, _) => self.full_and(ready),
            (Plan::Static { css_only }, _) => self.statics_changed(*css_only, ready),
            (Plan::Pages(rels), _) => self.pages_changed(rels, ready),
        };
        if applied.is_err() {
            *write(&self.pipeline) = None;
        }
        applied
    }

    fn full_and(&mut self, ready: &mut Ready) -> Result<Applied> {
        let n = self.full()?.rendered;
        ready(self, Part::Everything);
        Ok(Applied {
            outcome: Outcome::Rendered(n),
            changed: None,
        })
    }

    fn pages_changed(&mut self, rels: &[String], ready: &mut Ready) -> Result<Applied> {
        let (update, own, rest) = {
            let mut slot = write(&self.pipeline);
            let p = slot.as_mut().expect("checked by apply");
            let Some(update) = p.update_pages(rels, &self.options)? else {
                drop(slot);
                return self.full_and(ready);
            };
            if update.is_empty() {
                return Ok(unchanged());
            }
            let (own, rest) = p.affected(&update);
            (update, own, rest)
        };
        let slot = read(&self.pipeline);
        let p = slot.as_ref().expect("kept by pages_changed");
        let mut changed = render(&mut self.files, p, &own)?;
        // Before the page is shown: the sizes of a picture it shows for the first time.
        let out = MemoryOutput::default();
        let served = &self.files;
        p.write_new_sizes(&out, |rel| !served.contains_key(rel))?;
        changed.extend(merge(&mut self.files, out));
        drop(slot);
        ready(self, Part::Edited(&changed));

        let slot = read(&self.pipeline);
        let p = slot.as_ref().expect("kept by pages_changed");
        let mut more = render(&mut self.files, p, &rest)?;
        // The sizes of the pictures the pages now show (made now if new), and the
        // pictures published as they are.
        let out = MemoryOutput::default();
        p.write_pictures(&out)?;
        more.extend(merge(&mut self.files, out));
        // A draft's own page is all a draft changes.
        if !update.pages.is_empty() {
            let out = MemoryOutput::default();
            p.write_generated(&out, |g| g.shows_pages())?;
            more.extend(merge(&mut self.files, out));
            // A tag nobody carries any more, a list page fewer: gone from the site.
            more.extend(forget_all_but(&mut self.files, &p.outputs()));
        }
        drop(slot);
        if !more.is_empty() {
            ready(self, Part::Followers(&more));
        }
        changed.extend(more);
        Ok(Applied {
            outcome: Outcome::Rendered(own.len() + rest.len()),
            changed: Some(changed),
        })
    }

    fn statics_changed(&mut self, css_only: bool, ready: &mut Ready) -> Result<Applied> {
        let mut slot = write(&self.pipeline);
        let p = slot.as_mut().expect("checked by apply");
        let before = p.statics.stamps.clone();
        p.refresh_statics()?;
        drop(slot);
        let slot = read(&self.pipeline);
        let p = slot.as_ref().expect("kept by statics_changed");
        let after = &p.statics.stamps;
        let stamped: BTreeSet<&String> = before
            .keys()
            .chain(after.keys())
            .filter(|k| before.get(*k) != after.get(*k))
            .collect();
        let url = |rel: &str| p.site.url(&format!("/{rel}"));
        let renamed: Vec<(String, String)> = stamped
            .iter()
            .filter(|rel| assets::is_hashable(rel))
            .filter_map(|rel| {
                let (old, new) = (before.get(*rel)?, after.get(*rel)?);
                Some((
                    url(&assets::hashed_name(rel, old)),
                    url(&assets::hashed_name(rel, new)),
                ))
            })
            .collect();
        let mut changed: Vec<String> = stamped.iter().map(|rel| file_to_url(rel)).collect();
        let rerender = p.renderer.shows_stamp_of(stamped.iter().copied());
        // The new files beside the old hashed copies, which open tabs still link to
        // until they have swapped their stylesheets.
        let files = Arc::make_mut(&mut self.files);
        for (rel, src) in p.statics.files.iter().filter(|(rel, _)| !is_raster(rel)) {
            files.insert(rel.clone(), Entry::File(src.clone()));
        }
        drop(slot);
        if css_only {
            ready(self, Part::Stylesheets(&renamed));
        }

        let slot = read(&self.pipeline);
        let p = slot.as_ref().expect("kept by statics_changed");
        if rerender {
            // Templates link to these files by their stamps: every output may show one.
            let all: Vec<Job> = p.jobs.iter().chain(&p.drafts).cloned().collect();
            changed.extend(render(&mut self.files, p, &all)?);
        }
        let out = MemoryOutput::default();
        p.write_generated(&out, |g| !g.shows_pages())?;
        p.write_pictures(&out)?;
        changed.extend(merge(&mut self.files, out));
        changed.extend(forget_all_but(&mut self.files, &p.outputs()));
        drop(slot);
        ready(
            self,
            if css_only {
                Part::Restyled
            } else {
                Part::Everything
            },
        );
        changed.sort();
        changed.dedup();
        Ok(Applied {
            outcome: if css_only {
                Outcome::Stylesheets
            } else {
                Outcome::Static
            },
            changed: Some(changed),
        })
    }
}

fn unchanged() -> Applied {
    Applied {
        outcome: Outcome::Unchanged,
        changed: Some(Vec::new()),
    }
}

/// Renders `jobs` of `p` into `files`; returns the URL paths whose bytes changed.
fn render(
    files: &mut Arc<HashMap<String, Entry>>,
    p: &Pipeline,
    jobs: &[Job],
) -> Result<Vec<String>> {
    let out = MemoryOutput::default();
    p.render_jobs(jobs, &out)?;
    Ok(merge(files, out))
}

/// Puts new outputs in place of the old ones; returns the URL paths whose bytes changed.
fn merge(files: &mut Arc<HashMap<String, Entry>>, out: MemoryOutput) -> Vec<String> {
    let files = Arc::make_mut(files);
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

/// Removes the files the site no longer has; returns their URL paths.
fn forget_all_but(
    files: &mut Arc<HashMap<String, Entry>>,
    outputs: &HashSet<String>,
) -> Vec<String> {
    let gone: Vec<String> = files
        .keys()
        .filter(|k| !outputs.contains(*k))
        .cloned()
        .collect();
    if gone.is_empty() {
        return gone;
    }
    let files = Arc::make_mut(files);
    for k in &gone {
        files.remove(k);
    }
    gone.iter().map(|k| file_to_url(k)).collect()
}
