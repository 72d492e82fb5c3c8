//! Running the system's `git` (see docs/decisions/0002): one place that starts it, feeds
//! it, waits for it with a deadline, and turns what went wrong into a typed error.
//!
//! Every call runs with prompts off (`GIT_TERMINAL_PROMPT=0`: a sign-in that needs a
//! password fails with a message instead of waiting for a terminal nobody sees) and
//! literal paths (`GIT_LITERAL_PATHSPECS=1`: a file named `*.md` means that file).

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a command that stays on this computer may take.
pub const LOCAL: Duration = Duration::from_secs(60);
/// How long a command that talks to the repository online may take.
pub const NETWORK: Duration = Duration::from_secs(90);

/// Why a git command did not do its work.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// No `git` program on this computer's `PATH`.
    #[error("git is not installed on this computer")]
    Missing,
    #[error("git could not be started: {0}")]
    Start(#[source] std::io::Error),
    #[error("git did not finish within {} seconds and was stopped", .0.as_secs())]
    TimedOut(Duration),
    /// It ran and said no: its exit code and what it wrote.
    #[error("`git {args}` stopped with: {}", first_lines(.stderr, .stdout))]
    Failed {
        args: String,
        code: Option<i32>,
        stdout: String,
        stderr: String,
    },
}

impl GitError {
    /// What git itself wrote, for a "details" line under grove's own words.
    pub fn details(&self) -> String {
        match self {
            GitError::Failed { stdout, stderr, .. } => first_lines(stderr, stdout),
            other => other.to_string(),
        }
    }
}

fn first_lines(stderr: &str, stdout: &str) -> String {
    let text = if stderr.trim().is_empty() {
        stdout
    } else {
        stderr
    };
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(8)
        .collect();
    lines.join(" / ")
}

/// What a finished command wrote.
#[derive(Debug, Clone, Default)]
pub struct Output {
    pub stdout: Vec<u8>,
    pub stderr: String,
    /// `None` when it was ended by a signal.
    pub code: Option<i32>,
}

impl Output {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// The first line, without its line end.
    pub fn line(&self) -> String {
        self.text()
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_string()
    }
}

/// The git command line, run in one folder.
#[derive(Debug, Clone)]
pub struct Git {
    dir: PathBuf,
    env: Vec<(OsString, OsString)>,
}

impl Git {
    pub fn new(dir: &Path) -> Git {
        Git {
            dir: dir.to_path_buf(),
            env: Vec::new(),
        }
    }

    /// The same, with an environment variable set for every command (tests keep git away
    /// from the machine's own configuration this way).
    pub fn with_env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Git {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The same git, run in another folder.
    pub fn in_dir(&self, dir: &Path) -> Git {
        Git {
            dir: dir.to_path_buf(),
            env: self.env.clone(),
        }
    }

    /// Runs `git ARGS` on this computer; an exit code other than 0 is an error.
    pub fn run(&self, args: &[&str]) -> Result<Output, GitError> {
        self.checked(args, None, false)
    }

    /// Runs `git ARGS` with `input` on its standard input.
    pub fn run_with_input(&self, args: &[&str], input: &[u8]) -> Result<Output, GitError> {
        self.checked(args, Some(input), false)
    }

    /// Runs a command that talks to the repository online (longer deadline, and SSH
    /// never asks for a passphrase on a terminal).
    pub fn run_online(&self, args: &[&str]) -> Result<Output, GitError> {
        self.checked(args, None, true)
    }

    fn checked(
        &self,
        args: &[&str],
        input: Option<&[u8]>,
        online: bool,
    ) -> Result<Output, GitError> {
        let out = self.spawn(args, input, online)?;
        if out.code == Some(0) {
            Ok(out)
        } else {
            Err(GitError::Failed {
                args: args.join(" "),
                code: out.code,
                stdout: out.text(),
                stderr: out.stderr,
            })
        }
    }

    /// Runs `git ARGS` on this computer and returns what it wrote, whatever its exit code.
    pub fn output(&self, args: &[&str]) -> Result<Output, GitError> {
        self.spawn(args, None, false)
    }

    /// Runs `git ARGS` online (see [`Git::run_online`]), whatever its exit code.
    pub fn output_online(&self, args: &[&str]) -> Result<Output, GitError> {
        self.spawn(args, None, true)
    }

    fn spawn(&self, args: &[&str], input: Option<&[u8]>, online: bool) -> Result<Output, GitError> {
        let mut command = Command::new("git");
        command
            .args(args)
            .current_dir(&self.dir)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_LITERAL_PATHSPECS", "1")
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if online && std::env::var_os("GIT_SSH_COMMAND").is_none() {
            // A key with a passphrase would otherwise be asked for on a terminal nobody
            // sees; an agent (or GitHub Desktop's HTTPS sign-in) still works.
            if self.config_value("core.sshCommand").is_none() {
                command.env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
            }
        }
        for (k, v) in &self.env {
            command.env(k, v);
        }
        let mut child = command.spawn().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => GitError::Missing,
            _ => GitError::Start(e),
        })?;
        if let (Some(bytes), Some(mut stdin)) = (input, child.stdin.take()) {
            let bytes = bytes.to_vec();
            std::thread::spawn(move || {
                let _ = stdin.write_all(&bytes);
            });
        }
        wait(child, if online { NETWORK } else { LOCAL })
    }

    /// A configuration value as git sees it (all scopes), or `None` when it is not set.
    pub fn config_value(&self, key: &str) -> Option<String> {
        let out = self.output(&["config", "--get", key]).ok()?;
        let value = out.line();
        (out.code == Some(0) && !value.is_empty()).then_some(value)
    }
}

/// Reads both pipes to their end (so a chatty command never blocks on a full pipe) and
/// waits for the process, stopping it at the deadline.
fn wait(mut child: Child, deadline: Duration) -> Result<Output, GitError> {
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(GitError::TimedOut(deadline));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(GitError::Start(e)),
        }
    };
    Ok(Output {
        stdout: stdout.join().unwrap_or_default(),
        stderr: String::from_utf8_lossy(&stderr.join().unwrap_or_default()).into_owned(),
        code: status.code(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_command_says_what_git_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let git = Git::new(dir.path()).with_env("GIT_CEILING_DIRECTORIES", dir.path());
        let e = git.run(&["rev-parse", "--show-toplevel"]).unwrap_err();
        assert!(
            matches!(
                &e,
                GitError::Failed {
                    code: Some(128),
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.details().contains("not a git repository"), "{e}");
    }

    #[test]
    fn commands_online_and_settings_are_run_once() {
        let dir = tempfile::tempdir().unwrap();
        let git = Git::new(dir.path())
            .with_env("GIT_CONFIG_GLOBAL", dir.path().join("none"))
            .with_env("GIT_CONFIG_NOSYSTEM", "1");
        assert!(
            git.run_online(&["--version"])
                .unwrap()
                .line()
                .starts_with("git version")
        );
        assert_eq!(git.config_value("user.name"), None);
    }

    #[test]
    fn input_reaches_git_and_large_output_comes_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let git = Git::new(dir.path());
        let text = "a line of text\n".repeat(100_000);
        let out = git
            .run_with_input(&["hash-object", "--stdin"], text.as_bytes())
            .unwrap();
        assert_eq!(out.line().len(), 40, "{}", out.text());
        let out = git
            .run_with_input(&["stripspace"], text.as_bytes())
            .unwrap();
        assert_eq!(out.stdout.len(), text.len(), "a full pipe must not block");
    }
}
