//! `grove check`: what a build accepts but a reader would trip over. Links and anchors
//! that lead nowhere, missing images and alt text, missing descriptions, duplicate
//! titles, skipped heading levels, future dates, and (on request) dead external links.
//! Nothing is written: the site is loaded with `Site::load` and rendered into memory.

mod external;
mod links;
mod pages;
mod pictures;
mod readiness;
mod targets;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use crate::diag::{Diagnostic, Severity};
use crate::diag::{Error, Result};
use crate::output::MemoryOutput;
use crate::pipeline::Pipeline;
use crate::site::BuildOptions;

pub use external::Outcome;

/// What the command line can change about a check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Check pages marked `draft = true` too.
    pub drafts: bool,
    /// Ask every external (http/https) link's server whether it still answers.
    pub external: bool,
    /// The longest wait for one external link.
    pub timeout: Duration,
    /// Warnings count as errors (a site about to be published).
    pub strict: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            drafts: false,
            external: false,
            timeout: Duration::from_secs(10),
            strict: false,
        }
    }
}

/// An http/https link found in the content, with what its server answered when asked.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalLink {
    pub path: PathBuf,
    pub line: usize,
    pub url: String,
    /// `None` until checked (`--external`).
    pub outcome: Option<Outcome>,
}

/// The result of a check: the problems, sorted by file and line, and what was looked at.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// False when the site did not load or render: `problems` then holds why.
    pub loaded: bool,
    pub pages: usize,
    pub links: usize,
    pub images: usize,
    pub external: Vec<ExternalLink>,
    pub problems: Vec<Diagnostic>,
}

impl Report {
    fn stopped(problems: Vec<Diagnostic>) -> Report {
        let mut report = Report {
            problems,
            ..Report::default()
        };
        sort(&mut report.problems);
        report
    }

    /// How many problems make the check fail.
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    /// How many problems are only warnings.
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == severity)
            .map(Diagnostic::count)
            .sum()
    }

    /// One line: what was checked and how many problems were found.
    pub fn summary(&self) -> String {
        if !self.loaded {
            return format!(
                "the site did not load: fix {} first, then check again",
                plural(self.problems.iter().map(Diagnostic::count).sum(), "problem")
            );
        }
        let mut line = format!(
            "checked {}, {}, {}, ",
            plural(self.pages, "page"),
            plural(self.links, "link"),
            plural(self.images, "image"),
        );
        let (errors, warnings) = (self.errors(), self.warnings());
        if warnings == 0 {
            line.push_str(&plural(errors, "problem"));
        } else {
            line.push_str(&format!(
                "{} ({}, {})",
                plural(errors + warnings, "problem"),
                plural(errors, "error"),
                plural(warnings, "warning")
            ));
        }
        let unchecked = self.external.iter().filter(|l| l.outcome.is_none()).count();
        if unchecked > 0 {
            line.push_str(&format!(
                "; {} not checked (add --external)",
                plural(unchecked, "external link")
            ));
        }
        line
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{} {word}s", crate::diag::thousands(n))
    }
}

/// By file and line; a file's "and 19,980 more" line after its problems.
fn sort(problems: &mut [Diagnostic]) {
    problems.sort_by(|a, b| {
        (&a.path, a.more > 0, a.line(), a.severity, &a.message).cmp(&(
            &b.path,
            b.more > 0,
            b.line(),
            b.severity,
            &b.message,
        ))
    });
}

/// Checks the site at `root`. Problems in the content come back in the report; only
/// failures to read files or render templates are errors.
pub fn check(root: &Path, options: &CheckOptions) -> Result<Report> {
    let build_options = BuildOptions {
        drafts: options.drafts,
        base_url: None,
        production: false,
        one_shot: false,
    };
    let pipeline = match Pipeline::load(root, &build_options) {
        Ok(pipeline) => pipeline,
        Err(e) => return Ok(Report::stopped(problems_from_error(e)?)),
    };
    let memory = MemoryOutput::default();
    if let Err(e) = pipeline.render_all(&memory) {
        return Ok(Report::stopped(problems_from_error(e)?));
    }
    let site = &pipeline.site;
    let mut warnings: Vec<Diagnostic> = site
        .config
        .warnings
        .iter()
        .chain(&site.config.base_url_problem(false))
        .filter_map(|w| file_problem(w, Severity::Warning))
        .collect();
    warnings.extend(readiness::missing_settings(site)?);
    warnings.extend(pictures::warnings(&pipeline));
    let mut checker = pages::Checker::new(site, memory.into_files());
    checker.problems.extend(warnings);
    let docs = pages::documents(site);
    for doc in &docs {
        checker.check_document(doc);
    }
    checker.check_duplicate_titles(&docs);
    checker.finish();

    let mut report = Report {
        loaded: true,
        pages: docs.len(),
        links: checker.links,
        images: checker.images,
        external: checker.external,
        problems: checker.problems,
    };
    if options.external {
        check_external(&mut report, options.timeout);
    }
    if options.strict {
        for p in &mut report.problems {
            p.severity = Severity::Error;
        }
    }
    sort(&mut report.problems);
    Ok(report)
}

fn check_external(report: &mut Report, timeout: Duration) {
    let mut urls: Vec<String> = report.external.iter().map(|l| l.url.clone()).collect();
    urls.sort();
    urls.dedup();
    let outcomes = external::check_urls(&urls, timeout);
    for link in &mut report.external {
        let Some(outcome) = outcomes.get(&link.url) else {
            continue;
        };
        if !external::is_ok(outcome) {
            let message = match outcome {
                Ok(code) => format!("external link `{}` answers {code}", link.url),
                Err(why) => format!("external link `{}` failed: {why}", link.url),
            };
            report.problems.push(Diagnostic::at_line(
                link.path.clone(),
                link.line,
                Severity::Error,
                message,
                Some("open it in a browser: update the address, or link to another page".into()),
            ));
        }
        link.outcome = Some(outcome.clone());
    }
}

/// The problems a failed load or render names, as problems; errors that are not about a
/// place in a user's file (a disk error, a template bug) stay errors.
fn problems_from_error(e: Error) -> Result<Vec<Diagnostic>> {
    let all_file_errors = match &e {
        Error::Many(list) => list.iter().all(|e| matches!(e, Error::File(_))),
        other => matches!(other, Error::File(_)),
    };
    if !all_file_errors {
        return Err(e);
    }
    let list = match e {
        Error::Many(list) => list,
        other => vec![other],
    };
    Ok(list
        .iter()
        .filter_map(|e| file_problem(e, Severity::Error))
        .collect())
}

pub(crate) fn file_problem(e: &Error, severity: Severity) -> Option<Diagnostic> {
    e.diagnostic(severity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_print_as_file_line_message() {
        let p = Diagnostic::at_line(
            PathBuf::from("content/a.md"),
            7,
            Severity::Warning,
            "`date` 2099-01-01 is in the future",
            Some("set draft = true".into()),
        );
        assert_eq!(
            p.to_string(),
            "content/a.md:7: warning: `date` 2099-01-01 is in the future\n  help: set draft = true"
        );
    }

    #[test]
    fn load_errors_become_problems_at_their_line() {
        let e = Error::Many(vec![
            Error::at(
                "content/faq/a.md",
                "+++\nrelated = [\"x\"]\n+++\n",
                4,
                "`related` names `x`",
            ),
            Error::file("content/b.md", "no front matter"),
        ]);
        let problems = problems_from_error(e).unwrap();
        assert_eq!(
            problems[0].to_string(),
            "content/faq/a.md:2: `related` names `x`"
        );
        assert_eq!(problems[1].line(), 1);
        let io = Error::io("cannot read", Path::new("x"), std::io::Error::other("disk"));
        assert!(problems_from_error(io).is_err());
    }

    #[test]
    fn summary_counts_errors_warnings_and_unchecked_links() {
        let mut report = Report {
            loaded: true,
            pages: 20,
            links: 31,
            images: 1,
            ..Report::default()
        };
        assert_eq!(
            report.summary(),
            "checked 20 pages, 31 links, 1 image, 0 problems"
        );
        report
            .problems
            .push(Diagnostic::at_line("a.md", 1, Severity::Warning, "", None));
        report.external.push(ExternalLink {
            path: "a.md".into(),
            line: 2,
            url: "https://x.org".into(),
            outcome: None,
        });
        assert_eq!(
            report.summary(),
            "checked 20 pages, 31 links, 1 image, 1 problem (0 errors, 1 warning); 1 external link not checked (add --external)"
        );
    }
}
