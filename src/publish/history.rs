//! The published versions of one file: when, by whom and with what words each was
//! published, and the text of any of them.

use super::git::GitError;
use super::repo::Repo;

/// One published version of a file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Version {
    pub commit: String,
    /// When it was made (RFC 3339, with the author's offset).
    pub when: String,
    pub who: String,
    pub message: String,
    /// Whether the file was deleted in this version.
    pub deleted: bool,
}

/// Most versions listed; older ones are in the repository's own history.
pub const MAX_VERSIONS: usize = 200;

impl Repo {
    /// The versions of a file (from the site folder) on the branch online, newest first.
    pub fn history(&self, site_path: &str) -> Result<Vec<Version>, GitError> {
        let top = self.top_path(site_path);
        let limit = format!("--max-count={MAX_VERSIONS}");
        let out = self.git.run(&[
            "log",
            &limit,
            "--format=%x1e%H%x00%aI%x00%an%x00%s",
            "--name-status",
            "--no-renames",
            &self.upstream,
            "--",
            &top,
        ])?;
        Ok(parse_log(&out.text()))
    }

    /// Whether `commit` is a version of the history (a full commit name, known here).
    pub fn is_commit(&self, commit: &str) -> bool {
        commit.len() >= 7
            && commit.len() <= 64
            && commit.bytes().all(|b| b.is_ascii_hexdigit())
            && self.commit_of(commit).is_ok()
    }

    /// The text of a file (from the site folder) in one version.
    pub fn text_at(&self, commit: &str, site_path: &str) -> Option<String> {
        if !self.is_commit(commit) {
            return None;
        }
        let bytes = self.file_at(commit, site_path).ok()??;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// `\x1e` + `commit\0date\0name\0subject`, then `D\tpath` lines for each file.
fn parse_log(text: &str) -> Vec<Version> {
    text.split('\x1e')
        .filter_map(|entry| {
            let mut lines = entry.lines();
            let head = lines.next()?;
            let mut parts = head.splitn(4, '\0');
            let commit = parts.next()?.to_string();
            if commit.is_empty() {
                return None;
            }
            Some(Version {
                commit,
                when: parts.next().unwrap_or_default().to_string(),
                who: parts.next().unwrap_or_default().to_string(),
                message: parts.next().unwrap_or_default().to_string(),
                deleted: lines.any(|l| l.starts_with('D')),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_entries_are_read_with_odd_words_and_deletions() {
        let text = "\x1eabc123\x002025-03-14T10:42:00-07:00\0Alyson Barry\0Fix the phone number: 510\n\nM\tcontent/about.md\n\x1edef456\x002025-03-01T09:00:00Z\0Ünal\0\n\nD\tcontent/about.md\n";
        let versions = parse_log(text);
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0].who, "Alyson Barry");
        assert_eq!(versions[0].message, "Fix the phone number: 510");
        assert!(!versions[0].deleted);
        assert_eq!(versions[1].who, "Ünal");
        assert_eq!(versions[1].message, "");
        assert!(versions[1].deleted);
        assert!(parse_log("").is_empty());
        let many = "\x1eabc\0d\0w\0m\n".repeat(20_000);
        assert_eq!(parse_log(&many).len(), 20_000);
    }
}
