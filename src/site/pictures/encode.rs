//! One photo made into its sizes: decoded with its EXIF orientation applied, scaled down (never up) to the
//! widths below, and encoded as lossy WebP (libwebp, through the `webp` crate) and in its own format (JPEG at
//! quality 80, or PNG with its transparency). Pure computation: bytes in, files out.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageReader};

use crate::content::picture::{file_name, Picture};

/// The widths made of a photo wider than them; a narrower one is made at its own width only.
pub const WIDTHS: [u32; 3] = [480, 800, 1200];
/// libwebp's quality (0–100) for the WebP files: photos of 800 px stay well under 100 KB.
pub const WEBP_QUALITY: f32 = 75.0;
/// The JPEG fallback's quality.
pub const JPEG_QUALITY: u8 = 80;
/// What changes the files made from the same bytes: part of every picture's key.
pub const SETTINGS: &str = "pictures 1: widths 480,800,1200; webp 75; jpeg 80; catmull-rom";
/// WebP's limit on either side.
const WEBP_MAX: u32 = 16_383;

/// The widths to make of a photo `width` px wide, ascending: those of [`WIDTHS`] below it, then its own width
/// capped at the largest.
pub fn widths(width: u32) -> Vec<u32> {
    let top = width.min(WIDTHS[WIDTHS.len() - 1]);
    let mut out: Vec<u32> = WIDTHS.iter().copied().filter(|&w| w < top).collect();
    out.push(top);
    out
}

/// The height of a photo `w`×`h` scaled to `to` px wide, at least 1.
fn height_at(w: u32, h: u32, to: u32) -> u32 {
    ((u64::from(h) * u64::from(to) + u64::from(w) / 2) / u64::from(w.max(1))).max(1) as u32
}

/// The files made of one photo: (file name, bytes).
pub type Files = Vec<(String, Vec<u8>)>;

/// The photo `bytes` (a JPEG or a PNG, `ext` its fallback's extension) made into its files, named for `key`;
/// or why it cannot be.
pub fn make(bytes: &[u8], ext: &str, key: u64) -> Result<(Picture, Files), String> {
    let image = decode(bytes).map_err(one_line)?;
    let alpha = ext == "png" && image.color().has_alpha();
    // 16-bit and grey images become 8-bit RGB(A), which both encoders take.
    let image =
        if alpha { DynamicImage::ImageRgba8(image.to_rgba8()) } else { DynamicImage::ImageRgb8(image.to_rgb8()) };
    let (w, h) = (image.width(), image.height());
    let widths = widths(w);
    let top = widths[widths.len() - 1];
    if height_at(w, h, top) > WEBP_MAX {
        return Err(format!("{w}×{h} px is taller than WebP allows ({WEBP_MAX} px)"));
    }
    let mut files = Vec::with_capacity(widths.len() * 2);
    // Widest first, each smaller size scaled from the one before: far less work than from the original each
    // time, and no visible difference at these ratios.
    let mut current = image;
    for &to in widths.iter().rev() {
        if to != current.width() {
            current = current.resize_exact(to, height_at(w, h, to), FilterType::CatmullRom);
        }
        files.push((file_name(key, to, "webp"), webp(&current, alpha)?));
        files.push((file_name(key, to, ext), fallback(&current, ext)?));
    }
    let picture = Picture { key, width: top, height: height_at(w, h, top), widths, fallback: ext.to_string() };
    Ok((picture, files))
}

/// An error as one line of words (the image crate's end in a line break).
fn one_line(e: impl std::fmt::Display) -> String {
    e.to_string().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The image in `bytes`, turned upright as its EXIF orientation says (phone photos are stored sideways).
fn decode(bytes: &[u8]) -> image::ImageResult<DynamicImage> {
    let mut decoder = ImageReader::new(Cursor::new(bytes)).with_guessed_format()?.into_decoder()?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder)?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn webp(image: &DynamicImage, alpha: bool) -> Result<Vec<u8>, String> {
    let (w, h) = (image.width(), image.height());
    let encoder = if alpha {
        webp::Encoder::from_rgba(image.as_bytes(), w, h)
    } else {
        webp::Encoder::from_rgb(image.as_bytes(), w, h)
    };
    let bytes = encoder.encode_simple(false, WEBP_QUALITY).map_err(|e| format!("WebP: {e:?}"))?;
    Ok(bytes.to_vec())
}

fn fallback(image: &DynamicImage, ext: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let done = if ext == "png" {
        image.write_with_encoder(PngEncoder::new(&mut out))
    } else {
        image.write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))
    };
    done.map_err(one_line)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_never_upscale() {
        assert_eq!(widths(4000), [480, 800, 1200]);
        assert_eq!(widths(1200), [480, 800, 1200]);
        assert_eq!(widths(1000), [480, 800, 1000]);
        assert_eq!(widths(480), [480]);
        assert_eq!(widths(300), [300]);
        assert_eq!(height_at(4000, 3000, 800), 600);
        assert_eq!(height_at(3000, 1, 480), 1);
    }
}
