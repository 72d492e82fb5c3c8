//! What a picture's EXIF block says that grove acts on: which way is up, and whether it
//! holds the place where it was taken.

use std::io::Cursor;

/// The orientation in a raw EXIF block (starting at its TIFF header, or at `Exif\0\0`),
/// 1 to 8; 1 (as stored) when there is none or it is not one of the eight.
pub fn orientation(raw: &[u8]) -> u8 {
    let raw = raw.strip_prefix(b"Exif\0\0").unwrap_or(raw);
    let Ok(exif) = exif::Reader::new().read_raw(raw.to_vec()) else {
        return 1;
    };
    exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .and_then(|v| u8::try_from(v).ok())
        .filter(|v| (1..=8).contains(v))
        .unwrap_or(1)
}

/// Whether the file's bytes hold a GPS position: in its EXIF block (JPEG, PNG, WebP,
/// TIFF, HEIF) or in an XMP packet.
pub fn has_gps(bytes: &[u8]) -> bool {
    let in_exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .is_ok_and(|e| {
            e.fields().any(|f| {
                f.tag.context() == exif::Context::Gps
                    && matches!(f.tag, exif::Tag::GPSLatitude | exif::Tag::GPSLongitude)
            })
        });
    in_exif || contains(bytes, b"GPSLatitude") || contains(bytes, b"GPSLongitude")
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The smallest EXIF block that says `orientation` (a big-endian TIFF header and one
/// IFD with one entry), with the `Exif\0\0` that a JPEG's APP1 segment starts with.
pub fn orientation_only(orientation: u8) -> Vec<u8> {
    let mut b = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
    b.extend_from_slice(&[0, 1]); // one entry
    b.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0]);
    b.extend_from_slice(&[0, 0, 0, 0]); // no next IFD
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smallest_block_reads_back() {
        for o in 1..=8 {
            assert_eq!(orientation(&orientation_only(o)), o);
        }
        assert_eq!(orientation(b"garbage"), 1);
        assert_eq!(orientation(&[]), 1);
    }
}
