//! Where a build goes: a folder on disk, swapped in atomically only when the whole build
//! succeeded, or memory (for the preview server, which never writes into `public/`).

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

/// Builds into a hidden folder beside the target and swaps it in on [`DiskOutput::commit`].
/// Dropped without a commit, it removes its folder and leaves the target untouched.
#[derive(Debug)]
pub struct DiskOutput {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
}

impl DiskOutput {
    /// Checks that `target` is safe to replace and creates the staging folder.
    pub fn prepare(site_root: &Path, target: &Path) -> Result<DiskOutput> {
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
            .to_os_string();
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
            return Err(refuse("it holds a content/ folder or a config.toml: it looks like a site, not a build output".into()));
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

        let prefix = format!(".{}.grove-", name.to_string_lossy());
        remove_leftovers(&parent, &prefix);
        let staging = parent.join(format!("{prefix}new-{}", std::process::id()));
        // Named by the folder the user chose: the staging folder's name means nothing to them.
        std::fs::create_dir_all(&staging)
            .map_err(|e| Error::io("cannot write the new site into the folder", &parent, e))?;
        Ok(DiskOutput {
            target: absolute,
            staging,
            committed: false,
        })
    }

    /// The folder the build is written into until the commit.
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// Replaces the target with the finished build in one step.
    pub fn commit(mut self) -> Result<()> {
        if self.target.exists() {
            if exchange(&self.staging, &self.target).is_err() {
                // No atomic exchange on this system: move the old build aside, then swap.
                let old = self.staging.with_file_name(
                    self.staging
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .replace("grove-new-", "grove-old-"),
                );
                std::fs::rename(&self.target, &old)
                    .map_err(|e| Error::io("cannot move the old output", &self.target, e))?;
                std::fs::rename(&self.staging, &self.target).map_err(|e| {
                    Error::io("cannot move the new output into place", &self.target, e)
                })?;
                let _ = std::fs::remove_dir_all(&old);
                self.committed = true;
                return Ok(());
            }
            // The staging folder now holds the previous build.
            let _ = std::fs::remove_dir_all(&self.staging);
        } else {
            std::fs::rename(&self.staging, &self.target)
                .map_err(|e| Error::io("cannot move the new output into place", &self.target, e))?;
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for DiskOutput {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Folders a killed build left beside the output; only names grove itself makes.
fn remove_leftovers(parent: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(rest) = name.strip_prefix(prefix)
            && (rest.starts_with("new-") || rest.starts_with("old-"))
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
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

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

impl Output for DiskOutput {
    fn write(&self, rel: &str, bytes: Vec<u8>) -> Result<()> {
        let path = self.staging.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::io("cannot create the folder", parent, e))?;
        }
        std::fs::write(&path, bytes)
            .map_err(|e| Error::io("cannot write", &self.target.join(rel), e))
    }

    fn copy(&self, rel: &str, src: &Path) -> Result<()> {
        let path = self.staging.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::io("cannot create the folder", parent, e))?;
        }
        std::fs::copy(src, &path)
            .map(|_| ())
            .map_err(|e| Error::io("cannot copy", src, e))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("content")).unwrap();
        std::fs::write(dir.path().join("config.toml"), "").unwrap();
        dir
    }

    #[test]
    fn commit_replaces_the_old_output_whole() {
        let dir = site();
        let target = dir.path().join("public");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("index.html"), "old").unwrap();
        std::fs::write(target.join("stale.html"), "old").unwrap();
        let out = DiskOutput::prepare(dir.path(), &target).unwrap();
        out.write("index.html", b"new".to_vec()).unwrap();
        out.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("index.html")).unwrap(),
            "new"
        );
        assert!(!target.join("stale.html").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains("grove-"))
            .collect();
        assert!(leftovers.is_empty());
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
        assert_eq!(
            std::fs::read_to_string(target.join("index.html")).unwrap(),
            "old"
        );
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
