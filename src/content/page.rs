//! A Markdown file that is not a section index: an article, FAQ entry, team bio or page,
//! with its kind's front matter checked and typed. No file system access here.

use std::ops::{Deref, DerefMut};
use std::path::Path;

use jiff::tz::TimeZone;

use super::date::Date;
use super::document::Document;
use super::fields::Kind;
use super::front_matter::{self, RawFrontMatter, Split};
use super::url_of_dir;
use crate::diag::{Error, Result, key_error};
use crate::escape::escape_html;
use crate::markdown::Rendered;
use crate::slugs::slugify;

/// The front matter of a page, typed and checked.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub title: String,
    pub description: String,
    pub date: Option<Date>,
    pub updated: Option<Date>,
    pub draft: bool,
    pub slug: Option<String>,
    pub aliases: Vec<String>,
    pub tags: Vec<String>,
    pub weight: i64,
    pub template: Option<String>,
    pub related: Vec<String>,
    pub name: String,
    pub credentials: String,
    pub role: String,
    pub photo: Option<String>,
    /// The picture shown when the page is shared, and what it shows in words.
    pub image: Option<String>,
    pub image_alt: String,
    pub languages: Vec<String>,
    pub extra: toml::Table,
}

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

// A page is its document and more: `page.file`, `page.text` read as they always did.
impl Deref for Page {
    type Target = Document;
    fn deref(&self) -> &Document {
        &self.doc
    }
}

impl DerefMut for Page {
    fn deref_mut(&mut self) -> &mut Document {
        &mut self.doc
    }
}

impl Page {
    /// Parses a page; `relative_path` (`articles/x.md`) decides its kind and URL, and dates
    /// written without an offset are in `tz`.
    pub fn parse(file: &Path, relative_path: &str, text: String, tz: &TimeZone) -> Result<Page> {
        let kind = Kind::of(relative_path);
        let split = front_matter::split(file, &text, kind.example())?;
        let raw = front_matter::parse(file, &text, &split, &kind.keys(), kind.described())?;
        let meta = typed_meta(file, &text, &split, kind, raw, tz)?;
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
                        format!("the slug `{s}` has no letters or digits"),
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
        if let Some(s) = &self.rendered.summary {
            return s.clone();
        }
        if !self.meta.description.is_empty() {
            return format!("<p>{}</p>\n", escape_html(&self.meta.description));
        }
        self.rendered.first_paragraph.clone().unwrap_or_default()
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

fn typed_meta(
    file: &Path,
    text: &str,
    split: &Split,
    kind: Kind,
    raw: RawFrontMatter,
    tz: &TimeZone,
) -> Result<Meta> {
    let date = |key: &str, value: &Option<toml::Value>| -> Result<Option<Date>> {
        match value {
            None => Ok(None),
            Some(v) => Date::parse(v, tz).map(Some).map_err(|m| {
                key_error(
                    file,
                    text,
                    split.front_range(),
                    &[key],
                    format!("`{key}`: {m}"),
                )
                .with_help(format!(
                    "write {key} = 2025-01-31 (a day) or {key} = 2025-01-31T09:00:00-08:00"
                ))
            }),
        }
    };
    let mut meta = Meta {
        date: date("date", &raw.date)?,
        updated: date("updated", &raw.updated)?,
        title: raw.title.unwrap_or_default(),
        description: raw.description.unwrap_or_default(),
        draft: raw.draft,
        slug: raw.slug,
        aliases: raw.aliases,
        tags: raw.tags,
        weight: raw.weight,
        template: raw.template,
        related: raw.related,
        name: raw.name.unwrap_or_default(),
        credentials: raw.credentials,
        role: raw.role,
        photo: raw.photo,
        image: raw.image,
        image_alt: raw.image_alt,
        languages: raw.languages,
        extra: raw.extra,
    };
    if kind == Kind::Team {
        if meta.name.trim().is_empty() {
            return Err(missing(file, text, "name", "name = \"Full Name\""));
        }
        meta.title = meta.name.clone();
        meta.description = raw.summary;
    } else if meta.title.trim().is_empty() {
        let example = if kind == Kind::Faq {
            "title = \"The question?\""
        } else {
            "title = \"The title\""
        };
        return Err(missing(file, text, "title", example));
    }
    if meta.image.is_some() && meta.image_alt.trim().is_empty() {
        return Err(key_error(
            file,
            text,
            split.front_range(),
            &["image"],
            "`image` has no `image_alt`: say in words what the picture shows",
        )
        .with_help("add a line such as image_alt = \"A quiet room with two chairs\", for people who cannot see the picture"));
    }
    for (i, tag) in meta.tags.iter().enumerate() {
        if slugify(tag).is_empty() {
            return Err(key_error(
                file,
                text,
                split.front_range(),
                &["tags"],
                format!("tag {} (`{tag}`) has no letters or digits", i + 1),
            )
            .with_help("tags become URLs (/tags/<tag>/): use words"));
        }
    }
    for alias in &meta.aliases {
        if alias.contains("..") || alias.trim_matches('/').is_empty() {
            return Err(key_error(
                file,
                text,
                split.front_range(),
                &["aliases"],
                format!("the alias `{alias}` is not a usable URL"),
            )
            .with_help(
                "write the old address from the site's root, e.g. aliases = [\"/blog/old-post/\"]",
            ));
        }
    }
    Ok(meta)
}

fn missing(file: &Path, text: &str, key: &str, example: &str) -> Error {
    Error::at_position(
        file,
        text,
        crate::diag::Position { line: 1, column: 1 },
        format!("the front matter has no `{key}`"),
    )
    .with_help(format!(
        "add a line such as {example} between the `+++` lines"
    ))
}
