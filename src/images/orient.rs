//! Turning decoded pixels upright, as the EXIF orientation says (the phone stores the
//! sensor's rows and notes which way it was held).

use super::decode::Pixels;

/// `p` turned and mirrored as EXIF orientation `o` (1 to 8) asks.
pub fn apply(p: Pixels, o: u8) -> Pixels {
    if !(2..=8).contains(&o) {
        return p;
    }
    let (w, h, c) = (p.width as usize, p.height as usize, p.channels as usize);
    let swap = o >= 5;
    let (nw, nh) = if swap { (h, w) } else { (w, h) };
    let mut out = vec![0u8; p.data.len()];
    for y in 0..nh {
        for x in 0..nw {
            // Where the pixel shown at (x, y) is stored.
            let (sx, sy) = match o {
                2 => (w - 1 - x, y),
                3 => (w - 1 - x, h - 1 - y),
                4 => (x, h - 1 - y),
                5 => (y, x),
                6 => (y, h - 1 - x),
                7 => (w - 1 - y, h - 1 - x),
                _ => (w - 1 - y, x), // 8
            };
            let from = (sy * w + sx) * c;
            let to = (y * nw + x) * c;
            out[to..to + c].copy_from_slice(&p.data[from..from + c]);
        }
    }
    Pixels {
        width: nw as u32,
        height: nh as u32,
        channels: p.channels,
        data: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2 x 1 stored: red then blue.
    fn stored() -> Pixels {
        Pixels {
            width: 2,
            height: 1,
            channels: 3,
            data: vec![255, 0, 0, 0, 0, 255],
        }
    }

    #[test]
    fn rotate_90_puts_the_first_stored_pixel_on_top_right() {
        // Orientation 6: the picture is shown turned 90 degrees clockwise.
        let p = apply(stored(), 6);
        assert_eq!((p.width, p.height), (1, 2));
        assert_eq!(p.data, vec![255, 0, 0, 0, 0, 255]);
        let p = apply(stored(), 8);
        assert_eq!(p.data, vec![0, 0, 255, 255, 0, 0]);
        let p = apply(stored(), 3);
        assert_eq!(p.data, vec![0, 0, 255, 255, 0, 0]);
        assert_eq!(apply(stored(), 1), stored());
    }
}
