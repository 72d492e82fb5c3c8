//! Every message grove stops with, pinned whole, in one place: a table of bad inputs, each
//! with the whole terminal output it gives (`snapshots/it__error_messages__*.snap`). A
//! message is pinned here and nowhere else; other tests check what a failure does (exit
//! code, files left as they were), not its words.
//!
//! Each failed build is also checked as a person would want it: exit 1, no panic, nothing
//! on stdout, the earlier `public/` byte for byte as it was, no staging folder left
//! ([`SiteTest::build_fails`]). When a message changes on purpose, accept the new
//! snapshots (`INSTA_UPDATE=always`, or `cargo insta review`) after reading them.

use crate::harness::{SiteTest, write};

/// A copy of `tests/fixtures/broken/<case>` on the minimal theme, with an earlier build in
/// `public/` that a failed build must leave alone.
fn broken(case: &str) -> SiteTest {
    with_public(SiteTest::fixture_with_minimal_theme(&format!(
        "broken/{case}"
    )))
}

/// The build fixture (articles, FAQ, team, the `plain` theme) with an earlier `public/`.
fn build_site() -> SiteTest {
    with_public(SiteTest::fixture("build/site"))
}

fn with_public(site: SiteTest) -> SiteTest {
    site.write("public/index.html", "<p>yesterday's home page</p>")
        .write("public/about/index.html", "<p>yesterday's about</p>");
    site
}

/// The failed builds of `sites`, each under a `$ grove build  # label` line.
fn builds(sites: Vec<(&str, SiteTest)>) -> String {
    sites
        .into_iter()
        .map(|(label, site)| format!("$ grove build   # {label}\n{}\n", site.build_fails()))
        .collect()
}

/// One test per row: the name, then the sites (each a label and a broken site) whose
/// failed builds make the snapshot.
macro_rules! build_errors {
    ($($name:ident: [$($label:literal => $site:expr),+ $(,)?];)+) => {$(
        #[test]
        fn $name() {
            let report = builds(vec![$(($label, $site)),+]);
            insta::assert_snapshot!(report);
        }
    )+};
}

/// `site` after `change`.
fn with(site: SiteTest, change: impl FnOnce(&SiteTest)) -> SiteTest {
    change(&site);
    site
}

const MINIMAL_CONFIG: &str = "title = \"x\"\ntheme = \"minimal\"\n";

build_errors! {
    front_matter_never_closed: [
        "a page" => broken("unclosed-front-matter"),
        "two broken pages at once" => with(build_site(), |s| {
            s.write("content/about.md", "no front matter\n");
            s.write("content/faq/is-it-safe.md", "+++\ntitle = \"x\"\n");
        }),
    ];
    front_matter_in_yaml: [
        "YAML instead of TOML" => with(build_site(), |s| {
            s.write("content/about.md", "---\ntitle: About\ndraft: false\n---\nText\n");
        }),
    ];
    toml_syntax: [
        "front matter" => broken("toml-syntax-error"),
        "config.toml" => broken("config-syntax-error"),
    ];
    wrong_field_types: [
        "order in quotes" => broken("wrong-field-type"),
        "draft in quotes" => with(broken("wrong-field-type"), |s| {
            s.write("content/faq/how-long.md", "+++\ntitle = \"How long?\"\ndraft = \"no\"\n+++\n");
        }),
        "related not a list" => with(broken("wrong-field-type"), |s| {
            s.write("content/faq/how-long.md", "+++\ntitle = \"How long?\"\nrelated = \"articles/x.md\"\n+++\n");
        }),
        "tags not a list" => with(build_site(), |s| {
            s.write("content/articles/first.md", "+++\ntitle = \"First\"\ntags = \"trauma\"\n+++\n");
        }),
        "negative page size" => with(build_site(), |s| {
            s.write("content/faq/_index.md", "+++\ntitle = \"FAQ\"\npaginate_by = -3\n+++\n");
        }),
    ];
    unknown_fields: [
        "an article" => broken("unknown-field"),
        "a FAQ entry" => with(build_site(), |s| {
            s.write("content/faq/is-it-safe.md", "+++\ntitle = \"Is it safe?\"\nwieght = 10\n+++\nYes.\n");
        }),
        "config.toml" => with(build_site(), |s| {
            s.write("config.toml", "title = \"x\"\nbaseurl = \"https://a\"\ntheme = \"plain\"\n");
        }),
        "a page with CRLF line endings" => with(broken("crlf"), |s| {
            s.write("content/about.md", "+++\r\ntitle = \"About\"\r\ntitel = \"x\"\r\n+++\r\n");
        }),
    ];
    bad_dates: [
        "words" => broken("bad-date"),
        "day first" => with(build_site(), |s| {
            s.write("content/articles/first.md", "+++\ntitle = \"First\"\ndate = \"10/01/2024\"\n+++\n");
        }),
        "no such day, bare" => with(broken("bad-date"), |s| {
            s.write("content/articles/mindfulness.md", "+++\ntitle = \"Mindfulness\"\ndate = 2025-02-30\n+++\n");
        }),
        "no such day, quoted" => with(broken("bad-date"), |s| {
            s.write("content/articles/mindfulness.md", "+++\ntitle = \"Mindfulness\"\nupdated = \"2025-02-30\"\n+++\n");
        }),
    ];
    unreadable_files: [
        "empty" => broken("empty-file"),
        "only blank lines" => with(broken("empty-file"), |s| {
            s.write("content/about.md", "\n\r\n   \n");
        }),
        "binary" => broken("binary-file"),
        "not UTF-8" => broken("invalid-utf8"),
    ];
    links: [
        "to a missing file" => broken("link-to-missing"),
        "to a misspelt article" => with(build_site(), |s| {
            s.write("content/about.md", "+++\ntitle = \"About\"\n+++\n\nRead [this](@/articles/frist.md).\n");
        }),
        "with spaces" => with(broken("non-ascii-names"), |s| {
            s.write("content/über uns.md", "+++\ntitle = \"Über uns\"\n+++\nSee [the café](@/articles/Café olé.md).\n");
        }),
        "related to a missing article" => with(build_site(), |s| {
            s.write("content/faq/is-it-safe.md", "+++\ntitle = \"Safe?\"\nrelated = [\"articles/thrid.md\"]\n+++\n");
        }),
    ];
    two_files_one_url: [
        "the same slug" => broken("duplicate-slug"),
        "a slug that takes another's URL" => with(build_site(), |s| {
            s.write("content/articles/copy.md", "+++\ntitle = \"Copy\"\nslug = \"first\"\n+++\n");
        }),
    ];
    templates: [
        "syntax" => broken("template-syntax-error"),
        "syntax in a theme" => with(build_site(), |s| {
            s.write("themes/plain/templates/bio.html", "{% extends \"base.html\" %}\n{% block content %}{% if %}{% endblock %}");
        }),
        "an undefined variable" => broken("template-undefined-variable"),
        "an undefined field of the page" => with(build_site(), |s| {
            s.write("templates/page.html", "{% extends \"base.html\" %}{% block content %}{{ page.nope.deeper }}{% endblock %}");
        }),
        "a missing template" => with(build_site(), |s| s.remove("themes/plain/templates/bio.html")),
    ];
    themes: [
        "missing" => broken("missing-theme"),
        "misspelt" => with(build_site(), |s| {
            s.write("config.toml", "title = \"x\"\ntheme = \"plian\"\n");
        }),
    ];
}

#[cfg(unix)]
build_errors! {
    symbolic_links: [
        "a theme that is a loop" => with(broken("theme-symlink-loop"), |s| {
            std::os::unix::fs::symlink("loop", s.path("themes/loop")).unwrap();
        }),
        "a loop in a theme's templates" => with(broken("theme-symlink-loop"), |s| {
            s.write("config.toml", MINIMAL_CONFIG);
            std::os::unix::fs::symlink("..", s.path("themes/minimal/templates/back")).unwrap();
        }),
        "a loop in content, and a dangling link" => with(broken("theme-symlink-loop"), |s| {
            s.write("config.toml", MINIMAL_CONFIG);
            std::os::unix::fs::symlink("../content", s.path("content/again")).unwrap();
            std::os::unix::fs::symlink("gone.md", s.path("content/dangling.md")).unwrap();
        }),
        "a dangling link" => with(broken("theme-symlink-loop"), |s| {
            s.write("config.toml", MINIMAL_CONFIG);
            std::os::unix::fs::symlink("gone.md", s.path("content/dangling.md")).unwrap();
        }),
        "a file linked from outside the site" => with(broken("theme-symlink-loop"), |s| {
            s.write("config.toml", MINIMAL_CONFIG);
            write(&s.outside(), "secret.txt", "root:x:0:0");
            std::fs::create_dir_all(s.path("static")).unwrap();
            std::os::unix::fs::symlink(s.outside().join("secret.txt"), s.path("static/leak.txt")).unwrap();
        }),
        "a folder linked from outside the site" => with(broken("theme-symlink-loop"), |s| {
            s.write("config.toml", MINIMAL_CONFIG);
            std::os::unix::fs::symlink(s.outside(), s.path("content/shared")).unwrap();
        }),
    ];
}

/// Every problem of a site in one report, as a person reads it: each with its line,
/// caret and help, and the count.
#[test]
fn every_problem_of_a_site_is_reported_at_once() {
    let site = broken("unknown-field");
    site.write("content/empty.md", "")
        .write("content/open.md", "+++\ntitle = \"x\"\n");
    insta::assert_snapshot!(site.build_fails());
}

/// Mistakes in the command rather than the site: no site here, an output folder that
/// would destroy the site.
#[test]
fn the_command_itself() {
    let mut report = String::new();
    let empty = SiteTest::empty();
    let run = empty.build(&[]).fails();
    report.push_str(&format!(
        "$ grove build   # no config.toml\n{}\n",
        run.stderr
    ));
    let site = build_site();
    for (label, output) in [
        ("the site itself", site.root()),
        ("its content", site.path("content")),
        ("the folder around it", site.path("..")),
    ] {
        let run = site.build(&["--output", output.to_str().unwrap()]).fails();
        report.push_str(&format!(
            "$ grove build --output ...   # {label}\n{}\n",
            run.stderr
        ));
    }
    assert!(site.path("content/about.md").exists());
    insta::assert_snapshot!(report);
}

/// `grove new`'s refusals: a file that is there already, a title without letters, a
/// folder that is not a site. Nothing is written.
#[test]
fn grove_new() {
    let site = SiteTest::fixture("new");
    site.write("content/faq/is-it-safe.md", "my own words");
    let mut report = String::new();
    for (label, site, args) in [
        ("an existing file", &site, ["faq", "Is it safe?"]),
        ("no letters", &site, ["article", "???"]),
        ("not a site", &SiteTest::empty(), ["page", "Fees"]),
    ] {
        let root = site.root();
        let run = site
            .grove(&["new", args[0], args[1], "--root", root.to_str().unwrap()])
            .fails();
        report.push_str(&format!(
            "$ grove new {}   # {label}\n{}\n",
            args.join(" "),
            run.transcript()
        ));
    }
    assert_eq!(site.read("content/faq/is-it-safe.md"), "my own words");
    insta::assert_snapshot!(report);
}
