//! Helpers shared by the integration tests: fixture copies and running the real binary.
#![allow(dead_code, reason = "each test file uses a different subset")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where Cargo.toml is).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies a folder tree. Links are followed: a copy must never point back into the
/// repository, where a test could change the real site.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary copy of `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("tests/fixtures").join(name), dir.path());
    dir
}

/// Runs the grove binary with `args`.
pub fn grove(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_grove"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs `grove build --root <root>` with extra args.
pub fn build(root: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["build", "--root", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    grove(&args)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Reads an output file as text.
pub fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
}

/// Writes `text` to `root/rel`, making its folders.
pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Every file under `dir` with its bytes, for "nothing changed" checks.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    if !dir.exists() {
        return files;
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_symlink() {
                // A link is recorded by where it points, never followed.
                let target = std::fs::read_link(entry.path()).unwrap();
                files.push((
                    entry.path().strip_prefix(dir).unwrap().to_path_buf(),
                    format!("-> {}", target.display()).into_bytes(),
                ));
            } else {
                files.push((
                    entry.path().strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(entry.path()).unwrap(),
                ));
            }
        }
    }
    files.sort();
    files
}

/// Runs `grove build` on `site`, which must fail as a person would want: exit 1, a message
/// and no panic, nothing on stdout, the earlier `public/` byte for byte as it was, and no
/// staging folder left behind. Returns stderr with the site's folder taken out of paths
/// (`content/x.md:2:1: ...`).
pub fn build_fails(site: &Path) -> String {
    let before = snapshot(&site.join("public"));
    let out = build(site, &[]);
    let err = stderr(&out);
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "grove panicked:\n{err}"
    );
    assert_eq!(out.status.code(), Some(1), "expected exit 1\n{err}");
    assert!(
        stdout(&out).is_empty(),
        "nothing on stdout\n{}",
        stdout(&out)
    );
    assert!(
        before == snapshot(&site.join("public")),
        "public/ changed although the build failed"
    );
    let leftovers: Vec<String> = std::fs::read_dir(site)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("grove-"))
        .collect();
    assert!(leftovers.is_empty(), "staging left: {leftovers:?}");
    err.replace(&format!("{}/", site.display()), "")
}
