//! Content files: one page or section parsed from its text, with its kind's front matter
//! checked and typed. No file system access here: `Site` reads the files.

pub mod date;
pub mod document;
pub mod field_types;
pub mod fields;
pub mod front_matter;
mod page;
mod section;

pub use date::Date;
pub use document::Document;
pub use fields::Kind;
pub use fields::Meta;
pub use jiff::tz::TimeZone;
pub use page::Page;
pub use section::Section;

use crate::slugs::slugify;

/// The path under `content/` that an `@/` link, or a path written from `content/`, names:
/// `@/articles/x.md` and `/articles/x.md` are `articles/x.md`.
pub fn content_path(target: &str) -> &str {
    target.trim_start_matches("@/").trim_start_matches('/')
}

/// `articles/sub` -> `/articles/sub/`, each folder name slugged.
pub(crate) fn url_of_dir(dir: &str) -> String {
    let mut url = String::from("/");
    for part in dir.split('/').filter(|p| !p.is_empty()) {
        let s = slugify(part);
        url.push_str(if s.is_empty() { part } else { &s });
        url.push('/');
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::field_types::SortBy;
    use crate::diag::Result;
    use std::path::Path;

    fn page(rel: &str, text: &str) -> Result<Page> {
        Page::parse(
            &Path::new("content").join(rel),
            rel,
            text.to_string(),
            &TimeZone::UTC,
        )
    }

    #[test]
    fn front_matter_keys_are_found_by_the_toml_parser() {
        let p = page(
            "articles/x.md",
            "+++\ntitle = \"A\"\n  date=2025-01-01\ntags = [\"date = not a key\"]\n+++\nBody.",
        )
        .unwrap();
        assert_eq!(p.doc.key_line("title"), 2);
        assert_eq!(p.doc.key_line("date"), 3);
        assert_eq!(p.doc.key_line("tags"), 4);
        assert_eq!(
            p.doc.key_line("description"),
            1,
            "not written: the file as a whole"
        );
        assert!(
            p.doc
                .key_error("date", "x")
                .to_string()
                .starts_with("content/articles/x.md:3:3: x")
        );
    }

    #[test]
    fn article_url_uses_slug_or_file_name() {
        let p = page("articles/My Article.md", "+++\ntitle = \"A\"\n+++\n").unwrap();
        assert_eq!(p.path, "/articles/my-article/");
        let p = page(
            "articles/x.md",
            "+++\ntitle = \"A\"\nslug = \"other\"\n+++\n",
        )
        .unwrap();
        assert_eq!(p.path, "/articles/other/");
    }

    #[test]
    fn team_bio_uses_name_as_title_and_summary_as_description() {
        let p = page(
            "team/cb.md",
            "+++\nname = \"Christine Benvenuto\"\ncredentials = \"MFT\"\nsummary = \"Co-founder.\"\n+++\nBio.",
        )
        .unwrap();
        assert_eq!(p.meta.title, "Christine Benvenuto");
        assert_eq!(p.meta.description, "Co-founder.");
        assert_eq!(p.initials(), "CB");
    }

    #[test]
    fn initials_use_first_and_last_names() {
        let mut p = page("team/x.md", "+++\nname = \"Mary Ann Smith\"\n+++\n").unwrap();
        assert_eq!(p.initials(), "MS");
        p.meta.name = "Chrysanthe".into();
        assert_eq!(p.initials(), "C");
    }

    /// Every message about front matter, whole, as a build shows it: the one place they
    /// are pinned.
    #[test]
    fn front_matter_messages_in_full() {
        let cases = [
            ("articles/x.md", "+++\ntitle = \"A\"\nweight = 3\n+++\n"),
            ("faq/x.md", "+++\nweight = 3\n+++\n"),
            // a misspelt title is one mistake, not also a missing title
            ("faq/x.md", "+++\ntitel = \"Q?\"\n+++\n"),
            ("faq/x.md", "+++\ntitle = \"  \"\n+++\n"),
            ("faq/x.md", "+++\ntitle = \"Q?\"\nweight = \"last\"\n+++\n"),
            (
                "articles/x.md",
                "+++\ntitle = \"A\"\ndate = \"31/01/2025\"\n+++\n",
            ),
            (
                "articles/x.md",
                "+++\ntitle = \"A\"\ndate = 2025-02-31\n+++\n",
            ),
            (
                "articles/x.md",
                "+++\ntitle = \"A\"\ntags = \"anxiety, sleep\"\n+++\n",
            ),
            (
                "articles/x.md",
                "+++\ntitle = \"A\"\ntags = [\"???\"]\n+++\n",
            ),
            (
                "articles/x.md",
                "+++\ntitle = \"A\"\nimage = \"/images/a.jpg\"\n+++\n",
            ),
            (
                "articles/x.md",
                "+++\ntitle = \"A\"\naliases = [\"/../x/\"]\n+++\n",
            ),
            ("articles/x.md", "+++\ntitle = \"A\"\nslug = \"!!\"\n+++\n"),
            ("team/x.md", "+++\nname = \"A B\"\ndraft = \"yes\"\n+++\n"),
        ];
        let shown: Vec<String> = cases
            .iter()
            .map(|(rel, text)| {
                let e = page(rel, text).unwrap_err();
                let d = e.diagnostics()[0].clone();
                format!(
                    "{rel}\n{text}---\nfield: {:?}, {:?}\n{e}",
                    d.field, d.category
                )
            })
            .collect();
        insta::assert_snapshot!(shown.join("\n\n========\n"));
    }

    #[test]
    fn summary_falls_back_to_description_escaped() {
        let p = page(
            "articles/x.md",
            "+++\ntitle = \"A\"\ndescription = \"<b>hi</b>\"\n+++\nText.",
        )
        .unwrap();
        assert_eq!(p.summary(), "<p>&lt;b&gt;hi&lt;/b&gt;</p>\n");
    }

    #[test]
    fn section_url_and_sorting_fields() {
        let s = Section::parse(
            Path::new("content/faq/_index.md"),
            "faq/_index.md",
            "+++\ntitle = \"FAQ\"\nsort_by = \"weight\"\n+++\n".into(),
        )
        .unwrap();
        assert_eq!(s.path, "/faq/");
        assert_eq!(s.meta.sort_by, SortBy::Weight);
        let e = Section::parse(
            Path::new("content/_index.md"),
            "_index.md",
            "+++\nsort_by = \"size\"\n+++\n".into(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("content/_index.md:2:"), "{e}");
        assert!(e.contains("date") && e.contains("weight"), "{e}");
    }
}
