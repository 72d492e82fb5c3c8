//! The pages of publishing, made here rather than by the theme: the publish page (what
//! would go online, the checks, "What changed" and the button) and the two versions of a
//! file a colleague changed too.

use std::path::{Component, Path};

use serde_json::json;

use super::super::response::Response;
use super::publish::{Examined, plural};
use super::{Facts, page};
use crate::cmd::check::Diagnostic;
use crate::escape::escape_html as esc;
use crate::publish::diff::{self, Line};
use crate::publish::{Change, Changes, Conflict, GitError, Repo, State, Unavailable, What};

/// Everything the publish page shows.
pub struct Shown<'a> {
    pub repo: Result<&'a Repo, &'a Unavailable>,
    pub examined: Result<&'a (Changes, Examined), &'a GitError>,
    pub secret: &'a str,
    /// The site's address (the editor's pages are on another).
    pub site: &'a str,
    pub facts: &'a Facts,
    /// Files the person chose to publish over a colleague's change.
    pub kept: &'a [(String, String)],
}

/// Lines of one file's change shown at most; the rest is counted.
const MAX_LINES: usize = 400;
/// Pictures larger than this get a word about phones.
const LARGE: u64 = 1_000_000;

/// A page of publishing, with its script and style; `site` is the site's address.
pub(super) fn document(title: &str, secret: &str, site: &str, main: &str) -> Response {
    let head = "<link rel=\"stylesheet\" href=\"/__grove/publish.css\">\n<script src=\"/__grove/editor.js\" defer></script>\n<script src=\"/__grove/publish.js\" defer></script>\n";
    page::html(page::document_with(title, Some(secret), head, main), site)
}

pub(super) fn header(site: &str) -> String {
    page::header(&format!(
        "{}<li><a href=\"/__grove/publish\">Publish</a></li>",
        page::home(site)
    ))
}

/// The publish page.
pub fn publish(shown: &Shown) -> Response {
    let body = match (shown.repo, shown.examined) {
        (Err(why), _) => format!("<p class=\"notice\">{}</p>", esc(&why.explain())),
        (_, Err(e)) => format!(
            "<p class=\"notice\">git could not list the changes in this folder ({}). Ask the person who set up the site to have a look. Your changes are saved in this folder either way: nothing is lost.</p>",
            esc(&e.details())
        ),
        (Ok(_), Ok((changes, _))) if changes.list.is_empty() => {
            "<p class=\"notice\">Everything here is online already: there is nothing to publish. Change a page (“Edit this page” on any page of the preview), save it, and come back.</p>".to_string()
        }
        (Ok(repo), Ok((changes, examined))) => ready(shown, repo, changes, examined),
    };
    let main = format!(
        "{}\n<main id=\"main\">\n<h1>Publish</h1>\n{body}\n</main>",
        header(shown.site)
    );
    document("Publish", shown.secret, shown.site, &main)
}

fn ready(shown: &Shown, repo: &Repo, changes: &Changes, examined: &Examined) -> String {
    let items: String = changes
        .list
        .iter()
        .map(|c| item(repo, c, &changes.base, shown))
        .collect();
    let blocked = examined.failed.is_some() || !examined.errors.is_empty();
    let who = match repo.identity() {
        Some((name, email)) => format!(
            "<p class=\"help\">Published as {} ({}), as git knows you on this computer.</p>",
            esc(&name),
            esc(&email)
        ),
        None => "<fieldset class=\"who\"><legend>Who is publishing</legend><p class=\"help\">Asked once: every change in the site's history is signed, and this copy of the site keeps your name for next time.</p>\
<div class=\"field\"><label for=\"name\">Your name <span class=\"req\">(required)</span></label><input type=\"text\" id=\"name\" name=\"name\" autocomplete=\"name\" required aria-describedby=\"name-error\"><p class=\"error\" id=\"name-error\" hidden></p></div>\
<div class=\"field\"><label for=\"email\">Your email address <span class=\"req\">(required)</span></label><input type=\"email\" id=\"email\" name=\"email\" autocomplete=\"email\" required aria-describedby=\"email-help email-error\"><p class=\"help\" id=\"email-help\">GitHub shows your changes under it.</p><p class=\"error\" id=\"email-error\" hidden></p></div></fieldset>".to_string(),
    };
    let button = if blocked {
        let n = examined.errors.len().max(1);
        format!(
            "<button type=\"submit\" id=\"publish\" disabled aria-describedby=\"blocked\">Publish</button><p id=\"blocked\" class=\"error\">Publishing is stopped until {} fixed: follow {} to its place in the editor.</p>",
            if n == 1 {
                "the problem above is".to_string()
            } else {
                format!("the {n} problems above are")
            },
            if n == 1 { "it" } else { "each" }
        )
    } else {
        "<button type=\"submit\" id=\"publish\">Publish</button>".to_string()
    };
    format!(
        "<p class=\"lead\">What would go online: the files here that differ from the site's repository online (branch <code>{branch}</code> of <code>{remote}</code>). Publishing sends exactly these, and nothing else.</p>\n\
<section aria-labelledby=\"changes-title\"><h2 id=\"changes-title\">{count}</h2>\n<ul class=\"changes\">{items}</ul></section>\n\
<section id=\"checks\" aria-labelledby=\"checks-title\"><h2 id=\"checks-title\">Checks</h2>\n{checks}</section>\n\
<form id=\"publish-form\" data-fingerprint=\"{fingerprint}\" data-site=\"{site}\" novalidate>\n{who}\
<div class=\"field\"><label for=\"message\">What changed <span class=\"req\">(required)</span></label><p class=\"help\" id=\"message-help\">One line, kept with your change in the site's history. For example: “New FAQ entry about online sessions”.</p><input type=\"text\" id=\"message\" name=\"message\" maxlength=\"200\" autocomplete=\"off\" required aria-describedby=\"message-help message-error\"><p class=\"error\" id=\"message-error\" hidden></p></div>\n\
<div class=\"actions\">{button}<p id=\"status\" role=\"status\"></p></div>\n</form>\n\
<div id=\"outcome\" class=\"outcome\" tabindex=\"-1\" hidden></div>",
        branch = esc(repo.remote_ref.trim_start_matches("refs/heads/")),
        remote = esc(&repo.remote),
        count = if changes.list.len() == 1 {
            "1 change".to_string()
        } else {
            format!("{} changes", changes.list.len())
        },
        checks = checks(examined, shown.facts),
        fingerprint = esc(&changes.fingerprint),
        site = esc(shown.site),
    )
}

/// One file of the list: what it is in words, a link to its editor, and the change.
fn item(repo: &Repo, c: &Change, base: &str, shown: &Shown) -> String {
    let state = c.state.word();
    let edit = c
        .path
        .strip_prefix("content/")
        .filter(|r| r.ends_with(".md") && c.state != State::Deleted && c.what != What::Earlier);
    let name = c.path.rsplit('/').next().unwrap_or(&c.path);
    let what = match (&c.what, edit) {
        (What::Page { title, kind }, Some(rel)) => format!(
            "<a href=\"{}\">{}</a>, {}",
            esc(&page::edit_url(rel)),
            esc(title),
            esc(kind)
        ),
        (What::Picture, _) if c.state != State::Deleted => {
            // Served from static/ (the site's or the theme's) at the same place.
            let served = c.path.strip_prefix("static").or_else(|| {
                let theme = c.path.strip_prefix("themes/")?;
                theme.split_once('/')?.1.strip_prefix("static")
            });
            let size = c
                .size
                .map(crate::publish::changes::size_words)
                .unwrap_or_default();
            let large = if c.size.unwrap_or(0) > LARGE {
                " (large: pages that show it load slowly on phones)"
            } else {
                ""
            };
            let name = match served {
                Some(url) => format!(
                    "<a href=\"{}{}\">{}</a>",
                    esc(shown.site),
                    esc(url),
                    esc(name)
                ),
                None => esc(name),
            };
            format!("picture {name}, {}{large}", esc(&size))
        }
        _ => esc(c.describe().split_once(": ").map_or("", |(_, rest)| rest)),
    };
    let kept = if shown.kept.iter().any(|(f, _)| *f == c.path) {
        " <strong>Your version, over a colleague's.</strong>"
    } else {
        ""
    };
    let earlier = if c.committed && c.what == What::Earlier {
        " (saved in the site's history here earlier, not yet online)"
    } else {
        ""
    };
    let change = if c.is_text() {
        let old = repo
            .file_at(base, &c.path)
            .ok()
            .flatten()
            .unwrap_or_default();
        let new = if c.what == What::Earlier {
            repo.file_at("HEAD", &c.path).ok().flatten()
        } else {
            repo.file_here(&c.path)
        }
        .unwrap_or_default();
        format!(
            "<details class=\"change\"><summary>Show the change</summary>{}</details>",
            lines_html(&diff::lines(
                &String::from_utf8_lossy(&old),
                &String::from_utf8_lossy(&new)
            ))
        )
    } else {
        String::new()
    };
    format!(
        "<li><p><span class=\"state state-{}\">{state}:</span> {what}{earlier}{kept}</p>{change}</li>",
        state.to_lowercase()
    )
}

/// Lines of a comparison, cut to those near a change.
fn lines_html(lines: &[Line]) -> String {
    shown_lines(&diff::around_changes(lines, 3))
}

/// Lines already cut (`None`: lines left out).
fn shown_lines(shown: &[Option<&Line>]) -> String {
    let mut out = String::from("<div class=\"diff\">");
    for line in shown.iter().take(MAX_LINES) {
        out.push_str(&match line {
            None => "<div class=\"gap\">…</div>".to_string(),
            Some(Line::Same(t)) => format!("<div class=\"same\">{}</div>", text(t)),
            Some(Line::Removed(t)) => format!(
                "<div class=\"removed\"><span class=\"mark\">Removed:</span> <del>{}</del></div>",
                text(t)
            ),
            Some(Line::Added(t)) => format!(
                "<div class=\"added\"><span class=\"mark\">Added:</span> <ins>{}</ins></div>",
                text(t)
            ),
        });
    }
    if shown.len() > MAX_LINES {
        out.push_str(&format!(
            "<div class=\"gap\">… and {} more lines</div>",
            shown.len() - MAX_LINES
        ));
    }
    out.push_str("</div>");
    out
}

/// A line's text, with an empty line still taking its height.
fn text(t: &str) -> String {
    if t.is_empty() {
        "&#8203;".to_string()
    } else {
        esc(t)
    }
}

/// The checks: errors that stop publishing, warnings about the change, and the rest of
/// the site's warnings folded into one line.
fn checks(examined: &Examined, _facts: &Facts) -> String {
    let mut out = String::new();
    if let Some(why) = &examined.failed {
        out.push_str(&format!(
            "<div class=\"summary\"><h3>The site could not be checked</h3><p>{}</p></div>",
            esc(why)
        ));
    }
    if !examined.errors.is_empty() {
        out.push_str(&format!(
            "<div class=\"summary\"><h3>{} to fix before publishing</h3><ul>{}</ul></div>",
            plural(examined.errors.len(), "problem"),
            problems(&examined.errors)
        ));
    }
    if !examined.about_changes.is_empty() {
        out.push_str(&format!(
            "<h3>About your changes</h3><ul class=\"warnings\">{}</ul>",
            problems(&examined.about_changes)
        ));
    }
    if !examined.standing.is_empty() {
        out.push_str(&format!(
            "<details class=\"standing\"><summary>{} the site still lacks: see the checklist</summary><p class=\"help\">These do not stop publishing; they were there before your change.</p><ul class=\"warnings\">{}</ul></details>",
            plural(examined.standing.len(), "thing"),
            problems(&examined.standing)
        ));
    }
    if out.is_empty() {
        out.push_str("<p>No problems found: the same checks as the site's build passed.</p>");
    }
    out
}

fn problems(list: &[Diagnostic]) -> String {
    list.iter()
        .map(|d| {
            let place = format!("{}, line {}", crate::fs::slash_path(&d.path), d.line());
            let words = format!("{place}: {}", d.message);
            let help = d
                .help
                .as_ref()
                .map(|h| format!(" <span class=\"help\">{}</span>", esc(h)))
                .unwrap_or_default();
            match field_link(d) {
                Some(href) => format!(
                    "<li><a href=\"{}\">{}</a>{help}</li>",
                    esc(&href),
                    esc(&words)
                ),
                None => format!("<li>{}{help}</li>", esc(&words)),
            }
        })
        .collect()
}

/// The editor's address of the field a problem is about: the front matter key written
/// on its line, else the text.
fn field_link(d: &Diagnostic) -> Option<String> {
    let path = crate::fs::slash_path(&d.path);
    let rel = path
        .strip_prefix("content/")
        .filter(|r| r.ends_with(".md"))?;
    let text = std::fs::read_to_string(&d.path).unwrap_or_default();
    let line = text
        .lines()
        .nth(d.line().saturating_sub(1))
        .unwrap_or_default();
    let in_front = text
        .lines()
        .skip(1)
        .position(|l| l.trim() == "+++")
        .is_some_and(|end| d.line() <= end + 2);
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim())
        .unwrap_or_default();
    let fragment = if in_front
        && !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        format!("f-{key}")
    } else {
        "body".to_string()
    };
    Some(format!("{}#{fragment}", page::edit_url(rel)))
}

/// A conflict as the page's script shows it.
pub fn conflict_json(repo: &Repo, c: &Conflict, facts: &Facts) -> serde_json::Value {
    let text = repo
        .file_here(&c.path)
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    let title = match crate::publish::changes::describe(&c.path, text.as_deref()) {
        What::Page { title, .. } => title,
        _ => c.path.clone(),
    };
    json!({
        "file": c.path,
        "title": title,
        "who": c.who,
        "when": when_words(&c.when, &facts.tz),
        "message": c.message,
        "compare": format!("/__grove/publish/compare?file={}", encode(&c.path)),
    })
}

/// "today at 10:42 AM", "on March 14, 2025 at 10:42 AM", in the site's time zone.
pub fn when_words(rfc3339: &str, tz: &jiff::tz::TimeZone) -> String {
    let Ok(time) = rfc3339.parse::<jiff::Timestamp>() else {
        return rfc3339.to_string();
    };
    let zoned = time.to_zoned_datetime(tz.clone());
    let today = jiff::Timestamp::now().to_zoned_datetime(tz.clone()).date();
    let clock = zoned.strftime("%-I:%M %p").to_string();
    if zoned.date() == today {
        format!("today at {clock}")
    } else {
        format!("on {} at {clock}", zoned.strftime("%B %-d, %Y"))
    }
}

pub(super) fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC)
        .to_string()
        .replace("%2F", "/")
        .replace("%2E", ".")
        .replace("%2D", "-")
        .replace("%5F", "_")
}

/// A path from the site folder that names a file inside it, written plainly.
pub(super) fn plain_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains(['\\', '\0'])
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Their version online and this one, side by side, with the changed lines marked, and
/// the two ways on.
pub fn compare(root: &Path, file: &str, secret: &str, site: &str, facts: &Facts) -> Response {
    let repo = match super::publish::open(root) {
        Ok(repo) => repo,
        Err(why) => return simple(secret, site, "Two versions", &why.explain()),
    };
    if !plain_path(file) || !repo.publishable(&repo.top_path(file)) {
        return simple(
            secret,
            site,
            "Two versions",
            "This address does not name a file of the site.",
        );
    }
    let theirs = repo.file_at(&repo.upstream, file).ok().flatten();
    let mine = repo.file_here(file);
    let online = repo.commit_of(&repo.upstream).unwrap_or_default();
    let last = repo.history(file).ok().and_then(|v| v.into_iter().next());
    let title = match crate::publish::changes::describe(
        file,
        mine.as_deref().map(String::from_utf8_lossy).as_deref(),
    ) {
        What::Page { title, .. } => title,
        _ => file.to_string(),
    };
    let who = last
        .map(|v| {
            format!(
                "<p>{} changed it online {} (“{}”). Your version is in this folder and is not online; theirs is online. Nothing is lost either way. The lines that differ are marked; “…” stands for lines the two share.</p>",
                esc(&v.who),
                esc(&when_words(&v.when, &facts.tz)),
                esc(&v.message)
            )
        })
        .unwrap_or_default();
    let text = |b: &Option<Vec<u8>>| {
        b.as_deref()
            .map(String::from_utf8_lossy)
            .unwrap_or_default()
            .into_owned()
    };
    let lines = diff::lines(&text(&theirs), &text(&mine));
    let cut = diff::around_changes(&lines, 4);
    // Each side keeps the lines it has, and the places where lines were left out.
    let side = |other: fn(&Line) -> bool| -> String {
        let kept: Vec<Option<&Line>> = cut
            .iter()
            .copied()
            .filter(|l| !l.is_some_and(other))
            .collect();
        shown_lines(&kept)
    };
    let theirs_html = side(|l| matches!(l, Line::Added(_)));
    let mine_html = side(|l| matches!(l, Line::Removed(_)));
    let start = file
        .strip_prefix("content/")
        .filter(|r| r.ends_with(".md") && theirs.is_some())
        .map(|rel| {
            format!(
                "<li><a href=\"{}&amp;online={}\">Choose in the editor</a>: the two versions side by side in the form; take theirs, keep yours or merge by hand, then Save, and publish what you saved.</li>",
                esc(&page::edit_url(rel)),
                esc(&online)
            )
        })
        .unwrap_or_default();
    let main = format!(
        "{header}\n<main id=\"main\">\n<h1>Two versions of “{title}”</h1>\n{who}\
<div class=\"two-versions\"><section aria-labelledby=\"theirs-title\"><h2 id=\"theirs-title\">Their version, online</h2>{theirs_html}</section>\
<section aria-labelledby=\"mine-title\"><h2 id=\"mine-title\">Your version, here</h2>{mine_html}</section></div>\n\
<h2>Choose</h2><ul class=\"choices\"><li><button type=\"button\" id=\"keep-mine\" data-file=\"{file}\" data-online=\"{online}\">Publish my version</button> Yours goes online in place of theirs for this file; their changes to other pages are kept.</li>{start}<li><a href=\"/__grove/publish\">Back to the publish page</a>, choosing nothing yet.</li></ul><p id=\"status\" role=\"status\"></p>\n</main>",
        header = header(site),
        title = esc(&title),
        file = esc(file),
        online = esc(&online),
    );
    document(&format!("Two versions of {title}"), secret, site, &main)
}

fn simple(secret: &str, site: &str, title: &str, words: &str) -> Response {
    let main = format!(
        "{}\n<main id=\"main\">\n<h1>{}</h1>\n<p class=\"notice\">{}</p>\n</main>",
        header(site),
        esc(title),
        esc(words)
    );
    document(title, secret, site, &main)
}
