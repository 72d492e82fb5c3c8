//! How much one file may say: its first [`SHOWN`] problems in full, then one line for the
//! rest ("and 19,980 more like this"). A page pasted with 20,000 broken links costs a
//! count for each past the first 20, not a message, a position and a hint: the build
//! stays fast and small, and the report stays readable.

use std::path::Path;

use super::{Category, Error, LineIndex};

/// How many problems of one file are shown in full.
pub const SHOWN: usize = 20;

/// How many "did you mean" searches one build or check makes for names that lead
/// nowhere: each compares a name with every file of the site, so 10,000 broken links
/// would cost 10,000 times the site. Past these, the hint says what to write instead.
pub const SUGGESTED: usize = 100;

/// Counts the problems of one file, deciding which are shown.
#[derive(Debug, Default, Clone)]
pub struct Cap {
    shown: usize,
    more: usize,
}

impl Cap {
    /// True when the next problem is shown; otherwise it is only counted.
    pub fn take(&mut self) -> bool {
        if self.shown < SHOWN {
            self.shown += 1;
            true
        } else {
            self.more += 1;
            false
        }
    }

    /// How many problems were only counted.
    pub fn more(&self) -> usize {
        self.more
    }
}

/// The errors of one file, positioned with one line index made when the first is added.
pub struct FileErrors<'t> {
    path: &'t Path,
    text: &'t str,
    lines: Option<LineIndex>,
    cap: Cap,
    errors: Vec<Error>,
}

impl<'t> FileErrors<'t> {
    /// The errors of the file at `path`, whose whole text is `text`.
    pub fn new(path: &'t Path, text: &'t str) -> FileErrors<'t> {
        FileErrors {
            path,
            text,
            lines: None,
            cap: Cap::default(),
            errors: Vec::new(),
        }
    }

    /// An error at byte `offset` of the text; `make` gives its message and hint, and runs
    /// only for the errors that are shown.
    pub fn at(&mut self, offset: usize, make: impl FnOnce() -> (String, String)) {
        if !self.cap.take() {
            return;
        }
        let lines = self.lines.get_or_insert_with(|| LineIndex::new(self.text));
        let (message, help) = make();
        self.errors
            .push(Error::at_index(self.path, self.text, lines, offset, message).with_help(help));
    }

    /// An error at byte `offset` about front matter field `key`.
    pub fn at_field(
        &mut self,
        offset: usize,
        key: &str,
        category: Category,
        make: impl FnOnce() -> (String, String),
    ) {
        if !self.cap.take() {
            return;
        }
        let lines = self.lines.get_or_insert_with(|| LineIndex::new(self.text));
        let (message, help) = make();
        self.errors.push(
            Error::at_index(self.path, self.text, lines, offset, message)
                .with_help(help)
                .with_field(key)
                .in_category(category),
        );
    }

    /// An error made elsewhere; `make` runs only for the errors that are shown.
    pub fn push(&mut self, make: impl FnOnce() -> Error) {
        if self.cap.take() {
            self.errors.push(make());
        }
    }

    /// The errors shown, then the line that counts the rest.
    pub fn into_errors(mut self) -> Vec<Error> {
        if self.cap.more() > 0 {
            self.errors.push(Error::more(self.path, self.cap.more()));
        }
        self.errors
    }
}

/// `19980` as `19,980`: counts in messages, as people write them.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_twenty_are_shown_and_the_rest_counted() {
        let text = "x\n".repeat(30_000);
        let mut errors = FileErrors::new(Path::new("content/a.md"), &text);
        let mut made = 0;
        for i in 0..20_000 {
            errors.at(i * 2, || {
                made += 1;
                ("broken".into(), "fix it".into())
            });
        }
        assert_eq!(made, SHOWN, "messages are made only for the errors shown");
        let errors = errors.into_errors();
        assert_eq!(errors.len(), SHOWN + 1);
        assert!(
            errors[19]
                .to_string()
                .starts_with("content/a.md:20:1: broken"),
            "{}",
            errors[19]
        );
        assert_eq!(
            errors[20].to_string(),
            format!(
                "content/a.md: and 19,980 more like this\n  help: only the first {SHOWN} problems of a file are listed: fix those first, the rest are often the same mistake"
            )
        );
        assert_eq!(Error::Many(errors).count(), 20_000);
    }

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(19_980), "19,980");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
