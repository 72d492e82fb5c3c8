//! Pictures over the real binary: phone photos made here (turned by their EXIF
//! orientation, with a GPS position and a camera model) come out upright, in the sizes
//! their place needs, without any metadata; the originals are not published; the cache
//! is used on a second build and follows the picture's bytes; a link and a picture that
//! claims an enormous size are refused; `grove check` names what to fix.

use std::path::Path;

use grove::images::decode::{self, Pixels};
use grove::images::{Encoding, process};

use crate::harness::{build, copy_dir, grove, repo, stderr, stdout};

/// The EXIF block of a phone photo: camera, orientation, GPS position (big-endian TIFF).
fn phone_exif(orientation: u16) -> Vec<u8> {
    fn entry(b: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
        b.extend_from_slice(&tag.to_be_bytes());
        b.extend_from_slice(&kind.to_be_bytes());
        b.extend_from_slice(&count.to_be_bytes());
        b.extend_from_slice(&value);
    }
    let off = |n: u32| n.to_be_bytes();
    let mut b = b"MM\0\x2a\0\0\0\x08".to_vec();
    // IFD0 at 8: 4 entries, ends at 8 + 2 + 48 + 4 = 62.
    b.extend_from_slice(&4u16.to_be_bytes());
    entry(&mut b, 0x010F, 2, 7, off(62)); // Make "Google"
    entry(&mut b, 0x0110, 2, 8, off(69)); // Model "Pixel 7"
    let o = orientation.to_be_bytes();
    entry(&mut b, 0x0112, 3, 1, [o[0], o[1], 0, 0]);
    entry(&mut b, 0x8825, 4, 1, off(78)); // GPS IFD
    b.extend_from_slice(&[0, 0, 0, 0]);
    b.extend_from_slice(b"Google\0Pixel 7\0\0");
    assert_eq!(b.len(), 78);
    b.extend_from_slice(&4u16.to_be_bytes());
    entry(&mut b, 0x0001, 2, 2, *b"N\0\0\0");
    entry(&mut b, 0x0002, 5, 3, off(132));
    entry(&mut b, 0x0003, 2, 2, *b"W\0\0\0");
    entry(&mut b, 0x0004, 5, 3, off(156));
    b.extend_from_slice(&[0, 0, 0, 0]);
    assert_eq!(b.len(), 132);
    for v in [37u32, 48, 30, 122, 16, 12] {
        b.extend_from_slice(&v.to_be_bytes());
        b.extend_from_slice(&1u32.to_be_bytes());
    }
    b
}

/// A JPEG as a phone writes it: stored `w` x `h` (landscape, as the sensor reads), to be
/// shown turned by `orientation`, with the EXIF block above right after its start. The
/// stored top-left quarter is red, the rest grey with a little texture.
pub fn phone_photo(w: u32, h: u32, orientation: u16) -> Vec<u8> {
    let mut data = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            if x < w / 2 && y < h / 2 {
                data.extend_from_slice(&[220, 30, 30]);
            } else {
                let t = ((x * 7 + y * 13) % 40) as u8;
                data.extend_from_slice(&[100 + t, 110 + t, 120 + t]);
            }
        }
    }
    let pixels = Pixels {
        width: w,
        height: h,
        channels: 3,
        data,
    };
    let jpeg = process::encode_with(&pixels, Encoding::Jpeg, 92).unwrap();
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&phone_exif(orientation));
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// What grove's own reading of a file finds of metadata: EXIF in a JPEG (APP1) or in
/// a WebP (an EXIF or XMP block), text blocks in a PNG.
fn has_metadata(bytes: &[u8]) -> bool {
    let find = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    find(b"Exif\0\0")
        || find(b"EXIF")
        || find(b"XMP ")
        || find(b"eXIf")
        || find(b"GPS")
        || find(b"Pixel 7")
}

/// What exiftool finds, where it is installed: the tags that say where and with what.
fn exiftool_tags(file: &Path) -> Option<String> {
    let out = std::process::Command::new("exiftool")
        .args(["-s", "-GPS:all", "-Make", "-Model", "-Orientation"])
        .arg(file)
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The real site with a team member who has a phone photo and an article that shows one.
fn site() -> crate::harness::SiteTest {
    let dir = crate::harness::SiteTest::empty();
    let root = &dir.root();
    for part in ["content", "themes"] {
        copy_dir(&repo().join(part), &root.join(part));
    }
    std::fs::copy(repo().join("config.toml"), root.join("config.toml")).unwrap();
    std::fs::create_dir_all(root.join("static/images/team")).unwrap();
    std::fs::write(
        root.join("static/images/team/jane.jpg"),
        phone_photo(400, 300, 6),
    )
    .unwrap();
    std::fs::write(
        root.join("static/images/room.jpg"),
        phone_photo(2000, 1500, 1),
    )
    .unwrap();
    std::fs::write(
        root.join("static/images/plan.jpg"),
        phone_photo(320, 240, 1),
    )
    .unwrap();
    std::fs::write(
        root.join("content/team/jane-doe.md"),
        "+++\nname = \"Jane Doe\"\nrole = \"Test fixture\"\nweight = 99\nphoto = \"/images/team/jane.jpg\"\nphoto_focus = \"0.5,0.3\"\n+++\n\nA fixture.\n",
    )
    .unwrap();
    std::fs::write(
        root.join("content/articles/a-quiet-room.md"),
        "+++\ntitle = \"A quiet room\"\ndate = 2025-01-02\nimage = \"/images/room.jpg\"\nimage_alt = \"The room\"\n+++\n\n![A quiet room](/images/room.jpg)\n\nThe [floor plan](/images/plan.jpg), to download.\n",
    )
    .unwrap();
    dir
}

fn published_pictures(public: &Path) -> Vec<String> {
    let mut all: Vec<String> = walk(public)
        .into_iter()
        .filter(|p| grove::images::is_raster(p))
        .collect();
    all.sort();
    all
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if e.file_type().is_file() {
            out.push(
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
    out
}

/// The `<picture>` and share-image lines of a page, for a snapshot.
fn picture_lines(html: &str) -> String {
    html.lines()
        .filter(|l| l.contains("<picture") || l.contains("og:image") || l.contains("\"image\""))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn phone_photos_are_published_upright_sized_and_without_metadata() {
    let dir = site();
    let root = &dir.root();
    let out = build(root, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let public = root.join("public");

    // The originals with their GPS position are not published; the linked floor plan is,
    // without its metadata.
    let pictures = published_pictures(&public);
    assert!(
        !pictures
            .iter()
            .any(|p| p.ends_with("jane.jpg") || p.ends_with("room.jpg")),
        "{pictures:?}"
    );
    assert!(
        pictures.contains(&"images/plan.jpg".to_string()),
        "{pictures:?}"
    );
    insta::assert_snapshot!("published_pictures", pictures.join("\n"));

    for rel in &pictures {
        let file = public.join(rel);
        let bytes = std::fs::read(&file).unwrap();
        assert!(!has_metadata(&bytes), "{rel} still has metadata");
        if let Some(tags) = exiftool_tags(&file) {
            assert!(
                !tags.contains("GPS") && !tags.contains("Pixel"),
                "{rel}: {tags}"
            );
        }
    }
    // The plan keeps its pixels' bytes: only the metadata went.
    let plan = std::fs::read(public.join("images/plan.jpg")).unwrap();
    let original = std::fs::read(root.join("static/images/plan.jpg")).unwrap();
    assert!(plan.len() < original.len() && original.ends_with(&plan[plan.len() - 1000..]));

    // Upright: the avatar of a photo stored landscape with orientation 6 is the stored
    // top-left (red) quarter turned to the top right.
    let team = std::fs::read_to_string(public.join("team/index.html")).unwrap();
    let avatar2x = pictures
        .iter()
        .find(|p| p.contains("jane-128x128"))
        .expect("the 2x avatar");
    let p = decode::decode(&std::fs::read(public.join(avatar2x)).unwrap()).unwrap();
    let at = |x: u32, y: u32| {
        let i = ((y * p.width + x) * u32::from(p.channels)) as usize;
        (p.data[i], p.data[i + 1], p.data[i + 2])
    };
    let (r, g, _) = at(p.width - 5, 5);
    assert!(
        r > 180 && g < 80,
        "top right should be red: {:?}",
        at(p.width - 5, 5)
    );
    let (r, _, _) = at(5, 5);
    assert!(r < 160, "top left should be grey: {:?}", at(5, 5));

    insta::assert_snapshot!("team_page_pictures", picture_lines(&team));
    let bio = std::fs::read_to_string(public.join("team/jane-doe/index.html")).unwrap();
    insta::assert_snapshot!("bio_pictures", picture_lines(&bio));
    let article = std::fs::read_to_string(public.join("articles/a-quiet-room/index.html")).unwrap();
    insta::assert_snapshot!("article_pictures", picture_lines(&article));
}

#[test]
fn a_second_build_uses_the_cache_until_the_picture_changes() {
    let dir = site();
    let root = &dir.root();
    let first = build(root, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("pictures: 14 sizes made, 0 from the cache"),
        "{}",
        stdout(&first)
    );
    let second = build(root, &[]);
    assert!(
        stdout(&second).contains("pictures: 0 sizes made, 14 from the cache"),
        "{}",
        stdout(&second)
    );
    // Safe to delete, and ignored by git.
    assert_eq!(
        std::fs::read_to_string(root.join(".grove-cache/.gitignore")).unwrap(),
        "*\n"
    );
    std::fs::write(
        root.join("static/images/team/jane.jpg"),
        phone_photo(400, 300, 8),
    )
    .unwrap();
    let third = build(root, &[]);
    assert!(
        stdout(&third).contains("pictures: 8 sizes made, 6 from the cache"),
        "{}",
        stdout(&third)
    );
    std::fs::remove_dir_all(root.join(".grove-cache")).unwrap();
    let fourth = build(root, &[]);
    assert!(
        stdout(&fourth).contains("pictures: 14 sizes made"),
        "{}",
        stdout(&fourth)
    );
}

#[cfg(unix)]
#[test]
fn a_link_where_a_picture_is_expected_is_refused() {
    let dir = site();
    let root = &dir.root();
    let secret = root.join("secret.jpg");
    std::fs::write(&secret, phone_photo(64, 48, 1)).unwrap();
    std::fs::remove_file(root.join("static/images/room.jpg")).unwrap();
    std::os::unix::fs::symlink(&secret, root.join("static/images/room.jpg")).unwrap();
    let out = build(root, &[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("room.jpg") && err.contains("is a link to another file"),
        "{err}"
    );
}

#[test]
fn a_picture_claiming_an_enormous_size_is_refused_without_taking_the_memory() {
    let dir = site();
    let root = &dir.root();
    // A PNG header that says 50,000 x 50,000 pixels (10 GB of pixels), and nothing else.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    let ihdr = [
        &50_000u32.to_be_bytes()[..],
        &50_000u32.to_be_bytes(),
        &[8, 6, 0, 0, 0],
    ]
    .concat();
    png.extend_from_slice(&ihdr);
    let mut crc = crc32fast::Hasher::new();
    crc.update(b"IHDR");
    crc.update(&ihdr);
    png.extend_from_slice(&crc.finalize().to_be_bytes());
    std::fs::write(root.join("static/images/room.jpg"), b"").unwrap();
    std::fs::write(root.join("static/images/room.png"), &png).unwrap();
    std::fs::write(
        root.join("content/articles/a-quiet-room.md"),
        "+++\ntitle = \"A quiet room\"\ndate = 2025-01-02\n+++\n\n![A quiet room](/images/room.png)\n",
    )
    .unwrap();
    let out = build(root, &[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("room.png") && err.contains("50000 x 50000 pixels, more than grove processes"),
        "{err}"
    );
}

#[test]
fn check_names_pictures_with_a_position_too_heavy_or_unfit_for_an_avatar() {
    let dir = site();
    let root = &dir.root();
    // A big picture linked as a download is published whole; a photo left in the folder.
    std::fs::write(
        root.join("static/images/plan.jpg"),
        phone_photo(3200, 400, 1),
    )
    .unwrap();
    std::fs::write(root.join("old-photo.jpg"), phone_photo(64, 48, 1)).unwrap();
    let out = grove(&["check", "--root", root.to_str().unwrap()]);
    let text = stdout(&out) + &stderr(&out);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.contains("GPS") || l.contains("published as it is") || l.contains("the photo `")
        })
        .collect();
    insta::assert_snapshot!(
        "check_pictures",
        lines.join("\n").replace(root.to_str().unwrap(), "SITE")
    );
}

/// Where exiftool is installed (Debian: libimage-exiftool-perl), what it finds of the
/// tags that say where and with what; under CI it must be installed.
fn exiftool_finds(file: &Path) -> Option<String> {
    let tags = exiftool_tags(file);
    assert!(
        tags.is_some() || std::env::var_os("CI").is_none(),
        "exiftool is missing: ./.ci/test installs it"
    );
    tags.filter(|t| !t.trim().is_empty())
}

#[test]
fn an_uploaded_phone_photo_is_stored_upright_smaller_and_without_its_position() {
    let site = crate::harness::SiteTest::serve_fixture();
    let serve = site.serve();
    // Stored 4000 x 3000 as the sensor reads it, shown portrait (orientation 6).
    let photo = phone_photo(4000, 3000, 6);
    let headers = crate::edit::picture_headers(&serve).replace("image/png", "image/jpeg");
    let r = crate::edit::post_as(
        &serve,
        "/__grove/api/upload?name=IMG_2041.jpg&alt=Our%20garden",
        &headers,
        &photo,
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let url = crate::edit::json(&r)["url"].as_str().unwrap().to_string();
    let stored = site.path(&format!("static{url}"));
    let bytes = std::fs::read(&stored).unwrap();
    assert!(!has_metadata(&bytes), "the stored file keeps metadata");
    if let Some(tags) = exiftool_finds(&stored) {
        panic!("exiftool still finds {tags}");
    }
    let header = decode::header(&bytes).unwrap();
    assert_eq!(header.orientation, 1);
    // Upright and at most 3000 px on its long side: 2250 x 3000.
    let p = decode::decode(&bytes).unwrap();
    assert_eq!((p.width, p.height), (2250, 3000));
    let i = ((5 * p.width + p.width - 5) * u32::from(p.channels)) as usize;
    assert!(
        p.data[i] > 180 && p.data[i + 1] < 80,
        "the stored top-left quarter is now top right"
    );
}

#[test]
fn builds_at_once_share_the_cache_and_each_publishes_whole_pictures() {
    let dir = site();
    let root = &dir.root();
    // Repeated: each round starts without a cache, so every build makes sizes at once.
    for round in 0..3 {
        let _ = std::fs::remove_dir_all(root.join(".grove-cache"));
        let runs: Vec<_> = (0..3)
            .map(|i| {
                let (root, out) = (root.to_path_buf(), root.join(format!("out-{round}-{i}")));
                std::thread::spawn(move || {
                    let run = grove(&[
                        "build",
                        "--root",
                        root.to_str().unwrap(),
                        "--output",
                        out.to_str().unwrap(),
                    ]);
                    (out, run)
                })
            })
            .collect();
        let mut published = Vec::new();
        for run in runs {
            let (out, run) = run.join().unwrap();
            assert!(run.status.success(), "{}", stderr(&run));
            published.push(published_pictures(&out));
            for rel in published.last().unwrap() {
                let bytes = std::fs::read(out.join(rel)).unwrap();
                assert!(
                    decode::decode(&bytes).is_ok(),
                    "{rel} is not a whole picture"
                );
            }
        }
        assert!(published.windows(2).all(|w| w[0] == w[1]), "{published:?}");
    }
}

#[test]
fn the_preview_serves_the_sizes_of_a_picture_a_saved_page_shows_for_the_first_time() {
    let site = crate::harness::SiteTest::empty();
    for part in ["content", "themes"] {
        copy_dir(&repo().join(part), &site.path(part));
    }
    std::fs::copy(repo().join("config.toml"), site.path("config.toml")).unwrap();
    std::fs::create_dir_all(site.path("static/images")).unwrap();
    std::fs::write(
        site.path("static/images/garden.jpg"),
        phone_photo(1000, 750, 6),
    )
    .unwrap();
    let serve = site.serve();
    // Nothing shows it yet: published as it is, without its camera and position (it
    // keeps only its orientation, so that it still shows upright).
    let original = serve.wait_for("/images/garden.jpg", 200, "");
    let find = |needle: &[u8]| original.body.windows(needle.len()).any(|w| w == needle);
    assert!(!find(b"Pixel 7") && !find(b"Google"));
    assert_eq!(decode::header(&original.body).unwrap().orientation, 6);
    site.write(
        "content/articles/our-garden.md",
        "+++\ntitle = \"Our garden\"\ndate = 2025-01-02\n+++\n\n![The garden](/images/garden.jpg)\n",
    );
    let page = serve
        .wait_for_text("/articles/our-garden/", "processed_images/garden-")
        .text();
    let sizes: Vec<&str> = page
        .split('"')
        .flat_map(|attr| attr.split(", "))
        .filter_map(|c| c.split(' ').next())
        .filter(|u| u.starts_with("/processed_images/garden-"))
        .collect();
    assert!(sizes.len() >= 2, "{page}");
    for url in sizes {
        let r = serve.get(url);
        assert_eq!(r.status, 200, "{url}");
        let p = decode::decode(&r.body).unwrap();
        // Upright: stored 1000 x 750 turned a quarter, so taller than wide.
        assert!(p.height > p.width, "{url}: {}x{}", p.width, p.height);
    }
    // Shown through its sizes now: the original is no longer published.
    serve.wait_for("/images/garden.jpg", 404, "");
}
