//! Publishing: commit exactly the files a person saw listed, with their words and name,
//! bring in what colleagues published meanwhile, and push the branch to its branch
//! online. Never a force push; when a colleague changed one of the same files, stop
//! before anything is changed here, with both versions kept (see docs/decisions/0002).

use std::collections::BTreeSet;

use super::changes::{Change, What};
use super::git::GitError;
use super::repo::Repo;

/// What a person asked for on the publish page.
#[derive(Debug, Clone, Default)]
pub struct Order {
    /// "What changed": the commit's message, one line.
    pub message: String,
    /// The fingerprint of the list they saw (see [`super::Changes`]).
    pub fingerprint: String,
    /// Files they chose to publish as they are here over a colleague's change, each with
    /// the commit online they saw that change in.
    pub keep_mine: Vec<(String, String)>,
    /// A name and email address to keep, when git has none.
    pub identity: Option<(String, String)>,
}

/// How far publishing got, for the page to say while it works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Looking,
    BringingIn(usize),
    Saving,
    Sending,
}

impl Step {
    pub fn words(self) -> String {
        match self {
            Step::Looking => "Looking for changes colleagues published…".into(),
            Step::BringingIn(1) => "Bringing in one change a colleague published…".into(),
            Step::BringingIn(n) => format!("Bringing in {n} changes colleagues published…"),
            Step::Saving => "Saving your change in the site's history…".into(),
            Step::Sending => "Sending it to the site's repository online…".into(),
        }
    }
}

/// A file a colleague changed online while it was changed here too.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Conflict {
    /// From the site folder.
    pub path: String,
    pub who: String,
    /// When they made the change (RFC 3339).
    pub when: String,
    /// The words they wrote.
    pub message: String,
    /// The commit online that holds their version.
    pub online: String,
}

/// What publishing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It is online: the new commit, and how many colleagues' commits came in with it.
    Published { commit: String, brought_in: usize },
    /// Nothing was published or changed here: colleagues changed the same files.
    Conflicts(Vec<Conflict>),
}

/// Why publishing stopped (nothing is lost in any of these).
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("write in a few words what changed: it is kept with the change")]
    NoMessage,
    #[error("“What changed” is one line: write it without line breaks")]
    MessageLines,
    #[error(
        "say who you are (your name and email address): every change in the site's history is signed"
    )]
    NoIdentity,
    #[error("there is nothing to publish: every file is as it is online")]
    Nothing,
    #[error(
        "the list of changes is not the one you saw: files changed since this page was opened. Nothing was published; look at the list again, then publish"
    )]
    ListChanged,
    #[error(
        "a file that is not in the list, {0}, was changed here and online too, so the changes online could not be brought in. Nothing was sent; ask the person who set up the site to look at it"
    )]
    Blocked(String),
    #[error(
        "the changes online kept moving: someone published three times while this was publishing. Your change is saved here; publish again in a moment"
    )]
    Busy,
    #[error("{step} did not work: {source}")]
    Git {
        step: &'static str,
        #[source]
        source: GitError,
    },
}

impl PublishError {
    fn at(step: &'static str) -> impl FnOnce(GitError) -> PublishError {
        move |source| PublishError::Git { step, source }
    }
}

/// How often a push that was refused because someone published meanwhile is tried again.
const ATTEMPTS: usize = 3;

impl Repo {
    /// Publishes the files of `order` (see the module's documentation), telling `progress`
    /// each step.
    pub fn publish(
        &self,
        order: &Order,
        mut progress: impl FnMut(Step),
    ) -> Result<Outcome, PublishError> {
        let message = order.message.trim();
        if message.is_empty() {
            return Err(PublishError::NoMessage);
        }
        if message.contains(['\n', '\r']) {
            return Err(PublishError::MessageLines);
        }
        if self.identity().is_none() {
            match &order.identity {
                Some((name, email)) if !name.trim().is_empty() && !email.trim().is_empty() => self
                    .keep_identity(name.trim(), email.trim())
                    .map_err(PublishError::at("keeping your name"))?,
                _ => return Err(PublishError::NoIdentity),
            }
        }
        let changes = self
            .changes()
            .map_err(PublishError::at("listing the changes"))?;
        if changes.fingerprint != order.fingerprint {
            return Err(PublishError::ListChanged);
        }
        if changes.list.is_empty() {
            return Err(PublishError::Nothing);
        }
        let listed: BTreeSet<String> = changes.list.iter().map(|c| c.top.clone()).collect();
        let mut committed = false;
        let mut brought_in = 0;
        for _ in 0..ATTEMPTS {
            progress(Step::Looking);
            self.git
                .run_online(&[
                    "fetch",
                    "--quiet",
                    "--no-tags",
                    &self.remote,
                    &self.remote_ref,
                ])
                .map_err(PublishError::at("looking at the repository online"))?;
            // The remote-tracking branch is brought up to date by the fetch above.
            let online = self
                .commit_of(&self.upstream)
                .map_err(PublishError::at("looking at the repository online"))?;
            let incoming = self.count(&format!("HEAD..{online}"))?;
            let mut keep = Vec::new();
            if incoming > 0 {
                let theirs = self.files_changed_since_base(&online)?;
                let mut conflicts = Vec::new();
                for top in listed.intersection(&theirs) {
                    let change = changes.list.iter().find(|c| &c.top == top);
                    let path = change.map_or(top.clone(), |c| c.path.clone());
                    if self.same_here_and_at(&online, top)?
                        || order.keep_mine.contains(&(path.clone(), online.clone()))
                    {
                        keep.push(top.clone());
                    } else {
                        conflicts.push(self.conflict(&online, top, path)?);
                    }
                }
                if !conflicts.is_empty() {
                    return Ok(Outcome::Conflicts(conflicts));
                }
                progress(Step::BringingIn(incoming));
                if keep.is_empty() {
                    self.bring_in(&online)?;
                }
            }
            if !committed {
                progress(Step::Saving);
                self.commit(&changes.list, message)?;
                committed = true;
            }
            if incoming > 0 && !keep.is_empty() {
                self.bring_in_keeping(&online, &keep)?;
            }
            brought_in += incoming;
            progress(Step::Sending);
            if self.push()? {
                let commit = self
                    .commit_of("HEAD")
                    .map_err(PublishError::at("reading the new version"))?;
                return Ok(Outcome::Published { commit, brought_in });
            }
        }
        Err(PublishError::Busy)
    }

    fn count(&self, range: &str) -> Result<usize, PublishError> {
        let out = self
            .git
            .run(&["rev-list", "--count", range])
            .map_err(PublishError::at("comparing with the repository online"))?;
        Ok(out.line().parse().unwrap_or(0))
    }

    /// The files (as git names them) changed online since this branch and the branch
    /// online parted.
    fn files_changed_since_base(&self, online: &str) -> Result<BTreeSet<String>, PublishError> {
        let out = self
            .git
            .run(&[
                "diff",
                "--name-only",
                "-z",
                "--no-renames",
                &format!("HEAD...{online}"),
            ])
            .map_err(PublishError::at("comparing with the repository online"))?;
        Ok(out
            .stdout
            .split(|b| *b == 0)
            .filter(|s| !s.is_empty())
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect())
    }

    /// Whether the file here is already exactly the version online.
    fn same_here_and_at(&self, online: &str, top: &str) -> Result<bool, PublishError> {
        let path = self.git.dir().join(top);
        let here = std::fs::read(&path).ok();
        let spec = format!("{online}:{top}");
        let there = match self.git.run(&["cat-file", "blob", &spec]) {
            Ok(out) => Some(out.stdout),
            Err(GitError::Failed { .. }) => None,
            Err(e) => return Err(PublishError::at("reading the version online")(e)),
        };
        Ok(here == there)
    }

    /// Who changed the file online last, when, and with what words.
    fn conflict(&self, online: &str, top: &str, path: String) -> Result<Conflict, PublishError> {
        let out = self
            .git
            .run(&[
                "log",
                "-1",
                "--format=%an%x00%aI%x00%s",
                &format!("HEAD..{online}"),
                "--",
                top,
            ])
            .map_err(PublishError::at("reading who changed it"))?;
        let text = out.text();
        let mut parts = text.trim_end().splitn(3, '\0');
        Ok(Conflict {
            path,
            who: parts.next().unwrap_or_default().to_string(),
            when: parts.next().unwrap_or_default().to_string(),
            message: parts.next().unwrap_or_default().to_string(),
            online: online.to_string(),
        })
    }

    /// Brings in the changes online before committing: a fast-forward when nothing was
    /// committed here, else a merge. Files in the folder that git would overwrite stop
    /// it before it changes anything.
    fn bring_in(&self, online: &str) -> Result<(), PublishError> {
        let ahead = self.count(&format!("{online}..HEAD"))?;
        let args: &[&str] = if ahead == 0 {
            &["merge", "--ff-only", "--quiet", online]
        } else {
            &["merge", "--no-edit", "--quiet", online]
        };
        match self.git.run(args) {
            Ok(_) => Ok(()),
            Err(e) => {
                let _ = self.git.run(&["merge", "--abort"]);
                Err(match overwritten(&e) {
                    Some(file) => PublishError::Blocked(file),
                    None => PublishError::at("bringing in the changes online")(e),
                })
            }
        }
    }

    /// After committing: merges the changes online, and for `keep` takes the version
    /// just committed here (the person chose it over a colleague's).
    fn bring_in_keeping(&self, online: &str, keep: &[String]) -> Result<(), PublishError> {
        let fail = |e: GitError| {
            let _ = self.git.run(&["merge", "--abort"]);
            PublishError::at("bringing in the changes online")(e)
        };
        // `-X ours` settles lines changed on both sides without conflict markers; the kept
        // files are then set to this side's version whole.
        let merge = self
            .git
            .output(&[
                "merge",
                "--no-ff",
                "--no-commit",
                "--quiet",
                "-X",
                "ours",
                online,
            ])
            .map_err(fail)?;
        if merge.code != Some(0) && merge.code != Some(1) {
            return Err(fail(GitError::Failed {
                args: "merge".into(),
                code: merge.code,
                stdout: merge.text(),
                stderr: merge.stderr,
            }));
        }
        for top in keep {
            let exists = self
                .git
                .run(&["cat-file", "-e", &format!("HEAD:{top}")])
                .is_ok();
            if exists {
                self.git
                    .run(&["checkout", "HEAD", "--", top])
                    .map_err(fail)?;
            } else {
                self.git
                    .run(&["rm", "-q", "-f", "--ignore-unmatch", "--", top])
                    .map_err(fail)?;
            }
        }
        let unmerged = self
            .git
            .run(&["diff", "--name-only", "--diff-filter=U"])
            .map_err(fail)?;
        if !unmerged.text().trim().is_empty() {
            let _ = self.git.run(&["merge", "--abort"]);
            return Err(PublishError::Blocked(unmerged.line()));
        }
        self.git
            .run(&["commit", "--no-edit", "--quiet"])
            .map_err(fail)?;
        Ok(())
    }

    /// Commits exactly the listed files of the site that differ from the last commit
    /// here (files of earlier commits are committed already), with `message`.
    fn commit(&self, list: &[Change], message: &str) -> Result<(), PublishError> {
        let step = || PublishError::at("saving your change");
        let mut args = vec![
            "status",
            "--porcelain=v1",
            "-z",
            "--no-renames",
            "--untracked-files=all",
            "--",
        ];
        let specs = self.pathspecs();
        args.extend(specs.iter().map(String::as_str));
        let status = self.git.run(&args).map_err(step())?;
        // Each entry is `XY path`.
        let differ: BTreeSet<String> = status
            .stdout
            .split(|b| *b == 0)
            .filter(|s| s.len() > 3)
            .map(|s| String::from_utf8_lossy(&s[3..]).into_owned())
            .collect();
        let mut paths = Vec::new();
        for c in list
            .iter()
            .filter(|c| c.what != What::Earlier && differ.contains(&c.top))
        {
            paths.extend_from_slice(c.top.as_bytes());
            paths.push(0);
        }
        if paths.is_empty() {
            return Ok(());
        }
        // Paths go through standard input: a long list would not fit on a command line.
        self.git
            .run_with_input(
                &["add", "-A", "--pathspec-from-file=-", "--pathspec-file-nul"],
                &paths,
            )
            .map_err(step())?;
        // `--only` with the paths: whatever else was staged stays out of this commit.
        self.git
            .run_with_input(
                &[
                    "commit",
                    "--quiet",
                    "--only",
                    "-m",
                    message,
                    "--pathspec-from-file=-",
                    "--pathspec-file-nul",
                ],
                &paths,
            )
            .map_err(step())?;
        Ok(())
    }

    /// Pushes the branch to its branch online; `false` when it was refused because the
    /// branch online moved on (someone published meanwhile).
    fn push(&self) -> Result<bool, PublishError> {
        let target = format!("HEAD:{}", self.remote_ref);
        let out = self
            .git
            .output_online(&["push", "--porcelain", &self.remote, &target])
            .map_err(PublishError::at("sending the change online"))?;
        if out.code == Some(0) {
            return Ok(true);
        }
        let text = out.text();
        let moved = text.lines().any(|l| {
            l.starts_with('!') && (l.contains("fetch first") || l.contains("non-fast-forward"))
        });
        if moved {
            return Ok(false);
        }
        Err(PublishError::Git {
            step: "sending the change online",
            source: GitError::Failed {
                args: "push".into(),
                code: out.code,
                stdout: text,
                stderr: out.stderr,
            },
        })
    }
}

/// The file named by git's "would be overwritten by merge" refusal.
fn overwritten(e: &GitError) -> Option<String> {
    let GitError::Failed { stderr, .. } = e else {
        return None;
    };
    let mut lines = stderr.lines();
    lines.find(|l| l.contains("would be overwritten"))?;
    lines.next().map(|l| l.trim().to_string())
}
