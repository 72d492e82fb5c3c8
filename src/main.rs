//! The `grove` command: parses the command line and calls the library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use grove::{BuildOptions, Error};

#[derive(Parser)]
#[command(name = "grove", version, about = "Builds a static website from Markdown, and previews it live")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (public/ by default).
    Build {
        /// The site's folder (the one with config.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site. Default: ROOT/public.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Use this address instead of base_url from config.toml.
        #[arg(long)]
        base_url: Option<String>,
        /// Include pages marked draft = true.
        #[arg(long)]
        drafts: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report(&e);
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Build { root, output, base_url, drafts } => {
            let start = Instant::now();
            let output = output.unwrap_or_else(|| grove::site::display_join(&root, "public"));
            let options = BuildOptions { drafts, base_url };
            let stats = grove::build(&root, &output, &options)?;
            println!(
                "built {} {}, {} {}, {} static {} in {} ms -> {}/",
                stats.pages,
                plural(stats.pages, "page", "pages"),
                stats.sections,
                plural(stats.sections, "section", "sections"),
                stats.static_files,
                plural(stats.static_files, "file", "files"),
                start.elapsed().as_millis(),
                output.display().to_string().trim_end_matches('/')
            );
            Ok(())
        }
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

fn report(e: &Error) {
    eprintln!("error: {e}");
    let n = e.count();
    if n > 1 {
        eprintln!("\n{n} problems found; nothing was written.");
    } else {
        eprintln!("\nnothing was written; fix the problem above and build again.");
    }
}
