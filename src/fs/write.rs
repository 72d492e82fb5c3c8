//! Writing into the site folder from the preview's editor: whole files only, never through
//! a symbolic link planted where a temporary file goes, never over a file that someone
//! else made a moment before.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Numbers the temporary files of this process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Replaces (or makes) `path` with `bytes` in one step: the bytes go to a temporary file
/// beside it, made with `create_new` (so a link or file already at that name is never
/// opened), synced, then renamed over `path`. Readers see the old file or the new one,
/// never half of either; two writers never share a temporary file.
pub fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temp = temporary(path, bytes)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

/// Makes `path` with `bytes`, failing with `AlreadyExists` when something (a file, a
/// folder, a link) is there already, even if it appeared a moment ago. Readers never see
/// the file partly written: it is written aside and linked into place, and the link
/// fails if the name is taken.
pub fn create_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temp = temporary(path, bytes)?;
    let linked = std::fs::hard_link(&temp, path);
    let result = match linked {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
        // A file system without hard links (some network and FAT drives): reserve the
        // name with `create_new`, then fill it in one rename.
        Err(_) => std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .and_then(|_| std::fs::rename(&temp, path)),
    };
    let _ = std::fs::remove_file(&temp);
    result
}

/// A new file beside `path` holding `bytes`, synced to the disk. Its name is hidden
/// (the watcher and the build pass over it) and unique to this process and call.
fn temporary(path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Long names are cut: the temporary name must fit where the real one fits.
    let short: String = name.chars().take(40).collect();
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{short}.grove-{}-{n}.tmp", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp);
        let mut file = match file {
            Ok(f) => f,
            // Something is at that name (a leftover, or a planted link): take the next.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        };
        let written = file.write_all(bytes).and_then(|()| file.sync_all());
        return match written {
            Ok(()) => Ok(temp),
            Err(e) => {
                drop(file);
                let _ = std::fs::remove_file(&temp);
                Err(e)
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replaced_file_is_whole_and_nothing_is_left_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.md");
        std::fs::write(&path, "old").unwrap();
        replace(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn create_new_never_replaces_and_leaves_nothing_beside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.png");
        create_new(&path, b"first").unwrap();
        let e = create_new(&path, b"second").unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn writers_at_once_each_leave_one_whole_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.md");
        for _ in 0..20 {
            let texts: Vec<Vec<u8>> = (0..4u8).map(|i| vec![b'a' + i; 200_000]).collect();
            std::thread::scope(|s| {
                for t in &texts {
                    let path = &path;
                    s.spawn(move || replace(path, t).unwrap());
                }
            });
            let got = std::fs::read(&path).unwrap();
            assert!(texts.contains(&got), "a mix of texts");
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_every_temporary_name_is_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside.txt");
        std::fs::write(&outside, "keep").unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir(&site).unwrap();
        let path = site.join("x.md");
        // Links at the next temporary names this process would take (other tests running
        // at the same time take some of them too).
        let next = COUNTER.load(Ordering::Relaxed);
        for n in next..next + 1000 {
            let name = format!(".x.md.grove-{}-{n}.tmp", std::process::id());
            std::os::unix::fs::symlink(&outside, site.join(name)).unwrap();
        }
        replace(&path, b"new").unwrap();
        create_new(&site.join("y.md"), b"y").unwrap();
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }
}
