//! A copy of the real site with many generated articles, for tests that need the list,
//! tag and neighbour pages of a large site rather than the handful the real site has.
#![allow(dead_code, reason = "each test file uses a different subset")]

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The repository root (where Cargo.toml is).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const TAGS: [&str; 8] = [
    "anxiety",
    "dbt",
    "mindfulness",
    "trauma",
    "sleep",
    "grief",
    "couples",
    "self-compassion",
];

/// Copies the site's own files (config, content, theme, static, templates) into `to`, and
/// gives every file the same modification time: pages without a date take their last
/// change from git or, outside a repository, from the file, and the output must not
/// depend on when or where the copy was made.
pub fn copy_real_site(to: &Path) {
    let from = repo();
    std::fs::copy(from.join("config.toml"), to.join("config.toml")).unwrap();
    for dir in ["content", "themes", "static", "templates"] {
        if from.join(dir).is_dir() {
            crate::harness::copy_dir(&from.join(dir), &to.join(dir));
        }
    }
    fix_mtimes(to);
}

/// The real site plus `articles` generated articles (`content/articles/article-00001.md`
/// ...), with dates, 2-3 tags each, headings, lists, tables and links to other articles.
pub fn real_site_with_articles(to: &Path, articles: usize) {
    copy_real_site(to);
    for i in 1..=articles {
        std::fs::write(article_path(to, i), article(i, articles)).unwrap();
    }
    fix_mtimes(to);
}

/// Where generated article `i` lives under the site `root`.
pub fn article_path(root: &Path, i: usize) -> PathBuf {
    root.join(format!("content/articles/{}", article_file(i)))
}

/// `article-00042.md`
pub fn article_file(i: usize) -> String {
    format!("article-{i:05}.md")
}

fn article(i: usize, total: usize) -> String {
    let tags: Vec<String> = (0..2 + i % 2)
        .map(|k| format!("\"{}\"", TAGS[(i * 3 + k * 5) % TAGS.len()]))
        .collect();
    // Some dates repeat so that ties are ordered by title, then by file.
    let date = format!(
        "{}-{:02}-{:02}",
        2014 + (i * 7) % 11,
        1 + (i * 5) % 12,
        1 + (i * 13) % 28
    );
    let other = 1 + (i * 37) % total;
    let table = if i.is_multiple_of(3) {
        "\n| Week | Focus |\n| --- | --- |\n| 1 | Notice |\n| 2 | Practise |\n"
    } else {
        ""
    };
    format!(
        "+++\ntitle = \"Notes on {topic}, part {i}\"\ndate = {date}\ndescription = \"What helps with {topic} & why (part {i}).\"\ntags = [{tags}]\n+++\n\n\
         Many people **notice** {topic} _gradually_; this is part {i}.\n\n\
         ## Why {topic} matters\n\n\
         See [a related article](@/articles/{link}) and [the guide](https://example.com/guide?a=1&b=2).\n\n\
         - Keep a short log\n- Practise \"slow breathing\"\n- Ask for help\n\n\
         ### Start small\n\n\
         > Progress is rarely a straight line.\n{table}\n\
         ## Looking ahead\n\n\
         Some clients use a simple `sleep_diary` to keep track.\n",
        topic = TAGS[i % TAGS.len()],
        tags = tags.join(", "),
        link = article_file(other),
    )
}

fn fix_mtimes(dir: &Path) {
    let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_735_689_600); // 2025-01-01
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            fix_mtimes(&path);
        } else {
            std::fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(when))
                .unwrap();
        }
    }
}
