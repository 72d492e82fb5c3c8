//! The files made from the whole site rather than from a template, listed once: what a
//! build writes, what the preview keeps in step after a change, and what counts as an
//! output of the site all read [`GENERATED`].

use super::Pipeline;
use crate::generate::{assets, feed, search, sitemap};
use crate::render::Job;

/// One generated file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generated {
    /// `atom.xml`: the newest articles.
    Feed,
    /// `sitemap.xml`: every published page.
    Sitemap,
    /// `robots.txt`, unless the site has its own.
    Robots,
    /// `search-index.json`: the text the search page looks through.
    SearchIndex,
    /// `_headers` (security and caching headers), unless the site has its own.
    Headers,
}

/// Every generated file, in the order a build writes them.
pub const GENERATED: [Generated; 5] = [
    Generated::Feed,
    Generated::Sitemap,
    Generated::Robots,
    Generated::SearchIndex,
    Generated::Headers,
];

impl Generated {
    /// Its path in the output.
    pub fn file(self) -> &'static str {
        match self {
            Generated::Feed => "atom.xml",
            Generated::Sitemap => "sitemap.xml",
            Generated::Robots => "robots.txt",
            Generated::SearchIndex => "search-index.json",
            Generated::Headers => "_headers",
        }
    }

    /// Whether the site has this file made for it: a feed only with a published article;
    /// robots.txt and `_headers` only when `static/` has no file of that name.
    pub fn made_for(self, p: &Pipeline) -> bool {
        match self {
            Generated::Feed => feed::atom_has_entries(&p.site),
            Generated::Robots | Generated::Headers => !p.statics.files.contains_key(self.file()),
            Generated::Sitemap | Generated::SearchIndex => true,
        }
    }

    /// Whether it shows the pages (so a saved page can change it); the others follow
    /// the config and the static files only.
    pub fn shows_pages(self) -> bool {
        matches!(
            self,
            Generated::Feed | Generated::Sitemap | Generated::SearchIndex
        )
    }

    /// Its bytes for the site as `p` holds it.
    pub fn make(self, p: &Pipeline) -> Vec<u8> {
        let site = &p.site;
        let text = match self {
            Generated::Feed => feed::atom(site, p.history()).unwrap_or_default(),
            Generated::Sitemap => {
                sitemap::sitemap(site, p.jobs.iter().filter_map(Job::listed), p.history())
            }
            Generated::Robots => sitemap::robots(site),
            Generated::SearchIndex => search::index(site),
            Generated::Headers => assets::headers_file(&p.statics.hashed),
        };
        text.into_bytes()
    }
}
