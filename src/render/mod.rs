//! Rendering with Tera: loads the theme's and the site's templates, builds each output's
//! context from the site model, and registers grove's functions and filters.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde_json::{Map, Value, json};
use tera::{Context, Tera};

use crate::content::{Kind, Page, Section, escape_html};
use crate::diag::{Error, Result, Shown};
use crate::fs::{Roots, Skip, display_join, read_text, walk};
use crate::markdown::{self, LinkMap};
use crate::site::Site;

/// One file the build writes, and what produces it.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// URL path, e.g. `/articles/x/` or `/404.html`.
    pub url: String,
    pub what: What,
}

/// What a [`Job`] renders.
#[derive(Debug, Clone, PartialEq)]
pub enum What {
    Page(usize),
    Section { section: usize, pager: usize },
    TagList,
    Tag { tag: usize, pager: usize },
    NotFound,
    Alias { target: String },
}

impl Job {
    /// The output file for this job, relative to the output folder.
    pub fn file(&self) -> String {
        url_to_file(&self.url)
    }
}

/// `/a/b/` -> `a/b/index.html`; `/404.html` -> `404.html`.
pub fn url_to_file(url: &str) -> String {
    let rel = url.trim_start_matches('/');
    if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    }
}

/// Tera, loaded with the site's templates and grove's functions, plus precomputed values.
pub struct Renderer {
    tera: Tera,
    config: Value,
    /// Light page objects (no content, no toc), by page index.
    light: Arc<Vec<Value>>,
    /// Each page's place in its section's order, so `lower`/`higher` need no scan of the
    /// section (a scan per page is quadratic on a large section).
    positions: Vec<Option<usize>>,
    /// Template name -> the file it came from, for error messages.
    sources: HashMap<String, PathBuf>,
    /// How many templates were rendered: a regression guard for incremental rebuilds.
    pub renders: std::sync::atomic::AtomicUsize,
}

/// Where a site's templates come from: the theme's first, then the site's own (which win).
pub fn template_dirs(site_root: &Path, theme_dir: Option<PathBuf>) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(t) = theme_dir {
        dirs.push(t.join("templates"));
    }
    dirs.push(display_join(site_root, "templates"));
    dirs
}

/// Folders whose files are copied as they are, in order (later ones win).
pub fn static_dirs(site: &Site) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(t) = site.config.theme_dir(&site.root) {
        dirs.push(t.join("static"));
    }
    dirs.push(display_join(&site.root, "static"));
    dirs
}

fn load_templates(dirs: &[PathBuf], roots: &Roots) -> Result<(Tera, HashMap<String, PathBuf>)> {
    let mut sources: HashMap<String, PathBuf> = HashMap::new();
    let mut texts: HashMap<String, String> = HashMap::new();
    for dir in dirs {
        for file in walk(dir, roots, Skip::Files)? {
            texts.insert(file.rel.clone(), read_text(&file.path)?);
            sources.insert(file.rel, file.path);
        }
    }
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".htm", ".xml"]);
    // Tera's default also escapes `/`, which turns every URL into `&#x2F;` soup.
    tera.set_escape_fn(escape_for_tera);
    let mut list: Vec<(String, String)> = texts.into_iter().collect();
    list.sort();
    tera.add_raw_templates(list).map_err(|e| {
        let message = tera_message(&e);
        let template = sources
            .iter()
            .find(|(name, _)| message.contains(&format!("'{name}'")))
            .map(|(_, p)| p.shown())
            .unwrap_or_else(|| "templates".into());
        Error::Template {
            template,
            page: None,
            message,
        }
    })?;
    Ok((tera, sources))
}

fn escape_for_tera(s: &str) -> String {
    escape_html(s)
}

/// Tera's whole error chain on one line: the top message alone is rarely the useful part.
pub fn tera_message(e: &tera::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

impl Renderer {
    /// Loads the templates and precomputes the values every template can reach.
    pub fn new(site: &Site) -> Result<Renderer> {
        let dirs = template_dirs(&site.root, site.config.theme_dir(&site.root));
        let (mut tera, sources) = load_templates(&dirs, &site.roots)?;
        let tag_links = tag_links(site);
        let light: Arc<Vec<Value>> = Arc::new(
            site.pages
                .par_iter()
                .map(|p| light_page(site, p, &tag_links))
                .collect(),
        );
        let mut positions = vec![None; site.pages.len()];
        for s in &site.sections {
            for (k, &j) in s.pages.iter().enumerate() {
                positions[j] = Some(k);
            }
        }
        register(&mut tera, site, &light);
        let config = serde_json::to_value(&site.config).unwrap_or(Value::Null);
        Ok(Renderer {
            tera,
            config,
            light,
            positions,
            sources,
            renders: Default::default(),
        })
    }

    /// For the preview server: after `pages` were re-read in place (same URLs, same order
    /// and grouping), recomputes their values. The templates and every other page's values
    /// are kept, so a save costs the pages it touched, not the whole site.
    pub fn refresh_pages(&mut self, site: &Site, pages: &[usize]) {
        let tag_links = tag_links(site);
        // The functions hold the light values too: registering placeholders first lets
        // go of those references, so the values are updated in place rather than copied.
        register(&mut self.tera, site, &Arc::new(Vec::new()));
        let light = Arc::make_mut(&mut self.light);
        for &i in pages {
            light[i] = light_page(site, &site.pages[i], &tag_links);
        }
        register(&mut self.tera, site, &self.light);
    }

    /// True when a template of that name exists (theme or site).
    pub fn has_template(&self, name: &str) -> bool {
        self.tera.get_template_names().any(|n| n == name)
    }

    /// Every file the site produces from templates, in a stable order.
    pub fn jobs(&self, site: &Site) -> Vec<Job> {
        let mut jobs = Vec::new();
        for (i, s) in site.sections.iter().enumerate() {
            for pager in 0..pager_count(s) {
                jobs.push(Job {
                    url: pager_url(&s.path, pager),
                    what: What::Section { section: i, pager },
                });
            }
        }
        for (i, p) in site.pages.iter().enumerate() {
            jobs.push(Job {
                url: p.path.clone(),
                what: What::Page(i),
            });
            for alias in &p.meta.aliases {
                jobs.push(Job {
                    url: crate::site::normalize_alias(alias),
                    what: What::Alias {
                        target: site.permalink(&p.path),
                    },
                });
            }
        }
        if !site.tags.is_empty() {
            jobs.push(Job {
                url: "/tags/".into(),
                what: What::TagList,
            });
            for (i, t) in site.tags.iter().enumerate() {
                let n = t.pages.len().div_ceil(site.config.tags_paginate_by).max(1);
                for pager in 0..n {
                    jobs.push(Job {
                        url: pager_url(&t.path, pager),
                        what: What::Tag { tag: i, pager },
                    });
                }
            }
        }
        if self.has_template("404.html") {
            jobs.push(Job {
                url: "/404.html".into(),
                what: What::NotFound,
            });
        }
        jobs
    }

    /// Fails when a template that some content needs is missing, naming that content.
    pub fn check_templates(&self, site: &Site) -> Result<()> {
        let mut errors = Vec::new();
        let mut need = |name: &str, file: &Path| {
            if !self.has_template(name) {
                errors.push(Error::file(file, format!("needs the template `{name}`, which neither the theme nor templates/ has"))
                    .with_help(format!("add templates/{name}, or check `theme` in config.toml")));
            }
        };
        for s in &site.sections {
            need(&section_template(s), &s.file);
        }
        for p in &site.pages {
            need(page_template(p), &p.file);
        }
        if let Some(t) = site.tags.first() {
            let file = &site.pages[t.pages[0]].file;
            need("tags/list.html", file);
            need("tags/single.html", file);
        }
        errors.dedup_by(|a, b| a.to_string() == b.to_string());
        Error::collect(errors)
    }

    /// Renders one job to HTML.
    pub fn render(&self, site: &Site, job: &Job) -> Result<String> {
        if let What::Alias { target } = &job.what {
            return Ok(alias_page(target));
        }
        // The values are moved into the context: `Context::insert` would serialize (deep
        // copy) each one again, and on list pages that copy is most of the render's cost.
        let mut ctx = Map::new();
        ctx.insert("config".into(), self.config.clone());
        ctx.insert("current_path".into(), Value::String(job.url.clone()));
        ctx.insert(
            "current_url".into(),
            Value::String(site.permalink(&job.url)),
        );
        ctx.insert(
            "grove_version".into(),
            Value::String(env!("CARGO_PKG_VERSION").into()),
        );
        let (template, file): (String, Option<&Path>) = match &job.what {
            What::Page(i) => {
                let p = &site.pages[*i];
                ctx.insert("page".into(), self.full_page(site, *i));
                (page_template(p).to_string(), Some(&p.file))
            }
            What::Section { section, pager } => {
                let s = &site.sections[*section];
                let paginated = s.paginate_by.is_some();
                ctx.insert(
                    "section".into(),
                    self.section_value(site, *section, !paginated),
                );
                if let Some(by) = s.paginate_by {
                    ctx.insert(
                        "paginator".into(),
                        self.paginator(site, &s.pages, by, *pager, &s.path),
                    );
                }
                (section_template(s), Some(&s.file))
            }
            What::TagList => {
                ctx.insert("taxonomy".into(), taxonomy_value(site));
                ("tags/list.html".into(), None)
            }
            What::Tag { tag, pager } => {
                let t = &site.tags[*tag];
                let by = site.config.tags_paginate_by;
                let paginator = self.paginator(site, &t.pages, by, *pager, &t.path);
                // Only this list page's articles: with all of them, every list page of a
                // tag would copy the whole tag (quadratic: 4x Hugo's time at 10,000 pages).
                let mut term = tag_value(site, t);
                term["pages"] = paginator["pages"].clone();
                ctx.insert("term".into(), term);
                ctx.insert("paginator".into(), paginator);
                ("tags/single.html".into(), None)
            }
            What::NotFound => ("404.html".into(), None),
            What::Alias { .. } => unreachable!("handled above"),
        };
        let ctx = Context::from_value(Value::Object(ctx)).map_err(|e| Error::Template {
            template: template.clone(),
            page: file.map(|f| f.shown()),
            message: tera_message(&e),
        })?;
        self.renders
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.tera
            .render(&template, &ctx)
            .map_err(|e| Error::Template {
                template: self
                    .sources
                    .get(&template)
                    .map(|p| p.shown())
                    .unwrap_or(template.clone()),
                page: file.map(|f| f.shown()),
                message: tera_message(&e),
            })
    }

    /// Light page objects of `pages`, in that order.
    fn light_list(&self, pages: &[usize]) -> Value {
        Value::Array(pages.iter().map(|&i| self.light[i].clone()).collect())
    }

    fn list_page(&self, site: &Site, i: usize) -> Value {
        let mut v = self.light[i].clone();
        v["content"] = Value::String(site.pages[i].rendered.html.clone());
        v
    }

    fn full_page(&self, site: &Site, i: usize) -> Value {
        let p = &site.pages[i];
        let mut v = self.list_page(site, i);
        let link = |j: usize| {
            let q = &site.pages[j];
            json!({ "title": q.meta.title, "path": q.path, "url": site.url(&q.path), "permalink": site.permalink(&q.path), "description": q.meta.description })
        };
        v["toc"] = serde_json::to_value(&p.rendered.toc).unwrap_or(Value::Null);
        v["aliases"] = json!(p.meta.aliases);
        v["related"] = Value::Array(
            p.meta
                .related
                .iter()
                .filter_map(|r| site.page_index.get(crate::content::content_path(r)))
                .map(|&j| link(j))
                .collect(),
        );
        v["related_faq"] = Value::Array(
            site.related_faq
                .get(&i)
                .map(|l| l.iter().map(|&j| link(j)).collect())
                .unwrap_or_default(),
        );
        let siblings = &site.section_of(p).pages;
        let at = self.positions[i];
        v["lower"] = at
            .and_then(|k| k.checked_sub(1))
            .map(|k| link(siblings[k]))
            .unwrap_or(Value::Null);
        v["higher"] = at
            .and_then(|k| siblings.get(k + 1))
            .map(|&j| link(j))
            .unwrap_or(Value::Null);
        v["ancestors"] =
            ancestors_value(site, site.ancestors(Some(site.section_index[&p.section])));
        v
    }

    fn section_value(&self, site: &Site, i: usize, with_pages: bool) -> Value {
        let s = &site.sections[i];
        let pages: Vec<Value> = if with_pages {
            s.pages.iter().map(|&j| self.list_page(site, j)).collect()
        } else {
            Vec::new()
        };
        let mut v = section_base(site, s);
        v["pages"] = Value::Array(pages);
        v["content"] = Value::String(s.rendered.html.clone());
        v["ancestors"] = ancestors_value(site, site.ancestors(s.parent));
        v
    }

    /// The list page `pager` of `pages`; its links are root-relative URLs (`base_path` first).
    fn paginator(
        &self,
        site: &Site,
        pages: &[usize],
        by: usize,
        pager: usize,
        base: &str,
    ) -> Value {
        let count = pages.len().div_ceil(by).max(1);
        let slice = pages.get(pager * by..).unwrap_or_default();
        let url = |n: usize| Value::String(site.url(&pager_url(base, n)));
        json!({
            "pages": self.light_list(&slice[..slice.len().min(by)]),
            "current_index": pager + 1,
            "number_pagers": count,
            "paginate_by": by,
            "total_pages": pages.len(),
            "first": url(0),
            "last": url(count - 1),
            "previous": if pager > 0 { url(pager - 1) } else { Value::Null },
            "next": if pager + 1 < count { url(pager + 1) } else { Value::Null },
        })
    }
}

fn pager_count(s: &Section) -> usize {
    match s.paginate_by {
        Some(by) => s.pages.len().div_ceil(by).max(1),
        None => 1,
    }
}

/// URL of list page `pager` (0-based) of a list at `base`: page 1 is `base` itself.
pub fn pager_url(base: &str, pager: usize) -> String {
    if pager == 0 {
        base.to_string()
    } else {
        format!("{base}page/{}/", pager + 1)
    }
}

fn page_template(p: &Page) -> &str {
    match (&p.meta.template, p.kind) {
        (Some(t), Kind::Page) => t,
        _ => p.kind.template(),
    }
}

fn section_template(s: &Section) -> String {
    match &s.template {
        Some(t) => t.clone(),
        None if s.relative_path == "_index.md" => "index.html".into(),
        None => "section.html".into(),
    }
}

/// Each tag's link object by slug, made once rather than once per page that carries it.
fn tag_links(site: &Site) -> HashMap<&str, Value> {
    site.tags
        .iter()
        .map(|t| (t.slug.as_str(), tag_link(site, t)))
        .collect()
}

/// `tag_links`: from [`tag_links`].
fn light_page(site: &Site, p: &Page, tag_links: &HashMap<&str, Value>) -> Value {
    let m = &p.meta;
    let tags: Vec<Value> = m
        .tags
        .iter()
        .filter_map(|name| tag_links.get(crate::slugs::slugify(name).as_str()))
        .cloned()
        .collect();
    json!({
        "kind": p.kind,
        "title": m.title,
        "description": m.description,
        "date": m.date.as_ref().map(|d| &d.iso),
        "updated": m.updated.as_ref().map(|d| &d.iso),
        "date_rfc3339": m.date.as_ref().map(|d| &d.rfc3339),
        "updated_rfc3339": m.updated.as_ref().map(|d| &d.rfc3339),
        "date_display": m.date.as_ref().map(|d| &d.display),
        "updated_display": m.updated.as_ref().map(|d| &d.display),
        "draft": m.draft,
        "slug": p.slug,
        "path": p.path,
        "url": site.url(&p.path),
        "permalink": site.permalink(&p.path),
        "relative_path": p.relative_path,
        "section": p.section,
        "summary": p.summary(),
        "word_count": p.rendered.word_count,
        "reading_time": markdown::reading_time(p.rendered.word_count),
        "tags": tags,
        "weight": m.weight,
        "name": m.name,
        "credentials": m.credentials,
        "role": m.role,
        "photo": m.photo,
        "image": m.image,
        "image_alt": m.image_alt,
        "languages": m.languages,
        "initials": p.initials(),
        "extra": m.extra,
    })
}

fn tag_link(site: &Site, t: &crate::site::Tag) -> Value {
    json!({ "name": t.name, "slug": t.slug, "path": t.path, "url": site.url(&t.path), "permalink": site.permalink(&t.path) })
}

fn tag_value(site: &Site, t: &crate::site::Tag) -> Value {
    let mut v = tag_link(site, t);
    v["count"] = json!(t.pages.len());
    v
}

fn taxonomy_value(site: &Site) -> Value {
    json!({
        "name": "tags",
        "path": "/tags/",
        "url": site.url("/tags/"),
        "permalink": site.permalink("/tags/"),
        "items": site.tags.iter().map(|t| tag_value(site, t)).collect::<Vec<_>>(),
    })
}

fn section_base(site: &Site, s: &Section) -> Value {
    json!({
        "title": s.title,
        "description": s.description,
        "path": s.path,
        "url": site.url(&s.path),
        "permalink": site.permalink(&s.path),
        "relative_path": s.relative_path,
        "extra": s.extra,
        "sort_by": s.sort_by,
        "paginate_by": s.paginate_by,
        "subsections": s.subsections.iter().map(|&j| {
            let sub = &site.sections[j];
            json!({ "title": sub.title, "path": sub.path, "url": site.url(&sub.path), "permalink": site.permalink(&sub.path) })
        }).collect::<Vec<_>>(),
    })
}

fn ancestors_value(site: &Site, chain: Vec<usize>) -> Value {
    Value::Array(
        chain
            .into_iter()
            .map(|j| {
                let s = &site.sections[j];
                let title = if s.relative_path == "_index.md" {
                    "Home".to_string()
                } else {
                    s.title.clone()
                };
                json!({ "title": title, "path": s.path, "url": site.url(&s.path), "permalink": site.permalink(&s.path) })
            })
            .collect(),
    )
}

/// The page written at an alias: sends browsers and search engines to the new address.
pub fn alias_page(target: &str) -> String {
    let t = escape_html(target);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Moved</title>\n<meta name=\"robots\" content=\"noindex\">\n<link rel=\"canonical\" href=\"{t}\">\n<meta http-equiv=\"refresh\" content=\"0; url={t}\">\n</head>\n<body>\n<p>This page has moved to <a href=\"{t}\">{t}</a>.</p>\n</body>\n</html>\n"
    )
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

fn arg<'a>(args: &'a HashMap<String, Value>, name: &str, function: &str) -> tera::Result<&'a str> {
    args.get(name).and_then(Value::as_str).ok_or_else(|| {
        tera::Error::msg(format!(
            "{function}() needs a text argument `{name}`, e.g. {function}({name}=\"...\")"
        ))
    })
}

fn register(tera: &mut Tera, site: &Site, light: &Arc<Vec<Value>>) {
    tera.register_filter("json_script", |v: &Value, _: &HashMap<String, Value>| {
        Ok(Value::String(json_for_script(v)))
    });

    // Each section without its pages, and the pages' indices: a call copies only the
    // pages it returns (`limit=3` on a 10,000-page section copies 3, not 10,000).
    let mut sections: HashMap<String, (Value, Vec<usize>)> = HashMap::new();
    for s in &site.sections {
        let mut v = section_base(site, s);
        v["content"] = Value::String(s.rendered.html.clone());
        sections.insert(s.relative_path.clone(), (v, s.pages.clone()));
    }
    let sections = Arc::new(sections);
    let section_pages = Arc::clone(light);
    tera.register_function("get_section", move |args: &HashMap<String, Value>| {
        let path = arg(args, "path", "get_section")?;
        let key = crate::content::content_path(path);
        let (base, pages) = sections.get(key).ok_or_else(|| {
            tera::Error::msg(format!("get_section(path=\"{path}\"): no such section (write the path of an _index.md under content/, e.g. \"articles/_index.md\")"))
        })?;
        let limit = args
            .get("limit")
            .and_then(Value::as_u64)
            .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
        let mut v = base.clone();
        v["pages"] = Value::Array(
            pages
                .iter()
                .take(limit)
                .map(|&j| section_pages[j].clone())
                .collect(),
        );
        Ok(v)
    });

    let pages: Arc<HashMap<String, usize>> = Arc::new(site.page_index.clone());
    let light_pages = Arc::clone(light);
    tera.register_function("get_page", move |args: &HashMap<String, Value>| {
        let path = arg(args, "path", "get_page")?;
        let key = crate::content::content_path(path);
        pages
            .get(key)
            .map(|&i| light_pages[i].clone())
            .ok_or_else(|| tera::Error::msg(format!("get_page(path=\"{path}\"): no such page")))
    });

    let taxonomy = taxonomy_value(site);
    tera.register_function("get_taxonomy", move |args: &HashMap<String, Value>| {
        let kind = arg(args, "kind", "get_taxonomy")?;
        if kind == "tags" {
            Ok(taxonomy.clone())
        } else {
            Err(tera::Error::msg(format!(
                "get_taxonomy(kind=\"{kind}\"): the only taxonomy is \"tags\""
            )))
        }
    });

    let get_url = GetUrl {
        links: site.links.clone(),
        base_url: site.config.base_url.clone(),
        base_path: site.config.base_path.clone(),
        static_dirs: static_dirs(site),
        hashes: Mutex::new(HashMap::new()),
    };
    tera.register_function("get_url", move |args: &HashMap<String, Value>| {
        get_url.call(args)
    });
}

struct GetUrl {
    links: LinkMap,
    base_url: String,
    base_path: String,
    static_dirs: Vec<PathBuf>,
    hashes: Mutex<HashMap<String, String>>,
}

impl GetUrl {
    /// `get_url(path=...)`: a root-relative URL (with `base_path`) that works on any host,
    /// or with `absolute=true` the full address for places that need one (canonical
    /// links, `og:image`, JSON-LD). `@/` names a content file; `http(s)://` is kept.
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let path = arg(args, "path", "get_url")?;
        if path.starts_with("http://") || path.starts_with("https://") {
            return Ok(Value::String(path.to_string()));
        }
        let flag = |name: &str| args.get(name).and_then(Value::as_bool).unwrap_or(false);
        let start = if flag("absolute") {
            &self.base_url
        } else {
            &self.base_path
        };
        if path.starts_with("@/") {
            let url = markdown::resolve_internal(path, &self.links).map_err(|hint| {
                tera::Error::msg(format!("get_url(path=\"{path}\"): no such file; {hint}"))
            })?;
            return Ok(Value::String(format!("{start}{url}")));
        }
        let rel = path.trim_start_matches('/');
        if flag("cachebust") && crate::generate::assets::is_hashable(rel) {
            let hashed = crate::generate::assets::hashed_name(rel, &self.hash(rel, path)?);
            return Ok(Value::String(format!("{start}/{hashed}")));
        }
        if flag("cachebust") {
            // Images and other files keep their name; the query still changes with them.
            return Ok(Value::String(format!(
                "{start}/{rel}?h={}",
                self.hash(rel, path)?
            )));
        }
        Ok(Value::String(format!("{start}/{rel}")))
    }

    fn hash(&self, rel: &str, path: &str) -> tera::Result<String> {
        if let Some(h) = self
            .hashes
            .lock()
            .map_err(|_| tera::Error::msg("hash cache poisoned"))?
            .get(rel)
        {
            return Ok(h.clone());
        }
        let file = self.static_dirs.iter().rev().map(|d| d.join(rel)).find(|f| f.is_file()).ok_or_else(|| {
            tera::Error::msg(format!("get_url(path=\"{path}\", cachebust=true): no such file in static/ or the theme's static/"))
        })?;
        let bytes = std::fs::read(&file)
            .map_err(|e| tera::Error::msg(format!("cannot read {}: {e}", file.shown())))?;
        let h = crate::generate::assets::hash(&bytes);
        if let Ok(mut cache) = self.hashes.lock() {
            cache.insert(rel.to_string(), h.clone());
        }
        Ok(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn urls_map_to_index_files() {
        assert_eq!(url_to_file("/"), "index.html");
        assert_eq!(url_to_file("/articles/x/"), "articles/x/index.html");
        assert_eq!(url_to_file("/404.html"), "404.html");
        assert_eq!(pager_url("/articles/", 0), "/articles/");
        assert_eq!(pager_url("/articles/", 2), "/articles/page/3/");
    }

    #[test]
    fn alias_page_escapes_and_redirects() {
        let html = alias_page("https://example.org/a/?x=\"><script>");
        assert!(html.contains("http-equiv=\"refresh\""));
        assert!(!html.contains("<script>"));
    }
}
