//! The theme's and the site's Tera templates: where they are, loading them with messages
//! that name the file, and which template renders which output.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tera::Tera;

use crate::content::{Kind, Page, Section};
use crate::diag::{Error, Result, Shown};
use crate::escape::escape_html;
use crate::fs::{Roots, Skip, display_join, read_text, walk};
use crate::site::Site;

/// Where a site's templates come from: the theme's first, then the site's own (which win).
pub fn template_dirs(site_root: &Path, theme_dir: Option<PathBuf>) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(t) = theme_dir {
        dirs.push(t.join("templates"));
    }
    dirs.push(display_join(site_root, "templates"));
    dirs
}

/// Every template of `dirs` (later folders win), and the file each came from.
pub fn load(dirs: &[PathBuf], roots: &Roots) -> Result<(Tera, HashMap<String, PathBuf>)> {
    let mut sources: HashMap<String, PathBuf> = HashMap::new();
    let mut texts: HashMap<String, String> = HashMap::new();
    for dir in dirs {
        for file in walk(dir, roots, Skip::Files)? {
            texts.insert(file.rel.clone(), read_text(&file.path)?);
            sources.insert(file.rel, file.path);
        }
    }
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".htm", ".xml"]);
    // Tera's default also escapes `/`, which turns every URL into `&#x2F;` soup.
    tera.set_escape_fn(escape_html);
    let mut list: Vec<(String, String)> = texts.into_iter().collect();
    list.sort();
    tera.add_raw_templates(list).map_err(|e| {
        let message = tera_message(&e);
        // Tera's own words name the template: "Failed to parse 'page.html'".
        let named = e.to_string();
        let template = sources
            .iter()
            .find(|(name, _)| named.contains(&format!("'{name}'")))
            .map(|(_, p)| p.shown())
            .unwrap_or_else(|| "templates".into());
        Error::Template {
            template,
            page: None,
            message,
        }
    })?;
    Ok((tera, sources))
}

/// Tera's whole error chain on one line: the top message alone is rarely the useful part.
pub fn tera_message(e: &tera::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    in_words(&parts).unwrap_or_else(|| parts.join(": "))
}

/// The two errors people meet most, said in words: a variable the page does not have, and
/// a syntax error with its line and column (Tera's own words otherwise).
fn in_words(parts: &[String]) -> Option<String> {
    if let Some(missing) = parts.iter().find_map(|p| {
        p.strip_prefix("Variable `")
            .and_then(|rest| rest.split_once("` not found in context"))
            .map(|(name, _)| name.to_string())
    }) {
        return Some(format!(
            "uses `{missing}`, which is not set for this page (a field it does not have, or a misspelt name); show it only when it is set, {{% if {missing} %}}...{{% endif %}}, or give it a default, {{{{ {missing} | default(value=\"\") }}}}"
        ));
    }
    let parse = parts.iter().find(|p| p.trim_start().starts_with("--> "))?;
    let (place, rest) = parse.trim_start()[4..].split_once('\n')?;
    let (line, column) = place.trim().split_once(':')?;
    let (excerpt, reason) = rest.rsplit_once("\n  = ")?;
    Some(format!(
        "line {line}, column {column}: {}\n{}",
        reason.trim(),
        excerpt.trim_end().trim_end_matches('|').trim_end()
    ))
}

/// The template of a page: its kind's, or for plain pages the one it names.
pub fn page_template(p: &Page) -> &str {
    match (&p.meta.template, p.kind) {
        (Some(t), Kind::Page) => t,
        _ => p.kind.template(),
    }
}

/// The template of a section: the one it names, `index.html` for the home page, else
/// `section.html`.
pub fn section_template(s: &Section) -> String {
    match &s.meta.template {
        Some(t) => t.clone(),
        None if s.doc.relative_path == "_index.md" => "index.html".into(),
        None => "section.html".into(),
    }
}

/// Fails when a template that some content needs is missing, naming that content.
pub fn check_needed(tera: &Tera, site: &Site) -> Result<()> {
    let has = |name: &str| tera.get_template_names().any(|n| n == name);
    let mut errors = Vec::new();
    let mut need = |name: &str, file: &Path| {
        if !has(name) {
            errors.push(missing(name, file));
        }
    };
    for s in &site.sections {
        need(&section_template(s), &s.doc.file);
    }
    for p in &site.pages {
        need(page_template(p), &p.doc.file);
    }
    if let Some(t) = site.tags.first() {
        let file = &site.pages[t.pages[0]].doc.file;
        need("tags/list.html", file);
        need("tags/single.html", file);
    }
    errors.dedup_by(|a, b| a.to_string() == b.to_string());
    Error::collect(errors)
}

/// `file` needs the template `name`, which the site does not have.
pub fn missing(name: &str, file: &Path) -> Error {
    Error::file(
        file,
        format!("needs the template `{name}`, which neither the theme nor templates/ has"),
    )
    .with_help(format!(
        "add templates/{name}, or check `theme` in config.toml"
    ))
}

/// The page written at an alias: sends browsers and search engines to the new address.
pub fn alias_page(target: &str) -> String {
    let t = escape_html(target);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Moved</title>\n<meta name=\"robots\" content=\"noindex\">\n<link rel=\"canonical\" href=\"{t}\">\n<meta http-equiv=\"refresh\" content=\"0; url={t}\">\n</head>\n<body>\n<p>This page has moved to <a href=\"{t}\">{t}</a>.</p>\n</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_page_escapes_and_redirects() {
        let html = alias_page("https://example.org/a/?x=\"><script>");
        assert!(html.contains("http-equiv=\"refresh\""));
        assert!(!html.contains("<script>"));
    }
}
