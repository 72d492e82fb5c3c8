//! Publishing the site from this computer with git: what would go online (each file
//! described for a person, see [`changes`]), committing exactly those files with the
//! person's words and name, bringing in what colleagues published meanwhile and pushing
//! ([`sync`]), and the published versions of one file ([`history`]).
//!
//! No HTTP here: the preview's publish page (`cmd/serve/edit/publish.rs`) calls it. git
//! runs as the system's command line ([`git`]), with the repository's own settings and
//! sign-in: grove never sees a password.

pub mod changes;
pub mod diff;
pub mod git;
pub mod history;
pub mod repo;
pub mod sync;

#[cfg(test)]
mod tests;

pub use changes::{Change, Changes, State, What};
pub use git::{Git, GitError};
pub use history::Version;
pub use repo::{Repo, Unavailable};
pub use sync::{Conflict, Order, Outcome, PublishError, Step};
