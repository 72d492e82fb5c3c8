//! `grove new`: starts a content file with every front matter field of its kind written
//! out and explained, so that staff fill in blanks instead of remembering field names.

use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::civil::Date as NaiveDate;

use crate::config::Config;
use crate::content::Kind;
use crate::diag::{Error, Result};
use crate::fs::display_join;
use crate::slugs::slugify;

/// Where files of a kind go under `content/`.
fn folder(kind: Kind) -> &'static str {
    match kind {
        Kind::Article => "articles",
        Kind::Faq => "faq",
        Kind::Team => "team",
        Kind::Page => "",
    }
}

/// Writes a new content file for `title` (a person's name for team bios) and returns its
/// path. Refuses to replace a file that exists.
pub fn create(root: &Path, kind: Kind, title: &str, today: NaiveDate) -> Result<PathBuf> {
    // Reading the config proves that `root` is a site (and not, say, the wrong folder).
    Config::load(root)?;
    let title = title.trim();
    let slug = slugify(title);
    let what = if kind == Kind::Team { "name" } else { "title" };
    let dir = display_join(root, Path::new("content").join(folder(kind)));
    if slug.is_empty() {
        return Err(Error::file(
            &dir,
            format!("the {what} `{title}` has no letters or digits to make a file name from"),
        )
        .with_help(format!(
            "give a {what} with words, e.g. grove new article \"Finding calm\""
        )));
    }
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("cannot create the folder", &dir, e))?;
    let path = dir.join(format!("{slug}.md"));
    let weight = next_weight(&dir);
    let text = file_text(kind, title, today, weight);

    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Error::file(&path, "already exists; grove new never replaces a file")
                .with_help(format!("edit that file, or choose another {what} (the file name comes from the {what})")));
        }
        Err(e) => return Err(Error::io("cannot create", &path, e)),
    };
    file.write_all(text.as_bytes())
        .map_err(|e| Error::io("cannot write", &path, e))?;
    Ok(path)
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

fn weight_in(text: &str) -> Option<i64> {
    let front = text.strip_prefix("+++")?.split("\n+++").next()?;
    front.lines().find_map(|line| {
        let value = line
            .trim()
            .strip_prefix("weight")?
            .trim_start()
            .strip_prefix('=')?;
        value.split('#').next()?.trim().parse().ok()
    })
}

/// `text` as a TOML string, quotes and backslashes escaped.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The whole new file: front matter with a comment on each field, and a placeholder body.
pub fn file_text(kind: Kind, title: &str, today: NaiveDate, weight: i64) -> String {
    let title = toml_string(title);
    let today = today.strftime("%Y-%m-%d");
    let slug_line = (
        "# slug = \"short-name\"".to_string(),
        "the end of the page's address; remove the # to replace the file name",
    );
    let aliases_line = (
        "aliases = []".to_string(),
        "old addresses that should lead here, e.g. [\"/blog/old-post/\"]",
    );
    let extra_line = (
        "# [extra]".to_string(),
        "settings for the theme; rarely needed",
    );
    let image_lines = [
        (
            "# image = \"/images/name.jpg\"".to_string(),
            "the picture shown when the page is shared; put it in static/images/, then remove the #",
        ),
        (
            "# image_alt = \"\"".to_string(),
            "what the picture shows, in words: required with image",
        ),
    ];
    let (fields, body): (Vec<(String, &str)>, &str) = match kind {
        Kind::Article => (
            vec![
                (format!("title = {title}"), "the article's title"),
                (
                    "description = \"\"".into(),
                    "one sentence for search engines, lists and link previews",
                ),
                (format!("date = {today}"), "the day it is published"),
                (
                    format!("# updated = {today}"),
                    "the day it was last changed: remove the # when you update it",
                ),
                (
                    "tags = []".into(),
                    "topics, e.g. [\"anxiety\", \"mindfulness\"]; each gets a page",
                ),
                image_lines[0].clone(),
                image_lines[1].clone(),
                (
                    "draft = true".into(),
                    "change to false when it is ready to publish",
                ),
                slug_line,
                aliases_line,
                extra_line,
            ],
            "Write the article here. The first paragraph is its summary in article lists.\n",
        ),
        Kind::Faq => (
            vec![
                (
                    format!("title = {title}"),
                    "the question, as a reader would ask it",
                ),
                (
                    "description = \"\"".into(),
                    "one sentence for search engines",
                ),
                (
                    format!("weight = {weight}"),
                    "order on the FAQ page: smaller comes first",
                ),
                (
                    "related = []".into(),
                    "articles the answer relates to, e.g. [\"articles/ketamine-assisted-psychotherapy.md\"]",
                ),
                image_lines[0].clone(),
                image_lines[1].clone(),
                (
                    "draft = false".into(),
                    "true keeps it off the site while you write",
                ),
                slug_line,
                aliases_line,
                extra_line,
            ],
            "Write the answer here.\n",
        ),
        Kind::Team => (
            vec![
                (format!("name = {title}"), "the person's full name"),
                (
                    "credentials = \"\"".into(),
                    "e.g. \"LCSW\", \"PhD\", \"MD (Retired)\"",
                ),
                (
                    "role = \"\"".into(),
                    "e.g. \"Licensed Clinical Social Worker\"",
                ),
                (
                    format!("weight = {weight}"),
                    "order on the team page: smaller comes first",
                ),
                (
                    "# photo = \"/images/team/name.jpg\"".into(),
                    "put the photo in static/images/team/, then remove the #",
                ),
                (
                    "languages = []".into(),
                    "languages they work in, e.g. [\"English\", \"Spanish\"]",
                ),
                (
                    "summary = \"\"".into(),
                    "one or two sentences for the team page and link previews",
                ),
                (
                    "draft = false".into(),
                    "true keeps it off the site while you write",
                ),
                slug_line,
                aliases_line,
                extra_line,
            ],
            "Write the bio here.\n",
        ),
        Kind::Page => (
            vec![
                (format!("title = {title}"), "the page's title"),
                (
                    "description = \"\"".into(),
                    "one sentence for search engines and link previews",
                ),
                (
                    "weight = 0".into(),
                    "order among the pages of its section: smaller comes first",
                ),
                (
                    format!("# date = {today}"),
                    "remove the # to show when it was published",
                ),
                (
                    format!("# updated = {today}"),
                    "remove the # to show when it was last changed",
                ),
                (
                    "# template = \"page.html\"".into(),
                    "the theme's template for it; page.html unless told otherwise",
                ),
                image_lines[0].clone(),
                image_lines[1].clone(),
                (
                    "draft = false".into(),
                    "true keeps it off the site while you write",
                ),
                slug_line,
                aliases_line,
                extra_line,
            ],
            "Write the page here.\n",
        ),
    };
    let width = fields
        .iter()
        .map(|(f, _)| f.chars().count())
        .filter(|&n| n <= 40)
        .max()
        .unwrap_or(0);
    let mut out = String::from("+++\n");
    for (field, comment) in &fields {
        let pad = width.saturating_sub(field.chars().count());
        out.push_str(&format!("{field}{}  # {comment}\n", " ".repeat(pad)));
    }
    out.push_str("+++\n\n");
    out.push_str(body);
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
        assert!(!f.meta.draft);
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
    fn reads_weights_from_front_matter() {
        assert_eq!(
            weight_in("+++\ntitle = \"A\"\nweight = 40  # x\n+++\nweight = 99"),
            Some(40)
        );
        assert_eq!(weight_in("+++\ntitle = \"A\"\n+++\n"), None);
        assert_eq!(weight_in("no front matter"), None);
    }
}
