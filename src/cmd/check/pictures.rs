//! What `grove check` says about pictures: one with a GPS position anywhere in the site
//! folder, one published as it is that is too heavy, a team photo that is not square or
//! too small for the sharp 2x avatar.

use std::path::Path;

use crate::content::Kind;
use crate::diag::{Category, Diagnostic, Severity, Shown};
use crate::images::{Picture, is_raster};
use crate::pipeline::Pipeline;

/// A picture published as it is above this many bytes is worth a warning.
const HEAVY_BYTES: u64 = 1024 * 1024;
/// ... or above this many pixels on its long side.
const LONG_SIDE: u32 = 3000;
/// The largest avatar the theme shows, at 2x.
const AVATAR_2X: u32 = 224;

/// Folders of the site folder that hold no picture of the site's own.
const SKIPPED: &[&str] = &[".git", ".grove-cache", "node_modules", "public", "target"];

fn warning(path: &Path, message: String, help: String) -> Diagnostic {
    Diagnostic {
        path: path.to_path_buf(),
        position: None,
        severity: Severity::Warning,
        message,
        excerpt: None,
        help: Some(help),
        field: None,
        category: Category::Other,
        more: 0,
    }
}

/// The warnings about the pictures of the site `p` (already rendered).
pub fn warnings(p: &Pipeline) -> Vec<Diagnostic> {
    let root = &p.site.root;
    let mut problems = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() != 1
                || !SKIPPED.contains(&e.file_name().to_string_lossy().as_ref())
                    && !e.file_name().to_string_lossy().starts_with(".public")
        });
    for entry in walker.flatten() {
        let name = entry.file_name().to_string_lossy();
        if !entry.file_type().is_file() || !is_raster(&name) {
            continue;
        }
        let Ok(picture) = Picture::open(entry.path()) else {
            continue;
        };
        if picture.gps {
            let shown = entry.path().strip_prefix(root).unwrap_or(entry.path());
            problems.push(warning(
                entry.path(),
                format!("`{}` holds the GPS position where it was taken (often someone's home)", shown.shown()),
                "grove leaves it out of what it publishes, but the file itself still has it: upload the picture again through the editor, or remove its location in a photo app, before sharing the site's folder".into(),
            ));
        }
    }

    let crate::render::pictures::Wanted {
        processed, direct, ..
    } = p.renderer.pictures().wanted();
    for (rel, src) in &p.statics.files {
        if !is_raster(rel) || (processed.contains(rel) && !direct.contains(rel)) {
            continue;
        }
        let Ok(picture) = Picture::open(src) else {
            continue;
        };
        let (w, h) = picture.header.upright();
        if picture.bytes > HEAVY_BYTES || w.max(h) > LONG_SIDE {
            problems.push(warning(
                src,
                format!(
                    "`/{rel}` is published as it is ({:.1} MB, {w} x {h} pixels): phones download all of it",
                    picture.bytes as f64 / 1_048_576.0
                ),
                "show it in a page as a picture, ![what it shows](/path), so grove makes smaller sizes of it; a picture linked to as a download is published whole".into(),
            ));
        }
    }

    for page in p.site.pages.iter().filter(|pg| pg.kind == Kind::Team) {
        let Some(photo) = page.meta.photo.as_deref() else {
            continue;
        };
        let rel = photo.trim().trim_start_matches('/');
        let Some(src) = p.statics.files.get(rel) else {
            continue;
        };
        let Ok(picture) = Picture::open(src) else {
            continue;
        };
        let (w, h) = picture.header.upright();
        let ratio = f64::from(w) / f64::from(h.max(1));
        if !(0.8..=1.25).contains(&ratio) {
            problems.push(warning(
                &page.doc.file,
                format!("the photo `{photo}` is {w} x {h} pixels, not square: its avatar is cut to a square around the middle"),
                "use a square portrait, or set photo_focus = \"0.5,0.3\" (across, down) to say where the face is".into(),
            ));
        }
        if w.min(h) < AVATAR_2X {
            problems.push(warning(
                &page.doc.file,
                format!("the photo `{photo}` is {w} x {h} pixels: the portrait is shown up to {AVATAR_2X} pixels wide on sharp screens, so it looks blurred"),
                format!("use a portrait at least {AVATAR_2X} x {AVATAR_2X} pixels"),
            ));
        }
    }
    problems
}
