//! Which kind of update a set of changed files asks for: nothing (an editor's swap file),
//! the static files, some pages re-read in place, or the whole site (templates, the
//! config, sections, files created or deleted). [`super::live::LiveBuild::apply`]
//! carries a plan out.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::fs::{is_ignored_file_name, slash_path};

/// What a set of changed files asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Nothing grove reads changed (an editor's swap file, a file outside the site).
    Nothing,
    /// Only files under `static/` changed; `css_only` when all of them are stylesheets.
    Static { css_only: bool },
    /// Only existing Markdown pages changed: re-read these (`articles/x.md`).
    Pages(Vec<String>),
    /// Templates, config, sections, or files created or deleted: rebuild everything.
    Full,
}

/// Sorts changed paths into a plan. Paths may be absolute or relative to the current folder.
pub fn plan(root: &Path, theme: Option<&str>, changed: &[PathBuf]) -> Plan {
    let root_abs = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let content = root_abs.join("content");
    let statics: Vec<PathBuf> = {
        let mut v = vec![root_abs.join("static")];
        if let Some(t) = theme {
            v.push(root_abs.join("themes").join(t).join("static"));
        }
        v
    };
    let mut pages = BTreeSet::new();
    let mut static_files = 0;
    let mut css = 0;
    let mut full = false;
    for path in changed {
        let abs = if path.is_absolute() {
            path.clone()
        } else {
            root_abs.join(path)
        };
        let name = abs
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if is_ignored_file_name(&name) {
            continue;
        }
        if let Ok(rel) = abs.strip_prefix(&content) {
            let rel = slash_path(rel);
            if rel.ends_with(".md") && !rel.ends_with("_index.md") && abs.is_file() {
                pages.insert(rel);
            } else {
                full = true;
            }
        } else if statics.iter().any(|s| abs.starts_with(s)) {
            static_files += 1;
            if name.ends_with(".css") {
                css += 1;
            }
            if !abs.exists() {
                full = true;
            }
        } else if abs == root_abs.join("config.toml")
            || abs.starts_with(root_abs.join("templates"))
            || abs.starts_with(root_abs.join("themes"))
            || abs == content
        {
            full = true;
        }
    }
    if full {
        Plan::Full
    } else if !pages.is_empty() {
        Plan::Pages(pages.into_iter().collect())
    } else if static_files > 0 {
        Plan::Static {
            css_only: css == static_files,
        }
    } else {
        Plan::Nothing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_by_what_changed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/faq")).unwrap();
        std::fs::create_dir_all(root.join("static/css")).unwrap();
        std::fs::write(root.join("content/faq/a.md"), "").unwrap();
        std::fs::write(root.join("static/css/site.css"), "").unwrap();
        std::fs::write(root.join("static/logo.svg"), "").unwrap();
        let p = |list: &[&str]| {
            plan(
                root,
                Some("t"),
                &list.iter().map(|s| root.join(s)).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            p(&["content/faq/a.md"]),
            Plan::Pages(vec!["faq/a.md".into()])
        );
        assert_eq!(
            p(&["content/faq/.a.md.swp", "content/faq/4913"]),
            Plan::Nothing
        );
        assert_eq!(p(&["content/faq/gone.md"]), Plan::Full);
        assert_eq!(p(&["content/faq/_index.md"]), Plan::Full);
        assert_eq!(p(&["static/css/site.css"]), Plan::Static { css_only: true });
        assert_eq!(
            p(&["static/css/site.css", "static/logo.svg"]),
            Plan::Static { css_only: false }
        );
        assert_eq!(p(&["config.toml"]), Plan::Full);
        assert_eq!(p(&["themes/t/templates/base.html"]), Plan::Full);
        assert_eq!(p(&["public/index.html"]), Plan::Nothing);
    }
}
