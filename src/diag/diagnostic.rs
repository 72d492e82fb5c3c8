//! One diagnostic for everything a person must fix in a file: build errors and the
//! problems `grove check` lists alike. Build errors are shown long (the line, a caret,
//! help); check lists them short (`file:line: message`, help).

use std::fmt;
use std::path::PathBuf;

use super::Shown;
use super::lines::{Excerpt, floor_char_boundary};

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

/// How much a diagnostic matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Stops a build, fails `grove check`.
    Error,
    /// Worth fixing; `grove check --strict` counts it as an error.
    Warning,
}

/// What kind of problem a diagnostic is, for the places that show kinds differently
/// (the editor leaves out how to write a value in the file: its form writes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Category {
    /// The file cannot be read as TOML, or has no front matter.
    Syntax,
    /// A key its kind of file does not have.
    UnknownField,
    /// A value its field cannot take (a word where a number belongs).
    WrongValue,
    /// A required field is not there, or empty.
    Missing,
    /// Anything else: fields that do not fit together, links, checks.
    #[default]
    Other,
}

/// Something to fix in a user's file, at a place in it when that is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub position: Option<Position>,
    pub severity: Severity,
    pub message: String,
    /// The offending line (or the part of it around the place, when it is long), shown
    /// under the message with a caret.
    pub excerpt: Option<Excerpt>,
    /// How to fix it, when the message alone does not say.
    pub help: Option<String>,
    /// The front matter field it is about (`date`), or `body` for the text below it: the
    /// editor shows it by that field.
    pub field: Option<String>,
    pub category: Category,
    /// For the line that closes a file's list ("and 19,980 more like this"): how many
    /// problems of the file it stands for. 0 for a problem itself.
    pub more: usize,
}

impl Diagnostic {
    /// A diagnostic at a line of a file (as `grove check` finds them).
    pub fn at_line(
        path: impl Into<PathBuf>,
        line: usize,
        severity: Severity,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Diagnostic {
        Diagnostic {
            path: path.into(),
            position: Some(Position { line, column: 1 }),
            severity,
            message: message.into(),
            excerpt: None,
            help,
            field: None,
            category: Category::Other,
            more: 0,
        }
    }

    /// How many problems this stands for: 1, or for the closing line of a file's list,
    /// the problems it did not show.
    pub fn count(&self) -> usize {
        self.more.max(1)
    }

    /// The line it is on; 1 (the file as a whole) when no place is known.
    pub fn line(&self) -> usize {
        self.position.map_or(1, |p| p.line)
    }

    /// `file:line:column: message`, the line with a caret under the place, and the help:
    /// how a build reports it.
    pub fn long(&self) -> String {
        let mut out = match self.position.filter(|_| self.more == 0) {
            Some(p) => format!(
                "{}:{}:{}: {}",
                self.path.shown(),
                p.line,
                p.column,
                self.message
            ),
            None => format!("{}: {}", self.path.shown(), self.message),
        };
        if let (Some(p), Some(excerpt)) = (self.position, &self.excerpt) {
            let number = p.line.to_string();
            let pad = " ".repeat(number.len());
            let line = &excerpt.text;
            let caret_pad: String = line
                .chars()
                .take(excerpt.caret)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            out.push_str(&format!(
                "\n{pad} |\n{number} | {line}\n{pad} | {caret_pad}^"
            ));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("\n  help: {help}"));
        }
        out
    }
}

/// `file:line: [warning: ]message`, and the help: how `grove check` lists it.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        if self.more > 0 {
            write!(f, "{}: {level}{}", self.path.shown(), self.message)?;
        } else {
            write!(
                f,
                "{}:{}: {level}{}",
                self.path.shown(),
                self.line(),
                self.message
            )?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {}", help.replace('\n', "\n        "))?;
        }
        Ok(())
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}
