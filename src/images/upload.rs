//! A picture as the editor stores it: upright, without metadata (no GPS position, no
//! camera), and at most [`MAX_LONG_SIDE`] pixels on its long side, so that the site's
//! folder (and its repository) holds neither a location nor a 10 MB photo.

use super::decode::{self, Format};
use super::{Encoding, Fit, process, strip};

/// The long side of a stored picture: twice the widest size grove makes, with room.
pub const MAX_LONG_SIDE: u32 = 3000;
/// The quality a re-encoded JPEG or WebP keeps: high, since sizes are made from it.
const STORE_QUALITY: u8 = 90;

/// The bytes to store for an uploaded picture, or why it cannot be.
pub fn prepare(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let header = decode::header(bytes)?;
    let (w, h) = header.upright();
    let too_large = w.max(h) > MAX_LONG_SIDE;
    // Decoded whole even when stored as it came: a picture the build cannot read is
    // refused here, with the person still at the form, not at the next build.
    let pixels = decode::decode(bytes)?;
    if header.orientation == 1 && !too_large {
        return strip::strip(bytes).map(|b| b.into_owned()).ok_or_else(|| {
            "the picture's file is damaged; open it in a photo editor and save it again".into()
        });
    }
    let pixels = if too_large {
        let width = if w >= h {
            MAX_LONG_SIDE
        } else {
            (u64::from(w) * u64::from(MAX_LONG_SIDE) / u64::from(h)).max(1) as u32
        };
        process::resize(&pixels, Fit::Width(width))?
    } else {
        pixels
    };
    match header.format {
        Format::Jpeg => process::encode_with(&pixels, Encoding::Jpeg, STORE_QUALITY),
        Format::Webp => process::encode_with(&pixels, Encoding::Webp, STORE_QUALITY),
        // A GIF is stored as PNG once it must be turned or made smaller.
        Format::Png | Format::Gif => process::encode_with(&pixels, Encoding::Png, STORE_QUALITY),
    }
}
