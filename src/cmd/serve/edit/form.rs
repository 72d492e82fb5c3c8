//! The editor's form for one content file: a control for each front matter field of its
//! kind, from the same schema the parser and `grove new` read (`content/fields.rs`), with
//! the field's help text and the value the file holds now.

use crate::content::Kind;
use crate::content::fields::{Field, Input, section_fields};

/// How a field is edited in the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// `<input type="text">`.
    Text,
    /// `<textarea>` of a few lines.
    Paragraph,
    /// `<input type="date">` for a plain day; a text input for a date with a time.
    Date,
    /// `<input type="number">`.
    Number,
    /// `<input type="checkbox">`.
    Checkbox,
    /// A text input of values separated by commas.
    List,
    /// A text input with the address of a file under `static/`.
    Image,
    /// `<select>` of the given words.
    Choice(&'static [&'static str]),
    /// `<textarea>` of TOML.
    Toml,
}

impl Control {
    pub fn of(input: Input) -> Control {
        match input {
            Input::Text => Control::Text,
            Input::Paragraph => Control::Paragraph,
            Input::Date => Control::Date,
            Input::Number => Control::Number,
            Input::Bool => Control::Checkbox,
            Input::List => Control::List,
            Input::Image => Control::Image,
            Input::Choice(words) => Control::Choice(words),
            Input::Table => Control::Toml,
        }
    }
}

/// One field of the form, with the value the file holds now, as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    pub field: &'static Field,
    pub control: Control,
    pub value: String,
}

/// The fields of a content file at `relative_path` (`articles/x.md`, `faq/_index.md`).
pub fn schema(relative_path: &str) -> &'static [Field] {
    if is_section(relative_path) {
        section_fields()
    } else {
        Kind::of(relative_path).fields()
    }
}

pub fn is_section(relative_path: &str) -> bool {
    relative_path == "_index.md" || relative_path.ends_with("/_index.md")
}

/// The form for a file whose front matter is `front` (TOML). A value the form cannot show
/// in its control (a number where text belongs) is shown as TOML, so nothing is hidden.
pub fn fields(relative_path: &str, front: &toml::Table) -> Vec<FormField> {
    schema(relative_path)
        .iter()
        .map(|field| FormField {
            field,
            control: Control::of(field.input),
            value: front.get(field.key).map(shown).unwrap_or_default(),
        })
        .collect()
}

/// A TOML value as the form shows it: text as it is, a list as `a, b`, a table as TOML.
pub fn shown(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(items) => items
            .iter()
            .map(|v| match v {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        toml::Value::Table(t) => toml::to_string(t)
            .unwrap_or_default()
            .trim_end()
            .to_string(),
    }
}

/// Whether a date field's value fits `<input type="date">` (a plain day, or nothing).
pub fn is_plain_day(value: &str) -> bool {
    value.is_empty()
        || (value.len() == 10
            && value.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    fn control(rel: &str, key: &str) -> Control {
        fields(rel, &toml::Table::new())
            .into_iter()
            .find(|f| f.field.key == key)
            .unwrap_or_else(|| panic!("{rel} has no field {key}"))
            .control
    }

    #[test]
    fn an_article_is_edited_with_title_date_topics_and_draft() {
        let form = fields("articles/x.md", &toml::Table::new());
        let keys: Vec<&str> = form.iter().map(|f| f.field.key).collect();
        assert_eq!(
            &keys[..5],
            ["title", "description", "date", "updated", "tags"]
        );
        assert_eq!(control("articles/x.md", "title"), Control::Text);
        assert_eq!(control("articles/x.md", "description"), Control::Paragraph);
        assert_eq!(control("articles/x.md", "date"), Control::Date);
        assert_eq!(control("articles/x.md", "tags"), Control::List);
        assert_eq!(control("articles/x.md", "draft"), Control::Checkbox);
        assert_eq!(control("articles/x.md", "image"), Control::Image);
        assert_eq!(control("articles/x.md", "extra"), Control::Toml);
        assert!(form[0].field.required);
        assert!(!keys.contains(&"weight"), "articles are ordered by date");
    }

    #[test]
    fn a_faq_entry_has_a_question_an_order_and_related_articles() {
        let form = fields("faq/how-long.md", &toml::Table::new());
        assert_eq!(form[0].field.label, "Question");
        assert_eq!(control("faq/how-long.md", "weight"), Control::Number);
        assert_eq!(control("faq/how-long.md", "related"), Control::List);
    }

    #[test]
    fn a_team_bio_has_name_credentials_role_photo_and_languages() {
        let form = fields("team/jane.md", &toml::Table::new());
        let keys: Vec<&str> = form.iter().map(|f| f.field.key).collect();
        for key in [
            "name",
            "credentials",
            "role",
            "weight",
            "photo",
            "languages",
            "summary",
        ] {
            assert!(keys.contains(&key), "{key} missing from {keys:?}");
        }
        assert!(!keys.contains(&"title"));
        assert_eq!(control("team/jane.md", "photo"), Control::Image);
        assert_eq!(control("team/jane.md", "summary"), Control::Paragraph);
    }

    #[test]
    fn a_page_and_a_section_have_their_own_fields() {
        assert_eq!(control("about.md", "template"), Control::Text);
        assert_eq!(
            control("articles/_index.md", "sort_by"),
            Control::Choice(&["date", "weight", "title"])
        );
        assert_eq!(
            control("articles/_index.md", "paginate_by"),
            Control::Number
        );
        assert!(is_section("_index.md") && !is_section("index.md"));
    }

    #[test]
    fn the_help_text_is_the_one_grove_new_writes() {
        for kind in Kind::ALL {
            let rel = match kind {
                Kind::Page => "x.md".to_string(),
                k => format!("{}/x.md", k.folder()),
            };
            let new_file =
                crate::cmd::new::file_text(kind, "A title", jiff::civil::date(2025, 1, 2), 10);
            for f in fields(&rel, &toml::Table::new()) {
                assert!(new_file.contains(f.field.help), "{rel}: {}", f.field.key);
            }
        }
    }

    #[test]
    fn values_are_shown_as_a_person_types_them() {
        let front = table(
            "title = \"Calm\"\ndate = 2025-03-14\ntags = [\"anxiety\", \"sleep\"]\ndraft = true\n[extra]\nicon = \"leaf\"\n",
        );
        let form = fields("articles/x.md", &front);
        let value = |key: &str| {
            form.iter()
                .find(|f| f.field.key == key)
                .unwrap()
                .value
                .clone()
        };
        assert_eq!(value("title"), "Calm");
        assert_eq!(value("date"), "2025-03-14");
        assert_eq!(value("tags"), "anxiety, sleep");
        assert_eq!(value("draft"), "true");
        assert_eq!(value("extra"), "icon = \"leaf\"");
        assert_eq!(value("description"), "");
        assert!(is_plain_day("2025-03-14") && is_plain_day(""));
        assert!(!is_plain_day("2025-03-14T10:00:00Z") && !is_plain_day("14/03/2025"));
    }
}
