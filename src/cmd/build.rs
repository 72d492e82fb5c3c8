//! `grove build`: the whole site into a folder, swapped in only when every file of it was
//! written, so a failed build leaves the published folder as it was.

use std::path::Path;

use crate::diag::Result;
use crate::output::DiskOutput;
use crate::pipeline::{BuildStats, Pipeline};
use crate::site::BuildOptions;

/// Builds the site at `root` into `output`; on any error the old `output` stays as it was.
/// With `options.production`, a placeholder `base_url` is such an error.
pub fn build(root: &Path, output: &Path, options: &BuildOptions) -> Result<BuildStats> {
    let pipeline = Pipeline::load(root, options)?;
    let placeholder = pipeline.site.config.base_url_problem(options.production);
    if options.production
        && let Some(refused) = placeholder
    {
        return Err(refused);
    }
    let out = DiskOutput::prepare(root, output)?;
    let mut stats = pipeline.render_all(&out)?;
    stats.written = out.commit()?;
    stats.warnings.extend(placeholder.map(|w| w.to_string()));
    Ok(stats)
}
