//! Files made from the whole site rather than from a template: the Atom feed, the sitemap
//! and robots.txt, the search index, hashed assets and `_headers`, and the dates git knows.

pub mod assets;
pub mod feed;
pub mod history;
pub mod search;
pub mod sitemap;
