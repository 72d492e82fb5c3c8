//! Publishing from the preview with real git, over real HTTP on 127.0.0.1: the site is a
//! clone of a bare repository (the one "online", reached by file://), and a second clone
//! is a colleague's. git reads no settings of this machine: each command gets its own
//! global configuration file and HOME, and each clone its own name and email address.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::edit::{FILE, between, json, open, post, post_as, save_request};
use crate::harness::{ARTICLE, ARTICLE_URL, Response, Serve, SiteTest};

/// A site in a clone of a repository online, and the git settings every command uses.
struct Online {
    site: SiteTest,
}

const THEIR_NAME: &str = "Alyson Barry";

impl Online {
    fn new() -> Online {
        let online = Online {
            site: SiteTest::serve_fixture(),
        };
        std::fs::write(online.home().join("gitconfig"), "").unwrap();
        online.git(
            online.home(),
            &["init", "-q", "--bare", "-b", "main", "remote.git"],
        );
        let root = online.site.root();
        online.git(&root, &["init", "-q", "-b", "main"]);
        online.identity(&root, "Pat Doe");
        std::fs::write(root.join(".gitignore"), "public/\n").unwrap();
        online.git(&root, &["add", "-A"]);
        online.git(&root, &["commit", "-q", "-m", "The site"]);
        online.git(&root, &["remote", "add", "origin", &online.url()]);
        online.git(&root, &["push", "-q", "-u", "origin", "main"]);
        online
    }

    fn home(&self) -> &Path {
        self.site.dir.path()
    }

    fn url(&self) -> String {
        format!("file://{}", self.home().join("remote.git").display())
    }

    /// git with this test's settings only.
    fn command(&self, dir: &Path) -> Command {
        let mut command = Command::new("git");
        command
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", self.home().join("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", self.home());
        command
    }

    fn git(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.command(dir).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn identity(&self, dir: &Path, name: &str) {
        self.git(dir, &["config", "user.name", name]);
        let email = format!("{}@example.org", name.to_lowercase().replace(' ', "."));
        self.git(dir, &["config", "user.email", &email]);
    }

    /// `grove serve` on the site, with git kept to this test's settings.
    fn serve(&self) -> Serve {
        self.serve_with(|_| {})
    }

    fn serve_with(&self, change: impl FnOnce(&mut Command)) -> Serve {
        let mut command = Command::new(env!("CARGO_BIN_EXE_grove"));
        command
            .current_dir(self.site.root())
            .args(["serve", "--port", "0"])
            .env("GIT_CONFIG_GLOBAL", self.home().join("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", self.home());
        change(&mut command);
        Serve::spawn(&mut command)
    }

    fn remote(&self) -> PathBuf {
        self.home().join("remote.git")
    }

    /// A file as the repository online has it.
    fn online(&self, rel: &str) -> String {
        self.git(&self.remote(), &["show", &format!("main:{rel}")])
    }

    fn remote_log(&self) -> Vec<String> {
        self.git(&self.remote(), &["log", "--format=%an: %s", "main"])
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The files the newest commit online changed.
    fn last_files(&self) -> Vec<String> {
        self.git(
            &self.remote(),
            &["show", "--name-only", "--format=", "main"],
        )
        .lines()
        .map(str::to_string)
        .collect()
    }

    fn remote_head(&self) -> String {
        self.git(&self.remote(), &["rev-parse", "main"])
    }

    /// A colleague changes `rel` in their own clone and publishes it from a terminal.
    fn colleague_publishes(&self, rel: &str, from: &str, to: &str, message: &str) {
        let theirs = self.home().join("theirs");
        if !theirs.exists() {
            self.git(self.home(), &["clone", "-q", &self.url(), "theirs"]);
            self.identity(&theirs, THEIR_NAME);
        }
        self.git(&theirs, &["pull", "-q", "--ff-only"]);
        let path = theirs.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} has no {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        self.git(&theirs, &["commit", "-q", "-a", "-m", message]);
        self.git(&theirs, &["push", "-q"]);
    }
}

/// The publish page, and the list's fingerprint and key its script sends.
struct PublishPage {
    page: String,
    fingerprint: String,
    secret: String,
}

fn publish_page(serve: &Serve) -> PublishPage {
    let r = serve.editor_get("/__grove/publish");
    assert_eq!(r.status, 200, "{}", r.text());
    let page = r.text();
    let fingerprint = if page.contains("data-fingerprint=\"") {
        between(&page, "data-fingerprint=\"", "\"").to_string()
    } else {
        String::new()
    };
    PublishPage {
        secret: between(&page, "<meta name=\"grove-secret\" content=\"", "\"").to_string(),
        fingerprint,
        page,
    }
}

fn publish(serve: &Serve, page: &PublishPage, message: &str) -> Response {
    post(
        serve,
        "/__grove/api/publish",
        &page.secret,
        &serde_json::json!({ "message": message, "fingerprint": page.fingerprint }),
    )
}

/// Saves a new text for the article through the editor, as a person does.
fn save_article(serve: &Serve, title: &str, body: &str) {
    let opened = open(serve, FILE);
    let r = post(
        serve,
        "/__grove/api/save",
        &opened.secret,
        &save_request(FILE, &opened.version, title, body),
    );
    assert_eq!(r.status, 200, "{}", r.text());
}

/// The other version the editor page carries for its script (restore, or the one online).
fn earlier(page: &str) -> serde_json::Value {
    let json = between(
        page,
        "<script type=\"application/json\" id=\"earlier\">",
        "</script>",
    );
    serde_json::from_str(json).unwrap()
}

fn toolbar(serve: &Serve) -> String {
    let page = serve.get(ARTICLE_URL).text();
    between(&page, "href=\"/__grove/publish\"", "</a>").to_string()
}

#[test]
fn one_change_is_one_commit_with_the_words_and_only_the_listed_files() {
    let online = Online::new();
    let serve = online.serve();
    assert!(
        toolbar(&serve).ends_with(">Publish (no changes)"),
        "{}",
        toolbar(&serve)
    );
    // The link on the site's pages leads to the editor's own address, as "Edit this page".
    let r = serve.get("/__grove/publish");
    assert_eq!(r.status, 302);
    assert_eq!(
        r.header("Location"),
        Some(format!("http://{}/__grove/publish", serve.editor_host()).as_str())
    );
    save_article(
        &serve,
        "First steps, again",
        "\nThe first article says welcome.\n",
    );
    // What a person did not mean to publish: a build, an editor's backup.
    online.site.write("public/index.html", "built");
    online
        .site
        .write("content/articles/first-steps.md~", "a backup");
    serve.wait_for_text(ARTICLE_URL, "says welcome");
    assert!(
        toolbar(&serve).ends_with(">Publish (1 change)"),
        "{}",
        toolbar(&serve)
    );
    let page = publish_page(&serve);
    // The change by name, its difference, the box for what changed; never public/.
    insta::assert_snapshot!(whole(&page.page));
    let r = publish(&serve, &page, "Say welcome");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        json(&r)["message"],
        "Published. The site updates in a few minutes."
    );
    assert_eq!(
        online.remote_log(),
        ["Pat Doe: Say welcome", "Pat Doe: The site"]
    );
    assert_eq!(online.last_files(), [ARTICLE]);
    assert_eq!(online.online(ARTICLE), online.site.read(ARTICLE));
    assert!(
        toolbar(&serve).ends_with(">Publish (no changes)"),
        "{}",
        toolbar(&serve)
    );
    assert!(
        publish_page(&serve)
            .page
            .contains("there is nothing to publish")
    );
}

/// A page of the editor as a snapshot: ports, key, the versions it was opened at and the
/// time of a colleague's change vary from run to run.
fn whole(page: &str) -> String {
    let mut page = crate::harness::normalize(page);
    for marker in ["data-fingerprint=\"", "data-online=\"", "data-version=\""] {
        page = crate::harness::replace_after(&page, marker, "[version]", |c| c != '"');
    }
    crate::harness::replace_after(&page, "today at ", "[time]", |c| {
        c.is_ascii_digit() || ":APM ".contains(c)
    })
    .replace("[time](", "[time] (")
}

#[test]
fn an_error_blocks_it_and_the_remote_is_unchanged() {
    let online = Online::new();
    let serve = online.serve();
    // Written in a text editor: a link to a page that does not exist.
    online.site.replace(
        ARTICLE,
        "says hello.",
        "says hello. See [our fees](/fees/).",
    );
    serve.wait_for_text(ARTICLE_URL, "our fees");
    let page = publish_page(&serve);
    // Each problem leads to its field; the button is off.
    insta::assert_snapshot!(whole(&page.page));
    let before = online.remote_head();
    let r = publish(&serve, &page, "Link to the fees");
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(
        json(&r)["message"]
            .as_str()
            .unwrap()
            .starts_with("Nothing was published")
    );
    // Nor can anything but the editor's own page publish: no key, another site, or a
    // page of the site itself (whose content may carry a script).
    let (editor, site) = (serve.editor_host(), serve.host());
    let body = serde_json::json!({ "message": "x", "fingerprint": page.fingerprint }).to_string();
    for origin in ["", "http://evil.example", &format!("http://{site}")] {
        let key = if origin.is_empty() {
            String::new()
        } else {
            format!("X-Grove-Secret: {}\r\n", page.secret)
        };
        let origin = if origin.is_empty() {
            format!("http://{editor}")
        } else {
            origin.to_string()
        };
        let headers = format!("Host: {editor}\r\nOrigin: {origin}\r\n{key}");
        let r = post_as(&serve, "/__grove/api/publish", &headers, body.as_bytes());
        assert_eq!(r.status, 403, "{origin}: {}", r.text());
    }
    assert_eq!(online.remote_head(), before, "the remote is unchanged");
    assert_eq!(
        online
            .git(&online.site.root(), &["rev-list", "--count", "HEAD"])
            .trim(),
        "1"
    );
}

#[test]
fn a_colleagues_push_to_another_page_is_brought_in_and_both_are_online() {
    let online = Online::new();
    online.colleague_publishes(
        "content/about.md",
        "The about page.",
        "About the center.",
        "Say what we are",
    );
    let serve = online.serve();
    save_article(&serve, "First steps", "\nMine.\n");
    let page = publish_page(&serve);
    let r = publish(&serve, &page, "My change");
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        json(&r)["message"]
            .as_str()
            .unwrap()
            .contains("One change published by colleagues meanwhile came in"),
        "{}",
        r.text()
    );
    assert_eq!(
        online.remote_log(),
        [
            "Pat Doe: My change",
            "Alyson Barry: Say what we are",
            "Pat Doe: The site"
        ]
    );
    assert!(
        online
            .online("content/about.md")
            .contains("About the center.")
    );
    assert!(online.online(ARTICLE).contains("Mine."));
    assert!(
        online
            .site
            .read("content/about.md")
            .contains("About the center."),
        "theirs is here too"
    );
}

#[test]
fn a_colleagues_push_to_the_same_page_stops_it_with_both_texts_kept() {
    let online = Online::new();
    let serve = online.serve();
    save_article(&serve, "First steps", "\nMy words.\n");
    online.colleague_publishes(
        ARTICLE,
        "The first article says hello.",
        "Their words.",
        "Their change",
    );
    let page = publish_page(&serve);
    let before = online.remote_head();
    let r = publish(&serve, &page, "My change");
    assert_eq!(r.status, 409, "{}", r.text());
    let conflict = &json(&r)["conflicts"][0];
    assert_eq!(conflict["who"], THEIR_NAME);
    assert_eq!(conflict["title"], "First steps");
    assert_eq!(conflict["message"], "Their change");
    assert!(
        conflict["when"].as_str().unwrap().starts_with("today at "),
        "{conflict}"
    );
    assert_eq!(online.remote_head(), before);
    assert!(
        online.online(ARTICLE).contains("Their words."),
        "theirs is kept online"
    );
    assert!(
        online.site.read(ARTICLE).contains("My words."),
        "mine is kept here"
    );

    let compare = serve.editor_get(conflict["compare"].as_str().unwrap());
    assert_eq!(compare.status, 200);
    let both = compare.text();
    let online_commit = between(&both, "data-online=\"", "\"").to_string();
    // Theirs and mine, "Publish my version", and "Choose in the editor", which opens the
    // editor with the file and their version online, for its two versions side by side.
    insta::assert_snapshot!(whole(&both.replace(&online_commit, "[commit]")));
    let opened = open(&serve, &format!("{FILE}&online={online_commit}"));
    assert!(
        opened
            .page
            .contains(&format!("data-online=\"{online_commit}\"")),
        "{}",
        opened.page
    );
    let earlier = earlier(&opened.page);
    assert_eq!(earlier["values"]["body"], "\nTheir words.\n");
    assert!(
        earlier["words"]
            .as_str()
            .unwrap()
            .starts_with("Alyson Barry changed this page online today at "),
        "{earlier}"
    );

    let r = post(
        &serve,
        "/__grove/api/publish/keep",
        &page.secret,
        &serde_json::json!({ "file": ARTICLE, "online": online_commit }),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let page = publish_page(&serve);
    assert!(
        page.page.contains("Your version, over a colleague's."),
        "{}",
        page.page
    );
    let r = publish(&serve, &page, "Mine, over theirs");
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(online.online(ARTICLE).contains("My words."));
    let log = online.remote_log();
    assert!(
        log.contains(&"Alyson Barry: Their change".to_string()),
        "{log:?}"
    );
    assert!(
        log.contains(&"Pat Doe: Mine, over theirs".to_string()),
        "{log:?}"
    );
}

#[test]
fn history_lists_the_versions_and_restore_fills_the_form_unsaved() {
    let online = Online::new();
    online.colleague_publishes(
        ARTICLE,
        "says hello.",
        "says hello to you.",
        "Greet the reader",
    );
    online.git(&online.site.root(), &["pull", "-q", "--ff-only"]);
    let serve = online.serve();
    let r = serve.editor_get("/__grove/history?file=articles/first-steps.md");
    assert_eq!(r.status, 200);
    let page = r.text();
    assert!(page.contains("<h1>History of “First steps”</h1>"), "{page}");
    let entries: Vec<&str> = page.split("<li><p class=\"when\">").skip(1).collect();
    assert_eq!(entries.len(), 2, "{page}");
    assert!(
        entries[0].contains(", by Alyson Barry</p><p class=\"said\">“Greet the reader”"),
        "{}",
        entries[0]
    );
    assert!(
        entries[1].contains(", by Pat Doe</p><p class=\"said\">“The site”"),
        "{}",
        entries[1]
    );
    let first = between(entries[1], "&amp;from=", "\"").to_string();

    let shown = serve.editor_get(&format!(
        "/__grove/history?file=articles/first-steps.md&version={first}"
    ));
    assert_eq!(shown.status, 200);
    assert!(
        shown
            .text()
            .contains("The first article says hello.&lt;/p&gt;"),
        "{}",
        shown.text()
    );

    let now = online.site.read(ARTICLE);
    let opened = open(&serve, &format!("{FILE}&from={first}"));
    assert!(opened.page.contains("It is not saved"), "{}", opened.page);
    // The form opens with the file; the script fills it with the earlier version, unsaved.
    assert!(
        opened
            .page
            .contains("\nThe first article says hello to you.\n</textarea>"),
        "{}",
        opened.page
    );
    let earlier = earlier(&opened.page);
    assert_eq!(
        earlier["values"]["body"],
        "\nThe first article says hello.\n"
    );
    assert_eq!(earlier["values"]["fields"]["title"], "First steps");
    assert_eq!(earlier["online"], serde_json::Value::Null);
    assert_eq!(
        opened.version,
        open(&serve, FILE).version,
        "a save replaces the file as it is now"
    );
    assert_eq!(
        online.site.read(ARTICLE),
        now,
        "nothing is written until Save"
    );
    let wrong = open(&serve, &format!("{FILE}&from=0123456789abcdef"));
    assert!(
        !wrong.page.contains("id=\"earlier\""),
        "an unknown version opens the file"
    );
}

#[test]
fn without_git_a_repository_or_a_remote_the_page_says_what_to_ask() {
    let online = Online::new();
    let root = online.site.root();
    let ceiling = online.home().to_path_buf();
    let serve_here = |path: Option<&Path>| {
        online.serve_with(|c| {
            c.env("GIT_CEILING_DIRECTORIES", &ceiling);
            if let Some(path) = path {
                c.env("PATH", path);
            }
        })
    };
    let explains = |serve: &Serve, words: &str| {
        let page = publish_page(serve).page;
        let main = between(&page, "<h1>Publish</h1>\n", "\n</main>");
        assert!(
            main.starts_with("<p class=\"notice\">") && main.ends_with("</p>"),
            "one paragraph: {main}"
        );
        assert!(
            main.contains(words) && main.contains("Ask the person who set up the site"),
            "{main}"
        );
        assert!(toolbar(serve).ends_with(">Publish"), "{}", toolbar(serve));
        // Nothing else breaks: the pages, the editor, a save.
        save_article(serve, "First steps", "\nStill editable.\n");
        serve.wait_for_text(ARTICLE_URL, "Still editable.");
        let r = publish(serve, &publish_page(serve), "x");
        assert_eq!(r.status, 409, "{}", r.text());
        let history = serve.editor_get("/__grove/history?file=articles/first-steps.md");
        assert_eq!(history.status, 200);
        assert!(history.text().contains(words), "{}", history.text());
    };
    let empty = online.home().join("no-programs");
    std::fs::create_dir(&empty).unwrap();
    explains(
        &serve_here(Some(&empty)),
        "git, the program that keeps the site",
    );
    online.git(&root, &["branch", "--unset-upstream"]);
    explains(&serve_here(None), "does not know where to publish");
    std::fs::remove_dir_all(root.join(".git")).unwrap();
    explains(&serve_here(None), "is not a copy of the site");
}

#[test]
fn publishing_at_once_from_several_tabs_makes_one_commit() {
    let online = Online::new();
    let serve = online.serve();
    for round in 0..3 {
        save_article(&serve, "First steps", &format!("\nRound {round}.\n"));
        let page = publish_page(&serve);
        let answers: Vec<u16> = std::thread::scope(|s| {
            let tabs: Vec<_> = (0..4)
                .map(|tab| {
                    let (serve, page) = (&serve, &page);
                    s.spawn(move || {
                        publish(serve, page, &format!("Round {round}, tab {tab}")).status
                    })
                })
                .collect();
            tabs.into_iter().map(|t| t.join().unwrap()).collect()
        });
        assert_eq!(
            answers.iter().filter(|s| **s == 200).count(),
            1,
            "round {round}: {answers:?}"
        );
        assert!(
            answers.iter().all(|s| [200, 409].contains(s)),
            "{answers:?}"
        );
        assert_eq!(
            online.remote_log().len(),
            round + 2,
            "{:?}",
            online.remote_log()
        );
        assert!(online.online(ARTICLE).contains(&format!("Round {round}.")));
    }
}

#[cfg(unix)]
#[test]
fn a_link_out_of_the_site_is_never_published() {
    let online = Online::new();
    std::fs::write(
        online.site.outside().join("secret.md"),
        "+++\ntitle = \"Secret\"\n+++\nPrivate.\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(
        online.site.outside().join("secret.md"),
        online.site.path("content/secret.md"),
    )
    .unwrap();
    let serve = online.serve();
    let page = publish_page(&serve);
    assert!(
        page.page.contains("id=\"publish\" disabled"),
        "{}",
        page.page
    );
    let before = online.remote_head();
    let r = publish(&serve, &page, "A link");
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(online.remote_head(), before);
}
