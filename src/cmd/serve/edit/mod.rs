//! Editing in the preview: an "Edit this page" link on every page of `grove serve`, a form
//! for the file behind it (from the front matter schema), a live preview of the text by
//! grove's own Markdown pipeline, saving through the build's own checks, new files as
//! `grove new` makes them, and pictures uploaded into `static/images/`.
//!
//! Safe by construction: the editor has an address of its own (another port, so another
//! origin than the site's pages, whose content may carry any script). Every editing
//! request must carry the secret made when the preview started (it is written only into
//! the editor's own pages), name the editor in `Host` and come from a page of the editor
//! (`Origin`); it is refused from its head, before its body is read. Writes run one at a
//! time, and only `.md` files under `content/` and pictures under `static/images/` are
//! ever written, never through a link that leads out of the site.

pub mod form;
pub mod history;
pub mod manage;
pub mod page;
pub mod preview;
pub mod publish;
pub mod publish_page;
pub mod save;
pub mod upload;

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::Deserialize;
use serde_json::json;
use subtle::ConstantTimeEq;

use super::Shared;
use super::request::Request;
use super::response::Response;
use crate::content::Kind;
use crate::fs::Roots;
use crate::markdown::LinkMap;
use crate::render::url_to_file;

/// What the editor needs to know about the site as last built.
#[derive(Debug)]
pub struct Facts {
    /// Content file (`articles/x.md`) -> URL path (`/articles/x/`).
    pub links: LinkMap,
    /// Output file (`articles/x/index.html`) -> content file (drafts' pages included).
    pub sources: HashMap<String, String>,
    pub base_path: String,
    pub tz: jiff::tz::TimeZone,
    /// Every topic the site's pages use, sorted: the editor offers them as suggestions.
    pub tags: Vec<String>,
    /// The site's drafts, by file: each one's page in the preview (a list to lead back to).
    pub drafts: Vec<crate::pipeline::DraftLink>,
}

impl Default for Facts {
    fn default() -> Facts {
        Facts {
            links: LinkMap::new(),
            sources: HashMap::new(),
            base_path: String::new(),
            tz: jiff::tz::TimeZone::UTC,
            tags: Vec::new(),
            drafts: Vec::new(),
        }
    }
}

impl Facts {
    /// Whether these facts still hold for `site` and its `drafts` (a save that adds,
    /// renames, retags or drafts no page leaves them as they are; checked on every save,
    /// so without copying).
    pub fn is_current(
        &self,
        site: &crate::site::Site,
        drafts: &[crate::pipeline::DraftLink],
    ) -> bool {
        self.links == site.links
            && self.base_path == site.config.base_path
            && self.tz == site.config.tz
            && self.drafts == drafts
            && self.tags.len() == site.tags.len()
            && site.tags.iter().all(|t| {
                self.tags
                    .binary_search_by_key(&t.name.to_lowercase(), |n| n.to_lowercase())
                    .is_ok()
            })
    }

    /// `drafts`: the drafts the preview shows (`Pipeline::draft_links`).
    pub fn new(site: &crate::site::Site, drafts: Vec<crate::pipeline::DraftLink>) -> Facts {
        let mut tags: Vec<String> = site.tags.iter().map(|t| t.name.clone()).collect();
        tags.sort_by_key(|t| t.to_lowercase());
        Facts {
            sources: site
                .links
                .iter()
                .map(|(file, url)| (url_to_file(url), file.clone()))
                .chain(
                    drafts
                        .iter()
                        .map(|d| (url_to_file(&d.path), d.file.clone())),
                )
                .collect(),
            links: site.links.clone(),
            base_path: site.config.base_path.clone(),
            tz: site.config.tz.clone(),
            tags,
            drafts,
        }
    }
}

/// Whether editing is on, and what it writes where.
#[derive(Debug)]
pub struct Editing {
    /// Why editing is off (`--read-only`, a non-loopback `--bind`), or `None` when on.
    pub off: Option<&'static str>,
    secret: String,
    /// The site folder, canonical.
    root: PathBuf,
    /// The site folder alone: the editor writes nowhere a link leads out of it, nor into
    /// a theme kept elsewhere.
    roots: Roots,
    /// One write at a time: a save reads the file's version, checks it and writes as one
    /// step, so that of two saves of the same version exactly one wins.
    writes: Mutex<()>,
    publishing: publish::Publishing,
}

impl Editing {
    pub fn new(root: &Path, off: Option<&'static str>) -> Editing {
        Editing {
            off,
            secret: new_secret(),
            root: root.to_path_buf(),
            roots: Roots::of_site(root, None),
            writes: Mutex::new(()),
            publishing: publish::Publishing::default(),
        }
    }

    pub fn enabled(&self) -> bool {
        self.off.is_none()
    }

    /// The HTML put at the end of each page of the preview of `build`: the live-reload
    /// script, and the editing links when editing is on.
    pub fn page_tag(&self, key: &str, facts: Option<&Facts>, build: u64) -> Vec<u8> {
        let mut tag = super::response::LIVE_TAG.to_vec();
        if !self.enabled() {
            return tag;
        }
        let file = facts.and_then(|f| f.sources.get(key));
        let publish = publish::toolbar_label(self, build);
        tag.extend_from_slice(page::toolbar(file.map(String::as_str), Some(&publish)).as_bytes());
        tag
    }

    /// Whether the editor may write `path`, which must lie in the site's `folder`
    /// (`content`, `static`): every link on the way resolved, the folder lies inside the
    /// site and `path` inside the folder (a `static/images` that leads into `content/`
    /// is refused, as is a `content/` that leads out of the site).
    fn may_write(&self, folder: &str, path: &Path) -> bool {
        let folder = crate::fs::resolve(&self.root.join(folder));
        let real = crate::fs::resolve(path);
        match (folder, real) {
            (Some(folder), Some(real)) => self.roots.contain(&folder) && real.starts_with(&folder),
            _ => false,
        }
    }

    /// Holds every other write off until the guard is dropped.
    fn write_lock(&self) -> MutexGuard<'_, ()> {
        self.writes.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// 32 bytes from the system's random source, as hex.
fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    if getrandom::fill(&mut bytes).is_err() {
        // No random source: editing must not be open to anyone who can guess.
        return String::new();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `path` is one of the editor's (its pages, its script and its requests).
fn is_editor_path(path: &str) -> bool {
    matches!(
        path,
        "/__grove/edit" | "/__grove/new" | "/__grove/editor.js" | "/__grove/editor.css"
    ) || path.starts_with("/__grove/api/")
        || publish::is_page(path)
}

/// On the preview's address, the editor is not served: its pages are redirected to the
/// editor's own address (a page's script that follows the link lands on another origin
/// and can read nothing there), and its requests are refused. `None` for other paths.
pub fn redirect(request: &Request, shared: &Shared) -> Option<Response> {
    let path = request.path();
    if !is_editor_path(path) {
        return None;
    }
    let editing = &shared.editing;
    let api = path.starts_with("/__grove/api/");
    let (Some(hosts), false) = (&shared.editor_hosts, api) else {
        return Some(match editing.off {
            Some(why) if !api => page::off(Some(why), ""),
            Some(why) => refuse(403, why),
            None => refuse(
                404,
                "editing requests go to the editor's own address, not to the site's",
            ),
        });
    };
    let host = request.header("Host").unwrap_or_default();
    let query = request.query().map(|q| format!("?{q}")).unwrap_or_default();
    Some(
        Response::new(302, Vec::new())
            .with(
                "Location",
                format!("{}{path}{query}", hosts.origin_for(host)),
            )
            .with("Cache-Control", "no-store"),
    )
}

/// Answers a request on the editor's own address: its pages, its script and style, and
/// its requests. Nothing of the site is served here.
pub fn respond(request: &Request, shared: &Shared) -> Response {
    let path = request.path();
    let editing = &shared.editing;
    let host = request.header("Host").unwrap_or_default();
    let site = shared.hosts.origin_for(host);
    match path {
        "/__grove/editor.js" => asset("text/javascript; charset=utf-8", page::SCRIPT),
        "/__grove/editor.css" => asset("text/css; charset=utf-8", page::STYLE),
        _ if publish::is_page(path) => publish::page(request, shared, &site),
        _ if path.starts_with("/__grove/api/") => match authorize(request, shared) {
            Err(refusal) => refusal,
            Ok(()) => api(path, request, shared, &site),
        },
        "/" | "/__grove/edit" | "/__grove/new"
            if request.method != "GET" && request.method != "HEAD" =>
        {
            Response::text(405, "method not allowed").with("Allow", "GET, HEAD")
        }
        "/" => Response::new(302, Vec::new()).with("Location", "/__grove/new"),
        "/__grove/edit" => edit_page(request, shared, &site),
        "/__grove/new" => {
            let snapshot = shared.snapshot();
            let drafts = snapshot.facts.as_ref().map_or(&[][..], |f| &f.drafts[..]);
            page::html(page::new_page(&editing.secret, &site, drafts), &site)
        }
        _ => page::not_here(&site),
    }
}

fn asset(kind: &str, text: &str) -> Response {
    Response::new(200, text.as_bytes().to_vec())
        .with("Content-Type", kind.to_string())
        .with("Cache-Control", "no-cache")
        .with("X-Content-Type-Options", "nosniff")
}

/// A JSON answer.
pub(super) fn reply(status: u16, value: serde_json::Value) -> Response {
    Response::new(status, value.to_string().into_bytes())
        .with("Content-Type", "application/json")
        .with("Cache-Control", "no-store")
        .with("X-Content-Type-Options", "nosniff")
}

pub(super) fn refuse(status: u16, message: &str) -> Response {
    reply(status, json!({ "message": message }))
}

/// The checks every editing request passes, from its head alone, before its body is
/// read: editing on, a POST, addressed to the editor (`Host`), sent by a page of the
/// editor (`Origin`: the site's own pages are another origin), carrying the key.
pub fn authorize(request: &Request, shared: &Shared) -> Result<(), Response> {
    let editing = &shared.editing;
    let Some(hosts) = shared.editor_hosts.as_ref().filter(|_| editing.enabled()) else {
        return Err(refuse(403, editing.off.unwrap_or("editing is off")));
    };
    if request.method != "POST" {
        return Err(refuse(405, "editing requests are POST requests").with("Allow", "POST"));
    }
    if !request.header("Host").is_some_and(|h| hosts.allows(h)) {
        return Err(refuse(421, "this request is not addressed to the editor"));
    }
    if !request
        .header("Origin")
        .is_some_and(|o| hosts.allows_origin(o))
    {
        return Err(refuse(
            403,
            "editing requests must come from a page of the editor",
        ));
    }
    let sent = request.header("X-Grove-Secret").unwrap_or_default();
    let matches: bool = sent.as_bytes().ct_eq(editing.secret.as_bytes()).into();
    if editing.secret.is_empty() || !matches {
        return Err(refuse(
            403,
            "this request does not carry the preview's key: reload the editor page and try again",
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
struct SaveRequest {
    file: String,
    version: String,
    #[serde(flatten)]
    submitted: save::Submitted,
}

#[derive(Deserialize)]
struct NewRequest {
    kind: String,
    title: String,
}

/// `origin`: the site's address, as the request named the editor's.
fn api(path: &str, request: &Request, shared: &Shared, origin: &str) -> Response {
    let editing = &shared.editing;
    let snapshot = shared.snapshot();
    let facts = snapshot.facts.clone().unwrap_or_default();
    let site = save::SiteLinks {
        links: &facts.links,
        base_path: &facts.base_path,
        tz: &facts.tz,
    };
    match path {
        "/__grove/api/preview" => preview::respond(editing, request, shared, &site, origin),
        "/__grove/api/save" => {
            let Ok(req) = serde_json::from_slice::<SaveRequest>(&request.body) else {
                return refuse(400, "expected the file, its version and the form as JSON");
            };
            save_file(editing, req, &site, &facts)
        }
        "/__grove/api/new" => {
            let Ok(req) = serde_json::from_slice::<NewRequest>(&request.body) else {
                return refuse(400, "expected the kind and the title as JSON");
            };
            new_file(editing, &req, &facts.tz)
        }
        "/__grove/api/upload" => upload::respond(editing, request),
        "/__grove/api/current" | "/__grove/api/delete" | "/__grove/api/links" => {
            let Ok(req) = serde_json::from_slice::<manage::FileRequest>(&request.body) else {
                return refuse(400, "expected the file as JSON");
            };
            let Some(file) = content_file(editing, &req.file) else {
                return refuse(403, NOT_EDITABLE);
            };
            match path {
                "/__grove/api/current" => manage::current(&file, &req),
                "/__grove/api/delete" => manage::delete(editing, &file, &req),
                _ => reply(
                    200,
                    json!({ "pages": manage::linked_from(&editing.root, &req.file, &facts) }),
                ),
            }
        }
        "/__grove/api/restore" => match serde_json::from_slice(&request.body) {
            Ok(req) => manage::restore(editing, &req),
            Err(_) => refuse(400, "expected the token as JSON"),
        },
        _ if path.starts_with("/__grove/api/publish") => publish::api(path, request, shared),
        _ => refuse(404, "no such editing request"),
    }
}

const NOT_EDITABLE: &str = "only .md files under content/, inside the site folder, can be edited";

/// A version of a file's bytes: what the editor had open.
pub fn version(bytes: &[u8]) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(bytes))
}

fn save_file(
    editing: &Editing,
    req: SaveRequest,
    site: &save::SiteLinks,
    facts: &Facts,
) -> Response {
    let Some(file) = content_file(editing, &req.file) else {
        return refuse(403, NOT_EDITABLE);
    };
    // From reading the version to writing the file, no other write runs: of two saves of
    // one version, the second finds the first's text and is refused.
    let _writing = editing.write_lock();
    let original = match std::fs::read(&file) {
        Ok(bytes) => bytes,
        Err(_) => {
            return refuse(
                409,
                "this file is no longer there (moved or deleted since you opened it). Your text is still in the form: copy it before you leave the page.",
            );
        }
    };
    if version(&original) != req.version {
        // Both versions go back: the editor shows them side by side and lets the person
        // choose, nothing is lost on either side.
        let theirs = String::from_utf8_lossy(&original);
        let mut values = manage::form_values(&req.file, &theirs);
        values["version"] = json!(version(&original));
        return reply(
            409,
            json!({
                "message": "This page was changed elsewhere since you opened it (in another tab, another program, or by a colleague). Nothing was saved: compare the two versions below and choose.",
                "theirs": values,
            }),
        );
    }
    let original = String::from_utf8_lossy(&original);
    let text = match save::apply(&req.file, &original, &req.submitted) {
        Ok(text) => text,
        Err(problems) => return reply(422, json!({ "problems": problems })),
    };
    let problems = save::check(&req.file, &file, &text, site);
    if !problems.is_empty() {
        return reply(422, json!({ "problems": problems }));
    }
    // What the file alone allows, the site may not: pages that link to a new draft.
    if let Some(message) = manage::draft_refusal(&editing.root, &req.file, &original, &text, facts)
    {
        return reply(
            422,
            json!({ "problems": [{ "field": "draft", "message": message }] }),
        );
    }
    if let Err(e) = crate::fs::write::replace(&file, text.as_bytes()) {
        return refuse(500, &not_written("The page was not saved", &e));
    }
    let url = facts.links.get(&req.file).cloned();
    reply(
        200,
        json!({ "version": version(text.as_bytes()), "url": url }),
    )
}

fn new_file(editing: &Editing, req: &NewRequest, tz: &jiff::tz::TimeZone) -> Response {
    let Some(kind) = Kind::ALL
        .into_iter()
        .find(|k| format!("{k:?}").eq_ignore_ascii_case(&req.kind))
    else {
        return refuse(
            400,
            "choose an article, a FAQ entry, a team member or a page",
        );
    };
    let today = jiff::Timestamp::now().to_zoned_datetime(tz.clone()).date();
    let root = &editing.root;
    let made = {
        let _writing = editing.write_lock();
        crate::cmd::new::create(root, kind, &req.title, today)
    };
    match made {
        Ok(path) => {
            let rel = path
                .strip_prefix(root.join("content"))
                .map(crate::fs::slash_path)
                .unwrap_or_default();
            reply(201, json!({ "file": rel, "edit": page::edit_url(&rel) }))
        }
        Err(e) => {
            let message = match e.diagnostic(crate::diag::Severity::Error) {
                Some(d) => save_message(&d),
                None => e.to_string(),
            };
            // The page that is there already, to open instead.
            let slug = crate::slugs::slugify(req.title.trim());
            let existing = match kind.folder() {
                "" => format!("{slug}.md"),
                folder => format!("{folder}/{slug}.md"),
            };
            let (a, _) = kind_words(kind);
            let label = kind.fields()[0].label.to_lowercase();
            match content_file(editing, &existing).filter(|p| p.is_file()) {
                Some(_) => reply(
                    409,
                    json!({
                        "message": format!("{a} with this {label} exists already: open it to change it, or choose another {label}"),
                        "existing": page::edit_url(&existing),
                    }),
                ),
                None => refuse(409, &message),
            }
        }
    }
}

/// `what` did not happen because the computer refused a write, said for a person: the
/// likely cause and what to do, then the system's own words for whoever helps.
pub(super) fn not_written(what: &str, e: &std::io::Error) -> String {
    let why = match e.kind() {
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            "this computer does not let grove change the site folder: check that the folder is yours and not read-only (or on a disk that is), then try again"
        }
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
            "the disk is full: make room (empty the trash, delete large files), then try again"
        }
        _ => {
            "the computer refused to write it: try again, and if it happens again, ask whoever looks after the site"
        }
    };
    format!("{what}: {why}. Nothing you typed is lost. (The computer said: {e}.)")
}

/// "A FAQ entry", "FAQ entry": how messages and lists name a kind of content.
pub fn kind_words(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Article => ("An article", "article"),
        Kind::Faq => ("A FAQ entry", "FAQ entry"),
        Kind::Team => ("A team member", "team member"),
        Kind::Page => ("A page", "page"),
    }
}

fn save_message(d: &crate::diag::Diagnostic) -> String {
    match &d.help {
        Some(h) => format!("{}: {}", d.message, h),
        None => d.message.clone(),
    }
}

/// The content file a request names (`articles/x.md`), when it is a `.md` file under
/// `content/` that lies, every link on the way resolved, inside the site folder; `None`
/// for anything else.
fn content_file(editing: &Editing, relative: &str) -> Option<PathBuf> {
    let rel = Path::new(relative);
    let plain = !relative.is_empty()
        && !relative.contains('\\')
        && !relative.contains('\0')
        && relative.ends_with(".md")
        && rel.components().all(|c| matches!(c, Component::Normal(_)));
    let path = editing.root.join("content").join(rel);
    (plain && editing.may_write("content", &path)).then_some(path)
}

/// The editor page for the file named in the query (`?file=articles/x.md`).
fn edit_page(request: &Request, shared: &Shared, site: &str) -> Response {
    let editing = &shared.editing;
    let wanted = request.query_value("file").unwrap_or_default();
    let Some(file) = content_file(editing, &wanted) else {
        return page::not_editable(&wanted, site);
    };
    let Ok(bytes) = std::fs::read(&file) else {
        return page::not_editable(&wanted, site);
    };
    let snapshot = shared.snapshot();
    let url = snapshot
        .facts
        .as_ref()
        .and_then(|f| f.links.get(&wanted))
        .cloned();
    let tags = snapshot.facts.as_ref().map_or(&[][..], |f| &f.tags[..]);
    // "Restore this version", or a colleague's version online: the form opens with the
    // file, and the other version comes with it (the file stays as it is until Save).
    let earlier = history::earlier(
        &editing.root,
        &wanted,
        request.query_value("from").as_deref(),
        request.query_value("online").as_deref(),
        snapshot.facts.as_deref(),
    );
    let text = String::from_utf8_lossy(&bytes);
    page::html(
        page::editor(&page::Open {
            file: &wanted,
            text: &text,
            version: &version(&bytes),
            url: url.as_deref(),
            secret: &editing.secret,
            site,
            suggestions: tags,
            earlier: earlier.as_ref(),
        }),
        site,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_markdown_files_inside_content_can_be_named() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/articles")).unwrap();
        std::fs::write(root.join("content/articles/x.md"), "x").unwrap();
        std::fs::write(root.join("config.toml"), "x").unwrap();
        let editing = Editing::new(&root.canonicalize().unwrap(), None);
        assert!(content_file(&editing, "articles/x.md").is_some());
        assert!(
            content_file(&editing, "articles/new.md").is_some(),
            "a file to be made"
        );
        for bad in [
            "../config.toml",
            "articles/../../config.toml",
            "/etc/passwd.md",
            "articles/x.txt",
            "articles\\x.md",
            "",
            "./articles/x.md",
        ] {
            assert!(content_file(&editing, bad).is_none(), "{bad}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_content_or_out_of_the_site_are_never_written_through() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(root.join("content/articles")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(root.join("config.toml"), "x").unwrap();
        let editing = Editing::new(&root.canonicalize().unwrap(), None);
        symlink(root.join("config.toml"), root.join("content/link.md")).unwrap();
        assert!(
            content_file(&editing, "link.md").is_none(),
            "out of content/"
        );
        symlink(&outside, root.join("content/team")).unwrap();
        assert!(
            content_file(&editing, "team/new.md").is_none(),
            "a folder link"
        );
        symlink(outside.join("gone"), root.join("content/dangling.md")).unwrap();
        assert!(
            content_file(&editing, "dangling.md").is_none(),
            "a dangling link"
        );
        // content/ itself linked out of the site.
        std::fs::rename(root.join("content"), dir.path().join("moved")).unwrap();
        symlink(dir.path().join("moved"), root.join("content")).unwrap();
        assert!(
            content_file(&editing, "articles/x.md").is_none(),
            "content/ leads out"
        );
    }

    #[test]
    fn secrets_are_long_and_different_each_run() {
        let (a, b) = (new_secret(), new_secret());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }
}
