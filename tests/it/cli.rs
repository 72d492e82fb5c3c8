//! The command line itself: `grove --version` says which build a person is running.

use crate::harness::*;

#[test]
fn version_names_the_release_and_the_commit() {
    let out = grove(&["--version"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let rest = text
        .trim()
        .strip_prefix(&format!("grove {} (", env!("CARGO_PKG_VERSION")))
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{text}"));
    // Built from a git checkout here: a commit id, not the archive fallback.
    assert!(
        rest.len() == 12 && rest.chars().all(|c| c.is_ascii_hexdigit()),
        "{text}"
    );
}
