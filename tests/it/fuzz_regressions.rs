//! Inputs the fuzzers in fuzz/ found, kept as tests so that what was fixed stays fixed
//! (docs/reliability.md says how to run the fuzzers).

use grove::cmd::serve::http::{Resolved, resolve};

/// A site that has every file: the most a request path could ever be resolved to.
fn anything(_: &str) -> bool {
    true
}

/// A site that has only folder pages, so that a path without its slash is redirected.
fn folders(key: &str) -> bool {
    key.ends_with("/index.html")
}

#[test]
fn control_characters_never_reach_a_redirect() {
    // Found by fuzz/fuzz_targets/resolve.rs: the Location header echoed a raw control
    // character. A browser drops tabs and newlines from a URL, so `/\t/host` would have
    // sent it to `//host`, another site; a CR could have ended the header early.
    for raw in [
        "/0b2/%\u{12}a%2\u{fffd}0`",
        "/\t/evil.example",
        "/%09/evil.example",
        "/a\rSet-Cookie: x=1",
        "/%0d%0aSet-Cookie:%20x=1",
        "/\u{7f}",
        "/%c2%85",
    ] {
        assert_eq!(resolve(raw, folders), Resolved::NotFound, "{raw:?}");
        assert_eq!(resolve(raw, anything), Resolved::NotFound, "{raw:?}");
    }
}

#[test]
fn ordinary_paths_still_resolve() {
    assert_eq!(
        resolve("/caf%C3%A9", folders),
        Resolved::Redirect("/caf%C3%A9/".into())
    );
    assert_eq!(
        resolve("/a%20b/", anything),
        Resolved::File("a b/index.html".into())
    );
}
