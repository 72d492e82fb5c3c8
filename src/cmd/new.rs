//! `grove new`: starts a content file with every front matter field of its kind written
//! out and explained, so that staff fill in blanks instead of remembering field names.

use std::path::{Path, PathBuf};

use jiff::civil::Date as NaiveDate;

use crate::config::Config;
use crate::content::{Kind, front_matter};
use crate::diag::{Error, Result};
use crate::fs::{Roots, display_join};
use crate::slugs::slugify;

/// Writes a new content file for `title` (a person's name for team bios) and returns its
/// path. Refuses to replace a file that exists.
pub fn create(root: &Path, kind: Kind, title: &str, today: NaiveDate) -> Result<PathBuf> {
    // Reading the config proves that `root` is a site (and not, say, the wrong folder).
    Config::load(root)?;
    let title = title.trim();
    let slug = slugify(title);
    let what = if kind == Kind::Team { "name" } else { "title" };
    let dir = display_join(root, Path::new("content").join(kind.folder()));
    if let Some(why) = unwritable(title) {
        return Err(
            Error::file(&dir, format!("the {what} {why}")).with_help(format!(
                "give a {what} of one line, e.g. grove new article \"Finding calm\""
            )),
        );
    }
    if slug.is_empty() {
        return Err(Error::file(
            &dir,
            format!("the {what} `{title}` has no letters or digits to make a file name from"),
        )
        .with_help(format!(
            "give a {what} with words, e.g. grove new article \"Finding calm\""
        )));
    }
    let path = dir.join(format!("{slug}.md"));
    // The same rule as the build's: no folder on the way may be a link out of the site.
    if !Roots::of_site(root, None).allow(&path) {
        return Err(Error::file(
            &dir,
            "this folder is a link to somewhere outside the site folder; grove writes only inside the site",
        )
        .with_help("make it a plain folder inside the site, then try again"));
    }
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("cannot create the folder", &dir, e))?;
    let weight = next_weight(&dir);
    let text = file_text(kind, title, today, weight);
    match crate::fs::write::create_new(&path, text.as_bytes()) {
        Ok(()) => Ok(path),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Error::file(
            &path,
            "already exists; grove new never replaces a file",
        )
        .with_help(format!(
            "edit that file, or choose another {what} (the file name comes from the {what})"
        ))),
        Err(e) => Err(Error::io("cannot create", &path, e)),
    }
}

/// Longest title (or name) a new file takes: the file name is made from it.
pub const MAX_TITLE: usize = 150;

/// Why `title` cannot be a title, in words that follow "the title": a line break or
/// another control character would end the front matter line it is written on.
fn unwritable(title: &str) -> Option<String> {
    if title.chars().any(char::is_control) {
        return Some("must be one line, without line breaks or tabs".into());
    }
    let n = title.chars().count();
    (n > MAX_TITLE).then(|| format!("is {n} characters long; keep it under {MAX_TITLE}"))
}

/// One more step than the heaviest entry in `dir`, so that a new FAQ entry or bio comes
/// last instead of jumping to the top. Unreadable files are skipped: this is a default.
fn next_weight(dir: &Path) -> i64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 10;
    };
    let heaviest = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".md"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .filter_map(|text| weight_in(&text))
        .max();
    heaviest.map_or(10, |w| w.saturating_add(10))
}

/// The `weight` in a content file's front matter, read by the TOML parser.
fn weight_in(text: &str) -> Option<i64> {
    let split = front_matter::split(Path::new(""), text, "").ok()?;
    let table: toml::Table = toml::from_str(split.front).ok()?;
    table.get("weight")?.as_integer()
}

/// `text` as a TOML string, quotes and backslashes escaped.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The line a new file starts a field with, and whether it is commented out (the field
/// is optional and has no good default).
fn initial(kind: Kind, key: &str, title: &str, today: &str, weight: i64) -> (String, bool) {
    let line = |text: String| (text, false);
    let commented = |text: &str| (text.to_string(), true);
    match key {
        "title" | "name" => line(format!("{key} = {title}")),
        "date" if kind == Kind::Article => line(format!("date = {today}")),
        "date" | "updated" => (format!("{key} = {today}"), true),
        "weight" if kind == Kind::Page => line("weight = 0".into()),
        "weight" => line(format!("weight = {weight}")),
        // Every new file starts as a draft: nothing reaches the site before it is written.
        "draft" => line("draft = true".into()),
        "slug" => commented("slug = \"short-name\""),
        "image" => commented("image = \"/images/name.jpg\""),
        "image_alt" => commented("image_alt = \"\""),
        "photo" => commented("photo = \"/images/team/name.jpg\""),
        "photo_focus" => commented("photo_focus = \"0.5,0.4\""),
        "template" => commented("template = \"page.html\""),
        "extra" => commented("[extra]"),
        "tags" | "aliases" | "related" | "languages" => line(format!("{key} = []")),
        _ => line(format!("{key} = \"\"")),
    }
}

/// The whole new file: every field of its kind, each with its help text from the schema
/// (the editor shows the same), and an empty body: no placeholder text that a page could
/// publish before anyone wrote it.
pub fn file_text(kind: Kind, title: &str, today: NaiveDate, weight: i64) -> String {
    let title = toml_string(title);
    let today = today.strftime("%Y-%m-%d").to_string();
    let lines: Vec<(String, String)> = kind
        .fields()
        .iter()
        .map(|field| {
            let (text, commented) = initial(kind, field.key, &title, &today, weight);
            let help = field.help;
            if commented {
                (
                    format!("# {text}"),
                    format!("{help}; remove the # to use it"),
                )
            } else {
                (text, help.to_string())
            }
        })
        .collect();
    let width = lines
        .iter()
        .map(|(f, _)| f.chars().count())
        .filter(|&n| n <= 40)
        .max()
        .unwrap_or(0);
    let mut out = String::from("+++\n");
    for (field, comment) in &lines {
        let pad = width.saturating_sub(field.chars().count());
        out.push_str(&format!("{field}{}  # {comment}\n", " ".repeat(pad)));
    }
    out.push_str("+++\n\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Page;

    fn day() -> NaiveDate {
        jiff::civil::date(2025, 3, 14)
    }

    fn parse(kind: Kind, rel: &str, title: &str) -> Page {
        let text = file_text(kind, title, day(), 30);
        Page::parse(Path::new(rel), rel, text.clone(), &jiff::tz::TimeZone::UTC)
            .unwrap_or_else(|e| panic!("{e}\n\n{text}"))
    }

    #[test]
    fn every_kind_gives_front_matter_that_parses() {
        let a = parse(Kind::Article, "articles/x.md", "Finding calm");
        assert_eq!(a.meta.title, "Finding calm");
        assert!(a.meta.draft);
        assert_eq!(a.meta.date.unwrap().iso, "2025-03-14");
        let f = parse(Kind::Faq, "faq/x.md", "How long?");
        assert_eq!(f.meta.weight, 30);
        assert!(f.meta.draft, "every new file starts as a draft");
        assert!(
            f.doc.body().trim().is_empty(),
            "no placeholder text to publish"
        );
        let t = parse(Kind::Team, "team/x.md", "Jane Doe");
        assert_eq!(t.meta.name, "Jane Doe");
        assert_eq!(t.meta.photo, None);
        let p = parse(Kind::Page, "x.md", "Fees");
        assert_eq!(p.meta.title, "Fees");
    }

    #[test]
    fn quotes_and_backslashes_in_titles_stay_valid_toml() {
        let title = r#"What is "KAP" \ why "ketamine"?"#;
        let page = parse(Kind::Faq, "faq/x.md", title);
        assert_eq!(page.meta.title, title);
    }

    #[test]
    fn each_field_has_a_comment() {
        let text = file_text(Kind::Team, "Jane Doe", day(), 10);
        let front = text.split("+++").nth(1).unwrap();
        for line in front.lines().filter(|l| !l.is_empty()) {
            assert!(line.contains("  # "), "no comment on: {line}");
        }
        assert!(text.contains("summary = \"\""), "{text}");
    }

    #[test]
    fn every_field_of_the_schema_is_written_with_its_help() {
        for kind in Kind::ALL {
            let text = file_text(kind, "A title", day(), 10);
            for field in kind.fields() {
                let line = text
                    .lines()
                    .find(|l| {
                        let l = l.trim_start_matches("# ");
                        l.starts_with(&format!("{} ", field.key))
                            || l.starts_with(&format!("[{}]", field.key))
                    })
                    .unwrap_or_else(|| panic!("{kind:?}: no line for {}:\n{text}", field.key));
                let draft_article = kind == Kind::Article && field.key == "draft";
                assert!(draft_article || line.contains(field.help), "{line}");
            }
        }
    }

    #[test]
    fn reads_weights_from_front_matter() {
        assert_eq!(
            weight_in("+++\ntitle = \"A\"\nweight = 40  # x\n+++\nweight = 99"),
            Some(40)
        );
        assert_eq!(weight_in("+++\ntitle = \"A\"\n+++\n"), None);
        assert_eq!(weight_in("no front matter"), None);
    }
}
