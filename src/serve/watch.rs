//! File watching: notify events for the site's folders, gathered into debounced batches.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::error::{Error, Result};

/// Quiet time after the last event before a batch is handed over.
pub const QUIET: Duration = Duration::from_millis(30);
/// A batch is handed over after this long even if events keep coming (a burst of saves).
pub const MAX_WAIT: Duration = Duration::from_millis(400);

/// The folders grove reads, watched recursively; the site folder itself is watched alone so
/// that `config.toml` edits and folders deleted and made again are seen.
pub struct SiteWatcher {
    watcher: RecommendedWatcher,
    root: PathBuf,
    watched: BTreeSet<PathBuf>,
    pub events: Receiver<PathBuf>,
}

impl SiteWatcher {
    /// Starts watching `root` (an absolute, canonical path).
    pub fn start(root: &Path) -> Result<SiteWatcher> {
        let (tx, rx): (Sender<PathBuf>, Receiver<PathBuf>) = channel();
        let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            if let Ok(event) = res {
                if matches!(event.kind, EventKind::Access(_)) {
                    return;
                }
                for path in event.paths {
                    let _ = tx.send(path);
                }
            }
        })
        .map_err(|e| Error::file(root, format!("cannot watch the site's files: {e}")))?;
        let mut w = SiteWatcher {
            watcher,
            root: root.to_path_buf(),
            watched: BTreeSet::new(),
            events: rx,
        };
        w.watcher
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(|e| Error::file(root, format!("cannot watch the site folder: {e}")))?;
        w.refresh(&[]);
        Ok(w)
    }

    /// Watches folders that appeared (or were deleted and made again) since the last call.
    pub fn refresh(&mut self, changed: &[PathBuf]) {
        for name in ["content", "templates", "themes", "static"] {
            let dir = self.root.join(name);
            let recreated = changed.iter().any(|p| p == &dir);
            if dir.is_dir() && (recreated || !self.watched.contains(&dir)) {
                let _ = self.watcher.unwatch(&dir);
                if self.watcher.watch(&dir, RecursiveMode::Recursive).is_ok() {
                    self.watched.insert(dir);
                }
            } else if !dir.exists() {
                self.watched.remove(&dir);
            }
        }
    }

    /// Blocks until something changes, then gathers the burst: returns the distinct paths.
    pub fn next_batch(&self) -> Option<Vec<PathBuf>> {
        let first = self.events.recv().ok()?;
        Some(gather(first, &self.events, QUIET, MAX_WAIT))
    }
}

/// Collects events until `quiet` passes without one, or `max_wait` since the first.
pub fn gather(
    first: PathBuf,
    rx: &Receiver<PathBuf>,
    quiet: Duration,
    max_wait: Duration,
) -> Vec<PathBuf> {
    let start = Instant::now();
    let mut paths = BTreeSet::from([first]);
    loop {
        let left = max_wait.saturating_sub(start.elapsed());
        if left.is_zero() {
            break;
        }
        match rx.recv_timeout(quiet.min(left)) {
            Ok(p) => {
                paths.insert(p);
            }
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    paths.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_becomes_one_batch_of_distinct_paths() {
        let (tx, rx) = channel();
        for i in 0..1000 {
            tx.send(PathBuf::from(format!("content/{}.md", i % 3)))
                .unwrap();
        }
        let batch = gather(
            PathBuf::from("content/0.md"),
            &rx,
            Duration::from_millis(5),
            Duration::from_secs(5),
        );
        assert_eq!(batch.len(), 3);
    }

    #[test]
    fn a_never_ending_burst_is_cut_at_max_wait() {
        let (tx, rx) = channel();
        // Pre-filled with more events than can be drained: the batch ends by max_wait, not quiet.
        for i in 0..200_000 {
            tx.send(PathBuf::from(format!("f{}", i % 10))).unwrap();
        }
        let batch = gather(
            PathBuf::from("f0"),
            &rx,
            Duration::from_secs(10),
            Duration::ZERO,
        );
        assert_eq!(batch, vec![PathBuf::from("f0")]);
    }
}
