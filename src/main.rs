//! The `grove` command: parses the command line and calls the library.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use grove::diag::Shown;
use grove::{BuildOptions, Error};

// A build allocates and frees millions of small values (template contexts) from two or
// more threads at once; mimalloc spends about a fifth less CPU on that than the system
// allocator (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "grove",
    version = grove::VERSION,
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
        /// A build to publish: refuse a placeholder base_url instead of warning about it.
        #[arg(long)]
        production: bool,
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
        /// Turn off editing in the browser ("Edit this page"): the preview only shows the site.
        #[arg(long)]
        read_only: bool,
        /// Keep editing in the browser on with a --bind address other machines can reach.
        /// Anyone on the network who can open the preview can then change the site's files.
        #[arg(long)]
        allow_remote_edit: bool,
    },
    /// Look for broken links, missing images and descriptions, and other problems. Writes nothing.
    Check {
        /// The site's folder (the one with config.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Also list external (http/https) links and ask each one's server if it still answers.
        #[arg(long)]
        external: bool,
        /// Check pages marked draft = true too.
        #[arg(long)]
        drafts: bool,
        /// Count warnings (what the site still lacks) as errors: before publishing.
        #[arg(long)]
        strict: bool,
    },
    /// Start a new article, FAQ entry, team bio or page with its front matter filled in.
    New {
        /// What to create.
        kind: NewKind,
        /// The title (for a FAQ entry: the question; for a team bio: the person's full name).
        title: String,
        /// The site's folder (the one with config.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum NewKind {
    /// content/articles/<title>.md
    Article,
    /// content/faq/<question>.md
    Faq,
    /// content/team/<name>.md
    Team,
    /// content/<title>.md
    Page,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // check prints its own report, and warnings alone must not fail it
    if let Command::Check {
        root,
        external,
        drafts,
        strict,
    } = &cli.command
    {
        return check(root, *external, *drafts, *strict);
    }
    let next = match &cli.command {
        Command::Build { .. } => "nothing was written; fix the problem above and build again.",
        Command::Serve { .. } => {
            "the preview did not start; fix the problem above and run grove serve again."
        }
        Command::New { .. } => "no file was made; fix the problem above and run grove new again.",
        Command::Check { .. } => "",
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report(&e, next);
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
            production,
        } => {
            let start = Instant::now();
            let output = output.unwrap_or_else(|| grove::fs::display_join(&root, "public"));
            let options = BuildOptions {
                drafts,
                base_url,
                production,
                one_shot: true,
            };
            let stats = grove::build(&root, &output, &options)?;
            for warning in &stats.warnings {
                eprintln!("warning: {warning}\n");
            }
            let w = stats.written;
            let removed = match w.removed {
                0 => String::new(),
                n => format!(", {n} removed"),
            };
            println!(
                "built {} {}, {} {}, {} static {} in {} ms -> {}/ ({} of {} files changed{removed})",
                stats.pages,
                plural(stats.pages, "page", "pages"),
                stats.sections,
                plural(stats.sections, "section", "sections"),
                stats.static_files,
                plural(stats.static_files, "file", "files"),
                start.elapsed().as_millis(),
                output.shown().trim_end_matches('/'),
                w.changed,
                w.files,
            );
            if stats.pictures_made + stats.pictures_reused > 0 {
                println!(
                    "pictures: {} sizes made, {} from the cache",
                    stats.pictures_made, stats.pictures_reused
                );
            }
            Ok(())
        }
        Command::Serve {
            root,
            bind,
            port,
            drafts,
            open,
            read_only,
            allow_remote_edit,
        } => {
            let options = grove::cmd::serve::ServeOptions {
                root,
                bind,
                port,
                drafts,
                open,
                read_only,
                allow_remote_edit,
            };
            let log = |line: &str| {
                if line.starts_with("error") || line.starts_with("warning") {
                    eprintln!("{line}")
                } else {
                    println!("{line}")
                }
            };
            let server = grove::cmd::serve::start(&options, log)?;
            let url = format!("http://{}/", server.address);
            println!("serving at {url}");
            match (options.editing_off(), server.editor) {
                (None, Some(editor)) => {
                    println!("editor at http://{editor}/");
                    println!(
                        "edit any page in the browser with \"Edit this page\" (--read-only turns this off)"
                    )
                }
                (Some(why), _) => println!("{why}"),
                (None, None) => {}
            }
            if !server.address.ip().is_loopback() {
                eprintln!(
                    "warning: listening on {}: other machines on the network can see the preview",
                    server.address.ip()
                );
            }
            if options.open {
                open_browser(&url);
            }
            stop_on_interrupt();
            server.run(log);
            Ok(())
        }
        Command::New { kind, title, root } => {
            let kind = match kind {
                NewKind::Article => grove::content::Kind::Article,
                NewKind::Faq => grove::content::Kind::Faq,
                NewKind::Team => grove::content::Kind::Team,
                NewKind::Page => grove::content::Kind::Page,
            };
            let today = jiff::Timestamp::now()
                .to_zoned_datetime(jiff::tz::TimeZone::system())
                .date();
            let path = grove::cmd::new::create(&root, kind, &title, today)?;
            println!("{}", path.shown());
            eprintln!(
                "it is a draft: `grove serve` shows it at its own address with a Draft banner; set draft = false to publish it"
            );
            Ok(())
        }
        // main runs check itself: it prints a report and picks its own exit code
        Command::Check { .. } => Ok(()),
    }
}

fn check(root: &std::path::Path, external: bool, drafts: bool, strict: bool) -> ExitCode {
    let options = grove::cmd::check::CheckOptions {
        external,
        drafts,
        strict,
        ..Default::default()
    };
    let report = match grove::cmd::check::check(root, &options) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}\n\ngrove check stopped: fix the problem above and check again.");
            return ExitCode::FAILURE;
        }
    };
    if external && !report.external.is_empty() {
        println!("external links:");
        for link in &report.external {
            let answer = match &link.outcome {
                Some(Ok(code)) => code.to_string(),
                Some(Err(why)) => format!("failed: {why}"),
                None => "not checked".into(),
            };
            println!(
                "  {}:{}: {} -> {answer}",
                link.path.shown(),
                link.line,
                link.url
            );
        }
        println!();
    }
    for problem in &report.problems {
        println!("{problem}");
    }
    if !report.problems.is_empty() {
        println!();
    }
    println!("{}", report.summary());
    if report.loaded && report.errors() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Ctrl-C (or a service manager's SIGTERM) ends the preview with one line and exit 0:
/// stopping it is how staff finish, not a failure. Nothing needs cleaning up (the preview
/// writes no files), so the handler only says so and exits.
#[cfg(unix)]
fn stop_on_interrupt() {
    extern "C" fn stop(_: libc::c_int) {
        const LINE: &[u8] = b"stopped\n";
        // SAFETY: write(2) and _exit(2) are async-signal-safe; LINE outlives the call.
        unsafe {
            libc::write(2, LINE.as_ptr().cast(), LINE.len());
            libc::_exit(0);
        }
    }
    let handler = stop as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: installs a handler that only makes async-signal-safe calls.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

/// On Windows, Ctrl-C ends a console program by default, which is what is wanted.
#[cfg(not(unix))]
fn stop_on_interrupt() {}

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

/// The error, then what to do next, in the words of the command that failed.
fn report(e: &Error, next: &str) {
    eprintln!("error: {e}");
    let n = e.count();
    if n > 1 {
        let next = next.replace("the problem above", "them");
        eprintln!("\n{} problems found; {next}", grove::diag::thousands(n));
    } else {
        eprintln!("\n{next}");
    }
}
