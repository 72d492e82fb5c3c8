//! How the WebP quality was chosen (docs/decisions/0005-pictures.md): for each photo
//! named in `GROVE_QUALITY_PHOTOS` (paths separated by `:`), the sizes grove makes most
//! (480 and 800 wide, a 128 avatar) at several qualities, with their bytes and their
//! SSIM against the resized picture before encoding. Run with
//! `GROVE_QUALITY_PHOTOS=a.jpg:b.jpg cargo test --release --lib quality -- --ignored --nocapture`.

use super::decode::{Pixels, decode};
use super::{Encoding, Fit, process};

/// Luma of each pixel.
fn luma(p: &Pixels) -> Vec<f64> {
    p.data
        .chunks_exact(usize::from(p.channels))
        .map(|c| 0.299 * f64::from(c[0]) + 0.587 * f64::from(c[1]) + 0.114 * f64::from(c[2]))
        .collect()
}

/// Mean SSIM over 8 x 8 windows of the luma (the usual constants for 8-bit values).
pub fn ssim(a: &Pixels, b: &Pixels) -> f64 {
    let (la, lb) = (luma(a), luma(b));
    let w = a.width as usize;
    let (c1, c2) = ((0.01f64 * 255.0).powi(2), (0.03f64 * 255.0).powi(2));
    let (mut total, mut n) = (0.0, 0);
    for y0 in (0..a.height as usize - 7).step_by(4) {
        for x0 in (0..w - 7).step_by(4) {
            let (mut sa, mut sb, mut saa, mut sbb, mut sab) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for y in y0..y0 + 8 {
                for x in x0..x0 + 8 {
                    let (va, vb) = (la[y * w + x], lb[y * w + x]);
                    sa += va;
                    sb += vb;
                    saa += va * va;
                    sbb += vb * vb;
                    sab += va * vb;
                }
            }
            let k = 64.0;
            let (ma, mb) = (sa / k, sb / k);
            let (va, vb, cov) = (saa / k - ma * ma, sbb / k - mb * mb, sab / k - ma * mb);
            total += ((2.0 * ma * mb + c1) * (2.0 * cov + c2))
                / ((ma * ma + mb * mb + c1) * (va + vb + c2));
            n += 1;
        }
    }
    total / f64::from(n)
}

#[test]
#[ignore = "a measurement on real photos, not a check"]
fn webp_quality_against_size_and_ssim() {
    let Ok(list) = std::env::var("GROVE_QUALITY_PHOTOS") else {
        return;
    };
    let fits = [
        ("480w", Fit::Width(480)),
        ("800w", Fit::Width(800)),
        (
            "avatar128",
            Fit::Fill {
                width: 128,
                height: 128,
                focus: (0.5, 0.5),
            },
        ),
    ];
    for path in list.split(':') {
        let pixels = decode(&std::fs::read(path).unwrap()).unwrap();
        for (name, fit) in fits {
            let small = process::resize(&pixels, fit).unwrap();
            for q in [50, 60, 70, 72, 75, 80, 85, 90] {
                let bytes = process::encode_with(&small, Encoding::Webp, q).unwrap();
                let back = decode(&bytes).unwrap();
                println!(
                    "{path}\t{name}\twebp q{q}\t{}\t{:.4}",
                    bytes.len(),
                    ssim(&small, &back)
                );
            }
            for q in [75, 80, 85] {
                let bytes = process::encode_with(&small, Encoding::Jpeg, q).unwrap();
                let back = decode(&bytes).unwrap();
                println!(
                    "{path}\t{name}\tjpeg q{q}\t{}\t{:.4}",
                    bytes.len(),
                    ssim(&small, &back)
                );
            }
        }
    }
}
