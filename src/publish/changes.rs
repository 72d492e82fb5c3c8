//! What would go online: every file of the site that differs from the branch online,
//! described in words (a page by its title and kind, a picture by its name and size), and
//! a fingerprint of the whole list, so that only what a person saw listed is published.

use std::collections::BTreeMap;

use super::git::{Git, GitError};
use super::repo::Repo;
use crate::content::Kind;
use crate::content::front_matter;

/// How a file differs from its version online.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Changed,
    New,
    Deleted,
}

impl State {
    pub fn word(self) -> &'static str {
        match self {
            State::Changed => "Changed",
            State::New => "New",
            State::Deleted => "Deleted",
        }
    }
}

/// What a file is, for a person.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum What {
    /// A Markdown file of `content/`: its title (or name) and its kind in words.
    Page {
        title: String,
        kind: &'static str,
    },
    Picture,
    /// The site's settings (`config.toml`).
    Settings,
    /// A file of the theme: the site's look.
    Look,
    /// Any other file of `static/` or `content/`.
    File,
    /// A file outside what the editor changes, in a commit made here earlier and not yet
    /// sent: it goes online with the rest.
    Earlier,
}

/// One file that would go online.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    /// From the site folder (`content/about.md`); from the repository's top for a file
    /// outside the site folder.
    pub path: String,
    /// As git names it, from the repository's top.
    #[serde(skip)]
    pub(super) top: String,
    pub state: State,
    pub what: What,
    /// Bytes of the file as it would go online (`None` when deleted).
    pub size: Option<u64>,
    /// Whether it is in a commit made here and not yet sent (rather than only saved).
    pub committed: bool,
}

impl Change {
    /// "Changed: Heather Macbeth, team member", "New: picture team/heather.jpg, 240 KB".
    pub fn describe(&self) -> String {
        let size = self.size.map(size_words).unwrap_or_default();
        let state = self.state.word();
        let name = self.path.rsplit('/').next().unwrap_or(&self.path);
        match &self.what {
            What::Page { title, kind } => format!("{state}: {title}, {kind}"),
            What::Picture if size.is_empty() => format!("{state}: picture {name}"),
            What::Picture => format!("{state}: picture {name}, {size}"),
            What::Settings => format!("{state}: the site's settings (config.toml)"),
            What::Look => format!("{state}: the site's look ({})", self.path),
            What::File | What::Earlier if size.is_empty() => format!("{state}: file {}", self.path),
            What::File | What::Earlier => format!("{state}: file {}, {size}", self.path),
        }
    }

    /// Whether its text can be shown line by line.
    pub fn is_text(&self) -> bool {
        matches!(self.what, What::Page { .. } | What::Settings | What::Look)
            || [
                ".md", ".txt", ".toml", ".html", ".css", ".js", ".svg", ".json", ".xml",
            ]
            .iter()
            .any(|ext| self.path.ends_with(ext))
    }
}

/// "240 KB", "7.6 MB".
pub fn size_words(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{} KB", (bytes + 500) / 1_000),
        _ => format!("{:.1} MB", bytes as f64 / 1_000_000.0),
    }
}

/// Everything that would go online, with what identifies that exact list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub list: Vec<Change>,
    /// Changes whenever a file, the branch here or the branch online changes.
    pub fingerprint: String,
    /// What the changes are measured from: where this branch and the branch online
    /// parted (the commit online itself, unless colleagues published since it was
    /// fetched, or commits here are not yet sent).
    pub base: String,
}

const PICTURES: &[&str] = &[".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg"];

impl Repo {
    /// What would go online if the site's files were published as they are now.
    pub fn changes(&self) -> Result<Changes, GitError> {
        let both = self.git.run(&[
            "rev-parse",
            &format!("{}^{{commit}}", self.upstream),
            "HEAD^{commit}",
        ])?;
        let both = both.text();
        let mut commits = both.lines().map(str::to_string);
        let (upstream, head) = (
            commits.next().unwrap_or_default(),
            commits.next().unwrap_or_default(),
        );
        // Measured from where the two branches parted: a file only a colleague changed
        // is theirs, not a change made here.
        let base = self.git.run(&["merge-base", &head, &upstream])?.line();
        let specs = self.pathspecs();
        // The site's files as they are in the folder, against that; then files never
        // added to git; then anything else in commits not yet sent.
        let mut args = vec!["diff", "--name-status", "-z", "--no-renames", &base, "--"];
        args.extend(specs.iter().map(String::as_str));
        let saved = self.git.run(&args)?;
        let mut found: BTreeMap<String, (State, bool)> = BTreeMap::new();
        for (state, path) in name_status(&saved.stdout) {
            found.insert(path, (state, false));
        }
        let mut args = vec![
            "ls-files",
            "-z",
            "--others",
            "--exclude-standard",
            "--full-name",
            "--",
        ];
        args.extend(specs.iter().map(String::as_str));
        for path in nul_list(&self.git.run(&args)?.stdout) {
            found.entry(path).or_insert((State::New, false));
        }
        if head != base {
            let sent =
                self.git
                    .run(&["diff", "--name-status", "-z", "--no-renames", &base, &head])?;
            for (state, path) in name_status(&sent.stdout) {
                match found.get_mut(&path) {
                    Some(entry) => entry.1 = true,
                    None if !self.publishable(&path) => {
                        found.insert(path, (state, true));
                    }
                    // Changed in a commit here, then changed back in the folder.
                    None => {}
                }
            }
        }
        let mut list = Vec::new();
        for (top, (state, committed)) in found {
            let inside = self.publishable(&top);
            if !inside && !committed {
                continue;
            }
            let path = self
                .site_path(&top)
                .map_or_else(|| top.clone(), str::to_string);
            let bytes = if !inside {
                self.file_at(&head, &path)?
            } else {
                std::fs::read(self.git.dir().join(&top)).ok()
            };
            let what = if !inside {
                What::Earlier
            } else {
                let text = match &bytes {
                    Some(b) => Some(String::from_utf8_lossy(b).into_owned()),
                    None => self
                        .file_at(&base, &path)?
                        .map(|b| String::from_utf8_lossy(&b).into_owned()),
                };
                describe(&path, text.as_deref())
            };
            list.push(Change {
                size: bytes.as_ref().map(|b| b.len() as u64),
                path,
                top,
                state,
                what,
                committed,
            });
        }
        let fingerprint = fingerprint(&upstream, &head, &list, |c| {
            if c.state == State::Deleted {
                None
            } else if c.what == What::Earlier {
                self.file_at(&head, &c.path).ok().flatten()
            } else {
                std::fs::read(self.git.dir().join(&c.top)).ok()
            }
        });
        Ok(Changes {
            list,
            fingerprint,
            base,
        })
    }
}

/// How many files would go online, from one `git status` run in the site folder, for the
/// preview's "Publish (N changes)" on every page. `None` when one status cannot tell (no
/// repository or no branch online, or commits made here and not yet sent):
/// [`Repo::changes`] tells then.
pub fn quick_count(site: &Git, theme: Option<&str>) -> Option<usize> {
    let theme = theme.map(|t| format!("themes/{t}"));
    let mut args = vec![
        "status",
        "--porcelain=v2",
        "--branch",
        "-z",
        "--untracked-files=all",
        "--no-renames",
        "--",
        "content",
        "static",
        "config.toml",
    ];
    args.extend(theme.as_deref());
    let out = site.run(&args).ok()?;
    let (mut upstream, mut sent, mut count) = (false, false, 0);
    for entry in out.stdout.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        if let Some(ab) = entry.strip_prefix("# branch.ab ") {
            sent = ab.starts_with("+0 ");
        } else if entry.starts_with("# branch.upstream ") {
            upstream = true;
        } else if !entry.starts_with('#') {
            // `1 XY sub mH mI mW hH hI path`, `u ... path` (10 fields before it), `? path`.
            let fields = match entry.as_bytes().first() {
                Some(b'1') => 9,
                Some(b'u') => 11,
                _ => 2,
            };
            let path = entry.splitn(fields, ' ').last().unwrap_or_default();
            let name = path.rsplit('/').next().unwrap_or(path);
            count += usize::from(!crate::fs::is_ignored_file_name(name));
        }
    }
    (upstream && sent).then_some(count)
}

fn fingerprint(
    upstream: &str,
    head: &str,
    list: &[Change],
    mut bytes: impl FnMut(&Change) -> Option<Vec<u8>>,
) -> String {
    let mut all = format!("{upstream}\n{head}\n");
    for c in list {
        let stamp = bytes(c).map_or(0, |b| xxhash_rust::xxh3::xxh3_64(&b));
        all.push_str(&format!("{}\0{:?}\0{stamp:016x}\n", c.top, c.state));
    }
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(all.as_bytes()))
}

/// `M\0path\0A\0path\0` as written by `git diff --name-status -z`.
fn name_status(bytes: &[u8]) -> Vec<(State, String)> {
    let items = nul_list(bytes);
    items
        .chunks(2)
        .filter_map(|pair| {
            let [status, path] = pair else { return None };
            let state = match status.as_bytes().first()? {
                b'A' => State::New,
                b'D' => State::Deleted,
                _ => State::Changed,
            };
            Some((state, path.clone()))
        })
        .collect()
}

fn nul_list(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect()
}

/// What a file of the site is, from its path and (for a page) its text.
pub fn describe(site_path: &str, text: Option<&str>) -> What {
    let lower = site_path.to_ascii_lowercase();
    if PICTURES.iter().any(|ext| lower.ends_with(ext)) {
        return What::Picture;
    }
    if site_path == "config.toml" {
        return What::Settings;
    }
    if site_path.starts_with("themes/") {
        return What::Look;
    }
    let Some(rel) = site_path
        .strip_prefix("content/")
        .filter(|r| r.ends_with(".md"))
    else {
        return What::File;
    };
    let kind = if rel == "_index.md" {
        "home page"
    } else if rel.ends_with("/_index.md") {
        "section"
    } else {
        match Kind::of(rel) {
            Kind::Article => "article",
            Kind::Faq => "FAQ entry",
            Kind::Team => "team member",
            Kind::Page => "page",
        }
    };
    let title = text
        .and_then(|t| title_of(rel, t))
        .unwrap_or_else(|| rel.to_string());
    What::Page { title, kind }
}

/// The title a page's front matter gives it (`name` for a team member).
pub fn title_of(rel: &str, text: &str) -> Option<String> {
    let split = front_matter::split(std::path::Path::new(rel), text, "").ok()?;
    let table: toml::Table = toml::from_str(split.front).ok()?;
    ["title", "name"]
        .iter()
        .find_map(|k| table.get(*k)?.as_str().map(str::trim).map(str::to_string))
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_named_by_title_and_kind_pictures_by_name_and_size() {
        let page = |path: &str, text: &str| Change {
            path: path.into(),
            top: path.into(),
            state: State::Changed,
            what: describe(path, Some(text)),
            size: Some(text.len() as u64),
            committed: false,
        };
        let bio = page(
            "content/team/heather.md",
            "+++\nname = \"Heather Macbeth\"\n+++\nBio.\n",
        );
        assert_eq!(bio.describe(), "Changed: Heather Macbeth, team member");
        let mut faq = page(
            "content/faq/teens.md",
            "+++\ntitle = \"Do you see teenagers?\"\n+++\n",
        );
        faq.state = State::New;
        assert_eq!(faq.describe(), "New: Do you see teenagers?, FAQ entry");
        let broken = page("content/about.md", "+++\ntitle = \n+++\n");
        assert_eq!(
            broken.describe(),
            "Changed: about.md, page",
            "the file's name when the title cannot be read"
        );
        let mut photo = page("static/images/team/heather.jpg", "");
        photo.size = Some(7_612_000);
        photo.state = State::New;
        assert_eq!(photo.describe(), "New: picture heather.jpg, 7.6 MB");
        assert_eq!(
            describe("content/faq/_index.md", Some("+++\ntitle = \"FAQ\"\n+++\n")),
            What::Page {
                title: "FAQ".into(),
                kind: "section"
            }
        );
        assert_eq!(describe("config.toml", None), What::Settings);
        assert_eq!(
            describe("themes/oakland/templates/base.html", None),
            What::Look
        );
        assert_eq!(describe("static/robots.txt", None), What::File);
        assert_eq!(size_words(240_400), "240 KB");
        assert_eq!(size_words(12), "12 bytes");
    }

    #[test]
    fn git_lists_are_read_whole_and_odd_names_kept() {
        let out = b"M\0content/a b.md\0A\0static/\xc3\xa9t\xc3\xa9.png\0D\0content/x.md\0";
        let list = name_status(out);
        assert_eq!(
            list,
            vec![
                (State::Changed, "content/a b.md".to_string()),
                (State::New, "static/été.png".to_string()),
                (State::Deleted, "content/x.md".to_string()),
            ]
        );
        let many: Vec<u8> = b"M\0content/p.md\0".repeat(50_000);
        assert_eq!(name_status(&many).len(), 50_000);
        assert!(name_status(b"M\0").is_empty(), "a cut-off list");
    }
}
