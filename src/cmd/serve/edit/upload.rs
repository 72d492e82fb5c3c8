//! Images uploaded from the editor: checked by their bytes (not their name), given a
//! plain file name, and put under `static/images/` without replacing another picture.

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

/// Where a picture called `name` goes under `static/images/`: a plain name made from
/// `name`, with the extension of its real type; `-2`, `-3`, ... when another picture has
/// that name already. The same picture uploaded again gets its old name.
pub fn destination(images: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let ext = image_type(bytes).unwrap_or("bin");
    let stem = Path::new(name)
        .file_stem()
        .map(|s| slugify(&s.to_string_lossy()))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "image".into());
    for n in 1..10_000 {
        let file = match n {
            1 => format!("{stem}.{ext}"),
            n => format!("{stem}-{n}.{ext}"),
        };
        let path = images.join(file);
        match std::fs::read(&path) {
            Ok(existing) if existing == bytes => return path,
            Ok(_) => continue,
            Err(_) if path.exists() => continue,
            Err(_) => return path,
        }
    }
    images.join(format!("{stem}-{}.{ext}", super::version(bytes)))
}

/// `POST /__grove/api/upload?name=...&alt=...` with the picture as the body: checks it,
/// saves it under `static/images/` and answers its address and its Markdown.
pub fn respond(root: &Path, request: &Request) -> Response {
    let alt = request.query_value("alt").unwrap_or_default();
    let name = request
        .query_value("name")
        .unwrap_or_else(|| "image".into());
    if let Some(why) = refused(&request.body, &alt) {
        return super::refuse(400, &why);
    }
    // `static/` or `static/images/` may be links: they must lead inside the site, and are
    // checked before anything is made under them.
    let statics = root.join("static");
    let images = statics.join("images");
    let leads_out = |p: &Path| p.exists() && !super::inside(p, root);
    if leads_out(&statics)
        || leads_out(&images)
        || std::fs::create_dir_all(&images).is_err()
        || !super::inside(&images, root)
    {
        return super::refuse(
            500,
            "static/images/ cannot be made inside the site folder (is it a link to somewhere else?)",
        );
    }
    let path = destination(&images, &name, &request.body);
    if !path.exists()
        && let Err(e) = super::save::write_atomically(&path, &request.body)
    {
        return super::refuse(500, &format!("the picture could not be written: {e}"));
    }
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let url = format!("/images/{file}");
    super::reply(201, json!({ "url": url, "markdown": markdown(&alt, &url) }))
}

/// The Markdown for a picture: `![alt](url)`, with the brackets of `alt` escaped.
pub fn markdown(alt: &str, url: &str) -> String {
    let alt = alt
        .trim()
        .replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]");
    format!("![{alt}]({url})")
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
    fn names_are_plain_and_never_replace_another_picture() {
        let dir = tempfile::tempdir().unwrap();
        let first = destination(dir.path(), "My Photo (1).PNG", PNG);
        assert_eq!(first.file_name().unwrap(), "my-photo-1.png");
        std::fs::write(&first, PNG).unwrap();
        assert_eq!(destination(dir.path(), "My Photo (1).PNG", PNG), first);
        let other = [PNG, b"other"].concat();
        assert_eq!(
            destination(dir.path(), "my photo 1.jpg", &other)
                .file_name()
                .unwrap(),
            "my-photo-1-2.png"
        );
        assert_eq!(
            destination(dir.path(), "../../etc/passwd", PNG)
                .file_name()
                .unwrap(),
            "passwd.png"
        );
        assert_eq!(
            destination(dir.path(), "...", PNG).file_name().unwrap(),
            "image.png"
        );
    }

    #[test]
    fn alt_text_cannot_break_out_of_the_brackets() {
        assert_eq!(
            markdown(" A [big] cat ", "/images/cat.png"),
            "![A \\[big\\] cat](/images/cat.png)"
        );
    }
}
