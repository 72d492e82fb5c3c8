//! Publishing with real git: a bare repository stands for the one online, one clone is
//! this computer and another a colleague's. git never reads the machine's own settings.

use std::path::{Path, PathBuf};

use super::*;

struct World {
    dir: tempfile::TempDir,
}

impl World {
    /// A remote with a small site on `main`, and this computer's clone of it.
    fn new() -> World {
        let world = World {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::write(world.dir.path().join("gitconfig"), "").unwrap();
        world.git_in(
            world.dir.path(),
            &["init", "-q", "--bare", "-b", "main", "remote.git"],
        );
        let seed = world.dir.path().join("seed");
        world.git_in(world.dir.path(), &["init", "-q", "-b", "main", "seed"]);
        world.identity(&seed, "Seed");
        for (rel, text) in [
            ("config.toml", "title = \"Site\"\ntheme = \"plain\"\n"),
            (
                "content/about.md",
                "+++\ntitle = \"About us\"\n+++\nWe help.\n",
            ),
            (
                "content/team/heather.md",
                "+++\nname = \"Heather Macbeth\"\n+++\nBio.\n",
            ),
            ("themes/plain/templates/page.html", "{{ page.content }}\n"),
            ("src/notes.txt", "not the site\n"),
            (".gitignore", "public/\n"),
        ] {
            write(&seed, rel, text);
        }
        world.git_in(&seed, &["add", "-A"]);
        world.git_in(&seed, &["commit", "-q", "-m", "The site"]);
        let url = world.url();
        world.git_in(&seed, &["push", "-q", &url, "main"]);
        world.clone_as("mine", "Pat Doe");
        world
    }

    fn url(&self) -> String {
        format!("file://{}", self.dir.path().join("remote.git").display())
    }

    fn git(&self, dir: &Path) -> Git {
        Git::new(dir)
            .with_env("GIT_CONFIG_GLOBAL", self.dir.path().join("gitconfig"))
            .with_env("GIT_CONFIG_NOSYSTEM", "1")
            .with_env("HOME", self.dir.path())
    }

    fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        match self.git(dir).run(args) {
            Ok(out) => out.text(),
            Err(e) => panic!("git {args:?} in {}: {e}", dir.display()),
        }
    }

    fn identity(&self, dir: &Path, name: &str) {
        self.git_in(dir, &["config", "user.name", name]);
        let email = format!("{}@example.org", name.to_lowercase().replace(' ', "."));
        self.git_in(dir, &["config", "user.email", &email]);
    }

    fn clone_as(&self, folder: &str, name: &str) -> PathBuf {
        let url = self.url();
        self.git_in(self.dir.path(), &["clone", "-q", &url, folder]);
        let dir = self.dir.path().join(folder);
        self.identity(&dir, name);
        dir
    }

    /// Changes the text of the about page here.
    fn about(&self, text: &str) {
        let page = format!("+++\ntitle = \"About us\"\n+++\n{text}\n");
        write(&self.mine(), "content/about.md", &page);
    }

    fn mine(&self) -> PathBuf {
        self.dir.path().join("mine")
    }

    fn repo(&self) -> Repo {
        Repo::open(&self.git(&self.mine()), Some("plain")).unwrap()
    }

    /// A colleague publishes `text` into `rel` from a clone of their own.
    fn colleague_publishes(&self, rel: &str, text: &str, message: &str) {
        let theirs = self.dir.path().join("theirs");
        if !theirs.exists() {
            self.clone_as("theirs", "Alyson Barry");
        }
        self.git_in(&theirs, &["pull", "-q", "--ff-only"]);
        write(&theirs, rel, text);
        self.git_in(&theirs, &["add", "-A"]);
        self.git_in(&theirs, &["commit", "-q", "-m", message]);
        self.git_in(&theirs, &["push", "-q"]);
    }

    /// `path` as the remote's `main` has it.
    fn online(&self, rel: &str) -> Option<String> {
        let remote = self.dir.path().join("remote.git");
        self.git(&remote)
            .run(&["cat-file", "blob", &format!("main:{rel}")])
            .ok()
            .map(|o| o.text())
    }

    fn remote_log(&self) -> Vec<String> {
        let remote = self.dir.path().join("remote.git");
        self.git_in(&remote, &["log", "--format=%an: %s", "main"])
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The files the newest commit online touched.
    fn last_files(&self) -> Vec<String> {
        let remote = self.dir.path().join("remote.git");
        self.git_in(&remote, &["show", "--name-only", "--format=", "main"])
            .lines()
            .map(str::to_string)
            .collect()
    }
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn order(repo: &Repo, message: &str) -> Order {
    Order {
        message: message.into(),
        fingerprint: repo.changes().unwrap().fingerprint,
        ..Order::default()
    }
}

#[test]
fn the_list_names_pages_by_title_and_leaves_out_what_is_never_published() {
    let world = World::new();
    let mine = world.mine();
    write(
        &mine,
        "content/about.md",
        "+++\ntitle = \"About the center\"\n+++\nWe help.\n",
    );
    write(
        &mine,
        "content/faq/teens.md",
        "+++\ntitle = \"Do you see teenagers?\"\n+++\nYes.\n",
    );
    std::fs::remove_file(mine.join("content/team/heather.md")).unwrap();
    write(&mine, "static/images/room.png", "png bytes");
    write(&mine, "public/index.html", "built");
    write(&mine, "content/about.md~", "an editor's backup");
    write(&mine, "src/notes.txt", "changed, but not the site");
    write(&mine, "themes/other/x.html", "another theme");
    let changes = world.repo().changes().unwrap();
    let words: Vec<String> = changes.list.iter().map(Change::describe).collect();
    assert_eq!(
        words,
        [
            "Changed: About the center, page",
            "New: Do you see teenagers?, FAQ entry",
            "Deleted: Heather Macbeth, team member",
            "New: picture room.png, 9 bytes",
        ]
    );
    let again = world.repo().changes().unwrap();
    assert_eq!(changes.fingerprint, again.fingerprint);
    let quick = changes::quick_count(&world.git(&mine), Some("plain"));
    assert_eq!(
        quick,
        Some(changes.list.len()),
        "the toolbar's count agrees"
    );
    world.git_in(
        &mine,
        &["commit", "-q", "-m", "Saved here", "--", "content/about.md"],
    );
    let quick = changes::quick_count(&world.git(&mine), Some("plain"));
    assert_eq!(quick, None, "a commit not yet sent");
    assert_eq!(
        world.repo().changes().unwrap().list.len(),
        changes.list.len()
    );
    write(
        &mine,
        "content/faq/teens.md",
        "+++\ntitle = \"Do you see teens?\"\n+++\nYes.\n",
    );
    assert_ne!(
        world.repo().changes().unwrap().fingerprint,
        changes.fingerprint
    );
}

#[test]
fn one_change_is_one_commit_with_the_words_and_only_the_listed_files() {
    let world = World::new();
    let mine = world.mine();
    world.about("We help people.");
    write(&mine, "src/notes.txt", "changed, but not the site");
    write(&mine, "public/index.html", "built");
    let repo = world.repo();
    let mut steps = Vec::new();
    let outcome = repo
        .publish(&order(&repo, "Say whom we help"), |s| steps.push(s))
        .unwrap();
    assert!(
        matches!(outcome, Outcome::Published { brought_in: 0, .. }),
        "{outcome:?}"
    );
    assert_eq!(steps, [Step::Looking, Step::Saving, Step::Sending]);
    assert_eq!(
        world.remote_log(),
        ["Pat Doe: Say whom we help", "Seed: The site"]
    );
    assert_eq!(world.last_files(), ["content/about.md"]);
    assert_eq!(world.online("src/notes.txt").unwrap(), "not the site\n");
    assert!(repo.changes().unwrap().list.is_empty());
    let history = repo.history("content/about.md").unwrap();
    let said: Vec<(&str, &str)> = history
        .iter()
        .map(|v| (v.who.as_str(), v.message.as_str()))
        .collect();
    assert_eq!(
        said,
        [("Pat Doe", "Say whom we help"), ("Seed", "The site")]
    );
    assert_eq!(
        repo.text_at(&history[1].commit, "content/about.md")
            .unwrap(),
        "+++\ntitle = \"About us\"\n+++\nWe help.\n"
    );
    assert!(repo.text_at("not-a-commit", "content/about.md").is_none());
}

#[test]
fn nothing_is_published_without_words_a_name_or_the_list_that_was_seen() {
    let world = World::new();
    let mine = world.mine();
    world.about("Changed.");
    let repo = world.repo();
    let seen = order(&repo, "   ");
    assert!(matches!(
        repo.publish(&seen, |_| {}),
        Err(PublishError::NoMessage)
    ));
    let two_lines = order(&repo, "One\nTwo");
    assert!(matches!(
        repo.publish(&two_lines, |_| {}),
        Err(PublishError::MessageLines)
    ));
    let seen = order(&repo, "A change");
    write(&mine, "content/faq/new.md", "+++\ntitle = \"New\"\n+++\n");
    assert!(matches!(
        repo.publish(&seen, |_| {}),
        Err(PublishError::ListChanged)
    ));
    world.git_in(&mine, &["config", "--unset", "user.name"]);
    let seen = order(&repo, "A change");
    assert!(matches!(
        repo.publish(&seen, |_| {}),
        Err(PublishError::NoIdentity)
    ));
    assert_eq!(world.remote_log().len(), 1, "nothing reached the remote");
    let with_name = Order {
        identity: Some(("Sam Lee".into(), "sam@example.org".into())),
        ..order(&repo, "A change")
    };
    repo.publish(&with_name, |_| {}).unwrap();
    assert_eq!(world.remote_log()[0], "Sam Lee: A change");
    assert_eq!(repo.identity().unwrap().0, "Sam Lee", "the name is kept");
}

#[test]
fn a_colleagues_change_to_another_page_is_brought_in() {
    let world = World::new();
    world.colleague_publishes(
        "content/team/heather.md",
        "+++\nname = \"Heather Macbeth\"\n+++\nNew bio.\n",
        "Heather's new bio",
    );
    let mine = world.mine();
    world.about("Mine.");
    let repo = world.repo();
    let mut steps = Vec::new();
    let outcome = repo
        .publish(&order(&repo, "My change"), |s| steps.push(s))
        .unwrap();
    assert!(
        matches!(outcome, Outcome::Published { brought_in: 1, .. }),
        "{outcome:?}"
    );
    assert!(steps.contains(&Step::BringingIn(1)));
    assert_eq!(
        world.remote_log(),
        [
            "Pat Doe: My change",
            "Alyson Barry: Heather's new bio",
            "Seed: The site"
        ],
        "one line of history: no merge commit"
    );
    assert!(
        world
            .online("content/team/heather.md")
            .unwrap()
            .contains("New bio.")
    );
    assert!(world.online("content/about.md").unwrap().contains("Mine."));
    assert!(
        std::fs::read_to_string(mine.join("content/team/heather.md"))
            .unwrap()
            .contains("New bio.")
    );
}

#[test]
fn a_colleagues_change_to_the_same_page_stops_it_with_both_versions_kept() {
    let world = World::new();
    let theirs = "+++\ntitle = \"About us\"\n+++\nTheirs.\n";
    world.colleague_publishes("content/about.md", theirs, "Their words");
    let mine = world.mine();
    let my_text = "+++\ntitle = \"About us\"\n+++\nMine.\n";
    write(&mine, "content/about.md", my_text);
    let repo = world.repo();
    let head = world.git_in(&mine, &["rev-parse", "HEAD"]);
    let outcome = repo.publish(&order(&repo, "My change"), |_| {}).unwrap();
    let Outcome::Conflicts(conflicts) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].path, "content/about.md");
    assert_eq!(conflicts[0].who, "Alyson Barry");
    assert_eq!(conflicts[0].message, "Their words");
    assert!(conflicts[0].when.starts_with("20"), "{}", conflicts[0].when);
    assert_eq!(
        std::fs::read_to_string(mine.join("content/about.md")).unwrap(),
        my_text
    );
    assert_eq!(
        world.git_in(&mine, &["rev-parse", "HEAD"]),
        head,
        "nothing committed here"
    );
    assert_eq!(world.online("content/about.md").unwrap(), theirs);
    let online = String::from_utf8(
        repo.file_at(&repo.upstream, "content/about.md")
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(online, theirs, "their version can be shown here");

    // Having seen both, the person keeps theirs out and publishes their own.
    let keep = Order {
        keep_mine: vec![("content/about.md".into(), conflicts[0].online.clone())],
        ..order(&repo, "My change, over theirs")
    };
    let outcome = repo.publish(&keep, |_| {}).unwrap();
    assert!(matches!(outcome, Outcome::Published { .. }), "{outcome:?}");
    assert_eq!(world.online("content/about.md").unwrap(), my_text);
    assert_eq!(
        std::fs::read_to_string(mine.join("content/about.md")).unwrap(),
        my_text
    );
    let log = world.remote_log();
    assert!(
        log.contains(&"Alyson Barry: Their words".to_string()),
        "{log:?}"
    );
    assert!(
        log.contains(&"Pat Doe: My change, over theirs".to_string()),
        "{log:?}"
    );
}

#[test]
fn after_a_stop_only_my_changes_are_listed_and_theirs_come_in_with_mine() {
    let world = World::new();
    let theirs = "+++\ntitle = \"About us\"\n+++\nTheirs.\n";
    world.colleague_publishes("content/about.md", theirs, "Their words");
    let bio = "+++\nname = \"Heather Macbeth\"\n+++\nTheir bio.\n";
    world.colleague_publishes("content/team/heather.md", bio, "Their bio");
    world.about("Mine.");
    let repo = world.repo();
    let outcome = repo.publish(&order(&repo, "Mine"), |_| {}).unwrap();
    let Outcome::Conflicts(conflicts) = outcome else {
        panic!("{outcome:?}")
    };
    let paths: Vec<&str> = conflicts.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["content/about.md"], "the bio is theirs alone");
    // The branch online is known here now: the bio they changed is not a change of mine.
    let listed: Vec<String> = repo
        .changes()
        .unwrap()
        .list
        .iter()
        .map(|c| c.path.clone())
        .collect();
    assert_eq!(listed, ["content/about.md"]);
    let keep = Order {
        keep_mine: vec![("content/about.md".into(), conflicts[0].online.clone())],
        ..order(&repo, "Mine, over theirs")
    };
    let outcome = repo.publish(&keep, |_| {}).unwrap();
    assert!(
        matches!(outcome, Outcome::Published { brought_in: 2, .. }),
        "{outcome:?}"
    );
    assert_eq!(world.online("content/team/heather.md").unwrap(), bio);
    assert!(world.online("content/about.md").unwrap().contains("Mine."));
    let here = std::fs::read_to_string(world.mine().join("content/team/heather.md")).unwrap();
    assert_eq!(here, bio);
}

#[test]
fn a_push_refused_because_someone_published_meanwhile_is_tried_again() {
    let world = World::new();
    world.about("Mine.");
    let repo = world.repo();
    let seen = order(&repo, "Mine");
    let mut once = true;
    let outcome = repo
        .publish(&seen, |step| {
            // Between the look online and the push, a colleague publishes.
            if step == Step::Sending && once {
                once = false;
                world.colleague_publishes(
                    "content/team/heather.md",
                    "+++\nname = \"H\"\n+++\n",
                    "Between",
                );
            }
        })
        .unwrap();
    assert!(
        matches!(outcome, Outcome::Published { brought_in: 1, .. }),
        "{outcome:?}"
    );
    assert!(world.online("content/about.md").unwrap().contains("Mine."));
    assert_eq!(
        world.online("content/team/heather.md").unwrap(),
        "+++\nname = \"H\"\n+++\n"
    );
}

#[test]
fn where_publishing_cannot_work_it_says_why() {
    let world = World::new();
    let plain = world.dir.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    let git = world
        .git(&plain)
        .with_env("GIT_CEILING_DIRECTORIES", world.dir.path());
    assert_eq!(
        Repo::open(&git, None).unwrap_err(),
        Unavailable::NotARepository
    );
    world.git_in(&plain, &["init", "-q", "-b", "main"]);
    world.identity(&plain, "X");
    write(&plain, "content/a.md", "x");
    world.git_in(&plain, &["add", "-A"]);
    world.git_in(&plain, &["commit", "-q", "-m", "x"]);
    assert_eq!(
        Repo::open(&git, None).unwrap_err(),
        Unavailable::NoUpstream {
            branch: "main".into()
        }
    );
    let repo = world.repo();
    assert!(repo.changes().is_ok());
    let merging = world.git_in(&world.mine(), &["rev-parse", "--git-path", "MERGE_HEAD"]);
    let merging = world.mine().join(merging.trim());
    std::fs::write(&merging, "0000000000000000000000000000000000000000\n").unwrap();
    let mine = world.git(&world.mine());
    assert!(matches!(
        Repo::open(&mine, None).unwrap_err(),
        Unavailable::Unfinished { .. }
    ));
    std::fs::remove_file(merging).unwrap();
    world.git_in(&plain, &["checkout", "-q", "--detach"]);
    assert_eq!(Repo::open(&git, None).unwrap_err(), Unavailable::NoBranch);
    for reason in [
        Unavailable::NoGit,
        Unavailable::NotARepository,
        Unavailable::NoBranch,
    ] {
        assert!(
            reason
                .explain()
                .contains("Ask the person who set up the site"),
            "{reason:?}"
        );
    }
}
