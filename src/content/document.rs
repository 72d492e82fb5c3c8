//! What every Markdown file of `content/` is, page or section: its path, its text, where
//! its front matter and body are, and its rendered Markdown.

use std::ops::Range;
use std::path::PathBuf;

use crate::diag::{Error, Position, key_error, key_offset};
use crate::markdown::{self, LinkMap, Rendered, Source};

/// A Markdown file of `content/`.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// Path for messages, e.g. `content/articles/x.md`.
    pub file: PathBuf,
    /// Path under `content/` with `/` separators: `articles/x.md`.
    pub relative_path: String,
    pub text: String,
    /// The front matter's TOML, as a byte range of `text`.
    pub front: Range<usize>,
    /// Where the Markdown body starts in `text`.
    pub body_offset: usize,
    pub rendered: Rendered,
}

impl Document {
    /// The Markdown body.
    pub fn body(&self) -> &str {
        &self.text[self.body_offset.min(self.text.len())..]
    }

    /// The front matter's TOML text.
    pub fn front_matter(&self) -> &str {
        self.text.get(self.front.clone()).unwrap_or_default()
    }

    /// Where a top-level front matter key is written, as a byte offset into the file.
    pub fn key_offset(&self, key: &str) -> Option<usize> {
        key_offset(self.front_matter(), &[key]).map(|o| self.front.start + o)
    }

    /// The line of a front matter key, or 1 (the file as a whole) when it is not written.
    pub fn key_line(&self, key: &str) -> usize {
        self.key_offset(key)
            .map_or(1, |o| Position::of_offset(&self.text, o).line)
    }

    /// An error at a front matter key (see [`crate::diag::key_error`]).
    pub fn key_error(&self, key: &str, message: impl Into<String>) -> Error {
        key_error(&self.file, &self.text, self.front.clone(), &[key], message)
    }

    /// Renders the body: `@/` links through `links`, root-relative ones under `base_path`.
    pub fn render_markdown(&mut self, links: &LinkMap, base_path: &str) -> Result<(), Vec<Error>> {
        self.render_markdown_with(links, base_path, true)
    }

    /// [`Document::render_markdown`]; `suggest`: whether a broken `@/` link is told the
    /// nearest existing file (a comparison with every file of the site).
    pub fn render_markdown_with(
        &mut self,
        links: &LinkMap,
        base_path: &str,
        suggest: bool,
    ) -> Result<(), Vec<Error>> {
        let source = Source {
            path: &self.file,
            text: &self.text,
            body_offset: self.body_offset,
            base_path,
            suggest,
        };
        // Every problem of the Markdown is about the text below the front matter.
        self.rendered = markdown::render(self.body(), &source, links).map_err(|errors| {
            errors
                .into_iter()
                .map(|e| e.with_field("body"))
                .collect::<Vec<_>>()
        })?;
        Ok(())
    }

    /// Lets go of the Markdown body once it is rendered, keeping the front matter (later
    /// messages point into it). Only for a site that is built once: nothing can be
    /// rendered again, and positions in the body can no longer be shown.
    pub fn forget_body(&mut self) {
        self.text.truncate(self.body_offset.min(self.text.len()));
        self.text.shrink_to_fit();
    }
}
