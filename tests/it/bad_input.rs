//! `grove build` on broken sites (tests/fixtures/broken/<case>/): every mistake a person can
//! make in a text file stops the build with exit 1 and a message naming the file (and line),
//! never a panic, and leaves the earlier `public/` exactly as it was. Input that is odd but
//! valid (CRLF, a BOM, accents in file names, a huge page) builds.

use std::path::Path;

use crate::common::*;

/// A temporary copy of `broken/<case>` with the shared minimal theme and an earlier build
/// in `public/`.
fn site(case: &str) -> tempfile::TempDir {
    let dir = fixture(&format!("broken/{case}"));
    copy_dir(
        &repo().join("tests/fixtures/minimal-theme"),
        &dir.path().join("themes/minimal"),
    );
    let public = dir.path().join("public");
    std::fs::create_dir_all(public.join("about")).unwrap();
    std::fs::write(public.join("index.html"), "<p>yesterday's home page</p>").unwrap();
    std::fs::write(public.join("about/index.html"), "<p>yesterday's about</p>").unwrap();
    dir
}

fn assert_no_panic(stderr: &str) {
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "grove panicked:\n{stderr}"
    );
}

/// Builds `case` after `change`, expects it to fail (see [`build_fails`]), and returns
/// stderr with the temporary folder's path taken out.
fn fails(case: &str, change: impl FnOnce(&Path)) -> String {
    let site = site(case);
    change(site.path());
    build_fails(site.path())
}

/// Builds `case` after `change` and expects success.
fn builds(case: &str, change: impl FnOnce(&Path)) -> tempfile::TempDir {
    let site = site(case);
    change(site.path());
    let out = build(site.path(), &[]);
    let err = stderr(&out);
    assert_no_panic(&err);
    assert!(out.status.success(), "{case}: build failed\n{err}");
    site
}

fn has_lines(text: &str, expected: &[&str]) {
    for e in expected {
        assert!(text.contains(e), "expected {e:?} in:\n{text}");
    }
}

#[test]
fn unclosed_front_matter() {
    let err = fails("unclosed-front-matter", |_| {});
    has_lines(
        &err,
        &[
            "error: content/about.md:1:1: the front matter that starts here is never closed",
            "help: add a line `+++` after the last front matter field, before the text",
            "nothing was written",
        ],
    );
}

#[test]
fn toml_syntax_error_in_front_matter() {
    let err = fails("toml-syntax-error", |_| {});
    has_lines(
        &err,
        &[
            "error: content/about.md:2:18: invalid basic string, expected `\"`",
            "2 | title = \"About us",
            "help: text values go between double quotes",
        ],
    );
}

#[test]
fn toml_syntax_error_in_config() {
    let err = fails("config-syntax-error", |_| {});
    has_lines(
        &err,
        &[
            "error: config.toml:2:33: invalid basic string",
            "2 | base_url = \"https://test.example",
        ],
    );
}

#[test]
fn wrong_field_type_says_what_the_field_takes() {
    let err = fails("wrong-field-type", |_| {});
    has_lines(
        &err,
        &[
            "error: content/faq/how-long.md:3:10: Order must be a whole number, e.g. 10, not \"first\"",
            "help: numbers are written without quotes: weight = 10",
        ],
    );
    let err = fails("wrong-field-type", |root| {
        write(
            root,
            "content/faq/how-long.md",
            "+++\ntitle = \"How long?\"\ndraft = \"no\"\n+++\n",
        )
    });
    has_lines(
        &err,
        &[
            "content/faq/how-long.md:3:9: Draft must be true or false, not \"no\"",
            "help: write true or false without quotes: draft = true",
        ],
    );
    let err = fails("wrong-field-type", |root| {
        write(
            root,
            "content/faq/how-long.md",
            "+++\ntitle = \"How long?\"\nrelated = \"articles/x.md\"\n+++\n",
        )
    });
    has_lines(
        &err,
        &[
            "content/faq/how-long.md:3:11: Related articles must be a list, not \"articles/x.md\"",
            "help: a list goes in square brackets, each item in double quotes: related = [\"articles/x.md\"]",
        ],
    );
    let err = fails("wrong-field-type", |root| {
        write(
            root,
            "content/faq/_index.md",
            "+++\ntitle = \"FAQ\"\npaginate_by = -3\n+++\n",
        )
    });
    has_lines(
        &err,
        &["content/faq/_index.md:3:15: Pages per list page must be 1 or more, not -3"],
    );
}

#[test]
fn unknown_field_suggests_the_nearest() {
    let err = fails("unknown-field", |_| {});
    has_lines(
        &err,
        &[
            "error: content/articles/mindfulness.md:4:1: `tagz` is not a field of an article",
            "help: did you mean `tags`?",
        ],
    );
}

#[test]
fn bad_dates_are_positioned() {
    let err = fails("bad-date", |_| {});
    has_lines(
        &err,
        &[
            "error: content/articles/mindfulness.md:3:8: Published must be a date, e.g. 2025-03-14; \"March 14th\" is not one",
            "help: write date = 2025-01-31 (a day) or date = 2025-01-31T09:00:00-08:00",
        ],
    );
    // Bare TOML dates are checked by the TOML reader itself.
    let err = fails("bad-date", |root| {
        write(
            root,
            "content/articles/mindfulness.md",
            "+++\ntitle = \"Mindfulness\"\ndate = 2025-02-30\n+++\n",
        )
    });
    has_lines(
        &err,
        &[
            "content/articles/mindfulness.md:3:8: Published must be a date that exists, e.g. 2025-03-14; 2025-02-30 is not one",
        ],
    );
    let err = fails("bad-date", |root| {
        write(
            root,
            "content/articles/mindfulness.md",
            "+++\ntitle = \"Mindfulness\"\nupdated = \"2025-02-30\"\n+++\n",
        )
    });
    has_lines(
        &err,
        &[
            "content/articles/mindfulness.md:3:11: Last updated must be a date, e.g. 2025-03-14; \"2025-02-30\" is not one",
        ],
    );
}

#[test]
fn empty_file() {
    let err = fails("empty-file", |_| {});
    has_lines(
        &err,
        &[
            "error: content/about.md:1:1: the file is empty",
            "help: start the file with front matter, for example:",
            "title = \"The page's title\"",
        ],
    );
    // Only blank lines is still empty, for a person.
    let err = fails("empty-file", |root| {
        write(root, "content/about.md", "\n\r\n   \n")
    });
    has_lines(&err, &["content/about.md:1:1: the file is empty"]);
}

#[test]
fn binary_file_named_md() {
    let err = fails("binary-file", |_| {});
    has_lines(
        &err,
        &[
            "error: content/photo.md: this is a binary file, not Markdown text",
            "help: move it out of content/",
        ],
    );
}

#[test]
fn invalid_utf8_points_at_the_byte() {
    let err = fails("invalid-utf8", |_| {});
    has_lines(
        &err,
        &[
            "error: content/about.md:2:13: this file is not UTF-8 text: the byte 0xE9 here cannot be read",
            "2 | title = \"Caf\u{FFFD}\"",
            "help: save the file with UTF-8 encoding",
        ],
    );
}

#[test]
fn byte_order_mark_is_accepted_in_pages_and_config() {
    let site = builds("bom", |_| {});
    let html = read(site.path(), "public/about/index.html");
    assert!(html.contains("<title>About us</title>"), "{html}");
    assert!(
        !html.contains('\u{feff}'),
        "the BOM must not reach the page"
    );
}

#[test]
fn crlf_line_endings_build_like_lf() {
    let site = builds("crlf", |_| {});
    let html = read(site.path(), "public/about/index.html");
    assert!(html.contains("<title>About us</title>"), "{html}");
    assert!(
        html.contains("<h2 id=\"who-we-are\">Who we are</h2>"),
        "{html}"
    );
    // Errors in CRLF files show the line without a stray carriage return.
    let err = fails("crlf", |root| {
        write(
            root,
            "content/about.md",
            "+++\r\ntitle = \"About\"\r\ntitel = \"x\"\r\n+++\r\n",
        )
    });
    has_lines(
        &err,
        &[
            "content/about.md:3:1: `titel` is not a field of a page",
            "3 | titel = \"x\"\n",
        ],
    );
}

#[test]
fn five_megabyte_article_builds() {
    let site = builds("huge-article", |root| {
        let paragraph =
            "Mindfulness is paying attention, on purpose, to the present moment. ".repeat(15);
        let mut body = String::from("+++\ntitle = \"A very long article\"\n+++\n");
        let mut i = 0;
        while body.len() < 5 * 1024 * 1024 {
            body.push_str(&format!("## Part {i}\n\n{paragraph}\n\n- one\n- two\n\n"));
            i += 1;
        }
        write(root, "content/long.md", &body);
    });
    let html = read(site.path(), "public/long/index.html");
    assert!(html.len() > 5 * 1024 * 1024);
    assert!(html.contains("<h2 id=\"part-0\">Part 0</h2>"));
    assert!(html.contains("<a href=\"#part-1000\">Part 1000</a>"), "toc");
}

#[test]
fn ten_thousand_deep_nesting_builds() {
    let site = builds("deep-nesting", |root| {
        let page = |title: &str, body: String| format!("+++\ntitle = \"{title}\"\n+++\n{body}\n");
        write(
            root,
            "content/lists.md",
            &page("Lists", "- ".repeat(10_000) + "deep"),
        );
        write(
            root,
            "content/ordered.md",
            &page("Ordered", "1. ".repeat(10_000) + "deep"),
        );
        write(
            root,
            "content/quotes.md",
            &page("Quotes", "> ".repeat(10_000) + "deep"),
        );
        write(
            root,
            "content/mixed.md",
            &page("Mixed", "> - ".repeat(5_000) + "deep"),
        );
        let emphasis =
            "*".repeat(10_000) + "deep" + &"*".repeat(10_000) + "\n\n" + &"[".repeat(10_000);
        write(root, "content/emphasis.md", &page("Emphasis", emphasis));
    });
    for (page, open) in [
        ("lists", "<ul>"),
        ("ordered", "<ol>"),
        ("quotes", "<blockquote>"),
    ] {
        let html = read(site.path(), &format!("public/{page}/index.html"));
        assert!(html.matches(open).count() >= 10_000, "{page}");
        assert!(html.contains("deep"), "{page}");
    }
}

#[test]
fn headings_of_only_punctuation_or_emoji_get_distinct_ids() {
    let site = builds("punctuation-headings", |_| {});
    let html = read(site.path(), "public/about/index.html");
    let ids: Vec<&str> = html
        .split("<h2 id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(ids.len(), 5, "{html}");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 5, "ids repeat: {ids:?}");
    for id in &ids {
        assert!(
            !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{id:?} is not a clean anchor"
        );
    }
}

#[test]
fn non_ascii_and_spaces_in_file_names() {
    let site = builds("non-ascii-names", |_| {});
    let about = read(site.path(), "public/uber-uns/index.html");
    assert!(
        about.contains("<a href=\"/articles/cafe-ole/\">the café</a>"),
        "{about}"
    );
    assert!(
        site.path()
            .join("public/articles/cafe-ole/index.html")
            .is_file()
    );
    // A name with no Latin letters is transliterated too, rather than refused.
    let list = read(site.path(), "public/articles/index.html");
    assert!(list.contains(">Ketamine</a>"), "{list}");
}

#[test]
fn link_to_a_name_with_spaces_needs_angle_brackets() {
    let err = fails("non-ascii-names", |root| {
        write(
            root,
            "content/über uns.md",
            "+++\ntitle = \"Über uns\"\n+++\nSee [the café](@/articles/Café olé.md).\n",
        )
    });
    has_lines(
        &err,
        &[
            "error: content/über uns.md:4:15: `@/articles/Café olé.md` is not read as a link: Markdown ends an address at a space",
            "help: put an address with spaces between < and >: [text](<@/articles/Café olé.md>)",
        ],
    );
}

#[test]
fn two_files_with_the_same_slug_are_named_together() {
    let err = fails("duplicate-slug", |_| {});
    has_lines(
        &err,
        &[
            "error: content/articles/other.md: its URL `/articles/my-post/` is also the URL of `content/articles/my-post.md`",
            "help: two files cannot share a URL",
        ],
    );
}

#[test]
fn link_to_a_missing_file_names_line_and_nearest() {
    let err = fails("link-to-missing", |_| {});
    has_lines(
        &err,
        &[
            "error: content/about.md:6:6: link to `@/approach.md`, which does not exist",
            "6 | Read [our approach](@/approach.md) first.",
            "help: the nearest existing file is `@/approaches.md`",
        ],
    );
}

#[test]
fn link_to_itself_resolves() {
    let site = builds("link-to-itself", |_| {});
    let html = read(site.path(), "public/about/index.html");
    assert!(html.contains("<a href=\"/about/\">This page</a>"), "{html}");
    assert!(
        html.contains("<a href=\"/about/#top\">its top</a>"),
        "{html}"
    );
}

#[test]
fn template_syntax_error_names_the_template_and_line() {
    let err = fails("template-syntax-error", |_| {});
    has_lines(
        &err,
        &[
            "error: template `templates/page.html`: Failed to parse 'page.html'",
            "--> 5:1",
            "expected an `elif` tag, an `else` tag, an endif tag",
        ],
    );
}

#[test]
fn undefined_variable_names_template_and_page() {
    let err = fails("template-undefined-variable", |_| {});
    has_lines(
        &err,
        &[
            "error: template `templates/page.html` (rendering content/about.md)",
            "Variable `page.subtitle` not found",
        ],
    );
}

#[test]
fn missing_theme_lists_the_themes_there_are() {
    let err = fails("missing-theme", |_| {});
    has_lines(
        &err,
        &[
            "error: config.toml: theme `oaklnd` not found: there is no folder themes/oaklnd/templates",
            "help: themes found: minimal",
        ],
    );
}

#[cfg(unix)]
#[test]
fn theme_that_is_a_symlink_loop() {
    let err = fails("theme-symlink-loop", |root| {
        std::os::unix::fs::symlink("loop", root.join("themes/loop")).unwrap();
    });
    has_lines(
        &err,
        &[
            "error: config.toml: theme `loop`: themes/loop is a symbolic link that cannot be followed",
            "help: a link that points to itself, or to a link back to it, never reaches a folder",
        ],
    );
    assert!(!err.contains("did you mean"), "{err}");
    // A loop inside the theme's templates, and one inside content/.
    let err = fails("theme-symlink-loop", |root| {
        std::fs::write(
            root.join("config.toml"),
            "title = \"x\"\ntheme = \"minimal\"\n",
        )
        .unwrap();
        std::os::unix::fs::symlink("..", root.join("themes/minimal/templates/back")).unwrap();
    });
    has_lines(
        &err,
        &[
            "error: themes/minimal/templates/back: this symbolic link points back to a folder that contains it (a loop)",
        ],
    );
    let err = fails("theme-symlink-loop", |root| {
        std::fs::write(
            root.join("config.toml"),
            "title = \"x\"\ntheme = \"minimal\"\n",
        )
        .unwrap();
        std::os::unix::fs::symlink("../content", root.join("content/again")).unwrap();
        std::os::unix::fs::symlink("gone.md", root.join("content/dangling.md")).unwrap();
    });
    has_lines(
        &err,
        &["content/again: this symbolic link points back to a folder that contains it (a loop)"],
    );
}

#[cfg(unix)]
#[test]
fn dangling_symlink_in_content_names_its_target() {
    let err = fails("theme-symlink-loop", |root| {
        std::fs::write(
            root.join("config.toml"),
            "title = \"x\"\ntheme = \"minimal\"\n",
        )
        .unwrap();
        std::os::unix::fs::symlink("gone.md", root.join("content/dangling.md")).unwrap();
    });
    has_lines(
        &err,
        &[
            "error: content/dangling.md: this symbolic link points to `gone.md`, which does not exist",
        ],
    );
}

/// A link in static/ (or content/, or a theme) that leads out of the site would publish
/// whatever it points to: build, check and the preview all refuse it by name.
#[cfg(unix)]
#[test]
fn a_link_out_of_the_site_is_never_published() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "root:x:0:0").unwrap();
    let target = outside.path().join("secret.txt");
    let link = |root: &Path| {
        std::fs::create_dir_all(root.join("static")).unwrap();
        std::os::unix::fs::symlink(&target, root.join("static/leak.txt")).unwrap();
    };
    let err = fails("theme-symlink-loop", |root| {
        std::fs::write(
            root.join("config.toml"),
            "title = \"x\"\ntheme = \"minimal\"\n",
        )
        .unwrap();
        link(root);
    });
    has_lines(
        &err,
        &[
            &format!(
                "error: static/leak.txt: this symbolic link points to `{}`, outside the site folder",
                target.canonicalize().unwrap().display()
            ),
            "help: copy the file into the site",
        ],
    );
    assert!(!err.contains("root:x"), "{err}");
    // The same for a folder linked in from outside, and in content/.
    let err = fails("theme-symlink-loop", |root| {
        std::fs::write(
            root.join("config.toml"),
            "title = \"x\"\ntheme = \"minimal\"\n",
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("content/shared")).unwrap();
    });
    has_lines(
        &err,
        &["error: content/shared: this symbolic link points to"],
    );

    // grove check says the same, and writes nothing.
    let site = site("theme-symlink-loop");
    std::fs::write(
        site.path().join("config.toml"),
        "title = \"x\"\ntheme = \"minimal\"\n",
    )
    .unwrap();
    link(site.path());
    let out = grove(&["check", "--root", site.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("static/leak.txt:1: this symbolic link points to"),
        "{}",
        stdout(&out)
    );

    // A link that stays inside the site is followed.
    let site = builds("theme-symlink-loop", |root| {
        std::fs::write(
            root.join("config.toml"),
            "title = \"x\"\ntheme = \"minimal\"\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("static/files")).unwrap();
        std::fs::write(root.join("static/files/a.txt"), "inside").unwrap();
        std::os::unix::fs::symlink("files/a.txt", root.join("static/b.txt")).unwrap();
    });
    assert_eq!(read(site.path(), "public/b.txt"), "inside");
}

#[test]
fn every_problem_of_a_site_is_reported_at_once() {
    let err = fails("unknown-field", |root| {
        write(root, "content/empty.md", "");
        write(root, "content/open.md", "+++\ntitle = \"x\"\n");
    });
    // The whole report, as a person reads it: each problem with its line, caret and help.
    insta::assert_snapshot!(err);
}

/// The messages for the commonest mistakes, whole, as they appear in the terminal.
#[test]
fn the_commonest_mistakes_read_well() {
    let cases = [
        "unclosed-front-matter",
        "toml-syntax-error",
        "config-syntax-error",
        "wrong-field-type",
        "bad-date",
        "missing-theme",
        "duplicate-slug",
        "template-undefined-variable",
    ];
    let mut report = String::new();
    for case in cases {
        report.push_str(&format!(
            "$ grove build   # {case}\n{}\n",
            fails(case, |_| {})
        ));
    }
    insta::assert_snapshot!(report);
}
