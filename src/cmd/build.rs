//! `grove build`: the whole site into a folder, swapped in only when every file of it was
//! written, so a failed build leaves the published folder as it was.

use std::path::Path;

use crate::diag::{Error, Result};
use crate::output::DiskOutput;
use crate::pipeline::{BuildStats, Pipeline};
use crate::site::BuildOptions;

/// Builds the site at `root` into `output`; on any error the old `output` stays as it was.
/// With `options.production`, a placeholder `base_url` is such an error.
pub fn build(root: &Path, output: &Path, options: &BuildOptions) -> Result<BuildStats> {
    // Listing the previous build beside the output reads every folder of it: done while
    // the site loads, rather than after. It changes nothing until the first write.
    let (pipeline, out) = std::thread::scope(|s| {
        let out = s.spawn(|| DiskOutput::prepare(root, output));
        let pipeline = Pipeline::load(root, options);
        (pipeline, out.join())
    });
    let pipeline = pipeline?;
    let placeholder = pipeline.site.config.base_url_problem(options.production);
    if options.production
        && let Some(refused) = placeholder
    {
        return Err(refused);
    }
    let out = out.map_err(|_| Error::Output {
        path: output.to_path_buf(),
        message: "grove stopped while it read the previous build".into(),
    })??;
    pipeline
        .cache
        .progress
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let mut stats = pipeline.render_all(&out)?;
    stats.written = out.commit()?;
    stats.warnings.extend(placeholder.map(|w| w.to_string()));
    Ok(stats)
}
