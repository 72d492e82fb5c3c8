//! A picture published as it is (linked to, not processed) loses its metadata without
//! losing any quality: the blocks that hold it (EXIF with its GPS position and camera,
//! XMP, comments, embedded previews) are left out and the pixels' bytes are copied
//! untouched. The orientation is kept, in a block that says nothing else.

use std::borrow::Cow;

use super::decode::Format;
use super::exif;

/// `bytes` without their metadata, or `bytes` themselves when there is none to remove.
/// `None`: the file's blocks are not as its format says (damaged); it is not published.
pub fn strip(bytes: &[u8]) -> Option<Cow<'_, [u8]>> {
    match Format::sniff(bytes) {
        Some(Format::Jpeg) => jpeg(bytes),
        Some(Format::Png) => png(bytes),
        Some(Format::Webp) => webp(bytes),
        Some(Format::Gif) | None => Some(Cow::Borrowed(bytes)),
    }
}

fn jpeg(bytes: &[u8]) -> Option<Cow<'_, [u8]>> {
    let mut out = bytes[..2].to_vec();
    let mut at = 2;
    let mut dropped = false;
    let mut orientation = 1;
    loop {
        if at + 4 > bytes.len() || bytes[at] != 0xFF {
            return None;
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1; // fill byte
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        let end = at + 2 + len;
        if len < 2 || end > bytes.len() {
            return None;
        }
        let body = &bytes[at + 4..end];
        if marker == 0xDA {
            // Start of scan: from here on, image data until the end marker. Anything
            // after it (a second, embedded picture with its own EXIF) is left out.
            let stop = end_of_image(bytes, at)?;
            if stop < bytes.len() {
                dropped = true;
            }
            if orientation != 1 {
                let block = exif::orientation_only(orientation);
                let mut app1 = vec![0xFF, 0xE1];
                app1.extend_from_slice(&((block.len() + 2) as u16).to_be_bytes());
                app1.extend_from_slice(&block);
                // After APP0 (JFIF) when there is one, else right after the start.
                let after = if out.len() > 4 && out[2..4] == [0xFF, 0xE0] {
                    4 + usize::from(u16::from_be_bytes([out[4], out[5]]))
                } else {
                    2
                };
                out.splice(after..after, app1);
            }
            out.extend_from_slice(&bytes[at..stop]);
            return Some(if dropped {
                Cow::Owned(out)
            } else {
                Cow::Borrowed(bytes)
            });
        }
        let keep = match marker {
            0xE1 => {
                orientation = exif::orientation(body);
                false
            }
            0xE2 => body.starts_with(b"ICC_PROFILE\0"),
            0xEE => body.starts_with(b"Adobe"),
            0xE3..=0xEF | 0xFE => false,
            _ => true,
        };
        if keep {
            out.extend_from_slice(&bytes[at..end]);
        } else {
            dropped = true;
        }
        at = end;
    }
}

/// Where the image data that starts at the scan at `sos` ends (after its end marker).
fn end_of_image(bytes: &[u8], sos: usize) -> Option<usize> {
    let mut at = sos;
    while at + 1 < bytes.len() {
        if bytes[at] != 0xFF {
            at += 1;
            continue;
        }
        match bytes[at + 1] {
            0x00 | 0xD0..=0xD7 | 0xFF => at += 1,
            0xD9 => return Some(at + 2),
            _ => {
                // A segment between scans (tables, the next scan's header): skip it.
                let len = usize::from(u16::from_be_bytes([
                    *bytes.get(at + 2)?,
                    *bytes.get(at + 3)?,
                ]));
                at += 2 + len.max(2);
            }
        }
    }
    // No end marker: a truncated file, as cameras sometimes write; keep what is there.
    Some(bytes.len())
}

fn png(bytes: &[u8]) -> Option<Cow<'_, [u8]>> {
    let mut out = bytes[..8].to_vec();
    let mut at = 8;
    let mut dropped = false;
    let mut ended = false;
    while at + 12 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().ok()?) as usize;
        let end = at.checked_add(12)?.checked_add(len)?;
        if end > bytes.len() {
            return None;
        }
        let kind = &bytes[at + 4..at + 8];
        let critical = kind[0].is_ascii_uppercase();
        let keep = critical
            || matches!(
                kind,
                b"tRNS"
                    | b"gAMA"
                    | b"cHRM"
                    | b"sRGB"
                    | b"iCCP"
                    | b"sBIT"
                    | b"pHYs"
                    | b"acTL"
                    | b"fcTL"
                    | b"fdAT"
                    | b"bKGD"
                    | b"cICP"
            );
        if keep {
            out.extend_from_slice(&bytes[at..end]);
        } else {
            dropped = true;
            if kind == b"eXIf" {
                let o = exif::orientation(&bytes[at + 8..end - 4]);
                if o != 1 {
                    out.extend_from_slice(&png_chunk(b"eXIf", &exif::orientation_only(o)[6..]));
                }
            }
        }
        at = end;
        if kind == b"IEND" {
            ended = true;
            break;
        }
    }
    // Bytes after the end block are not part of the picture (another file appended).
    Some(if dropped || (ended && at < bytes.len()) {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(bytes)
    })
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    let mut h = crc32fast::Hasher::new();
    h.update(kind);
    h.update(data);
    c.extend_from_slice(&h.finalize().to_be_bytes());
    c
}

fn webp(bytes: &[u8]) -> Option<Cow<'_, [u8]>> {
    let mut out = bytes[..12].to_vec();
    let mut at = 12;
    let mut dropped = false;
    while at + 8 <= bytes.len() {
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().ok()?) as usize;
        let end = at
            .checked_add(8)?
            .checked_add(len + (len & 1))?
            .min(bytes.len());
        let kind = &bytes[at..at + 4];
        if kind == b"EXIF" || kind == b"XMP " {
            dropped = true;
        } else {
            out.extend_from_slice(&bytes[at..end]);
        }
        at = end;
    }
    if !dropped {
        return Some(Cow::Borrowed(bytes));
    }
    // The extended header's flags say which blocks follow: no EXIF (bit 3), no XMP (bit 2).
    if out.len() > 20 && &out[12..16] == b"VP8X" {
        out[20] &= !0b0000_1100;
    }
    let size = (out.len() - 8) as u32;
    out[4..8].copy_from_slice(&size.to_le_bytes());
    Some(Cow::Owned(out))
}
