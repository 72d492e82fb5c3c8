//! grove's Tera functions and filters: `get_section`, `get_page`, `get_taxonomy`,
//! `get_url`, `resize_image` and `json_script`. They read only what the site and its static files already
//! hold (no file is opened while a page renders), so every render of a site is the same.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use tera::Tera;

use crate::generate::assets;
use crate::markdown::{self, LinkMap};
use crate::render::values;
use crate::site::Site;

fn arg<'a>(args: &'a HashMap<String, Value>, name: &str, function: &str) -> tera::Result<&'a str> {
    args.get(name).and_then(Value::as_str).ok_or_else(|| {
        tera::Error::msg(format!(
            "{function}() needs a text argument `{name}`, e.g. {function}({name}=\"...\")"
        ))
    })
}

/// Registers the functions for `site`. `light`: each page's light value; `stamps`: a
/// stamp of each static file by output path (its content hash for stylesheets and
/// scripts), for `get_url(cachebust=true)`.
pub fn register(
    tera: &mut Tera,
    site: &Site,
    light: &super::LightPages,
    stamps: &Arc<HashMap<String, String>>,
    uses: &super::StampUses,
    pictures: &Arc<super::pictures::Pictures>,
) {
    let resize = Arc::clone(pictures);
    tera.register_function("resize_image", move |args: &HashMap<String, Value>| {
        resize.resize_image(args)
    });

    tera.register_filter("json_script", |v: &Value, _: &HashMap<String, Value>| {
        Ok(Value::String(values::json_for_script(v)))
    });

    // Each section without its pages, and the pages' indices: a call copies only the
    // pages it returns (`limit=3` on a 10,000-page section copies 3, not 10,000).
    let sections: HashMap<String, (Value, Vec<usize>)> = site
        .sections
        .iter()
        .map(|s| {
            (
                s.doc.relative_path.clone(),
                (values::section_base(site, s), s.pages.clone()),
            )
        })
        .collect();
    let sections = Arc::new(sections);
    let section_pages = Arc::clone(light);
    tera.register_function("get_section", move |args: &HashMap<String, Value>| {
        let path = arg(args, "path", "get_section")?;
        let (base, pages) = sections.get(crate::content::content_path(path)).ok_or_else(|| {
            tera::Error::msg(format!("get_section(path=\"{path}\"): no such section (write the path of an _index.md under content/, e.g. \"articles/_index.md\")"))
        })?;
        let limit = args
            .get("limit")
            .and_then(Value::as_u64)
            .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
        let light = super::read(&section_pages);
        let mut v = base.clone();
        v["pages"] = Value::Array(pages.iter().take(limit).map(|&j| light[j].clone()).collect());
        Ok(v)
    });

    let pages: Arc<HashMap<String, usize>> = Arc::new(site.page_index.clone());
    let light_pages = Arc::clone(light);
    tera.register_function("get_page", move |args: &HashMap<String, Value>| {
        let path = arg(args, "path", "get_page")?;
        pages
            .get(crate::content::content_path(path))
            .map(|&i| super::read(&light_pages)[i].clone())
            .ok_or_else(|| tera::Error::msg(format!("get_page(path=\"{path}\"): no such page")))
    });

    let taxonomy = values::taxonomy(site);
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
        stamps: Arc::clone(stamps),
        uses: Arc::clone(uses),
    };
    tera.register_function("get_url", move |args: &HashMap<String, Value>| {
        get_url.call(args)
    });
}

struct GetUrl {
    links: LinkMap,
    base_url: String,
    base_path: String,
    stamps: Arc<HashMap<String, String>>,
    uses: super::StampUses,
}

impl GetUrl {
    /// Notes that an output shows the stamp of `rel` (once: after the first render of a
    /// page, only a shared read).
    fn note_use(&self, rel: &str) {
        let known = self
            .uses
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .contains(rel);
        if !known {
            let mut uses = self.uses.write().unwrap_or_else(|p| p.into_inner());
            uses.insert(rel.to_string());
        }
    }

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
        if !flag("cachebust") {
            return Ok(Value::String(format!("{start}/{rel}")));
        }
        // Noted before the lookup: a file that is missing now makes the output change
        // when it appears.
        self.note_use(rel);
        let stamp = self.stamps.get(rel).ok_or_else(|| {
            tera::Error::msg(format!("get_url(path=\"{path}\", cachebust=true): no such file in static/ or the theme's static/"))
        })?;
        if assets::is_hashable(rel) {
            return Ok(Value::String(format!(
                "{start}/{}",
                assets::hashed_name(rel, stamp)
            )));
        }
        // Images and other files keep their name; the query still changes with them.
        Ok(Value::String(format!("{start}/{rel}?h={stamp}")))
    }
}
