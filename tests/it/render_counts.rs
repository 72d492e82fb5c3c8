//! Guards for build speed that do not time anything: a build renders each output once,
//! and saving one article in the preview re-renders only the pages that show it.

use crate::corpus;

use std::sync::atomic::Ordering;

use grove::output::MemoryOutput;
use grove::render::{Job, What};
use grove::site::Site;
use grove::{BuildOptions, Pipeline};

const ARTICLES: usize = 200;

fn pipeline() -> (crate::harness::SiteTest, Pipeline) {
    let site = crate::harness::SiteTest::empty();
    corpus::real_site_with_articles(&site.root(), ARTICLES);
    let pipeline = Pipeline::load(&site.root(), &BuildOptions::default()).unwrap();
    (site, pipeline)
}

/// Renders `jobs` into memory; returns how many templates were rendered and the output.
fn render(pipeline: &Pipeline, jobs: &[Job]) -> (usize, MemoryOutput) {
    let before = pipeline.renderer.renders.load(Ordering::Relaxed);
    let out = MemoryOutput::default();
    pipeline.render_jobs(jobs, &out).unwrap();
    (
        pipeline.renderer.renders.load(Ordering::Relaxed) - before,
        out,
    )
}

fn article_renders(jobs: &[Job], site: &Site) -> Vec<String> {
    jobs.iter()
        .filter(|j| matches!(j.what, What::Page(i) if site.pages[i].doc.relative_path.starts_with("articles/")))
        .map(|j| j.url.clone())
        .collect()
}

#[test]
fn a_build_renders_every_output_once() {
    let (_dir, pipeline) = pipeline();
    let jobs = pipeline.jobs.clone();
    let (renders, out) = render(&pipeline, &jobs);
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
    let (dir, mut pipeline) = pipeline();
    let rel = format!("articles/{}", corpus::article_file(100));
    let file = corpus::article_path(&dir.root(), 100);
    let text = std::fs::read_to_string(&file).unwrap() + "\nA new closing paragraph.\n";
    std::fs::write(&file, text).unwrap();

    let update = pipeline
        .update_pages(std::slice::from_ref(&rel), &BuildOptions::default())
        .unwrap()
        .expect("an edit in place needs no full reload");
    assert!(!update.structural, "only the body changed");
    let (own, rest) = pipeline.affected(&update);
    let jobs: Vec<Job> = own.into_iter().chain(rest).collect();
    let (renders, out) = render(&pipeline, &jobs);
    let site = &pipeline.site;

    let i = site.page_index[&rel];
    let page = &site.pages[i];
    assert_eq!(article_renders(&jobs, site), vec![page.path.clone()]);
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
    let (dir, mut pipeline) = pipeline();
    let rel = format!("articles/{}", corpus::article_file(100));
    let file = corpus::article_path(&dir.root(), 100);
    let text =
        std::fs::read_to_string(&file)
            .unwrap()
            .replacen("title = \"", "title = \"Renamed: ", 1);
    std::fs::write(&file, text).unwrap();

    let update = pipeline
        .update_pages(std::slice::from_ref(&rel), &BuildOptions::default())
        .unwrap()
        .expect("an edit in place needs no full reload");
    assert!(
        update.structural,
        "a new title can move the article in its lists"
    );
    let all = pipeline.jobs.len();
    let (own, rest) = pipeline.affected(&update);
    let jobs: Vec<Job> = own.into_iter().chain(rest).collect();
    let (renders, _) = render(&pipeline, &jobs);

    let articles = article_renders(&jobs, &pipeline.site);
    assert!(
        articles.len() <= 3,
        "the article and its previous and next neighbours, not {articles:?}"
    );
    assert!(renders < all / 2, "{renders} renders of {all} outputs");
}
