//! Guards for build speed that do not time anything: a build renders each output once,
//! and saving one article in the preview re-renders only the pages that show it.

use crate::corpus;

use std::sync::atomic::Ordering;

use grove::output::MemoryOutput;
use grove::render::{Job, Renderer, What};
use grove::site::update::affected_jobs;
use grove::{BuildOptions, Site};

const ARTICLES: usize = 200;

fn site() -> (tempfile::TempDir, Site) {
    let dir = tempfile::tempdir().unwrap();
    corpus::real_site_with_articles(dir.path(), ARTICLES);
    let site = Site::load(dir.path(), &BuildOptions::default()).unwrap();
    (dir, site)
}

/// Renders `jobs` into memory; returns how many templates were rendered and the output.
fn render(site: &Site, jobs: &[Job]) -> (usize, MemoryOutput) {
    let renderer = Renderer::new(site).unwrap();
    let out = MemoryOutput::default();
    grove::cmd::build::render_jobs(site, &renderer, jobs, &out).unwrap();
    (renderer.renders.load(Ordering::Relaxed), out)
}

fn article_renders(jobs: &[Job], site: &Site) -> Vec<String> {
    jobs.iter()
        .filter(|j| matches!(j.what, What::Page(i) if site.pages[i].relative_path.starts_with("articles/")))
        .map(|j| j.url.clone())
        .collect()
}

#[test]
fn a_build_renders_every_output_once() {
    let (_dir, site) = site();
    let jobs = Renderer::new(&site).unwrap().jobs(&site);
    let (renders, out) = render(&site, &jobs);
    let aliases = jobs
        .iter()
        .filter(|j| matches!(j.what, What::Alias { .. }))
        .count();
    assert_eq!(renders, jobs.len() - aliases, "aliases need no template");
    assert_eq!(out.into_files().len(), jobs.len(), "one file per output");
    assert!(
        jobs.len() > ARTICLES + ARTICLES / 10,
        "articles and their list pages"
    );
}

#[test]
fn editing_one_article_body_renders_it_and_the_lists_that_show_it() {
    let (dir, mut site) = site();
    let rel = format!("articles/{}", corpus::article_file(100));
    let file = corpus::article_path(dir.path(), 100);
    let text = std::fs::read_to_string(&file).unwrap() + "\nA new closing paragraph.\n";
    std::fs::write(&file, text).unwrap();

    let update = site
        .update_pages(std::slice::from_ref(&rel), &BuildOptions::default())
        .unwrap()
        .expect("an edit in place needs no full reload");
    assert!(!update.structural, "only the body changed");
    let all = Renderer::new(&site).unwrap().jobs(&site);
    let jobs = affected_jobs(&site, &all, &update);
    let (renders, out) = render(&site, &jobs);

    let i = site.page_index[&rel];
    let page = &site.pages[i];
    assert_eq!(article_renders(&jobs, &site), vec![page.path.clone()]);
    // The article, the first list page of each section (templates may show any section),
    // the one articles list page that shows it, and one list page per tag it carries.
    let most = 1 + site.sections.len() + 1 + page.meta.tags.len();
    assert!(
        renders <= most && renders < 20,
        "{renders} renders for one edited article (expected at most {most}): {:?}",
        jobs.iter().map(|j| &j.url).collect::<Vec<_>>()
    );
    let files = out.into_files();
    let own = grove::render::url_to_file(&page.path);
    match files.get(&own) {
        Some(grove::output::Entry::Bytes(html)) => {
            assert!(String::from_utf8_lossy(html).contains("A new closing paragraph."))
        }
        other => panic!("{own} was not re-rendered: {other:?}"),
    }
}

#[test]
fn retitling_one_article_renders_it_its_neighbours_and_the_lists() {
    let (dir, mut site) = site();
    let rel = format!("articles/{}", corpus::article_file(100));
    let file = corpus::article_path(dir.path(), 100);
    let text =
        std::fs::read_to_string(&file)
            .unwrap()
            .replacen("title = \"", "title = \"Renamed: ", 1);
    std::fs::write(&file, text).unwrap();

    let update = site
        .update_pages(std::slice::from_ref(&rel), &BuildOptions::default())
        .unwrap()
        .expect("an edit in place needs no full reload");
    assert!(
        update.structural,
        "a new title can move the article in its lists"
    );
    let all = Renderer::new(&site).unwrap().jobs(&site);
    let jobs = affected_jobs(&site, &all, &update);
    let (renders, _) = render(&site, &jobs);

    let articles = article_renders(&jobs, &site);
    assert!(
        articles.len() <= 3,
        "the article and its previous and next neighbours, not {articles:?}"
    );
    assert!(
        renders < all.len() / 2,
        "{renders} renders of {} outputs",
        all.len()
    );
}
