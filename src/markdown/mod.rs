//! Markdown to HTML: pulldown-cmark with heading ids, a table of contents, the summary,
//! word counts, and `@/` internal links resolved against the site's pages.

use std::collections::HashMap;
use std::path::Path;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::diag::{Error, FileErrors, nearest};
use crate::slugs::UniqueIds;

/// One entry of a page's table of contents.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Heading {
    pub level: u32,
    pub id: String,
    pub title: String,
    pub children: Vec<Heading>,
}

/// A link written in the Markdown, kept for `grove check`.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The URL as written (after `@/` resolution for internal links).
    pub url: String,
    /// Byte offset of the link in the whole file.
    pub offset: usize,
    pub is_image: bool,
    /// Written as `@/path.md`: `url` is the page that file became.
    pub internal: bool,
    /// The alt text of an image.
    pub alt: String,
}

/// A heading as the checks see it: its level, its id, and where it starts in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadingAt {
    pub level: u32,
    pub id: String,
    /// Byte offset of the heading in the whole file.
    pub offset: usize,
}

impl Link {
    fn at(url: &str, offset: usize, is_image: bool) -> Link {
        Link {
            url: url.to_string(),
            offset,
            is_image,
            internal: false,
            alt: String::new(),
        }
    }
}

/// The result of rendering one Markdown body.
#[derive(Debug, Default, Clone)]
pub struct Rendered {
    pub html: String,
    /// HTML of the part before `<!-- more -->`, when there is such a line.
    pub summary: Option<String>,
    /// HTML of the first top-level paragraph.
    pub first_paragraph: Option<String>,
    pub toc: Vec<Heading>,
    /// Every heading `(level, id)` in order, for checks.
    pub headings: Vec<HeadingAt>,
    pub word_count: usize,
    pub links: Vec<Link>,
    /// The text without markup, blocks separated by spaces: for the search index.
    pub text: String,
}

/// Where the body comes from, so errors point into the right file at the right line.
pub struct Source<'a> {
    pub path: &'a Path,
    /// The whole file's text (front matter included).
    pub text: &'a str,
    /// Where the Markdown body starts in `text`.
    pub body_offset: usize,
    /// The site's `base_path` (`/site`, or empty): root-relative links and images in the
    /// HTML get it in front, so that they work when the site is served under a sub-path.
    pub base_path: &'a str,
    /// Whether an `@/` link that leads nowhere is told the nearest existing file: a
    /// comparison with every file of the site, which a build makes for its first errors
    /// only (see `Site::render_markdown`).
    pub suggest: bool,
}

/// `/x/` under a sub-path: `base_path` + `/x/`; other URLs (relative, `//host`, schemes)
/// as they are.
fn under_base<'u>(url: CowStr<'u>, base_path: &str) -> CowStr<'u> {
    if !base_path.is_empty() && url.starts_with('/') && !url.starts_with("//") {
        CowStr::from(format!("{base_path}{url}"))
    } else {
        url
    }
}

/// Resolves `@/path.md` links: content paths (`articles/x.md`) to site paths (`/articles/x/`).
pub type LinkMap = HashMap<String, String>;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// The text as HTML with the site's Markdown options and nothing else: for the editor's
/// preview of a text whose links do not resolve yet.
pub fn plain_html(body: &str) -> String {
    let mut html = String::with_capacity(body.len() + body.len() / 8);
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(body, options()));
    html
}

/// Resolves an internal link target such as `@/faq/_index.md#how-long` to `/faq/#how-long`.
pub fn resolve_internal(target: &str, links: &LinkMap) -> Result<String, String> {
    lookup(target, links).ok_or_else(|| missing_hint(target, links, true))
}

/// `@/faq/_index.md#how-long` as `/faq/#how-long`, when the file exists.
fn lookup(target: &str, links: &LinkMap) -> Option<String> {
    let (file, anchor) = file_and_anchor(target);
    let url = links.get(file)?;
    Some(match anchor {
        Some(a) => format!("{url}#{a}"),
        None => url.clone(),
    })
}

fn file_and_anchor(target: &str) -> (&str, Option<&str>) {
    let rest = target.trim_start_matches("@/");
    match rest.split_once('#') {
        Some((f, a)) => (f, Some(a)),
        None => (rest, None),
    }
}

/// What to write instead of an `@/` target that leads nowhere. It compares the target
/// with every file of the site (`suggest`), so it is asked only for the errors shown.
fn missing_hint(target: &str, links: &LinkMap, suggest: bool) -> String {
    let (file, _) = file_and_anchor(target);
    let found = suggest
        .then(|| nearest(file, links.keys().map(String::as_str)))
        .flatten();
    match found {
        Some(n) => format!("the nearest existing file is `@/{n}`"),
        None => {
            "write the path of a file under content/, e.g. `@/articles/my-article.md`".to_string()
        }
    }
}

/// Renders `body` to HTML. Every `@/` link that points nowhere is reported, not just the
/// first (the first [`crate::diag::SHOWN`] in full, the rest counted).
pub fn render(body: &str, source: &Source, links: &LinkMap) -> Result<Rendered, Vec<Error>> {
    // Sized from the text so that the buffers of a typical page grow at most once (prose
    // makes about one event per 30 bytes, and HTML about 1.1 times the Markdown's size).
    let mut events: Vec<Event> = Vec::with_capacity(body.len() / 20 + 16);
    let mut errors = FileErrors::new(source.path, source.text);
    let mut out = Rendered {
        text: String::with_capacity(body.len()),
        ..Rendered::default()
    };
    let mut ids = UniqueIds::default();
    let mut flat_toc: Vec<(u32, String, String)> = Vec::new();
    let mut heading: Option<(usize, String, usize)> = None;
    let mut depth = 0usize;
    let mut first_paragraph: Option<(usize, Option<usize>)> = None;
    let mut more_at: Option<usize> = None;
    let mut image_alt: Option<usize> = None;
    let mut in_code_block = false;

    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        let offset = source.body_offset + range.start;
        match &event {
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Text(t) if !in_code_block => {
                unparsed_internal_link(t, body, range.start, source, &mut errors);
            }
            _ => {}
        }
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                heading = Some((
                    events.len(),
                    id.as_ref().map(|i| i.to_string()).unwrap_or_default(),
                    offset,
                ));
                events.push(Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }));
                depth += 1;
                continue;
            }
            Event::End(TagEnd::Heading(level)) => {
                depth = depth.saturating_sub(1);
                out.text.push(' ');
                if let Some((start, text, at)) = heading.take() {
                    let explicit = match &events[start] {
                        Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
                        _ => None,
                    };
                    let id = match explicit {
                        Some(e) => ids.claim(e),
                        None => ids.id_for(&text),
                    };
                    if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[start] {
                        *slot = Some(CowStr::from(id.clone()));
                    }
                    let level = level as u32;
                    out.headings.push(HeadingAt {
                        level,
                        id: id.clone(),
                        offset: at,
                    });
                    flat_toc.push((level, id, text.trim().to_string()));
                }
                events.push(Event::End(TagEnd::Heading(level)));
                continue;
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                out.word_count += t.split_whitespace().count();
                out.text.push_str(t);
                if let Some((_, text, _)) = heading.as_mut() {
                    text.push_str(t);
                }
                if image_alt.is_some()
                    && let Some(link) = out.links.last_mut()
                {
                    link.alt.push_str(t);
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let internal = dest_url.starts_with("@/");
                let dest_url = if internal {
                    match lookup(&dest_url, links) {
                        Some(url) => CowStr::from(url),
                        None => {
                            errors.at(offset, || {
                                (
                                    format!("link to `{dest_url}`, which does not exist"),
                                    missing_hint(&dest_url, links, source.suggest),
                                )
                            });
                            dest_url
                        }
                    }
                } else {
                    dest_url
                };
                // Checks read the address within the site; the page gets it under base_path.
                out.links.push(Link {
                    internal,
                    ..Link::at(&dest_url, offset, false)
                });
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: under_base(dest_url, source.base_path),
                    title,
                    id,
                }));
                depth += 1;
                continue;
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                out.links.push(Link::at(&dest_url, offset, true));
                image_alt = Some(depth);
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: under_base(dest_url, source.base_path),
                    title,
                    id,
                }));
                depth += 1;
                continue;
            }
            Event::End(TagEnd::Image) => image_alt = None,
            Event::Start(Tag::Paragraph) if depth == 0 && first_paragraph.is_none() => {
                first_paragraph = Some((events.len(), None));
            }
            Event::End(TagEnd::Paragraph) if depth == 1 => {
                if let Some((_, end @ None)) = first_paragraph.as_mut() {
                    *end = Some(events.len() + 1);
                }
            }
            Event::Html(ref h)
                if depth == 1
                    && more_at.is_none()
                    && h.trim_start().starts_with("<!-- more -->") =>
            {
                // the marker's HTML block starts one event earlier
                more_at = Some(events.len().saturating_sub(1));
            }
            _ => {}
        }
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::SoftBreak | Event::HardBreak => out.text.push(' '),
            _ => {}
        }
        if let Event::End(end) = &event
            && is_block_end(end)
            && !out.text.ends_with(' ')
        {
            out.text.push(' ');
        }
        events.push(event);
    }

    let errors = errors.into_errors();
    if !errors.is_empty() {
        return Err(errors);
    }
    if let Some(end) = more_at {
        out.summary = Some(to_html(&events[..end], end * 40));
    }
    if let Some((start, Some(end))) = first_paragraph {
        out.first_paragraph = Some(to_html(&events[start..end], (end - start) * 40));
    }
    out.toc = nest(flat_toc);
    out.html = to_html(&events, body.len() + body.len() / 8 + 64);
    Ok(out)
}

fn is_block_end(end: &TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Paragraph
            | TagEnd::Item
            | TagEnd::TableCell
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::FootnoteDefinition
    )
}

/// `[text](@/a b.md)` is not a link in Markdown (a space ends the address), so it would be
/// printed as it is: say so instead, since file names with spaces are common.
fn unparsed_internal_link(
    text: &str,
    body: &str,
    start: usize,
    source: &Source,
    errors: &mut FileErrors,
) {
    if !text.starts_with("(@/") || !body.get(..start).is_some_and(|b| b.ends_with(']')) {
        return;
    }
    let target = text[1..].split(')').next().unwrap_or_default();
    errors.at(source.body_offset + start, || {
        (
            format!("`{target}` is not read as a link: Markdown ends an address at a space"),
            format!("put an address with spaces between < and >: [text](<{target}>)"),
        )
    });
}

fn to_html(events: &[Event], capacity: usize) -> String {
    let mut html = String::with_capacity(capacity);
    pulldown_cmark::html::push_html(&mut html, events.iter().cloned());
    html
}

/// Nests a flat list of headings by level, without recursion (headings can be many).
fn nest(flat: Vec<(u32, String, String)>) -> Vec<Heading> {
    let mut roots: Vec<Heading> = Vec::new();
    let mut stack: Vec<Heading> = Vec::new();
    for (level, id, title) in flat {
        let h = Heading {
            level,
            id,
            title,
            children: Vec::new(),
        };
        while stack.last().is_some_and(|top| top.level >= level) {
            let done = stack.pop().expect("checked non-empty");
            attach(&mut stack, &mut roots, done);
        }
        stack.push(h);
    }
    while let Some(done) = stack.pop() {
        attach(&mut stack, &mut roots, done);
    }
    roots
}

fn attach(stack: &mut [Heading], roots: &mut Vec<Heading>, h: Heading) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(h),
        None => roots.push(h),
    }
}

/// Minutes to read `words` at 200 words a minute, at least 1.
pub fn reading_time(words: usize) -> usize {
    words.div_ceil(200).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_str(body: &str) -> Rendered {
        let mut links = LinkMap::new();
        links.insert("articles/kap.md".into(), "/articles/kap/".into());
        links.insert("faq/_index.md".into(), "/faq/".into());
        let source = Source {
            path: Path::new("content/a.md"),
            text: body,
            body_offset: 0,
            base_path: "",
            suggest: true,
        };
        render(body, &source, &links).expect("renders")
    }

    #[test]
    fn renders_tables_footnotes_strikethrough_tasks_and_smart_quotes() {
        let r = render_str(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\nNote[^1]\n\n[^1]: The note.\n\n~~old~~\n\n- [x] done\n\n\"Quoted\" -- dash\n",
        );
        assert!(r.html.contains("<table>"), "{}", r.html);
        assert!(r.html.contains("footnote-reference"), "{}", r.html);
        assert!(r.html.contains("<del>old</del>"), "{}", r.html);
        assert!(r.html.contains("type=\"checkbox\""), "{}", r.html);
        assert!(r.html.contains("“Quoted” – dash"), "{}", r.html);
    }

    #[test]
    fn headings_get_unique_ids_and_a_nested_toc() {
        let r = render_str(
            "## Why ketamine?\n\n### Phase one\n\n### Phase one\n\n## Custom {#mine}\n\n## ...\n",
        );
        assert!(
            r.html
                .contains("<h2 id=\"why-ketamine\">Why ketamine?</h2>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<h3 id=\"phase-one-1\">"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"mine\">Custom</h2>"), "{}", r.html);
        assert_eq!(r.toc.len(), 3);
        assert_eq!(r.toc[0].children.len(), 2);
        assert_eq!(r.toc[0].children[1].id, "phase-one-1");
        assert_eq!(r.toc[2].id, "section");
    }

    #[test]
    fn summary_is_the_part_before_more() {
        let r = render_str("First para.\n\nSecond para.\n\n<!-- more -->\n\nRest.\n");
        let summary = r.summary.unwrap();
        assert!(summary.contains("Second para."), "{summary}");
        assert!(!summary.contains("Rest."), "{summary}");
        assert_eq!(r.first_paragraph.as_deref(), Some("<p>First para.</p>\n"));
    }

    #[test]
    fn no_summary_without_marker() {
        let r = render_str("> quoted\n\nText here.\n");
        assert!(r.summary.is_none());
        assert_eq!(r.first_paragraph.as_deref(), Some("<p>Text here.</p>\n"));
    }

    #[test]
    fn keeps_plain_text_with_block_breaks() {
        let r = render_str("## Title\n\nOne *two*\nthree.\n\n- four\n- five\n");
        assert_eq!(r.text.trim(), "Title One two three. four five");
    }

    #[test]
    fn counts_words() {
        let r = render_str("One two three.\n\n- four\n- five\n");
        assert_eq!(r.word_count, 5);
        assert_eq!(reading_time(0), 1);
        assert_eq!(reading_time(201), 2);
    }

    #[test]
    fn resolves_internal_links_with_anchors() {
        let r = render_str("[a](@/articles/kap.md) and [b](@/faq/_index.md#how-long)\n");
        assert!(r.html.contains("href=\"/articles/kap/\""), "{}", r.html);
        assert!(r.html.contains("href=\"/faq/#how-long\""), "{}", r.html);
    }

    #[test]
    fn root_relative_links_and_images_get_the_base_path() {
        let links: LinkMap = [("articles/kap.md".to_string(), "/articles/kap/".to_string())].into();
        let body =
            "[a](@/articles/kap.md) [b](/faq/) [c](faq/) [d](//cdn.example/x) ![e](/img/x.png)\n";
        let source = Source {
            path: Path::new("content/a.md"),
            text: body,
            body_offset: 0,
            base_path: "/site",
            suggest: true,
        };
        let r = render(body, &source, &links).unwrap();
        for href in [
            "href=\"/site/articles/kap/\"",
            "href=\"/site/faq/\"",
            "href=\"faq/\"",
            "href=\"//cdn.example/x\"",
            "src=\"/site/img/x.png\"",
        ] {
            assert!(r.html.contains(href), "{href} in {}", r.html);
        }
        // checks read the address within the site
        assert_eq!(r.links[0].url, "/articles/kap/");
        assert_eq!(r.links[4].url, "/img/x.png");
    }

    #[test]
    fn headings_know_their_level_and_place_in_the_file() {
        let r = render_str("Intro\n\n## A\n\n#### B\n\nSetext\n------\n");
        let found: Vec<(u32, usize)> = r.headings.iter().map(|h| (h.level, h.offset)).collect();
        assert_eq!(found, vec![(2, 7), (4, 13), (2, 21)]);
    }

    #[test]
    fn missing_internal_link_names_line_and_nearest_file() {
        let body = "Intro.\n\nSee [this](@/articles/kapp.md).\n";
        let links: LinkMap = [("articles/kap.md".to_string(), "/articles/kap/".to_string())].into();
        let text = format!("+++\ntitle = \"x\"\n+++\n{body}");
        let source = Source {
            path: Path::new("content/a.md"),
            text: &text,
            body_offset: 20,
            base_path: "",
            suggest: true,
        };
        let errors = render(body, &source, &links).unwrap_err();
        let e = errors[0].to_string();
        assert!(
            e.starts_with("content/a.md:6:5: link to `@/articles/kapp.md`, which does not exist"),
            "{e}"
        );
        assert!(e.contains("`@/articles/kap.md`"), "{e}");
    }

    #[test]
    fn raw_html_passes_through() {
        let r = render_str("<div class=\"note\">Hi</div>\n");
        assert!(r.html.contains("<div class=\"note\">Hi</div>"));
    }

    #[test]
    fn deeply_nested_input_does_not_overflow() {
        let body = "> ".repeat(10_000) + "deep\n";
        let r = render_str(&body);
        assert!(r.html.contains("deep"));
        let list: String = (0..5_000)
            .map(|i| format!("{}- x\n", "  ".repeat(i)))
            .collect();
        let r = render_str(&list);
        assert!(r.html.contains("<li>"));
    }

    #[test]
    fn huge_and_repeated_input_is_rendered_in_one_pass() {
        let start = std::time::Instant::now();
        // 20,000 broken links on one line: the first 20 in full, positioned, then a count
        let links: Vec<&str> = vec!["[x](@/articles/kapp.md)"; 20_000];
        let body = links.join(" ");
        let source = Source {
            path: Path::new("content/a.md"),
            text: &body,
            body_offset: 0,
            base_path: "",
            suggest: true,
        };
        let errors = render(&body, &source, &LinkMap::new()).unwrap_err();
        assert_eq!(errors.len(), crate::diag::SHOWN + 1);
        assert!(
            errors[19]
                .to_string()
                .starts_with("content/a.md:1:457: link to `@/articles/kapp.md`"),
            "{}",
            errors[19]
        );
        assert!(errors[19].to_string().len() < 500, "the line is cut");
        assert_eq!(errors[20].count(), 19_980);

        // 20,000 headings of one name: distinct ids in order
        let r = render_str(&"## Same\n\n".repeat(20_000));
        assert_eq!(r.headings.len(), 20_000);
        assert_eq!(r.headings[19_999].id, "same-19999");
        assert_eq!(r.toc.len(), 20_000);

        // 20,000 links with spaces that Markdown does not read as links: counted too
        let r = render(&"[a](@/a b.md) ".repeat(20_000), &source, &LinkMap::new());
        assert_eq!(r.unwrap_err().len(), crate::diag::SHOWN + 1);

        // 1 MB of unclosed brackets, emphasis and backticks
        for piece in ["[", "*a", "`", "<a ", "![", "[^x]"] {
            let r = render_str(&piece.repeat(1_000_000 / piece.len()));
            assert!(!r.html.is_empty(), "{piece}");
        }
        // about a second; work per link or heading that grew with the page took minutes
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
    }
}
