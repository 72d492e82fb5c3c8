//! The library's error type: every variant carries what a person needs to find and fix
//! the problem (the file, the line and column where known, and a hint).

mod cap;
mod diagnostic;
mod lines;
mod suggest;
mod toml_spans;

use std::path::{Path, PathBuf};

pub use cap::{Cap, FileErrors, SHOWN, SUGGESTED, thousands};
pub use diagnostic::{Category, Diagnostic, Position, Severity};
pub use lines::{Excerpt, LineIndex};
pub use suggest::nearest;
pub use toml_spans::{check_keys, key_error, key_offset, toml_error};

/// A path as messages show it: with `/` between folders on every system, so that what
/// grove prints reads the same as the docs (Windows accepts `/` too).
pub trait Shown {
    fn shown(&self) -> String;
}

impl Shown for Path {
    fn shown(&self) -> String {
        let text = self.display().to_string();
        if cfg!(windows) {
            text.replace('\\', "/")
        } else {
            text
        }
    }
}

impl Shown for PathBuf {
    fn shown(&self) -> String {
        self.as_path().shown()
    }
}

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can stop a build.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A problem in one of the user's files (content, config, theme), where it is known.
    #[error("{}", .0.long())]
    File(Box<Diagnostic>),

    /// The operating system refused to read or write a file.
    #[error("{action} `{}`: {source}{}", path.shown(), io_hint(source))]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A template failed to parse or render. `message` already holds Tera's whole chain.
    #[error("template `{template}`{}: {message}", page.as_ref().map(|p| format!(" (rendering {p})")).unwrap_or_default())]
    Template {
        template: String,
        page: Option<String>,
        message: String,
    },

    /// The output folder cannot be used.
    #[error("output folder `{}`: {message}", path.shown())]
    Output { path: PathBuf, message: String },

    /// Several independent problems, reported together so that one build shows them all.
    #[error("{}", render_many(.0))]
    Many(Vec<Error>),
}

impl Error {
    /// A user-file error without a position.
    pub fn file(path: impl Into<PathBuf>, message: impl Into<String>) -> Error {
        Error::File(Box::new(Diagnostic {
            path: path.into(),
            position: None,
            severity: Severity::Error,
            message: message.into(),
            excerpt: None,
            help: None,
            field: None,
            category: Category::Other,
            more: 0,
        }))
    }

    /// The line that closes the list of a file's errors: `count` more were not shown.
    pub fn more(path: impl Into<PathBuf>, count: usize) -> Error {
        Error::File(Box::new(Diagnostic {
            path: path.into(),
            position: None,
            severity: Severity::Error,
            message: format!("and {} more like this", thousands(count)),
            excerpt: None,
            help: Some(format!(
                "only the first {SHOWN} problems of a file are listed: fix those first, the rest are often the same mistake"
            )),
            field: None,
            category: Category::Other,
            more: count,
        }))
    }

    /// A user-file error at `offset` bytes into `text` (the whole file's text).
    pub fn at(
        path: impl Into<PathBuf>,
        text: &str,
        offset: usize,
        message: impl Into<String>,
    ) -> Error {
        let position = Position::of_offset(text, offset);
        Error::at_position(path, text, position, message)
    }

    /// A user-file error at a known line and column of `text`.
    pub fn at_position(
        path: impl Into<PathBuf>,
        text: &str,
        position: Position,
        message: impl Into<String>,
    ) -> Error {
        let line = text.lines().nth(position.line.saturating_sub(1));
        Error::located(path, position, line, message)
    }

    /// A user-file error at `offset` bytes into `text`, placed with `lines`, the index of
    /// `text`: for the many errors of one file.
    pub fn at_index(
        path: impl Into<PathBuf>,
        text: &str,
        lines: &LineIndex,
        offset: usize,
        message: impl Into<String>,
    ) -> Error {
        let position = lines.position(text, offset);
        let line = lines.line_text(text, position.line);
        Error::located(path, position, line, message)
    }

    fn located(
        path: impl Into<PathBuf>,
        position: Position,
        line: Option<&str>,
        message: impl Into<String>,
    ) -> Error {
        Error::File(Box::new(Diagnostic {
            path: path.into(),
            position: Some(position),
            severity: Severity::Error,
            message: message.into(),
            excerpt: line.map(|l| Excerpt::of(l.trim_end_matches('\r'), position.column)),
            help: None,
            field: None,
            category: Category::Other,
            more: 0,
        }))
    }

    /// Adds a hint saying how to fix the problem.
    pub fn with_help(mut self, hint: impl Into<String>) -> Error {
        if let Error::File(d) = &mut self {
            d.help = Some(hint.into());
        }
        self
    }

    /// The diagnostic of an error about a user's file, as `severity`; `None` for the
    /// others (a disk error, a template bug), which have no place in a file to show.
    /// The same error, about front matter field `key` (or `body`).
    pub fn with_field(mut self, key: impl Into<String>) -> Error {
        if let Error::File(d) = &mut self {
            d.field = Some(key.into());
        }
        self
    }

    /// The same error, of kind `problem`.
    pub fn in_category(mut self, category: Category) -> Error {
        if let Error::File(d) = &mut self {
            d.category = category;
        }
        self
    }

    /// Every error in a file (a build's list flattened), each about its field when known.
    pub fn diagnostics(&self) -> Vec<&Diagnostic> {
        match self {
            Error::File(d) => vec![&**d],
            Error::Many(list) => list.iter().flat_map(Error::diagnostics).collect(),
            _ => Vec::new(),
        }
    }

    pub fn diagnostic(&self, severity: Severity) -> Option<Diagnostic> {
        match self {
            Error::File(d) => Some(Diagnostic {
                severity,
                ..(**d).clone()
            }),
            _ => None,
        }
    }

    /// An I/O error with the path it happened on.
    pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    /// Folds a list of errors into one, or `Ok` when the list is empty.
    pub fn collect(mut errors: Vec<Error>) -> Result<()> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(Error::Many(errors)),
        }
    }

    /// How many separate problems this error holds.
    pub fn count(&self) -> usize {
        match self {
            Error::Many(list) => list.iter().map(Error::count).sum(),
            Error::File(d) => d.count(),
            _ => 1,
        }
    }
}

fn io_hint(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => " (check the file's permissions)",
        std::io::ErrorKind::NotFound => " (it does not exist)",
        std::io::ErrorKind::StorageFull => " (the disk is full: free some space and build again)",
        std::io::ErrorKind::ReadOnlyFilesystem => " (the disk is read-only)",
        _ => "",
    }
}

fn render_many(errors: &[Error]) -> String {
    let mut out = String::new();
    for (i, e) in errors.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\nerror: ");
        }
        out.push_str(&e.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_counts_lines_and_characters() {
        let text = "ab\ncdé\nfg";
        assert_eq!(
            Position::of_offset(text, 0),
            Position { line: 1, column: 1 }
        );
        assert_eq!(
            Position::of_offset(text, 3),
            Position { line: 2, column: 1 }
        );
        // 'é' is two bytes but one column
        assert_eq!(
            Position::of_offset(text, 7),
            Position { line: 2, column: 4 }
        );
    }

    #[test]
    fn file_error_shows_line_and_caret() {
        let e = Error::at(
            "content/a.md",
            "+++\ntitel = \"x\"\n+++\n",
            4,
            "unknown field `titel`",
        )
        .with_help("did you mean `title`?");
        let text = e.to_string();
        assert!(
            text.starts_with("content/a.md:2:1: unknown field `titel`"),
            "{text}"
        );
        assert!(text.contains("2 | titel = \"x\""), "{text}");
        assert!(text.contains("help: did you mean `title`?"), "{text}");
    }
}
