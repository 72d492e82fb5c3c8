//! A build tree on disk as grove left it: what it holds (walked, so files added by hand
//! are seen too), the manifest of the bytes grove wrote there, and removing a whole tree
//! on every core instead of one entry at a time.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::time::UNIX_EPOCH;

use rayon::prelude::*;

/// What grove knows about one file it wrote: the digest of its bytes, and the length and
/// modification time the disk reported right after. A file whose length or time differs
/// from the record was changed by someone else, and is written again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    pub hash: u64,
    pub len: u64,
    pub mtime: u128,
}

impl Known {
    /// The record for the file at `path` with digest `hash`, from the disk's metadata.
    pub fn of(path: &Path, hash: u64) -> std::io::Result<Known> {
        let meta = std::fs::symlink_metadata(path)?;
        Ok(Known {
            hash,
            len: meta.len(),
            mtime: mtime(&meta),
        })
    }

    /// Whether the file at `path` is still the one this record describes.
    pub fn still_at(&self, path: &Path) -> bool {
        std::fs::symlink_metadata(path)
            .is_ok_and(|m| m.is_file() && m.len() == self.len && mtime(&m) == self.mtime)
    }
}

/// A file's modification time in nanoseconds since 1970 (0 where the system has none).
pub fn mtime(meta: &std::fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

/// The files (and symbolic links) and folders under a tree, as `/`-separated paths.
#[derive(Debug, Default)]
pub struct Listing {
    pub files: HashSet<String>,
    pub dirs: HashSet<String>,
}

impl Listing {
    /// Lists `root` without following links. What can never be an output of grove (names
    /// that are not UTF-8, links, pipes) is removed on the way.
    pub fn walk(root: &Path) -> std::io::Result<Listing> {
        let mut listing = Listing::default();
        let mut odd = Vec::new();
        for entry in walkdir::WalkDir::new(root).follow_links(false).min_depth(1) {
            let entry = entry.map_err(std::io::Error::other)?;
            let Ok(rel) = entry.path().strip_prefix(root) else {
                continue;
            };
            if rel.to_str().is_none() {
                odd.push(entry.path().to_path_buf());
                continue;
            }
            let rel = crate::fs::slash_path(rel);
            let kind = entry.file_type();
            if kind.is_dir() {
                listing.dirs.insert(rel);
            } else if kind.is_file() {
                listing.files.insert(rel);
            } else {
                // grove writes only files and folders. A link could lead a write out of the
                // tree, and opening a pipe to write to it would wait forever.
                odd.push(entry.path().to_path_buf());
            }
        }
        for path in odd {
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
                let _ = remove_tree(&path);
            } else {
                let _ = std::fs::remove_file(&path);
            }
        }
        Ok(listing)
    }
}

const HEADER: &str = "grove output manifest 1";

/// Reads a manifest written by [`write_manifest`]; anything unreadable is no manifest.
pub fn read_manifest(path: &Path) -> HashMap<String, Known> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return HashMap::new();
    };
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return HashMap::new();
    }
    let mut out = HashMap::new();
    for line in lines {
        let mut parts = line.splitn(4, ' ');
        let (Some(hash), Some(len), Some(mtime), Some(rel)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return HashMap::new();
        };
        let (Ok(hash), Ok(len), Ok(mtime)) = (
            u64::from_str_radix(hash, 16),
            len.parse(),
            mtime.parse::<u128>(),
        ) else {
            return HashMap::new();
        };
        out.insert(rel.to_string(), Known { hash, len, mtime });
    }
    out
}

/// Writes the manifest of a finished tree: to a temporary name first, so that a manifest
/// on disk is always whole.
pub fn write_manifest(path: &Path, files: &HashMap<String, Known>) -> std::io::Result<()> {
    let mut text = String::with_capacity(files.len() * 64 + HEADER.len() + 1);
    text.push_str(HEADER);
    text.push('\n');
    let mut rels: Vec<_> = files.iter().collect();
    rels.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (rel, k) in rels {
        text.push_str(&format!("{:016x} {} {} {rel}\n", k.hash, k.len, k.mtime));
    }
    let temp = path.with_extension("partial");
    let mut f = std::fs::File::create(&temp)?;
    f.write_all(text.as_bytes())?;
    drop(f);
    std::fs::rename(&temp, path)
}

/// Removes `files` and then `dirs` (deepest first, each depth on every core) under `root`.
/// A path that is already gone is fine; a folder that is not empty after its files went
/// is removed whole (it can only hold what a walk did not list, and it is inside `root`).
pub fn remove_entries(root: &Path, files: Vec<String>, dirs: Vec<String>) {
    files.par_iter().for_each(|rel| {
        let path = root.join(rel);
        if std::fs::remove_file(&path).is_err() && path.is_dir() {
            let _ = remove_tree(&path);
        }
    });
    let mut by_depth: HashMap<usize, Vec<String>> = HashMap::new();
    for rel in dirs {
        by_depth
            .entry(rel.matches('/').count())
            .or_default()
            .push(rel);
    }
    let mut depths: Vec<_> = by_depth.into_iter().collect();
    depths.sort_unstable_by_key(|d| std::cmp::Reverse(d.0));
    for (_, level) in depths {
        level.par_iter().for_each(|rel| {
            let path = root.join(rel);
            if std::fs::remove_dir(&path).is_err()
                && std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir())
            {
                let _ = std::fs::remove_dir_all(&path);
            }
        });
    }
}

/// Removes the folder `root` and everything in it, never following a link out of it.
pub fn remove_tree(root: &Path) -> std::io::Result<()> {
    if !std::fs::symlink_metadata(root).is_ok_and(|m| m.is_dir()) {
        return match std::fs::remove_file(root) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        };
    }
    let listing = Listing::walk(root)?;
    remove_entries(
        root,
        listing.files.into_iter().collect(),
        listing.dirs.into_iter().collect(),
    );
    std::fs::remove_dir(root).or_else(|_| std::fs::remove_dir_all(root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_round_trips_and_refuses_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m");
        let mut files = HashMap::new();
        files.insert(
            "articles/a b/index.html".to_string(),
            Known {
                hash: 0xdead_beef,
                len: 12,
                mtime: 1_700_000_000_123_456_789,
            },
        );
        write_manifest(&path, &files).unwrap();
        assert_eq!(read_manifest(&path), files);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace(" 12 ", " twelve ")).unwrap();
        assert!(read_manifest(&path).is_empty());
        std::fs::write(&path, "something else\n").unwrap();
        assert!(read_manifest(&path).is_empty());
    }

    #[test]
    fn remove_tree_removes_links_not_their_targets() {
        let dir = tempfile::tempdir().unwrap();
        let tree = dir.path().join("tree");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(tree.join("a/b/c")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("keep.txt"), "mine").unwrap();
        std::fs::write(tree.join("a/b/c/index.html"), "x").unwrap();
        std::fs::write(tree.join("a/top.html"), "x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&outside, tree.join("a/b/link")).unwrap();
        remove_tree(&tree).unwrap();
        assert!(!tree.exists());
        assert!(outside.join("keep.txt").exists());
    }
}
