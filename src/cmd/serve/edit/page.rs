//! The editor's pages, made here rather than by the site's theme (a theme cannot break
//! the editor): the form for one file, the page that starts a new one, and the links put
//! on every page of the preview.

use std::path::Path;

use super::super::response::Response;
use super::form::{self, Control, FormField};
use super::save;
use crate::content::front_matter;
use crate::escape::escape_html as esc;
use crate::pipeline::DraftLink;

pub const SCRIPT: &str = include_str!("editor.js");
pub const STYLE: &str = include_str!("editor.css");

/// Scripts only from the editor itself; the text's preview is shown in a sandboxed frame
/// without scripts, so a `<script>` in a page cannot reach the editor's key. Pictures and
/// styles of the site come from the site's address (`site`, another origin), which is
/// also the only address a `<base>` may name: the frame's page resolves its links against
/// it (the frame's document inherits this policy).
fn policy(site: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline' {site}; img-src 'self' data: https: {site}; font-src 'self' {site}; frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri {site}; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The editor's address for a content file.
pub fn edit_url(relative_path: &str) -> String {
    let encoded: String =
        percent_encoding::utf8_percent_encode(relative_path, percent_encoding::NON_ALPHANUMERIC)
            .to_string()
            .replace("%2F", "/")
            .replace("%2E", ".")
            .replace("%2D", "-")
            .replace("%5F", "_");
    format!("/__grove/edit?file={encoded}")
}

/// The links every page of the preview gets: "Edit this page" when a content file is
/// behind it, "New content", and "Publish" with what it says (`publish`).
pub fn toolbar(file: Option<&str>, publish: Option<&str>) -> String {
    const LINK: &str = "background:#1e3a8a;color:#fff;padding:.55rem .85rem;border-radius:.4rem;text-decoration:underline;text-underline-offset:.15em;box-shadow:0 1px 4px rgba(0,0,0,.3)";
    let edit = file
        .map(|f| {
            format!(
                "<a href=\"{}\" style=\"{LINK}\">Edit this page</a>",
                esc(&edit_url(f))
            )
        })
        .unwrap_or_default();
    let publish = publish
        .map(|label| {
            format!(
                "<a href=\"/__grove/publish\" style=\"{LINK}\">{}</a>",
                esc(label)
            )
        })
        .unwrap_or_default();
    format!(
        "<aside aria-label=\"Preview tools\" style=\"position:fixed;right:.75rem;bottom:.75rem;z-index:2147483647;display:flex;flex-wrap:wrap;justify-content:flex-end;gap:.5rem;font:600 15px/1.2 system-ui,sans-serif\">{edit}<a href=\"/__grove/new\" style=\"{LINK}\">New content</a>{publish}</aside>"
    )
}

/// A page of the editor, with its security policy; `site` is the site's address.
pub fn html(body: String, site: &str) -> Response {
    Response::new(200, body.into_bytes())
        .with("Content-Type", "text/html; charset=utf-8")
        .with("Cache-Control", "no-store")
        .with("Content-Security-Policy", policy(site))
        .with("X-Frame-Options", "DENY")
        .with("X-Content-Type-Options", "nosniff")
        .with("Referrer-Policy", "no-referrer")
}

fn document(title: &str, secret: Option<&str>, main: &str) -> String {
    document_with(
        title,
        secret,
        "<script src=\"/__grove/editor.js\" defer></script>\n",
        main,
    )
}

/// A page of the editor with its own `head` lines (scripts, styles) after the editor's style.
pub(super) fn document_with(title: &str, secret: Option<&str>, head: &str, main: &str) -> String {
    let secret = secret
        .map(|s| format!("<meta name=\"grove-secret\" content=\"{s}\">\n"))
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} · grove preview</title>\n{secret}<link rel=\"stylesheet\" href=\"/__grove/editor.css\">\n{head}</head>\n<body>\n{main}\n</body>\n</html>\n",
        esc(title)
    )
}

pub(super) fn header(links: &str) -> String {
    format!(
        "<header class=\"bar\"><p class=\"brand\">grove preview</p><nav aria-label=\"Editor\"><ul>{links}<li><a href=\"/__grove/new\">New content</a></li></ul></nav></header>"
    )
}

/// The header's link to the site's home page, on the site's own address.
pub(super) fn home(site: &str) -> String {
    format!("<li><a href=\"{}/\">Home page</a></li>", esc(site))
}

/// Editing is off: says why and how to turn it on.
pub fn off(reason: Option<&str>, site: &str) -> Response {
    let why = esc(reason.unwrap_or("editing is off"));
    let main = format!(
        "{}\n<main id=\"main\"><h1>Editing is off</h1><p>{why}.</p><p>Change the files under <code>content/</code> with a text editor instead; the preview shows each change when it is saved.</p></main>",
        header(&home(site))
    );
    let mut r = html(document("Editing is off", None, &main), "");
    r.status = 403;
    r
}

/// The file asked for cannot be edited here.
pub fn not_editable(wanted: &str, site: &str) -> Response {
    let main = format!(
        "{}\n<main id=\"main\"><h1>This file cannot be edited here</h1><p>The editor opens <code>.md</code> files under <code>content/</code>, inside the site folder, that exist; <code>{}</code> is not one.</p><p><a href=\"{}/\">Go to the home page</a> and follow “Edit this page” on the page you want to change.</p></main>",
        header(&home(site)),
        esc(wanted),
        esc(site)
    );
    let mut r = html(document("Not found", None, &main), site);
    r.status = 404;
    r
}

/// Any other address on the editor's port: the site's pages are served on their own.
pub fn not_here(site: &str) -> Response {
    let main = format!(
        "{}\n<main id=\"main\"><h1>This is the editor's address</h1><p>The site's pages are at <a href=\"{site}/\">{site}/</a>; follow “Edit this page” on the page you want to change.</p></main>",
        header(&home(site)),
        site = esc(site)
    );
    let mut r = html(document("Not found", None, &main), site);
    r.status = 404;
    r
}

/// The page that starts a new file, as `grove new` does, and lists the site's `drafts`
/// (each leads back to its editor).
pub fn new_page(secret: &str, site: &str, drafts: &[DraftLink]) -> String {
    let kinds = [
        (
            "article",
            "Article",
            "a post for the articles section, dated, with topics",
        ),
        ("faq", "FAQ entry", "a question and its answer"),
        ("team", "Team member", "a bio for the team page"),
        ("page", "Page", "a page of its own, such as Fees or Contact"),
    ];
    let options: String = kinds
        .iter()
        .enumerate()
        .map(|(i, (value, label, help))| {
            format!(
                "<div class=\"choice\"><input type=\"radio\" name=\"kind\" id=\"kind-{value}\" value=\"{value}\"{}><label for=\"kind-{value}\">{label}</label> <span class=\"help\">{help}</span></div>",
                if i == 0 { " checked" } else { "" }
            )
        })
        .collect();
    let main = format!(
        "{}\n<main id=\"main\">\n<h1>New content</h1>\n<form id=\"new-form\" novalidate>\n<fieldset><legend>What to make</legend>{options}</fieldset>\n<div class=\"field\"><label for=\"new-title\">Title (for a team member: the full name)</label><p class=\"help\" id=\"new-title-help\">The file's name comes from it; you can change the title later.</p><input type=\"text\" id=\"new-title\" name=\"title\" required aria-describedby=\"new-title-help new-title-error\"><p class=\"error\" id=\"new-title-error\" hidden></p></div>\n<div class=\"actions\"><button type=\"submit\">Create and edit</button><p id=\"status\" role=\"status\"></p></div>\n</form>\n{}</main>",
        header(&home(site)),
        drafts_list(drafts, site)
    );
    document("New content", Some(secret), &main)
}

/// The drafts, each with a link to its editor and one to its page in the preview; or,
/// without any, what a draft is.
fn drafts_list(drafts: &[DraftLink], site: &str) -> String {
    let intro = "<h2 id=\"drafts-title\">Drafts</h2>\n";
    if drafts.is_empty() {
        return format!(
            "<section class=\"drafts\" aria-labelledby=\"drafts-title\">\n{intro}<p>There are no drafts: every page is on the published site. New content starts as a draft, and is listed here until you untick “Draft” and save it.</p>\n</section>\n"
        );
    }
    let items: String = drafts
        .iter()
        .map(|d| {
            let title = if d.title.trim().is_empty() {
                d.file.as_str()
            } else {
                d.title.as_str()
            };
            format!(
                "<li><a href=\"{edit}\">{title}</a> <span class=\"kind\">{kind}</span> <a class=\"view\" href=\"{site}{url}\">View the draft<span class=\"visually-hidden\"> “{title}”</span></a></li>\n",
                edit = esc(&edit_url(&d.file)),
                title = esc(title),
                kind = super::kind_words(d.kind).1,
                site = esc(site),
                url = esc(&d.url),
            )
        })
        .collect();
    let count = match drafts.len() {
        1 => "One page is".to_string(),
        n => format!("{n} pages are"),
    };
    format!(
        "<section class=\"drafts\" aria-labelledby=\"drafts-title\">\n{intro}<p>{count} not on the published site yet. Open one to go on writing it; untick “Draft” and save it to put it on the site at the next publish.</p>\n<ul class=\"draft-list\">\n{items}</ul>\n</section>\n"
    )
}

/// Fields shown folded while they are empty: few pages set them.
const RARE: &[&str] = &[
    "updated",
    "image",
    "image_alt",
    "slug",
    "aliases",
    "extra",
    "template",
];

/// What the editor opens.
pub struct Open<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub version: &'a str,
    /// The page's address in the preview, when the site has one for it.
    pub url: Option<&'a str>,
    pub secret: &'a str,
    /// The site's address (`http://127.0.0.1:1111`): the page and its pictures are there.
    pub site: &'a str,
    /// The topics the site uses, offered while typing one.
    pub suggestions: &'a [String],
    /// An earlier version, or a colleague's version online, that comes with the form.
    pub earlier: Option<&'a Earlier>,
}

/// The editor for one file: its fields, its text and the text's preview.
pub fn editor(open: &Open) -> String {
    let split = front_matter::split(Path::new(open.file), open.text, "").ok();
    let (front, body) = split
        .as_ref()
        .map_or(("", open.text), |s| (s.front, s.body));
    let (table, broken) = match toml::from_str::<toml::Table>(front) {
        Ok(t) => (t, None),
        Err(e) => (toml::Table::new(), Some(e.message().to_string())),
    };
    let fields = form::fields(open.file, &table);
    let title = fields
        .iter()
        .find(|f| f.field.key == "title" || f.field.key == "name")
        .map(|f| f.value.clone())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| open.file.to_string());
    // Settings most pages never need, folded away while they are empty, so that the text
    // is near the top of the page.
    let folded = |f: &&FormField| RARE.contains(&f.field.key) && f.value.is_empty();
    let control = |f: &FormField| control(f, open.suggestions, open.site);
    let controls: String = fields.iter().filter(|f| !folded(f)).map(control).collect();
    let rare: Vec<&FormField> = fields.iter().filter(folded).collect();
    let more = if rare.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = rare.iter().map(|f| f.field.label).collect();
        format!(
            "<details class=\"more\"><summary>More settings: {}</summary><div class=\"fields\">\n{}</div></details>\n",
            esc(&names.join(", ")),
            rare.iter().map(|f| control(f)).collect::<String>()
        )
    };
    let view = open
        .url
        .map(|u| {
            format!(
                "<li><a href=\"{}{}\">View the page</a></li>",
                esc(open.site),
                esc(u)
            )
        })
        .unwrap_or_default()
        + &format!(
            "<li><a href=\"{}\">History</a></li>",
            esc(&super::history::url(open.file))
        );
    let earlier = open.earlier.map(earlier_html).unwrap_or_default();
    let view = format!("{}{view}", home(open.site));
    let warning = broken
        .map(|m| {
            format!(
                "<p class=\"warning\" role=\"alert\">The front matter of this file is not valid TOML ({}), so the fields below are empty. Fix it in a text editor first: saving here would fail.</p>",
                esc(&m)
            )
        })
        .unwrap_or_default();
    let main = format!(
        "{header}\n<main id=\"main\">\n<h1>Edit “{title}”</h1>\n<p class=\"where\">File <code>content/{file}</code></p>\n{warning}{earlier}\
<form id=\"editor\" data-file=\"{file}\" data-version=\"{version}\" data-site=\"{site}\"{online} novalidate>\n\
<div id=\"summary\" class=\"summary\" tabindex=\"-1\" hidden></div>\n\
<div id=\"restore\" class=\"notice\" hidden></div>\n\
<div id=\"elsewhere\" class=\"notice\" role=\"alert\" hidden></div>\n\
<section id=\"conflict\" class=\"conflict\" tabindex=\"-1\" aria-labelledby=\"conflict-title\" hidden><h2 id=\"conflict-title\">This page was changed elsewhere</h2><p id=\"conflict-what\"></p><div class=\"versions\"><div><h3>Theirs: the file as it is now</h3><pre id=\"conflict-theirs\" tabindex=\"0\"></pre></div><div><h3>Yours: what you typed</h3><pre id=\"conflict-mine\" tabindex=\"0\"></pre></div></div><p class=\"help\">Lines marked with a bar differ between the two.</p><div class=\"choices\"><button type=\"button\" id=\"take-theirs\">Take theirs</button><button type=\"button\" id=\"keep-mine\">Keep mine</button><button type=\"button\" id=\"merge\">Merge by hand</button></div></section>\n\
<fieldset class=\"fields\"><legend>About this page</legend>\n{controls}</fieldset>\n{more}\
<button type=\"button\" id=\"preview-toggle\" class=\"toggle\" aria-pressed=\"false\" aria-controls=\"body-field preview-section\">Preview</button>\n\
<div class=\"text\">\n\
<div class=\"field body\" id=\"body-field\"><label for=\"body\">Text</label><p class=\"help\" id=\"body-help\">Markdown: a blank line between paragraphs, <code>## </code> before a heading, <code>**bold**</code>, <code>[a link](https://example.org)</code>.</p><textarea id=\"body\" name=\"body\" rows=\"24\" spellcheck=\"true\" aria-describedby=\"body-help body-error\">\n{body}</textarea><p class=\"error\" id=\"body-error\" hidden></p></div>\n\
<section class=\"preview\" id=\"preview-section\" aria-labelledby=\"preview-title\"><h2 id=\"preview-title\">Preview</h2><p class=\"help\" id=\"preview-help\">The page as the site will show it, with what you typed (not saved yet).</p><iframe id=\"preview\" title=\"Preview of the page as the site will show it\" sandbox></iframe><div id=\"preview-problems\" class=\"problems\" aria-live=\"polite\"></div></section>\n\
</div>\n\
<fieldset class=\"upload\"><legend>Add a picture</legend>\
<div class=\"field\"><label for=\"image-file\">Picture</label><p class=\"help\" id=\"image-file-help\">PNG, JPEG, GIF or WebP, up to 10 MB. It is saved in <code>static/images/</code>.</p><input type=\"file\" id=\"image-file\" accept=\"image/png,image/jpeg,image/gif,image/webp\" aria-describedby=\"image-file-help\"></div>\
<div class=\"field\"><label for=\"image-alt\">What the picture shows, in words (required)</label><p class=\"help\" id=\"image-alt-help\">People who cannot see the picture hear or read this instead.</p><input type=\"text\" id=\"image-alt\" aria-describedby=\"image-alt-help\"></div>\
<button type=\"button\" id=\"image-insert\">Upload and insert</button><p id=\"image-status\" role=\"status\"></p></fieldset>\n\
<div class=\"actions\"><button type=\"submit\" id=\"save\">Save</button><p id=\"status\" role=\"status\">All changes saved</p><p class=\"help\" id=\"where\">Saving keeps the change on this computer: the site online changes when it is published.</p><button type=\"button\" id=\"delete\" class=\"danger\">Delete this page</button></div>\n\
</form>\n\
<dialog id=\"delete-dialog\" aria-labelledby=\"delete-title\"><h2 id=\"delete-title\">Delete “{title}”?</h2><p>The page goes to the site's trash (<code>.grove/trash/</code>), and off the site at the next publish. You can undo it until the preview stops.</p><div id=\"delete-links\"></div><div class=\"choices\"><button type=\"button\" id=\"delete-confirm\" class=\"danger\">Delete “{title}”</button><button type=\"button\" id=\"delete-cancel\">Keep it</button></div></dialog>\n\
</main>",
        header = header(&view),
        title = esc(&title),
        file = esc(open.file),
        version = esc(open.version),
        site = esc(open.site),
        body = esc(body),
        online = open
            .earlier
            .and_then(|e| e.online.as_ref())
            .map(|c| format!(" data-online=\"{}\"", esc(c)))
            .unwrap_or_default(),
    );
    document(&format!("Edit {title}"), Some(open.secret), &main)
}

/// A version of the page other than the file's, opened with the form (see `history.rs`):
/// an earlier one to restore, or a colleague's version online to compare.
#[derive(Debug, Clone)]
pub struct Earlier {
    /// What to say about it, above the form (restore) or in the two versions (online).
    pub words: String,
    /// Its values as the form holds them (`fields`, `body`).
    pub values: serde_json::Value,
    /// The commit online, when it is a colleague's version the person must choose against.
    pub online: Option<String>,
}

/// The earlier version for the editor's script (which fills the form with it, unsaved,
/// or shows it beside the file), and the notice for a restore.
fn earlier_html(e: &Earlier) -> String {
    let data = serde_json::json!({ "words": e.words, "values": e.values, "online": e.online })
        .to_string()
        .replace('<', "\\u003c");
    let notice = if e.online.is_none() {
        format!(
            "<p class=\"restored\" role=\"status\">{}</p>\n",
            esc(&e.words)
        )
    } else {
        String::new()
    };
    format!("{notice}<script type=\"application/json\" id=\"earlier\">{data}</script>\n")
}

/// One field of the form: its label, its help (the words `grove new` writes), its input
/// and a place for its error. (HTML parsers drop a newline right after `<textarea>`: each
/// textarea starts with one, so that a value that starts with a blank line keeps it.)
fn control(f: &FormField, suggestions: &[String], site: &str) -> String {
    let key = f.field.key;
    let id = format!("f-{key}");
    let help = capitalized(f.field.help);
    let required = if f.field.required { " required" } else { "" };
    let label = format!(
        "<label for=\"{id}\">{}{}</label>",
        esc(f.field.label),
        if f.field.required {
            " <span class=\"req\">(required)</span>"
        } else {
            ""
        }
    );
    let described = format!("aria-describedby=\"{id}-help {id}-error\"");
    let value = esc(&f.value);
    let input = match f.control {
        Control::Checkbox => {
            let checked = if f.value == "true" { " checked" } else { "" };
            // The file says `true` and `false`; a form says ticked and not.
            let help = help
                .replace("True ", "Ticked ")
                .replace("true ", "ticked ")
                .replace("false ", "unticked ");
            return format!(
                "<div class=\"field check\" data-key=\"{key}\"><input type=\"checkbox\" id=\"{id}\" name=\"{key}\" data-field=\"{key}\"{checked} {described}>{label}<p class=\"help\" id=\"{id}-help\">{}</p><p class=\"error\" id=\"{id}-error\" hidden></p></div>\n",
                esc(&help)
            );
        }
        Control::Paragraph => format!(
            "<textarea id=\"{id}\" name=\"{key}\" data-field=\"{key}\" rows=\"3\"{required} {described}>\n{value}</textarea>"
        ),
        Control::Toml => format!(
            "<textarea id=\"{id}\" name=\"{key}\" data-field=\"{key}\" rows=\"3\" class=\"code\" spellcheck=\"false\" {described}>\n{value}</textarea>"
        ),
        Control::Date => {
            let kind = if form::is_plain_day(&f.value) {
                "date"
            } else {
                "text"
            };
            format!(
                "<input type=\"{kind}\" id=\"{id}\" name=\"{key}\" data-field=\"{key}\" value=\"{value}\" {described}>"
            )
        }
        Control::Number => format!(
            "<input type=\"text\" inputmode=\"numeric\" id=\"{id}\" name=\"{key}\" data-field=\"{key}\" value=\"{value}\" {described}>"
        ),
        Control::Choice(words) => {
            let options: String = std::iter::once(String::new())
                .chain(words.iter().map(|w| w.to_string()))
                .map(|w| {
                    let selected = if w == f.value { " selected" } else { "" };
                    let shown = if w.is_empty() {
                        "(not set)".to_string()
                    } else {
                        w.clone()
                    };
                    format!(
                        "<option value=\"{}\"{selected}>{}</option>",
                        esc(&w),
                        esc(&shown)
                    )
                })
                .collect();
            format!(
                "<select id=\"{id}\" name=\"{key}\" data-field=\"{key}\" {described}>{options}</select>"
            )
        }
        Control::List => {
            // Items as chips, added from a text box; the field itself holds one per line.
            let items: String = save::list_items(&f.value)
                .iter()
                .map(|i| format!("<li><span>{}</span></li>", esc(i)))
                .collect();
            let suggest: String = suggestions
                .iter()
                .map(|t| format!("<option value=\"{}\">", esc(t)))
                .collect();
            let lines = esc(&save::list_items(&f.value).join("\n"));
            format!(
                "<ul class=\"chips\" id=\"{id}-chips\" aria-label=\"{} chosen\">{items}</ul><input type=\"text\" id=\"{id}\" data-list=\"{key}\" list=\"{id}-suggest\" autocomplete=\"off\" {described}><datalist id=\"{id}-suggest\">{suggest}</datalist><input type=\"hidden\" name=\"{key}\" data-field=\"{key}\" value=\"{lines}\">",
                esc(f.field.label)
            )
        }
        Control::Image => {
            let shown = if f.value.is_empty() {
                String::new()
            } else {
                format!("{site}{}", f.value)
            };
            format!(
                "<input type=\"text\" id=\"{id}\" name=\"{key}\" data-field=\"{key}\" value=\"{value}\" {described}>\
<div class=\"picture\" data-picture=\"{key}\"><img id=\"{id}-img\" alt=\"\" src=\"{}\"{}>\
<label class=\"choose\" for=\"{id}-file\">Choose a {}</label><input type=\"file\" id=\"{id}-file\" data-upload=\"{key}\" accept=\"image/png,image/jpeg,image/gif,image/webp\" class=\"visually-hidden\"><p id=\"{id}-status\" role=\"status\"></p></div>",
                esc(&shown),
                if shown.is_empty() { " hidden" } else { "" },
                if key == "photo" { "photo" } else { "picture" },
            )
        }
        Control::Text => format!(
            "<input type=\"text\" id=\"{id}\" name=\"{key}\" data-field=\"{key}\" value=\"{value}\"{required} {described}>"
        ),
    };
    let help = match f.control {
        // The file's TOML example (`["a", "b"]`) is not how the form takes a list.
        Control::List => format!(
            "{}. Type one, then press Enter (or a comma)",
            without_toml_example(&help)
        ),
        Control::Number => format!("{help}. A whole number, e.g. 10"),
        _ => help,
    };
    format!(
        "<div class=\"field\" data-key=\"{key}\">{label}<p class=\"help\" id=\"{id}-help\">{}</p>{input}<p class=\"error\" id=\"{id}-error\" hidden></p></div>\n",
        esc(&help)
    )
}

/// `topics, e.g. ["a", "b"]; each gets a page` -> `topics; each gets a page`.
fn without_toml_example(help: &str) -> String {
    match (help.find(", e.g. ["), help.find(']')) {
        (Some(start), Some(end)) if end > start => {
            format!("{}{}", &help[..start], &help[end + 1..])
        }
        _ => help.to_string(),
    }
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_a_label_its_help_and_a_place_for_its_error() {
        let open = Open {
            file: "team/jane.md",
            text: "+++\nname = \"Jane <Doe>\"\nweight = 10\n+++\nBio.\n",
            version: "v1",
            url: Some("/team/jane/"),
            secret: "s3cret",
            site: "http://127.0.0.1:1111",
            suggestions: &[],
            earlier: None,
        };
        let page = editor(&open);
        for f in form::fields("team/jane.md", &toml::Table::new()) {
            let id = format!("f-{}", f.field.key);
            assert!(page.contains(&format!("<label for=\"{id}\">")), "{id}");
            assert!(page.contains(&format!("id=\"{id}-help\"")), "{id}");
            assert!(page.contains(&format!("id=\"{id}-error\"")), "{id}");
        }
        assert!(page.contains("Edit “Jane &lt;Doe&gt;”"));
        assert!(page.contains("<meta name=\"grove-secret\" content=\"s3cret\">"));
        assert!(page.contains(">Save</button>"));
        assert!(page.contains("href=\"http://127.0.0.1:1111/team/jane/\">View the page"));
        assert!(page.contains("value=\"10\""));
    }

    #[test]
    fn rarely_used_empty_settings_are_folded_and_set_ones_are_not() {
        let page = |front: &str| {
            editor(&Open {
                file: "articles/x.md",
                text: &format!("+++\ntitle = \"X\"\n{front}+++\nText.\n"),
                version: "v",
                url: None,
                secret: "s",
                site: "http://127.0.0.1:1111",
                suggestions: &[],
                earlier: None,
            })
        };
        let folded = |page: &str, id: &str| {
            let details = page.find("<details class=\"more\">").unwrap_or(usize::MAX);
            page.find(&format!("id=\"{id}\"")).unwrap() > details
        };
        let plain = page("");
        assert!(folded(&plain, "f-updated") && folded(&plain, "f-slug"));
        assert!(!folded(&plain, "f-title") && !folded(&plain, "f-date"));
        let set = page("updated = 2025-02-01\n");
        assert!(
            !folded(&set, "f-updated"),
            "a setting with a value is shown"
        );
        assert!(folded(&set, "f-slug"));
    }

    #[test]
    fn list_help_drops_the_files_example() {
        assert_eq!(
            without_toml_example("topics, e.g. [\"anxiety\", \"mindfulness\"]; each gets a page"),
            "topics; each gets a page"
        );
        assert_eq!(without_toml_example("plain"), "plain");
    }

    #[test]
    fn the_toolbar_names_the_link_and_escapes_the_file() {
        let bar = toolbar(Some("articles/a b&c.md"), Some("Publish (2 changes)"));
        assert!(bar.contains(">Edit this page</a>"), "{bar}");
        assert!(
            bar.contains("/__grove/edit?file=articles/a%20b%26c.md"),
            "{bar}"
        );
        assert!(bar.contains("href=\"/__grove/publish\""), "{bar}");
        assert!(bar.contains(">Publish (2 changes)</a>"), "{bar}");
        assert!(!toolbar(None, None).contains("Edit this page"));
        assert!(!toolbar(None, None).contains("Publish"));
    }
}
