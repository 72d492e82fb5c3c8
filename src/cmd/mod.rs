//! The commands, each on top of the pipeline: `build`, `check`, `new` and `serve`.

pub mod build;
pub mod check;
pub mod new;
pub mod serve;
