//! grove: a static-site generator. Markdown with TOML front matter, Tera themes, a
//! live-reload preview server.
//!
//! The pipeline reads top to bottom: [`config`] -> [`content`] (front matter, Markdown)
//! -> [`site`] (sections, pages, tags, links) -> [`render`] (Tera) -> [`output`]
//! (atomic write to disk, or memory for the preview server).

pub mod cmd;
pub mod config;
pub mod content;
pub mod diag;
pub mod fs;
pub mod generate;
pub mod markdown;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod site;
pub mod slugs;

pub use cmd::build::build;
pub use config::Config;
pub use diag::{Error, Result};
pub use pipeline::{BuildStats, Pipeline};
pub use site::{BuildOptions, Site};

/// `0.1.0 (1a2b3c4d5e6f)`: the version and the commit it was built from.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("GROVE_COMMIT"), ")");
