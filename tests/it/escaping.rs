//! Text from content and config that holds `<script>`, quotes, `</script>` or `]]>` comes
//! out as that same text everywhere the real theme (themes/oakland) prints it: escaped once
//! in HTML text and attributes, in JSON-LD, in the feed and sitemap, and in the search index.
//! Never markup that runs, never an attribute broken open, never escaped twice.
//!
//! Pages are checked with an HTML tokenizer (html5gum), not by searching the raw text: the
//! minifier may legally choose other quotes or leave a `'` unescaped in text.

use std::path::Path;

use crate::harness::*;
use html5gum::{DefaultEmitter, Token, Tokenizer};
use serde_json::Value;

/// The words that start each payload. Upper case, so that no slug or URL ever contains one.
const LABELS: &[&str] = &[
    "SITEX",
    "ORGX",
    "MENUX",
    "SECTIONX",
    "TITLEX",
    "DESCX",
    "TAGX",
    "QUESTIONX",
    "NAMEX",
    "ROLEX",
    "SUMMARYX",
    "PAGEX",
];

/// Everything that can break out of HTML text, a quoted attribute, a script or CDATA.
fn payload(label: &str) -> String {
    format!("{label} <script>alert(1)</script> \"q\" ]]> & ' onload='x")
}

/// A TOML string holding the payload.
fn toml_text(label: &str) -> String {
    toml::Value::String(payload(label)).to_string()
}

/// A site with a payload in every field a person types, built with the real theme.
fn built_site() -> SiteTest {
    let site = SiteTest::empty();
    copy_dir(&repo().join("themes/oakland"), &site.path("themes/oakland"));
    let t = toml_text;
    site.write("config.toml",
        &format!(
            "title = {}\ndescription = \"A site.\"\nbase_url = \"https://test.example\"\ntheme = \"oakland\"\n\n[[menu]]\nname = {}\nurl = \"/articles/\"\n\n[extra]\norganization_name = {}\ncity = \"Oakland\"\n",
            t("SITEX"),
            t("MENUX"),
            t("ORGX")
        ),
    );
    site.write(
        "content/_index.md",
        "+++\ntitle = \"Home\"\n+++\nWelcome.\n",
    );
    site.write(
        "content/articles/_index.md",
        &format!("+++\ntitle = {}\nsort_by = \"date\"\n+++\n", t("SECTIONX")),
    );
    site.write("content/articles/hostile.md",
        &format!(
            "+++\ntitle = {}\ndescription = {}\ndate = 2025-03-14\ntags = [{}, \"plain\"]\n+++\nThe body, with `</script>` in code.\n",
            t("TITLEX"),
            t("DESCX"),
            t("TAGX")
        ),
    );
    site.write(
        "content/faq/_index.md",
        "+++\ntitle = \"FAQ\"\nsort_by = \"weight\"\ntemplate = \"faq.html\"\n+++\n",
    );
    site.write("content/faq/hostile.md",
        &format!(
            "+++\ntitle = {}\nrelated = [\"articles/hostile.md\"]\n+++\nThe answer mentions `]]>` and `</script>`.\n",
            t("QUESTIONX")
        ),
    );
    site.write(
        "content/team/_index.md",
        "+++\ntitle = \"Team\"\nsort_by = \"weight\"\ntemplate = \"team.html\"\n+++\n",
    );
    site.write(
        "content/team/hostile.md",
        &format!(
            "+++\nname = {}\nrole = {}\nsummary = {}\n+++\nA bio.\n",
            t("NAMEX"),
            t("ROLEX"),
            t("SUMMARYX")
        ),
    );
    site.write(
        "content/about.md",
        &format!("+++\ntitle = {}\n+++\nAbout.\n", t("PAGEX")),
    );
    site.write(
        "content/contact.md",
        "+++\ntitle = \"Contact\"\n+++\nWrite.\n",
    );
    if repo().join("themes/oakland/templates/search.html").exists() {
        site.write(
            "content/search.md",
            "+++\ntitle = \"Search\"\ntemplate = \"search.html\"\n+++\n",
        );
    }
    site.build(&[]).ok();
    site
}

/// What one output shows a reader, decoded: text, attribute values and JSON strings.
#[derive(Default)]
struct Seen {
    /// (where, decoded text)
    strings: Vec<(String, String)>,
    problems: Vec<String>,
}

impl Seen {
    fn text(&mut self, place: String, s: String) {
        self.strings.push((place, s));
    }

    /// Every label must be followed by its whole payload: anything else means the text was
    /// cut, changed or escaped twice.
    fn check_payloads(&mut self) {
        for (place, s) in &self.strings {
            for label in LABELS {
                for (at, _) in s.match_indices(label) {
                    if !s[at..].starts_with(&payload(label)) {
                        let shown: String = s[at..].chars().take(90).collect();
                        self.problems
                            .push(format!("{place}: {label} comes out as {shown:?}"));
                    }
                }
            }
        }
    }

    fn labels(&self) -> Vec<&'static str> {
        LABELS
            .iter()
            .copied()
            .filter(|l| self.strings.iter().any(|(_, s)| s.contains(l)))
            .collect()
    }
}

fn tokens(html: &str) -> impl Iterator<Item = Token> + '_ {
    let mut emitter = DefaultEmitter::default();
    // Script and style content must be read as raw text, as a browser does.
    emitter.naively_switch_states(true);
    Tokenizer::new_with_emitter(html, emitter).flatten()
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Reads an HTML page as a browser would and records what it shows and runs.
fn read_html(file: &str, html: &str, seen: &mut Seen) {
    let mut script: Option<String> = None;
    let mut script_text = String::new();
    for token in tokens(html) {
        match token {
            Token::StartTag(tag) => {
                let name = lossy(&tag.name);
                for (attr, value) in &tag.attributes {
                    let attr = lossy(attr);
                    if attr.starts_with("on") {
                        seen.problems
                            .push(format!("{file}: <{name}> has an event handler `{attr}`"));
                    }
                    seen.text(format!("{file} <{name} {attr}>"), lossy(value));
                }
                if name == "script" {
                    let kind = tag
                        .attributes
                        .get(b"type".as_slice())
                        .map(|v| lossy(v))
                        .unwrap_or_default();
                    script = Some(kind);
                    script_text.clear();
                }
            }
            Token::String(s) if script.is_some() => script_text.push_str(&lossy(&s)),
            Token::String(s) => seen.text(format!("{file} text"), lossy(&s)),
            Token::EndTag(tag) if lossy(&tag.name) == "script" => {
                let kind = script.take().unwrap_or_default();
                // JSON-LD holds the payload as data; only a script that runs must not.
                if kind != "application/ld+json" && script_text.contains("alert(") {
                    seen.problems
                        .push(format!("{file}: a script runs {script_text:?}"));
                }
                if kind == "application/ld+json" {
                    match serde_json::from_str::<Value>(&script_text) {
                        Ok(v) => json_strings(&v, &format!("{file} JSON-LD"), seen),
                        Err(e) => seen.problems.push(format!(
                            "{file}: JSON-LD does not parse ({e}): {script_text}"
                        )),
                    }
                }
            }
            _ => {}
        }
    }
}

fn json_strings(v: &Value, place: &str, seen: &mut Seen) {
    match v {
        Value::String(s) => seen.text(place.to_string(), s.clone()),
        Value::Array(a) => a.iter().for_each(|x| json_strings(x, place, seen)),
        Value::Object(o) => o.values().for_each(|x| json_strings(x, place, seen)),
        _ => {}
    }
}

/// XML is tokenized like HTML (the same five entities); text in an element marked
/// `type="html"` is HTML written as text, so it is decoded a second time.
fn read_xml(file: &str, xml: &str, seen: &mut Seen) {
    let mut html_text = false;
    for token in tokens(xml) {
        match token {
            Token::StartTag(tag) => {
                html_text = tag
                    .attributes
                    .get(b"type".as_slice())
                    .is_some_and(|v| v.as_slice() == b"html");
                for (attr, value) in &tag.attributes {
                    seen.text(format!("{file} @{}", lossy(attr)), lossy(value));
                }
            }
            Token::String(s) if html_text => read_html(&format!("{file} (html)"), &lossy(&s), seen),
            Token::String(s) => seen.text(format!("{file} text"), lossy(&s)),
            Token::EndTag(_) => html_text = false,
            _ => {}
        }
    }
    if xml.contains("<script") {
        seen.problems.push(format!("{file}: holds a raw <script"));
    }
}

/// `xmllint --noout`: the file must be well-formed (./.ci/test installs xmllint).
fn well_formed_xml(path: &Path) -> Result<(), String> {
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg(path)
        .output()
        .expect("xmllint is needed for this test: apt-get install libxml2-utils");
    if out.status.success() {
        Ok(())
    } else {
        Err(stderr(&out))
    }
}

fn files(dir: &Path, ext: &str) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn html_pages_show_the_text_and_run_nothing() {
    let site = built_site();
    let public = site.path("public");
    let mut seen = Seen::default();
    let pages = files(&public, "html");
    assert!(pages.len() >= 10, "{pages:?}");
    for page in &pages {
        let rel = page.strip_prefix(&public).unwrap().display().to_string();
        read_html(&rel, &std::fs::read_to_string(page).unwrap(), &mut seen);
    }
    seen.check_payloads();
    assert!(seen.problems.is_empty(), "{}", seen.problems.join("\n"));
    assert_eq!(seen.labels(), LABELS, "every field reaches some page");
}

#[test]
fn json_ld_holds_the_exact_text() {
    let site = built_site();
    let public = site.path("public");
    let mut seen = Seen::default();
    for page in files(&public, "html") {
        let rel = page.strip_prefix(&public).unwrap().display().to_string();
        let mut page_seen = Seen::default();
        read_html(
            &rel,
            &std::fs::read_to_string(&page).unwrap(),
            &mut page_seen,
        );
        seen.problems.extend(page_seen.problems);
        seen.strings.extend(
            page_seen
                .strings
                .into_iter()
                .filter(|(place, _)| place.ends_with("JSON-LD")),
        );
    }
    seen.check_payloads();
    assert!(seen.problems.is_empty(), "{}", seen.problems.join("\n"));
    // The structured data of the article, the FAQ, the bio, the breadcrumbs and the home.
    for label in [
        "SITEX",
        "ORGX",
        "SECTIONX",
        "TITLEX",
        "DESCX",
        "QUESTIONX",
        "NAMEX",
    ] {
        assert!(seen.labels().contains(&label), "{label} is in no JSON-LD");
    }
}

/// The feed, the sitemap and the search index: each written, well-formed, and holding the
/// hostile text exactly once escaped.
#[test]
fn feed_sitemap_and_search_index_hold_the_exact_text() {
    let site = built_site();
    let public = site.path("public");
    let mut seen = Seen::default();
    let mut checked = Vec::new();
    for xml in files(&public, "xml") {
        let rel = xml.strip_prefix(&public).unwrap().display().to_string();
        if let Err(e) = well_formed_xml(&xml) {
            seen.problems
                .push(format!("{rel} is not well-formed XML: {e}"));
        }
        read_xml(&rel, &std::fs::read_to_string(&xml).unwrap(), &mut seen);
        checked.push(rel);
    }
    for json in files(&public, "json") {
        let rel = json.strip_prefix(&public).unwrap().display().to_string();
        match serde_json::from_str::<Value>(&std::fs::read_to_string(&json).unwrap()) {
            Ok(v) => json_strings(&v, &rel, &mut seen),
            Err(e) => seen.problems.push(format!("{rel} does not parse: {e}")),
        }
        checked.push(rel);
    }
    for needed in ["atom.xml", "sitemap.xml", "search-index.json"] {
        assert!(
            checked.iter().any(|c| c == needed),
            "{needed} was not written: {checked:?}"
        );
    }
    seen.check_payloads();
    assert!(seen.problems.is_empty(), "{}", seen.problems.join("\n"));
    for label in ["SITEX", "TITLEX"] {
        assert!(
            seen.strings
                .iter()
                .any(|(p, s)| p.starts_with("atom.xml") && s.contains(label)),
            "{label} is not in the feed"
        );
    }
}
