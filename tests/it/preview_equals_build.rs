//! The preview's central promise: whatever a person saves, what `grove serve` shows is what
//! `grove build` would write. A property test applies random sequences of saves to a small
//! site (edit a body, change a title, date, tags or weight, add, delete and rename pages
//! and sections, toggle a draft, edit a stylesheet, add or remove a picture, edit a
//! picture a template links to, edit a template or the config) through the preview's own
//! update path (the changed paths, classified as the watcher's batches are, then
//! `Builder::rebuild`), and after each step compares every output, byte for byte, with a
//! fresh full build of the same files. Without `--drafts` the preview also shows each
//! draft's own page, with a banner: those pages are checked to be there, and every other
//! output must still be the build's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;

use grove::cmd::serve::builder::Builder;
use grove::output::{Entry, MemoryOutput};
use grove::render::banner;
use grove::{BuildOptions, Pipeline};

use crate::harness::{SiteTest, copy_dir, repo};

/// One Markdown page of the model site.
#[derive(Debug, Clone, PartialEq)]
struct Spec {
    /// `articles`, `faq` or `notes`.
    folder: &'static str,
    name: String,
    title: String,
    day: Option<u8>,
    tags: Vec<&'static str>,
    weight: i64,
    draft: bool,
    body: String,
}

impl Spec {
    fn rel(&self) -> String {
        format!("content/{}/{}.md", self.folder, self.name)
    }

    fn text(&self) -> String {
        let mut front = format!("title = {:?}\n", self.title);
        if self.folder != "faq"
            && let Some(d) = self.day
        {
            front.push_str(&format!("date = 2025-01-{d:02}\n"));
        }
        if self.folder == "articles" {
            front.push_str(&format!("tags = {:?}\n", self.tags));
        } else {
            front.push_str(&format!("weight = {}\n", self.weight));
        }
        if self.draft {
            front.push_str("draft = true\n");
        }
        format!("+++\n{front}+++\n\n{}\n", self.body)
    }
}

/// The site as a person keeps it: the pages, whether `notes/` is a section, the config's
/// title and tag list length, a line in some templates, the stylesheet, the pictures.
#[derive(Debug, Clone)]
struct Model {
    pages: Vec<Spec>,
    notes_section: bool,
    site_title: String,
    tags_paginate_by: u8,
    /// Template file name -> the note at its end.
    templates: BTreeMap<&'static str, String>,
    /// Whether base.html links to the logo by its stamp (`cachebust=true`).
    logo_in_base: bool,
    logo: String,
    css: String,
    pictures: Vec<String>,
}

/// The templates the model edits.
const TEMPLATES: [&str; 3] = ["article.html", "base.html", "section.html"];

/// One save.
#[derive(Debug, Clone)]
enum Op {
    Body(usize, String),
    Title(usize, String),
    Day(usize, Option<u8>),
    Tags(usize, Vec<&'static str>),
    Weight(usize, i64),
    Draft(usize),
    Add(&'static str, String),
    Delete(usize),
    Rename(usize, String),
    NotesSection,
    Template(&'static str, String),
    LogoInBase,
    Config(String, u8),
    Css(String),
    Logo(String),
    Picture(String),
}

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["calm", "breath", "skills", "group", "sleep", "walk"])
        .prop_map(str::to_string)
}

fn op() -> impl Strategy<Value = Op> {
    let i = 0usize..8;
    prop_oneof![
        (i.clone(), "[a-z ]{1,24}").prop_map(|(i, b)| Op::Body(i, b)),
        (i.clone(), word()).prop_map(|(i, w)| Op::Title(i, format!("About {w}"))),
        (i.clone(), prop::option::of(1u8..28)).prop_map(|(i, d)| Op::Day(i, d)),
        (
            i.clone(),
            prop::sample::subsequence(vec!["anxiety", "sleep", "dbt"], 0..=3)
        )
            .prop_map(|(i, t)| Op::Tags(i, t)),
        (i.clone(), -3i64..4).prop_map(|(i, w)| Op::Weight(i, w)),
        i.clone().prop_map(Op::Draft),
        (
            prop::sample::select(vec!["articles", "faq", "notes"]),
            word()
        )
            .prop_map(|(f, w)| Op::Add(f, w)),
        i.clone().prop_map(Op::Delete),
        (i, word()).prop_map(|(i, w)| Op::Rename(i, w)),
        Just(Op::NotesSection),
        (prop::sample::select(TEMPLATES.to_vec()), word()).prop_map(|(t, w)| Op::Template(t, w)),
        Just(Op::LogoInBase),
        (word(), 1u8..4).prop_map(|(w, n)| Op::Config(w, n)),
        word().prop_map(Op::Css),
        word().prop_map(Op::Logo),
        word().prop_map(Op::Picture),
    ]
}

impl Model {
    fn start() -> Model {
        let spec = |folder, name: &str, title: &str, day, tags: Vec<&'static str>, weight| Spec {
            folder,
            name: name.into(),
            title: title.into(),
            day,
            tags,
            weight,
            draft: false,
            body: format!("The text of {name}."),
        };
        Model {
            pages: vec![
                spec("articles", "a", "Alpha", Some(3), vec!["anxiety"], 0),
                spec(
                    "articles",
                    "b",
                    "Beta",
                    Some(9),
                    vec!["anxiety", "sleep"],
                    0,
                ),
                spec("articles", "c", "Gamma", None, vec![], 0),
                spec("faq", "why", "Why?", None, vec![], 1),
                spec("faq", "how", "How?", None, vec![], 2),
                spec("notes", "n1", "Note one", Some(5), vec![], 0),
            ],
            notes_section: true,
            site_title: "Model clinic".into(),
            tags_paginate_by: 2,
            templates: TEMPLATES
                .iter()
                .map(|t| (*t, "start".to_string()))
                .collect(),
            logo_in_base: false,
            logo: "start".into(),
            css: "start".into(),
            pictures: Vec::new(),
        }
    }

    /// Applies `op`; returns the site files (relative paths) it wrote or removed.
    fn apply(&mut self, op: &Op) -> Vec<String> {
        let n = self.pages.len();
        let pick = |i: usize| (n > 0).then(|| i % n);
        match op {
            Op::Body(i, b) => self.edit(pick(*i), |p| p.body = b.clone()),
            Op::Title(i, t) => self.edit(pick(*i), |p| p.title = t.clone()),
            Op::Day(i, d) => self.edit(pick(*i), |p| p.day = *d),
            Op::Tags(i, t) => self.edit(pick(*i), |p| p.tags = t.clone()),
            Op::Weight(i, w) => self.edit(pick(*i), |p| p.weight = *w),
            Op::Draft(i) => self.edit(pick(*i), |p| p.draft = !p.draft),
            Op::Add(folder, w) => {
                let name = format!("{w}-{}", self.pages.len());
                if self
                    .pages
                    .iter()
                    .any(|p| p.name == name && p.folder == *folder)
                {
                    return Vec::new();
                }
                let page = Spec {
                    folder,
                    name,
                    title: format!("New {w}"),
                    day: Some(12),
                    tags: vec!["dbt"],
                    weight: 5,
                    draft: false,
                    body: format!("A new page about {w}."),
                };
                let rel = page.rel();
                self.pages.push(page);
                vec![rel]
            }
            Op::Delete(i) => match pick(*i) {
                Some(i) => vec![self.pages.remove(i).rel()],
                None => Vec::new(),
            },
            Op::Rename(i, w) => match pick(*i) {
                Some(i) => {
                    let old = self.pages[i].rel();
                    let name = format!("{w}-r{i}");
                    let folder = self.pages[i].folder;
                    if self
                        .pages
                        .iter()
                        .any(|p| p.name == name && p.folder == folder)
                    {
                        return Vec::new();
                    }
                    self.pages[i].name = name;
                    vec![old, self.pages[i].rel()]
                }
                None => Vec::new(),
            },
            Op::NotesSection => {
                self.notes_section = !self.notes_section;
                vec!["content/notes/_index.md".into()]
            }
            Op::Template(t, w) => {
                self.templates.insert(t, w.clone());
                vec![format!("themes/plain/templates/{t}")]
            }
            Op::LogoInBase => {
                self.logo_in_base = !self.logo_in_base;
                vec!["themes/plain/templates/base.html".into()]
            }
            Op::Config(w, n) => {
                self.site_title = format!("Clinic of {w}");
                self.tags_paginate_by = *n;
                vec!["config.toml".into()]
            }
            Op::Css(w) => {
                self.css = w.clone();
                vec![CSS.into()]
            }
            Op::Logo(w) => {
                // A new size, so that its stamp changes even within one clock tick.
                self.logo = format!("{}{w}", self.logo.len());
                vec![LOGO.into()]
            }
            Op::Picture(w) => {
                match self.pictures.iter().position(|p| p == w) {
                    Some(k) => {
                        self.pictures.remove(k);
                    }
                    None => self.pictures.push(w.clone()),
                }
                vec![picture(w)]
            }
        }
    }

    fn edit(&mut self, i: Option<usize>, change: impl FnOnce(&mut Spec)) -> Vec<String> {
        let Some(i) = i else { return Vec::new() };
        change(&mut self.pages[i]);
        vec![self.pages[i].rel()]
    }

    /// The files of the model, by path under the site folder.
    fn files(&self) -> BTreeMap<String, String> {
        let mut files = BTreeMap::new();
        files.insert(
            "config.toml".into(),
            format!(
                "title = {:?}\nbase_url = \"https://model.test\"\ntheme = \"plain\"\ntags_paginate_by = {}\n",
                self.site_title, self.tags_paginate_by
            ),
        );
        for (t, note) in &self.templates {
            let rel = format!("themes/plain/templates/{t}");
            let mut text = fixture(&rel);
            if *t == "base.html" && self.logo_in_base {
                text = text.replace(
                    "</body>",
                    "<img src=\"{{ get_url(path='/images/logo.svg', cachebust=true) }}\" alt=\"\"></body>",
                );
            }
            files.insert(rel, format!("{text}\n<!-- {note} -->\n"));
        }
        files.insert(CSS.into(), format!("{}/* {} */\n", fixture(CSS), self.css));
        files.insert(LOGO.into(), format!("<svg><!-- {} --></svg>\n", self.logo));
        for w in &self.pictures {
            files.insert(picture(w), format!("<svg><!-- {w} --></svg>\n"));
        }
        files.insert(
            "content/_index.md".into(),
            "+++\ntitle = \"Home\"\n+++\nWelcome.\n".into(),
        );
        files.insert(
            "content/articles/_index.md".into(),
            "+++\ntitle = \"Articles\"\nsort_by = \"date\"\npaginate_by = 2\n+++\n".into(),
        );
        files.insert(
            "content/faq/_index.md".into(),
            "+++\ntitle = \"FAQ\"\nsort_by = \"weight\"\ntemplate = \"faq.html\"\n+++\n".into(),
        );
        if self.notes_section {
            files.insert(
                "content/notes/_index.md".into(),
                "+++\ntitle = \"Notes\"\nsort_by = \"title\"\n+++\n".into(),
            );
        }
        for p in &self.pages {
            files.insert(p.rel(), p.text());
        }
        files
    }
}

/// Writes the model's files into `root`, removing the model files it no longer has.
fn sync(root: &Path, before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) {
    for rel in before.keys().filter(|k| !after.contains_key(*k)) {
        let _ = std::fs::remove_file(root.join(rel));
    }
    for (rel, text) in after {
        if before.get(rel) != Some(text) {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }
}

const CSS: &str = "themes/plain/static/css/site.css";
const LOGO: &str = "static/images/logo.svg";

fn picture(word: &str) -> String {
    format!("static/images/{word}.svg")
}

/// A file of the fixture site the model starts from.
fn fixture(rel: &str) -> String {
    std::fs::read_to_string(repo().join("tests/fixtures/build/site").join(rel)).unwrap()
}

/// `drafts`: as `--drafts` (drafts everywhere); else each draft has only its own page.
fn options(drafts: bool) -> BuildOptions {
    BuildOptions {
        base_url: Some("http://127.0.0.1:9".into()),
        drafts,
        ..BuildOptions::default()
    }
}

/// Every output of a fresh full build, as bytes (static files read from their source).
fn fresh(root: &Path, drafts: bool) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let pipeline = Pipeline::load(root, &options(drafts)).map_err(|e| e.to_string())?;
    let out = MemoryOutput::default();
    pipeline.render_all(&out).map_err(|e| e.to_string())?;
    Ok(bytes(&out.into_files()))
}

fn bytes(files: &std::collections::HashMap<String, Entry>) -> BTreeMap<String, Vec<u8>> {
    files
        .iter()
        .map(|(k, e)| {
            let b = match e {
                Entry::Bytes(b) => b.to_vec(),
                Entry::File(p) => std::fs::read(p).unwrap_or_default(),
            };
            (k.clone(), b)
        })
        .collect()
}

/// The first output that differs, for the failure message.
fn first_difference(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> String {
    for (k, v) in a {
        match b.get(k) {
            None => return format!("{k}: only in the preview"),
            Some(w) if w != v => {
                return format!(
                    "{k} differs:\n--- preview\n{}\n--- build\n{}",
                    String::from_utf8_lossy(v),
                    String::from_utf8_lossy(w)
                );
            }
            _ => {}
        }
    }
    match b.keys().find(|k| !a.contains_key(*k)) {
        Some(k) => format!("{k}: only in the build"),
        None => "no difference".into(),
    }
}

/// The preview's outputs, less the drafts' own pages (each checked to be there, with
/// its banner) when drafts are not shown everywhere.
fn published(
    builder: &Builder,
    model: &Model,
    drafts: bool,
) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut shown = bytes(builder.files());
    if drafts {
        return Ok(shown);
    }
    for p in model.pages.iter().filter(|p| p.draft) {
        let file = format!("{}/{}/index.html", p.folder, p.name);
        let page = shown
            .remove(&file)
            .ok_or_else(|| format!("the draft {} has no page at {file}", p.rel()))?;
        let page = String::from_utf8_lossy(&page);
        // Markdown drops the spaces around a paragraph.
        if !page.contains(banner::HTML) || !page.contains(p.body.trim()) {
            return Err(format!("{file} is not the draft with its banner:\n{page}"));
        }
    }
    Ok(shown)
}

/// Runs `ops` and checks the preview against a fresh build after each.
fn run(ops: &[Op], drafts: bool) -> Result<(), String> {
    let site = SiteTest::empty();
    let root: PathBuf = site.root().canonicalize().unwrap();
    copy_dir(
        &repo().join("tests/fixtures/build/site/themes"),
        &root.join("themes"),
    );
    let mut model = Model::start();
    let mut files = model.files();
    sync(&root, &BTreeMap::new(), &files);
    let mut builder = Builder::new(root.clone(), options(drafts));
    builder.full().map_err(|e| e.to_string())?;
    for (step, op) in ops.iter().enumerate() {
        let changed = model.apply(op);
        let after = model.files();
        sync(&root, &files, &after);
        files = after;
        let changed: Vec<PathBuf> = changed.iter().map(|r| root.join(r)).collect();
        let plan = builder.plan(&changed);
        let rebuilt = builder.rebuild(&plan, &mut |_, _| {});
        let expected = fresh(&root, drafts);
        match (rebuilt, expected) {
            (Ok(_), Ok(expected)) => {
                let shown = published(&builder, &model, drafts)
                    .map_err(|e| format!("after step {step} ({op:?}), {plan:?}: {e}"))?;
                if shown != expected {
                    return Err(format!(
                        "after step {step} ({op:?}), {:?}: {}",
                        plan,
                        first_difference(&shown, &expected)
                    ));
                }
            }
            // Both refuse the same broken site (two pages with one URL, say): fine.
            (Err(_), Err(_)) => {
                builder.full().ok();
            }
            (Err(e), Ok(_)) => {
                return Err(format!(
                    "after step {step} ({op:?}): the preview failed: {e}"
                ));
            }
            (Ok(_), Err(e)) => {
                return Err(format!(
                    "after step {step} ({op:?}): the preview built what a build refuses: {e}"
                ));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn after_any_saves_the_preview_shows_what_a_build_writes(
        ops in prop::collection::vec(op(), 1..8),
        drafts in prop::bool::weighted(0.25),
    ) {
        if let Err(e) = run(&ops, drafts) {
            prop_assert!(false, "{}", e);
        }
    }
}

/// Sequences the property test once found (shrunk), kept so they stay fixed.
#[test]
fn regressions() {
    let cases: Vec<Vec<Op>> = vec![
        vec![Op::Title(0, "About calm".into())],
        vec![Op::Day(2, Some(1)), Op::Tags(2, vec!["sleep"])],
        vec![Op::Draft(1), Op::Draft(1)],
        vec![Op::NotesSection, Op::Body(5, "x".into())],
        // the last page with a tag drops it: the tag's pages must go from the preview too
        vec![Op::Tags(1, vec!["anxiety"])],
        // a new stylesheet: every page links to its new hashed copy, the old one is gone
        vec![Op::Css("calm".into())],
        // a picture a template links to by its stamp; a picture no page shows
        vec![
            Op::LogoInBase,
            Op::Logo("calm".into()),
            Op::Picture("walk".into()),
        ],
        // a draft's text, then the draft published
        vec![Op::Draft(0), Op::Body(0, "x".into()), Op::Draft(0)],
        vec![
            Op::Config("sleep".into(), 1),
            Op::Template("base.html", "walk".into()),
        ],
    ];
    for ops in cases {
        for drafts in [false, true] {
            run(&ops, drafts).unwrap_or_else(|e| panic!("{ops:?}, drafts {drafts}: {e}"));
        }
    }
}
