//! The preview's side of a rebuild: the library's [`LiveBuild`] plans and applies each
//! batch of changes; this turns each part it hands out into a snapshot to serve and the
//! message open tabs get, and keeps the editor's facts in step.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::Snapshot;
use super::edit::Facts;
use crate::diag::Result;
use crate::output::Entry;
use crate::pipeline::live::{Applied, LiveBuild, Part};
use crate::pipeline::plan::Plan;
use crate::pipeline::{BuildStats, Pipeline};
use crate::site::BuildOptions;

/// What open tabs are told when a part of a rebuild is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Reload if showing one of these URL paths (`None`: every tab reloads).
    Reload(Option<Vec<String>>),
    /// Swap stylesheets in place: each hashed copy's old and new URL.
    Stylesheets(Vec<(String, String)>),
    /// Nothing a tab shows needs to change (pages now link to stylesheets already swapped).
    Quiet,
}

/// Receives each finished part of a rebuild: the snapshot to serve, and what tabs are told.
pub type Publish<'a> = dyn FnMut(Snapshot, Notice) + 'a;

/// Holds the live build, the editor's facts and the build number tabs compare.
pub struct Builder {
    live: LiveBuild,
    /// What the editor knows of the last good build (kept while a build fails, so that a
    /// fix can be saved from the editor).
    facts: Option<Arc<Facts>>,
    /// Changes at every published part of a build; a tab that sees a new number reloads.
    pub build: u64,
}

impl Builder {
    /// `options.drafts` off: each draft is served at its own address with a banner, and
    /// left out of everything else.
    pub fn new(root: PathBuf, options: BuildOptions) -> Builder {
        let draft_pages = !options.drafts;
        Builder {
            live: LiveBuild::new(root, options, draft_pages),
            facts: None,
            build: 0,
        }
    }

    /// Renders pages from unsaved text against the build as served (the editor's preview).
    pub fn unsaved(&self) -> crate::pipeline::live::Unsaved {
        self.live.unsaved()
    }

    /// Which kind of rebuild `changed` asks for.
    pub fn plan(&self, changed: &[PathBuf]) -> Plan {
        self.live.plan(changed)
    }

    /// The site as served now, with `error` shown over it.
    pub fn snapshot(&self, error: Option<String>) -> Snapshot {
        Snapshot {
            files: Arc::clone(self.live.files()),
            error,
            build: self.build,
            facts: self.facts.clone(),
        }
    }

    /// The files served now, by output path: what the consistency tests compare.
    pub fn files(&self) -> &HashMap<String, Entry> {
        self.live.files()
    }

    /// Loads and renders the whole site.
    pub fn full(&mut self) -> Result<BuildStats> {
        let stats = self.live.full()?;
        if let Some(p) = self.live.pipeline().as_ref() {
            self.facts = refreshed(self.facts.take(), p);
        }
        self.next_build();
        Ok(stats)
    }

    /// Carries out `plan`, calling `publish` as soon as a part of the site is ready.
    pub fn rebuild(&mut self, plan: &Plan, publish: &mut Publish) -> Result<Applied> {
        let facts = &mut self.facts;
        let build = &mut self.build;
        self.live.apply(plan, &mut |live, part| {
            if let Some(p) = live.pipeline().as_ref() {
                *facts = refreshed(facts.take(), p);
            }
            let notice = match part {
                Part::Edited(paths) | Part::Followers(paths) => {
                    Notice::Reload(Some(paths.to_vec()))
                }
                Part::Stylesheets(renamed) => Notice::Stylesheets(renamed.to_vec()),
                Part::Restyled => Notice::Quiet,
                Part::Everything => Notice::Reload(None),
            };
            if notice != Notice::Quiet {
                *build = next_build(*build);
            }
            let snapshot = Snapshot {
                files: Arc::clone(live.files()),
                error: None,
                build: *build,
                facts: facts.clone(),
            };
            publish(snapshot, notice);
        })
    }

    fn next_build(&mut self) {
        self.build = next_build(self.build);
    }
}

/// A build number after `build`, unique across restarts too, so a tab that reconnects to
/// a new server reloads.
fn next_build(build: u64) -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    now.max(build + 1)
}

/// The editor's facts for `pipeline`: the same ones when no page was added, renamed,
/// retagged or drafted (a save of a page's text keeps them).
fn refreshed(facts: Option<Arc<Facts>>, pipeline: &Pipeline) -> Option<Arc<Facts>> {
    let drafts = pipeline.draft_links();
    if facts
        .as_ref()
        .is_some_and(|f| f.is_current(&pipeline.site, &drafts))
    {
        return facts;
    }
    Some(Arc::new(Facts::new(&pipeline.site, drafts)))
}
