//! The preview beside the editor's text: the page the form will be once saved (title,
//! date, topics, text), rendered by the site's own templates through the build's own
//! pipeline ([`crate::pipeline::live::Unsaved`]), against the site as the preview serves
//! it. The editor shows it in a sandboxed frame without scripts; its stylesheets and
//! pictures come from the site's address (the editor's policy allows them).
//!
//! What a save would refuse is answered as problems by field, and no page: the editor
//! keeps showing the last page that could be rendered.

use serde_json::json;

use super::super::Shared;
use super::super::request::Request;
use super::super::response::Response;
use super::save::{self, Problem};
use super::{Editing, SaveRequest, content_file, refuse, reply};

/// `POST /__grove/api/preview` with the form as a save sends it: `{html, problems}`, where
/// `html` is the page as a whole document, or `null` when the form has problems.
pub fn respond(
    editing: &Editing,
    request: &Request,
    shared: &Shared,
    site: &save::SiteLinks,
    origin: &str,
) -> Response {
    let Ok(req) = serde_json::from_slice::<SaveRequest>(&request.body) else {
        return refuse(400, "expected the file, its version and the form as JSON");
    };
    let Some(file) = content_file(editing, &req.file) else {
        return refuse(403, super::NOT_EDITABLE);
    };
    let original = std::fs::read_to_string(&file).unwrap_or_default();
    let text = match save::apply(&req.file, &original, &req.submitted) {
        Ok(text) => text,
        Err(problems) => return answer(None, problems),
    };
    match shared.unsaved.render(&req.file, &text) {
        Some(Ok(html)) => answer(Some(with_base(&html, origin)), Vec::new()),
        Some(Err(e)) => {
            // The same checks as a save, for each problem's field; a problem they do not
            // find (a template that cannot show the page) is said as the build says it.
            let (mut problems, _) = save::examine(&req.file, &file, &text, site);
            if problems.is_empty() {
                problems.push(Problem {
                    field: None,
                    message: format!("The page cannot be shown: {e}"),
                });
            }
            answer(None, problems)
        }
        None => {
            let (mut problems, _) = save::examine(&req.file, &file, &text, site);
            problems.push(Problem {
                field: None,
                message: "The site has a problem in another file (the preview's pages show it at the bottom): this page is shown again once it is fixed.".into(),
            });
            answer(None, problems)
        }
    }
}

fn answer(html: Option<String>, problems: Vec<Problem>) -> Response {
    reply(200, json!({ "html": html, "problems": problems }))
}

/// `html` with a `<base>` first in its head: the frame's document has no address of its
/// own, so the page's root-relative links, stylesheets and pictures must resolve against
/// the site's address (`origin`), not the editor's; links open in a new tab.
pub fn with_base(html: &str, origin: &str) -> String {
    let base = format!(
        "<base href=\"{}/\" target=\"_blank\">",
        crate::escape::escape_html(origin)
    );
    let at = head_start(html).unwrap_or(0);
    let mut out = String::with_capacity(html.len() + base.len());
    out.push_str(&html[..at]);
    out.push_str(&base);
    out.push_str(&html[at..]);
    out
}

/// Just after the opening `<head ...>` tag, if the page has one before its body.
fn head_start(html: &str) -> Option<usize> {
    let lower = html.to_ascii_lowercase();
    let body = lower.find("<body").unwrap_or(lower.len());
    let mut from = 0;
    while let Some(k) = lower[from..body].find("<head") {
        let start = from + k;
        let after = lower.as_bytes().get(start + 5).copied();
        if matches!(after, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/')) {
            return lower[start..].find('>').map(|end| start + end + 1);
        }
        from = start + 5;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_goes_first_in_the_head() {
        let page = "<!DOCTYPE html><html><HEAD lang=\"en\"><link rel=\"stylesheet\" href=\"/css/a.css\"></head><body><header>x</header></body></html>";
        assert_eq!(
            with_base(page, "http://127.0.0.1:1111"),
            "<!DOCTYPE html><html><HEAD lang=\"en\"><base href=\"http://127.0.0.1:1111/\" target=\"_blank\"><link rel=\"stylesheet\" href=\"/css/a.css\"></head><body><header>x</header></body></html>"
        );
        // `<header>` in the body is not a head; a page without a head gets it first.
        assert!(with_base("<body><header>x</header>", "o").starts_with("<base href=\"o/\""));
        assert!(with_base("", "o").starts_with("<base"));
    }

    #[test]
    fn the_address_is_escaped() {
        let out = with_base("<head>", "http://a\"><script>");
        assert!(
            out.contains("href=\"http://a&quot;&gt;&lt;script&gt;/\""),
            "{out}"
        );
    }

    #[test]
    fn many_heads_are_looked_at_once() {
        let page = "<headx>".repeat(100_000) + "<head>" + &"<p>x</p>".repeat(100_000);
        let out = with_base(&page, "o");
        assert_eq!(out.matches("<base ").count(), 1);
        assert_eq!(
            out.len(),
            page.len() + "<base href=\"o/\" target=\"_blank\">".len()
        );
    }
}
