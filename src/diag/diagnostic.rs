//! One diagnostic for everything a person must fix in a file: build errors and the
//! problems `grove check` lists alike. Build errors are shown long (the line, a caret,
//! help); check lists them short (`file:line: message`, help).

use std::fmt;
use std::path::PathBuf;

use super::Shown;

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

/// How much a diagnostic matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Stops a build, fails `grove check`.
    Error,
    /// Worth fixing; `grove check --strict` counts it as an error.
    Warning,
}

/// Something to fix in a user's file, at a place in it when that is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub position: Option<Position>,
    pub severity: Severity,
    pub message: String,
    /// The text of the offending line, shown under the message with a caret.
    pub source_line: Option<String>,
    /// How to fix it, when the message alone does not say.
    pub help: Option<String>,
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
            source_line: None,
            help,
        }
    }

    /// The line it is on; 1 (the file as a whole) when no place is known.
    pub fn line(&self) -> usize {
        self.position.map_or(1, |p| p.line)
    }

    /// `file:line:column: message`, the line with a caret under the place, and the help:
    /// how a build reports it.
    pub fn long(&self) -> String {
        let mut out = match self.position {
            Some(p) => format!(
                "{}:{}:{}: {}",
                self.path.shown(),
                p.line,
                p.column,
                self.message
            ),
            None => format!("{}: {}", self.path.shown(), self.message),
        };
        if let (Some(p), Some(line)) = (self.position, self.source_line.as_deref()) {
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
        write!(
            f,
            "{}:{}: {level}{}",
            self.path.shown(),
            self.line(),
            self.message
        )?;
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
