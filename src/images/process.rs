//! From upright pixels to the bytes of one published size: cropped to a shape around the
//! focal point, scaled down (never up), encoded as lossy WebP, JPEG or PNG.

use super::decode::Pixels;
use super::{Encoding, Fit};

/// WebP quality (0-100). Chosen by measuring size and SSIM on phone photos at the sizes
/// grove makes: see docs/decisions/0005-pictures.md.
pub const WEBP_QUALITY: f32 = 80.0;
/// JPEG quality of the fallbacks and share images (mozjpeg-like results need more).
pub const JPEG_QUALITY: u8 = 80;

/// The part of a `width` x `height` picture that `fit` keeps: left, top, width, height.
pub fn crop_box(width: u32, height: u32, fit: Fit) -> (f64, f64, f64, f64) {
    let (w, h) = (f64::from(width), f64::from(height));
    match fit {
        Fit::Width(_) => (0.0, 0.0, w, h),
        Fit::Fill {
            width: tw,
            height: th,
            focus: (fx, fy),
        } => {
            let target = f64::from(tw) / f64::from(th.max(1));
            let (cw, ch) = if w / h > target {
                (h * target, h)
            } else {
                (w, w / target)
            };
            // The box is centred on the focal point as far as the picture's edges allow.
            let left = (w * f64::from(fx) - cw / 2.0).clamp(0.0, w - cw);
            let top = (h * f64::from(fy) - ch / 2.0).clamp(0.0, h - ch);
            (left, top, cw, ch)
        }
    }
}

/// The size `fit` makes of a `width` x `height` picture: never larger than the picture.
pub fn output_size(width: u32, height: u32, fit: Fit) -> (u32, u32) {
    match fit {
        Fit::Width(tw) => {
            let w = tw.min(width).max(1);
            let h = (u64::from(height) * u64::from(w) + u64::from(width) / 2) / u64::from(width);
            (w, (h as u32).max(1))
        }
        Fit::Fill {
            width: tw,
            height: th,
            ..
        } => {
            let (_, _, cw, ch) = crop_box(width, height, fit);
            let scale = (cw / f64::from(tw)).min(ch / f64::from(th)).min(1.0);
            (
                ((f64::from(tw) * scale).round() as u32).max(1),
                ((f64::from(th) * scale).round() as u32).max(1),
            )
        }
    }
}

/// The pixels of one size: the crop box (rounded to whole pixels) scaled with Lanczos3.
pub fn resize(p: &Pixels, fit: Fit) -> Result<Pixels, String> {
    use rgb::FromSlice;
    let (ow, oh) = output_size(p.width, p.height, fit);
    let (left, top, cw, ch) = crop_box(p.width, p.height, fit);
    let (left, top) = (left.round() as usize, top.round() as usize);
    let stride = p.width as usize;
    let cw = (cw.round() as usize).clamp(1, stride - left);
    let ch = (ch.round() as usize).clamp(1, p.height as usize - top);
    let (ow_, oh_) = (ow as usize, oh as usize);
    let start = top * stride + left;
    let fail = |e: resize::Error| format!("resizing failed: {e}");
    let data = if p.channels == 4 {
        let mut out = vec![0u8; ow_ * oh_ * 4];
        resize::new(
            cw,
            ch,
            ow_,
            oh_,
            resize::Pixel::RGBA8P,
            resize::Type::Lanczos3,
        )
        .map_err(fail)?
        .resize_stride(&p.data.as_rgba()[start..], stride, out.as_rgba_mut())
        .map_err(fail)?;
        out
    } else {
        let mut out = vec![0u8; ow_ * oh_ * 3];
        resize::new(
            cw,
            ch,
            ow_,
            oh_,
            resize::Pixel::RGB8,
            resize::Type::Lanczos3,
        )
        .map_err(fail)?
        .resize_stride(&p.data.as_rgb()[start..], stride, out.as_rgb_mut())
        .map_err(fail)?;
        out
    };
    Ok(Pixels {
        width: ow,
        height: oh,
        channels: p.channels,
        data,
    })
}

/// `p` encoded as `encoding`. No metadata is written: no EXIF, no XMP, no colour profile.
pub fn encode(p: &Pixels, encoding: Encoding) -> Result<Vec<u8>, String> {
    let quality = match encoding {
        Encoding::Jpeg => JPEG_QUALITY,
        _ => WEBP_QUALITY as u8,
    };
    encode_with(p, encoding, quality)
}

/// As [`encode`], at `quality` (0-100, JPEG and WebP).
pub fn encode_with(p: &Pixels, encoding: Encoding, quality: u8) -> Result<Vec<u8>, String> {
    match encoding {
        Encoding::Webp => {
            let layout = if p.channels == 4 {
                webp::PixelLayout::Rgba
            } else {
                webp::PixelLayout::Rgb
            };
            let mut config = webp::WebPConfig::new().map_err(|()| "WebP settings".to_string())?;
            config.quality = f32::from(quality);
            config.method = 4;
            config.alpha_compression = 1;
            webp::Encoder::new(&p.data, layout, p.width, p.height)
                .encode_advanced(&config)
                .map(|m| m.to_vec())
                .map_err(|e| format!("WebP encoding failed: {e:?}"))
        }
        Encoding::Jpeg => {
            let rgb = flatten(p);
            let mut out = Vec::new();
            let (w, h) = (
                u16::try_from(p.width).map_err(|e| e.to_string())?,
                u16::try_from(p.height).map_err(|e| e.to_string())?,
            );
            let mut e = jpeg_encoder::Encoder::new(&mut out, quality);
            e.set_progressive(true);
            e.encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
                .map_err(|e| e.to_string())?;
            Ok(out)
        }
        Encoding::Png => {
            let mut out = Vec::new();
            let mut e = png::Encoder::new(&mut out, p.width, p.height);
            e.set_color(if p.channels == 4 {
                png::ColorType::Rgba
            } else {
                png::ColorType::Rgb
            });
            e.set_depth(png::BitDepth::Eight);
            let mut w = e.write_header().map_err(|e| e.to_string())?;
            w.write_image_data(&p.data).map_err(|e| e.to_string())?;
            w.finish().map_err(|e| e.to_string())?;
            Ok(out)
        }
    }
}

/// RGB bytes of `p`, transparent parts laid on white.
fn flatten(p: &Pixels) -> Vec<u8> {
    if p.channels == 3 {
        return p.data.clone();
    }
    p.data
        .chunks_exact(4)
        .flat_map(|c| {
            let a = u16::from(c[3]);
            let mix = |v: u8| ((u16::from(v) * a + 255 * (255 - a) + 127) / 255) as u8;
            [mix(c[0]), mix(c[1]), mix(c[2])]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_never_larger_than_the_picture() {
        assert_eq!(output_size(4032, 3024, Fit::Width(800)), (800, 600));
        assert_eq!(output_size(600, 400, Fit::Width(800)), (600, 400));
        let square = Fit::Fill {
            width: 128,
            height: 128,
            focus: (0.5, 0.5),
        };
        assert_eq!(output_size(3024, 4032, square), (128, 128));
        assert_eq!(output_size(100, 60, square), (60, 60));
        let share = Fit::Fill {
            width: 1200,
            height: 630,
            focus: (0.5, 0.5),
        };
        assert_eq!(output_size(4032, 3024, share), (1200, 630));
    }

    #[test]
    fn the_crop_follows_the_focal_point_within_the_edges() {
        let top = Fit::Fill {
            width: 1,
            height: 1,
            focus: (0.5, 0.0),
        };
        assert_eq!(crop_box(300, 400, top), (0.0, 0.0, 300.0, 300.0));
        let bottom = Fit::Fill {
            width: 1,
            height: 1,
            focus: (0.5, 1.0),
        };
        assert_eq!(crop_box(300, 400, bottom), (0.0, 100.0, 300.0, 300.0));
    }

    #[test]
    fn every_encoding_round_trips_through_the_decoder() {
        let p = Pixels {
            width: 40,
            height: 30,
            channels: 3,
            data: (0..40 * 30 * 3).map(|i| (i % 251) as u8).collect(),
        };
        for enc in [Encoding::Webp, Encoding::Jpeg, Encoding::Png] {
            let bytes = encode(&p, enc).unwrap();
            let back = super::super::decode::decode(&bytes).unwrap();
            assert_eq!((back.width, back.height), (40, 30));
        }
        let small = resize(&p, Fit::Width(20)).unwrap();
        assert_eq!((small.width, small.height), (20, 15));
    }
}
