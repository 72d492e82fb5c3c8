//! `grove serve`: builds the site in memory, serves it on 127.0.0.1, rebuilds what a saved
//! file affects, and tells open tabs to reload. It never writes into the output folder.

pub mod builder;
pub mod http;
pub mod reload;
pub mod watch;
pub mod wire;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use crate::error::{Error, Result};
use crate::output::Entry;
use crate::rebuild::{Plan, plan};
use crate::site::{BuildOptions, is_ignored_file_name};

use builder::{Builder, Outcome};

/// What `grove serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    /// 0 lets the system choose.
    pub port: u16,
    pub drafts: bool,
    pub open: bool,
}

/// The site as served at one moment: replaced whole after each rebuild.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub files: Arc<HashMap<String, Entry>>,
    /// The last rebuild's error, shown over every page until the next good build.
    pub error: Option<String>,
    /// Changes at every good build; a tab that sees a new number reloads.
    pub build: u64,
}

/// State shared by the HTTP threads and the rebuild loop.
pub struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    pub hub: reload::Hub,
    pub allowed_roots: Vec<PathBuf>,
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

/// The first event a tab receives: the build it is looking at, and any current error.
pub fn hello(s: &Snapshot) -> String {
    reload::format_event(
        "hello",
        &serde_json::json!({ "build": s.build, "error": s.error }).to_string(),
    )
}

/// A running preview server (the HTTP side); the rebuild loop runs on the caller's thread.
pub struct Server {
    pub address: SocketAddr,
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
    let host = if address.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        address.ip().to_string()
    };
    let base_url = format!("http://{host}:{}", address.port());
    let build_options = BuildOptions {
        drafts: options.drafts,
        base_url: Some(base_url),
    };
    let theme_dir = crate::Config::load(&root)
        .ok()
        .and_then(|c| c.theme_dir(&root));
    let shared = Arc::new(Shared {
        snapshot: RwLock::new(Arc::new(Snapshot::default())),
        hub: reload::Hub::default(),
        allowed_roots: http::allowed_roots(&root, theme_dir),
    });

    // Loaded from the folder as the user named it, so that messages read `content/x.md:3:1`
    // as they do for `grove build`, not a long absolute path.
    let mut builder = Builder::new(options.root.clone(), build_options);
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

    let listening = Arc::clone(&shared);
    std::thread::Builder::new()
        .name("grove-http".into())
        .spawn(move || wire::listen(listener, listening))
        .map_err(|e| Error::io("cannot start a thread for", &root, e))?;
    Ok(Server {
        address,
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
        let mut publish = |snapshot: Snapshot, paths: Option<Vec<String>>| {
            let data = serde_json::json!({ "build": snapshot.build, "paths": paths }).to_string();
            shared.replace(snapshot);
            shared.hub.broadcast("reload", &data);
        };
        while let Some(changed) = self.watcher.next_batch() {
            self.watcher.refresh(&changed);
            let theme = self.builder.theme();
            let plan = plan(&self.root, theme.as_deref(), &changed);
            if plan == Plan::Nothing {
                continue;
            }
            let what = describe(&self.root, &changed);
            let start = Instant::now();
            match self.builder.rebuild(&plan, &mut publish) {
                Ok(outcome) => {
                    let ms = start.elapsed().as_millis();
                    match outcome {
                        Outcome::Unchanged => {}
                        Outcome::Css => {
                            shared.replace(self.builder.snapshot(None));
                            let data =
                                serde_json::json!({ "build": self.builder.build }).to_string();
                            shared.hub.broadcast("css", &data);
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
                    shared.hub.broadcast(
                        "build-error",
                        &serde_json::json!({ "message": message }).to_string(),
                    );
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
        .map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    match names.len() {
        0 => "the site folder".into(),
        1..=3 => names.join(", "),
        n => format!("{}, {} and {} more", names[0], names[1], n - 2),
    }
}

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
