//! `public/` on disk, double-buffered. Beside it, in `.public.grove/`, grove keeps the
//! build before the current one (`slot/`) with a manifest of what it wrote there. A build
//! brings that tree up to date in place (writing only files whose bytes differ, removing
//! files no longer made, creating only new folders) and then exchanges it with `public/`
//! in one step, so `public/` is always one whole build and the tree it replaced becomes
//! the next slot. Where the system cannot exchange two folders, three renames do the same
//! with a moment in which `public/` is missing, never half written.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::tree::{self, Known, Listing};
use super::{Output, Written};
use crate::diag::{Error, Result};

/// Builds into the slot beside the target and exchanges it in on [`DiskOutput::commit`].
/// Dropped without a commit, it leaves the target untouched.
#[derive(Debug)]
pub struct DiskOutput {
    target: PathBuf,
    sidecar: PathBuf,
    slot: PathBuf,
    /// What the slot held when its manifest was last written, and what is there now.
    previous: HashMap<String, Known>,
    existing: Listing,
    produced: Mutex<HashMap<String, Known>>,
    /// Folders of the slot known to exist, as `/`-separated paths.
    dirs: Mutex<HashSet<String>>,
    /// Set before the first change to the slot, once its manifest is gone.
    dirty: AtomicBool,
    written: AtomicUsize,
    write_failed: AtomicBool,
    _lock: File,
    committed: bool,
}

impl DiskOutput {
    /// Checks that `target` is safe to replace, takes the output's lock and lists the slot.
    pub fn prepare(site_root: &Path, target: &Path) -> Result<DiskOutput> {
        let (parent, absolute, name) = super::check_target(site_root, target)?;
        let cannot = |e| Error::io("cannot write the new site into the folder", &parent, e);
        remove_old_layout(&parent, &format!(".{name}.grove-"));

        let sidecar = parent.join(format!(".{name}.grove"));
        std::fs::create_dir_all(&sidecar).map_err(cannot)?;
        let ignore = sidecar.join(".gitignore");
        if !ignore.exists() {
            // git then ignores the whole folder, whatever the site's own .gitignore says.
            std::fs::write(&ignore, "*\n").map_err(cannot)?;
        }
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(sidecar.join("lock"))
            .map_err(cannot)?;
        if let Err(std::fs::TryLockError::WouldBlock) = lock.try_lock() {
            return Err(Error::Output {
                path: absolute,
                message: "another grove build is writing it right now; wait for that build to finish, then build again".into(),
            });
        }

        // A build killed between the renames of the fallback swap: its published site is
        // whole in `old/`.
        let aside = sidecar.join("old");
        if aside.exists() {
            if absolute.exists() {
                tree::remove_tree(&aside).map_err(cannot)?;
            } else {
                std::fs::rename(&aside, &absolute).map_err(cannot)?;
            }
        }

        let slot = sidecar.join("slot");
        let (previous, existing) = if std::fs::symlink_metadata(&slot).is_ok_and(|m| m.is_dir()) {
            let previous = manifest_path(&sidecar, &slot)
                .map(|m| tree::read_manifest(&m))
                .unwrap_or_default();
            (previous, Listing::walk(&slot).map_err(cannot)?)
        } else {
            tree::remove_tree(&slot).map_err(cannot)?;
            std::fs::create_dir(&slot).map_err(cannot)?;
            Default::default()
        };
        remove_stray_manifests(&sidecar, &[&slot, &absolute]);
        let dirs = existing.dirs.clone();
        Ok(DiskOutput {
            target: absolute,
            sidecar,
            slot,
            previous,
            existing,
            produced: Mutex::default(),
            dirs: Mutex::new(dirs),
            dirty: AtomicBool::new(false),
            written: AtomicUsize::new(0),
            write_failed: AtomicBool::new(false),
            _lock: lock,
            committed: false,
        })
    }

    /// The folder the build is written into until the commit.
    pub fn staging(&self) -> &Path {
        &self.slot
    }

    /// Removes what the build no longer makes, records the manifest and puts the finished
    /// build in place of the target in one step.
    pub fn commit(mut self) -> Result<Written> {
        let cannot_move = |e| Error::io("cannot move the new output into place", &self.target, e);
        let produced = std::mem::take(&mut *lock(&self.produced));
        let mut produced_dirs = HashSet::new();
        for rel in produced.keys() {
            let mut rest = rel.as_str();
            while let Some((dir, _)) = rest.rsplit_once('/') {
                if !produced_dirs.insert(dir) {
                    break;
                }
                rest = dir;
            }
        }
        let stale_files: Vec<String> = (self.existing.files.iter())
            .filter(|f| !produced.contains_key(*f) && !produced_dirs.contains(f.as_str()))
            .cloned()
            .collect();
        let stale_dirs: Vec<String> = (self.existing.dirs.iter())
            .filter(|d| !produced_dirs.contains(d.as_str()) && !produced.contains_key(*d))
            .cloned()
            .collect();
        let removed = stale_files.len();
        if removed > 0 || !stale_dirs.is_empty() {
            self.mark_dirty()?;
            tree::remove_entries(&self.slot, stale_files, stale_dirs);
        }
        if let Some(manifest) = manifest_path(&self.sidecar, &self.slot) {
            // Only a cache: without it the next build writes every file again.
            if tree::write_manifest(&manifest, &produced).is_err() {
                let _ = std::fs::remove_file(&manifest);
            }
        }

        if !self.target.exists() {
            std::fs::rename(&self.slot, &self.target).map_err(cannot_move)?;
        } else if !exchange_allowed() || exchange(&self.slot, &self.target).is_err() {
            let aside = self.sidecar.join("old");
            std::fs::rename(&self.target, &aside)
                .map_err(|e| Error::io("cannot move the old output", &self.target, e))?;
            if let Err(e) = std::fs::rename(&self.slot, &self.target) {
                let _ = std::fs::rename(&aside, &self.target);
                return Err(cannot_move(e));
            }
            if std::fs::rename(&aside, &self.slot).is_err() {
                let _ = tree::remove_tree(&aside);
            }
        }
        self.committed = true;
        Ok(Written {
            files: produced.len(),
            changed: self.written.load(Ordering::Relaxed),
            removed,
        })
    }

    /// Forgets the slot's manifest before its first change: a build killed from here on
    /// leaves a slot the next build checks file by file.
    fn mark_dirty(&self) -> Result<()> {
        if self.dirty.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let Some(manifest) = manifest_path(&self.sidecar, &self.slot) else {
            return Ok(());
        };
        match std::fs::remove_file(&manifest) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                self.dirty.store(false, Ordering::Release);
                Err(Error::io(
                    "cannot write the new site into the folder",
                    &self.sidecar,
                    e,
                ))
            }
            _ => Ok(()),
        }
    }

    /// Whether `rel` already holds what `hash` stands for, as grove left it.
    fn unchanged(&self, rel: &str, hash: u64) -> bool {
        let same = self.previous.get(rel).is_some_and(|k| {
            k.hash == hash && self.existing.files.contains(rel) && k.still_at(&self.slot.join(rel))
        });
        if same {
            lock(&self.produced).insert(rel.to_string(), self.previous[rel]);
        }
        same
    }

    /// Creates the folders `rel` needs that the slot does not have, one level at a time,
    /// so that nothing is ever created through a link; a file of an earlier build standing
    /// where a folder now goes is removed.
    fn make_parent(&self, rel: &str) -> Result<()> {
        let Some((dir, _)) = rel.rsplit_once('/') else {
            return Ok(());
        };
        if lock(&self.dirs).contains(dir) {
            return Ok(());
        }
        for (i, _) in dir.match_indices('/').chain([(dir.len(), "")]) {
            let level = &dir[..i];
            if lock(&self.dirs).contains(level) {
                continue;
            }
            let path = self.slot.join(level);
            let made = match std::fs::create_dir(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    match std::fs::symlink_metadata(&path) {
                        Ok(m) if m.is_dir() => Ok(()),
                        _ => std::fs::remove_file(&path).and_then(|_| std::fs::create_dir(&path)),
                    }
                }
                other => other,
            };
            made.map_err(|e| Error::io("cannot create the folder", &self.target.join(level), e))?;
            lock(&self.dirs).insert(level.to_string());
        }
        Ok(())
    }

    /// Writes or copies one file into the slot (the folder it needs already made) and
    /// records it; a folder of an earlier build standing where the file goes is removed.
    fn put(&self, rel: &str, hash: u64, fill: impl Fn(&Path) -> std::io::Result<()>) -> Result<()> {
        self.mark_dirty()?;
        self.make_parent(rel)?;
        let path = self.slot.join(rel);
        let mut done = fill(&path);
        if done.is_err() && std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            done = tree::remove_tree(&path).and_then(|_| fill(&path));
        }
        let known = done.and_then(|_| Known::of(&path, hash));
        match known {
            Ok(k) => {
                lock(&self.produced).insert(rel.to_string(), k);
                self.written.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(e) => {
                self.write_failed.store(true, Ordering::Relaxed);
                Err(Error::io("cannot write", &self.target.join(rel), e))
            }
        }
    }
}

impl Output for DiskOutput {
    fn write(&self, rel: &str, bytes: Vec<u8>) -> Result<()> {
        let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
        if self.unchanged(rel, hash) {
            return Ok(());
        }
        self.put(rel, hash, |path| {
            let mut f = File::create(path)?;
            f.write_all(&bytes)
        })
    }

    fn copy(&self, rel: &str, src: &Path) -> Result<()> {
        // A copy is known by its source's length and time, so unchanged files are not read.
        let meta = std::fs::metadata(src).map_err(|e| Error::io("cannot copy", src, e))?;
        let hash = xxhash_rust::xxh3::xxh3_64(
            format!(
                "copy {} {} {}",
                src.display(),
                meta.len(),
                tree::mtime(&meta)
            )
            .as_bytes(),
        );
        if self.unchanged(rel, hash) {
            return Ok(());
        }
        self.put(rel, hash, |path| std::fs::copy(src, path).map(|_| ()))
    }
}

impl Drop for DiskOutput {
    fn drop(&mut self) {
        // A build that failed to write (a full disk) gives the space back; one stopped by an
        // error in the site keeps the slot for the next build to bring up to date.
        if !self.committed && self.write_failed.load(Ordering::Relaxed) {
            let _ = tree::remove_tree(&self.slot);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The test suite sets `GROVE_OUTPUT_NO_EXCHANGE` to take the path of systems without an
/// atomic exchange on a system that has one.
fn exchange_allowed() -> bool {
    std::env::var_os("GROVE_OUTPUT_NO_EXCHANGE").is_none()
}

/// Where the manifest of the tree at `tree` is kept. It is named after the folder's
/// identity, which moves with the folder when it is exchanged, so a manifest can never
/// describe the other tree. Systems without such an identity keep none.
fn manifest_path(sidecar: &Path, tree: &Path) -> Option<PathBuf> {
    tree_id(tree).map(|id| sidecar.join(format!("{id}.manifest")))
}

#[cfg(unix)]
fn tree_id(tree: &Path) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(tree).ok().map(|m| m.ino())
}

#[cfg(not(unix))]
fn tree_id(_: &Path) -> Option<u64> {
    None
}

/// Manifests of trees that are gone (a slot removed by hand, a fallback swap).
fn remove_stray_manifests(sidecar: &Path, trees: &[&Path]) {
    let keep: Vec<PathBuf> = trees
        .iter()
        .filter_map(|t| manifest_path(sidecar, t))
        .collect();
    let Ok(entries) = std::fs::read_dir(sidecar) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if (name.ends_with(".manifest") || name.ends_with(".partial")) && !keep.contains(&path) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Staging folders of earlier versions of grove (`.public.grove-new-123`), left by a
/// killed build; only names grove itself made.
fn remove_old_layout(parent: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(rest) = name.strip_prefix(prefix)
            && (rest.starts_with("new-") || rest.starts_with("old-"))
        {
            let _ = tree::remove_tree(&entry.path());
        }
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    let (a, b) = (c_path(a)?, c_path(b)?);
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(target_os = "macos")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    let (a, b) = (c_path(a)?, c_path(b)?);
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let r = unsafe { libc::renamex_np(a.as_ptr(), b.as_ptr(), libc::RENAME_SWAP) };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(any(target_os = "linux", target_os = "macos"))]
fn c_path(p: &Path) -> std::io::Result<std::ffi::CString> {
    use std::os::unix::ffi::OsStrExt;
    Ok(std::ffi::CString::new(p.as_os_str().as_bytes())?)
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("content")).unwrap();
        std::fs::write(dir.path().join("config.toml"), "").unwrap();
        dir
    }

    fn build(root: &Path, files: &[(&str, &str)]) -> Written {
        let out = DiskOutput::prepare(root, &root.join("public")).unwrap();
        for (rel, text) in files {
            out.write(rel, text.as_bytes().to_vec()).unwrap();
        }
        out.commit().unwrap()
    }

    fn read(root: &Path, rel: &str) -> String {
        std::fs::read_to_string(root.join("public").join(rel)).unwrap()
    }

    fn listing(root: &Path) -> Vec<String> {
        let mut l = Listing::walk(&root.join("public")).unwrap();
        let mut all: Vec<String> = l
            .files
            .drain()
            .chain(l.dirs.drain().map(|d| d + "/"))
            .collect();
        all.sort();
        all
    }

    #[test]
    fn commit_replaces_the_old_output_whole() {
        let dir = site();
        let root = dir.path();
        build(root, &[("index.html", "old"), ("stale.html", "old")]);
        build(root, &[("index.html", "old"), ("stale.html", "old")]);
        build(root, &[("index.html", "new")]);
        assert_eq!(read(root, "index.html"), "new");
        assert!(!root.join("public/stale.html").exists());
        let beside: Vec<_> = std::fs::read_dir(root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("grove"))
            .collect();
        assert_eq!(beside, [".public.grove"]);
    }

    #[test]
    fn a_rebuild_writes_only_what_changed() {
        let dir = site();
        let root = dir.path();
        let files = [
            ("index.html", "home"),
            ("a/index.html", "a"),
            ("a/b/index.html", "b"),
        ];
        assert_eq!(build(root, &files).changed, 3);
        // The second build fills the slot that did not exist yet.
        assert_eq!(build(root, &files).changed, 3);
        let w = build(root, &files);
        assert_eq!((w.files, w.changed, w.removed), (3, 0, 0));
        let w = build(root, &[("index.html", "home 2"), ("a/index.html", "a")]);
        assert_eq!((w.files, w.changed, w.removed), (2, 1, 1));
        assert_eq!(listing(root), ["a/", "a/index.html", "index.html"]);
        assert_eq!(read(root, "index.html"), "home 2");
        // The slot still held "home": it is written, the rest is kept.
        let w = build(root, &[("index.html", "home 2"), ("a/index.html", "a")]);
        assert_eq!((w.changed, w.removed), (1, 1));
        assert_eq!(listing(root), ["a/", "a/index.html", "index.html"]);
    }

    #[test]
    fn files_changed_by_hand_are_written_again_and_extra_files_go() {
        let dir = site();
        let root = dir.path();
        let files = [("index.html", "home"), ("a/index.html", "a")];
        build(root, &files);
        build(root, &files);
        // public/ becomes the slot of the next build but one.
        std::fs::write(root.join("public/index.html"), "edited").unwrap();
        std::fs::write(root.join("public/.DS_Store"), "x").unwrap();
        std::fs::create_dir(root.join("public/extra")).unwrap();
        std::fs::write(root.join("public/extra/notes.txt"), "x").unwrap();
        build(root, &files);
        build(root, &files);
        assert_eq!(read(root, "index.html"), "home");
        assert_eq!(listing(root), ["a/", "a/index.html", "index.html"]);
    }

    #[test]
    fn a_file_may_become_a_folder_and_back() {
        let dir = site();
        let root = dir.path();
        for files in [
            &[
                ("index.html", "home"),
                ("x", "file"),
                ("y/index.html", "page"),
            ][..],
            &[
                ("index.html", "home"),
                ("x", "file"),
                ("y/index.html", "page"),
            ],
            &[
                ("index.html", "home"),
                ("x/index.html", "page"),
                ("y", "file"),
            ],
            &[
                ("index.html", "home"),
                ("x/index.html", "page"),
                ("y", "file"),
            ],
            &[
                ("index.html", "home"),
                ("x", "file"),
                ("y/index.html", "page"),
            ],
        ] {
            build(root, files);
            for (rel, text) in files {
                assert_eq!(read(root, rel), *text);
            }
            assert_eq!(listing(root).len(), 4, "{:?}", listing(root));
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_the_old_tree_never_leads_a_write_outside() {
        let dir = site();
        let root = dir.path();
        let outside = root.join("outside");
        std::fs::create_dir(&outside).unwrap();
        let files = [("index.html", "home"), ("a/index.html", "a")];
        build(root, &files);
        build(root, &files);
        std::fs::remove_dir_all(root.join("public/a")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("public/a")).unwrap();
        std::os::unix::fs::symlink(outside.join("f"), root.join("public/index.html.tmp")).unwrap();
        build(root, &files);
        build(root, &files);
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
        assert_eq!(read(root, "a/index.html"), "a");
        assert_eq!(listing(root), ["a/", "a/index.html", "index.html"]);
    }

    #[test]
    fn a_build_killed_while_updating_the_slot_is_repaired() {
        let dir = site();
        let root = dir.path();
        let files = [("index.html", "home"), ("a/index.html", "a")];
        build(root, &files);
        build(root, &files);
        {
            let out = DiskOutput::prepare(root, &root.join("public")).unwrap();
            out.write("index.html", b"half".to_vec()).unwrap();
            out.write("new/index.html", b"half".to_vec()).unwrap();
            // Dropped without a commit, as a killed build would leave it (but for the lock).
        }
        assert_eq!(read(root, "index.html"), "home");
        build(root, &files);
        assert_eq!(read(root, "index.html"), "home");
        assert_eq!(listing(root), ["a/", "a/index.html", "index.html"]);
        build(root, &files);
        assert_eq!(listing(root), ["a/", "a/index.html", "index.html"]);
    }

    #[test]
    fn dropping_without_commit_leaves_the_old_output() {
        let dir = site();
        let target = dir.path().join("public");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("index.html"), "old").unwrap();
        {
            let out = DiskOutput::prepare(dir.path(), &target).unwrap();
            out.write("index.html", b"new".to_vec()).unwrap();
        }
        assert_eq!(read(dir.path(), "index.html"), "old");
    }

    #[test]
    fn a_second_build_at_the_same_time_is_refused() {
        let dir = site();
        let first = DiskOutput::prepare(dir.path(), &dir.path().join("public")).unwrap();
        let e = DiskOutput::prepare(dir.path(), &dir.path().join("public"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("another grove build is writing it"), "{e}");
        drop(first);
        DiskOutput::prepare(dir.path(), &dir.path().join("public")).unwrap();
    }

    #[test]
    fn refuses_dangerous_targets() {
        let dir = site();
        for bad in [
            dir.path().to_path_buf(),
            dir.path().join("content/out"),
            dir.path().parent().unwrap().to_path_buf(),
        ] {
            let e = DiskOutput::prepare(dir.path(), &bad)
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("output folder"), "{e}");
        }
        let other = dir.path().join("docs");
        std::fs::create_dir(&other).unwrap();
        std::fs::write(other.join("notes.txt"), "mine").unwrap();
        let e = DiskOutput::prepare(dir.path(), &other)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not an earlier build"), "{e}");
        assert!(other.join("notes.txt").exists());
    }
}
