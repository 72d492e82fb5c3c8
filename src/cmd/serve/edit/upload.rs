//! Images uploaded from the editor: checked by their bytes (not their name), turned
//! upright and stripped of their metadata, given a plain file name, and put under
//! `static/images/` without replacing another picture.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::super::request::Request;
use super::super::response::Response;

use crate::slugs::slugify;

/// The largest picture accepted: a photo from a phone, not a video.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The picture formats every browser shows, by their first bytes. SVG is not among them:
/// it can carry scripts.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(b"\xff\xd8\xff") {
        Some("jpg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("gif")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else {
        None
    }
}

/// Why an upload was refused, in words for the person who sent it.
pub fn refused(bytes: &[u8], alt: &str) -> Option<String> {
    if alt.trim().is_empty() {
        return Some(
            "describe the picture in words first: people who cannot see it read that instead"
                .into(),
        );
    }
    if bytes.is_empty() {
        return Some("the file is empty".into());
    }
    if bytes.len() > MAX_BYTES {
        return Some(format!(
            "the picture is {:.1} MB; the largest accepted is {} MB. Make it smaller (a width of 2,000 pixels is plenty) and upload it again",
            bytes.len() as f64 / 1_048_576.0,
            MAX_BYTES / 1_048_576
        ));
    }
    if image_type(bytes).is_none() {
        return Some("this is not a PNG, JPEG, GIF or WebP picture".into());
    }
    None
}

/// Longest file name (without its extension) a picture keeps: the rest of a pasted
/// name is cut, so that the name fits every file system.
const MAX_STEM: usize = 60;

/// The plain file name made from an upload's `name`: letters, digits and dashes, at most
/// [`MAX_STEM`] characters, `image` when nothing is left.
fn stem(name: &str) -> String {
    let slug = Path::new(name)
        .file_stem()
        .map(|s| slugify(&s.to_string_lossy()))
        .unwrap_or_default();
    let cut: String = slug.chars().take(MAX_STEM).collect();
    match cut.trim_end_matches('-') {
        "" => "image".into(),
        s => s.to_string(),
    }
}

/// Saves the picture under `static/images/` with a plain name made from `name` and the
/// extension of its real type; `-2`, `-3`, ... when another picture has that name. Each
/// name is taken with `create_new`, so two uploads at once never share a file. The same
/// picture uploaded again gets its old name.
pub fn store(images: &Path, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let ext = image_type(bytes).unwrap_or("bin");
    let stem = stem(name);
    for n in 1..1_000 {
        let path = images.join(match n {
            1 => format!("{stem}.{ext}"),
            n => format!("{stem}-{n}.{ext}"),
        });
        match crate::fs::write::create_new(&path, bytes) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                // Only a plain file with the same bytes is the same picture; a link is not.
                let same = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file())
                    && std::fs::read(&path).is_ok_and(|existing| existing == bytes);
                if same {
                    return Ok(path);
                }
            }
            Err(e) => return Err(e),
        }
    }
    let path = images.join(format!("{stem}-{}.{ext}", super::version(bytes)));
    crate::fs::write::create_new(&path, bytes).map(|()| path)
}

/// `POST /__grove/api/upload?name=...&alt=...` with the picture as the body: checks it,
/// saves it under `static/images/` and answers its address and its Markdown.
pub fn respond(editing: &super::Editing, request: &Request) -> Response {
    let alt = request.query_value("alt").unwrap_or_default();
    let name = request
        .query_value("name")
        .unwrap_or_else(|| "image".into());
    if let Some(why) = refused(&request.body, &alt) {
        return super::refuse(400, &why);
    }
    // Upright, without its GPS position and camera, at most 3000 pixels long: what the
    // site's folder keeps (made before the write lock is taken: decoding takes a moment).
    let bytes = match crate::images::upload::prepare(&request.body) {
        Ok(bytes) => bytes,
        Err(why) => return super::refuse(400, &format!("this picture cannot be used: {why}")),
    };
    // `static/` or `static/images/` may be links: they must lead inside the site, and are
    // checked before anything is made under them.
    // Team photos go into their own folder, as the guide asks; nothing else is chosen by
    // the request.
    let mut images = editing.root.join("static").join("images");
    if request.query_value("folder").as_deref() == Some("team") {
        images.push("team");
    }
    if !editing.may_write("static", &images) {
        return super::refuse(
            403,
            "static/images/ leads out of the site folder (it is a link to somewhere else): make it a plain folder inside the site, then upload again",
        );
    }
    let stored = {
        let _writing = editing.write_lock();
        std::fs::create_dir_all(&images).and_then(|()| store(&images, &name, &bytes))
    };
    let path = match stored {
        Ok(path) => path,
        Err(e) => return super::refuse(500, &format!("the picture could not be written: {e}")),
    };
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let url = match images.ends_with("team") {
        true => format!("/images/team/{file}"),
        false => format!("/images/{file}"),
    };
    super::reply(201, json!({ "url": url, "markdown": markdown(&alt, &url) }))
}

/// The longest alt text kept: a sentence or two, not a pasted page.
const MAX_ALT: usize = 300;

/// The Markdown for a picture: `![alt](url)`. The alt text is made one line (a newline
/// would end the picture and let what follows be read as HTML) and every character that
/// Markdown or HTML would read is escaped.
pub fn markdown(alt: &str, url: &str) -> String {
    let one_line: String = alt
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(MAX_ALT)
        .collect();
    let mut escaped = String::with_capacity(one_line.len());
    for c in one_line.chars() {
        if matches!(
            c,
            '\\' | '[' | ']' | '<' | '>' | '*' | '_' | '`' | '!' | '&'
        ) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    format!("![{escaped}]({url})")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn pictures_are_known_by_their_bytes_not_their_name() {
        assert_eq!(image_type(PNG), Some("png"));
        assert_eq!(image_type(b"\xff\xd8\xff\xe0 JFIF"), Some("jpg"));
        assert_eq!(image_type(b"GIF89a...."), Some("gif"));
        assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("webp"));
        assert_eq!(image_type(b"<svg onload=alert(1)>"), None);
        assert_eq!(image_type(b"#!/bin/sh"), None);
    }

    #[test]
    fn uploads_need_alt_text_a_picture_and_a_sensible_size() {
        assert!(refused(PNG, "").unwrap().contains("describe the picture"));
        assert!(
            refused(b"plain text", "a cat")
                .unwrap()
                .contains("not a PNG")
        );
        assert!(
            refused(&vec![0u8; MAX_BYTES + 1], "a cat")
                .unwrap()
                .contains("largest accepted is 10 MB")
        );
        assert_eq!(refused(PNG, "a cat"), None);
    }

    #[test]
    fn names_are_plain_short_and_never_replace_another_picture() {
        let dir = tempfile::tempdir().unwrap();
        let first = store(dir.path(), "My Photo (1).PNG", PNG).unwrap();
        assert_eq!(first.file_name().unwrap(), "my-photo-1.png");
        assert_eq!(store(dir.path(), "My Photo (1).PNG", PNG).unwrap(), first);
        let other = [PNG, b"other"].concat();
        let second = store(dir.path(), "my photo 1.jpg", &other).unwrap();
        assert_eq!(second.file_name().unwrap(), "my-photo-1-2.png");
        assert_eq!(std::fs::read(&second).unwrap(), other);
        assert_eq!(stem("../../etc/passwd"), "passwd");
        assert_eq!(stem("..."), "image");
        let long = stem(&format!("{}.png", "a".repeat(5_000)));
        assert_eq!(long.len(), MAX_STEM);
    }

    #[test]
    fn uploads_at_once_with_one_name_each_get_their_own_file() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path();
        for round in 0..10u8 {
            let pictures: Vec<Vec<u8>> = (0..6u8)
                .map(|i| [PNG, &[round, i][..], &vec![i; 50_000]].concat())
                .collect();
            let stored: Vec<PathBuf> = std::thread::scope(|s| {
                let handles: Vec<_> = pictures
                    .iter()
                    .map(|p| s.spawn(move || store(dir, "race.png", p).unwrap()))
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            for (path, bytes) in stored.iter().zip(&pictures) {
                assert_eq!(&std::fs::read(path).unwrap(), bytes, "{path:?}");
            }
            let unique: std::collections::HashSet<_> = stored.iter().collect();
            assert_eq!(unique.len(), 6);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_at_the_name_is_never_taken_for_the_same_picture() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside.png");
        std::fs::write(&outside, PNG).unwrap();
        let images = dir.path().join("images");
        std::fs::create_dir(&images).unwrap();
        std::os::unix::fs::symlink(&outside, images.join("cat.png")).unwrap();
        let stored = store(&images, "cat.png", PNG).unwrap();
        assert_eq!(stored.file_name().unwrap(), "cat-2.png");
    }

    #[test]
    fn alt_text_is_one_line_and_cannot_break_out_of_the_brackets() {
        assert_eq!(
            markdown(" A [big] cat ", "/images/cat.png"),
            "![A \\[big\\] cat](/images/cat.png)"
        );
        assert_eq!(
            markdown("a cat\n\n<script>alert(1)</script>", "/images/cat.png"),
            "![a cat \\<script\\>alert(1)\\</script\\>](/images/cat.png)"
        );
        let html = crate::markdown::plain_html(&markdown("x\n<b>bold</b>", "/i.png"));
        assert!(!html.contains("<b>"), "{html}");
    }
}
