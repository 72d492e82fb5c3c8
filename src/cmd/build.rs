//! One build from start to finish: load the site, render every output, copy static files,
//! and swap the result into place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diag::Result;
use crate::fs::{Skip, walk};
use crate::output::{DiskOutput, Output};
use crate::render::{Renderer, static_dirs};
use crate::site::{BuildOptions, Site};

/// What a build produced, for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildStats {
    /// What is worth fixing but did not stop the build, one message each.
    pub warnings: Vec<String>,
    pub pages: usize,
    pub sections: usize,
    /// HTML files written from templates (pages, list pages, tags, aliases, 404).
    pub rendered: usize,
    pub static_files: usize,
}

/// Builds the site at `root` into `output`; on any error the old `output` stays as it was.
pub fn build(root: &Path, output: &Path, options: &BuildOptions) -> Result<BuildStats> {
    let site = Site::load(root, options)?;
    let placeholder = site.config.base_url_problem(options.production);
    if options.production
        && let Some(refused) = placeholder
    {
        return Err(refused);
    }
    let out = DiskOutput::prepare(root, output)?;
    let mut stats = render_site(&site, &out)?;
    out.commit()?;
    stats.warnings.extend(placeholder.map(|w| w.to_string()));
    Ok(stats)
}

/// Renders every output of `site` into `out`.
pub fn render_site(site: &Site, out: &dyn Output) -> Result<BuildStats> {
    let renderer = Renderer::new(site)?;
    renderer.check_templates(site)?;
    let statics = collect_static(site)?;
    statics
        .par_iter()
        .try_for_each(|(rel, src)| out.copy(rel, src))?;
    let jobs = renderer.jobs(site);
    // The feed, sitemap and search index need no template: made on one thread while the
    // others render, rather than after them.
    let (rendered, generated) = rayon::join(
        || render_jobs(site, &renderer, &jobs, out),
        || write_generated(site, &jobs, &statics, out),
    );
    rendered?;
    generated?;
    Ok(BuildStats {
        warnings: site.config.warnings.iter().map(|w| w.to_string()).collect(),
        pages: site.pages.len(),
        sections: site.sections.len(),
        rendered: jobs.len(),
        static_files: statics.len(),
    })
}

/// Renders `jobs` in parallel and writes them into `out`.
pub fn render_jobs(
    site: &Site,
    renderer: &Renderer,
    jobs: &[crate::render::Job],
    out: &dyn Output,
) -> Result<()> {
    jobs.par_iter().try_for_each(|job| {
        let html = renderer.render(site, job)?;
        out.write(&job.file(), html.into_bytes())
    })
}

/// Files made from the whole site rather than from a template: the Atom feed, the
/// sitemap, robots.txt (unless the site has its own), the search index and `_headers`.
pub fn write_generated(
    site: &Site,
    jobs: &[crate::render::Job],
    statics: &BTreeMap<String, PathBuf>,
    out: &dyn Output,
) -> Result<()> {
    let history = site.history();
    if let Some(feed) = crate::generate::feed::atom(site, history) {
        out.write("atom.xml", feed.into_bytes())?;
    }
    out.write(
        "sitemap.xml",
        crate::generate::sitemap::sitemap(site, jobs, history).into_bytes(),
    )?;
    if !statics.contains_key("robots.txt") {
        out.write(
            "robots.txt",
            crate::generate::sitemap::robots(site).into_bytes(),
        )?;
    }
    out.write(
        "search-index.json",
        crate::generate::search::index(site).into_bytes(),
    )?;
    if !statics.contains_key("_headers") {
        let hashed: BTreeMap<String, PathBuf> = statics
            .iter()
            .filter(|(rel, src)| {
                crate::generate::assets::is_hashable(&src.to_string_lossy())
                    && !src.ends_with(rel.as_str())
            })
            .map(|(rel, src)| (rel.clone(), src.clone()))
            .collect();
        out.write(
            "_headers",
            crate::generate::assets::headers_file(&hashed).into_bytes(),
        )?;
    }
    Ok(())
}

/// Every static file by output path: the theme's, then the site's `static/`, then files
/// beside the content (later ones win).
pub fn collect_static(site: &Site) -> Result<BTreeMap<String, PathBuf>> {
    let mut files = BTreeMap::new();
    for dir in static_dirs(site) {
        for file in walk(&dir, &site.roots, Skip::Files)? {
            files.insert(file.rel, file.path);
        }
    }
    for (src, rel) in &site.assets {
        files.insert(rel.clone(), src.clone());
    }
    // A copy of each stylesheet and script under a name with its hash, which templates
    // reach through get_url(..., cachebust=true) and hosts may cache for a year.
    let hashed: Vec<(String, PathBuf)> = files
        .iter()
        .filter(|(rel, _)| crate::generate::assets::is_hashable(rel))
        .filter_map(|(rel, src)| {
            let bytes = std::fs::read(src).ok()?;
            Some((
                crate::generate::assets::hashed_name(rel, &crate::generate::assets::hash(&bytes)),
                src.clone(),
            ))
        })
        .collect();
    files.extend(hashed);
    Ok(files)
}
