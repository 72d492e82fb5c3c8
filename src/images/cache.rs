//! The cache of processed sizes: `.grove-cache/images/` in the site folder, one file per
//! size, named by a hash of the picture's bytes and the request. Builds and the preview
//! share it; deleting it only costs the time to make the sizes again. Files are written
//! aside and renamed into place, so two builds at once never see half a file.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use super::{Picture, Size, decode, process, read_plain, strip};
use crate::diag::{Error, Result};

/// The cache folder of a site.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    /// Sizes encoded by this process (not found in the cache).
    pub made: AtomicUsize,
    /// Sizes found in the cache.
    pub reused: AtomicUsize,
    /// Print progress on standard error when making takes more than a second.
    pub progress: AtomicBool,
}

/// The folder under the site root.
pub const DIR: &str = ".grove-cache";

impl Cache {
    pub fn new(site_root: &Path) -> Cache {
        Cache {
            dir: site_root.join(DIR).join("images"),
            made: AtomicUsize::new(0),
            reused: AtomicUsize::new(0),
            progress: AtomicBool::new(false),
        }
    }

    /// Where the cached file `key` is (or will be).
    pub fn path(&self, key: &str) -> PathBuf {
        self.dir.join(key)
    }

    /// Makes the folder, refusing one that is a link (its files are published).
    fn open(&self) -> Result<()> {
        let top = self.dir.parent().unwrap_or(&self.dir);
        if std::fs::symlink_metadata(top).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Error::file(
                top,
                "the picture cache is a link to another folder; delete it (grove makes it again)",
            ));
        }
        if !self.dir.is_dir() {
            std::fs::create_dir_all(&self.dir)
                .map_err(|e| Error::io("cannot create the folder", &self.dir, e))?;
            // Made again by every build: never committed, never published.
            let _ = crate::fs::write::replace(&top.join(".gitignore"), b"*\n");
        }
        Ok(())
    }

    /// Makes every size in `work` that the cache does not hold yet, one picture per
    /// thread (each picture is decoded once for all its sizes).
    pub fn make(&self, work: &[(Arc<Picture>, Vec<Size>)]) -> Result<()> {
        let missing: Vec<(&Arc<Picture>, Vec<&Size>)> = work
            .iter()
            .map(|(p, sizes)| {
                let todo: Vec<&Size> = sizes
                    .iter()
                    .filter(|s| {
                        let there = self.path(&s.key).is_file();
                        if there {
                            self.reused.fetch_add(1, Ordering::Relaxed);
                        }
                        !there
                    })
                    .collect();
                (p, todo)
            })
            .filter(|(_, todo)| !todo.is_empty())
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        self.open()?;
        let total: usize = missing.iter().map(|(_, t)| t.len()).sum();
        let start = Instant::now();
        let shown = AtomicUsize::new(0);
        let made = missing.par_iter().try_for_each(|(picture, sizes)| {
            let bytes = read_plain(&picture.path)?;
            let pixels = decode::decode(&bytes).map_err(|why| Error::file(&picture.path, why))?;
            for size in sizes {
                let small = process::resize(&pixels, size.request.fit)
                    .and_then(|p| process::encode(&p, size.request.encoding))
                    .map_err(|why| Error::file(&picture.path, why))?;
                let path = self.path(&size.key);
                crate::fs::write::replace(&path, &small)
                    .map_err(|e| Error::io("cannot write", &path, e))?;
                let done = self.made.fetch_add(1, Ordering::Relaxed) + 1;
                if self.progress.load(Ordering::Relaxed) && start.elapsed().as_secs() >= 1 {
                    shown.store(1, Ordering::Relaxed);
                    eprint!("\rpictures: {done} of {total} sizes made");
                }
            }
            Ok(())
        });
        // The progress line ends before anything else is said, an error included.
        if shown.load(Ordering::Relaxed) == 1 {
            eprintln!();
        }
        made
    }

    /// The file to publish for a picture linked to as it is: a copy without metadata in
    /// the cache, or the picture itself when it has none.
    pub fn stripped(&self, picture: &Path) -> Result<PathBuf> {
        let bytes = read_plain(picture)?;
        let Some(clean) = strip::strip(&bytes) else {
            return Err(Error::file(
                picture,
                "this picture's file is damaged (its blocks are not as its format says); open it in a photo editor and save it again",
            ));
        };
        if matches!(clean, std::borrow::Cow::Borrowed(_)) {
            return Ok(picture.to_path_buf());
        }
        let ext = picture
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let path = self.path(&format!(
            "{:016x}.stripped.{ext}",
            xxhash_rust::xxh3::xxh3_64(&bytes)
        ));
        if !path.is_file() {
            self.open()?;
            crate::fs::write::replace(&path, &clean)
                .map_err(|e| Error::io("cannot write", &path, e))?;
        }
        Ok(path)
    }
}
