//! The one way a site is built, whoever asks: `grove build` (to disk), `grove check`
//! (into memory, to look at) and `grove serve` (into memory, then part by part on every
//! save). A [`Pipeline`] is a loaded site with its static files and its renderer;
//! [`live::LiveBuild`] keeps one in memory and brings it up to date for each set of
//! changed files ([`plan`] sorts them), so that the preview is a build by construction.

pub mod generated;
pub mod live;
pub mod plan;

use std::collections::HashSet;
use std::sync::Arc;

use rayon::prelude::*;

use crate::content::Kind;
use crate::diag::Result;
use crate::generate::assets::{self, Statics};
use crate::generate::{history, search};
use crate::images::{Library, cache::Cache, is_raster};
use crate::output::Output;
use crate::render::pictures::Pictures;
use crate::render::{Job, Renderer, StampUses, jobs};
use crate::site::update::Update;
use crate::site::{BuildOptions, Site};
use generated::GENERATED;

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
    /// Picture sizes made by this build, and found in the cache.
    pub pictures_made: usize,
    pub pictures_reused: usize,
}

/// A loaded site, ready to render: the model, its static files, and Tera with grove's
/// functions and every page's values.
pub struct Pipeline {
    pub site: Site,
    pub statics: Statics,
    pub renderer: Renderer,
    /// Every output the templates produce.
    pub jobs: Vec<Job>,
    /// The preview's draft pages (empty unless loaded with [`Pipeline::load_with_draft_pages`]):
    /// outputs of their own, never in `jobs`, so nothing published lists them.
    pub drafts: Vec<Job>,
    /// Last git change of each content file, read once per loaded site: the preview keeps
    /// its pipeline between saves, and a save does not change git history, so no save
    /// runs `git log` again.
    history: std::sync::OnceLock<std::collections::HashMap<String, String>>,
    /// Pictures read so far (kept by the preview from one save to the next).
    pub library: Arc<Library>,
    /// Where processed sizes are kept.
    pub cache: Arc<Cache>,
}

/// A draft the preview shows, as the editor lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DraftLink {
    /// The content file, under `content/`: `articles/x.md`.
    pub file: String,
    pub title: String,
    pub kind: Kind,
    /// The page's address in the site (`/articles/x/`), as `Facts::links` has them.
    pub path: String,
    /// The address a browser opens in the preview (`path` under the site's `base_path`).
    pub url: String,
}

impl Pipeline {
    /// The last git change of each undated content file, read on first use.
    pub fn history(&self) -> &std::collections::HashMap<String, String> {
        self.history.get_or_init(|| history::of_undated(&self.site))
    }

    /// Reads the config, the content, the static files and the templates.
    pub fn load(root: &std::path::Path, options: &BuildOptions) -> Result<Pipeline> {
        Pipeline::assemble(Site::load(root, options, search::kept_text)?)
    }

    /// As [`Pipeline::load`], and each draft that `options` leaves out gets its own page,
    /// with a banner, and nothing else: what `grove serve` shows without `--drafts`.
    pub fn load_with_draft_pages(
        root: &std::path::Path,
        options: &BuildOptions,
    ) -> Result<Pipeline> {
        Pipeline::assemble(Site::load_with_draft_pages(
            root,
            options,
            search::kept_text,
        )?)
    }

    fn assemble(site: Site) -> Result<Pipeline> {
        let statics = assets::collect(&site)?;
        let library = Arc::new(Library::default());
        let cache = Arc::new(Cache::new(&site.root));
        let pictures = pictures(&site, &statics, &library);
        let renderer = Renderer::new(
            &site,
            Arc::new(statics.stamps.clone()),
            StampUses::default(),
            pictures,
        )?;
        let jobs = renderer.jobs(&site);
        let mut pipeline = Pipeline {
            site,
            statics,
            renderer,
            jobs,
            drafts: Vec::new(),
            history: std::sync::OnceLock::new(),
            library,
            cache,
        };
        pipeline.drafts = jobs::drafts(&pipeline.site, &pipeline.published());
        Ok(pipeline)
    }

    /// Writes the whole site into `out`.
    pub fn render_all(&self, out: &dyn Output) -> Result<BuildStats> {
        // The feed, sitemap and search index need no template: made on one thread while the
        // others render, rather than after them.
        let (rendered, generated) = rayon::join(
            || {
                self.render_jobs(&self.jobs, out)?;
                self.render_jobs(&self.drafts, out)
            },
            || self.write_generated(out, |_| true),
        );
        rendered?;
        generated?;
        // After the pages: they say which pictures are shown in which sizes.
        self.write_pictures(out)?;
        Ok(self.stats())
    }

    /// Writes the static files and the picture sizes the rendered outputs show into
    /// `out`. A picture shown only through its sizes is not published itself; any other
    /// picture is published without its metadata.
    pub fn write_pictures(&self, out: &dyn Output) -> Result<()> {
        let pictures = self.renderer.pictures();
        let jobs: HashSet<String> = self
            .jobs
            .iter()
            .chain(&self.drafts)
            .map(Job::file)
            .collect();
        pictures.retain(&jobs);
        let crate::render::pictures::Wanted {
            work,
            sizes,
            processed,
            direct,
        } = pictures.wanted();
        self.cache.make(&work)?;
        sizes
            .par_iter()
            .try_for_each(|(rel, size)| out.copy(rel, &self.cache.path(&size.key)))?;
        self.statics.files.par_iter().try_for_each(|(rel, src)| {
            if !is_raster(rel) {
                return out.copy(rel, src);
            }
            if processed.contains(rel) && !direct.contains(rel) {
                return Ok(());
            }
            let stamp = self.statics.stamps.get(rel).map_or("", String::as_str);
            out.copy(rel, &self.library.stripped(&self.cache, src, stamp)?)
        })
    }

    /// Writes into `out` the sizes the rendered outputs show that `missing` says are not
    /// published yet, made now if new: all a page edited in the preview needs before it is
    /// shown. The rest ([`Pipeline::write_pictures`]: static files, pictures published as
    /// they are) waits until after the reload, as it reads every static file.
    pub fn write_new_sizes(
        &self,
        out: &dyn Output,
        missing: impl Fn(&str) -> bool + Sync,
    ) -> Result<()> {
        let crate::render::pictures::Wanted { work, sizes, .. } = self.renderer.pictures().wanted();
        let work: Vec<_> = work
            .into_iter()
            .map(|(picture, all)| {
                let new: Vec<_> = all.into_iter().filter(|s| missing(&s.rel)).collect();
                (picture, new)
            })
            .filter(|(_, new)| !new.is_empty())
            .collect();
        self.cache.make(&work)?;
        sizes
            .par_iter()
            .filter(|(rel, _)| missing(rel))
            .try_for_each(|(rel, size)| out.copy(rel, &self.cache.path(&size.key)))
    }

    /// Renders `jobs` in parallel and writes them into `out`.
    pub fn render_jobs(&self, jobs: &[Job], out: &dyn Output) -> Result<()> {
        jobs.par_iter().try_for_each(|job| {
            let html = self.renderer.render(&self.site, job)?;
            out.write(&job.file(), html.into_bytes())
        })
    }

    /// Writes the files made from the whole site rather than from a template (see
    /// [`generated`]) that the site has and `which` asks for.
    pub fn write_generated(
        &self,
        out: &dyn Output,
        which: impl Fn(generated::Generated) -> bool,
    ) -> Result<()> {
        for g in GENERATED {
            if which(g) && g.made_for(self) {
                out.write(g.file(), g.make(self))?;
            }
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
            let pictures = pictures(&self.site, &self.statics, &self.library);
            pictures.keep_uses_of(self.renderer.pictures());
            self.renderer = Renderer::new(
                &self.site,
                Arc::new(self.statics.stamps.clone()),
                self.renderer.stamp_uses(),
                pictures,
            )?;
            self.jobs = self.renderer.jobs(&self.site);
            // A tag page that appeared may now have a draft's address.
            self.drafts = jobs::drafts(&self.site, &self.published());
        } else {
            self.renderer.refresh_pages(&self.site, &update.pages);
        }
        Ok(Some(update))
    }

    /// The outputs an update changes: the edited pages' (and drafts') own first, then
    /// the rest.
    pub fn affected(&self, update: &Update) -> (Vec<Job>, Vec<Job>) {
        let (mut own, rest) =
            jobs::own_first(jobs::affected(&self.site, &self.jobs, update), update);
        own.extend(
            self.drafts
                .iter()
                .filter(|j| matches!(j.what, crate::render::What::Draft(i) if update.drafts.contains(&i)))
                .cloned(),
        );
        (own, rest)
    }

    /// Reads the static files again (one was saved, added or removed).
    pub fn refresh_statics(&mut self) -> Result<()> {
        self.statics = assets::collect(&self.site)?;
        let stamps = Arc::new(self.statics.stamps.clone());
        let pictures = pictures(&self.site, &self.statics, &self.library);
        self.renderer.set_stamps(&self.site, stamps, pictures);
        self.drafts = jobs::drafts(&self.site, &self.published());
        Ok(())
    }

    /// Every output path the site has now: static files, rendered pages, generated
    /// files, and the preview's draft pages.
    pub fn outputs(&self) -> HashSet<String> {
        let mut all = self.published();
        all.extend(self.drafts.iter().map(Job::file));
        all
    }

    /// Every output path a build of the site writes: all but the preview's draft pages.
    pub fn published(&self) -> HashSet<String> {
        let crate::render::pictures::Wanted {
            sizes,
            processed,
            direct,
            ..
        } = self.renderer.pictures().wanted();
        let mut all: HashSet<String> = self
            .statics
            .files
            .keys()
            .filter(|rel| !processed.contains(*rel) || direct.contains(*rel))
            .cloned()
            .collect();
        all.extend(sizes.into_keys());
        all.extend(self.jobs.iter().map(Job::file));
        all.extend(
            GENERATED
                .iter()
                .filter(|g| g.made_for(self))
                .map(|g| g.file().to_string()),
        );
        all
    }

    /// The drafts the site holds, for the editor: the preview's draft pages, or with
    /// `--drafts` the pages marked `draft = true`, by file.
    pub fn draft_links(&self) -> Vec<DraftLink> {
        let site = &self.site;
        let served = self.drafts.iter().filter_map(|j| match j.what {
            crate::render::What::Draft(i) => Some(&site.drafts[i]),
            _ => None,
        });
        let marked = site.pages.iter().filter(|p| p.meta.draft);
        let mut list: Vec<DraftLink> = served
            .chain(marked)
            .map(|p| DraftLink {
                file: p.doc.relative_path.clone(),
                title: p.meta.title.clone(),
                kind: p.kind,
                path: p.path.clone(),
                url: site.url(&p.path),
            })
            .collect();
        list.sort_by(|a, b| a.file.cmp(&b.file));
        list
    }

    /// The page the content file `rel` (`articles/x.md`) will be once `text` is saved,
    /// rendered by the site's templates as a build renders it, from the site as loaded: a
    /// draft that `options` leave out with its banner, as the preview serves it. What a
    /// save or a build would refuse (the front matter, a link that leads nowhere) is the
    /// error. Nothing of the pipeline changes.
    pub fn render_unsaved(&self, rel: &str, text: &str, options: &BuildOptions) -> Result<String> {
        let unsaved = self.site.read_unsaved(rel, text, options)?;
        self.renderer.render_unsaved(&self.site, &unsaved)
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
            pictures_made: self.cache.made.load(std::sync::atomic::Ordering::Relaxed),
            pictures_reused: self.cache.reused.load(std::sync::atomic::Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod unsaved_tests;

/// What the renderer needs to find the site's pictures.
fn pictures(site: &Site, statics: &Statics, library: &Arc<Library>) -> Arc<Pictures> {
    let files = statics
        .files
        .iter()
        .filter(|(rel, _)| is_raster(rel))
        .map(|(rel, src)| {
            let stamp = statics.stamps.get(rel).cloned().unwrap_or_default();
            (rel.clone(), (src.clone(), stamp))
        })
        .collect();
    Arc::new(Pictures::new(
        files,
        &site.config.base_path,
        &site.config.base_url,
        Arc::clone(library),
    ))
}
