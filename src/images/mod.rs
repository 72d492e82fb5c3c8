//! Pictures: every raster picture a site shows is read here, turned upright, stripped of
//! its metadata and made in the sizes its place needs ([`Request`]), each made once and
//! kept in a cache folder shared by builds and the preview ([`cache`]). A picture linked
//! to as a file is published as it is, less its metadata ([`strip`]). This module knows
//! files and paths; which pictures a page shows is the renderer's business.
//! Why these crates and settings: docs/decisions/0005-pictures.md.

pub mod cache;
pub mod decode;
pub mod exif;
mod orient;
pub mod process;
#[cfg(test)]
mod quality;
pub mod strip;
pub mod upload;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::diag::{Error, Shown};
pub use decode::{Format, Header};

/// How a size is cut from the picture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fit {
    /// Scaled to this width (never wider than the picture), the shape kept.
    Width(u32),
    /// Cut to this shape around `focus` (0 to 1 across and down), then scaled to fit
    /// this box (never larger than the picture).
    Fill {
        width: u32,
        height: u32,
        focus: (f32, f32),
    },
}

/// The file format of a size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Webp,
    Jpeg,
    Png,
}

impl Encoding {
    pub fn extension(self) -> &'static str {
        match self {
            Encoding::Webp => "webp",
            Encoding::Jpeg => "jpg",
            Encoding::Png => "png",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Encoding::Webp => "image/webp",
            Encoding::Jpeg => "image/jpeg",
            Encoding::Png => "image/png",
        }
    }
}

/// One size of one picture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Request {
    pub fit: Fit,
    pub encoding: Encoding,
}

/// Bumped when the same request would make different bytes (new encoder settings), so
/// that cached sizes made by an older grove are made again.
const RECIPE_VERSION: u32 = 2;

/// A picture as read once: where it is, a hash of its bytes, its header.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    pub path: PathBuf,
    pub hash: u64,
    pub header: Header,
    /// Whether its bytes hold a GPS position.
    pub gps: bool,
    pub bytes: u64,
}

/// One size to make: its name in the output and in the cache, and its pixel size.
#[derive(Debug, Clone, PartialEq)]
pub struct Size {
    /// Under the output folder: `processed_images/portrait.0123456789abcdef.webp`.
    pub rel: String,
    /// The cache file's name: the hash and extension.
    pub key: String,
    pub width: u32,
    pub height: u32,
    pub request: Request,
}

/// The folder processed sizes are published under.
pub const OUTPUT_DIR: &str = "processed_images";

/// The file extensions of the pictures grove processes.
pub fn is_raster(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    [".jpg", ".jpeg", ".png", ".gif", ".webp"]
        .iter()
        .any(|e| lower.ends_with(e))
}

impl Picture {
    /// Reads the picture at `path`: a plain file, not a link (a link could lead grove to
    /// publish a file from anywhere on the computer), with a header grove can process.
    pub fn open(path: &Path) -> Result<Picture, Error> {
        let bytes = read_plain(path)?;
        let header = decode::header(&bytes).map_err(|why| Error::file(path, why))?;
        Ok(Picture {
            path: path.to_path_buf(),
            hash: xxhash_rust::xxh3::xxh3_64(&bytes),
            header,
            gps: exif::has_gps(&bytes),
            bytes: bytes.len() as u64,
        })
    }

    /// The size `request` makes of this picture, and its names.
    pub fn size(&self, request: Request) -> Size {
        let (w, h) = self.header.upright();
        let (width, height) = process::output_size(w, h, request.fit);
        // The qualities are part of the recipe: changing one makes every size again.
        let recipe = format!(
            "{}:{:?}:{RECIPE_VERSION}:{}:{}",
            self.hash,
            request,
            process::WEBP_QUALITY,
            process::JPEG_QUALITY
        );
        let key = format!(
            "{:016x}.{}",
            xxhash_rust::xxh3::xxh3_64(recipe.as_bytes()),
            request.encoding.extension()
        );
        let stem = self
            .path
            .file_stem()
            .map(|s| crate::slugs::slugify(&s.to_string_lossy()))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "picture".into());
        Size {
            rel: format!("{OUTPUT_DIR}/{stem}-{width}x{height}.{key}"),
            key,
            width,
            height,
            request,
        }
    }
}

/// The bytes of a picture that must be a plain file.
pub fn read_plain(path: &Path) -> Result<Vec<u8>, Error> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| Error::io("cannot read", path, e))?;
    if meta.file_type().is_symlink() {
        return Err(Error::file(
            path,
            "this picture is a link to another file; grove publishes pictures only from plain files. Put the picture itself here",
        ));
    }
    std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))
}

/// Pictures already read, by path, with the stamp (size and time) they were read at: the
/// preview reads a picture again only when it changed.
#[derive(Debug, Default)]
pub struct Library {
    read: Mutex<HashMap<PathBuf, (String, Arc<Picture>)>>,
    /// Picture -> (stamp, the file to publish for it as it is).
    stripped: Mutex<HashMap<PathBuf, (String, PathBuf)>>,
}

impl Library {
    /// The picture at `path`, read again only when `stamp` differs from the last read.
    pub fn get(&self, path: &Path, stamp: &str) -> Result<Arc<Picture>, Error> {
        if let Some((s, p)) = self.lock().get(path)
            && s == stamp
        {
            return Ok(Arc::clone(p));
        }
        let picture = Arc::new(Picture::open(path)?);
        self.lock().insert(
            path.to_path_buf(),
            (stamp.to_string(), Arc::clone(&picture)),
        );
        Ok(picture)
    }

    /// The file to publish for the picture at `path` linked to as it is (see
    /// [`cache::Cache::stripped`]), made again only when `stamp` changed.
    pub fn stripped(
        &self,
        cache: &cache::Cache,
        path: &Path,
        stamp: &str,
    ) -> Result<PathBuf, Error> {
        let lock = |m: &Mutex<HashMap<PathBuf, (String, PathBuf)>>| {
            m.lock().map(|g| g.get(path).cloned()).unwrap_or(None)
        };
        if let Some((s, p)) = lock(&self.stripped)
            && s == stamp
            && !stamp.is_empty()
        {
            return Ok(p);
        }
        let made = cache.stripped(path)?;
        if let Ok(mut m) = self.stripped.lock() {
            m.insert(path.to_path_buf(), (stamp.to_string(), made.clone()));
        }
        Ok(made)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, (String, Arc<Picture>)>> {
        self.read.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A picture error's words, with the file named.
pub fn describe(path: &Path, why: &str) -> String {
    format!("{}: {why}", path.shown())
}
