//! "History" in the editor: the published versions of a page (when, who, their words),
//! one version shown as the page's text would look, and "Restore this version", which
//! opens the editor with that version in the form, not saved.

use std::path::Path;

use super::super::request::Request;
use super::super::response::Response;
use super::page::Earlier;
use super::publish_page::{document, encode, header, when_words};
use super::{Editing, Facts, page, save};
use crate::escape::escape_html as esc;
use crate::publish::Version;

/// The history's address for a content file (`articles/x.md`).
pub fn url(relative_path: &str) -> String {
    format!("/__grove/history?file={}", encode(relative_path))
}

fn version_url(relative_path: &str, commit: &str) -> String {
    format!("{}&version={commit}", url(relative_path))
}

fn restore_url(relative_path: &str, commit: &str) -> String {
    format!("{}&from={commit}", page::edit_url(relative_path))
}

/// The history page (`?file=articles/x.md`), or one version (`&version=COMMIT`);
/// `site` is the site's address.
pub fn page(request: &Request, editing: &Editing, site: &str, facts: &Facts) -> Response {
    let file = request.query_value("file").unwrap_or_default();
    if super::content_file(editing, &file).is_none() {
        return page::not_editable(&file, site);
    }
    let (root, secret) = (editing.root.as_path(), editing.secret.as_str());
    let shell = |heading: &str, body: &str| shell(secret, site, &file, heading, body);
    let repo = match super::publish::open(root) {
        Ok(repo) => repo,
        Err(why) => {
            let words = format!("<p class=\"notice\">{}</p>", esc(&why.explain()));
            return shell("History", &words);
        }
    };
    let site_path = format!("content/{file}");
    let versions = match repo.history(&site_path) {
        Ok(v) => v,
        Err(e) => {
            let words = format!(
                "<p class=\"notice\">git could not read the history ({}).</p>",
                esc(&e.details())
            );
            return shell("History", &words);
        }
    };
    let current = repo
        .file_here(&site_path)
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    let title = current
        .as_deref()
        .and_then(|t| crate::publish::changes::title_of(&file, t))
        .unwrap_or_else(|| file.clone());
    if let Some(commit) = request.query_value("version") {
        let Some(version) = versions.iter().find(|v| v.commit == commit) else {
            let words =
                "<p class=\"notice\">This version is not in the page's published history.</p>";
            return shell("History", words);
        };
        let text = repo.text_at(&commit, &site_path).unwrap_or_default();
        let shown = Shown {
            secret,
            site,
            root,
            file: &file,
            title: &title,
        };
        return one(&shown, version, &text, facts);
    }
    let items: String = versions
        .iter()
        .map(|v| {
            let links = if v.deleted {
                "<p class=\"links\">The page was deleted in this version.</p>".to_string()
            } else {
                format!(
                    "<p class=\"links\"><a href=\"{}\">Show this version</a> <a href=\"{}\">Restore this version</a></p>",
                    esc(&version_url(&file, &v.commit)),
                    esc(&restore_url(&file, &v.commit))
                )
            };
            format!(
                "<li><p class=\"when\"><strong>{}</strong>, by {}</p><p class=\"said\">{}</p>{links}</li>",
                esc(&capitalized(&when_words(&v.when, &facts.tz))),
                esc(&v.who),
                said(&v.message)
            )
        })
        .collect();
    let body = if versions.is_empty() {
        "<p class=\"notice\">This page has not been published yet: it has no published versions.</p>".to_string()
    } else {
        format!(
            "<p>Each version of this page that was published, newest first. “Show this version” shows its text as the page would; “Restore this version” puts it into the editor, not saved, for you to look over and save.</p>\n<ol class=\"versions\">{items}</ol>"
        )
    };
    shell(&format!("History of “{title}”"), &body)
}

fn said(message: &str) -> String {
    if message.trim().is_empty() {
        "(no words given)".to_string()
    } else {
        format!("“{}”", esc(message))
    }
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The page around a history view: the way back to the editor, then `body`.
fn shell(secret: &str, site: &str, file: &str, heading: &str, body: &str) -> Response {
    let main = format!(
        "{}\n<main id=\"main\">\n<h1>{}</h1>\n<p class=\"where\">File <code>content/{}</code> · <a href=\"{}\">Back to the editor</a></p>\n{body}\n</main>",
        header(site),
        esc(heading),
        esc(file),
        esc(&page::edit_url(file))
    );
    document(heading, secret, site, &main)
}

/// What one version's page is about.
struct Shown<'a> {
    secret: &'a str,
    /// The site's address.
    site: &'a str,
    root: &'a Path,
    file: &'a str,
    title: &'a str,
}

/// One version: who published it, and its text as the page shows it.
fn one(shown: &Shown, v: &Version, text: &str, facts: &Facts) -> Response {
    let Shown {
        secret,
        site,
        root,
        file,
        title,
    } = *shown;
    let checks = save::SiteLinks {
        links: &facts.links,
        base_path: &facts.base_path,
        tz: &facts.tz,
    };
    let path = root.join("content").join(file);
    let html = text_html(file, &path, text, &checks);
    let then_title =
        crate::publish::changes::title_of(file, text).unwrap_or_else(|| title.to_string());
    let frame = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><base href=\"{}/\" target=\"_blank\"><style>body{{font:17px/1.6 system-ui,sans-serif;color:#1f2933;margin:1rem;max-width:42rem}}img{{max-width:100%;height:auto}}a{{color:#1e3a8a}}pre{{overflow:auto;background:#f3f4f6;padding:.5rem}}</style></head><body><h1>{}</h1>{html}</body></html>",
        esc(site),
        esc(&then_title)
    );
    let when = when_words(&v.when, &facts.tz);
    let body = format!(
        "<p>Published {} by {}: {}.</p>\n<p class=\"links\"><a href=\"{}\">Restore this version</a> <a href=\"{}\">All versions</a></p>\n<iframe class=\"version\" title=\"The page as published {}\" sandbox srcdoc=\"{}\"></iframe>",
        esc(&when),
        esc(&v.who),
        said(&v.message),
        esc(&restore_url(file, &v.commit)),
        esc(&url(file)),
        esc(&when),
        esc(&frame)
    );
    let heading = format!("“{then_title}”, as published {when}");
    shell(secret, site, file, &heading, &body)
}

/// An earlier version's text as the page showed it (its Markdown alone: the site's
/// templates and links may have changed since). Front matter that does not parse, or an
/// `@/` link that leads nowhere now, still shows the text as written.
fn text_html(file: &str, path: &Path, text: &str, checks: &save::SiteLinks) -> String {
    let (_, html) = save::examine(file, path, text, checks);
    html.unwrap_or_else(|| {
        let body = crate::content::front_matter::split(path, text, "").map_or(text, |s| s.body);
        crate::markdown::plain_html(body)
    })
}

/// What the editor opens beside the file: the version `from` (restore), or the version
/// online `online` a colleague published (to choose against); `None` when neither names
/// a version of this page.
pub fn earlier(
    root: &Path,
    file: &str,
    from: Option<&str>,
    online: Option<&str>,
    facts: Option<&Facts>,
) -> Option<Earlier> {
    let commit = from.or(online)?;
    let repo = super::publish::open(root).ok()?;
    let site_path = format!("content/{file}");
    let text = repo.text_at(commit, &site_path)?;
    let tz = facts.map_or(jiff::tz::TimeZone::UTC, |f| f.tz.clone());
    let versions = repo.history(&site_path).ok()?;
    let values = super::manage::form_values(file, &text);
    if online.is_some() {
        // Their change is the newest version online that touched the page.
        let v = versions.first()?;
        let words = format!(
            "{} changed this page online {} (“{}”). Their version is on the left, yours (saved here, not online) on the right: take theirs, keep yours, or merge by hand, then Save. Publishing then sends what you saved.",
            v.who,
            when_words(&v.when, &tz),
            v.message
        );
        return Some(Earlier {
            words,
            values,
            online: Some(commit.to_string()),
        });
    }
    let words = match versions.iter().find(|v| v.commit == commit) {
        Some(v) => format!(
            "This is the version published {} by {}. It is not saved: look it over, then Save to make it the page's text again (or leave the page to keep the text as it is).",
            when_words(&v.when, &tz),
            v.who
        ),
        None => "This is an earlier version of the page. It is not saved: look it over, then Save to make it the page's text again (or leave the page to keep the text as it is).".to_string(),
    };
    Some(Earlier {
        words,
        values,
        online: None,
    })
}
