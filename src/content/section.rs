//! A folder with an `_index.md`: its title, how it orders its pages, and (once the site
//! is put together) its pages and subsections. The home page is the section of
//! `content/_index.md`.

use std::path::{Path, PathBuf};

use super::document::Document;
use super::fields;
use super::fields::Meta;
use super::front_matter;
use super::url_of_dir;
use crate::diag::Result;
use crate::markdown::Rendered;

/// A folder with an `_index.md` (the home page is the section of `content/_index.md`).
#[derive(Debug, Clone)]
pub struct Section {
    pub doc: Document,
    /// Its front matter: title, description, sort_by, paginate_by, template, extra.
    pub meta: Meta,
    /// Site-relative URL: `/articles/`.
    pub path: String,
    /// Indices into `Site::pages`, in `sort_by` order.
    pub pages: Vec<usize>,
    /// Indices into `Site::sections`.
    pub subsections: Vec<usize>,
    pub parent: Option<usize>,
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
            meta: Meta::default(),
            path: "/".into(),
            pages: Vec::new(),
            subsections: Vec::new(),
            parent: None,
        }
    }

    /// Parses `_index.md`; `relative_path` is e.g. `articles/_index.md`.
    pub fn parse(file: &Path, relative_path: &str, text: String) -> Result<Section> {
        let example = "+++\ntitle = \"The section's title\"\nsort_by = \"date\"\n+++";
        let split = front_matter::split(file, &text, example)?;
        let meta = front_matter::read(
            file,
            &text,
            &split,
            fields::section_fields(),
            "a section's _index.md",
            // sections have no dates
            &jiff::tz::TimeZone::UTC,
        )?;
        let (front, body_offset) = (split.front_range(), split.body_offset);
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
            meta,
            path,
            pages: Vec::new(),
            subsections: Vec::new(),
            parent: None,
        })
    }
}
