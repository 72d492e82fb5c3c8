//! Places in a file's text: where each line starts, found once per file, so that the
//! 20,000th link of a page costs a binary search and not a scan from the top; and the
//! part of a line a message shows, bounded however long the line is.

use super::Position;

/// Where each line of one text starts.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of the start of each line; the first is 0.
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// The 1-based line of byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }

    /// The 1-based line and column (in characters) of byte `offset` of `text`, the text
    /// the index was made from.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line(offset);
        let start = self.starts[line - 1];
        Position {
            line,
            column: text[start..offset].chars().count() + 1,
        }
    }

    /// The text of 1-based `line`, without its line break; `None` past the last line
    /// (as `str::lines` counts them: a final line break starts no line).
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> Option<&'t str> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        if start >= text.len() {
            return None;
        }
        let end = self.starts.get(line).map_or(text.len(), |next| next - 1);
        Some(text[start..end].trim_end_matches('\r'))
    }
}

pub(super) fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// How many characters of a line a message shows at most: a line pasted as one paragraph
/// of 300,000 characters is shown around its place, not whole.
pub const EXCERPT_WIDTH: usize = 120;
/// Of those, how many come before the place, when the line is cut.
const EXCERPT_BEFORE: usize = 40;

/// The part of a line shown under a message, and where the caret goes in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    pub text: String,
    /// How many characters of `text` come before the caret.
    pub caret: usize,
}

impl Excerpt {
    /// `line` whole when it is short, else `EXCERPT_WIDTH` characters around `column`
    /// (1-based, in characters) with `...` where it was cut.
    pub fn of(line: &str, column: usize) -> Excerpt {
        let before = column.saturating_sub(1);
        // Only the characters up to the end of the window are ever looked at.
        let mut chars = line.char_indices();
        let fits = chars.nth(EXCERPT_WIDTH).is_none();
        if fits {
            return Excerpt {
                text: line.to_string(),
                caret: before,
            };
        }
        let skip = before.saturating_sub(EXCERPT_BEFORE);
        let mut window = line.char_indices().skip(skip);
        let Some((start, _)) = window.next() else {
            // the place is past the end of the line: show its end
            return Excerpt::of_tail(line, before);
        };
        let end = window.nth(EXCERPT_WIDTH - 1).map_or(line.len(), |(i, _)| i);
        let mut text = String::with_capacity(end - start + 6);
        let mut caret = before - skip;
        if start > 0 {
            text.push_str("...");
            caret += 3;
        }
        text.push_str(&line[start..end]);
        if end < line.len() {
            text.push_str("...");
        }
        Excerpt { text, caret }
    }

    fn of_tail(line: &str, before: usize) -> Excerpt {
        let start = line
            .char_indices()
            .rev()
            .nth(EXCERPT_WIDTH - 1)
            .map_or(0, |(i, _)| i);
        let shown = line[start..].chars().count();
        Excerpt {
            text: format!("...{}", &line[start..]),
            caret: 3 + shown + before.saturating_sub(line.chars().count()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_agree_with_a_scan_from_the_start() {
        let text = "ab\r\ncdé\n\nfg\n";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                index.position(text, offset),
                Position::of_offset(text, offset),
                "{offset}"
            );
        }
    }

    #[test]
    fn line_texts_are_the_lines_str_lines_gives() {
        for text in ["", "a", "a\n", "a\r\nb", "a\n\n", "\n", "é\nb\n"] {
            let index = LineIndex::new(text);
            for n in 0..5 {
                let expected = if n == 0 {
                    None
                } else {
                    text.lines().nth(n - 1)
                };
                assert_eq!(index.line_text(text, n), expected, "{text:?} line {n}");
            }
        }
    }

    #[test]
    fn short_lines_are_shown_whole() {
        let e = Excerpt::of("title = \"x\"", 9);
        assert_eq!(e.text, "title = \"x\"");
        assert_eq!(e.caret, 8);
    }

    #[test]
    fn long_lines_are_shown_around_the_place() {
        let line = "[x](@/a.md) ".repeat(30_000);
        let column = 12 * 20_000 + 1;
        let e = Excerpt::of(&line, column);
        assert!(
            e.text.starts_with("...") && e.text.ends_with("..."),
            "{}",
            e.text
        );
        assert!(e.text.chars().count() <= EXCERPT_WIDTH + 6, "{}", e.text);
        let at: String = e.text.chars().skip(e.caret).take(11).collect();
        assert_eq!(at, "[x](@/a.md)");
        // at the start: no leading dots; near the end: no trailing ones
        let start = Excerpt::of(&line, 1);
        assert_eq!((start.caret, &start.text[..4]), (0, "[x]("));
        let end = Excerpt::of(&line, line.chars().count());
        assert!(!end.text.ends_with("..."), "{}", end.text);
        assert_eq!(end.text.chars().nth(end.caret), Some(' '));
        // past the end of the line, the caret follows the end
        let past = Excerpt::of("é".repeat(300).as_str(), 400);
        assert_eq!(past.text.chars().count(), 3 + EXCERPT_WIDTH);
        assert_eq!(past.caret, 3 + EXCERPT_WIDTH + 99);
    }
}
