//! The site folder as a git repository: where it is inside the repository, its branch and
//! the branch online it publishes to, and whether publishing from it can work at all.

use std::path::PathBuf;

use super::git::{Git, GitError};

/// Why publishing cannot work in this folder, each with what to ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    NoGit,
    NotARepository,
    /// HEAD names a commit, not a branch.
    NoBranch,
    /// The branch has no branch online to publish to (or it was never fetched).
    NoUpstream {
        branch: String,
    },
    /// A merge or a rebase was started and not finished.
    Unfinished {
        what: &'static str,
    },
    /// git answered something else.
    Broken {
        details: String,
    },
}

impl Unavailable {
    /// One paragraph for the publish page: what is missing and what to ask the person who
    /// set up the site.
    pub fn explain(&self) -> String {
        let saved = "Your changes are saved in this folder either way: nothing is lost.";
        match self {
            Unavailable::NoGit => format!(
                "Publishing from the preview needs git, the program that keeps the site's history and sends it online, and it is not installed on this computer (GitHub Desktop keeps a git of its own that other programs cannot use). Ask the person who set up the site to install git (on Windows: Git for Windows; on a Mac: the command line tools Apple offers the first time git is used) and to check that this folder is a copy of the site's repository. {saved}"
            ),
            Unavailable::NotARepository => format!(
                "This folder is not a copy of the site's repository (it has no history of its own), so grove cannot publish from it. Ask the person who set up the site for a copy made with GitHub Desktop (File > Clone repository) and to bring your changed files into it. {saved}"
            ),
            Unavailable::NoBranch => format!(
                "This copy of the site is not on a branch (git says “detached HEAD”), so there is no branch to publish to. Ask the person who set up the site to switch it back to the site's main branch. {saved}"
            ),
            Unavailable::NoUpstream { branch } => format!(
                "This copy of the site does not know where to publish: its branch “{branch}” is not linked to a branch of the site's repository online. Ask the person who set up the site to publish the branch once (GitHub Desktop: Publish branch; a terminal: git push -u origin {branch}); from then on this page lists your changes. {saved}"
            ),
            Unavailable::Unfinished { what } => format!(
                "git was {what} in this folder and did not finish, so grove publishes nothing until that is sorted out. Ask the person who set up the site to finish or cancel it (GitHub Desktop offers both). {saved}"
            ),
            Unavailable::Broken { details } => format!(
                "git could not read this copy of the site ({details}). Ask the person who set up the site to have a look. {saved}"
            ),
        }
    }
}

impl From<GitError> for Unavailable {
    fn from(e: GitError) -> Unavailable {
        match e {
            GitError::Missing => Unavailable::NoGit,
            other => Unavailable::Broken {
                details: other.details(),
            },
        }
    }
}

/// A site folder inside a git repository, on a branch that has a branch online.
#[derive(Debug, Clone)]
pub struct Repo {
    /// Git, run at the top of the repository: every path below is relative to it.
    pub(super) git: Git,
    /// The site folder's place in the repository: `""` at the top, else `site/`.
    pub(super) prefix: String,
    pub branch: String,
    /// The remote's name (`origin`).
    pub remote: String,
    /// The branch on the remote (`refs/heads/main`).
    pub remote_ref: String,
    /// Where this repository keeps what it last saw of it (`refs/remotes/origin/main`).
    pub upstream: String,
    /// The theme's folder name, whose files are published with the site.
    pub(super) theme: Option<String>,
}

impl Repo {
    /// The repository of the site folder `git` runs in, or why publishing cannot work.
    pub fn open(site: &Git, theme: Option<&str>) -> Result<Repo, Unavailable> {
        const MARKERS: [(&str, &str); 4] = [
            ("MERGE_HEAD", "combining two versions (a merge)"),
            ("rebase-merge", "replaying changes (a rebase)"),
            ("rebase-apply", "replaying changes (a rebase)"),
            ("CHERRY_PICK_HEAD", "copying a change (a cherry-pick)"),
        ];
        // One git for where the repository is, where the site is in it, and where git
        // would keep the marks of an unfinished merge or rebase (one line each).
        let mut args = vec!["rev-parse", "--show-toplevel", "--show-prefix"];
        for (marker, _) in MARKERS {
            args.extend(["--git-path", marker]);
        }
        let out = match site.run(&args) {
            Ok(out) => out.text(),
            Err(GitError::Failed { stderr, .. }) if stderr.contains("not a git repository") => {
                return Err(Unavailable::NotARepository);
            }
            Err(e) => return Err(e.into()),
        };
        let lines: Vec<&str> = out.lines().collect();
        let [top, prefix, paths @ ..] = &lines[..] else {
            return Err(Unavailable::Broken {
                details: format!("git rev-parse said {out:?}"),
            });
        };
        let (top, prefix) = (PathBuf::from(top), prefix.to_string());
        let git = site.in_dir(&top);
        for ((_, what), path) in MARKERS.iter().zip(paths) {
            // Relative to the site folder, where git ran.
            if site.dir().join(path).exists() {
                return Err(Unavailable::Unfinished { what });
            }
        }
        let branch = match git.run(&["symbolic-ref", "--quiet", "--short", "HEAD"]) {
            Ok(out) => out.line(),
            Err(GitError::Failed { .. }) => return Err(Unavailable::NoBranch),
            Err(e) => return Err(e.into()),
        };
        let no_upstream = || Unavailable::NoUpstream {
            branch: branch.clone(),
        };
        let format = "%(upstream:remotename)%00%(upstream:remoteref)%00%(upstream)";
        let line = git
            .run(&[
                "for-each-ref",
                &format!("--format={format}"),
                &format!("refs/heads/{branch}"),
            ])?
            .line();
        let mut parts = line.split('\0').map(str::to_string);
        let (remote, remote_ref, upstream) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        // A branch that follows another branch of this same repository (`.`) has nowhere
        // online to go.
        if remote.is_empty() || remote == "." || remote_ref.is_empty() || upstream.is_empty() {
            return Err(no_upstream());
        }
        if git
            .run(&[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{upstream}^{{commit}}"),
            ])
            .is_err()
        {
            return Err(no_upstream());
        }
        Ok(Repo {
            git,
            prefix,
            branch,
            remote,
            remote_ref,
            upstream,
            theme: theme.map(str::to_string),
        })
    }

    /// The folders and files of the site that are ever published, as git pathspecs from
    /// the top of the repository: never `public/`, caches or anything else in the folder.
    pub(super) fn pathspecs(&self) -> Vec<String> {
        let mut specs: Vec<String> = ["content", "static", "config.toml"]
            .iter()
            .map(|p| format!("{}{p}", self.prefix))
            .collect();
        if let Some(theme) = &self.theme {
            specs.push(format!("{}themes/{theme}", self.prefix));
        }
        specs
    }

    /// A path from the site folder (`content/about.md`) as git names it.
    pub fn top_path(&self, site_path: &str) -> String {
        format!("{}{site_path}", self.prefix)
    }

    /// A path as git names it, from the site folder; `None` outside the site folder.
    pub(super) fn site_path<'a>(&self, top_path: &'a str) -> Option<&'a str> {
        top_path.strip_prefix(&self.prefix)
    }

    /// Whether a path (as git names it) is one that publishing may commit.
    pub fn publishable(&self, top_path: &str) -> bool {
        let name = top_path.rsplit('/').next().unwrap_or(top_path);
        !crate::fs::is_ignored_file_name(name)
            && self.pathspecs().iter().any(|spec| {
                top_path == spec
                    || top_path
                        .strip_prefix(spec.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
    }

    /// The commit a revision names.
    pub fn commit_of(&self, rev: &str) -> Result<String, GitError> {
        Ok(self
            .git
            .run(&[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ])?
            .line())
    }

    /// A file's bytes at a revision (`None` when it has no such file).
    pub fn file_at(&self, rev: &str, site_path: &str) -> Result<Option<Vec<u8>>, GitError> {
        let spec = format!("{rev}:{}", self.top_path(site_path));
        match self.git.run(&["cat-file", "blob", &spec]) {
            Ok(out) => Ok(Some(out.stdout)),
            Err(GitError::Failed { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The file's bytes in the folder now (`None` when it is not there).
    pub fn file_here(&self, site_path: &str) -> Option<Vec<u8>> {
        std::fs::read(self.git.dir().join(self.top_path(site_path))).ok()
    }

    /// The name and email address commits are made with, when git knows both.
    pub fn identity(&self) -> Option<(String, String)> {
        Some((
            self.git.config_value("user.name")?,
            self.git.config_value("user.email")?,
        ))
    }

    /// Keeps a name and an email address for this copy of the site, as git's own
    /// setting (GitHub Desktop writes the same two).
    pub fn keep_identity(&self, name: &str, email: &str) -> Result<(), GitError> {
        self.git.run(&["config", "user.name", name])?;
        self.git.run(&["config", "user.email", email])?;
        Ok(())
    }

    /// Where the host shows the site being built after a push, when it is known: the
    /// Actions tab on GitHub (the deploy workflow's page when the site has one).
    pub fn build_page(&self) -> Option<String> {
        let url = self
            .git
            .run(&["remote", "get-url", &self.remote])
            .ok()?
            .line();
        let path = url
            .strip_prefix("https://github.com/")
            .or_else(|| url.strip_prefix("git@github.com:"))
            .or_else(|| url.strip_prefix("ssh://git@github.com/"))?;
        let path = path.trim_end_matches('/').trim_end_matches(".git");
        let mut parts = path.split('/');
        let (owner, name) = (parts.next()?, parts.next()?);
        let plain = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        };
        if !plain(owner) || !plain(name) || parts.next().is_some() {
            return None;
        }
        let workflow = self.git.dir().join(".github/workflows/deploy.yml");
        Some(if workflow.is_file() {
            format!("https://github.com/{owner}/{name}/actions/workflows/deploy.yml")
        } else {
            format!("https://github.com/{owner}/{name}/actions")
        })
    }
}
