//! grove: a static-site generator. Markdown with TOML front matter, Tera themes, a
//! live-reload preview server.
//!
//! The pipeline reads top to bottom: [`config`] -> [`content`] (front matter, Markdown)
//! -> [`site`] (sections, pages, tags, links) -> [`render`] (Tera) -> [`output`]
//! (atomic write to disk, or memory for the preview server).

pub mod assets;
pub mod build;
pub mod check;
pub mod config;
pub mod content;
pub mod error;
pub mod feed;
pub mod front_matter;
pub mod fs;
pub mod history;
pub mod markdown;
pub mod new;
pub mod output;
pub mod rebuild;
pub mod render;
pub mod search;
pub mod serve;
pub mod site;
pub mod sitemap;
pub mod slugs;

pub use build::{BuildStats, build};

/// `0.1.0 (1a2b3c4d5e6f)`: the version and the commit it was built from.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("GROVE_COMMIT"), ")");
pub use config::Config;
pub use error::{Error, Result};
pub use site::{BuildOptions, Site};
