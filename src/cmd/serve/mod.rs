//! `grove serve`: builds the site in memory, serves it on 127.0.0.1, rebuilds what a saved
//! file affects, and tells open tabs to reload. It never writes into the output folder.

pub mod builder;
pub mod connection;
pub mod edit;
pub mod host;
pub mod http;
pub mod live;
pub mod request;
pub mod response;
pub mod watch;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use crate::diag::{Error, Result, Shown};
use crate::fs::Roots;
use crate::fs::is_ignored_file_name;
use crate::output::Entry;
use crate::pipeline::live::Outcome;
use crate::pipeline::plan::Plan;
use crate::site::BuildOptions;

use builder::{Builder, Notice};

/// What `grove serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    /// 0 lets the system choose.
    pub port: u16,
    pub drafts: bool,
    pub open: bool,
    /// `--read-only`: no editing in the browser.
    pub read_only: bool,
    /// `--allow-remote-edit`: editing stays on with a non-loopback `--bind`.
    pub allow_remote_edit: bool,
}

impl ServeOptions {
    /// Why editing in the browser is off for these options, or `None` when it is on.
    pub fn editing_off(&self) -> Option<&'static str> {
        if self.read_only {
            Some("editing is off: the preview was started with --read-only")
        } else if !self.bind.is_loopback() && !self.allow_remote_edit {
            Some(
                "editing is off: the preview listens beyond this computer (--bind); start it with --allow-remote-edit to edit from other devices",
            )
        } else {
            None
        }
    }
}

/// The site as served at one moment: replaced whole after each rebuild.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub files: Arc<HashMap<String, Entry>>,
    /// The last rebuild's error, shown over every page until the next good build.
    pub error: Option<String>,
    /// Changes at every good build; a tab that sees a new number reloads.
    pub build: u64,
    /// What the editor knows of the site (`None` until a build succeeded).
    pub facts: Option<Arc<edit::Facts>>,
}

/// State shared by the HTTP threads and the rebuild loop.
pub struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    pub hub: live::Hub,
    /// Static files are served only from inside these folders.
    pub roots: Roots,
    /// The names requests must address the preview by.
    pub hosts: host::Hosts,
    /// The editor's own address (another port, so another origin: scripts in the site's
    /// pages cannot read it or call it), when editing is on.
    pub editor_hosts: Option<host::Hosts>,
    pub connections: connection::Registry,
    pub editing: edit::Editing,
    /// The page a file's unsaved text will be, rendered against the build as served: what
    /// the editor shows beside the text.
    pub unsaved: crate::pipeline::live::Unsaved,
}

impl Shared {
    /// The current snapshot (cheap: an `Arc`).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.snapshot.read().unwrap_or_else(|p| p.into_inner()))
    }

    fn replace(&self, s: Snapshot) {
        *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(s);
    }
}

/// Which of the preview's two addresses a connection came in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The site's pages (which may carry any script their content holds).
    Preview,
    /// The editor's pages and requests only, on an origin of their own.
    Editor,
}

impl Shared {
    /// The names a request on `side` must use.
    pub fn hosts(&self, side: Side) -> &host::Hosts {
        match (side, &self.editor_hosts) {
            (Side::Editor, Some(hosts)) => hosts,
            _ => &self.hosts,
        }
    }
}

/// The first message a tab receives: the build it is looking at, and any current error.
pub fn hello(s: &Snapshot) -> String {
    live::message(
        "hello",
        serde_json::json!({ "build": s.build, "error": s.error }),
    )
}

/// A running preview server (the HTTP side); the rebuild loop runs on the caller's thread.
pub struct Server {
    pub address: SocketAddr,
    /// The editor's address, when editing is on.
    pub editor: Option<SocketAddr>,
    /// The site folder, canonical: the watcher reports paths under it.
    root: PathBuf,
    pub shared: Arc<Shared>,
    builder: Builder,
    watcher: watch::SiteWatcher,
}

/// Binds, builds once and starts answering requests. Call [`Server::run`] to watch and rebuild.
pub fn start(options: &ServeOptions, mut log: impl FnMut(&str)) -> Result<Server> {
    let root = options
        .root
        .canonicalize()
        .map_err(|e| Error::io("cannot open the site folder", &options.root, e))?;
    let listener = bind(options.bind, options.port, &mut log)?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::io("cannot read the address of", &root, e))?;
    // The editor listens on the next free port: see docs/decisions/0002-editor-origin.md.
    let editor_listener = match options.editing_off() {
        Some(_) => None,
        None => {
            let port = match options.port {
                0 => 0,
                _ => address.port().saturating_add(1),
            };
            Some(bind(options.bind, port, &mut log)?)
        }
    };
    let editor = match &editor_listener {
        Some(l) => Some(
            l.local_addr()
                .map_err(|e| Error::io("cannot read the address of", &root, e))?,
        ),
        None => None,
    };
    let host = if address.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        address.ip().to_string()
    };
    let base_url = format!("http://{host}:{}", address.port());
    let build_options = BuildOptions {
        drafts: options.drafts,
        base_url: Some(base_url),
        production: false,
        one_shot: false,
    };
    let theme_dir = crate::Config::load(&root)
        .ok()
        .and_then(|c| c.theme_dir(&root));
    raise_open_file_limit();
    // Loaded from the folder as the user named it, so that messages read `content/x.md:3:1`
    // as they do for `grove build`, not a long absolute path.
    let mut builder = Builder::new(options.root.clone(), build_options);
    let shared = Arc::new(Shared {
        snapshot: RwLock::new(Arc::new(Snapshot::default())),
        hub: live::Hub::default(),
        roots: Roots::of_site(&root, theme_dir.as_deref()),
        hosts: host::Hosts::new(options.bind, address.port()),
        editor_hosts: editor.map(|a| host::Hosts::new(options.bind, a.port())),
        connections: connection::Registry::default(),
        editing: edit::Editing::new(&root, options.editing_off()),
        unsaved: builder.unsaved(),
    });

    // Watching starts before the first build, so a save made while it runs is not lost.
    let watcher = watch::SiteWatcher::start(&root)?;
    let start = Instant::now();
    let first_error = match builder.full() {
        Ok(stats) => {
            log(&format!(
                "built {} pages in {} ms",
                stats.rendered,
                start.elapsed().as_millis()
            ));
            for warning in &stats.warnings {
                log(&format!("warning: {warning}"));
            }
            None
        }
        Err(e) => {
            log(&format!(
                "error: {e}\n\nserving an error page until the problem is fixed"
            ));
            Some(e.to_string())
        }
    };
    shared.replace(builder.snapshot(first_error));

    let listeners = std::iter::once((listener, Side::Preview))
        .chain(editor_listener.map(|l| (l, Side::Editor)));
    for (listener, side) in listeners {
        let listening = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("grove-http".into())
            .spawn(move || connection::listen(listener, listening, side))
            .map_err(|e| Error::io("cannot start a thread for", &root, e))?;
    }
    Ok(Server {
        address,
        editor,
        root,
        shared,
        builder,
        watcher,
    })
}

impl Server {
    /// Watches for changes and rebuilds until the process ends.
    pub fn run(mut self, mut log: impl FnMut(&str)) {
        let shared = Arc::clone(&self.shared);
        let mut publish = |snapshot: Snapshot, notice: Notice| {
            let build = snapshot.build;
            shared.replace(snapshot);
            match notice {
                Notice::Reload(paths) => shared.hub.broadcast(
                    "reload",
                    serde_json::json!({ "build": build, "paths": paths }),
                ),
                Notice::Stylesheets(renamed) => {
                    let renamed: serde_json::Map<String, serde_json::Value> = renamed
                        .into_iter()
                        .map(|(old, new)| (old, new.into()))
                        .collect();
                    shared.hub.broadcast(
                        "css",
                        serde_json::json!({ "build": build, "renamed": renamed }),
                    )
                }
                Notice::Quiet => {}
            }
        };
        while let Some(changed) = self.watcher.next_batch() {
            self.watcher.refresh(&changed);
            let plan = self.builder.plan(&changed);
            if plan == Plan::Nothing {
                continue;
            }
            let what = describe(&self.root, &changed);
            let start = Instant::now();
            match self.builder.rebuild(&plan, &mut publish) {
                Ok(applied) => {
                    let ms = start.elapsed().as_millis();
                    match applied.outcome {
                        Outcome::Unchanged => {}
                        Outcome::Stylesheets => {
                            log(&format!("updated stylesheets in {ms} ms ({what})"));
                        }
                        Outcome::Static => {
                            log(&format!("updated static files in {ms} ms ({what})"));
                        }
                        Outcome::Rendered(n) => log(&format!(
                            "rebuilt {n} {} in {ms} ms ({what})",
                            if n == 1 { "page" } else { "pages" }
                        )),
                    }
                }
                Err(e) => {
                    let message = e.to_string();
                    shared.replace(self.builder.snapshot(Some(message.clone())));
                    shared
                        .hub
                        .broadcast("build-error", serde_json::json!({ "message": message }));
                    log(&format!(
                        "error: {message}\n\nstill serving the last good build"
                    ));
                }
            }
        }
    }
}

fn describe(root: &Path, changed: &[PathBuf]) -> String {
    let names: Vec<String> = changed
        .iter()
        .filter(|p| {
            p.file_name()
                .is_none_or(|n| !is_ignored_file_name(&n.to_string_lossy()))
        })
        .map(|p| p.strip_prefix(root).unwrap_or(p).shown())
        .filter(|n| !n.is_empty())
        .collect();
    match names.len() {
        0 => "the site folder".into(),
        1..=3 => names.join(", "),
        n => format!("{}, {} and {} more", names[0], names[1], n - 2),
    }
}

/// Each connection holds a file descriptor, and a static file another while it is sent:
/// the soft limit many systems start with (256 on macOS, 1024 on Linux) is raised to the
/// hard limit, so the connection bound is reached before the descriptor limit.
#[cfg(unix)]
fn raise_open_file_limit() {
    // SAFETY: getrlimit and setrlimit only read and write the struct passed to them.
    unsafe {
        let mut limit = std::mem::zeroed::<libc::rlimit>();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 || limit.rlim_cur >= limit.rlim_max
        {
            return;
        }
        let wanted = limit.rlim_max;
        limit.rlim_cur = wanted;
        if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
            // macOS refuses more than OPEN_MAX (10240) even when the hard limit is higher.
            limit.rlim_cur = wanted.min(10240);
            let _ = libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

#[cfg(not(unix))]
fn raise_open_file_limit() {}

fn bind(ip: IpAddr, port: u16, log: &mut impl FnMut(&str)) -> Result<TcpListener> {
    let tries = if port == 0 { 1 } else { 20 };
    let mut last = None;
    for k in 0..tries {
        let p = port.saturating_add(k);
        match TcpListener::bind(SocketAddr::new(ip, p)) {
            Ok(l) => return Ok(l),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                log(&format!(
                    "port {p} is in use; trying {}",
                    p.saturating_add(1)
                ));
                last = Some(e);
            }
            Err(e) => {
                return Err(Error::io(
                    "cannot listen on",
                    Path::new(&format!("{ip}:{p}")),
                    e,
                ));
            }
        }
    }
    Err(Error::io(
        "cannot listen on",
        Path::new(&format!("{ip}:{port}-{}", port.saturating_add(tries - 1))),
        last.unwrap_or_else(|| std::io::Error::from(std::io::ErrorKind::AddrInUse)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(bind: &str, read_only: bool, allow_remote_edit: bool) -> ServeOptions {
        ServeOptions {
            root: PathBuf::from("."),
            bind: bind.parse().unwrap(),
            port: 0,
            drafts: false,
            open: false,
            read_only,
            allow_remote_edit,
        }
    }

    #[test]
    fn editing_is_on_only_on_this_computer_unless_asked_for() {
        assert_eq!(options("127.0.0.1", false, false).editing_off(), None);
        assert_eq!(options("::1", false, false).editing_off(), None);
        let off = options("127.0.0.1", true, false).editing_off().unwrap();
        assert!(off.contains("--read-only"), "{off}");
        for bind in ["0.0.0.0", "192.168.1.20", "::"] {
            let off = options(bind, false, false).editing_off().unwrap();
            assert!(off.contains("--allow-remote-edit"), "{bind}: {off}");
            assert_eq!(options(bind, false, true).editing_off(), None, "{bind}");
            assert!(options(bind, true, true).editing_off().is_some(), "{bind}");
        }
    }
}
