//! The `grove` command: parses the command line and calls the library.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use grove::{BuildOptions, Error};

#[derive(Parser)]
#[command(
    name = "grove",
    version,
    about = "Builds a static website from Markdown, and previews it live"
)]
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
    /// Preview the site: build it in memory, serve it, rebuild and reload on every save.
    Serve {
        /// The site's folder (the one with config.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The address to listen on. Keep 127.0.0.1 unless others must see the preview.
        #[arg(long, default_value = "127.0.0.1")]
        bind: IpAddr,
        /// The port; 0 lets the system choose. A taken port moves on to the next one.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Include pages marked draft = true.
        #[arg(long)]
        drafts: bool,
        /// Open the preview in the default browser.
        #[arg(long)]
        open: bool,
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
        Command::Build {
            root,
            output,
            base_url,
            drafts,
        } => {
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
        Command::Serve {
            root,
            bind,
            port,
            drafts,
            open,
        } => {
            let options = grove::serve::ServeOptions {
                root,
                bind,
                port,
                drafts,
                open,
            };
            let log = |line: &str| {
                if line.starts_with("error") {
                    eprintln!("{line}")
                } else {
                    println!("{line}")
                }
            };
            let server = grove::serve::start(&options, log)?;
            let url = format!("http://{}/", server.address);
            println!("serving at {url}");
            if !server.address.ip().is_loopback() {
                eprintln!(
                    "warning: listening on {}: other machines on the network can see the preview",
                    server.address.ip()
                );
            }
            if options.open {
                open_browser(&url);
            }
            let _ = ctrlc::set_handler(|| {
                eprintln!("stopped");
                std::process::exit(0);
            });
            server.run(log);
            Ok(())
        }
    }
}

fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        std::process::Command::new("open").arg(url).spawn()
    } else if cfg!(windows) {
        std::process::Command::new("cmd")
            .args(["/C", "start", "", url])
            .spawn()
    } else {
        std::process::Command::new("xdg-open").arg(url).spawn()
    };
    if command.is_err() {
        eprintln!("could not open a browser; open {url} yourself");
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
