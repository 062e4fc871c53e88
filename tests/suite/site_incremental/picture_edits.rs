//! The random edits of pictures in the incremental equivalence test (issue 14): a page bundle's PNG or a static
//! one changed (their sizes, their files' names and the pages showing them follow), or a page made to show one.

use rand::Rng;

use super::edits::Site;

/// A small PNG whose size and colour follow `n`: each edit makes other picture files.
pub(super) fn png(n: usize) -> Vec<u8> {
    let (w, h) = (40 + (n % 7) as u32 * 90, 30);
    let img = image::RgbImage::from_pixel(w, h, image::Rgb([(n * 37 % 256) as u8, 90, 40]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

impl Site {
    /// A picture changed, or `page` made to show one.
    pub(super) fn step_pictures(&mut self, page: &str, n: usize) -> String {
        let shown = ["img0.png", "img1.png", "/static/cover.png"];
        match self.rng.gen_range(0..4) {
            0 => {
                self.put(self.root.join("static/cover.png"), &png(n));
                "change the static picture /static/cover.png".into()
            }
            1 | 2 => {
                let rel = format!("xianfa/img{}.png", n % 2);
                self.put(self.content().join(&rel), &png(n));
                format!("change the picture {rel}")
            }
            _ => {
                let src = shown[self.rng.gen_range(0..shown.len())];
                let text = self.read(page) + &format!("\n![图 {n}]({src})\n");
                self.write(page, &text);
                format!("{page} shows {src}")
            }
        }
    }
}
