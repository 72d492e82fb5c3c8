//! Speed work must not change what grove writes: the real site, and the real site with 200
//! generated articles (many list, tag and neighbour pages), are built and a manifest of
//! every output file (digest, size, path) is compared with an insta snapshot
//! (`snapshots/it__output_stable__*.snap`); a failure shows the lines of the files that
//! changed, came or went.
//!
//! If grove's code changed only to be faster, a difference is a bug: the output must stay
//! byte for byte the same. When the theme, the content or the output change on purpose,
//! accept the new manifests (`INSTA_UPDATE=always cargo test --release --test it
//! output_stable`, or `cargo insta review`) and commit them with the change.

use std::path::Path;

use crate::corpus;
use crate::harness::SiteTest;

#[test]
fn the_real_site_builds_to_the_same_files() {
    let site = SiteTest::empty();
    corpus::copy_real_site(&site.root());
    insta::assert_snapshot!("real_site", manifest_of(&site));
}

#[test]
fn a_site_with_200_more_articles_builds_to_the_same_files() {
    let site = SiteTest::empty();
    corpus::real_site_with_articles(&site.root(), 200);
    insta::assert_snapshot!("real_site_200_articles", manifest_of(&site));
}

/// Builds the site and lists its output.
fn manifest_of(site: &SiteTest) -> String {
    site.build(&["--base-url", "https://example.org"]).ok();
    manifest(&site.path("public"))
}

/// One line per file, sorted by path: `<xxh3 digest>  <bytes>  <path>`.
fn manifest(dir: &Path) -> String {
    let mut files: Vec<(String, Vec<u8>)> = crate::harness::files(dir)
        .into_iter()
        .map(|(rel, bytes)| (rel.to_string_lossy().replace('\\', "/"), bytes))
        .collect();
    files.sort();
    files
        .iter()
        .map(|(rel, bytes)| {
            format!(
                "{:016x}  {:>8}  {rel}\n",
                xxhash_rust::xxh3::xxh3_64(bytes),
                bytes.len(),
            )
        })
        .collect()
}
