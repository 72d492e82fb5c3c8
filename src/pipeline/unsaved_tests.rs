//! `Pipeline::render_unsaved` on a small site made for it: the page as a save would make
//! it, nothing of the loaded site changed.

use std::path::Path;

use super::Pipeline;
use crate::site::BuildOptions;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A site whose article template shows the date and the topics, and one article.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "config.toml",
        "title = \"T\"\nbase_url = \"https://example.org\"\n",
    );
    write(root, "content/_index.md", "+++\ntitle = \"Home\"\n+++\n");
    write(
        root,
        "content/articles/_index.md",
        "+++\ntitle = \"Articles\"\n+++\n",
    );
    write(
        root,
        "content/articles/a.md",
        "+++\ntitle = \"A\"\ndate = 2025-03-14\ntags = [\"calm\"]\n+++\nText.\n",
    );
    let t = "templates";
    write(root, &format!("{t}/index.html"), "{{ section.title }}");
    write(root, &format!("{t}/section.html"), "{{ section.title }}");
    write(
        root,
        &format!("{t}/page.html"),
        "<body>{{ page.title }}</body>",
    );
    write(
        root,
        &format!("{t}/faq_entry.html"),
        "<body>{{ page.title }}</body>",
    );
    write(
        root,
        &format!("{t}/article.html"),
        "<body><h1>{{ page.title }}</h1><time>{{ page.date_display }}</time>{% for t in page.tags %}<a href=\"{{ t.url }}\">{{ t.name }}</a>{% endfor %}{{ page.content | safe }}</body>",
    );
    write(root, &format!("{t}/tags/list.html"), "tags");
    write(root, &format!("{t}/tags/single.html"), "{{ term.name }}");
    dir
}

#[test]
fn an_unsaved_page_shows_its_new_topics_and_date_and_changes_nothing() {
    let dir = site();
    let p = Pipeline::load_with_draft_pages(dir.path(), &BuildOptions::default()).unwrap();
    let text = "+++\ntitle = \"A, again\"\ndate = 2025-04-02\ntags = [\"calm\", \"New Topic\"]\n+++\nMore.\n";
    let html = p
        .render_unsaved("articles/a.md", text, &BuildOptions::default())
        .unwrap();
    assert_eq!(
        html,
        "<body><h1>A, again</h1><time>April 2, 2025</time><a href=\"/tags/calm/\">calm</a><a href=\"/tags/new-topic/\">New Topic</a><p>More.</p>\n</body>"
    );
    assert_eq!(
        p.site.pages[0].meta.title, "A",
        "the loaded site is as it was"
    );
    assert_eq!(p.site.tags.len(), 1);
    assert_eq!(
        p.renderer
            .renders
            .load(std::sync::atomic::Ordering::Relaxed),
        0
    );
}

#[test]
fn an_unsaved_draft_has_its_banner_and_only_the_sites_topics() {
    let dir = site();
    let p = Pipeline::load_with_draft_pages(dir.path(), &BuildOptions::default()).unwrap();
    let text = "+++\ntitle = \"B\"\ndraft = true\ntags = [\"calm\", \"New Topic\"]\n+++\nSoon.\n";
    let html = p
        .render_unsaved("articles/b.md", text, &BuildOptions::default())
        .unwrap();
    assert_eq!(
        html,
        format!(
            "<body>{}<h1>B</h1><time></time><a href=\"/tags/calm/\">calm</a><p>Soon.</p>\n</body>",
            crate::render::banner::HTML
        )
    );
    // Published with --drafts: no banner, and the new topic as it will be.
    let drafts = BuildOptions {
        drafts: true,
        ..BuildOptions::default()
    };
    let html = p.render_unsaved("articles/b.md", text, &drafts).unwrap();
    assert!(!html.contains("data-grove-draft"), "{html}");
    assert!(html.contains("/tags/new-topic/"), "{html}");
}

#[test]
fn what_a_save_would_refuse_is_an_error() {
    let dir = site();
    let p = Pipeline::load(dir.path(), &BuildOptions::default()).unwrap();
    for (rel, text) in [
        (
            "articles/a.md",
            "+++\ntitle = \"A\"\n+++\n[x](@/articles/nowhere.md)\n",
        ),
        (
            "faq/q.md",
            "+++\ntitle = \"Q?\"\nrelated = [\"articles/nowhere.md\"]\n+++\n",
        ),
        (
            "articles/a.md",
            "+++\ntitle = \"A\"\ndate = 2025-02-31\n+++\n",
        ),
        ("articles/a.md", "no front matter"),
    ] {
        let unsaved = p.render_unsaved(rel, text, &BuildOptions::default());
        assert!(unsaved.is_err(), "{text}: {unsaved:?}");
    }
    // The same entry naming an article the site has is shown.
    let text = "+++\ntitle = \"Q?\"\nrelated = [\"articles/a.md\"]\n+++\n";
    assert!(
        p.render_unsaved("faq/q.md", text, &BuildOptions::default())
            .is_ok()
    );
}

#[test]
fn a_huge_unsaved_text_is_rendered_once() {
    let dir = site();
    let p = Pipeline::load(dir.path(), &BuildOptions::default()).unwrap();
    let text = format!("+++\ntitle = \"A\"\n+++\n{}", "# Same\n\n".repeat(20_000));
    let html = p
        .render_unsaved("articles/a.md", &text, &BuildOptions::default())
        .unwrap();
    assert_eq!(html.matches("<h1 id=\"same").count(), 20_000);
}
