//! `grove build` when the machine misbehaves: killed in the middle of a large build, or
//! writing to a disk that is full or read-only. The site that was published before must
//! stay whole, and the next build must work and clean up after the broken one.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::harness::*;

/// Every file under `dir` with a digest of its bytes (a whole large build is too big to
/// keep in memory several times over).
fn digests(dir: &Path) -> BTreeMap<PathBuf, u64> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                std::fs::read(entry.path()).unwrap().hash(&mut h);
                out.insert(
                    entry.path().strip_prefix(dir).unwrap().to_path_buf(),
                    h.finish(),
                );
            }
        }
    }
    out
}

/// What a build left that a finished one would not: staging folders of earlier versions
/// of grove beside `public/` (`.public.grove-new-123`), and anything in grove's own folder
/// `.public.grove/` but its lock, its `.gitignore`, the previous build (`slot/`) and the
/// manifests of the two trees.
fn staging_left(site: &Path) -> Vec<String> {
    let names = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .map(|d| {
                d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut left: Vec<String> = names(site)
        .into_iter()
        .filter(|n| n.contains(".grove-"))
        .collect();
    left.extend(
        names(&site.join(".public.grove"))
            .into_iter()
            .filter(|n| ![".gitignore", "lock", "slot"].contains(&n.as_str()))
            .filter(|n| !n.ends_with(".manifest")),
    );
    left
}

/// A site of `pages` articles with tags, tables, lists and links between them, on a memory
/// disk where there is one (the test is about ordering on disk, not the disk's speed).
fn large_site(pages: usize) -> SiteTest {
    let shm = Path::new("/dev/shm");
    let site = SiteTest::empty_in(shm.is_dir().then_some(shm)).with_minimal_theme();
    let root = &site.root();
    write(root, "config.toml", &config("Large site"));
    write(
        root,
        "content/_index.md",
        "+++\ntitle = \"Home\"\n+++\nWelcome.\n",
    );
    write(
        root,
        "content/articles/_index.md",
        "+++\ntitle = \"Articles\"\npaginate_by = 10\n+++\n",
    );
    const TAGS: [&str; 8] = [
        "anxiety",
        "sleep",
        "DBT",
        "mindfulness",
        "grief",
        "ketamine",
        "couples",
        "stress",
    ];
    let sentence =
        "Clients learn to notice their thoughts without judging them, one small step at a time. ";
    for i in 0..pages {
        let tags = format!("\"{}\", \"{}\"", TAGS[i % 8], TAGS[(i / 8) % 8]);
        let link = (i * 7 + 3) % pages;
        let mut body = String::new();
        for section in 0..4 {
            body.push_str(&format!(
                "## Part {section}\n\n{}\n\n- one idea\n- another idea\n\n",
                sentence.repeat(8)
            ));
        }
        body.push_str(&format!(
            "| week | practice |\n|---|---|\n| 1 | breathing |\n\nSee [a related article](@/articles/article-{link:05}.md).\n"
        ));
        write(
            root,
            &format!("content/articles/article-{i:05}.md"),
            &format!(
                "+++\ntitle = \"Article {i}\"\ndate = 2024-{:02}-{:02}\ndescription = \"About article {i}.\"\ntags = [{tags}]\n+++\n{body}",
                i % 12 + 1,
                i % 28 + 1
            ),
        );
    }
    site
}

fn config(title: &str) -> String {
    format!("title = \"{title}\"\nbase_url = \"https://test.example\"\ntheme = \"minimal\"\n")
}

fn grove_build(root: &Path, output: Option<&Path>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_grove"));
    c.args(["build", "--root"]).arg(root);
    if let Some(o) = output {
        c.arg("--output").arg(o);
    }
    c.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    c
}

#[test]
fn killed_build_leaves_the_previous_site_whole() {
    let site = large_site(5_000);
    let root = &site.root();
    let public = root.join("public");

    let start = Instant::now();
    let first = grove_build(root, None).output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    // Only used to spread the kills over the build; nothing is asserted about time.
    let duration = start.elapsed();
    let old = digests(&public);
    assert!(old.len() > 5_000, "{} files", old.len());

    // Every page shows the site's title: the next build changes every file.
    write(root, "config.toml", &config("Large site, second edition"));
    let expected_dir = tempfile::tempdir().unwrap();
    let expected_out = expected_dir.path().join("public");
    let reference = grove_build(root, Some(&expected_out)).output().unwrap();
    assert!(reference.status.success(), "{}", stderr(&reference));
    let new = digests(&expected_out);
    assert_ne!(old, new);

    kill_during_builds(root, &old, &new, duration);

    // Once more, now that the slot beside public/ holds a whole earlier build with its
    // manifest: the kills land while that tree is brought up to date in place.
    write(root, "config.toml", &config("Large site, third edition"));
    let reference = grove_build(root, Some(&expected_out)).output().unwrap();
    assert!(reference.status.success(), "{}", stderr(&reference));
    let third = digests(&expected_out);
    kill_during_builds(root, &new, &third, duration);
}

/// Files of the slot beside `public/` (where a build writes before it exchanges the two)
/// changed since `since`: what the build started then has written so far.
fn written_since(root: &Path, since: std::time::SystemTime) -> usize {
    let mut count = 0;
    let mut stack = vec![root.join(".public.grove/slot")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(entry.path());
            } else if meta.modified().is_ok_and(|m| m >= since) {
                count += 1;
            }
        }
    }
    count
}

/// Starts `grove build` and kills it at points spread over `duration`; after every kill
/// `public/` must be exactly `old` or exactly `new`, and never `old` again once it was
/// `new`. At least one kill must land in the middle of writing (files in the slot that
/// the killed build wrote): else the test proved nothing, and more kills are tried. Then a build must give `new` and leave nothing behind.
fn kill_during_builds(
    root: &Path,
    old: &BTreeMap<PathBuf, u64>,
    new: &BTreeMap<PathBuf, u64>,
    duration: std::time::Duration,
) {
    let public = root.join("public");
    let mut replaced = false;
    let mut kills = Vec::new();
    let mut mid_write = 0;
    // Then, only while no kill has landed mid-write (on a loaded machine the points above
    // can all miss the writing), more points where writing usually is.
    let percents = [0u32, 2, 10, 25, 40, 55, 70, 85, 95, 100, 150]
        .into_iter()
        .map(|p| (p, false))
        .chain([50u32, 80, 65, 90, 35, 75, 60, 45, 98, 20].map(|p| (p, true)));
    for (percent, extra) in percents {
        if extra && mid_write > 0 {
            break;
        }
        let started = std::time::SystemTime::now();
        let mut child = grove_build(root, None).spawn().unwrap();
        std::thread::sleep(duration * percent / 100);
        let already_done = child.try_wait().unwrap().is_some();
        child.kill().unwrap();
        child.wait().unwrap();
        let now = digests(&public);
        if now == *new {
            replaced = true;
        } else {
            assert!(
                !replaced,
                "killed at {percent}% of a build: public/ went back to an older build"
            );
            assert!(
                now == *old,
                "killed at {percent}% of a build: public/ is neither the old site nor the new one ({} files, {} differ from the old site)",
                now.len(),
                now.iter().filter(|(k, v)| old.get(*k) != Some(v)).count()
            );
        }
        // Written by this build and not yet swapped in (after the swap, the slot is the
        // tree public/ was, untouched by this build).
        if !already_done && written_since(root, started) > 0 {
            mid_write += 1;
        }
        kills.push((percent, already_done, staging_left(root).len()));
    }
    eprintln!(
        "kills (percent of a build, had already finished, staging folders left): {kills:?}; {mid_write} mid-write"
    );
    assert!(
        mid_write > 0,
        "no kill landed while the build was writing ({kills:?}): the test proved nothing"
    );

    let next = grove_build(root, None).output().unwrap();
    assert!(next.status.success(), "{}", stderr(&next));
    assert!(
        digests(&public) == *new,
        "the build after the kills is not the full new site"
    );
    assert_eq!(staging_left(root), Vec::<String>::new());
}

#[cfg(target_os = "linux")]
/// A small memory disk mounted at `dir` for the length of a test; needs root.
struct Mount {
    dir: PathBuf,
}

#[cfg(target_os = "linux")]
impl Mount {
    fn tmpfs(dir: &Path, size: &str) -> Option<Mount> {
        std::fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Mount {
            dir: dir.to_path_buf(),
        })
    }

    fn read_only(&self) {
        let status = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.dir)
            .status()
            .unwrap();
        assert!(status.success());
    }
}

#[cfg(target_os = "linux")]
impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.dir).status();
    }
}

#[cfg(target_os = "linux")]
fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[cfg(target_os = "linux")]
/// A small site and a disk for its output: a tmpfs of `size` when running as root (where
/// permissions stop nothing; the test fails when the mount is refused), else a plain
/// folder (`None`).
fn site_with_output_disk(size: &str) -> (tempfile::TempDir, Option<Mount>) {
    let site = fixture("broken/link-to-itself");
    copy_dir(
        &repo().join("tests/fixtures/minimal-theme"),
        &site.path().join("themes/minimal"),
    );
    let disk = site.path().join("disk");
    let mount = if is_root() {
        let mount = Mount::tmpfs(&disk, size);
        assert!(
            mount.is_some(),
            "running as root, but mount -t tmpfs was refused: run this test where root may mount"
        );
        mount
    } else {
        std::fs::create_dir_all(&disk).unwrap();
        None
    };
    (site, mount)
}

#[cfg(target_os = "linux")]
fn build_into(site: &Path, output: &Path) -> std::process::Output {
    build(site, &["--output", output.to_str().unwrap()])
}

#[cfg(target_os = "linux")]
#[test]
fn read_only_output_disk_is_reported_and_keeps_the_old_site() {
    let (site, mount) = site_with_output_disk("1m");
    let disk = site.path().join("disk");
    let output = disk.join("public");
    let first = build_into(site.path(), &output);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = files(&output);

    match &mount {
        Some(m) => m.read_only(),
        None => {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&disk, std::fs::Permissions::from_mode(0o555)).unwrap();
        }
    }
    write(
        site.path(),
        "content/about.md",
        "+++\ntitle = \"New\"\n+++\nNew text.\n",
    );
    let out = build_into(site.path(), &output);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains(&format!(
            "error: cannot write the new site into the folder `{}`",
            disk.display()
        )),
        "names the folder: {err}"
    );
    if mount.is_some() {
        assert!(err.contains("(the disk is read-only)"), "{err}");
    } else {
        assert!(err.contains("(check the file's permissions)"), "{err}");
    }
    assert!(files(&output) == before, "the old site changed");
    if mount.is_none() {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&disk, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// Filling a disk needs a small tmpfs, and so root: shown as ignored elsewhere, and run
/// by ./.ci/test as root (`--include-ignored`).
#[cfg(target_os = "linux")]
#[test]
#[ignore = "needs root to mount a small disk: ./.ci/test runs it as root"]
fn full_output_disk_is_reported_and_keeps_the_old_site() {
    let (site, mount) = site_with_output_disk("256k");
    let _mount = mount.expect("filling a disk needs a small tmpfs: run this test as root");
    let output = site.path().join("disk/public");
    let first = build_into(site.path(), &output);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = files(&output);

    // The new build needs more than the disk has left (the old site stays on it meanwhile).
    let big = "Words that take room on the disk. ".repeat(12_000);
    write(
        site.path(),
        "content/about.md",
        &format!("+++\ntitle = \"About\"\n+++\n{big}\n"),
    );
    let out = build_into(site.path(), &output);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("(the disk is full: free some space and build again)"),
        "{err}"
    );
    assert!(err.contains("about/index.html"), "names the file: {err}");
    assert!(files(&output) == before, "the old site changed");
    assert_eq!(
        staging_left(&site.path().join("disk")),
        Vec::<String>::new()
    );
    assert!(
        !site.path().join("disk/.public.grove/slot").exists(),
        "the half-written build must be removed to give the space back"
    );

    // Once there is room again, the same command works.
    write(
        site.path(),
        "content/about.md",
        "+++\ntitle = \"About\"\n+++\nShort.\n",
    );
    let again = build_into(site.path(), &output);
    assert!(again.status.success(), "{}", stderr(&again));
}
