//! Pictures: what the build made of a local photo (its sizes in WebP and in its own format) and the
//! `<picture>` element that lets a phone fetch the smallest one that fills its screen. Pure: the site's build
//! (`site::pictures`) makes the files and hands the results in.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::video::attr;

/// The folder of the output the resized files are written to (as Zola names it).
pub const FOLDER: &str = "processed_images";

/// How wide the page's text column is at most (the default theme's `main`): the `sizes` of every picture.
const SIZES: &str = "(max-width: 46rem) 100vw, 46rem";

/// One photo made into several widths, in WebP and in a fallback format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Picture {
    /// Hash of the source file's bytes and the settings: the resized files are named by it, so an edited photo
    /// gets new names (no stale copy in a browser's cache) and the cache folder holds each result once.
    pub key: u64,
    /// Width and height of the largest size as shown (a phone photo's EXIF orientation already applied).
    pub width: u32,
    pub height: u32,
    /// The widths made, ascending; the last is `width`.
    pub widths: Vec<u32>,
    /// The fallback format's extension: `jpg`, or `png` for a PNG (its transparency kept).
    pub fallback: String,
}

impl Picture {
    /// The site path of the file of width `w` in format `ext` (`webp` or the fallback's).
    pub fn url(&self, w: u32, ext: &str) -> String {
        format!("/{FOLDER}/{}", file_name(self.key, w, ext))
    }

    /// `a.webp 480w, b.webp 800w`: every width in format `ext`, each URL escaped.
    fn srcset(&self, h: &mut String, ext: &str) {
        for (n, &w) in self.widths.iter().enumerate() {
            if n > 0 {
                h.push_str(", ");
            }
            attr(h, &self.url(w, ext), true);
            h.push_str(&format!(" {w}w"));
        }
    }

    /// The fallback `src` for browsers without `srcset`, and a video's poster: the widest file not over 800 px
    /// (a phone's), else the narrowest.
    pub fn src(&self) -> String {
        let w = self.widths.iter().rev().find(|&&w| w <= 800).or(self.widths.first()).copied().unwrap_or(self.width);
        self.url(w, &self.fallback)
    }
}

/// The name of a resized file, in the output's folder and in the cache alike.
pub fn file_name(key: u64, w: u32, ext: &str) -> String {
    format!("{key:016x}-{w}.{ext}")
}

/// The pictures of a build by the site path of their original file (`/columns/a/photo.jpg`).
#[derive(Debug, Clone, Default)]
pub struct Pictures(pub HashMap<String, Picture>);

impl Pictures {
    /// The picture made of the file at site path `url` (percent-encoded or not), if any.
    pub fn get(&self, url: &str) -> Option<&Picture> {
        let path = url.split(['?', '#']).next().unwrap_or(url);
        self.0.get(path).or_else(|| {
            let decoded = percent_encoding::percent_decode_str(path).decode_utf8().ok()?;
            self.0.get(decoded.as_ref())
        })
    }

    /// The key of the picture at `url`, 0 for none: a page that shows it changes when the photo does.
    pub fn key(&self, url: &str) -> u64 {
        self.get(url).map_or(0, |p| p.key)
    }
}

/// An image for the page: a `<picture>` when the build made sizes of the file, else a plain `<img>` of `src`.
/// Both load lazily. `size` is a width and height the author gave (Hugo's `figure`), which then win.
pub fn html(src: &str, picture: Option<&Picture>, alt: &str, title: &str, size: [Option<&str>; 2]) -> String {
    let mut h = String::with_capacity(200);
    let Some(p) = picture else {
        h.push_str("<img src=\"");
        attr(&mut h, src, true);
        h.push('"');
        img_rest(&mut h, alt, title, size);
        return h;
    };
    h.push_str("<picture><source type=\"image/webp\" srcset=\"");
    p.srcset(&mut h, "webp");
    h.push_str("\" sizes=\"");
    h.push_str(SIZES);
    h.push_str("\"><img src=\"");
    attr(&mut h, &p.src(), true);
    h.push_str("\" srcset=\"");
    p.srcset(&mut h, &p.fallback);
    h.push_str("\" sizes=\"");
    h.push_str(SIZES);
    h.push('"');
    let (w, ht) = (p.width.to_string(), p.height.to_string());
    let size = if size.iter().any(Option::is_some) { size } else { [Some(w.as_str()), Some(ht.as_str())] };
    img_rest(&mut h, alt, title, size);
    h.push_str("</picture>");
    h
}

/// The rest of an `<img>` after its sources: size, alt text, title, lazy loading.
fn img_rest(h: &mut String, alt: &str, title: &str, size: [Option<&str>; 2]) {
    for (name, value) in ["width", "height"].into_iter().zip(size) {
        if let Some(v) = value {
            h.push(' ');
            h.push_str(name);
            h.push_str("=\"");
            attr(h, v, false);
            h.push('"');
        }
    }
    h.push_str(" alt=\"");
    attr(h, alt, false);
    h.push('"');
    if !title.is_empty() {
        h.push_str(" title=\"");
        attr(h, title, false);
        h.push('"');
    }
    h.push_str(" loading=\"lazy\" decoding=\"async\">");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo() -> Picture {
        Picture { key: 0xab, width: 1200, height: 900, widths: vec![480, 800, 1200], fallback: "jpg".into() }
    }

    #[test]
    fn a_picture_offers_every_width_in_webp_and_its_own_format() {
        let h = html("/a/照片.jpg", Some(&photo()), "图 \"1\"", "", [None, None]);
        assert_eq!(
            h,
            "<picture><source type=\"image/webp\" srcset=\"/processed_images/00000000000000ab-480.webp 480w, \
             /processed_images/00000000000000ab-800.webp 800w, /processed_images/00000000000000ab-1200.webp 1200w\" \
             sizes=\"(max-width: 46rem) 100vw, 46rem\"><img src=\"/processed_images/00000000000000ab-800.jpg\" \
             srcset=\"/processed_images/00000000000000ab-480.jpg 480w, /processed_images/00000000000000ab-800.jpg \
             800w, /processed_images/00000000000000ab-1200.jpg 1200w\" sizes=\"(max-width: 46rem) 100vw, 46rem\" \
             width=\"1200\" height=\"900\" alt=\"图 &quot;1&quot;\" loading=\"lazy\" decoding=\"async\"></picture>"
        );
    }

    #[test]
    fn without_a_picture_the_image_stays_plain_and_an_authors_size_wins() {
        let h = html("/a/图.gif", None, "a", "t", [Some("300"), None]);
        assert_eq!(
            h,
            "<img src=\"/a/%E5%9B%BE.gif\" width=\"300\" alt=\"a\" title=\"t\" loading=\"lazy\" decoding=\"async\">"
        );
        let h = html("/a.jpg", Some(&photo()), "", "", [Some("300"), None]);
        assert!(h.contains(" width=\"300\" alt") && !h.contains("height="), "{h}");
    }

    #[test]
    fn pictures_are_found_by_encoded_or_plain_path() {
        let pics = Pictures([("/a/图.jpg".to_string(), photo())].into_iter().collect());
        assert_eq!(pics.key("/a/%E5%9B%BE.jpg?x=1"), 0xab);
        assert_eq!(pics.key("/a/图.jpg"), 0xab);
        assert_eq!(pics.key("/b.jpg"), 0);
    }
}
