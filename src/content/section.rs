//! A folder with an `_index.md`: its title, how it orders its pages, and (once the site
//! is put together) its pages and subsections. The home page is the section of
//! `content/_index.md`.

use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};

use super::document::Document;
use super::fields;
use super::front_matter::{self, SortBy};
use super::url_of_dir;
use crate::diag::{Result, key_error};
use crate::markdown::Rendered;

/// A folder with an `_index.md` (the home page is the section of `content/_index.md`).
#[derive(Debug, Clone)]
pub struct Section {
    pub doc: Document,
    pub title: String,
    pub description: String,
    pub sort_by: SortBy,
    pub paginate_by: Option<usize>,
    pub template: Option<String>,
    pub extra: toml::Table,
    /// Site-relative URL: `/articles/`.
    pub path: String,
    /// Indices into `Site::pages`, in `sort_by` order.
    pub pages: Vec<usize>,
    /// Indices into `Site::sections`.
    pub subsections: Vec<usize>,
    pub parent: Option<usize>,
}

impl Deref for Section {
    type Target = Document;
    fn deref(&self) -> &Document {
        &self.doc
    }
}

impl DerefMut for Section {
    fn deref_mut(&mut self) -> &mut Document {
        &mut self.doc
    }
}

impl Section {
    /// A home section for sites without `content/_index.md`.
    pub fn implicit_home(file: PathBuf) -> Section {
        Section {
            doc: Document {
                file,
                relative_path: "_index.md".into(),
                ..Document::default()
            },
            title: String::new(),
            description: String::new(),
            sort_by: SortBy::Date,
            paginate_by: None,
            template: None,
            extra: toml::Table::new(),
            path: "/".into(),
            pages: Vec::new(),
            subsections: Vec::new(),
            parent: None,
        }
    }

    /// Parses `_index.md`; `relative_path` is e.g. `articles/_index.md`.
    pub fn parse(file: &Path, relative_path: &str, text: String) -> Result<Section> {
        let (raw, front, body_offset) = {
            let example = "+++\ntitle = \"The section's title\"\nsort_by = \"date\"\n+++";
            let split = front_matter::split(file, &text, example)?;
            let raw = front_matter::parse(
                file,
                &text,
                &split,
                &fields::SECTION.iter().map(|f| f.key).collect::<Vec<_>>(),
                "a section's _index.md",
            )?;
            if raw.paginate_by == Some(0) {
                return Err(key_error(
                    file,
                    &text,
                    split.front_range(),
                    &["paginate_by"],
                    "`paginate_by` must be at least 1",
                )
                .with_help("remove it to list every page on one page"));
            }
            let front = split.front_range();
            (raw, front, split.body_offset)
        };
        let dir = relative_path
            .trim_end_matches("_index.md")
            .trim_end_matches('/');
        let path = url_of_dir(dir);
        Ok(Section {
            doc: Document {
                file: file.to_path_buf(),
                relative_path: relative_path.to_string(),
                text,
                front,
                body_offset,
                rendered: Rendered::default(),
            },
            title: raw.title.unwrap_or_default(),
            description: raw.description.unwrap_or_default(),
            sort_by: raw.sort_by,
            paginate_by: raw.paginate_by,
            template: raw.template,
            extra: raw.extra,
            path,
            pages: Vec::new(),
            subsections: Vec::new(),
            parent: None,
        })
    }
}
