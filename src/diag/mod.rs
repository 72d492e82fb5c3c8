//! The library's error type: every variant carries what a person needs to find and fix
//! the problem (the file, the line and column where known, and a hint).

use std::fmt;
use std::path::{Path, PathBuf};

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

/// A position in a user's file, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// The 1-based line and column of byte `offset` in `text`.
    pub fn of_offset(text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..offset].chars().count() + 1;
        Position { line, column }
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Everything that can stop a build.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A problem in one of the user's files (content, config, theme) at a known place.
    #[error("{}", render_file_error(path, *position, message, source_line.as_deref(), help.as_deref()))]
    File {
        path: PathBuf,
        position: Option<Position>,
        message: String,
        /// The text of the offending line, shown under the message with a caret.
        source_line: Option<String>,
        help: Option<String>,
    },

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
        Error::File {
            path: path.into(),
            position: None,
            message: message.into(),
            source_line: None,
            help: None,
        }
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
        let source_line = text
            .lines()
            .nth(position.line.saturating_sub(1))
            .map(|l| l.trim_end_matches('\r').to_string());
        Error::File {
            path: path.into(),
            position: Some(position),
            message: message.into(),
            source_line,
            help: None,
        }
    }

    /// Adds a hint saying how to fix the problem.
    pub fn with_help(mut self, hint: impl Into<String>) -> Error {
        if let Error::File { help, .. } = &mut self {
            *help = Some(hint.into());
        }
        self
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

fn render_file_error(
    path: &Path,
    position: Option<Position>,
    message: &str,
    source_line: Option<&str>,
    help: Option<&str>,
) -> String {
    let mut out = String::new();
    match position {
        Some(p) => out.push_str(&format!(
            "{}:{}:{}: {message}",
            path.shown(),
            p.line,
            p.column
        )),
        None => out.push_str(&format!("{}: {message}", path.shown())),
    }
    if let (Some(p), Some(line)) = (position, source_line) {
        let number = p.line.to_string();
        let pad = " ".repeat(number.len());
        let caret_pad: String = line
            .chars()
            .take(p.column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        out.push_str(&format!(
            "\n{pad} |\n{number} | {line}\n{pad} | {caret_pad}^"
        ));
    }
    if let Some(help) = help {
        out.push_str(&format!("\n  help: {help}"));
    }
    out
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

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
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
