//! Any request path: what the preview server maps it to never leaves the site (no `..`,
//! backslash or NUL, always relative) and a redirect always stays on the same host.
#![no_main]

use grove::cmd::serve::http::{Resolved, resolve};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &str| {
    // Once with a site that has every file, once with one that has only folder pages, so
    // both the file and the redirect branches are reached.
    for has in [&(|_: &str| true) as &dyn Fn(&str) -> bool, &|k: &str| {
        k.ends_with("/index.html")
    }] {
        match resolve(raw, has) {
            Resolved::File(key) => {
                assert!(!key.starts_with('/'), "{raw:?} -> {key:?}");
                assert!(
                    !key.contains('\\') && !key.contains('\0'),
                    "{raw:?} -> {key:?}"
                );
                assert!(
                    key.split('/')
                        .all(|s| s != ".." && s != "." && !s.is_empty()),
                    "{raw:?} -> {key:?}"
                );
                assert!(!std::path::Path::new(&key).is_absolute());
            }
            Resolved::Redirect(location) => {
                assert!(location.starts_with('/'), "{raw:?} -> {location:?}");
                // `//host` or `/\host` would send the browser to another site.
                let second = location.chars().nth(1);
                assert!(
                    second != Some('/') && second != Some('\\'),
                    "{raw:?} -> {location:?}"
                );
                assert!(
                    !location.chars().any(char::is_control),
                    "{raw:?} -> {location:?}"
                );
            }
            Resolved::NotFound => {}
        }
    }
});
