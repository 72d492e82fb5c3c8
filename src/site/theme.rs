//! Whether the theme that `config.toml` names is there, with a message for each way it
//! is not (missing, a link that cannot be followed, no templates).

use std::path::Path;

use crate::config::Config;
use crate::diag::nearest;
use crate::diag::{Error, Result, Shown};
use crate::fs::display_join;

/// Fails when the theme named in the config cannot be used.
pub(super) fn check_theme(root: &Path, config: &Config) -> Result<()> {
    let Some(dir) = config.theme_dir(root) else {
        return Ok(());
    };
    let templates = dir.join("templates");
    let theme = config.theme.as_deref().unwrap_or_default();
    let config_file = display_join(root, "config.toml");
    match std::fs::metadata(&templates) {
        Ok(m) if m.is_dir() => Ok(()),
        // A link that loops (or leads to a missing folder) would otherwise read as "not
        // found" and suggest the very name that is already written.
        Err(_)
            if std::fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_symlink())
                && std::fs::metadata(&dir).is_err() =>
        {
            Err(Error::file(
                config_file,
                format!(
                    "theme `{theme}`: {} is a symbolic link that leads to no folder (it points to itself, round a loop of links, or to something missing)",
                    dir.shown()
                ),
            )
            .with_help(format!(
                "a link that points to itself, or to a link back to it, never reaches a folder: replace themes/{theme} with the theme's folder or point the link at one"
            )))
        }
        _ if dir.is_dir() => Err(Error::file(
            config_file,
            format!(
                "theme `{theme}` has no templates: there is no folder {}",
                templates.shown()
            ),
        )
        .with_help(format!(
            "a theme keeps its Tera templates in themes/{theme}/templates/"
        ))),
        _ => {
            let available: Vec<String> = std::fs::read_dir(display_join(root, "themes"))
                .map(|rd| {
                    rd.filter_map(|e| e.ok())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            let help = match nearest(theme, available.iter().map(String::as_str)) {
                Some(n) => format!("did you mean theme = \"{n}\"?"),
                None if available.is_empty() => {
                    "put the theme in themes/<name>/templates/, or remove `theme` from config.toml"
                        .into()
                }
                None => format!("themes found: {}", available.join(", ")),
            };
            Err(Error::file(
                config_file,
                format!(
                    "theme `{theme}` not found: there is no folder {}",
                    templates.shown()
                ),
            )
            .with_help(help))
        }
    }
}
