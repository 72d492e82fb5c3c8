//! Content files: one page or section parsed from its text, with its kind's front matter
//! checked and typed. No file system access here: `Site` reads the files.

use std::path::{Path, PathBuf};

use crate::diag::{Error, Result};
pub mod front_matter;

use self::front_matter::{Date, RawFrontMatter, SortBy, Split};
use crate::markdown::Rendered;
use crate::slugs::slugify;
pub use jiff::tz::TimeZone;

/// The kinds of page, each with its own front matter and template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Article,
    Faq,
    Team,
    Page,
}

impl Kind {
    /// The kind of a page from its path under `content/`: the top folder decides.
    pub fn of(relative_path: &str) -> Kind {
        match relative_path.split('/').next() {
            Some("articles") if relative_path.contains('/') => Kind::Article,
            Some("faq") if relative_path.contains('/') => Kind::Faq,
            Some("team") if relative_path.contains('/') => Kind::Team,
            _ => Kind::Page,
        }
    }

    /// The template that renders a page of this kind.
    pub fn template(self) -> &'static str {
        match self {
            Kind::Article => "article.html",
            Kind::Faq => "faq_entry.html",
            Kind::Team => "bio.html",
            Kind::Page => "page.html",
        }
    }

    fn keys(self) -> &'static [&'static str] {
        match self {
            Kind::Article => front_matter::ARTICLE_KEYS,
            Kind::Faq => front_matter::FAQ_KEYS,
            Kind::Team => front_matter::TEAM_KEYS,
            Kind::Page => front_matter::PAGE_KEYS,
        }
    }

    fn described(self) -> &'static str {
        match self {
            Kind::Article => "an article",
            Kind::Faq => "a FAQ entry",
            Kind::Team => "a team bio",
            Kind::Page => "a page",
        }
    }

    fn example(self) -> &'static str {
        match self {
            Kind::Article => {
                "+++\ntitle = \"The article's title\"\ndate = 2025-01-31\ndescription = \"One sentence about it.\"\n+++"
            }
            Kind::Faq => {
                "+++\ntitle = \"The question, as a reader would ask it?\"\nweight = 10\n+++"
            }
            Kind::Team => {
                "+++\nname = \"Full Name\"\ncredentials = \"LCSW\"\nrole = \"Therapist\"\nweight = 10\n+++"
            }
            Kind::Page => "+++\ntitle = \"The page's title\"\n+++",
        }
    }
}

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
    pub kind: Kind,
    /// Path for messages, e.g. `content/articles/x.md`.
    pub file: PathBuf,
    /// Path under `content/` with `/` separators: `articles/x.md`.
    pub relative_path: String,
    pub text: String,
    pub body_offset: usize,
    pub meta: Meta,
    pub slug: String,
    /// Site-relative URL: `/articles/x/`.
    pub path: String,
    /// `relative_path` of its section's `_index.md`.
    pub section: String,
    pub rendered: Rendered,
}

/// A folder with an `_index.md` (the home page is the section of `content/_index.md`).
#[derive(Debug, Clone)]
pub struct Section {
    pub file: PathBuf,
    /// `articles/_index.md`; `_index.md` for the home page.
    pub relative_path: String,
    pub text: String,
    pub body_offset: usize,
    pub title: String,
    pub description: String,
    pub sort_by: SortBy,
    pub paginate_by: Option<usize>,
    pub template: Option<String>,
    pub extra: toml::Table,
    /// Site-relative URL: `/articles/`.
    pub path: String,
    pub rendered: Rendered,
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
            file,
            relative_path: "_index.md".into(),
            text: String::new(),
            body_offset: 0,
            title: String::new(),
            description: String::new(),
            sort_by: SortBy::Date,
            paginate_by: None,
            template: None,
            extra: toml::Table::new(),
            path: "/".into(),
            rendered: Rendered::default(),
            pages: Vec::new(),
            subsections: Vec::new(),
            parent: None,
        }
    }

    /// Parses `_index.md`; `relative_path` is e.g. `articles/_index.md`.
    pub fn parse(file: &Path, relative_path: &str, text: String) -> Result<Section> {
        let (raw, body_offset) = {
            let example = "+++\ntitle = \"The section's title\"\nsort_by = \"date\"\n+++";
            let split = front_matter::split(file, &text, example)?;
            let raw = front_matter::parse(
                file,
                &text,
                &split,
                front_matter::SECTION_KEYS,
                "a section's _index.md",
            )?;
            if raw.paginate_by == Some(0) {
                return Err(front_matter::key_error(
                    file,
                    &text,
                    &split,
                    "paginate_by",
                    "`paginate_by` must be at least 1",
                )
                .with_help("remove it to list every page on one page"));
            }
            (raw, split.body_offset)
        };
        let dir = relative_path
            .trim_end_matches("_index.md")
            .trim_end_matches('/');
        let path = url_of_dir(dir);
        Ok(Section {
            file: file.to_path_buf(),
            relative_path: relative_path.to_string(),
            title: raw.title.unwrap_or_default(),
            description: raw.description.unwrap_or_default(),
            sort_by: raw.sort_by,
            paginate_by: raw.paginate_by,
            template: raw.template,
            extra: raw.extra,
            path,
            text,
            body_offset,
            rendered: Rendered::default(),
            pages: Vec::new(),
            subsections: Vec::new(),
            parent: None,
        })
    }

    /// The Markdown body.
    pub fn body(&self) -> &str {
        &self.text[self.body_offset..]
    }
}

/// `articles/sub` -> `/articles/sub/`, each folder name slugged.
fn url_of_dir(dir: &str) -> String {
    let mut url = String::from("/");
    for part in dir.split('/').filter(|p| !p.is_empty()) {
        let s = slugify(part);
        url.push_str(if s.is_empty() { part } else { &s });
        url.push('/');
    }
    url
}

impl Page {
    /// Parses a page; `relative_path` (`articles/x.md`) decides its kind and URL, and dates
    /// written without an offset are in `tz`.
    pub fn parse(file: &Path, relative_path: &str, text: String, tz: &TimeZone) -> Result<Page> {
        let kind = Kind::of(relative_path);
        let split = front_matter::split(file, &text, kind.example())?;
        let raw = front_matter::parse(file, &text, &split, kind.keys(), kind.described())?;
        let meta = typed_meta(file, &text, &split, kind, raw, tz)?;
        let body_offset = split.body_offset;

        let (dir, file_name) = relative_path
            .rsplit_once('/')
            .unwrap_or(("", relative_path));
        let stem = file_name.strip_suffix(".md").unwrap_or(file_name);
        let slug = match &meta.slug {
            Some(s) => {
                let clean = slugify(s);
                if clean.is_empty() {
                    return Err(front_matter::key_error(
                        file,
                        &text,
                        &split,
                        "slug",
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
            kind,
            file: file.to_path_buf(),
            relative_path: relative_path.to_string(),
            text,
            body_offset,
            meta,
            slug,
            path,
            section: String::new(),
            rendered: Rendered::default(),
        })
    }

    /// The Markdown body.
    pub fn body(&self) -> &str {
        &self.text[self.body_offset..]
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
                front_matter::key_error(file, text, split, key, format!("`{key}`: {m}")).with_help(
                    format!(
                        "write {key} = 2025-01-31 (a day) or {key} = 2025-01-31T09:00:00-08:00"
                    ),
                )
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
        return Err(front_matter::key_error(
            file,
            text,
            split,
            "image",
            "`image` has no `image_alt`: say in words what the picture shows",
        )
        .with_help("add a line such as image_alt = \"A quiet room with two chairs\", for people who cannot see the picture"));
    }
    for (i, tag) in meta.tags.iter().enumerate() {
        if slugify(tag).is_empty() {
            return Err(front_matter::key_error(
                file,
                text,
                split,
                "tags",
                format!("tag {} (`{tag}`) has no letters or digits", i + 1),
            )
            .with_help("tags become URLs (/tags/<tag>/): use words"));
        }
    }
    for alias in &meta.aliases {
        if alias.contains("..") || alias.trim_matches('/').is_empty() {
            return Err(front_matter::key_error(
                file,
                text,
                split,
                "aliases",
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

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(rel: &str, text: &str) -> Result<Page> {
        Page::parse(
            &Path::new("content").join(rel),
            rel,
            text.to_string(),
            &TimeZone::UTC,
        )
    }

    #[test]
    fn kind_comes_from_the_top_folder() {
        assert_eq!(Kind::of("articles/x.md"), Kind::Article);
        assert_eq!(Kind::of("faq/x.md"), Kind::Faq);
        assert_eq!(Kind::of("team/x.md"), Kind::Team);
        assert_eq!(Kind::of("about.md"), Kind::Page);
        assert_eq!(Kind::of("faq.md"), Kind::Page);
    }

    #[test]
    fn article_url_uses_slug_or_file_name() {
        let p = page("articles/My Article.md", "+++\ntitle = \"A\"\n+++\n").unwrap();
        assert_eq!(p.path, "/articles/my-article/");
        let p = page(
            "articles/x.md",
            "+++\ntitle = \"A\"\nslug = \"other\"\n+++\n",
        )
        .unwrap();
        assert_eq!(p.path, "/articles/other/");
    }

    #[test]
    fn team_bio_uses_name_as_title_and_summary_as_description() {
        let p = page(
            "team/cb.md",
            "+++\nname = \"Christine Benvenuto\"\ncredentials = \"MFT\"\nsummary = \"Co-founder.\"\n+++\nBio.",
        )
        .unwrap();
        assert_eq!(p.meta.title, "Christine Benvenuto");
        assert_eq!(p.meta.description, "Co-founder.");
        assert_eq!(p.initials(), "CB");
    }

    #[test]
    fn initials_use_first_and_last_names() {
        let mut p = page("team/x.md", "+++\nname = \"Mary Ann Smith\"\n+++\n").unwrap();
        assert_eq!(p.initials(), "MS");
        p.meta.name = "Chrysanthe".into();
        assert_eq!(p.initials(), "C");
    }

    #[test]
    fn faq_field_in_an_article_is_refused() {
        let e = page("articles/x.md", "+++\ntitle = \"A\"\nweight = 3\n+++\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown key `weight` in an article"), "{e}");
    }

    #[test]
    fn missing_title_is_an_error_with_an_example() {
        let e = page("faq/x.md", "+++\nweight = 3\n+++\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no `title`"), "{e}");
        assert!(e.contains("title = \"The question?\""), "{e}");
    }

    #[test]
    fn bad_date_names_the_line() {
        let e = page(
            "articles/x.md",
            "+++\ntitle = \"A\"\ndate = \"31/01/2025\"\n+++\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("content/articles/x.md:3:1: `date`: `31/01/2025` is not a date"),
            "{e}"
        );
    }

    #[test]
    fn summary_falls_back_to_description_escaped() {
        let p = page(
            "articles/x.md",
            "+++\ntitle = \"A\"\ndescription = \"<b>hi</b>\"\n+++\nText.",
        )
        .unwrap();
        assert_eq!(p.summary(), "<p>&lt;b&gt;hi&lt;/b&gt;</p>\n");
    }

    #[test]
    fn section_url_and_sorting_fields() {
        let s = Section::parse(
            Path::new("content/faq/_index.md"),
            "faq/_index.md",
            "+++\ntitle = \"FAQ\"\nsort_by = \"weight\"\n+++\n".into(),
        )
        .unwrap();
        assert_eq!(s.path, "/faq/");
        assert_eq!(s.sort_by, SortBy::Weight);
        let e = Section::parse(
            Path::new("content/_index.md"),
            "_index.md",
            "+++\nsort_by = \"size\"\n+++\n".into(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("content/_index.md:2:"), "{e}");
        assert!(e.contains("date") && e.contains("weight"), "{e}");
    }
}
