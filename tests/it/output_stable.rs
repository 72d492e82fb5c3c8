//! Speed work must not change what grove writes: the real site, and the real site with 200
//! generated articles (many list, tag and neighbour pages), are built and every output
//! file's digest is compared with a manifest under `tests/snapshots/`.
//!
//! When the theme, the content or grove's output change on purpose, refresh the manifests
//! and commit them with the change:
//!
//!     GROVE_UPDATE_SNAPSHOT=1 cargo test --release --test it output_stable

use crate::corpus;

use std::path::Path;
use std::process::Command;

const REFRESH: &str = "GROVE_UPDATE_SNAPSHOT=1 cargo test --release --test it output_stable";

#[test]
fn the_real_site_builds_to_the_same_files() {
    let site = tempfile::tempdir().unwrap();
    corpus::copy_real_site(site.path());
    check(site.path(), "real-site.txt");
}

#[test]
fn a_site_with_200_more_articles_builds_to_the_same_files() {
    let site = tempfile::tempdir().unwrap();
    corpus::real_site_with_articles(site.path(), 200);
    check(site.path(), "real-site-200-articles.txt");
}

/// Builds `root` and compares its output with `tests/snapshots/<name>`.
fn check(root: &Path, name: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_grove"))
        .args(["build", "--base-url", "https://example.org", "--root"])
        .arg(root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let actual = manifest(&root.join("public"));
    let file = corpus::repo().join("tests/snapshots").join(name);
    if std::env::var_os("GROVE_UPDATE_SNAPSHOT").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&file).unwrap_or_default();
    if actual == expected {
        return;
    }
    let lines = |s: &str| -> Vec<String> { s.lines().map(str::to_string).collect() };
    let (old, new) = (lines(&expected), lines(&actual));
    let path_of = |l: &String| l.rsplit("  ").next().unwrap_or_default().to_string();
    let mut report = Vec::new();
    for l in &new {
        if !old.contains(l) {
            let p = path_of(l);
            let what = if old.iter().any(|o| path_of(o) == p) {
                "changed"
            } else {
                "new"
            };
            report.push(format!("  {what}: {p}"));
        }
    }
    for l in &old {
        let p = path_of(l);
        if !new.iter().any(|n| path_of(n) == p) {
            report.push(format!("  gone: {p}"));
        }
    }
    let shown = report.len().min(20);
    panic!(
        "the output differs from tests/snapshots/{name} in {} files:\n{}{}\n\n\
         If grove's code changed only to be faster, this is a bug: the output must stay byte for byte the same.\n\
         If the theme, the content or the output changed on purpose, refresh the manifest and commit it:\n    {REFRESH}",
        report.len(),
        report[..shown].join("\n"),
        if report.len() > shown { "\n  ..." } else { "" },
    );
}

/// One line per file, sorted by path: `<xxh3 digest>  <bytes>  <path>`.
fn manifest(dir: &Path) -> String {
    let mut files = Vec::new();
    collect(dir, dir, &mut files);
    files.sort();
    files
        .iter()
        .map(|(rel, bytes)| {
            format!(
                "{:016x}  {:>8}  {rel}\n",
                xxhash_rust::xxh3::xxh3_64(bytes),
                bytes.len()
            )
        })
        .collect()
}

fn collect(base: &Path, dir: &Path, files: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(base, &path, files);
        } else {
            let rel = path.strip_prefix(base).unwrap().to_string_lossy();
            files.push((rel.replace('\\', "/"), std::fs::read(&path).unwrap()));
        }
    }
}
