//! A Markdown file that is not a section index: an article, FAQ entry, team bio or page,
//! with its kind's front matter checked and typed. No file system access here.

use std::path::Path;

use jiff::tz::TimeZone;

use super::document::Document;
use super::fields::Kind;
use super::fields::Meta;
use super::front_matter::{self, Split};
use super::url_of_dir;
use crate::diag::{Error, Result, key_error};
use crate::escape::escape_html;
use crate::markdown::Rendered;
use crate::slugs::slugify;

/// A Markdown file that is not a section index.
#[derive(Debug, Clone)]
pub struct Page {
    /// The file: what pages and sections have in common.
    pub doc: Document,
    pub kind: Kind,
    pub meta: Meta,
    pub slug: String,
    /// Site-relative URL: `/articles/x/`.
    pub path: String,
    /// `relative_path` of its section's `_index.md`, set when the site is put together.
    pub section: String,
}

impl Page {
    /// Parses a page; `relative_path` (`articles/x.md`) decides its kind and URL, and dates
    /// written without an offset are in `tz`.
    pub fn parse(file: &Path, relative_path: &str, text: String, tz: &TimeZone) -> Result<Page> {
        let kind = Kind::of(relative_path);
        let split = front_matter::split(file, &text, kind.example())?;
        let mut meta =
            front_matter::read(file, &text, &split, kind.fields(), kind.described(), tz)?;
        if kind == Kind::Team {
            meta.title = meta.name.clone();
            meta.description = meta.summary.clone();
        }
        rules(file, &text, &split, &meta)?;
        let front = split.front_range();
        let body_offset = split.body_offset;

        let (dir, file_name) = relative_path
            .rsplit_once('/')
            .unwrap_or(("", relative_path));
        let stem = file_name.strip_suffix(".md").unwrap_or(file_name);
        let slug = match &meta.slug {
            Some(s) => {
                let clean = slugify(s);
                if clean.is_empty() {
                    return Err(key_error(
                        file,
                        &text,
                        split.front_range(),
                        &["slug"],
                        format!("Address: `{s}` has no letters or digits"),
                    )
                    .with_help("use letters, digits and dashes, e.g. slug = \"my-page\""));
                }
                clean
            }
            None => {
                let s = slugify(stem);
                if s.is_empty() {
                    return Err(Error::file(file, format!("the file name `{file_name}` has no letters or digits to make a URL from"))
                        .with_help("rename the file (e.g. `my-page.md`) or add slug = \"my-page\" to its front matter"));
                }
                s
            }
        };
        let path = format!("{}{slug}/", url_of_dir(dir));
        Ok(Page {
            doc: Document {
                file: file.to_path_buf(),
                relative_path: relative_path.to_string(),
                text,
                front,
                body_offset,
                rendered: Rendered::default(),
            },
            kind,
            meta,
            slug,
            path,
            section: String::new(),
        })
    }

    /// The summary: text before `<!-- more -->`, else the description, else the first paragraph.
    pub fn summary(&self) -> String {
        if let Some(s) = &self.doc.rendered.summary {
            return s.clone();
        }
        if !self.meta.description.is_empty() {
            return format!("<p>{}</p>\n", escape_html(&self.meta.description));
        }
        self.doc
            .rendered
            .first_paragraph
            .clone()
            .unwrap_or_default()
    }

    /// The error for a `related` entry that names no file of the site; `nearest`: the
    /// closest path that exists. The build and the editor both say it this way.
    pub fn related_missing(&self, target: &str, nearest: Option<&str>) -> Error {
        let label = super::fields::find(Some(self.kind), "related").map_or("related", |f| f.label);
        let help = match nearest {
            Some(n) => format!("did you mean \"{n}\"? Write the file's path under content/"),
            None => "write the path of an article under content/, e.g. \"articles/my-article.md\""
                .into(),
        };
        self.doc
            .key_error("related", format!("{label}: there is no file `{target}`"))
            .with_help(help)
    }

    /// `CB` for Christine Benvenuto: for avatars in team lists.
    pub fn initials(&self) -> String {
        let words: Vec<&str> = self.meta.name.split_whitespace().collect();
        let initial = |w: &&str| {
            w.chars()
                .find(|c| c.is_alphabetic())
                .into_iter()
                .flat_map(char::to_uppercase)
        };
        let mut out: String = words.first().into_iter().flat_map(initial).collect();
        if words.len() > 1 {
            out.extend(words.last().into_iter().flat_map(initial));
        }
        out
    }
}

/// What a page's fields must be together, beyond each field's type.
fn rules(file: &Path, text: &str, split: &Split, meta: &Meta) -> Result<()> {
    let at =
        |key: &str, message: String| key_error(file, text, split.front_range(), &[key], message);
    if meta.image.is_some() && meta.image_alt.trim().is_empty() {
        return Err(at(
            "image",
            "Share image has no words: say what the picture shows in \"Share image, in words\"".into(),
        )
        .with_help("add a line such as image_alt = \"A quiet room with two chairs\", for people who cannot see the picture"));
    }
    for (i, tag) in meta.tags.iter().enumerate() {
        if slugify(tag).is_empty() {
            return Err(at(
                "tags",
                format!("Topics: topic {} (`{tag}`) has no letters or digits", i + 1),
            )
            .with_help("each topic gets a page and an address (/tags/<topic>/): use words"));
        }
    }
    for alias in &meta.aliases {
        if alias.contains("..") || alias.trim_matches('/').is_empty() {
            return Err(at(
                "aliases",
                format!("Old addresses: `{alias}` is not an address of this site"),
            )
            .with_help(
                "write the old address from the site's root, e.g. aliases = [\"/blog/old-post/\"]",
            ));
        }
    }
    Ok(())
}
