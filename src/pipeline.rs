//! The one way a site is built, whoever asks: `grove build` (to disk), `grove check`
//! (into memory, to look at) and `grove serve` (into memory, then part by part on every
//! save). A [`Pipeline`] is a loaded site with its static files and its renderer.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::diag::Result;
use crate::generate::assets::{self, Statics};
use crate::generate::{feed, history, search, sitemap};
use crate::output::Output;
use crate::render::{Job, Renderer, jobs};
use crate::site::update::Update;
use crate::site::{BuildOptions, Site};

/// What a build produced, for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildStats {
    /// What is worth fixing but did not stop the build, one message each.
    pub warnings: Vec<String>,
    pub pages: usize,
    pub sections: usize,
    /// Files written from templates (pages, list pages, tags, aliases, 404).
    pub rendered: usize,
    pub static_files: usize,
    /// What reached the disk (`grove build` only).
    pub written: crate::output::Written,
}

/// A loaded site, ready to render: the model, its static files, and Tera with grove's
/// functions and every page's values.
pub struct Pipeline {
    pub site: Site,
    pub statics: Statics,
    pub renderer: Renderer,
    /// Every output the templates produce.
    pub jobs: Vec<Job>,
    /// Last git change of each content file, read once per loaded site: the preview keeps
    /// its pipeline between saves, and a save does not change git history, so no save
    /// runs `git log` again.
    history: OnceLock<HashMap<String, String>>,
}

impl Pipeline {
    /// Reads the config, the content, the static files and the templates.
    pub fn load(root: &std::path::Path, options: &BuildOptions) -> Result<Pipeline> {
        let site = Site::load(root, options, search::kept_text)?;
        let statics = assets::collect(&site)?;
        let renderer = Renderer::new(&site, Arc::new(statics.stamps.clone()))?;
        let jobs = renderer.jobs(&site);
        Ok(Pipeline {
            site,
            statics,
            renderer,
            jobs,
            history: OnceLock::new(),
        })
    }

    /// Writes the whole site into `out`.
    pub fn render_all(&self, out: &dyn Output) -> Result<BuildStats> {
        self.statics
            .files
            .par_iter()
            .try_for_each(|(rel, src)| out.copy(rel, src))?;
        // The feed, sitemap and search index need no template: made on one thread while the
        // others render, rather than after them.
        let (rendered, generated) = rayon::join(
            || self.render_jobs(&self.jobs, out),
            || self.write_generated(out),
        );
        rendered?;
        generated?;
        Ok(self.stats())
    }

    /// Renders `jobs` in parallel and writes them into `out`.
    pub fn render_jobs(&self, jobs: &[Job], out: &dyn Output) -> Result<()> {
        jobs.par_iter().try_for_each(|job| {
            let html = self.renderer.render(&self.site, job)?;
            out.write(&job.file(), html.into_bytes())
        })
    }

    /// The files made from the whole site rather than from a template: the Atom feed, the
    /// sitemap, robots.txt (unless the site has its own), the search index and `_headers`
    /// (unless the site has its own).
    pub fn write_generated(&self, out: &dyn Output) -> Result<()> {
        let site = &self.site;
        let history = self.history.get_or_init(|| history::of_undated(&self.site));
        if let Some(feed) = feed::atom(site, history) {
            out.write("atom.xml", feed.into_bytes())?;
        }
        out.write(
            "sitemap.xml",
            sitemap::sitemap(site, self.jobs.iter().filter_map(Job::listed), history).into_bytes(),
        )?;
        if !self.statics.files.contains_key("robots.txt") {
            out.write("robots.txt", sitemap::robots(site).into_bytes())?;
        }
        out.write("search-index.json", search::index(site).into_bytes())?;
        if !self.statics.files.contains_key("_headers") {
            out.write(
                "_headers",
                assets::headers_file(&self.statics.hashed).into_bytes(),
            )?;
        }
        Ok(())
    }

    /// Re-reads the pages `rels` (`articles/x.md`) in place. `Ok(None)`: the change needs
    /// a full load instead (a page appeared, moved, or became a draft).
    pub fn update_pages(
        &mut self,
        rels: &[String],
        options: &BuildOptions,
    ) -> Result<Option<Update>> {
        let Some(update) = self.site.update_pages(rels, options)? else {
            return Ok(None);
        };
        if update.pages.is_empty() {
            return Ok(Some(update));
        }
        if update.structural {
            // Order or grouping changed: every page's neighbours and lists may have.
            self.renderer = Renderer::new(&self.site, Arc::new(self.statics.stamps.clone()))?;
            self.jobs = self.renderer.jobs(&self.site);
        } else {
            self.renderer.refresh_pages(&self.site, &update.pages);
        }
        Ok(Some(update))
    }

    /// The outputs an update changes: the edited pages' own first, then the rest.
    pub fn affected(&self, update: &Update) -> (Vec<Job>, Vec<Job>) {
        jobs::own_first(jobs::affected(&self.site, &self.jobs, update), update)
    }

    /// Reads the static files again (one was saved, added or removed).
    pub fn refresh_statics(&mut self) -> Result<()> {
        self.statics = assets::collect(&self.site)?;
        let stamps = Arc::new(self.statics.stamps.clone());
        self.renderer.set_stamps(&self.site, stamps);
        Ok(())
    }

    /// Every output path the site has now: static files, rendered pages, generated files.
    pub fn outputs(&self) -> std::collections::HashSet<String> {
        let mut all: std::collections::HashSet<String> =
            self.statics.files.keys().cloned().collect();
        all.extend(self.jobs.iter().map(Job::file));
        if feed::atom_has_entries(&self.site) {
            all.insert("atom.xml".into());
        }
        // Written by write_generated, or the site's own static file of that name.
        for generated in ["sitemap.xml", "search-index.json", "robots.txt", "_headers"] {
            all.insert(generated.into());
        }
        all
    }

    /// The summary of the site as loaded.
    pub fn stats(&self) -> BuildStats {
        BuildStats {
            warnings: self
                .site
                .config
                .warnings
                .iter()
                .map(|w| w.to_string())
                .collect(),
            pages: self.site.pages.len(),
            sections: self.site.sections.len(),
            rendered: self.jobs.len(),
            static_files: self.statics.files.len(),
            written: Default::default(),
        }
    }
}
