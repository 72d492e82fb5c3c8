//! What a site still lacks before it can serve its readers: the settings its theme shows
//! once they are filled in (the clinic's phone, email, address and booking page for the
//! oakland theme), as the theme lists them in its `theme.toml`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Diagnostic, Severity, file_problem};
use crate::diag::{Error, Result};
use crate::site::Site;

/// `theme.toml`: what the theme wants from the site's settings.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    #[serde(default)]
    wanted: Wanted,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wanted {
    /// `[extra]` key -> what it is for, in words for the people who fill it in.
    #[serde(default)]
    extra: BTreeMap<String, String>,
}

/// A warning for each `[extra]` setting the theme wants that is missing or empty.
pub(super) fn missing_settings(site: &Site) -> Result<Vec<Diagnostic>> {
    let Some(dir) = site.config.theme_dir(&site.root) else {
        return Ok(Vec::new());
    };
    let file = dir.join("theme.toml");
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("cannot read", &file, e)),
    };
    let theme: ThemeFile =
        toml::from_str(&text).map_err(|e| crate::diag::toml_error(&file, &text, 0, &e))?;
    let mut problems = Vec::new();
    for (key, what) in &theme.wanted.extra {
        let filled = match site.config.extra.get(key) {
            Some(toml::Value::String(s)) => !s.trim().is_empty(),
            Some(_) => true,
            None => false,
        };
        if filled {
            continue;
        }
        let state = if site.config.extra.contains_key(key) {
            "is empty"
        } else {
            "is not set"
        };
        let error = site
            .config
            .key_error(
                &format!("extra.{key}"),
                &format!("`{key}` under [extra] {state}: {what}"),
            )
            .with_help(format!(
                "write it between the quotes in config.toml, under [extra]: {key} = \"...\"; until then the site leaves it out"
            ));
        problems.extend(file_problem(&error, Severity::Warning));
    }
    Ok(problems)
}
