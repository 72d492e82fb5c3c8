//! When a content file last changed, for pages without a `date` or `updated`: the date of
//! the last git commit that touched it (as Hugo's `enableGitInfo` does), else its mtime.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use crate::site::Site;

/// [`last_changes`] of the site's content, when a page needs them: an empty map when every
/// page has a `date` or `updated` (then git is not run).
pub fn of_undated(site: &Site) -> HashMap<String, String> {
    let undated = site
        .pages
        .iter()
        .any(|p| p.meta.date.is_none() && p.meta.updated.is_none());
    if undated {
        last_changes(&site.root)
    } else {
        HashMap::new()
    }
}

/// Last-change dates (RFC 3339) by path relative to `content/` (`about.md`).
pub fn last_changes(root: &Path) -> HashMap<String, String> {
    let mut dates = HashMap::new();
    // NUL-separated commit dates followed by the files each commit touched, newest first.
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "log",
            "--format=%x00%cI",
            "--name-only",
            "--relative",
            "--",
            "content",
        ])
        .output();
    let Ok(output) = output else { return dates };
    if !output.status.success() {
        return dates;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    for commit in text.split('\0').skip(1) {
        let mut lines = commit.lines();
        let Some(date) = lines.next() else { continue };
        for file in lines.filter(|l| !l.is_empty()) {
            if let Some(rel) = file.strip_prefix("content/") {
                dates
                    .entry(rel.to_string())
                    .or_insert_with(|| date.trim().to_string());
            }
        }
    }
    dates
}

/// The file's modification time, for files git does not know yet.
pub fn modified(path: &Path) -> Option<String> {
    let time = std::fs::metadata(path).ok()?.modified().ok()?;
    let time = jiff::Timestamp::try_from(time).ok()?;
    Some(crate::content::date::rfc3339(
        &time.to_zoned_datetime(jiff::tz::TimeZone::UTC),
    ))
}
