//! Where a build goes: a folder on disk, swapped in atomically only when the whole build
//! succeeded, or memory (for the preview server, which never writes into `public/`).

mod disk;
mod tree;

pub use disk::DiskOutput;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::diag::{Error, Result};

/// A destination for the files of a build. Implementations are shared across threads.
pub trait Output: Sync {
    /// Writes `bytes` at `rel` (a `/`-separated path inside the output).
    fn write(&self, rel: &str, bytes: Vec<u8>) -> Result<()>;
    /// Copies the file `src` to `rel`.
    fn copy(&self, rel: &str, src: &Path) -> Result<()>;
}

/// What a commit did: files in the build, files whose bytes were written (the others
/// were already there from an earlier build), files of the earlier build removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub files: usize,
    pub changed: usize,
    pub removed: usize,
}

/// Refuses an output folder that is not safe to replace wholesale; returns its resolved
/// parent, its absolute path and its name.
fn check_target(site_root: &Path, target: &Path) -> Result<(PathBuf, PathBuf, String)> {
    let refuse = |message: String| Error::Output {
        path: target.to_path_buf(),
        message,
    };
    let root = site_root
        .canonicalize()
        .map_err(|e| Error::io("cannot open the site folder", site_root, e))?;
    let name = target
        .file_name()
        .filter(|n| *n != "." && *n != "..")
        .ok_or_else(|| refuse("give the output folder a name, e.g. --output public".into()))?
        .to_string_lossy()
        .into_owned();
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .map_err(|e| Error::io("cannot create the folder", &parent, e))?;
    let parent = parent
        .canonicalize()
        .map_err(|e| Error::io("cannot open the folder", &parent, e))?;
    let absolute = parent.join(&name);
    let absolute = absolute.canonicalize().unwrap_or(absolute);

    if root.starts_with(&absolute) {
        return Err(refuse("it is the site folder or contains it; building there would replace the site's own files".into()));
    }
    for inside in ["content", "static", "templates", "themes"] {
        if absolute.starts_with(root.join(inside)) {
            return Err(refuse(format!(
                "it is inside the site's {inside}/ folder; use a folder such as public/"
            )));
        }
    }
    if absolute.join("content").exists() || absolute.join("config.toml").exists() {
        return Err(refuse(
            "it holds a content/ folder or a config.toml: it looks like a site, not a build output"
                .into(),
        ));
    }
    if absolute.exists() {
        if !absolute.is_dir() {
            return Err(refuse("it exists and is not a folder".into()));
        }
        let mut entries =
            std::fs::read_dir(&absolute).map_err(|e| Error::io("cannot read", &absolute, e))?;
        if entries.next().is_some() && !absolute.join("index.html").exists() {
            return Err(refuse(
                "it is not empty and holds no index.html, so it is not an earlier build; grove replaces the whole folder. Empty it or choose another".into(),
            ));
        }
    }
    Ok((parent, absolute, name))
}

/// A file held by [`MemoryOutput`]: rendered bytes, or a static file read when served.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Bytes(Arc<Vec<u8>>),
    File(PathBuf),
}

/// Keeps a build in memory, keyed by `/`-separated path (`articles/x/index.html`).
#[derive(Debug, Default)]
pub struct MemoryOutput {
    pub files: Mutex<HashMap<String, Entry>>,
}

impl MemoryOutput {
    /// Takes the files out.
    pub fn into_files(self) -> HashMap<String, Entry> {
        self.files.into_inner().unwrap_or_else(|p| p.into_inner())
    }
}

impl Output for MemoryOutput {
    fn write(&self, rel: &str, bytes: Vec<u8>) -> Result<()> {
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        files.insert(rel.to_string(), Entry::Bytes(Arc::new(bytes)));
        Ok(())
    }

    fn copy(&self, rel: &str, src: &Path) -> Result<()> {
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        files.insert(rel.to_string(), Entry::File(src.to_path_buf()));
        Ok(())
    }
}
