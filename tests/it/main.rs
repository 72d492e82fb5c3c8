//! The integration tests, in one test binary so that grove is linked once rather than once
//! per file. Each module runs the real `grove` binary (or the library) on small fixture
//! sites copied to temporary folders; see the module docs for what each covers.

mod corpus;
mod harness;

mod bad_input;
mod bombs;
mod build;
mod check;
mod cli;
mod cli_new;
mod edit;
mod edit_attacks;
mod edit_preview;
mod error_messages;
mod escaping;
mod faults;
mod fuzz_regressions;
mod layers;
mod output_stable;
mod pictures;
mod preview_equals_build;
mod properties;
mod publish;
mod publish_git;
mod rebuild;
mod render_counts;
mod serve;
mod serve_drafts;
mod serve_faults;
mod serve_hardening;
