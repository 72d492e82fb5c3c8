//! The checks of where a page's links and images lead: pages and files of the site
//! (and their `#anchors`), other sites (listed for `--external`), and what cannot be
//! checked (`mailto:`, `tel:`).

use std::path::Path;

use super::links::{Target, classify, decode};
use super::pages::{CheckedFile, Checker};
use super::{ExternalLink, Severity};
use crate::diag::{Shown, nearest};
use crate::markdown::Link;
use crate::render::url_to_file;

impl Checker<'_> {
    pub(super) fn check_link(&mut self, doc: &CheckedFile, link: &Link) {
        let line = doc.line_of(link.offset);
        match classify(&link.url, doc.url, &self.site.config.base_url) {
            Target::Other => {}
            Target::External(url) => {
                self.links += 1;
                self.external.push(ExternalLink {
                    path: doc.doc.file.to_path_buf(),
                    line,
                    url,
                    outcome: None,
                });
            }
            Target::Internal { path, anchor } => {
                self.links += 1;
                let written = self.written(link);
                let file = match &path {
                    None => Some(url_to_file(doc.url)),
                    Some(p) => self.output_file(p),
                };
                let Some(file) = file else {
                    if path.as_deref().is_some_and(|p| self.is_source_file(p))
                        || !self.shows(&doc.doc.file, Severity::Error)
                    {
                        return;
                    }
                    let help = match path.as_deref().and_then(|p| self.nearest_page(p)) {
                        Some(n) => format!("did you mean `{n}`?"),
                        None => "check the address; write links to pages as @/path/to/file.md so that every build checks them".into(),
                    };
                    let message =
                        format!("link to `{written}`, which is not a page or file of this site");
                    self.push_shown(doc, Severity::Error, line, message, Some(help));
                    return;
                };
                if let Some(anchor) = anchor {
                    self.check_anchor(doc, line, &written, &file, path.is_none(), &anchor);
                }
            }
        }
    }

    pub(super) fn check_anchor(
        &mut self,
        doc: &CheckedFile,
        line: usize,
        written: &str,
        file: &str,
        same_page: bool,
        anchor: &str,
    ) {
        // `#` and `#top` go to the top of any page, id or not.
        if anchor.is_empty() || anchor.eq_ignore_ascii_case("top") {
            return;
        }
        let Some(ids) = self.ids.get(file) else {
            return;
        };
        if ids.contains(anchor) || !self.shows(&doc.doc.file, Severity::Error) {
            return;
        }
        let which = if same_page { "this page" } else { "that page" };
        let headings = self.heading_ids.get(file).map_or(&[][..], Vec::as_slice);
        // a page can have thousands of ids: the search is one of the check's few
        let found = (self.suggestions > 0)
            .then(|| nearest(anchor, self.ids[file].iter().map(String::as_str)))
            .flatten();
        self.suggestions = self.suggestions.saturating_sub(1);
        let help = match found {
            Some(n) => format!("did you mean `#{n}`?"),
            None if headings.is_empty() => {
                format!("{which} has no headings: link to it without `#{anchor}`")
            }
            None => {
                let shown: Vec<String> =
                    headings.iter().take(8).map(|id| format!("#{id}")).collect();
                let more = if headings.len() > shown.len() {
                    ", ..."
                } else {
                    ""
                };
                format!("the ids of its headings are {}{more}", shown.join(", "))
            }
        };
        self.push_shown(
            doc,
            Severity::Error,
            line,
            format!("link to `{written}`: {which} has no heading or element with id `{anchor}`"),
            Some(help),
        );
    }

    pub(super) fn check_image(&mut self, doc: &CheckedFile, link: &Link) {
        let line = doc.line_of(link.offset);
        if link.alt.trim().is_empty() {
            self.problem(
                doc,
                line,
                format!("image `{}` has no alt text", link.url),
                Some(format!(
                    "describe the picture for people who cannot see it: ![A short description]({})",
                    link.url
                )),
            );
        }
        match classify(&link.url, doc.url, &self.site.config.base_url) {
            Target::External(url) => self.external.push(ExternalLink {
                path: doc.doc.file.to_path_buf(),
                line,
                url,
                outcome: None,
            }),
            Target::Other | Target::Internal { path: None, .. } => {}
            Target::Internal { path: Some(p), .. } => {
                let url = link.url.trim();
                let beside_page = !url.starts_with('/')
                    && doc.doc.file.parent().is_some_and(|dir| {
                        dir.join(decode(url.split(['?', '#']).next().unwrap_or(url)))
                            .is_file()
                    });
                if !beside_page && !self.is_source_file(&p) && self.output_file(&p).is_none() {
                    let folder = doc.doc.file.parent().unwrap_or(Path::new("content"));
                    self.problem(
                        doc,
                        line,
                        format!("image `{url}` does not exist"),
                        Some(format!(
                            "put the file in {}/ beside the page, or in static/ and write its path from there (/images/x.jpg); or fix the name",
                            folder.shown()
                        )),
                    );
                }
            }
        }
    }

    /// The output file a site path leads to: `/a/` -> `a/index.html`, `/a` -> `a` or `a/index.html`.
    pub(super) fn output_file(&self, path: &str) -> Option<String> {
        let rel = path.trim_start_matches('/');
        let candidates = if rel.is_empty() || rel.ends_with('/') {
            vec![format!("{rel}index.html")]
        } else {
            vec![rel.to_string(), format!("{rel}/index.html")]
        };
        candidates
            .into_iter()
            .find(|c| self.outputs.contains_key(c))
    }

    /// True when a file published as it is (static/, the theme's static/, content/) lives
    /// at this site path. Asks the disk so that renamed (hashed) output names do not matter.
    pub(super) fn is_source_file(&self, path: &str) -> bool {
        let rel = path.trim_start_matches('/');
        !rel.is_empty() && self.source_dirs.iter().any(|d| d.join(rel).is_file())
    }

    /// The link as the author wrote it: `@/articles/x.md#a` rather than `/articles/x/#a`.
    pub(super) fn written(&self, link: &Link) -> String {
        let (path, anchor) = match link.url.split_once('#') {
            Some((p, a)) => (p, Some(a)),
            None => (link.url.as_str(), None),
        };
        let content = match self.content_of.get(path) {
            Some(content) if link.internal => content,
            _ => return link.url.clone(),
        };
        match anchor {
            Some(a) => format!("@/{content}#{a}"),
            None => format!("@/{content}"),
        }
    }
}
