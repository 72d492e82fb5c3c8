//! Property tests: arbitrary text through the front matter splitter and parser, the
//! Markdown pipeline and the slugger never panics, and slugs are always URL-safe and stable.

use std::path::Path;

use grove::content::fields::{self, Kind};
use grove::content::front_matter;
use grove::content::{Page, Section};
use grove::diag::{Error, Position};
use grove::markdown::{self, LinkMap, Source};
use grove::slugs::{UniqueIds, slugify};
use proptest::prelude::*;

/// Pieces people (and editors) put in pages, so random text reaches the interesting paths
/// (front matter fences, nesting, links, headings) far more often than uniform noise would.
const PIECES: &[&str] = &[
    "+++",
    "+++\n",
    "---\n",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\t",
    "title = \"",
    "\"",
    "date = ",
    "2025-02-30",
    "tags = [",
    "]",
    "[extra]\n",
    "weight = ",
    "-1",
    "x",
    "é",
    "🙂",
    "\u{feff}",
    "\u{0}",
    "# ",
    "## ",
    "### ",
    "{#id}",
    "> ",
    "- ",
    "1. ",
    "* ",
    "[",
    "](",
    "(@/",
    "@/a.md",
    "@/b b.md",
    "#frag",
    ")",
    "![alt](img.png)",
    "`",
    "```\n",
    "~~~",
    "<!-- more -->",
    "<div>",
    "</div>",
    "|",
    "---|",
    "[^1]",
    "[^1]: ",
    "**",
    "_",
    "~~",
    "&amp;",
    "<script>",
    "\\",
];

fn pieces() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..80).prop_map(|v| v.concat())
}

/// Either structured pieces or any Unicode text at all.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![pieces(), any::<String>(), "\\PC{0,300}"]
}

fn links() -> LinkMap {
    [
        ("a.md".to_string(), "/a/".to_string()),
        ("b b.md".to_string(), "/b-b/".to_string()),
        ("_index.md".to_string(), "/".to_string()),
    ]
    .into()
}

fn is_url_safe(slug: &str) -> bool {
    slug.is_empty()
        || (slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !slug.starts_with('-')
            && !slug.ends_with('-')
            && !slug.contains("--"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn splitter_and_parser_never_panic(text in text()) {
        let path = Path::new("content/articles/x.md");
        if let Ok(split) = front_matter::split(path, &text, "+++\ntitle = \"x\"\n+++") {
            // The offsets really point at the parts they describe.
            prop_assert_eq!(&text[split.front_offset..split.front_offset + split.front.len()], split.front);
            prop_assert_eq!(&text[split.body_offset..], split.body);
            for list in [Kind::Article.fields(), fields::section_fields(), Kind::Team.fields()] {
                let tz = jiff::tz::TimeZone::UTC;
                if let Err(e) = front_matter::read(path, &text, &split, list, "an article", &tz) {
                    let _ = e.to_string();
                }
            }
        } else if let Err(e) = front_matter::split(path, &text, "") {
            prop_assert!(e.to_string().starts_with("content/articles/x.md:1:1: "));
        }
    }

    #[test]
    fn pages_and_sections_parse_or_fail_with_a_message(text in text(), name in "[a-zé 🙂._-]{0,12}") {
        for rel in [format!("articles/{name}.md"), format!("team/{name}.md"), format!("{name}.md")] {
            let file = Path::new("content").join(&rel);
            match Page::parse(&file, &rel, text.clone(), &jiff::tz::TimeZone::UTC) {
                Ok(page) => {
                    prop_assert!(page.path.starts_with('/') && page.path.ends_with('/'));
                    prop_assert!(!page.slug.is_empty());
                    prop_assert!(is_url_safe(&page.slug), "{}", page.slug);
                }
                Err(e) => prop_assert!(e.to_string().contains(&rel)),
            }
        }
        if let Err(e) = Section::parse(Path::new("content/_index.md"), "_index.md", text) {
            prop_assert!(e.to_string().starts_with("content/_index.md"));
        }
    }

    #[test]
    fn markdown_never_panics_and_reports_positions_inside_the_file(
        front in "(\\+\\+\\+\ntitle = \"x\"\n\\+\\+\\+\n)?",
        body in text(),
    ) {
        let text = format!("{front}{body}");
        let source = Source { path: Path::new("content/a.md"), text: &text, body_offset: front.len(), base_path: "", suggest: true };
        match markdown::render(&text[front.len()..], &source, &links()) {
            Ok(r) => {
                let mut ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
                let n = ids.len();
                ids.sort_unstable();
                ids.dedup();
                prop_assert_eq!(ids.len(), n, "heading ids repeat");
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                let lines = text.lines().count().max(1);
                for e in errors {
                    if let Error::File(d) = &e
                        && let Some(p) = d.position
                    {
                        prop_assert!(p.line >= 1 && p.line <= lines + 1, "{p} of {lines}");
                    }
                    prop_assert!(e.to_string().starts_with("content/a.md"));
                }
            }
        }
    }

    #[test]
    fn slugs_are_url_safe_and_stable(text in text()) {
        let once = slugify(&text);
        prop_assert!(is_url_safe(&once), "{:?} -> {:?}", text, once);
        prop_assert_eq!(slugify(&once), once.clone());
    }

    #[test]
    fn heading_ids_are_unique_and_url_safe(titles in prop::collection::vec(text(), 1..20)) {
        let mut ids = UniqueIds::default();
        let mut seen = std::collections::HashSet::new();
        for t in &titles {
            let id = ids.id_for(t);
            prop_assert!(!id.is_empty() && is_url_safe(&id), "{:?} -> {:?}", t, id);
            prop_assert!(seen.insert(id));
        }
    }

    #[test]
    fn error_positions_never_panic(text in text(), offset in 0usize..2000) {
        let p = Position::of_offset(&text, offset);
        prop_assert!(p.line >= 1 && p.column >= 1);
        let _ = Error::at("content/a.md", &text, offset, "message").to_string();
    }

    #[test]
    fn any_bytes_decode_or_fail_with_the_file_name(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Err(e) = grove::fs::decode(Path::new("content/a.md"), bytes) {
            prop_assert!(e.to_string().starts_with("content/a.md"));
        }
    }
}
