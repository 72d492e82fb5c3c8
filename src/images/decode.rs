//! Reading a picture's header (size, orientation, transparency) and its pixels, for the
//! four formats browsers show: JPEG, PNG, GIF (first frame) and WebP. A picture's size is
//! read from its header and checked before any pixel memory is taken, so a small file
//! that claims 50,000 x 50,000 pixels is refused at once.

use std::io::Cursor;

use super::exif;

/// The widest or tallest picture grove processes.
pub const MAX_SIDE: u32 = 20_000;
/// The most pixels grove processes: a 48-megapixel phone photo fits, with room.
pub const MAX_PIXELS: u64 = 64_000_000;

/// The picture formats grove reads, by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Jpeg,
    Png,
    Gif,
    Webp,
}

impl Format {
    /// The format of `bytes`, by their first bytes (not the file's name).
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if bytes.starts_with(b"\xff\xd8\xff") {
            Some(Format::Jpeg)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(Format::Gif)
        } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Format::Webp)
        } else {
            None
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Gif => "gif",
            Format::Webp => "webp",
        }
    }
}

/// What a picture's header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub format: Format,
    /// As stored, before the orientation is applied.
    pub width: u32,
    pub height: u32,
    /// The EXIF orientation, 1 to 8 (1: upright as stored).
    pub orientation: u8,
    /// Whether it may have transparent pixels.
    pub alpha: bool,
}

impl Header {
    /// The size as shown, once the orientation is applied.
    pub fn upright(&self) -> (u32, u32) {
        if self.orientation >= 5 {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }
}

/// Decoded pixels: 3 (RGB) or 4 (RGBA) bytes a pixel, row after row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pixels {
    pub width: u32,
    pub height: u32,
    pub channels: u8,
    pub data: Vec<u8>,
}

/// Why a picture cannot be read, in words for the person who put it there.
pub type Why = String;

fn check_size(width: u32, height: u32) -> Result<(), Why> {
    if width == 0 || height == 0 {
        return Err("the picture has no pixels (its width or height is 0)".into());
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(format!(
            "the picture says it is {width} x {height} pixels, more than grove processes (at most {MAX_SIDE} pixels a side and {} megapixels); make it smaller, e.g. 3000 pixels on its long side",
            MAX_PIXELS / 1_000_000
        ));
    }
    Ok(())
}

fn damaged(e: impl std::fmt::Display) -> Why {
    format!("the picture cannot be read ({e}); open it in a photo editor and save it again")
}

/// Reads the header of `bytes` and checks its size.
pub fn header(bytes: &[u8]) -> Result<Header, Why> {
    let format = Format::sniff(bytes).ok_or("this is not a PNG, JPEG, GIF or WebP picture")?;
    let h = match format {
        Format::Jpeg => {
            let mut d = zune_jpeg::JpegDecoder::new(Cursor::new(bytes));
            d.decode_headers().map_err(damaged)?;
            let info = d.info().ok_or_else(|| damaged("no size"))?;
            let orientation = d.exif().map_or(1, |e| exif::orientation(e));
            Header {
                format,
                width: u32::from(info.width),
                height: u32::from(info.height),
                orientation,
                alpha: false,
            }
        }
        Format::Png => {
            let mut d = png::Decoder::new(Cursor::new(bytes));
            let info = d.read_header_info().map_err(damaged)?;
            let alpha = info.color_type.samples() == 4
                || info.color_type == png::ColorType::GrayscaleAlpha
                || info.trns.is_some();
            let (width, height) = (info.width, info.height);
            check_size(width, height)?;
            // The eXIf chunk may come after the header: read the chunks before the pixels.
            let orientation = png_orientation(bytes);
            Header {
                format,
                width,
                height,
                orientation,
                alpha: alpha || info.color_type == png::ColorType::Indexed,
            }
        }
        Format::Gif => {
            let mut options = gif::DecodeOptions::new();
            options.set_color_output(gif::ColorOutput::RGBA);
            let d = options.read_info(Cursor::new(bytes)).map_err(damaged)?;
            Header {
                format,
                width: u32::from(d.width()),
                height: u32::from(d.height()),
                orientation: 1,
                alpha: true,
            }
        }
        Format::Webp => {
            let mut d = image_webp::WebPDecoder::new(Cursor::new(bytes)).map_err(damaged)?;
            let (width, height) = d.dimensions();
            let orientation = d
                .exif_metadata()
                .ok()
                .flatten()
                .map_or(1, |e| exif::orientation(&e));
            Header {
                format,
                width,
                height,
                orientation,
                alpha: d.has_alpha(),
            }
        }
    };
    check_size(h.width, h.height)?;
    Ok(h)
}

/// The orientation in a PNG's eXIf chunk, if it has one before its pixels.
fn png_orientation(bytes: &[u8]) -> u8 {
    let mut at = 8;
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
        let kind = &bytes[at + 4..at + 8];
        let end = at.saturating_add(12).saturating_add(len as usize);
        if kind == b"IDAT" || end > bytes.len() {
            break;
        }
        if kind == b"eXIf" {
            return exif::orientation(&bytes[at + 8..end - 4]);
        }
        at = end;
    }
    1
}

/// Decodes `bytes` (header checked first) into upright pixels: the orientation applied.
pub fn decode(bytes: &[u8]) -> Result<Pixels, Why> {
    let h = header(bytes)?;
    let pixels = match h.format {
        Format::Jpeg => {
            let options = zune_jpeg::zune_core::options::DecoderOptions::default()
                .set_max_width(MAX_SIDE as usize)
                .set_max_height(MAX_SIDE as usize)
                .jpeg_set_out_colorspace(zune_jpeg::zune_core::colorspace::ColorSpace::RGB);
            let mut d = zune_jpeg::JpegDecoder::new_with_options(Cursor::new(bytes), options);
            let data = d.decode().map_err(damaged)?;
            Pixels {
                width: h.width,
                height: h.height,
                channels: 3,
                data,
            }
        }
        Format::Png => decode_png(bytes, h)?,
        Format::Gif => decode_gif(bytes, h)?,
        Format::Webp => {
            let mut d = image_webp::WebPDecoder::new(Cursor::new(bytes)).map_err(damaged)?;
            let size = d.output_buffer_size().ok_or_else(|| damaged("too large"))?;
            let mut data = vec![0; size];
            d.read_image(&mut data).map_err(damaged)?;
            Pixels {
                width: h.width,
                height: h.height,
                channels: if d.has_alpha() { 4 } else { 3 },
                data,
            }
        }
    };
    let expected = pixels.width as usize * pixels.height as usize * pixels.channels as usize;
    if pixels.data.len() < expected {
        return Err(damaged("fewer pixels than its size says"));
    }
    Ok(super::orient::apply(pixels, h.orientation))
}

fn decode_png(bytes: &[u8], h: Header) -> Result<Pixels, Why> {
    let mut d = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            bytes: (MAX_PIXELS * 8) as usize,
        },
    );
    d.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = d.read_info().map_err(damaged)?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| damaged("too large"))?;
    let mut buf = vec![0; size];
    let out = reader.next_frame(&mut buf).map_err(damaged)?;
    buf.truncate(out.buffer_size());
    let n = (out.width * out.height) as usize;
    let (channels, data) = match out.color_type {
        png::ColorType::Rgb => (3, buf),
        png::ColorType::Rgba => (4, buf),
        png::ColorType::Grayscale => (3, buf.iter().take(n).flat_map(|&g| [g, g, g]).collect()),
        png::ColorType::GrayscaleAlpha => (
            4,
            buf.chunks_exact(2)
                .take(n)
                .flat_map(|c| [c[0], c[0], c[0], c[1]])
                .collect(),
        ),
        png::ColorType::Indexed => return Err(damaged("palette not expanded")),
    };
    Ok(Pixels {
        width: h.width,
        height: h.height,
        channels,
        data,
    })
}

fn decode_gif(bytes: &[u8], h: Header) -> Result<Pixels, Why> {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut d = options.read_info(Cursor::new(bytes)).map_err(damaged)?;
    let (w, hgt) = (h.width as usize, h.height as usize);
    let mut canvas = vec![0u8; w * hgt * 4];
    if let Some(frame) = d.read_next_frame().map_err(damaged)? {
        // The first frame may cover only part of the picture, at an offset.
        let (fl, ft) = (frame.left as usize, frame.top as usize);
        let fw = frame.width as usize;
        for (row, line) in frame.buffer.chunks_exact(fw * 4).enumerate() {
            let y = ft + row;
            if y >= hgt || fl >= w {
                continue;
            }
            let take = fw.min(w - fl);
            let start = (y * w + fl) * 4;
            canvas[start..start + take * 4].copy_from_slice(&line[..take * 4]);
        }
    }
    Ok(Pixels {
        width: h.width,
        height: h.height,
        channels: 4,
        data: canvas,
    })
}
