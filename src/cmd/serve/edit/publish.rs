//! Publishing from the preview: the "Publish (N changes)" link, the publish page, the
//! two versions of a page a colleague changed too, and the requests that publish. The
//! git work is the library's (`crate::publish`); this file holds what the preview adds:
//! the same checks as `grove check` scoped to the change, one publish at a time, the
//! progress in words, and the choices a person made about a colleague's change.

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::json;

use super::super::Shared;
use super::super::request::Request;
use super::super::response::Response;
use super::{Editing, page, publish_page, refuse, reply};
use crate::cmd::check::{self, CheckOptions, Diagnostic, Severity};
use crate::publish::changes::quick_count;
use crate::publish::{Change, Git, Order, Outcome, PublishError, Repo, Unavailable};

/// What the preview remembers about publishing between requests.
#[derive(Debug, Default)]
pub struct Publishing {
    /// Held while a publish runs: one at a time.
    running: Mutex<()>,
    /// The words of the step the running publish is at.
    step: Mutex<Option<String>>,
    /// Files a person chose to publish as they are here over a colleague's change, with
    /// the commit online they saw it in.
    keep: Mutex<Vec<(String, String)>>,
    /// The toolbar's label, with the build and the moment it was counted for.
    label: Mutex<Option<(u64, Instant, String)>>,
}

/// A counted label is used again for this long while the site is not rebuilt (a commit
/// made in a terminal does not rebuild it).
const LABEL_FOR: Duration = Duration::from_secs(2);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The repository of the site at `root`, or why publishing cannot work there.
pub(super) fn open(root: &Path) -> Result<Repo, Unavailable> {
    let theme = crate::Config::load(root).ok().and_then(|c| c.theme);
    Repo::open(&Git::new(root), theme.as_deref())
}

/// "Publish (2 changes)"; "Publish" alone when it cannot be counted.
pub fn toolbar_label(editing: &Editing, build: u64) -> String {
    let state = &editing.publishing;
    if let Some((b, at, text)) = lock(&state.label).as_ref()
        && *b == build
        && at.elapsed() < LABEL_FOR
    {
        return text.clone();
    }
    // One git status in the common case (nothing committed here that is not online).
    let theme = crate::Config::load(&editing.root)
        .ok()
        .and_then(|c| c.theme);
    let count = quick_count(&Git::new(&editing.root), theme.as_deref()).or_else(|| {
        let repo = open(&editing.root).ok()?;
        Some(repo.changes().ok()?.list.len())
    });
    let text = match count {
        Some(0) => "Publish (no changes)".to_string(),
        Some(1) => "Publish (1 change)".to_string(),
        Some(n) => format!("Publish ({n} changes)"),
        None => "Publish".to_string(),
    };
    *lock(&state.label) = Some((build, Instant::now(), text.clone()));
    text
}

/// Whether `path` is one of the pages this file answers.
pub fn is_page(path: &str) -> bool {
    matches!(
        path,
        "/__grove/publish"
            | "/__grove/publish/compare"
            | "/__grove/history"
            | "/__grove/publish.js"
            | "/__grove/publish.css"
    )
}

pub const SCRIPT: &str = include_str!("publish.js");
pub const STYLE: &str = include_str!("publish.css");

/// The publish page, the two versions, the history, and their script and style, on the
/// editor's address; `site` is the site's.
pub fn page(request: &Request, shared: &Shared, site: &str) -> Response {
    let editing = &shared.editing;
    let path = request.path();
    match path {
        "/__grove/publish.js" => return super::asset("text/javascript; charset=utf-8", SCRIPT),
        "/__grove/publish.css" => return super::asset("text/css; charset=utf-8", STYLE),
        _ => {}
    }
    if !editing.enabled() {
        return page::off(editing.off, site);
    }
    if request.method != "GET" && request.method != "HEAD" {
        return Response::text(405, "method not allowed").with("Allow", "GET, HEAD");
    }
    let snapshot = shared.snapshot();
    let facts = snapshot.facts.clone().unwrap_or_default();
    match path {
        "/__grove/history" => super::history::page(request, editing, site, &facts),
        "/__grove/publish/compare" => {
            let file = request.query_value("file").unwrap_or_default();
            publish_page::compare(&editing.root, &file, &editing.secret, site, &facts)
        }
        _ => {
            let repo = open(&editing.root);
            let examined = match &repo {
                Ok(repo) => repo.changes().map(|c| {
                    let checked = examine(&editing.root, &c.list);
                    (c, checked)
                }),
                Err(_) => Ok(Default::default()),
            };
            let kept = lock(&editing.publishing.keep).clone();
            publish_page::publish(&publish_page::Shown {
                repo: repo.as_ref(),
                examined: examined.as_ref(),
                secret: &editing.secret,
                site,
                facts: &facts,
                kept: &kept,
            })
        }
    }
}

/// What the checks found, sorted for the publish page.
#[derive(Debug, Default)]
pub struct Examined {
    /// Errors anywhere in the site: each stops publishing.
    pub errors: Vec<Diagnostic>,
    /// Warnings about the files being published.
    pub about_changes: Vec<Diagnostic>,
    /// Warnings about the rest of the site: what it still lacks.
    pub standing: Vec<Diagnostic>,
    /// The check itself could not run (a template that does not render).
    pub failed: Option<String>,
}

/// The same checks as `grove check` (and the deploy workflow's), sorted by whether
/// they are about the files in `changes`. Paths come back from the site folder.
pub fn examine(root: &Path, changes: &[Change]) -> Examined {
    let report = match check::check(root, &CheckOptions::default()) {
        Ok(report) => report,
        Err(e) => {
            return Examined {
                failed: Some(e.to_string()),
                ..Examined::default()
            };
        }
    };
    let mut examined = Examined::default();
    for mut problem in report.problems {
        if let Ok(rel) = problem.path.strip_prefix(root) {
            problem.path = rel.to_path_buf();
        }
        let path = crate::fs::slash_path(&problem.path);
        if problem.severity == Severity::Error {
            examined.errors.push(problem);
        } else if changes.iter().any(|c| c.path == path) {
            examined.about_changes.push(problem);
        } else {
            examined.standing.push(problem);
        }
    }
    examined
}

#[derive(Deserialize)]
struct PublishRequest {
    message: String,
    fingerprint: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
}

#[derive(Deserialize)]
struct KeepRequest {
    file: String,
    online: String,
}

/// The publishing requests (`/__grove/api/publish...`), already authorized.
pub fn api(path: &str, request: &Request, shared: &Shared) -> Response {
    let editing = &shared.editing;
    let state = &editing.publishing;
    match path {
        "/__grove/api/publish" => {
            let Ok(req) = serde_json::from_slice::<PublishRequest>(&request.body) else {
                return refuse(
                    400,
                    "expected what changed and the list's fingerprint as JSON",
                );
            };
            let Ok(_one) = state.running.try_lock() else {
                return refuse(
                    409,
                    "this preview is publishing already (from another tab?): wait until it is done, then look at the list again",
                );
            };
            let words = run(&editing.root, &req, state, shared);
            *lock(&state.step) = None;
            *lock(&state.label) = None;
            words
        }
        "/__grove/api/publish/progress" => {
            let step = lock(&state.step).clone();
            reply(200, json!({ "step": step }))
        }
        "/__grove/api/publish/keep" => {
            let Ok(req) = serde_json::from_slice::<KeepRequest>(&request.body) else {
                return refuse(400, "expected the file and the version online as JSON");
            };
            let mut keep = lock(&state.keep);
            keep.retain(|(file, _)| *file != req.file);
            keep.push((req.file, req.online));
            reply(200, json!({ "kept": keep.len() }))
        }
        _ => refuse(404, "no such publishing request"),
    }
}

fn run(root: &Path, req: &PublishRequest, state: &Publishing, shared: &Shared) -> Response {
    let say = |words: &str| *lock(&state.step) = Some(words.to_string());
    let repo = match open(root) {
        Ok(repo) => repo,
        Err(why) => return refuse(409, &why.explain()),
    };
    say("Checking the site…");
    let listed = match repo.changes() {
        Ok(changes) => changes.list,
        Err(e) => return refuse(500, &format!("git could not list the changes: {e}")),
    };
    let examined = examine(root, &listed);
    if let Some(why) = examined.failed {
        return refuse(
            422,
            &format!("the site could not be checked, so nothing was published: {why}"),
        );
    }
    if !examined.errors.is_empty() {
        let problems: Vec<String> = examined.errors.iter().map(|d| d.to_string()).collect();
        return reply(
            422,
            json!({
                "message": format!("Nothing was published: the check found {} to fix first (listed on this page). Reload the page to see them.", plural(problems.len(), "problem")),
                "problems": problems,
            }),
        );
    }
    let identity = (!req.name.trim().is_empty() || !req.email.trim().is_empty())
        .then(|| (req.name.clone(), req.email.clone()));
    let order = Order {
        message: req.message.clone(),
        fingerprint: req.fingerprint.clone(),
        keep_mine: lock(&state.keep).clone(),
        identity,
    };
    // Publishing is a write: no save, upload or new file runs while it commits, and
    // none while changes from colleagues come into the folder.
    let outcome = {
        let _writing = shared.editing.write_lock();
        repo.publish(&order, |step| say(&step.words()))
    };
    let facts = shared.snapshot().facts.clone().unwrap_or_default();
    match outcome {
        Ok(Outcome::Published { commit, brought_in }) => {
            lock(&state.keep).clear();
            let mut words = "Published. The site updates in a few minutes.".to_string();
            if brought_in > 0 {
                words.push_str(&format!(
                    " {} published by colleagues meanwhile came in with it, and are in this folder now.",
                    if brought_in == 1 { "One change".to_string() } else { format!("{brought_in} changes") }
                ));
            }
            reply(
                200,
                json!({ "message": words, "commit": commit, "build_page": repo.build_page() }),
            )
        }
        Ok(Outcome::Conflicts(conflicts)) => {
            let list: Vec<serde_json::Value> = conflicts
                .iter()
                .map(|c| publish_page::conflict_json(&repo, c, &facts))
                .collect();
            reply(
                409,
                json!({
                    "message": "A colleague changed the same page online since you started. Your version is kept here and theirs online: look at both and choose.",
                    "conflicts": list,
                }),
            )
        }
        Err(e) => {
            let status = match e {
                PublishError::NoMessage | PublishError::MessageLines | PublishError::NoIdentity => {
                    422
                }
                PublishError::Git { .. } => 502,
                _ => 409,
            };
            let field = match e {
                PublishError::NoMessage | PublishError::MessageLines => Some("message"),
                PublishError::NoIdentity => Some("name"),
                _ => None,
            };
            let mut message = capitalized(&e.to_string());
            if matches!(e, PublishError::Git { .. }) {
                message.push_str(". Nothing is lost: your change is saved in this folder. If it keeps happening, ask the person who set up the site (the message above is what git said).");
            }
            reply(status, json!({ "message": message, "field": field }))
        }
    }
}

pub(super) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
