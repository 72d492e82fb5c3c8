//! Any bytes as a content file: decoding, front matter, the page's fields and Markdown
//! must end in a page or in an error that names the file, never in a panic.
#![no_main]

use std::path::Path;

use grove::content::{Page, Section};
use grove::markdown::{self, LinkMap, Source};
use libfuzzer_sys::fuzz_target;

const PLACES: [&str; 5] = [
    "articles/x.md",
    "faq/x.md",
    "team/x.md",
    "about.md",
    "articles/_index.md",
];

fuzz_target!(|data: &[u8]| {
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    let rel = PLACES[choice as usize % PLACES.len()];
    let file = Path::new("content").join(rel);
    let text = match grove::site::decode(&file, bytes.to_vec()) {
        Ok(t) => t,
        Err(e) => {
            assert!(e.to_string().starts_with("content/"));
            return;
        }
    };
    let links: LinkMap = [
        ("articles/x.md".to_string(), "/articles/x/".to_string()),
        ("about.md".to_string(), "/about/".to_string()),
    ]
    .into();
    let (text, body_offset) = if rel.ends_with("_index.md") {
        match Section::parse(&file, rel, text) {
            Ok(s) => (s.text, s.body_offset),
            Err(e) => {
                assert!(e.to_string().starts_with("content/"));
                return;
            }
        }
    } else {
        match Page::parse(&file, rel, text, &grove::content::TimeZone::UTC) {
            Ok(p) => {
                assert!(p.path.starts_with('/') && p.path.ends_with('/'));
                (p.text, p.body_offset)
            }
            Err(e) => {
                assert!(e.to_string().starts_with("content/"));
                return;
            }
        }
    };
    let source = Source {
        path: &file,
        text: &text,
        body_offset,
        base_path: "",
        suggest: true,
    };
    if let Err(errors) = markdown::render(&text[body_offset..], &source, &links) {
        for e in errors {
            assert!(e.to_string().starts_with("content/"));
        }
    }
});
