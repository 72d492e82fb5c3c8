//! Places in TOML (config.toml, front matter, theme.toml) for messages: errors of the
//! TOML parser positioned in the whole file and said in plain words, unknown keys with
//! "did you mean", and an error at a key, found with the TOML parser's own spans.

use std::ops::Range;
use std::path::Path;

use super::{Error, Result, nearest};

/// Turns a TOML error into a file error; `offset` is where the TOML starts in `text`.
pub fn toml_error(path: &Path, text: &str, offset: usize, e: &toml::de::Error) -> Error {
    let message = humanize(e.message().trim());
    let help = toml_hint(&message);
    let err = match e.span() {
        Some(span) => Error::at(path, text, offset + span.start, message),
        None => Error::file(path, message),
    }
    .in_category(super::Category::Syntax);
    match help {
        Some(h) => err.with_help(h),
        None => err,
    }
}

fn toml_hint(message: &str) -> Option<String> {
    let expected = message.rsplit_once("expected ").map_or("", |(_, e)| e);
    if message.starts_with("invalid type") || message.starts_with("invalid value") {
        // Say what the field takes, in the words of the docs: serde's own names (i64, a
        // sequence) tell a person writing a page nothing.
        return Some(
            match expected {
                e if e.starts_with("a whole number") => "numbers are written without quotes: weight = 10",
                e if e.starts_with("text") => "text values go between double quotes: title = \"My title\"",
                e if e.starts_with("a list") => "lists go in square brackets: tags = [\"one\", \"two\"]",
                e if e.starts_with("true or false") => "write true or false without quotes: draft = true",
                _ => "check the value's type: text in quotes, numbers bare, lists in [ ], true/false bare",
            }
            .into(),
        );
    }
    if message.contains("invalid string")
        || message.contains("expected") && message.contains("string")
    {
        Some("text values go between double quotes: title = \"My title\"".into())
    } else if message.contains("duplicate key") {
        Some("each field may appear once; remove one of them".into())
    } else {
        None
    }
}

/// serde's type names in a TOML error, as a person who writes pages would say them.
fn humanize(message: &str) -> String {
    let Some((head, expected)) = message.rsplit_once(", expected ") else {
        return message.to_string();
    };
    let plain = match expected {
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number",
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number, 0 or more",
        "a string" => "text in double quotes",
        "a sequence" => "a list in [ ]",
        "a boolean" => "true or false",
        "a map" => "a table",
        other => other,
    };
    format!("{head}, expected {plain}")
}

/// Fails on the first key of `table` that is not in `allowed`, naming the nearest one.
/// `table` is the TOML at `toml` of `text` (the whole file, for positions).
pub fn check_keys(
    path: &Path,
    text: &str,
    toml: Range<usize>,
    table: &toml::Table,
    allowed: &[&str],
    what: &str,
) -> Result<()> {
    let Some(key) = table.keys().find(|k| !allowed.contains(&k.as_str())) else {
        return Ok(());
    };
    let help = match nearest(key, allowed.iter().copied()) {
        Some(n) => format!("did you mean `{n}`? (valid keys: {})", allowed.join(", ")),
        None => format!("valid keys: {}", allowed.join(", ")),
    };
    let message = format!("unknown key `{key}` in {what}");
    Err(key_error(path, text, toml, &[key], message).with_help(help))
}

/// An error about the setting at `key` (`["extra", "phone"]`) of the TOML at `toml`, a
/// byte range of `text` (the whole file): at the key; when the key is not written, at
/// the table it belongs in; when that is not written either, about the file as a whole.
/// The one rule for every file grove reads settings from (config.toml, front matter).
pub fn key_error(
    path: &Path,
    text: &str,
    toml: Range<usize>,
    key: &[&str],
    message: impl Into<String>,
) -> Error {
    let written = text
        .get(toml.clone())
        .and_then(|settings| key_offset(settings, key));
    let error = match written {
        Some(offset) => Error::at(path, text, toml.start + offset, message),
        None => Error::file(path, message),
    };
    match key.first() {
        Some(first) => error.with_field(*first),
        None => error,
    }
}

/// Byte offset in `toml_text` of the key at `path` (`["extra", "phone"]`), read with the
/// TOML parser's own spans; when the last key is not written, where its table is.
pub fn key_offset(toml_text: &str, path: &[&str]) -> Option<usize> {
    let document = toml::de::DeTable::parse(toml_text).ok()?;
    let mut table = document.get_ref();
    let mut found = None;
    for part in path {
        let Some((key, value)) = table.iter().find(|(k, _)| k.get_ref().as_ref() == *part) else {
            return found;
        };
        found = Some(key.span().start);
        match value.get_ref() {
            toml::de::DeValue::Table(inner) => table = inner,
            _ => break,
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "title = \"A\"\n\n[extra]\nphone = \"\"\n";

    fn at(key: &[&str]) -> String {
        key_error(Path::new("config.toml"), TEXT, 0..TEXT.len(), key, "x").to_string()
    }

    #[test]
    fn an_error_at_a_key_is_at_the_key_else_its_table_else_the_file() {
        assert!(at(&["title"]).starts_with("config.toml:1:1: x"));
        assert!(at(&["extra", "phone"]).starts_with("config.toml:4:1: x"));
        assert!(
            at(&["extra", "email"]).starts_with("config.toml:3:2: x"),
            "its table"
        );
        assert_eq!(at(&["base_url"]), "config.toml: x", "the file as a whole");
    }

    #[test]
    fn keys_are_found_by_the_parser_not_by_their_text() {
        let text = "a = \"b = 1\"\n  b=2\n";
        assert_eq!(key_offset(text, &["b"]), Some(14));
        // front matter: the TOML starts after the `+++` line
        let file = format!("+++\n{text}+++\n");
        let e = key_error(Path::new("x.md"), &file, 4..4 + text.len(), &["b"], "y");
        assert!(e.to_string().starts_with("x.md:3:3: y"), "{e}");
    }

    #[test]
    fn serde_words_become_the_docs_words() {
        assert_eq!(
            humanize("invalid type: string \"x\", expected i64"),
            "invalid type: string \"x\", expected a whole number"
        );
        assert_eq!(humanize("no type here"), "no type here");
    }
}
