//! Saving the editor's form: the submitted values are written into the file's front
//! matter with `toml_edit` (so its comments, order and other keys stay as they were),
//! the body replaced, and the result checked by the same parser and Markdown pipeline as
//! a build before anything reaches the disk.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;
use toml_edit::{Array, DocumentMut, Item, Value};

use super::form::{self, Control};
use crate::content::fields::Field;
use crate::content::front_matter;
use crate::content::{Page, Section};
use crate::diag::{Category, Diagnostic, Error, nearest};
use crate::markdown::LinkMap;

/// What the browser sends: each field's value as the form holds it, and the body.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Submitted {
    #[serde(default)]
    pub fields: HashMap<String, String>,
    #[serde(default)]
    pub body: String,
    /// Fields the person emptied on purpose. An empty date that is not listed here is one
    /// the browser could not read (31 February): it is refused, never taken as "no date".
    #[serde(default)]
    pub cleared: Vec<String>,
}

/// A problem with the submitted file, shown by the field it is about (`"body"` for the
/// text, `None` for the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub field: Option<String>,
    pub message: String,
}

impl Problem {
    fn at(field: Option<&str>, message: impl Into<String>) -> Problem {
        Problem {
            field: field.map(str::to_string),
            message: message.into(),
        }
    }
}

/// What the checks need from the site: where `@/` links lead, the site's `base_path`
/// and its time zone.
pub struct SiteLinks<'a> {
    pub links: &'a LinkMap,
    pub base_path: &'a str,
    pub tz: &'a jiff::tz::TimeZone,
}

/// The new text of the file at `relative_path`, from its `original` text and what was
/// `submitted`. Fields the form did not change are left exactly as they were written.
pub fn apply(
    relative_path: &str,
    original: &str,
    submitted: &Submitted,
) -> Result<String, Vec<Problem>> {
    let (prefix, front, closing) = match front_matter::split(Path::new(relative_path), original, "")
    {
        Ok(split) => {
            let front_end = split.front_offset + split.front.len();
            (
                &original[..split.front_offset],
                split.front,
                &original[front_end..split.body_offset],
            )
        }
        // No front matter yet (or `---`): the form's fields make it.
        Err(_) => ("+++\n", "", "+++\n"),
    };
    let mut doc: DocumentMut = front.parse().map_err(|e: toml_edit::TomlError| {
        vec![Problem::at(
            None,
            format!(
                "the front matter of this file is not valid TOML ({}); fix it in a text editor, then open the editor again",
                e.message()
            ),
        )]
    })?;
    let current: toml::Table = toml::from_str(front).unwrap_or_default();
    let mut problems = Vec::new();
    for field in form::schema(relative_path) {
        let Some(wanted) = submitted.fields.get(field.key) else {
            continue;
        };
        let now = current.get(field.key).map(form::shown).unwrap_or_default();
        let present = current.contains_key(field.key);
        let same_list = field.input == crate::content::fields::Input::List
            && list_items(wanted) == list_items(&now);
        if *wanted == now || same_list {
            continue;
        }
        let cleared = submitted.cleared.iter().any(|k| k == field.key);
        match value_for(field, wanted, present, cleared) {
            Ok(Change::Keep) => {}
            Ok(Change::Remove) if field.required => problems.push(Problem::at(
                Some(field.key),
                format!("{} is required", field.label),
            )),
            Ok(Change::Remove) => {
                doc.as_table_mut().remove(field.key);
            }
            Ok(Change::Set(item)) => set(&mut doc, field.key, item),
            Err(message) => problems.push(Problem::at(Some(field.key), message)),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut front = doc.to_string();
    if !front.is_empty() && !front.ends_with('\n') {
        front.push('\n');
    }
    let mut body = submitted.body.replace("\r\n", "\n");
    // A file written on Windows keeps its line ends: toml_edit writes new lines with `\n`.
    if original.contains("\r\n") {
        body = body.replace('\n', "\r\n");
        front = front.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    Ok(format!("{prefix}{front}{closing}{body}"))
}

enum Change {
    Keep,
    Remove,
    Set(Item),
}

/// The TOML a form value stands for, checked by the field's own definition: messages
/// name the field by its label, in the words the form uses.
fn value_for(field: &Field, wanted: &str, present: bool, cleared: bool) -> Result<Change, String> {
    let control = Control::of(field.input);
    let label = field.label;
    let text = wanted.trim();
    let string = |s: &str| Ok(Change::Set(Item::Value(Value::from(s))));
    match control {
        Control::Checkbox => match text {
            "true" => Ok(Change::Set(Item::Value(Value::from(true)))),
            "false" | "" if !present => Ok(Change::Keep),
            "false" | "" => Ok(Change::Set(Item::Value(Value::from(false)))),
            other => Err(format!("{label} must be ticked or not, not `{other}`")),
        },
        Control::Date if text.is_empty() && present && !cleared => Err(format!(
            "{label} could not be read: type the date again, e.g. 2025-03-14, or clear the field to remove it"
        )),
        _ if text.is_empty() && control != Control::List => Ok(Change::Remove),
        // What is not a date or a number is written as typed and refused by the check
        // that follows, in the build's own words for the field.
        Control::Date => match text.parse::<toml_edit::Datetime>() {
            Ok(d) if d.date.is_some() => Ok(Change::Set(Item::Value(Value::from(d)))),
            _ => string(text),
        },
        Control::Number => match text.parse::<i64>() {
            Ok(n) => Ok(Change::Set(Item::Value(Value::from(n)))),
            Err(_) => string(text),
        },
        Control::List => {
            let items = list_items(text);
            if items.is_empty() && !present {
                return Ok(Change::Keep);
            }
            let mut array = Array::new();
            for item in items {
                array.push(item);
            }
            Ok(Change::Set(Item::Value(Value::Array(array))))
        }
        Control::Toml => {
            let table: DocumentMut = text
                .parse()
                .map_err(|e: toml_edit::TomlError| format!("not valid TOML: {}", e.message()))?;
            Ok(Change::Set(Item::Table(table.as_table().clone())))
        }
        Control::Text | Control::Image | Control::Choice(_) if text.contains(['\n', '\r']) => {
            Err(format!("{label} must be one line"))
        }
        Control::Image if !is_picture_address(text) => Err(format!(
            "{label} must be the address of a picture, e.g. /images/room.jpg"
        )),
        Control::Text | Control::Paragraph | Control::Image | Control::Choice(_) => string(text),
    }
}

/// Whether `text` can be a picture's address: from the site's root (`/images/x.jpg`) or a
/// full `https://` address, without spaces.
pub fn is_picture_address(text: &str) -> bool {
    (text.starts_with('/') && !text.starts_with("//")
        || text.starts_with("https://")
        || text.starts_with("http://"))
        && !text.contains(char::is_whitespace)
}

/// The items of a list however a person typed it: one per line, separated by commas, or
/// written as the help's example (`["anxiety", "mindfulness"]`); quotes and brackets
/// around items are dropped, and an item given twice is kept once.
pub fn list_items(text: &str) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    for part in text.split(['\n', ',']) {
        let item = part
            .trim()
            .trim_matches(|c: char| {
                c.is_whitespace() || matches!(c, '[' | ']' | '"' | '\'' | '“' | '”' | '‘' | '’')
            })
            .trim();
        if !item.is_empty() && !items.iter().any(|i| i == item) {
            items.push(item.to_string());
        }
    }
    items
}

/// Puts `item` at `key`, keeping the comments written before and after the old value.
fn set(doc: &mut DocumentMut, key: &str, item: Item) {
    let table = doc.as_table_mut();
    match (table.get_mut(key), item) {
        (Some(Item::Value(old)), Item::Value(mut new)) => {
            *new.decor_mut() = old.decor().clone();
            *old = new;
        }
        (_, item) => {
            table.insert(key, item);
        }
    }
}

/// Checks `text` as the build would: the front matter of its kind, the Markdown and its
/// `@/` links, and `related` entries. Each problem is put by the field it is about.
pub fn check(relative_path: &str, file: &Path, text: &str, site: &SiteLinks) -> Vec<Problem> {
    examine(relative_path, file, text, site).0
}

/// What [`check`] finds, and the body as HTML when the Markdown rendered (the editor's
/// preview shows it, so the text is rendered once per keystroke, not twice).
pub fn examine(
    relative_path: &str,
    file: &Path,
    text: &str,
    site: &SiteLinks,
) -> (Vec<Problem>, Option<String>) {
    let rendered = |doc: &mut crate::content::Document| match doc
        .render_markdown(site.links, site.base_path)
    {
        Ok(()) => (Vec::new(), Some(std::mem::take(&mut doc.rendered.html))),
        Err(errors) => (errors, None),
    };
    let (errors, html): (Vec<Error>, Option<String>) = if form::is_section(relative_path) {
        match Section::parse(file, relative_path, text.to_string()) {
            Ok(mut s) => rendered(&mut s.doc),
            Err(e) => (vec![e], None),
        }
    } else {
        match Page::parse(file, relative_path, text.to_string(), site.tz) {
            Ok(mut p) => {
                let (mut errors, html) = rendered(&mut p.doc);
                for related in &p.meta.related {
                    let key = crate::content::content_path(related);
                    if !site.links.contains_key(key) {
                        let found = nearest(key, site.links.keys().map(String::as_str));
                        errors.push(p.related_missing(related, found));
                    }
                }
                (errors, html)
            }
            Err(e) => (vec![e], None),
        }
    };
    let mut problems = Vec::new();
    for error in errors {
        flatten(error, &mut problems);
    }
    (problems, html)
}

fn flatten(error: Error, out: &mut Vec<Problem>) {
    match error {
        Error::Many(list) => {
            for e in list {
                flatten(e, out);
            }
        }
        Error::File(d) => out.push(Problem {
            field: d.field.clone(),
            message: plain(&d),
        }),
        other => out.push(Problem::at(None, other.to_string())),
    }
}

/// The message and its hint, without the file name and the source line a terminal shows;
/// for a value its field cannot take, without the hint on how to write it in the file
/// (the form writes it).
fn plain(d: &Diagnostic) -> String {
    match &d.help {
        Some(help) if d.category != Category::WrongValue => {
            format!("{}. {}", d.message.trim_end_matches('.'), capitalized(help))
        }
        _ => d.message.clone(),
    }
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = "+++\ntitle = \"Calm\"  # the article's title\n# slug = \"short\"  # the end of the address\ndate = 2025-03-14\ntags = [\"anxiety\"]\ndraft = true\n\n[extra]\nicon = \"leaf\"  # kept\n+++\n\nFirst paragraph.\n";

    fn submit(fields: &[(&str, &str)], body: &str) -> Submitted {
        Submitted {
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.into(),
            cleared: Vec::new(),
        }
    }

    fn site_check(rel: &str, text: &str) -> Vec<Problem> {
        let links: LinkMap = [("articles/x.md".to_string(), "/articles/x/".to_string())].into();
        let site = SiteLinks {
            links: &links,
            base_path: "",
            tz: &jiff::tz::TimeZone::UTC,
        };
        check(rel, Path::new(rel), text, &site)
    }

    #[test]
    fn a_changed_title_keeps_every_comment_and_other_line() {
        let text = apply(
            "articles/x.md",
            ARTICLE,
            &submit(
                &[
                    ("title", "Finding calm"),
                    ("date", "2025-03-14"),
                    ("tags", "anxiety"),
                ],
                "New text.\n",
            ),
        )
        .unwrap();
        assert_eq!(
            text,
            ARTICLE
                .replace("title = \"Calm\"", "title = \"Finding calm\"")
                .replace("\nFirst paragraph.\n", "New text.\n")
        );
    }

    #[test]
    fn values_get_their_toml_types_and_empty_optional_fields_go() {
        let text = apply(
            "articles/x.md",
            ARTICLE,
            &submit(
                &[
                    ("date", "2025-04-01"),
                    ("tags", "anxiety, sleep ,"),
                    ("draft", "false"),
                    ("description", "One sentence."),
                    ("extra", ""),
                ],
                "Body\n",
            ),
        )
        .unwrap();
        let front: toml::Table = toml::from_str(text.split("+++").nth(1).unwrap()).unwrap();
        assert_eq!(
            front["date"].as_datetime().unwrap().to_string(),
            "2025-04-01"
        );
        assert_eq!(front["tags"].as_array().unwrap().len(), 2);
        assert_eq!(front["draft"].as_bool(), Some(false));
        assert_eq!(front["description"].as_str(), Some("One sentence."));
        assert!(!front.contains_key("extra"), "{text}");
        assert!(text.contains("# slug = \"short\""), "comments stay: {text}");
    }

    #[test]
    fn a_required_field_cannot_be_emptied() {
        let problems = apply("articles/x.md", ARTICLE, &submit(&[("title", " ")], "")).unwrap_err();
        assert_eq!(problems, [Problem::at(Some("title"), "Title is required")]);
    }

    #[test]
    fn a_bad_date_or_number_is_refused_by_its_field_in_the_builds_words() {
        // the form writes what was typed; the build's own check refuses it, by its field
        let refused = |rel: &str, text: &str, field: &str, typed: &str| {
            let written = apply(rel, text, &submit(&[(field, typed)], "Text\n")).unwrap();
            site_check(rel, &written)
        };
        assert_eq!(
            refused("articles/x.md", ARTICLE, "date", "14/03/2025"),
            [Problem::at(
                Some("date"),
                "Published must be a date, e.g. 2025-03-14; \"14/03/2025\" is not one"
            )]
        );
        assert_eq!(
            refused("articles/x.md", ARTICLE, "date", "2025-02-31"),
            [Problem::at(
                Some("date"),
                "Published must be a date, e.g. 2025-03-14; \"2025-02-31\" is not one"
            )]
        );
        let faq = "+++\ntitle = \"Q?\"\nweight = 10\n+++\n";
        assert_eq!(
            refused("faq/x.md", faq, "weight", "last"),
            [Problem::at(
                Some("weight"),
                "Order must be a whole number, e.g. 10, not \"last\""
            )]
        );
    }

    #[test]
    fn a_picture_field_takes_an_address() {
        let problems = apply(
            "articles/x.md",
            ARTICLE,
            &submit(&[("image", "C:\\Users\\me\\room.jpg")], "Text\n"),
        )
        .unwrap_err();
        assert_eq!(
            problems,
            [Problem::at(
                Some("image"),
                "Share image must be the address of a picture, e.g. /images/room.jpg"
            )]
        );
        assert!(
            is_picture_address("/images/room.jpg") && is_picture_address("https://x.org/a.png")
        );
        assert!(!is_picture_address("room.jpg") && !is_picture_address("//evil.example/x.png"));
    }

    #[test]
    fn an_empty_date_removes_it_only_when_cleared_on_purpose() {
        let unread =
            apply("articles/x.md", ARTICLE, &submit(&[("date", "")], "Text\n")).unwrap_err();
        assert_eq!(unread[0].field.as_deref(), Some("date"));
        assert!(
            unread[0].message.starts_with("Published could not be read"),
            "{unread:?}"
        );
        let mut cleared = submit(&[("date", "")], "Text\n");
        cleared.cleared = vec!["date".into()];
        let text = apply("articles/x.md", ARTICLE, &cleared).unwrap();
        assert!(!text.contains("date ="), "{text}");
    }

    #[test]
    fn topics_typed_any_way_become_clean_items() {
        for typed in [
            "anxiety, mindfulness",
            "[\"anxiety\", \"mindfulness\"]",
            "anxiety\nmindfulness\n",
            "'anxiety' , “mindfulness”, anxiety",
        ] {
            assert_eq!(list_items(typed), ["anxiety", "mindfulness"], "{typed:?}");
        }
        let text = apply(
            "articles/x.md",
            ARTICLE,
            &submit(&[("tags", "[\"anxiety\", \"mindfulness\"]")], "Text\n"),
        )
        .unwrap();
        assert!(
            text.contains("tags = [\"anxiety\", \"mindfulness\"]"),
            "{text}"
        );
    }

    #[test]
    fn a_broken_link_is_reported_at_the_body_and_a_missing_related_at_its_field() {
        let text = "+++\ntitle = \"Q?\"\nrelated = [\"articles/gone.md\"]\n+++\nSee [this](@/articles/nowhere.md).\n";
        let problems = site_check("faq/q.md", text);
        let fields: Vec<Option<&str>> = problems.iter().map(|p| p.field.as_deref()).collect();
        assert!(fields.contains(&Some("body")), "{problems:?}");
        assert!(fields.contains(&Some("related")), "{problems:?}");
        assert!(site_check("articles/x.md", ARTICLE).is_empty());
    }

    #[test]
    fn a_file_without_front_matter_gets_one_and_crlf_files_stay_crlf() {
        let text = apply(
            "about.md",
            "Just text.\n",
            &submit(&[("title", "About")], "Just text.\n"),
        )
        .unwrap();
        assert_eq!(text, "+++\ntitle = \"About\"\n+++\nJust text.\n");
        let crlf = "+++\r\ntitle = \"A\"\r\n+++\r\nOne\r\n";
        let text = apply("about.md", crlf, &submit(&[("title", "A")], "One\nTwo\n")).unwrap();
        assert_eq!(text, "+++\r\ntitle = \"A\"\r\n+++\r\nOne\r\nTwo\r\n");
    }

    #[test]
    fn broken_toml_in_the_file_is_refused_with_advice() {
        let problems = apply(
            "about.md",
            "+++\ntitle = \n+++\n",
            &submit(&[("title", "A")], ""),
        )
        .unwrap_err();
        assert!(
            problems[0].message.contains("not valid TOML"),
            "{problems:?}"
        );
    }
}
