//! The notice at the top of a draft's page in the preview: a real element with text (not
//! a colour alone), dark on light yellow (contrast about 15:1), in a named region so a
//! screen reader lists it. Only draft jobs get it, and only the preview renders those:
//! no page of `grove build` ever carries it.

use crate::escape::escape_html;

/// The banner's HTML.
pub const HTML: &str = "<section aria-label=\"Draft notice\" data-grove-draft style=\"display:block;margin:0;padding:.75rem 1rem;background:#fff4c2;color:#1f1a00;border-bottom:4px solid #7a5c00;font:1rem/1.45 system-ui,sans-serif;text-align:center\"><p style=\"margin:0;color:#1f1a00\"><strong>Draft:</strong> not on the published site. Lists, topics, the feed, the sitemap and search leave it out until it is published (draft = false).</p></section>";

/// `html` with the banner first inside `<body>` (at the very start when there is none).
pub fn with_banner(html: &str) -> String {
    let at = body_start(html).unwrap_or(0);
    let mut out = String::with_capacity(html.len() + HTML.len());
    out.push_str(&html[..at]);
    out.push_str(HTML);
    out.push_str(&html[at..]);
    out
}

/// Just after the opening `<body ...>` tag, if the page has one.
fn body_start(html: &str) -> Option<usize> {
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(k) = lower[from..].find("<body") {
        let start = from + k;
        let after = lower.as_bytes().get(start + 5).copied();
        if matches!(after, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/')) {
            return lower[start..].find('>').map(|end| start + end + 1);
        }
        from = start + 5;
    }
    None
}

/// The page shown for a draft the templates cannot render yet, with what went wrong.
pub fn problem_page(message: &str) -> String {
    with_banner(&format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Draft</title>\n</head>\n<body>\n<main style=\"font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem\">\n<h1>This draft cannot be shown yet</h1>\n<p>Fix the problem below and save the file: this page shows the draft by itself.</p>\n<pre style=\"white-space:pre-wrap\">{}</pre>\n</main>\n</body>\n</html>\n",
        escape_html(message)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_goes_first_inside_the_body() {
        let page = "<html><head><title>x</title></head><BODY class=\"a\"><p>x</p></body></html>";
        let out = with_banner(page);
        assert_eq!(
            out,
            format!(
                "<html><head><title>x</title></head><BODY class=\"a\">{HTML}<p>x</p></body></html>"
            )
        );
        // `<bodyguard>` is not a body; a page without one gets the banner first.
        assert!(with_banner("<bodyguard>").starts_with(HTML));
        assert!(HTML.contains("<strong>Draft:</strong> not on the published site"));
    }

    #[test]
    fn many_bodies_and_huge_pages_are_handled_in_one_pass() {
        let page = "<bodyx>".repeat(100_000) + "<body>" + &"<p>x</p>".repeat(100_000);
        let out = with_banner(&page);
        assert_eq!(out.len(), page.len() + HTML.len());
        assert_eq!(out.matches(HTML).count(), 1);
    }

    #[test]
    fn a_problem_is_shown_escaped_under_the_banner() {
        let out = problem_page("<script>x</script> in content/a.md");
        assert!(out.contains("&lt;script&gt;x&lt;/script&gt; in content/a.md"));
        assert!(out.contains(HTML));
    }
}
