//! File watching: notify events for the site's folders, gathered into debounced batches.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::diag::{Error, Result};
use crate::fs::is_ignored_file_name;

/// Quiet time after the last event before a batch is handed over, while a file may still
/// be in the middle of being written (created, or written without being closed yet).
pub const QUIET: Duration = Duration::from_millis(30);
/// Quiet time after an event that ends a write (the file was closed after writing, renamed
/// into place, or removed): what follows at once (a chmod, a backup removed) still joins
/// the batch, but a save is not kept waiting the full [`QUIET`].
pub const SETTLED: Duration = Duration::from_millis(3);
/// A batch is handed over after this long even if events keep coming (a burst of saves).
pub const MAX_WAIT: Duration = Duration::from_millis(400);

/// One path that changed, and whether the change leaves the file complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub path: PathBuf,
    pub complete: bool,
}

/// Whether an event ends a write: after it the file's content is what the editor meant.
fn completes(kind: &EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
    matches!(
        kind,
        EventKind::Access(AccessKind::Close(AccessMode::Write))
            | EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both))
            | EventKind::Remove(_)
    )
}

/// The folders grove reads, watched recursively; the site folder itself is watched alone so
/// that `config.toml` edits and folders deleted and made again are seen.
pub struct SiteWatcher {
    watcher: RecommendedWatcher,
    root: PathBuf,
    watched: BTreeSet<PathBuf>,
    pub events: Receiver<Change>,
}

impl SiteWatcher {
    /// Starts watching `root` (an absolute, canonical path).
    pub fn start(root: &Path) -> Result<SiteWatcher> {
        let (tx, rx): (Sender<Change>, Receiver<Change>) = channel();
        let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            let Ok(event) = res else { return };
            let complete = completes(&event.kind);
            // Reads, and opens or closes without a write, change nothing.
            if matches!(event.kind, EventKind::Access(_)) && !complete {
                return;
            }
            for path in event.paths {
                // Editor droppings (swap files, backups) never start or prolong a batch.
                if path
                    .file_name()
                    .is_some_and(|n| is_ignored_file_name(&n.to_string_lossy()))
                {
                    continue;
                }
                let _ = tx.send(Change { path, complete });
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
        Some(gather(first, &self.events, QUIET, SETTLED, MAX_WAIT))
    }
}

/// How long to wait for more after `change`.
fn quiet_after(change: &Change, quiet: Duration, settled: Duration) -> Duration {
    if change.complete { settled } else { quiet }
}

/// Collects changes until no other arrives for `quiet` (`settled` when the last one
/// completed a write), or `max_wait` after the first.
pub fn gather(
    first: Change,
    rx: &Receiver<Change>,
    quiet: Duration,
    settled: Duration,
    max_wait: Duration,
) -> Vec<PathBuf> {
    let start = Instant::now();
    let mut wait = quiet_after(&first, quiet, settled);
    let mut paths = BTreeSet::from([first.path]);
    loop {
        let left = max_wait.saturating_sub(start.elapsed());
        if left.is_zero() {
            break;
        }
        match rx.recv_timeout(wait.min(left)) {
            Ok(change) => {
                wait = quiet_after(&change, quiet, settled);
                paths.insert(change.path);
            }
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    paths.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(path: &str, complete: bool) -> Change {
        Change {
            path: PathBuf::from(path),
            complete,
        }
    }

    #[test]
    fn a_burst_becomes_one_batch_of_distinct_paths() {
        let (tx, rx) = channel();
        for i in 0..1000 {
            tx.send(change(&format!("content/{}.md", i % 3), false))
                .unwrap();
        }
        let batch = gather(
            change("content/0.md", false),
            &rx,
            Duration::from_millis(5),
            Duration::from_millis(5),
            Duration::from_secs(5),
        );
        assert_eq!(batch.len(), 3);
    }

    #[test]
    fn a_never_ending_burst_is_cut_at_max_wait() {
        let (tx, rx) = channel();
        // An editor (or a sync tool) that never stops writing: a change every millisecond
        // for up to 30 s, far longer than the quiet time would ever allow to end a batch.
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let stop = std::sync::Arc::clone(&stop);
            std::thread::spawn(move || {
                for i in 0..30_000 {
                    if stop.load(std::sync::atomic::Ordering::Relaxed)
                        || tx.send(change(&format!("f{}", i % 10), false)).is_err()
                    {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
            })
        };
        let start = Instant::now();
        let batch = gather(
            change("f0", false),
            &rx,
            Duration::from_secs(10),
            Duration::from_secs(10),
            Duration::from_millis(200),
        );
        let took = start.elapsed();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        writer.join().unwrap();
        // It read the burst (every one of the ten names) and still handed the batch over.
        assert_eq!(batch.len(), 10, "{batch:?}");
        assert!(took < Duration::from_secs(5), "the batch waited {took:?}");
    }

    #[test]
    fn a_completed_write_waits_only_the_short_quiet() {
        let (quiet, settled) = (Duration::from_millis(30), Duration::from_millis(3));
        assert_eq!(quiet_after(&change("a.md", true), quiet, settled), settled);
        assert_eq!(quiet_after(&change("a.md", false), quiet, settled), quiet);
    }

    #[test]
    fn closing_after_a_write_and_renaming_into_place_complete_a_save() {
        use notify::event::{
            AccessKind, AccessMode, CreateKind, DataChange, ModifyKind, RemoveKind, RenameMode,
        };
        assert!(completes(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(completes(&EventKind::Modify(ModifyKind::Name(
            RenameMode::To
        ))));
        assert!(completes(&EventKind::Remove(RemoveKind::File)));
        assert!(!completes(&EventKind::Create(CreateKind::File)));
        assert!(!completes(&EventKind::Modify(ModifyKind::Data(
            DataChange::Any
        ))));
        assert!(!completes(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
    }
}
