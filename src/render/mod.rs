//! Rendering with Tera: the [`Renderer`] holds the loaded templates, grove's functions and
//! each page's light value, and renders one [`Job`] at a time.
//!
//! [`jobs`]: what the site produces and which outputs a change affects; [`templates`]:
//! loading them; [`values`]: what templates see; [`functions`]: `get_url` and the rest.

pub mod banner;
pub mod functions;
pub mod jobs;
pub mod pictures;
pub mod templates;
mod unsaved;
pub mod values;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard};

use rayon::prelude::*;
use serde_json::{Map, Value};
use tera::{Context, Tera};

use crate::diag::{Error, Result, Shown};
use crate::site::Site;

pub use jobs::{Job, What, file_to_url, pager_url, url_to_file};
use templates::{alias_page, page_template, section_template, tera_message};

/// Each page's light value, by page index.
pub type LightPages = Arc<RwLock<Vec<Value>>>;

/// The static files (by output path) whose stamp some rendered output shows, through
/// `get_url(cachebust=true)`: when one of them changes, the outputs must be rendered
/// again; when another changes (a new picture), none need be. Kept from one renderer to
/// the next, since outputs rendered by an earlier one are still served.
pub type StampUses = Arc<RwLock<std::collections::HashSet<String>>>;

/// Reads the light values (a panic elsewhere while they were written left them whole:
/// each is replaced in one assignment).
pub fn read(light: &LightPages) -> RwLockReadGuard<'_, Vec<Value>> {
    light.read().unwrap_or_else(|p| p.into_inner())
}

/// Tera, loaded with the site's templates and grove's functions, plus precomputed values.
pub struct Renderer {
    tera: Tera,
    config: Value,
    /// Light page values (no content, no toc), by page index; shared with the functions,
    /// so that a save updates them in place without registering the functions again.
    light: LightPages,
    /// Each page's place in its section's order, so `lower`/`higher` need no scan of the
    /// section (a scan per page is quadratic on a large section).
    positions: Vec<Option<usize>>,
    /// The static files' stamps, for `get_url(cachebust=true)`.
    stamps: Arc<HashMap<String, String>>,
    /// Which of them rendered outputs show.
    uses: StampUses,
    /// Template name -> the file it came from, for error messages.
    sources: HashMap<String, PathBuf>,
    /// The pictures outputs show, and the sizes they asked for.
    pictures: Arc<pictures::Pictures>,
    /// How many templates were rendered: a regression guard for incremental rebuilds.
    pub renders: AtomicUsize,
}

impl Renderer {
    /// Loads the templates and makes the values every template can reach. `stamps`: each
    /// static file's stamp by output path (see [`functions::register`]); `uses`: where
    /// the stamps outputs show are noted.
    pub fn new(
        site: &Site,
        stamps: Arc<HashMap<String, String>>,
        uses: StampUses,
        pictures: Arc<pictures::Pictures>,
    ) -> Result<Renderer> {
        let dirs = templates::template_dirs(&site.root, site.config.theme_dir(&site.root));
        let (mut tera, sources) = templates::load(&dirs, &site.roots)?;
        templates::check_needed(&tera, site)?;
        let light: LightPages = Arc::new(RwLock::new(
            site.pages
                .par_iter()
                .map(|p| values::light_page(site, p))
                .collect(),
        ));
        functions::register(&mut tera, site, &light, &stamps, &uses, &pictures);
        Ok(Renderer {
            pictures,
            tera,
            config: serde_json::to_value(&site.config).unwrap_or(Value::Null),
            positions: positions(site),
            light,
            stamps,
            uses,
            sources,
            renders: AtomicUsize::new(0),
        })
    }

    /// For the preview server: after `pages` were re-read in place (same URLs, same order
    /// and grouping), makes their values again. The templates and every other page's
    /// values are kept, so a save costs the pages it touched, not the whole site.
    pub fn refresh_pages(&mut self, site: &Site, pages: &[usize]) {
        let fresh: Vec<(usize, Value)> = pages
            .iter()
            .map(|&i| (i, values::light_page(site, &site.pages[i])))
            .collect();
        let mut light = self.light.write().unwrap_or_else(|p| p.into_inner());
        for (i, value) in fresh {
            light[i] = value;
        }
    }

    /// After the static files changed: `get_url(cachebust=true)` uses their new stamps.
    pub fn set_stamps(
        &mut self,
        site: &Site,
        stamps: Arc<HashMap<String, String>>,
        pictures: Arc<pictures::Pictures>,
    ) {
        self.stamps = stamps;
        pictures.keep_uses_of(&self.pictures);
        self.pictures = pictures;
        functions::register(
            &mut self.tera,
            site,
            &self.light,
            &self.stamps,
            &self.uses,
            &self.pictures,
        );
    }

    /// The pictures outputs show.
    pub fn pictures(&self) -> &Arc<pictures::Pictures> {
        &self.pictures
    }

    /// Where the stamps rendered outputs show are noted (see [`StampUses`]).
    pub fn stamp_uses(&self) -> StampUses {
        Arc::clone(&self.uses)
    }

    /// Whether any rendered output shows the stamp of one of `paths`.
    pub fn shows_stamp_of<'a>(&self, mut paths: impl Iterator<Item = &'a String>) -> bool {
        let uses = self.uses.read().unwrap_or_else(|p| p.into_inner());
        paths.any(|p| uses.contains(p))
    }

    /// True when a template of that name exists (theme or site).
    pub fn has_template(&self, name: &str) -> bool {
        self.tera.get_template_names().any(|n| n == name)
    }

    /// Every file the site produces from templates, in a stable order.
    pub fn jobs(&self, site: &Site) -> Vec<Job> {
        jobs::all(site, self.has_template("404.html"))
    }

    /// Renders one job to HTML.
    pub fn render(&self, site: &Site, job: &Job) -> Result<String> {
        if let What::Alias { target } = &job.what {
            return Ok(alias_page(target));
        }
        let mut ctx = self.context(site, &job.url);
        let light = read(&self.light);
        let (template, file): (String, Option<&Path>) = match &job.what {
            What::Page(i) => {
                let p = &site.pages[*i];
                let page = values::full_page(site, &light[*i], *i, self.positions[*i]);
                ctx.insert("page".into(), page);
                (page_template(p).to_string(), Some(&p.doc.file))
            }
            What::Section { section, pager } => {
                let s = &site.sections[*section];
                section_context(site, s, &light, *pager, &mut ctx);
                (section_template(s), Some(&s.doc.file))
            }
            What::TagList => {
                ctx.insert("taxonomy".into(), values::taxonomy(site));
                ("tags/list.html".into(), None)
            }
            What::Tag { tag, pager } => {
                let t = &site.tags[*tag];
                let by = site.config.tags_paginate_by;
                let paginator = values::paginator(site, &light, &t.pages, by, *pager, &t.path);
                // Only this list page's articles: with all of them, every list page of a
                // tag would copy the whole tag (quadratic: 4x Hugo's time at 10,000 pages).
                let mut term = values::tag(site, t);
                term["pages"] = paginator["pages"].clone();
                ctx.insert("term".into(), term);
                ctx.insert("paginator".into(), paginator);
                ("tags/single.html".into(), None)
            }
            What::Draft(i) => {
                let d = &site.drafts[*i];
                ctx.insert("page".into(), values::draft_page(site, d));
                (page_template(d).to_string(), Some(&d.doc.file))
            }
            What::NotFound => ("404.html".into(), None),
            What::Alias { .. } => unreachable!("handled above"),
        };
        drop(light);
        self.renders.fetch_add(1, Ordering::Relaxed);
        pictures::Pictures::begin();
        let html = self
            .render_template(template.clone(), file, ctx)
            .and_then(|html| {
                self.pictures
                    .finish(&job.file(), &job.url, html)
                    .map_err(|e| Error::Template {
                        template,
                        page: file.map(|f| f.shown()),
                        message: tera_message(&e),
                    })
            });
        match (&job.what, html) {
            (What::Draft(_), Ok(html)) => Ok(banner::with_banner(&html)),
            // A draft the templates cannot show yet (a field a published page would have)
            // must not stop the preview of the published site: its page says why.
            (What::Draft(_), Err(e)) => Ok(banner::problem_page(&e.to_string())),
            (_, html) => html,
        }
    }

    /// What every template sees, for the output at `url`. The values are moved into the
    /// context afterwards: `Context::insert` would serialize (deep copy) each one again,
    /// and on list pages that copy is most of the render's cost.
    fn context(&self, site: &Site, url: &str) -> Map<String, Value> {
        let mut ctx = Map::new();
        ctx.insert("config".into(), self.config.clone());
        ctx.insert("current_path".into(), Value::String(url.to_string()));
        ctx.insert("current_url".into(), Value::String(site.permalink(url)));
        ctx.insert(
            "grove_version".into(),
            Value::String(env!("CARGO_PKG_VERSION").into()),
        );
        ctx
    }

    /// Renders `template` with `ctx`; errors name the template's file and the page's.
    fn render_template(
        &self,
        template: String,
        file: Option<&Path>,
        ctx: Map<String, Value>,
    ) -> Result<String> {
        let ctx = Context::from_value(Value::Object(ctx)).map_err(|e| Error::Template {
            template: template.clone(),
            page: file.map(|f| f.shown()),
            message: tera_message(&e),
        })?;
        self.tera
            .render(&template, &ctx)
            .map_err(|e| Error::Template {
                template: self
                    .sources
                    .get(&template)
                    .map(|p| p.shown())
                    .unwrap_or(template.clone()),
                page: file.map(|f| f.shown()),
                message: tera_message(&e),
            })
    }
}

/// A section's values: its pages, or (paginated) list page `pager` of them.
fn section_context(
    site: &Site,
    s: &crate::content::Section,
    light: &[Value],
    pager: usize,
    ctx: &mut Map<String, Value>,
) {
    // A paginated section lists its pages through the paginator only.
    let pages = s.meta.paginate_by.is_none().then(|| {
        s.pages
            .iter()
            .map(|&j| values::with_content(&light[j], &site.pages[j]))
            .collect()
    });
    ctx.insert("section".into(), values::section_of(site, s, pages));
    if let Some(by) = s.meta.paginate_by {
        let paginator = values::paginator(site, light, &s.pages, by, pager, &s.path);
        ctx.insert("paginator".into(), paginator);
    }
}

/// Each page's index in its section's list.
fn positions(site: &Site) -> Vec<Option<usize>> {
    let mut positions = vec![None; site.pages.len()];
    for s in &site.sections {
        for (k, &j) in s.pages.iter().enumerate() {
            positions[j] = Some(k);
        }
    }
    positions
}
