//! Front matter: splitting the `+++` block off a file, reading its TOML, and checking
//! its fields for each kind of content, with positions relative to the whole file.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use jiff::tz::TimeZone;

use super::field_types::Reading;
use super::fields::{Field, Input, Meta};
use crate::diag::{Category, Error, FileErrors, Position, Result, nearest, toml_error};

/// A file cut into its front matter and its body, with byte offsets into the file.
#[derive(Debug, PartialEq)]
pub struct Split<'a> {
    pub front: &'a str,
    /// Byte offset of `front` in the file's text.
    pub front_offset: usize,
    pub body: &'a str,
    /// Byte offset of `body` in the file's text.
    pub body_offset: usize,
}

impl Split<'_> {
    /// Where the front matter's TOML is in the file's text.
    pub fn front_range(&self) -> Range<usize> {
        self.front_offset..self.front_offset + self.front.len()
    }
}

/// Cuts `text` (a whole file, BOM already removed) into TOML front matter and body.
pub fn split<'a>(path: &Path, text: &'a str, example: &str) -> Result<Split<'a>> {
    let first_end = text.find('\n').unwrap_or(text.len());
    let first = text[..first_end].trim_end();
    if first == "---" {
        return Err(yaml_error(path, text));
    }
    if first != "+++" {
        let message = if text.trim().is_empty() {
            "the file is empty"
        } else {
            "no front matter: the file must start with a line `+++`"
        };
        return Err(
            Error::at_position(path, text, Position { line: 1, column: 1 }, message).with_help(
                format!("start the file with front matter, for example:\n\n{example}"),
            ),
        );
    }
    let front_offset = (first_end + 1).min(text.len());
    let mut offset = front_offset;
    while offset < text.len() {
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        if text[offset..end].trim_end() == "+++" {
            let body_offset = (end + 1).min(text.len());
            return Ok(Split {
                front: &text[front_offset..offset],
                front_offset,
                body: &text[body_offset..],
                body_offset,
            });
        }
        offset = end + 1;
    }
    Err(Error::at_position(
        path,
        text,
        Position { line: 1, column: 1 },
        "the front matter that starts here is never closed",
    )
    .with_help("add a line `+++` after the last front matter field, before the text"))
}

fn yaml_error(path: &Path, text: &str) -> Error {
    let error = Error::at_position(
        path,
        text,
        Position { line: 1, column: 1 },
        "this front matter is YAML (between `---` lines); grove reads TOML between `+++` lines",
    );
    let rest = &text[text.find('\n').map_or(text.len(), |i| i + 1)..];
    let block_end = rest.lines().position(|l| l.trim_end() == "---");
    let Some(end) = block_end else {
        return error.with_help(
            "replace the `---` lines with `+++` and write the fields as TOML (`key = \"value\"`)",
        );
    };
    let yaml: String = rest.lines().take(end).collect::<Vec<_>>().join("\n");
    match yaml_to_toml(&yaml) {
        Some(toml) => error.with_help(format!(
            "replace the front matter with this TOML version of the same fields:\n\n+++\n{}+++",
            toml
        )),
        None => error.with_help(
            "replace the `---` lines with `+++` and write the fields as TOML (`key = \"value\"`)",
        ),
    }
}

/// The TOML version of simple YAML front matter, for the error message: `key: value`
/// lines, inline `[a, b]` lists and `- item` lists. Anything richer (nested maps, block
/// strings) gives `None`, and the message falls back to general advice.
fn yaml_to_toml(yaml: &str) -> Option<String> {
    let mut table = toml::Table::new();
    let mut list: Option<(String, Vec<toml::Value>)> = None;
    for line in yaml.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(item) = trimmed.strip_prefix("- ") {
            let (_, items) = list.as_mut()?;
            items.push(yaml_scalar(item.trim())?);
            continue;
        }
        if line.starts_with([' ', '\t']) {
            return None;
        }
        if let Some((key, items)) = list.take() {
            table.insert(key, toml::Value::Array(items));
        }
        let (key, value) = trimmed.split_once(':')?;
        let key = key.trim().trim_matches(['"', '\'']).to_string();
        let value = value.trim();
        if key.is_empty() {
            return None;
        }
        if value.is_empty() {
            list = Some((key, Vec::new()));
        } else if let Some(inner) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
            let items = inner
                .split(',')
                .map(str::trim)
                .filter(|i| !i.is_empty())
                .map(yaml_scalar)
                .collect::<Option<Vec<_>>>()?;
            table.insert(key, toml::Value::Array(items));
        } else {
            table.insert(key, yaml_scalar(value)?);
        }
    }
    if let Some((key, items)) = list {
        table.insert(key, toml::Value::Array(items));
    }
    toml::to_string(&table).ok()
}

/// One YAML scalar as TOML: quoted or plain text, a number, true/false, or a date.
fn yaml_scalar(raw: &str) -> Option<toml::Value> {
    if raw.starts_with(['|', '>', '{', '&', '*', '!']) {
        return None;
    }
    if let Some(inner) = raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return Some(toml::Value::String(inner.replace("''", "'")));
    }
    if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        return Some(toml::Value::String(inner.to_string()));
    }
    // a comment after a plain value
    let raw = raw.split(" #").next().unwrap_or(raw).trim();
    Some(match raw {
        "true" => toml::Value::Boolean(true),
        "false" => toml::Value::Boolean(false),
        _ => {
            if let Ok(i) = raw.parse::<i64>() {
                toml::Value::Integer(i)
            } else if let Some(f) = raw.parse::<f64>().ok().filter(|f| f.is_finite()) {
                toml::Value::Float(f)
            } else if let Ok(d) = raw.parse::<toml::value::Datetime>() {
                toml::Value::Datetime(d)
            } else {
                toml::Value::String(raw.to_string())
            }
        }
    })
}

/// Reads the front matter TOML of `split` as the file's `fields` have it: every problem
/// (a key the kind does not have, a value its field cannot take, a required field missing)
/// at its place in the file, named by the field's label, the first 20 in full.
pub fn read(
    path: &Path,
    text: &str,
    split: &Split,
    fields: &[Field],
    what: &str,
    tz: &TimeZone,
) -> Result<Meta> {
    let table: toml::Table =
        toml::from_str(split.front).map_err(|e| syntax_error(path, text, split, fields, &e))?;
    // Where each top-level key and its value start, from one more parse with spans.
    let places: HashMap<String, (usize, usize)> = match toml::de::DeTable::parse(split.front) {
        Ok(document) => document
            .get_ref()
            .iter()
            .map(|(k, v)| {
                let at = (
                    split.front_offset + k.span().start,
                    split.front_offset + v.span().start,
                );
                (k.get_ref().to_string(), at)
            })
            .collect(),
        Err(_) => HashMap::new(),
    };
    let reading = Reading { tz: tz.clone() };
    let mut meta = Meta::default();
    let mut errors = FileErrors::new(path, text);
    // A misspelt required field (`titel`) is one mistake: said once, at the misspelling.
    let mut misspelt: Vec<&str> = Vec::new();
    for (key, value) in &table {
        let (key_at, value_at) = places.get(key.as_str()).copied().unwrap_or_default();
        let Some(field) = fields.iter().find(|f| f.key == key) else {
            if let Some(n) = nearest(key, fields.iter().map(|f| f.key)) {
                misspelt.push(n);
            }
            errors.at_field(key_at, key, Category::UnknownField, || {
                let keys = fields.iter().map(|f| f.key);
                let help = match nearest(key, keys.clone()) {
                    Some(n) => format!(
                        "did you mean `{n}`? ({what} takes: {})",
                        keys.collect::<Vec<_>>().join(", ")
                    ),
                    None => format!("{what} takes: {}", keys.collect::<Vec<_>>().join(", ")),
                };
                (format!("`{key}` is not a field of {what}"), help)
            });
            continue;
        };
        if let Err(wrong) = meta.read_field(field, value, &reading) {
            errors.at_field(value_at, key, Category::WrongValue, || {
                (wrong.message, wrong.help)
            });
        }
    }
    for field in fields
        .iter()
        .filter(|f| f.required && !misspelt.contains(&f.key))
    {
        match table.get(field.key) {
            None => errors.push(|| {
                Error::at_position(
                    path,
                    text,
                    Position { line: 1, column: 1 },
                    format!("{} is missing: {what} needs one", field.label),
                )
                .with_help(format!(
                    "add a line {} = \"...\" between the `+++` lines: {}",
                    field.key, field.help
                ))
                .with_field(field.key)
                .in_category(Category::Missing)
            }),
            Some(toml::Value::String(s)) if s.trim().is_empty() => {
                let offset = places.get(field.key).map_or(0, |&(_, v)| v);
                errors.at_field(offset, field.key, Category::Missing, || {
                    (
                        format!("{} is empty", field.label),
                        format!("write it between the quotes: {}", field.help),
                    )
                });
            }
            Some(_) => {}
        }
    }
    Error::collect(errors.into_errors())?;
    Ok(meta)
}

/// A TOML error, about the field whose line it is on when that is one of `fields`; a date
/// TOML cannot read (2025-02-31) is said as the field's own words say it.
fn syntax_error(
    path: &Path,
    text: &str,
    split: &Split,
    fields: &[Field],
    e: &toml::de::Error,
) -> Error {
    let error = toml_error(path, text, split.front_offset, e);
    let Some(at) = e.span().map(|s| s.start) else {
        return error;
    };
    let line_start = split.front[..at.min(split.front.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = &split.front[line_start..];
    let key = line
        .split(['=', '\n'])
        .next()
        .unwrap_or_default()
        .trim()
        .trim_matches('"');
    let Some(field) = fields.iter().find(|f| f.key == key) else {
        return error;
    };
    if field.input != Input::Date {
        return error.with_field(field.key);
    }
    let written = line.split_once('=').map_or("", |(_, v)| v);
    let written = written.lines().next().unwrap_or_default().trim();
    Error::at(
        path,
        text,
        split.front_offset + at,
        format!(
            "{} must be a date that exists, e.g. 2025-03-14; {written} is not one",
            field.label
        ),
    )
    .with_help(format!(
        "write {key} = 2025-01-31 (a day) or {key} = 2025-01-31T09:00:00-08:00",
        key = field.key
    ))
    .with_field(field.key)
    .in_category(Category::WrongValue)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::fields::Kind;

    fn p() -> &'static Path {
        Path::new("content/x.md")
    }

    /// The error of reading `text` as a file of `kind`, as a build shows it.
    fn read_error(text: &str, kind: Kind) -> String {
        let s = split(p(), text, "").unwrap();
        read(
            p(),
            text,
            &s,
            kind.fields(),
            kind.described(),
            &TimeZone::UTC,
        )
        .unwrap_err()
        .to_string()
    }

    #[test]
    fn splits_front_matter_and_body() {
        let text = "+++\ntitle = \"A\"\n+++\nBody\n";
        let s = split(p(), text, "").unwrap();
        assert_eq!(s.front, "title = \"A\"\n");
        assert_eq!(s.body, "Body\n");
        assert_eq!(&text[s.body_offset..], "Body\n");
    }

    #[test]
    fn splits_crlf_files() {
        let text = "+++\r\ntitle = \"A\"\r\n+++\r\nBody\r\n";
        let s = split(p(), text, "").unwrap();
        assert_eq!(s.body, "Body\r\n");
        assert!(toml::from_str::<toml::Table>(s.front).is_ok());
    }

    #[test]
    fn errors_on_missing_front_matter() {
        let e = split(p(), "Just text\n", "+++\ntitle = \"\"\n+++")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("content/x.md:1:1: no front matter"), "{e}");
        assert!(e.contains("+++"), "{e}");
    }

    #[test]
    fn errors_on_unclosed_front_matter() {
        let e = split(p(), "+++\ntitle = \"x\"\nBody", "")
            .unwrap_err()
            .to_string();
        assert!(e.contains("never closed"), "{e}");
    }

    #[test]
    fn errors_on_empty_file() {
        let e = split(p(), "", "").unwrap_err().to_string();
        assert!(e.contains("the file is empty"), "{e}");
    }

    #[test]
    fn yaml_front_matter_is_refused_with_toml_version() {
        let text = "---\ntitle: Hello\ntags:\n  - a\n  - b\ndraft: true\n---\nBody";
        let e = split(p(), text, "").unwrap_err().to_string();
        assert!(e.contains("grove reads TOML between `+++` lines"), "{e}");
        assert!(e.contains("title = \"Hello\""), "{e}");
        assert!(e.contains("tags = [\"a\", \"b\"]"), "{e}");
        assert!(e.contains("draft = true"), "{e}");
    }

    #[test]
    fn simple_yaml_forms_become_toml() {
        let toml = yaml_to_toml(
            "# a comment\ntitle: 'It''s: here'\ndate: 2025-01-31\nweight: 3\ntags: [a, \"b c\"]\nname: Jane Doe # the author",
        )
        .unwrap();
        let table: toml::Table = toml::from_str(&toml).unwrap();
        assert_eq!(table["weight"].as_integer(), Some(3));
        assert!(table["date"].is_datetime(), "{toml}");
        assert_eq!(table["tags"].as_array().unwrap().len(), 2);
        assert_eq!(table["name"].as_str(), Some("Jane Doe"));
        assert_eq!(table["title"].as_str(), Some("It's: here"));
        // nested maps and block strings are beyond a one-line hint
        assert_eq!(yaml_to_toml("extra:\n  color: red"), None);
        assert_eq!(yaml_to_toml("description: |\n  long"), None);
    }

    #[test]
    fn unknown_field_reports_its_line_in_the_file() {
        let text = "+++\ntitle = \"A\"\ntagz = [\"x\"]\n+++\n";
        let e = read_error(text, Kind::Article);
        assert!(
            e.starts_with("content/x.md:3:1: `tagz` is not a field of an article"),
            "{e}"
        );
        assert!(e.contains("did you mean `tags`?"), "{e}");
    }

    #[test]
    fn toml_errors_are_positioned_in_the_file() {
        let text = "+++\ntitle = \"A\"\nweight = \"heavy\"\n+++\n";
        let e = read_error(text, Kind::Faq);
        assert!(e.starts_with("content/x.md:3:10"), "{e}");
    }

    #[test]
    fn toml_syntax_error_is_positioned() {
        let text = "+++\ntitle = \"A\n+++\n";
        let e = read_error(text, Kind::Faq);
        assert!(e.starts_with("content/x.md:2:"), "{e}");
    }

    #[test]
    fn huge_and_repeated_front_matter_is_read_in_one_pass() {
        let start = std::time::Instant::now();
        // 100,000 settings (3 MB) under [extra] parse, and every key is found by its span
        let extra: String = (0..100_000)
            .map(|i| format!("k{i} = \"value\"\n"))
            .collect();
        let text = format!("+++\ntitle = \"A\"\n[extra]\n{extra}+++\nBody\n");
        let s = split(p(), &text, "").unwrap();
        let raw = read(
            p(),
            &text,
            &s,
            Kind::Page.fields(),
            "a page",
            &TimeZone::UTC,
        )
        .unwrap();
        assert_eq!(raw.extra.len(), 100_000);
        assert_eq!(
            crate::diag::key_offset(s.front, &["extra", "k99999"]),
            Some(s.front.len() - 17)
        );

        // the same key 20,000 times: one error, at the second
        let repeated = "tagz = 1\n".repeat(20_000);
        let text = format!("+++\ntitle = \"A\"\n{repeated}+++\n");
        let e = read_error(&text, Kind::Page);
        assert!(e.starts_with("content/x.md:4:1: duplicate key"), "{e}");
        assert!(e.lines().count() < 10, "{e}");

        // 100,000 open brackets: refused with a place, not a stack overflow
        let deep = format!("+++\ntitle = \"A\"\nx = {}\n+++\n", "[".repeat(100_000));
        let e = read_error(&deep, Kind::Page);
        assert!(e.starts_with("content/x.md:3:"), "{e}");
        // the 100,000-character line is shown around the place, not whole
        assert!(e.len() < 1_000, "{} bytes: {e}", e.len());

        // a file of 200,000 `+++`-less lines is refused after one pass
        let open = format!("+++\n{}", "title = \"A\"\n".repeat(200_000));
        let e = split(p(), &open, "").unwrap_err().to_string();
        assert!(e.contains("never closed"), "{e}");

        // a few hundred milliseconds; work per key or per line that grew with the
        // file would take minutes
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
    }
}
