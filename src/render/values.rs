//! What templates see of the site, as typed values: each struct here is one object of the
//! template context (docs/templates.md lists their fields), serialized for Tera. The
//! light page value is made once per page and kept; the rest are made per render.

use serde::Serialize;
use serde_json::Value;

use crate::content::{Kind, Meta, Page, Section};
use crate::markdown::{self, Heading};
use crate::render::jobs::{pager_items, pager_url};
use crate::site::{Site, Tag};
use crate::slugs;

/// A page as lists and functions show it: everything but its content and table of contents.
#[derive(Serialize)]
struct LightPage<'a> {
    /// Every front matter field, as `content/fields.rs` defines them; the values below
    /// are made from them and the site, and win over a field of the same name.
    #[serde(flatten)]
    meta: &'a Meta,
    kind: Kind,
    date_rfc3339: Option<&'a str>,
    updated_rfc3339: Option<&'a str>,
    date_display: Option<&'a str>,
    updated_display: Option<&'a str>,
    slug: &'a str,
    path: &'a str,
    url: String,
    permalink: String,
    relative_path: &'a str,
    section: &'a str,
    summary: String,
    word_count: usize,
    reading_time: usize,
    tags: Vec<TagLink<'a>>,
    initials: String,
}

/// What a page shows of another page it links to (neighbours, related entries).
#[derive(Serialize)]
struct PageLink<'a> {
    title: &'a str,
    path: &'a str,
    url: String,
    permalink: String,
    description: &'a str,
}

/// A page rendered on its own: its light value, and these.
#[derive(Serialize)]
struct PageExtras<'a> {
    content: &'a str,
    toc: &'a [Heading],
    aliases: &'a [String],
    related: Vec<PageLink<'a>>,
    related_faq: Vec<PageLink<'a>>,
    lower: Option<PageLink<'a>>,
    higher: Option<PageLink<'a>>,
    ancestors: Vec<SectionLink<'a>>,
}

#[derive(Serialize)]
struct TagLink<'a> {
    name: &'a str,
    slug: &'a str,
    path: &'a str,
    url: String,
    permalink: String,
}

#[derive(Serialize)]
struct TagValue<'a> {
    #[serde(flatten)]
    link: TagLink<'a>,
    count: usize,
}

#[derive(Serialize)]
struct Taxonomy<'a> {
    name: &'static str,
    path: &'static str,
    url: String,
    permalink: String,
    items: Vec<TagValue<'a>>,
}

#[derive(Serialize)]
struct SectionLink<'a> {
    title: &'a str,
    path: &'a str,
    url: String,
    permalink: String,
}

/// A section without its pages (lists add the ones they show).
#[derive(Serialize)]
struct SectionBase<'a> {
    /// Its front matter fields, as `content/fields.rs` defines them.
    #[serde(flatten)]
    meta: &'a Meta,
    path: &'a str,
    url: String,
    permalink: String,
    relative_path: &'a str,
    subsections: Vec<SectionLink<'a>>,
    content: &'a str,
}

/// One list page of a paginated list; its links are root-relative URLs.
#[derive(Serialize)]
struct Paginator {
    current_index: usize,
    number_pagers: usize,
    paginate_by: usize,
    total_pages: usize,
    first: String,
    last: String,
    previous: Option<String>,
    next: Option<String>,
}

fn to_value(v: impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn tag_link<'a>(site: &Site, t: &'a Tag) -> TagLink<'a> {
    TagLink {
        name: &t.name,
        slug: &t.slug,
        path: &t.path,
        url: site.url(&t.path),
        permalink: site.permalink(&t.path),
    }
}

fn page_link<'a>(site: &Site, q: &'a Page) -> PageLink<'a> {
    PageLink {
        title: &q.meta.title,
        path: &q.path,
        url: site.url(&q.path),
        permalink: site.permalink(&q.path),
        description: &q.meta.description,
    }
}

fn section_link<'a>(site: &Site, s: &'a Section, title: &'a str) -> SectionLink<'a> {
    SectionLink {
        title,
        path: &s.path,
        url: site.url(&s.path),
        permalink: site.permalink(&s.path),
    }
}

/// The light value of page `p`, made once per page and kept by the renderer.
pub fn light_page(site: &Site, p: &Page) -> Value {
    let m = &p.meta;
    let tags = m
        .tags
        .iter()
        .filter_map(|name| site.tag(name))
        .map(|t| tag_link(site, t))
        .collect();
    to_value(LightPage {
        meta: m,
        kind: p.kind,
        date_rfc3339: m.date.as_ref().map(|d| d.rfc3339.as_str()),
        updated_rfc3339: m.updated.as_ref().map(|d| d.rfc3339.as_str()),
        date_display: m.date.as_ref().map(|d| d.display.as_str()),
        updated_display: m.updated.as_ref().map(|d| d.display.as_str()),
        slug: &p.slug,
        path: &p.path,
        url: site.url(&p.path),
        permalink: site.permalink(&p.path),
        relative_path: &p.doc.relative_path,
        section: &p.section,
        summary: p.summary(),
        word_count: p.doc.rendered.word_count,
        reading_time: markdown::reading_time(p.doc.rendered.word_count),
        tags,
        initials: p.initials(),
    })
}

/// A light value with the page's content: what a section lists.
pub fn with_content(light: &Value, page: &Page) -> Value {
    let mut v = light.clone();
    v["content"] = Value::String(page.doc.rendered.html.clone());
    v
}

/// What a page shows of itself and of the pages it names; no neighbours, and no FAQ
/// entries that name it.
fn own_extras<'a>(site: &'a Site, p: &'a Page) -> PageExtras<'a> {
    PageExtras {
        content: &p.doc.rendered.html,
        toc: &p.doc.rendered.toc,
        aliases: &p.meta.aliases,
        related: p
            .meta
            .related
            .iter()
            .filter_map(|r| site.page_index.get(crate::content::content_path(r)))
            .map(|&j| page_link(site, &site.pages[j]))
            .collect(),
        related_faq: Vec::new(),
        lower: None,
        higher: None,
        ancestors: ancestors(site, site.section_index.get(&p.section).copied()),
    }
}

/// Page `i` rendered on its own. `position`: its place in its section's order.
pub fn full_page(site: &Site, light: &Value, i: usize, position: Option<usize>) -> Value {
    placed_page(site, light.clone(), &site.pages[i], i, position)
}

/// `p` at the place of page `i` (its neighbours, the FAQ entries that name it).
fn placed_page(site: &Site, light: Value, p: &Page, i: usize, position: Option<usize>) -> Value {
    let siblings = &site.section_of(p).pages;
    let link = |j: usize| page_link(site, &site.pages[j]);
    let mut extras = own_extras(site, p);
    extras.related_faq = site
        .related_faq
        .get(&i)
        .map(|l| l.iter().map(|&j| link(j)).collect())
        .unwrap_or_default();
    extras.lower = position
        .and_then(|k| k.checked_sub(1))
        .map(|k| link(siblings[k]));
    extras.higher = position.and_then(|k| siblings.get(k + 1)).map(|&j| link(j));
    merge(light, to_value(extras))
}

/// A page read from unsaved text, as its own page will show it once saved: at the place
/// of the published page `existing` (at `position` in its section), or on its own. A
/// page that is not a draft shows each of its topics, the new ones at the address their
/// page will have; a draft, as its page in the preview does, only those the site has.
pub fn unsaved_page(
    site: &Site,
    p: &Page,
    existing: Option<usize>,
    position: Option<usize>,
    draft: bool,
) -> Value {
    let mut light = light_page(site, p);
    if !draft {
        light["tags"] = Value::Array(tags_once_saved(site, &p.meta.tags));
    }
    match existing {
        Some(i) => placed_page(site, light, p, i, position),
        None => merge(light, to_value(own_extras(site, p))),
    }
}

/// The topics `names` as a page shows them once saved: the site's own, or new ones at the
/// address a build gives them (one per slug, as the build groups them).
fn tags_once_saved(site: &Site, names: &[String]) -> Vec<Value> {
    let mut seen = std::collections::HashSet::new();
    names
        .iter()
        .filter(|name| seen.insert(slugs::slugify(name)))
        .map(|name| match site.tag(name) {
            Some(t) => to_value(tag_link(site, t)),
            None => {
                let slug = slugs::slugify(name);
                let path = format!("/tags/{slug}/");
                to_value(TagLink {
                    name,
                    slug: &slug,
                    url: site.url(&path),
                    permalink: site.permalink(&path),
                    path: &path,
                })
            }
        })
        .collect()
}

/// Section `s` (one of the site's, or one read from unsaved text with the pages and
/// subsections of the one it replaces), with its pages as for [`section`].
pub fn section_of(site: &Site, s: &Section, pages: Option<Vec<Value>>) -> Value {
    let mut v = section_base(site, s);
    v["pages"] = Value::Array(pages.unwrap_or_default());
    v["ancestors"] = to_value(ancestors(site, s.parent));
    v
}

/// A draft rendered on its own in the preview: nothing of the published site points to
/// it, so it has no neighbours and no FAQ entries name it.
pub fn draft_page(site: &Site, p: &Page) -> Value {
    merge(light_page(site, p), to_value(own_extras(site, p)))
}

/// Section `i`, with its pages (with their content) when `pages` are given.
pub fn section(site: &Site, i: usize, pages: Option<Vec<Value>>) -> Value {
    section_of(site, &site.sections[i], pages)
}

/// A section as `get_section` returns it before its pages are added.
pub fn section_base(site: &Site, s: &Section) -> Value {
    to_value(SectionBase {
        meta: &s.meta,
        path: &s.path,
        url: site.url(&s.path),
        permalink: site.permalink(&s.path),
        relative_path: &s.doc.relative_path,
        subsections: s
            .subsections
            .iter()
            .map(|&j| {
                let sub = &site.sections[j];
                section_link(site, sub, &sub.meta.title)
            })
            .collect(),
        content: &s.doc.rendered.html,
    })
}

/// The sections above `section` (home first), as breadcrumbs show them.
fn ancestors(site: &Site, section: Option<usize>) -> Vec<SectionLink<'_>> {
    site.ancestors(section)
        .into_iter()
        .map(|j| {
            let s = &site.sections[j];
            let title = if s.doc.relative_path == "_index.md" {
                "Home"
            } else {
                s.meta.title.as_str()
            };
            section_link(site, s, title)
        })
        .collect()
}

/// List page `pager` of `pages`, `by` to a page, for a list at `base`.
pub fn paginator(
    site: &Site,
    light: &[Value],
    pages: &[usize],
    by: usize,
    pager: usize,
    base: &str,
) -> Value {
    let count = crate::render::jobs::pager_count(pages.len(), Some(by));
    let url = |n: usize| site.url(&pager_url(base, n));
    let items: Vec<Value> = pages[pager_items(pages.len(), Some(by), pager)]
        .iter()
        .map(|&i| light[i].clone())
        .collect();
    // The pages go in as they are: serializing them with the rest would copy each again.
    let mut v = to_value(Paginator {
        current_index: pager + 1,
        number_pagers: count,
        paginate_by: by,
        total_pages: pages.len(),
        first: url(0),
        last: url(count - 1),
        previous: (pager > 0).then(|| url(pager - 1)),
        next: (pager + 1 < count).then(|| url(pager + 1)),
    });
    v["pages"] = Value::Array(items);
    v
}

/// A tag with its count; its `pages` are set by the list page that shows it.
pub fn tag(site: &Site, t: &Tag) -> Value {
    to_value(TagValue {
        link: tag_link(site, t),
        count: t.pages.len(),
    })
}

/// Every tag, for `/tags/` and `get_taxonomy`.
pub fn taxonomy(site: &Site) -> Value {
    to_value(Taxonomy {
        name: "tags",
        path: "/tags/",
        url: site.url("/tags/"),
        permalink: site.permalink("/tags/"),
        items: site
            .tags
            .iter()
            .map(|t| TagValue {
                link: tag_link(site, t),
                count: t.pages.len(),
            })
            .collect(),
    })
}

/// `a` with the fields of `b` added (both JSON objects).
fn merge(mut a: Value, b: Value) -> Value {
    if let (Value::Object(into), Value::Object(from)) = (&mut a, b) {
        into.extend(from);
    }
    a
}

/// JSON that can sit inside `<script>`: `<`, `>`, `&` and line separators are escaped.
pub fn json_for_script(value: &Value) -> String {
    let s = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
    s.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_for_script_cannot_close_the_script() {
        let v = json!({ "name": "</script><script>alert(1)</script> & \u{2028}" });
        let s = json_for_script(&v);
        assert!(!s.contains("</script>"), "{s}");
        assert!(!s.contains('<') && !s.contains('&'), "{s}");
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn merging_adds_fields() {
        assert_eq!(
            merge(json!({"a": 1}), json!({"b": 2, "a": 3})),
            json!({"a": 3, "b": 2})
        );
    }
}
