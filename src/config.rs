//! `config.toml`: the site's settings, validated with "did you mean" hints.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, Shown};
use crate::front_matter::{check_keys, key_position, toml_error};

/// One entry of the main navigation.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MenuItem {
    pub name: String,
    pub url: String,
}

/// The site configuration, as written in `config.toml`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Public address of the site, stored without a trailing slash.
    #[serde(default)]
    pub base_url: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default)]
    pub theme: Option<String>,
    #[serde(default)]
    pub menu: Vec<MenuItem>,
    /// How many articles a tag page lists before it continues on `/tags/<tag>/page/2/`.
    #[serde(default = "default_tags_paginate_by")]
    pub tags_paginate_by: usize,
    /// How many of the newest articles `/atom.xml` carries.
    #[serde(default = "default_feed_limit")]
    pub feed_limit: usize,
    /// No longer used (see [`Config::parse`]); read only to say so.
    #[serde(default, skip_serializing)]
    minify_html: Option<bool>,
    #[serde(default)]
    pub extra: toml::Table,
    /// What is worth fixing but does not stop a build, as file diagnostics.
    #[serde(skip)]
    pub warnings: Vec<Error>,
}

fn default_language() -> String {
    "en".to_string()
}

fn default_tags_paginate_by() -> usize {
    10
}

fn default_feed_limit() -> usize {
    20
}

/// Every top-level key `config.toml` accepts.
pub const CONFIG_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "theme",
    "menu",
    "tags_paginate_by",
    "feed_limit",
    "minify_html",
    "extra",
];

impl Config {
    /// Reads and validates `ROOT/config.toml`.
    pub fn load(root: &Path) -> Result<Config> {
        let path = root.join("config.toml");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::file(&path, "no config.toml in the site folder").with_help(format!(
                    "run grove in the site's folder or pass --root; a minimal config.toml is: title = \"My site\"\n        (looked in {})",
                    root.shown()
                ))
            } else {
                Error::io("cannot read", &path, e)
            }
        })?;
        Config::parse(&path, &text)
    }

    /// Parses the text of a config file; `path` is used in error messages only.
    pub fn parse(path: &Path, text: &str) -> Result<Config> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let table: toml::Table = toml::from_str(text).map_err(|e| toml_error(path, text, 0, &e))?;
        check_keys(path, text, 0, &table, CONFIG_KEYS, "config.toml")?;
        let mut config: Config = toml::from_str(text).map_err(|e| toml_error(path, text, 0, &e))?;
        config.base_url = config.base_url.trim_end_matches('/').to_string();
        if config.minify_html.is_some() {
            // Hosts compress pages; on the center's site minifying saved 146 bytes a page
            // after gzip (5.5%), not worth 129 more crates to compile (docs/performance.md).
            config.warnings.push(
                key_error_in(path, text, "minify_html", "`minify_html` is no longer supported and is ignored")
                    .with_help("remove the line: web hosts compress pages, which saves far more than minifying did"),
            );
        }
        if config.tags_paginate_by == 0 {
            return Err(Error::file(path, "`tags_paginate_by` must be at least 1")
                .with_help("remove it to list 10 articles per tag page"));
        }
        Ok(config)
    }

    /// The theme's folder, when a theme is set.
    pub fn theme_dir(&self, root: &Path) -> Option<PathBuf> {
        self.theme.as_ref().map(|t| root.join("themes").join(t))
    }
}

/// An error pointing at the line of a top-level key of `config.toml`.
fn key_error_in(path: &Path, text: &str, key: &str, message: &str) -> Error {
    match key_position(text, key) {
        Some((line, column)) => {
            Error::at_position(path, text, crate::error::Position { line, column }, message)
        }
        None => Error::file(path, message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_full_config() {
        let text = r#"
title = "Center"
base_url = "https://example.org/"
theme = "oakland"
[[menu]]
name = "FAQ"
url = "/faq/"
[extra]
phone = ""
"#;
        let c = Config::parse(Path::new("config.toml"), text).unwrap();
        assert_eq!(c.base_url, "https://example.org");
        assert_eq!(c.language, "en");
        assert_eq!(c.menu[0].name, "FAQ");
        assert_eq!(c.extra["phone"].as_str(), Some(""));
    }

    #[test]
    fn unknown_key_names_it_and_suggests() {
        let text = "title = \"x\"\nbaseurl = \"https://a\"\n";
        let e = Config::parse(Path::new("config.toml"), text)
            .unwrap_err()
            .to_string();
        assert!(e.contains("config.toml:2:1"), "{e}");
        assert!(e.contains("unknown key `baseurl`"), "{e}");
        assert!(e.contains("did you mean `base_url`?"), "{e}");
    }

    #[test]
    fn the_old_minify_key_is_a_warning_not_an_error() {
        let c = Config::parse(
            Path::new("config.toml"),
            "title = \"x\"\nminify_html = true\n",
        )
        .unwrap();
        let w = c.warnings[0].to_string();
        assert!(
            w.starts_with("config.toml:2:1: `minify_html` is no longer supported"),
            "{w}"
        );
    }

    #[test]
    fn wrong_type_points_at_the_value() {
        let e = Config::parse(Path::new("config.toml"), "title = 3\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("config.toml:1:9"), "{e}");
    }
}
