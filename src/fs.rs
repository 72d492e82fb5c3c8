//! The site's files on disk: the one walker every stage lists folders with, and the rule
//! that nothing outside the site folder (or its theme) is ever read into a build, or
//! written by the editor ([`Roots::allow`]).

pub mod write;

use std::path::{Component, Path, PathBuf};

use crate::diag::{Error, Result, Shown};

/// A file found under a folder: where it is, and its `/`-separated path inside the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walked {
    pub path: PathBuf,
    /// `css/site.css`, whatever the platform's separator.
    pub rel: String,
}

/// Which names a walk passes over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Editor droppings and hidden files; hidden folders are walked (`static/.well-known/`).
    Files,
    /// Hidden folders too (`content/.git/`, an editor's `.backup/`).
    FilesAndFolders,
}

/// The folders a build may read from, resolved: the site folder and the theme's folder
/// (which may be a link to a theme kept elsewhere). A file reached through a symbolic
/// link must resolve inside one of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roots(Vec<PathBuf>);

impl Roots {
    /// The roots of the site at `root` with its theme folder, if any.
    pub fn of_site(root: &Path, theme_dir: Option<&Path>) -> Roots {
        let mut roots = vec![root.canonicalize().unwrap_or_else(|_| root.to_path_buf())];
        if let Some(t) = theme_dir.and_then(|t| t.canonicalize().ok()) {
            roots.push(t);
        }
        Roots(roots)
    }

    /// Whether a resolved path lies inside the site or its theme.
    pub fn contain(&self, real: &Path) -> bool {
        self.0.iter().any(|r| real.starts_with(r))
    }

    /// The one rule for every read of content and every write into the site: `path`
    /// (which need not exist yet) stays inside the roots once every link on the way is
    /// resolved, the file itself and each folder above it. A path with `..` never does.
    pub fn allow(&self, path: &Path) -> bool {
        resolve(path).is_some_and(|real| self.contain(&real))
    }
}

/// Where `path` leads, every link on the way resolved: the deepest part that exists,
/// made canonical, with the parts still to be made after it. `None` for a path with `..`
/// or through a link whose target is missing (it must not be written through either).
pub fn resolve(path: &Path) -> Option<PathBuf> {
    if path.components().any(|c| c == Component::ParentDir) {
        return None;
    }
    let mut existing = path;
    let mut rest = Vec::new();
    loop {
        match existing.canonicalize() {
            Ok(mut real) => {
                real.extend(rest.iter().rev());
                return Some(real);
            }
            Err(_) if existing.symlink_metadata().is_ok() => return None,
            Err(_) => {
                rest.push(existing.file_name()?.to_os_string());
                existing = existing.parent().filter(|p| !p.as_os_str().is_empty())?;
            }
        }
    }
}

/// Every file under `dir` (which may be missing: no files), sorted by name, following
/// symbolic links that stay inside `roots` and refusing those that leave them.
pub fn walk(dir: &Path, roots: &Roots, skip: Skip) -> Result<Vec<Walked>> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return Ok(files);
    }
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !e.file_type().is_dir()
                || skip == Skip::Files
                || !is_ignored_file_name(&e.file_name().to_string_lossy())
        });
    for entry in walker {
        let entry = entry.map_err(|e| walk_error(dir, e))?;
        if entry.path_is_symlink() {
            check_link(entry.path(), roots)?;
        }
        if !entry.file_type().is_file()
            || is_ignored_file_name(&entry.file_name().to_string_lossy())
        {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        files.push(Walked {
            rel: slash_path(rel),
            path: entry.path().to_path_buf(),
        });
    }
    Ok(files)
}

/// A path's components joined with `/`.
pub fn slash_path(rel: &Path) -> String {
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// Fails when the symbolic link at `link` resolves outside the site.
pub fn check_link(link: &Path, roots: &Roots) -> Result<()> {
    let Ok(real) = link.canonicalize() else {
        return Ok(()); // a dangling link: walkdir reports it with its own message
    };
    if roots.contain(&real) {
        return Ok(());
    }
    Err(Error::file(
        link,
        format!(
            "this symbolic link points to `{}`, outside the site folder; grove never publishes files from outside the site",
            real.shown()
        ),
    )
    .with_help("copy the file into the site (for example into static/) and remove the link"))
}

/// Editor and system droppings that are never content: swap files, backups, lock files.
pub fn is_ignored_file_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
        || (name.starts_with('#') && name.ends_with('#'))
}

/// `root.join(p)`, written without a leading `./` so messages read `content/x.md`.
pub fn display_join(root: &Path, p: impl AsRef<Path>) -> PathBuf {
    if root == Path::new(".") || root.as_os_str().is_empty() {
        p.as_ref().to_path_buf()
    } else {
        root.join(p)
    }
}

/// A walkdir error as a user-facing error: loops and unreadable folders name the path.
pub fn walk_error(base: &Path, e: walkdir::Error) -> Error {
    let path = e
        .path()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| base.to_path_buf());
    if e.loop_ancestor().is_some() {
        return Error::file(
            &path,
            "this symbolic link points back to a folder that contains it (a loop)",
        )
        .with_help("remove the link or point it somewhere else");
    }
    if let Ok(target) = std::fs::read_link(&path)
        && std::fs::metadata(&path).is_err()
    {
        return Error::file(
            &path,
            format!(
                "this symbolic link points to `{}`, which does not exist",
                target.shown()
            ),
        )
        .with_help("remove the link or point it at an existing file or folder");
    }
    match e.into_io_error() {
        Some(io) => Error::io("cannot read", &path, io),
        None => Error::file(&path, "cannot read this folder"),
    }
}

/// UTF-8 text without a byte-order mark; binary and mis-encoded files are refused.
pub fn decode(file: &Path, bytes: Vec<u8>) -> Result<String> {
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err(Error::file(file, "this is a binary file, not Markdown text")
            .with_help("move it out of content/ (images belong beside the page or in static/) or replace it with a text file"));
    }
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{feff}') {
                s.drain(..3);
            }
            Ok(s)
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let before = String::from_utf8_lossy(&bytes[..valid]);
            let pos = crate::diag::Position::of_offset(&before, before.len());
            // The whole file, undecodable bytes shown as U+FFFD, so the caret lands under them.
            let shown = String::from_utf8_lossy(&bytes);
            Err(Error::at_position(file, &shown, pos, format!("this file is not UTF-8 text: the byte 0x{:02X} here cannot be read", bytes.get(valid).copied().unwrap_or_default()))
                .with_help("save the file with UTF-8 encoding (in most editors: File > Save with Encoding > UTF-8)"))
        }
    }
}

/// Reads a text file of the site.
pub fn read_text(file: &Path) -> Result<String> {
    let bytes = std::fs::read(file).map_err(|e| Error::io("cannot read", file, e))?;
    decode(file, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_editor_droppings() {
        for name in [".x.md.swp", "x.md~", "4913", ".#x.md", "#x.md#", "x.tmp"] {
            assert!(is_ignored_file_name(name), "{name}");
        }
        assert!(!is_ignored_file_name("x.md"));
    }

    #[test]
    fn decode_strips_bom_and_refuses_binary_and_bad_utf8() {
        assert_eq!(
            decode(Path::new("a.md"), b"\xEF\xBB\xBF+++".to_vec()).unwrap(),
            "+++"
        );
        let e = decode(Path::new("a.md"), vec![0x89, b'P', 0, 0])
            .unwrap_err()
            .to_string();
        assert!(e.contains("binary file"), "{e}");
        let e = decode(Path::new("a.md"), b"ok\nab\xFFcd".to_vec())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("a.md:2:3: this file is not UTF-8 text: the byte 0xFF"),
            "{e}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_inside_the_site_are_followed_and_links_out_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("static/css")).unwrap();
        std::fs::create_dir_all(dir.path().join("outside")).unwrap();
        std::fs::write(site.join("static/css/a.css"), "a").unwrap();
        std::fs::write(dir.path().join("outside/secret.txt"), "s").unwrap();
        std::fs::create_dir_all(site.join("static/.well-known")).unwrap();
        std::fs::write(site.join("static/.well-known/security.txt"), "x").unwrap();
        std::os::unix::fs::symlink("css/a.css", site.join("static/b.css")).unwrap();
        let roots = Roots::of_site(&site, None);
        let files = walk(&site.join("static"), &roots, Skip::Files).unwrap();
        let rels: Vec<&str> = files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, [".well-known/security.txt", "b.css", "css/a.css"]);
        let hidden = walk(&site.join("static"), &roots, Skip::FilesAndFolders).unwrap();
        assert_eq!(hidden.len(), 2);

        std::os::unix::fs::symlink(
            dir.path().join("outside/secret.txt"),
            site.join("static/leak.txt"),
        )
        .unwrap();
        let e = walk(&site.join("static"), &roots, Skip::Files)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("static/leak.txt: this symbolic link points to"),
            "{e}"
        );
        assert!(e.contains("outside the site folder"), "{e}");
    }
}
