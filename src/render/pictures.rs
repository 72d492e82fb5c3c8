//! Which sizes of which pictures the rendered outputs show. Every `<img>` an output shows
//! whose picture is one of the site's files becomes a `<picture>` with WebP sizes, a JPEG
//! (or PNG, for a picture with transparent parts) fallback, `srcset`, `sizes`, `width` and
//! `height`: an `<img>` with a `width` and `height` is a box (an avatar) filled at 1x and
//! 2x, around the point in `data-focus="x,y"` (0 to 1) or the centre; any other is an
//! article picture, made at a few widths. `resize_image()` asks for one size from a
//! template. What each output asked for is kept by output, so that the files a site
//! publishes follow its pages as they change.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::escape::escape_html;
use crate::images::{Encoding, Fit, Library, Picture, Request, Size, is_raster};

/// The widths article pictures are made at (those not wider than the picture, and the
/// picture's own width when it is narrower than the largest).
pub const WIDTHS: [u32; 4] = [480, 800, 1200, 1600];
/// How wide an article picture is shown: the text column (65ch of the theme).
pub const SIZES: &str = "(min-width: 42rem) 40rem, 100vw";
/// The width of an article picture's fallback.
const FALLBACK_WIDTH: u32 = 800;

/// One picture size an output shows.
#[derive(Debug, Clone)]
pub struct Used {
    pub picture: Arc<Picture>,
    pub size: Size,
    /// The picture's path in the output (`images/x.jpg`).
    pub source: String,
}

/// What one output asked for.
#[derive(Debug, Clone, Default)]
pub struct OutputUse {
    pub sizes: Vec<Used>,
    /// Pictures linked to as files (`href`, `content`): published as they are, stripped.
    pub direct: HashSet<String>,
}

/// The site's pictures as the renderer sees them.
pub struct Pictures {
    /// Output path -> (source file, stamp), for every static file.
    files: HashMap<String, (PathBuf, String)>,
    base_path: String,
    base_url: String,
    library: Arc<Library>,
    /// By output file.
    used: Mutex<HashMap<String, OutputUse>>,
}

thread_local! {
    /// What the output being rendered on this thread asked for through `resize_image()`.
    static ASKED: RefCell<Vec<Used>> = const { RefCell::new(Vec::new()) };
}

/// What the outputs of a site ask of its pictures.
pub struct Wanted {
    /// The sizes to make, by picture (each picture decoded once for all of them).
    pub work: Vec<(Arc<Picture>, Vec<Size>)>,
    /// Every size, by its path in the output.
    pub sizes: BTreeMap<String, Size>,
    /// The pictures shown only through their sizes (not published as they are).
    pub processed: HashSet<String>,
    /// The pictures linked to directly (published as they are, less their metadata).
    pub direct: HashSet<String>,
}

impl Pictures {
    pub fn new(
        files: HashMap<String, (PathBuf, String)>,
        base_path: &str,
        base_url: &str,
        library: Arc<Library>,
    ) -> Pictures {
        Pictures {
            files,
            base_path: base_path.to_string(),
            base_url: base_url.to_string(),
            library,
            used: Mutex::default(),
        }
    }

    /// Carries over what outputs rendered earlier asked for (the preview keeps them).
    pub fn keep_uses_of(&self, earlier: &Pictures) {
        let old = earlier.lock().clone();
        *self.lock() = old;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, OutputUse>> {
        self.used.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The output path of a URL the page shows, when it is one of the site's pictures.
    fn local(&self, url: &str, page_url: &str) -> Option<String> {
        let url = url.split(['?', '#']).next()?;
        if url.contains("://") || url.starts_with("//") || url.starts_with("data:") {
            return None;
        }
        let path = if let Some(rest) = url.strip_prefix('/') {
            let rest = format!("/{rest}");
            rest.strip_prefix(&self.base_path)
                .unwrap_or(&rest)
                .trim_start_matches('/')
                .to_string()
        } else {
            // Beside the page: its own folder.
            let dir = &page_url[..page_url.rfind('/').map_or(0, |i| i + 1)];
            format!("{}{url}", dir.trim_start_matches('/'))
        };
        let path = percent_encoding::percent_decode_str(&path)
            .decode_utf8()
            .ok()?
            .into_owned();
        (is_raster(&path) && self.files.contains_key(&path)).then_some(path)
    }

    fn picture(&self, rel: &str) -> tera::Result<Arc<Picture>> {
        let (path, stamp) = self.files.get(rel).ok_or_else(|| {
            tera::Error::msg(format!(
                "no picture `{rel}` in static/ or beside the content"
            ))
        })?;
        self.library
            .get(path, stamp)
            .map_err(|e| tera::Error::msg(e.to_string()))
    }

    fn url(&self, rel: &str) -> String {
        format!("{}/{rel}", self.base_path)
    }

    /// Starts an output: nothing asked yet on this thread.
    pub fn begin() {
        ASKED.with(|a| a.borrow_mut().clear());
    }

    /// Ends the output `file` whose HTML is `html`: its `<img>` made responsive, and what
    /// it asked for noted.
    pub fn finish(&self, file: &str, page_url: &str, html: String) -> tera::Result<String> {
        let mut used = OutputUse {
            sizes: ASKED.with(|a| std::mem::take(&mut *a.borrow_mut())),
            direct: HashSet::new(),
        };
        let html = if html.contains("<img") {
            self.rewrite(&html, page_url, &mut used.sizes)?
        } else {
            html
        };
        for attr in ["href=\"", "content=\""] {
            for (i, _) in html.match_indices(attr) {
                let rest = &html[i + attr.len()..];
                let value = &rest[..rest.find('"').unwrap_or(0)];
                let value = value.strip_prefix(&self.base_url).unwrap_or(value);
                if let Some(rel) = self.local(value, page_url) {
                    used.direct.insert(rel);
                }
            }
        }
        let mut all = self.lock();
        if used.sizes.is_empty() && used.direct.is_empty() {
            all.remove(file);
        } else {
            all.insert(file.to_string(), used);
        }
        Ok(html)
    }

    /// Forgets what outputs no longer in the site asked for.
    pub fn retain(&self, outputs: &HashSet<String>) {
        self.lock().retain(|k, _| outputs.contains(k));
    }

    /// Every size the outputs show, by picture, and the pictures linked to directly.
    pub fn wanted(&self) -> Wanted {
        let all = self.lock();
        let mut by_picture: BTreeMap<PathBuf, (Arc<Picture>, Vec<Size>)> = BTreeMap::new();
        let mut outputs = BTreeMap::new();
        let mut processed = HashSet::new();
        let mut direct = HashSet::new();
        for u in all.values() {
            direct.extend(u.direct.iter().cloned());
            for s in &u.sizes {
                processed.insert(s.source.clone());
                if outputs.insert(s.size.rel.clone(), s.size.clone()).is_none() {
                    let entry = by_picture
                        .entry(s.picture.path.clone())
                        .or_insert_with(|| (Arc::clone(&s.picture), Vec::new()));
                    entry.1.push(s.size.clone());
                }
            }
        }
        Wanted {
            work: by_picture.into_values().collect(),
            sizes: outputs,
            processed,
            direct,
        }
    }

    fn rewrite(&self, html: &str, page_url: &str, sizes: &mut Vec<Used>) -> tera::Result<String> {
        let mut out = String::with_capacity(html.len() + 512);
        let mut rest = html;
        let mut seen_wide = false;
        while let Some(i) = rest.find("<img") {
            out.push_str(&rest[..i]);
            let tag_end = match rest[i..].find('>') {
                Some(e) => i + e + 1,
                None => break,
            };
            let tag = &rest[i..tag_end];
            match self.picture_markup(tag, page_url, sizes)? {
                // The first wide picture of a page is likely the largest thing a phone
                // shows first: fetched at once, not when scrolled to.
                Some(markup) if !seen_wide && markup.contains(" sizes=\"") => {
                    seen_wide = true;
                    out.push_str(&markup.replacen(
                        " loading=\"lazy\"",
                        " fetchpriority=\"high\"",
                        1,
                    ));
                }
                Some(markup) => out.push_str(&markup),
                None => out.push_str(tag),
            }
            rest = &rest[tag_end..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// The `<picture>` for one `<img ...>` tag, or `None` to leave it as it is.
    fn picture_markup(
        &self,
        tag: &str,
        page_url: &str,
        sizes: &mut Vec<Used>,
    ) -> tera::Result<Option<String>> {
        let Some(attrs) = attributes(tag) else {
            return Ok(None);
        };
        let get = |name: &str| {
            attrs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        if get("srcset").is_some() {
            return Ok(None);
        }
        let Some(rel) = get("src").and_then(|s| self.local(&unescape(s), page_url)) else {
            return Ok(None);
        };
        let picture = self.picture(&rel)?;
        let fallback = if picture.header.alpha {
            Encoding::Png
        } else {
            Encoding::Jpeg
        };
        let mut note = |request: Request| {
            let size = picture.size(request);
            sizes.push(Used {
                picture: Arc::clone(&picture),
                size: size.clone(),
                source: rel.clone(),
            });
            size
        };
        let boxed = get("width")
            .and_then(|w| w.parse::<u32>().ok())
            .zip(get("height").and_then(|h| h.parse::<u32>().ok()));
        let (srcset, sizes_attr, img, width, height) = match boxed {
            Some((w, h)) if w > 0 && h > 0 => {
                let focus = get("data-focus").map_or((0.5, 0.5), parse_focus);
                let fill = |k: u32| Fit::Fill {
                    width: w * k,
                    height: h * k,
                    focus,
                };
                let one = note(Request {
                    fit: fill(1),
                    encoding: Encoding::Webp,
                });
                let two = note(Request {
                    fit: fill(2),
                    encoding: Encoding::Webp,
                });
                let img = note(Request {
                    fit: fill(1),
                    encoding: fallback,
                });
                let srcset = if two.width > one.width {
                    format!("{} 1x, {} 2x", self.url(&one.rel), self.url(&two.rel))
                } else {
                    self.url(&one.rel)
                };
                (srcset, None, img, w, h)
            }
            _ => {
                let (pw, _) = picture.header.upright();
                let mut widths: Vec<u32> = WIDTHS.iter().copied().filter(|&w| w < pw).collect();
                if pw <= WIDTHS[WIDTHS.len() - 1] || widths.is_empty() {
                    widths.push(pw.min(WIDTHS[WIDTHS.len() - 1]));
                } else {
                    widths.push(WIDTHS[WIDTHS.len() - 1]);
                }
                widths.dedup();
                let made: Vec<Size> = widths
                    .iter()
                    .map(|&w| {
                        note(Request {
                            fit: Fit::Width(w),
                            encoding: Encoding::Webp,
                        })
                    })
                    .collect();
                let srcset = made
                    .iter()
                    .map(|s| format!("{} {}w", self.url(&s.rel), s.width))
                    .collect::<Vec<_>>()
                    .join(", ");
                let largest = made.last().cloned().expect("at least one width");
                let img = note(Request {
                    fit: Fit::Width(FALLBACK_WIDTH.min(pw)),
                    encoding: fallback,
                });
                (srcset, Some(SIZES), img, largest.width, largest.height)
            }
        };
        let mut m = String::from("<picture><source type=\"image/webp\" srcset=\"");
        m.push_str(&escape_html(&srcset));
        m.push('"');
        if let Some(s) = sizes_attr {
            m.push_str(&format!(" sizes=\"{s}\""));
        }
        m.push_str(&format!(
            "><img src=\"{}\"",
            escape_html(&self.url(&img.rel))
        ));
        for (k, v) in &attrs {
            if !matches!(k.as_str(), "src" | "width" | "height" | "data-focus") {
                m.push_str(&format!(" {k}=\"{v}\""));
            }
        }
        m.push_str(&format!(" width=\"{width}\" height=\"{height}\""));
        if get("loading").is_none() {
            m.push_str(" loading=\"lazy\"");
        }
        if get("decoding").is_none() {
            m.push_str(" decoding=\"async\"");
        }
        m.push_str("></picture>");
        Ok(Some(m))
    }

    /// `resize_image(path, width, height, op, format, focus)` for templates.
    pub fn resize_image(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let path = args.get("path").and_then(Value::as_str).ok_or_else(|| {
            tera::Error::msg(
                "resize_image() needs `path`, e.g. resize_image(path=\"/images/x.jpg\", width=800)",
            )
        })?;
        let rel = percent_encoding::percent_decode_str(path.trim_start_matches('/'))
            .decode_utf8_lossy()
            .into_owned();
        let picture = self
            .picture(&rel)
            .map_err(|e| tera::Error::msg(format!("resize_image(path=\"{path}\"): {e}")))?;
        let num = |k: &str| {
            args.get(k)
                .and_then(Value::as_u64)
                .map(|v| v.clamp(1, 10_000) as u32)
        };
        let (width, height) = (num("width"), num("height"));
        let op = args
            .get("op")
            .and_then(Value::as_str)
            .unwrap_or(if height.is_some() {
                "fill"
            } else {
                "fit_width"
            });
        let (pw, ph) = picture.header.upright();
        let focus = args
            .get("focus")
            .and_then(Value::as_str)
            .map_or((0.5, 0.5), parse_focus);
        let fit = match op {
            "fit_width" => Fit::Width(width.unwrap_or(pw)),
            "fill" => Fit::Fill {
                width: width.unwrap_or(pw),
                height: height.unwrap_or(ph),
                focus,
            },
            other => {
                return Err(tera::Error::msg(format!(
                    "resize_image(op=\"{other}\"): use op=\"fit_width\" or op=\"fill\""
                )));
            }
        };
        let encoding = match args.get("format").and_then(Value::as_str).unwrap_or("webp") {
            "webp" | "auto" => Encoding::Webp,
            "jpg" | "jpeg" => Encoding::Jpeg,
            "png" => Encoding::Png,
            other => {
                return Err(tera::Error::msg(format!(
                    "resize_image(format=\"{other}\"): use \"webp\", \"jpg\" or \"png\""
                )));
            }
        };
        let size = picture.size(Request { fit, encoding });
        let value = json!({
            "url": self.url(&size.rel),
            "permalink": format!("{}/{}", self.base_url.trim_end_matches('/'), size.rel),
            "static_path": size.rel,
            "width": size.width,
            "height": size.height,
            "orig_width": pw,
            "orig_height": ph,
        });
        ASKED.with(|a| {
            a.borrow_mut().push(Used {
                picture,
                size,
                source: rel,
            })
        });
        Ok(value)
    }
}

/// `"0.5,0.2"` -> (0.5, 0.2), each kept within 0 to 1; the centre when unreadable.
pub fn parse_focus(text: &str) -> (f32, f32) {
    let mut parts = text
        .split(',')
        .map(|p| p.trim().parse::<f32>().ok().filter(|v| v.is_finite()));
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(x), Some(y)) => (x.clamp(0.0, 1.0), y.clamp(0.0, 1.0)),
        _ => (0.5, 0.5),
    }
}

/// The attributes of `<img a="b" ...>`, values as written (still escaped); `None` when
/// the tag is not in that plain form (then it is left alone).
fn attributes(tag: &str) -> Option<Vec<(String, String)>> {
    let inner = tag.strip_prefix("<img")?.strip_suffix('>')?;
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    let mut attrs = Vec::new();
    let mut rest = inner.trim_start();
    if !inner.starts_with(char::is_whitespace) && !inner.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let eq = rest.find(|c: char| c == '=' || c.is_whitespace());
        let (name, after) = match eq {
            Some(e) if rest[e..].starts_with('=') => (&rest[..e], &rest[e + 1..]),
            Some(e) => {
                attrs.push((rest[..e].to_ascii_lowercase(), String::new()));
                rest = rest[e..].trim_start();
                continue;
            }
            None => {
                attrs.push((rest.to_ascii_lowercase(), String::new()));
                break;
            }
        };
        let after = after.strip_prefix('"')?;
        let close = after.find('"')?;
        attrs.push((name.to_ascii_lowercase(), after[..close].to_string()));
        rest = after[close + 1..].trim_start();
    }
    Some(attrs)
}

/// The few escapes a URL in an attribute may carry.
fn unescape(v: &str) -> String {
    v.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_tags_are_read_and_others_left_alone() {
        let a = attributes(r#"<img src="/a.jpg" alt="A &amp; B" />"#).unwrap();
        assert_eq!(
            a,
            vec![
                ("src".into(), "/a.jpg".into()),
                ("alt".into(), "A &amp; B".into())
            ]
        );
        assert!(attributes("<img src='/a.jpg'>").is_none());
        assert!(attributes("<imgx src=\"a\">").is_none());
        assert_eq!(parse_focus("0.3, 2"), (0.3, 1.0));
        assert_eq!(parse_focus("NaN,1"), (0.5, 0.5));
    }
}
