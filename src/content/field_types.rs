//! Reading one front matter value into the type its field has, and when it cannot, what is
//! wrong in the field's own words ("Order must be a whole number, e.g. 10"), written once
//! for the build, `grove check` and the editor alike. The help says how to write it in the
//! file, which only a person editing the file by hand needs.

use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use super::date::Date;
use super::fields::Field;

/// How a section orders its pages.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    #[default]
    Date,
    Weight,
    Title,
}

/// Where the face is in a team photo: `"x,y"`, across then down, each from 0 to 1. Kept
/// as it was written, for templates (`data-focus`), once it is known to be that.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Focus(pub String);

/// What reading a value needs besides the value: dates without an offset are in `tz`.
pub struct Reading {
    pub tz: TimeZone,
}

/// A value its field cannot take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrong {
    /// Starts with the field's label.
    pub message: String,
    /// How to write it in the file.
    pub help: String,
}

/// A type a front matter field can have.
pub trait FieldType: Sized {
    fn read(value: &toml::Value, field: &Field, reading: &Reading) -> Result<Self, Wrong>;
}

fn wrong(field: &Field, what: &str, help: String) -> Wrong {
    Wrong {
        message: format!("{} {what}", field.label),
        help,
    }
}

/// How a value is written, for messages: `"last"`, `10`, a list.
fn written(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("\"{}\"", shortened(s)),
        toml::Value::Array(_) => "a list".into(),
        toml::Value::Table(_) => "a table".into(),
        other => other.to_string(),
    }
}

fn shortened(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

impl FieldType for String {
    fn read(value: &toml::Value, field: &Field, _: &Reading) -> Result<Self, Wrong> {
        match value {
            toml::Value::String(s) => Ok(s.clone()),
            other => Err(wrong(
                field,
                &format!("must be text, not {}", written(other)),
                format!(
                    "text goes between double quotes: {} = \"{}\"",
                    field.key,
                    other.to_string().trim_matches('"')
                ),
            )),
        }
    }
}

impl FieldType for Option<String> {
    fn read(value: &toml::Value, field: &Field, reading: &Reading) -> Result<Self, Wrong> {
        String::read(value, field, reading).map(Some)
    }
}

impl FieldType for Option<Focus> {
    fn read(value: &toml::Value, field: &Field, reading: &Reading) -> Result<Self, Wrong> {
        let text = String::read(value, field, reading)?;
        let share = |part: Option<&str>| {
            part.and_then(|p| p.trim().parse::<f32>().ok())
                .filter(|v| (0.0..=1.0).contains(v))
        };
        let mut parts = text.split(',');
        match (share(parts.next()), share(parts.next()), parts.next()) {
            (Some(_), Some(_), None) => Ok(Some(Focus(text))),
            _ => Err(wrong(
                field,
                &format!(
                    "must be two numbers from 0 to 1, across then down, e.g. \"0.5,0.3\", not {}",
                    written(value)
                ),
                format!(
                    "e.g. {} = \"0.5,0.3\" (the middle, a third of the way down)",
                    field.key
                ),
            )),
        }
    }
}

impl FieldType for bool {
    fn read(value: &toml::Value, field: &Field, _: &Reading) -> Result<Self, Wrong> {
        match value {
            toml::Value::Boolean(b) => Ok(*b),
            other => Err(wrong(
                field,
                &format!("must be true or false, not {}", written(other)),
                format!("write true or false without quotes: {} = true", field.key),
            )),
        }
    }
}

impl FieldType for i64 {
    fn read(value: &toml::Value, field: &Field, _: &Reading) -> Result<Self, Wrong> {
        let help = format!("numbers are written without quotes: {} = 10", field.key);
        match value {
            toml::Value::Integer(n) => Ok(*n),
            toml::Value::String(s) if s.trim().parse::<i64>().is_ok() => Err(wrong(
                field,
                "must be a whole number without quotes, e.g. 10",
                help,
            )),
            other => Err(wrong(
                field,
                &format!("must be a whole number, e.g. 10, not {}", written(other)),
                help,
            )),
        }
    }
}

impl FieldType for Option<usize> {
    fn read(value: &toml::Value, field: &Field, reading: &Reading) -> Result<Self, Wrong> {
        let n = i64::read(value, field, reading)?;
        match usize::try_from(n) {
            Ok(n) if n >= 1 => Ok(Some(n)),
            _ => Err(wrong(
                field,
                &format!("must be 1 or more, not {n}"),
                format!(
                    "write a count such as {} = 10, or remove the line",
                    field.key
                ),
            )),
        }
    }
}

impl FieldType for Vec<String> {
    fn read(value: &toml::Value, field: &Field, _: &Reading) -> Result<Self, Wrong> {
        let help = format!(
            "a list goes in square brackets, each item in double quotes: {} = [\"one\", \"two\"]",
            field.key
        );
        let toml::Value::Array(items) = value else {
            // Text where a list belongs: show that text as the list it was meant to be.
            let help = match value {
                toml::Value::String(s) => {
                    let items: toml::value::Array = s
                        .split(',')
                        .map(str::trim)
                        .filter(|i| !i.is_empty())
                        .map(|i| toml::Value::String(i.to_string()))
                        .collect();
                    format!(
                        "a list goes in square brackets, each item in double quotes: {} = {}",
                        field.key,
                        toml::Value::Array(items)
                    )
                }
                _ => help,
            };
            return Err(wrong(
                field,
                &format!("must be a list, not {}", written(value)),
                help,
            ));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                toml::Value::String(s) => Ok(s.clone()),
                other => Err(wrong(
                    field,
                    &format!("item {} must be text, not {}", i + 1, written(other)),
                    help.clone(),
                )),
            })
            .collect()
    }
}

impl FieldType for Option<Date> {
    fn read(value: &toml::Value, field: &Field, reading: &Reading) -> Result<Self, Wrong> {
        Date::parse(value, &reading.tz).map(Some).map_err(|_| {
            wrong(
                field,
                &format!(
                    "must be a date, e.g. 2025-03-14; {} is not one",
                    written(value)
                ),
                format!(
                    "write {key} = 2025-01-31 (a day) or {key} = 2025-01-31T09:00:00-08:00",
                    key = field.key
                ),
            )
        })
    }
}

impl FieldType for SortBy {
    fn read(value: &toml::Value, field: &Field, _: &Reading) -> Result<Self, Wrong> {
        match value.as_str() {
            Some("date") => Ok(SortBy::Date),
            Some("weight") => Ok(SortBy::Weight),
            Some("title") => Ok(SortBy::Title),
            _ => Err(wrong(
                field,
                &format!(
                    "must be \"date\", \"weight\" or \"title\", not {}",
                    written(value)
                ),
                format!("e.g. {} = \"weight\"", field.key),
            )),
        }
    }
}

impl FieldType for toml::Table {
    fn read(value: &toml::Value, field: &Field, _: &Reading) -> Result<Self, Wrong> {
        match value {
            toml::Value::Table(t) => Ok(t.clone()),
            other => Err(wrong(
                field,
                &format!("must be a table of settings, not {}", written(other)),
                format!("write the settings under a line [{}]", field.key),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::fields::{Kind, find};

    fn read<T: FieldType>(kind: Option<Kind>, key: &str, toml: &str) -> Result<T, Wrong> {
        let table: toml::Table = toml::from_str(&format!("v = {toml}")).unwrap();
        let reading = Reading { tz: TimeZone::UTC };
        T::read(&table["v"], find(kind, key).unwrap(), &reading)
    }

    #[test]
    fn each_wrong_value_is_said_in_the_fields_words() {
        let faq = Some(Kind::Faq);
        let article = Some(Kind::Article);
        let cases: Vec<(Wrong, &str)> = vec![
            (
                read::<i64>(faq, "weight", "\"last\"").unwrap_err(),
                "Order must be a whole number, e.g. 10, not \"last\"",
            ),
            (
                read::<i64>(faq, "weight", "\"10\"").unwrap_err(),
                "Order must be a whole number without quotes, e.g. 10",
            ),
            (
                read::<String>(faq, "title", "3").unwrap_err(),
                "Question must be text, not 3",
            ),
            (
                read::<Vec<String>>(article, "tags", "\"anxiety\"").unwrap_err(),
                "Topics must be a list, not \"anxiety\"",
            ),
            (
                read::<Vec<String>>(article, "tags", "[\"a\", 2]").unwrap_err(),
                "Topics item 2 must be text, not 2",
            ),
            (
                read::<Option<Date>>(article, "date", "\"2025-02-31\"").unwrap_err(),
                "Published must be a date, e.g. 2025-03-14; \"2025-02-31\" is not one",
            ),
            (
                read::<bool>(article, "draft", "\"yes\"").unwrap_err(),
                "Draft must be true or false, not \"yes\"",
            ),
            (
                read::<Option<usize>>(None, "paginate_by", "0").unwrap_err(),
                "Pages per list page must be 1 or more, not 0",
            ),
            (
                read::<SortBy>(None, "sort_by", "\"newest\"").unwrap_err(),
                "Order of its pages must be \"date\", \"weight\" or \"title\", not \"newest\"",
            ),
            (
                read::<Option<Focus>>(Some(Kind::Team), "photo_focus", "\"top\"").unwrap_err(),
                "Photo focal point must be two numbers from 0 to 1, across then down, e.g. \"0.5,0.3\", not \"top\"",
            ),
            (
                read::<Option<Focus>>(Some(Kind::Team), "photo_focus", "\"0.5,1.3\"").unwrap_err(),
                "Photo focal point must be two numbers from 0 to 1, across then down, e.g. \"0.5,0.3\", not \"0.5,1.3\"",
            ),
            (
                read::<Option<Focus>>(Some(Kind::Team), "photo_focus", "\"0.5,0.3,1\"")
                    .unwrap_err(),
                "Photo focal point must be two numbers from 0 to 1, across then down, e.g. \"0.5,0.3\", not \"0.5,0.3,1\"",
            ),
        ];
        assert_eq!(
            read::<Option<Focus>>(Some(Kind::Team), "photo_focus", "\"0.5, 0.25\""),
            Ok(Some(Focus("0.5, 0.25".into())))
        );
        assert_eq!(
            read::<Vec<String>>(article, "tags", "\"anxiety, sleep\"")
                .unwrap_err()
                .help,
            "a list goes in square brackets, each item in double quotes: tags = [\"anxiety\", \"sleep\"]"
        );
        for (error, message) in cases {
            assert_eq!(error.message, message);
            assert!(!error.help.is_empty());
        }
        assert_eq!(read::<i64>(faq, "weight", "10"), Ok(10));
        let long = format!("\"{}\"", "x".repeat(10_000));
        let error = read::<i64>(faq, "weight", &long).unwrap_err();
        assert!(error.message.len() < 100, "{}", error.message);
    }
}
