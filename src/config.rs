//! `config.toml`: the site's settings, validated with "did you mean" hints.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diag::{Error, Result, Shown, check_keys, key_error, toml_error};

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
    /// The path part of `base_url` (`/site` for `https://user.github.io/site/`), without
    /// a trailing slash; empty for a site at the root of its domain. Every root-relative
    /// URL grove writes starts with it.
    #[serde(default, skip_deserializing)]
    pub base_path: String,
    /// The IANA name of the site's time zone (`America/Los_Angeles`): dates written
    /// without an offset are times there.
    #[serde(default)]
    pub timezone: Option<String>,
    /// `timezone`, looked up (UTC when it is not set).
    #[serde(skip, default = "utc")]
    pub tz: jiff::tz::TimeZone,
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
    /// Where the config was read from, and its text, for messages about its keys.
    #[serde(skip)]
    pub file: PathBuf,
    #[serde(skip)]
    text: String,
}

fn utc() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::UTC
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
    "timezone",
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
        let path = crate::fs::display_join(root, "config.toml");
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
        check_keys(
            path,
            text,
            0..text.len(),
            &table,
            CONFIG_KEYS,
            "config.toml",
        )?;
        let mut config: Config = toml::from_str(text).map_err(|e| toml_error(path, text, 0, &e))?;
        config.file = path.to_path_buf();
        config.text = text.to_string();
        let base_url = config.base_url.clone();
        config.set_base_url(&base_url);
        if let Some(name) = config.timezone.clone() {
            config.tz = time_zone(path, text, &name)?;
        }
        if config.minify_html.is_some() {
            // Hosts compress pages; on the center's site minifying saved 146 bytes a page
            // after gzip (5.5%), not worth 129 more crates to compile (docs/performance.md).
            config.warnings.push(
                key_error(path, text, 0..text.len(), &["minify_html"], "`minify_html` is no longer supported and is ignored")
                    .with_help("remove the line: web hosts compress pages, which saves far more than minifying did"),
            );
        }
        if config.tags_paginate_by == 0 {
            return Err(Error::file(path, "`tags_paginate_by` must be at least 1")
                .with_help("remove it to list 10 articles per tag page"));
        }
        Ok(config)
    }

    /// Sets `base_url` (without a trailing slash) and `base_path` from it.
    pub fn set_base_url(&mut self, url: &str) {
        self.base_url = url.trim().trim_end_matches('/').to_string();
        let after_scheme = self
            .base_url
            .split_once("://")
            .map_or(self.base_url.as_str(), |(_, rest)| rest);
        self.base_path = after_scheme
            .find('/')
            .map(|i| after_scheme[i..].trim_end_matches('/').to_string())
            .unwrap_or_default();
    }

    /// Why `base_url` cannot be the site's real address, when it cannot: empty, or a
    /// name reserved for examples (example.org, anything.example, localhost).
    pub fn base_url_placeholder(&self) -> Option<&'static str> {
        let url = self.base_url.trim();
        if url.is_empty() {
            return Some("it is empty");
        }
        let host = url
            .split_once("://")
            .map_or(url, |(_, rest)| rest)
            .split(['/', ':'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let reserved = ["example.com", "example.org", "example.net"]
            .iter()
            .any(|e| host == *e || host.ends_with(&format!(".{e}")))
            || host.ends_with(".example")
            || host == "example"
            || host == "localhost"
            || host.ends_with(".localhost")
            || host == "127.0.0.1";
        reserved.then_some("it is an example address, not the site's own")
    }

    /// A message about `key` of `config.toml` (`extra.phone` for one under `[extra]`), at
    /// its line when it is written there.
    pub fn key_error(&self, key: &str, message: &str) -> Error {
        let path: Vec<&str> = key.split('.').collect();
        key_error(&self.file, &self.text, 0..self.text.len(), &path, message)
    }

    /// The warning, or with `refuse` the error, for a `base_url` that cannot be the site's.
    pub fn base_url_problem(&self, refuse: bool) -> Option<Error> {
        let why = self.base_url_placeholder()?;
        let what = if self.base_url.is_empty() {
            "`base_url` is not set".to_string()
        } else {
            format!("`base_url` is `{}`: {why}", self.base_url)
        };
        let message = format!(
            "{what}; the feed, the sitemap and every link shared from the site would point there"
        );
        let help = if refuse {
            "set base_url in config.toml to the address the site is published at, or build with --base-url ADDRESS; --production refuses to build without it"
        } else {
            "set base_url in config.toml to the address the site is published at (for GitHub Pages: Settings > Pages shows it), or build with --base-url ADDRESS"
        };
        Some(self.key_error("base_url", &message).with_help(help))
    }

    /// The theme's folder, when a theme is set.
    pub fn theme_dir(&self, root: &Path) -> Option<PathBuf> {
        self.theme.as_ref().map(|t| root.join("themes").join(t))
    }
}

/// Looks up an IANA time zone name, with the nearest known names when it is not one.
fn time_zone(path: &Path, text: &str, name: &str) -> Result<jiff::tz::TimeZone> {
    jiff::tz::TimeZone::get(name).map_err(|_| {
        let names: Vec<String> = jiff::tz::db().available().map(|n| n.to_string()).collect();
        let help = match crate::diag::nearest(name, names.iter().map(String::as_str)) {
            Some(n) => format!("did you mean timezone = \"{n}\"? Names are as in the IANA list, e.g. \"America/Los_Angeles\""),
            None => "write an IANA time zone name, e.g. timezone = \"America/Los_Angeles\"".into(),
        };
        key_error(path, text, 0..text.len(), &["timezone"], format!("`timezone`: `{name}` is not a time zone grove knows"))
            .with_help(help)
    })
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
    fn base_path_is_the_path_of_base_url() {
        let c = Config::parse(
            Path::new("config.toml"),
            "base_url = \"https://user.github.io/site/\"\n",
        )
        .unwrap();
        assert_eq!(
            (c.base_url.as_str(), c.base_path.as_str()),
            ("https://user.github.io/site", "/site")
        );
        let c = Config::parse(
            Path::new("config.toml"),
            "base_url = \"https://example.org\"\n",
        )
        .unwrap();
        assert_eq!(c.base_path, "");
    }

    #[test]
    fn placeholder_addresses_are_recognised() {
        let placeholder = |url: &str| {
            let mut c = Config::parse(Path::new("config.toml"), "").unwrap();
            c.set_base_url(url);
            c.base_url_placeholder().is_some()
        };
        for p in [
            "",
            "https://example.org",
            "https://www.example.com/",
            "http://site.example",
            "http://localhost:1111",
        ] {
            assert!(placeholder(p), "{p}");
        }
        for real in [
            "https://oaklanddbt.com",
            "https://user.github.io/site/",
            "https://examples.org",
        ] {
            assert!(!placeholder(real), "{real}");
        }
    }

    #[test]
    fn time_zones_are_iana_names_with_a_suggestion() {
        let c = Config::parse(
            Path::new("config.toml"),
            "timezone = \"America/Los_Angeles\"\n",
        )
        .unwrap();
        assert_eq!(c.tz.iana_name(), Some("America/Los_Angeles"));
        let e = Config::parse(
            Path::new("config.toml"),
            "title = \"x\"\ntimezone = \"America/Los_Angles\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("config.toml:2:1: `timezone`: `America/Los_Angles` is not a time zone"),
            "{e}"
        );
        assert!(
            e.contains("did you mean timezone = \"America/Los_Angeles\"?"),
            "{e}"
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
