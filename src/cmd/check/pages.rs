//! The checks of one page or section: its front matter, headings, links and images,
//! against the site as it would be built.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::links::{decode, ids_in, join_url};
use super::{Diagnostic, ExternalLink, Severity};
use crate::content::Date;
use crate::content::{self, Kind, Page};
use crate::diag::{Cap, LineIndex, SUGGESTED, Shown};
use crate::fs::display_join;
use crate::generate::assets::static_dirs;
use crate::output::Entry;
use crate::render::url_to_file;
use crate::site::Site;

/// A page or a section's `_index.md`: its file, and what the checks need of either.
pub(super) struct CheckedFile<'a> {
    pub(super) doc: &'a content::Document,
    /// Site path, `/articles/x/`.
    pub(super) url: &'a str,
    pub(super) title: &'a str,
    pub(super) description: &'a str,
    pub(super) page: Option<&'a Page>,
    /// Where the lines of its text start, made when a line is first asked for.
    lines: OnceCell<LineIndex>,
}

impl CheckedFile<'_> {
    pub(super) fn line_of(&self, offset: usize) -> usize {
        self.lines
            .get_or_init(|| LineIndex::new(&self.doc.text))
            .line(offset)
    }

    pub(super) fn is_team(&self) -> bool {
        self.page.is_some_and(|p| p.kind == Kind::Team)
    }
}

pub(super) fn documents(site: &Site) -> Vec<CheckedFile<'_>> {
    let pages = site.pages.iter().map(|p| CheckedFile {
        doc: &p.doc,
        url: &p.path,
        title: &p.meta.title,
        description: &p.meta.description,
        page: Some(p),
        lines: OnceCell::new(),
    });
    // A site without content/_index.md gets a home section with no file: nothing to check.
    let sections = site
        .sections
        .iter()
        .filter(|s| !s.doc.text.is_empty())
        .map(|s| CheckedFile {
            doc: &s.doc,
            url: &s.path,
            title: &s.meta.title,
            description: &s.meta.description,
            page: None,
            lines: OnceCell::new(),
        });
    pages.chain(sections).collect()
}

/// What the form calls field `key` of `page`.
fn label(page: &Page, key: &str) -> &'static str {
    content::fields::find(Some(page.kind), key).map_or("", |f| f.label)
}

/// What is wrong with a heading of `level` after one of `previous` (1 = the page title).
fn heading_problem(previous: u32, level: u32) -> Option<String> {
    let hashes = |n: u32| "#".repeat(n as usize);
    if level == 1 {
        return Some(format!(
            "a level-1 heading (`#`) in the text: the page title is already the page's only h1; use `{}`",
            hashes(2)
        ));
    }
    if level <= previous + 1 {
        return None;
    }
    Some(if previous == 1 {
        format!(
            "the first heading is an h{level} (`{}`): headings under the page title start at `{}`",
            hashes(level),
            hashes(2)
        )
    } else {
        format!(
            "this h{level} (`{}`) follows an h{previous}: skip no level, use `{}`",
            hashes(level),
            hashes(previous + 1)
        )
    })
}

/// True when `date` lies after `now` (a day-only date: after today, where the site is).
fn is_future(date: &Date, now: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> bool {
    if date.iso.len() == 10 {
        date.day > now.to_zoned_datetime(tz.clone()).date()
    } else {
        date.timestamp > now.as_second()
    }
}

pub(super) struct Checker<'a> {
    pub(super) site: &'a Site,
    /// The build as it would be written, by output path (`articles/x/index.html`).
    pub(super) outputs: HashMap<String, Entry>,
    /// Ids of each HTML output, by output path.
    pub(super) ids: HashMap<String, HashSet<String>>,
    /// Folders whose files are published as they are: theme static/, static/, content/.
    pub(super) source_dirs: Vec<PathBuf>,
    /// Site path -> content path, to show links as they were written (`@/x.md`).
    pub(super) content_of: HashMap<&'a str, &'a str>,
    /// Ids of the Markdown headings of each page, by output path, to suggest in messages.
    pub(super) heading_ids: HashMap<String, Vec<&'a str>>,
    pub(super) problems: Vec<Diagnostic>,
    /// How many problems each file has shown, and how many more of each severity it has.
    shown: HashMap<PathBuf, (Cap, [usize; 2])>,
    /// Site paths of every page, for "did you mean", made when first needed.
    page_paths: Option<Vec<String>>,
    /// The nearest page of each link already asked about (one moved page is often
    /// linked from many).
    nearest_pages: HashMap<String, Option<String>>,
    /// How many more "did you mean" searches over the whole site the check makes.
    pub(super) suggestions: usize,
    pub(super) external: Vec<ExternalLink>,
    pub(super) links: usize,
    pub(super) images: usize,
}

impl<'a> Checker<'a> {
    pub(super) fn new(site: &'a Site, outputs: HashMap<String, Entry>) -> Checker<'a> {
        let ids = outputs
            .iter()
            .filter_map(|(file, entry)| match entry {
                Entry::Bytes(bytes) if file.ends_with(".html") => {
                    Some((file.clone(), ids_in(&String::from_utf8_lossy(bytes))))
                }
                _ => None,
            })
            .collect();
        let mut source_dirs = static_dirs(site);
        source_dirs.push(display_join(&site.root, "content"));
        Checker {
            site,
            outputs,
            ids,
            source_dirs,
            heading_ids: site
                .pages
                .iter()
                .map(|p| (&p.path, &p.doc.rendered))
                .chain(site.sections.iter().map(|s| (&s.path, &s.doc.rendered)))
                .map(|(path, rendered)| {
                    let ids = rendered.headings.iter().map(|h| h.id.as_str());
                    (url_to_file(path), ids.collect())
                })
                .collect(),
            content_of: site
                .links
                .iter()
                .map(|(content, url)| (url.as_str(), content.as_str()))
                .collect(),
            problems: Vec::new(),
            shown: HashMap::new(),
            page_paths: None,
            nearest_pages: HashMap::new(),
            suggestions: SUGGESTED,
            external: Vec::new(),
            links: 0,
            images: 0,
        }
    }

    pub(super) fn problem(
        &mut self,
        doc: &CheckedFile,
        line: usize,
        message: String,
        help: Option<String>,
    ) {
        if self.shows(&doc.doc.file, Severity::Error) {
            self.push_shown(doc, Severity::Error, line, message, help);
        }
    }

    /// A problem or warning (something the site lacks rather than something broken:
    /// shown, but `grove check` passes unless `--strict`) about front matter field `key` of
    /// `doc`: at the key's line, and about that field, so the editor shows it there.
    fn about_field(
        &mut self,
        doc: &CheckedFile,
        severity: Severity,
        key: &str,
        message: String,
        help: Option<String>,
    ) {
        if self.shows(&doc.doc.file, severity) {
            let line = doc.doc.key_line(key);
            self.push_shown(doc, severity, line, message, help);
            if let Some(last) = self.problems.last_mut() {
                last.field = Some(key.to_string());
            }
        }
    }

    /// Whether the next problem of `file` is listed; past the first
    /// [`crate::diag::SHOWN`] it is only counted, and its message need not be made.
    pub(super) fn shows(&mut self, file: &Path, severity: Severity) -> bool {
        let (cap, more) = self.shown.entry(file.to_path_buf()).or_default();
        let shown = cap.take();
        if !shown {
            more[severity as usize] += 1;
        }
        shown
    }

    /// Lists a problem [`Checker::shows`] said is to be shown.
    pub(super) fn push_shown(
        &mut self,
        doc: &CheckedFile,
        severity: Severity,
        line: usize,
        message: String,
        help: Option<String>,
    ) {
        self.problems.push(Diagnostic::at_line(
            doc.doc.file.to_path_buf(),
            line,
            severity,
            message,
            help,
        ));
    }

    /// The problems counted but not shown, one line per file and severity.
    pub(super) fn finish(&mut self) {
        for (file, (_, more)) in std::mem::take(&mut self.shown) {
            for severity in [Severity::Error, Severity::Warning] {
                let count = more[severity as usize];
                if count > 0
                    && let Some(note) = crate::diag::Error::more(&file, count).diagnostic(severity)
                {
                    self.problems.push(note);
                }
            }
        }
    }

    /// The nearest page to a site path that is not one, asked once per path.
    pub(super) fn nearest_page(&mut self, path: &str) -> Option<String> {
        if let Some(known) = self.nearest_pages.get(path) {
            return known.clone();
        }
        if self.suggestions == 0 {
            return None;
        }
        self.suggestions -= 1;
        let outputs = &self.outputs;
        let pages = self.page_paths.get_or_insert_with(|| {
            outputs
                .keys()
                .filter_map(|f| f.strip_suffix("index.html"))
                .map(|dir| format!("/{dir}"))
                .collect()
        });
        let found =
            crate::diag::nearest(path, pages.iter().map(String::as_str)).map(str::to_string);
        self.nearest_pages.insert(path.to_string(), found.clone());
        found
    }

    pub(super) fn check_document(&mut self, doc: &CheckedFile) {
        self.check_description(doc);
        self.check_headings(doc);
        for link in &doc.doc.rendered.links {
            if link.is_image {
                self.images += 1;
                self.check_image(doc, link);
            } else {
                self.check_link(doc, link);
            }
        }
        if let Some(page) = doc.page {
            self.check_dates(doc, page);
            self.check_photo(doc, page);
        }
    }

    fn check_description(&mut self, doc: &CheckedFile) {
        if !doc.description.trim().is_empty() {
            return;
        }
        let key = if doc.is_team() {
            "summary"
        } else {
            "description"
        };
        let field = content::fields::find(doc.page.map(|p| p.kind), key);
        let (label, what) = field.map_or(("Description", ""), |f| (f.label, f.help));
        let message =
            format!("{label} is missing: search engines and link previews make up their own");
        let help = Some(format!("add {key} = \"...\" to the front matter: {what}"));
        self.about_field(doc, Severity::Warning, key, message, help);
    }

    fn check_headings(&mut self, doc: &CheckedFile) {
        let mut previous = 1;
        for h in &doc.doc.rendered.headings {
            if let Some(message) = heading_problem(previous, h.level) {
                let line = doc.line_of(h.offset);
                self.problem(doc, line, message, None);
            }
            previous = h.level;
        }
    }

    fn check_dates(&mut self, doc: &CheckedFile, page: &Page) {
        if page.meta.draft {
            return;
        }
        let now = jiff::Timestamp::now();
        for (key, date) in [("date", &page.meta.date), ("updated", &page.meta.updated)] {
            if let Some(date) = date
                && is_future(date, now, &self.site.config.tz)
            {
                let message = format!(
                    "{} {} is in the future, but the page is published now",
                    label(page, key),
                    date.iso
                );
                let help = Some("set draft = true until that day, or correct the date".into());
                self.about_field(doc, Severity::Warning, key, message, help);
            }
        }
    }

    fn check_photo(&mut self, doc: &CheckedFile, page: &Page) {
        if let Some(image) = page.meta.image.as_deref() {
            let path = join_url("/", &decode(image.trim()));
            if !self.is_source_file(&path) {
                let message = format!("{}: there is no picture `{image}`", label(page, "image"));
                let help = Some(format!(
                    "put the picture in static{path} (or fix the path: it starts from static/)"
                ));
                self.about_field(doc, Severity::Error, "image", message, help);
            }
        }
        let Some(photo) = page.meta.photo.as_deref() else {
            if page.kind == crate::content::Kind::Team {
                let message =
                    "Photo is missing: the team page shows initials instead of a portrait";
                let help = Some(format!(
                    "put a portrait (square, at least 224 pixels wide) in static/images/team/ and add photo = \"/images/team/{}.jpg\"",
                    page.slug
                ));
                self.about_field(doc, Severity::Warning, "photo", message.into(), help);
            }
            return;
        };
        let path = join_url("/", &decode(photo.trim()));
        if !self.is_source_file(&path) {
            let message = format!("Photo: there is no picture `{photo}`");
            let help = Some(format!(
                "put the photo in static{path} (or fix the path: it starts from static/)"
            ));
            self.about_field(doc, Severity::Error, "photo", message, help);
        }
    }

    pub(super) fn check_duplicate_titles(&mut self, docs: &[CheckedFile]) {
        let mut first: HashMap<String, &CheckedFile> = HashMap::new();
        let mut ordered: Vec<&CheckedFile> = docs.iter().collect();
        ordered.sort_by_key(|d| &d.doc.file);
        for doc in ordered {
            let key = doc.title.trim().to_lowercase();
            if key.is_empty() {
                continue;
            }
            match first.get(&key) {
                Some(earlier) => {
                    let (field, label) = match doc.page {
                        Some(p) => (p.kind.title_field().key, p.kind.title_field().label),
                        None => ("title", "Title"),
                    };
                    let message = format!(
                        "{label} `{}` is also the title of `{}`",
                        doc.title.trim(),
                        earlier.doc.file.shown()
                    );
                    let help = "give each page its own title: search results, browser tabs and link previews show only the title";
                    self.about_field(doc, Severity::Error, field, message, Some(help.into()));
                }
                None => {
                    first.insert(key, doc);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_must_not_skip_a_level() {
        assert_eq!(heading_problem(1, 2), None);
        assert_eq!(heading_problem(3, 2), None);
        assert_eq!(heading_problem(2, 3), None);
        assert!(heading_problem(2, 4).unwrap().contains("use `###`"));
        assert!(heading_problem(1, 3).unwrap().contains("start at `##`"));
        assert!(
            heading_problem(2, 1)
                .unwrap()
                .contains("already the page's only h1")
        );
    }

    #[test]
    fn future_days_are_compared_where_the_site_is() {
        let tz = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
        // 2025-03-05 02:00 UTC is still March 4 in California
        let now: jiff::Timestamp = "2025-03-05T02:00:00Z".parse().unwrap();
        let day = |d: &str| Date::parse(&toml::Value::String(d.into()), &tz).unwrap();
        assert!(!is_future(&day("2025-03-04"), now, &tz));
        assert!(is_future(&day("2025-03-05"), now, &tz));
        assert!(!is_future(&day("2025-03-03"), now, &tz));
        assert!(is_future(&day("2025-03-05T02:00:01+00:00"), now, &tz));
    }
}
