//! The editor's other requests about one file: what it holds now (for a tab that learns
//! the file changed elsewhere, and for the two versions shown after a refused save), which
//! pages link to it, and deleting it into the site's trash with a way back.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Editing, Facts, form, refuse, reply, version};
use crate::content::front_matter;

/// The trash, inside the site folder (and out of git: `.gitignore`): deleted pages wait
/// here, under the path they had, until someone empties it.
pub const TRASH: &str = ".grove/trash";

#[derive(Deserialize)]
pub struct FileRequest {
    pub file: String,
    #[serde(default)]
    pub version: String,
}

#[derive(Deserialize)]
pub struct RestoreRequest {
    pub token: String,
}

/// The form's values for a file's text: each field as the form shows it, and the body.
pub fn form_values(relative_path: &str, text: &str) -> Value {
    let split = front_matter::split(Path::new(relative_path), text, "").ok();
    let (front, body) = split.as_ref().map_or(("", text), |s| (s.front, s.body));
    let table: toml::Table = toml::from_str(front).unwrap_or_default();
    let fields: serde_json::Map<String, Value> = form::fields(relative_path, &table)
        .into_iter()
        .map(|f| (f.field.key.to_string(), Value::String(f.value)))
        .collect();
    json!({ "fields": fields, "body": body })
}

/// `POST /__grove/api/current {file}`: the file's version and values as they are now.
pub fn current(path: &Path, req: &FileRequest) -> super::Response {
    match std::fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let mut values = form_values(&req.file, &text);
            values["version"] = Value::String(version(&bytes));
            reply(200, values)
        }
        Err(_) => reply(200, json!({ "version": Value::Null })),
    }
}

/// The content files whose text links to `relative_path` (an `@/` link or `related`),
/// with their titles: what a person should know before deleting it. Read from the disk,
/// since it is asked for once, before a delete.
pub fn linked_from(root: &Path, relative_path: &str, facts: &Facts) -> Vec<Value> {
    let content = root.join("content");
    let walked = crate::fs::walk(
        &content,
        &crate::fs::Roots::of_site(root, None),
        crate::fs::Skip::FilesAndFolders,
    )
    .unwrap_or_default();
    let wanted = format!("@/{relative_path}");
    let quoted = format!("\"{relative_path}\"");
    walked
        .into_iter()
        .filter(|w| w.rel != relative_path && w.rel.ends_with(".md"))
        .filter_map(|w| {
            let text = std::fs::read_to_string(&w.path).ok()?;
            if !text.contains(&wanted) && !text.contains(&quoted) {
                return None;
            }
            let values = form_values(&w.rel, &text);
            let title = ["title", "name"]
                .iter()
                .find_map(|k| values["fields"][k].as_str().filter(|t| !t.is_empty()))
                .unwrap_or(&w.rel)
                .to_string();
            Some(json!({
                "file": w.rel,
                "title": title,
                "draft": values["fields"]["draft"] == "true",
                "url": facts.links.get(&w.rel),
                "edit": super::page::edit_url(&w.rel),
            }))
        })
        .collect()
}

/// Why `text`, the new version of `relative_path`, cannot be saved as a draft: published
/// pages link to it, and a build leaves drafts out, so their links would lead nowhere and
/// the site would not build. `None` when it is not made a draft now, or nothing links to it.
pub fn draft_refusal(
    root: &Path,
    relative_path: &str,
    original: &str,
    text: &str,
    facts: &Facts,
) -> Option<String> {
    let is_draft = |t: &str| form_values(relative_path, t)["fields"]["draft"] == "true";
    if !is_draft(text) || is_draft(original) {
        return None;
    }
    let titles: Vec<String> = linked_from(root, relative_path, facts)
        .into_iter()
        .filter(|p| p["draft"] != true)
        .map(|p| {
            format!(
                "\u{201c}{}\u{201d}",
                p["title"].as_str().unwrap_or_default()
            )
        })
        .collect();
    if titles.is_empty() {
        return None;
    }
    let one = titles.len() == 1;
    Some(format!(
        "Draft: {} {} to this page. A draft is left out of the site, so {} would lead nowhere and the site would not build: remove {} first, then make this page a draft.",
        titles.join(", "),
        if one { "links" } else { "link" },
        if one { "that link" } else { "those links" },
        if one { "it" } else { "them" },
    ))
}

/// `POST /__grove/api/delete {file, version}`: moves the file into the trash, unless it
/// changed since the editor opened it. Answers the token that restores it.
pub fn delete(editing: &Editing, path: &Path, req: &FileRequest) -> super::Response {
    let _writing = editing.write_lock();
    let Ok(bytes) = std::fs::read(path) else {
        return refuse(
            409,
            "this page is no longer there: it was moved or deleted already",
        );
    };
    if version(&bytes) != req.version {
        return refuse(
            409,
            "this page was changed since you opened it: reload the editor to see the change before you delete it",
        );
    }
    let stamp = jiff::Timestamp::now().as_millisecond();
    let token = format!("{stamp}/{}", req.file);
    let Some(place) = trash_path(editing, &token) else {
        return refuse(
            500,
            "the trash folder (.grove/trash) cannot be made inside the site",
        );
    };
    let moved = place
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::rename(path, &place));
    match moved {
        Ok(()) => reply(200, json!({ "token": token })),
        Err(e) => refuse(
            500,
            &super::not_written("The page was not moved to the trash", &e),
        ),
    }
}

/// `POST /__grove/api/restore {token}`: puts a deleted file back where it was, if nothing
/// has taken its place since.
pub fn restore(editing: &Editing, req: &RestoreRequest) -> super::Response {
    let Some((_, file)) = req.token.split_once('/') else {
        return refuse(400, "this is not a page in the trash");
    };
    let (Some(place), Some(path)) = (
        trash_path(editing, &req.token),
        super::content_file(editing, file),
    ) else {
        return refuse(400, "this is not a page in the trash");
    };
    let _writing = editing.write_lock();
    if !place.is_file() {
        return refuse(409, "this page is no longer in the trash");
    }
    if path.symlink_metadata().is_ok() {
        return refuse(
            409,
            "another page was made at the same place since: rename or delete it first",
        );
    }
    let put_back = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::rename(&place, &path));
    match put_back {
        Ok(()) => reply(
            200,
            json!({ "file": file, "edit": super::page::edit_url(file) }),
        ),
        Err(e) => refuse(500, &super::not_written("The page was not put back", &e)),
    }
}

/// Where the trash keeps `token` (`STAMP/articles/x.md`), when the token is plain and the
/// place lies inside the site.
fn trash_path(editing: &Editing, token: &str) -> Option<PathBuf> {
    let (stamp, file) = token.split_once('/')?;
    if stamp.is_empty() || !stamp.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    super::content_file(editing, file)?;
    let place = editing
        .root
        .join(TRASH)
        .join(stamp)
        .join("content")
        .join(file);
    editing.roots.allow(&place).then_some(place)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> (tempfile::TempDir, Editing) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content/faq")).unwrap();
        std::fs::write(
            dir.path().join("content/faq/x.md"),
            "+++\ntitle = \"X?\"\n+++\nYes.\n",
        )
        .unwrap();
        let editing = Editing::new(&dir.path().canonicalize().unwrap(), None);
        (dir, editing)
    }

    #[test]
    fn a_deleted_page_goes_to_the_trash_and_comes_back() {
        let (dir, editing) = site();
        let path = dir.path().join("content/faq/x.md");
        let v = version(&std::fs::read(&path).unwrap());
        let stale = FileRequest {
            file: "faq/x.md".into(),
            version: "0".into(),
        };
        assert_eq!(delete(&editing, &path, &stale).status, 409);
        let req = FileRequest {
            file: "faq/x.md".into(),
            version: v,
        };
        let r = delete(&editing, &path, &req);
        assert_eq!(r.status, 200);
        assert!(!path.exists());
        let super::super::super::response::Body::Bytes(body) = &r.body else {
            panic!("a JSON answer")
        };
        let token: Value = serde_json::from_slice(body).unwrap();
        let token = token["token"].as_str().unwrap().to_string();
        assert!(token.ends_with("/faq/x.md"), "{token}");
        let r = restore(
            &editing,
            &RestoreRequest {
                token: token.clone(),
            },
        );
        assert_eq!(r.status, 200);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "+++\ntitle = \"X?\"\n+++\nYes.\n"
        );
        assert_eq!(restore(&editing, &RestoreRequest { token }).status, 409);
    }

    #[test]
    fn a_page_published_pages_link_to_cannot_become_a_draft() {
        let (dir, _editing) = site();
        let article = "+++\ntitle = \"Calm\"\n+++\nText.\n";
        let drafted = "+++\ntitle = \"Calm\"\ndraft = true\n+++\nText.\n";
        std::fs::create_dir_all(dir.path().join("content/articles")).unwrap();
        std::fs::write(dir.path().join("content/articles/calm.md"), article).unwrap();
        let facts = Facts::default();
        let refusal =
            |root: &Path| draft_refusal(root, "articles/calm.md", article, drafted, &facts);
        assert_eq!(refusal(dir.path()), None, "nothing links to it");
        let linking = "+++\ntitle = \"X?\"\nrelated = [\"articles/calm.md\"]\n+++\nYes.\n";
        std::fs::write(dir.path().join("content/faq/x.md"), linking).unwrap();
        assert_eq!(
            refusal(dir.path()).as_deref(),
            Some(
                "Draft: \u{201c}X?\u{201d} links to this page. A draft is left out of the site, so that link would lead nowhere and the site would not build: remove it first, then make this page a draft."
            )
        );
        // a draft that links to it is left out too; a page already a draft stays one
        let linking_draft = linking.replace("+++\nYes", "draft = true\n+++\nYes");
        std::fs::write(dir.path().join("content/faq/x.md"), &linking_draft).unwrap();
        assert_eq!(refusal(dir.path()), None);
        std::fs::write(dir.path().join("content/faq/x.md"), linking).unwrap();
        assert_eq!(
            draft_refusal(dir.path(), "articles/calm.md", drafted, drafted, &facts),
            None
        );
    }

    #[test]
    fn restore_tokens_cannot_name_anything_else() {
        let (_dir, editing) = site();
        for token in [
            "../../etc/passwd",
            "1/../../config.toml",
            "x/faq/x.md",
            "1/faq/x.txt",
            "1",
        ] {
            assert_eq!(
                restore(
                    &editing,
                    &RestoreRequest {
                        token: token.into()
                    }
                )
                .status,
                400,
                "{token}"
            );
        }
    }

    #[test]
    fn the_form_values_of_a_text() {
        let v = form_values("faq/x.md", "+++\ntitle = \"X?\"\nweight = 10\n+++\nYes.\n");
        assert_eq!(v["fields"]["title"], "X?");
        assert_eq!(v["fields"]["weight"], "10");
        assert_eq!(v["body"], "Yes.\n");
    }
}
