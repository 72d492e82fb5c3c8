//! grove: a static-site generator. Markdown with TOML front matter, Tera themes, a
//! live-reload preview server.
//!
//! The data flows one way, and the modules are named after it:
//!
//! ```text
//! config ─> content ─> markdown ─> site ─> render ─> generate ─> output
//!  (config.toml) (files, front   (HTML,    (model:   (Tera:    (feed,      (disk, swapped
//!                 matter, kinds)  toc,      sections, pages,    sitemap,    in whole; or
//!                                 links)    tags,     lists)    search,     memory)
//!                                           links)              assets)
//! ```
//!
//! [`pipeline::Pipeline`] drives the stages; the commands in [`cmd`] (`build`, `check`,
//! `new`, `serve`) sit on top of it, and nothing below `cmd` knows about HTTP or the
//! terminal. [`diag`] holds the one diagnostic type (an error or warning in a user's file,
//! with its place and a hint), and [`fs`] the one walker over the site's folders, which
//! refuses links that leave the site. `docs/architecture.md` draws the map for a newcomer,
//! with the table of layers that `tests/it/layers.rs` holds every import to.

pub mod cmd;
pub mod config;
pub mod content;
pub mod diag;
pub mod escape;
pub mod fs;
pub mod generate;
pub mod images;
pub mod markdown;
pub mod output;
pub mod pipeline;
pub mod publish;
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
