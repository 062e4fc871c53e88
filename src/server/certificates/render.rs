//! Draws a certificate's SVG (`design`) as a PDF (krilla through krilla-svg: text embedded as text, the font
//! subset to the glyphs used) and as a PNG (resvg). Both read the SVG with one font only, the Noto Sans CJK SC
//! subset shipped in `assets/fonts/` (OFL), so the result is the same on a machine with no fonts installed.

use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

use krilla::geom::Size;
use krilla::page::PageSettings;
use krilla::Document;
use krilla_svg::{SurfaceExt, SvgSettings};
use resvg::tiny_skia;
use resvg::usvg::{self, fontdb};

/// The certificate font: Noto Sans CJK SC cut to 通用规范汉字表, GB2312 and Latin (`assets/fonts/make-subset.py`).
static FONT: &[u8] = include_bytes!("../../../assets/fonts/NotoSansSC-pufa-subset.otf");

/// The family name the design's text asks for.
pub const FAMILY: &str = "Noto Sans CJK SC";

/// The page: A4 landscape in PDF points (the SVG's user units).
pub const WIDTH: f32 = 842.0;
pub const HEIGHT: f32 = 595.0;

/// The PNG's pixels per point: 1684 × 1190, sharp on a phone, about 200 KB.
const PNG_SCALE: f32 = 2.0;

static FONTS: LazyLock<Arc<fontdb::Database>> = LazyLock::new(|| {
    let mut db = fontdb::Database::new();
    db.load_font_data(FONT.to_vec());
    Arc::new(db)
});

/// The characters the font has glyphs for.
static COVERED: LazyLock<HashSet<char>> = LazyLock::new(|| {
    let mut set = HashSet::new();
    if let Ok(face) = ttf_parser::Face::parse(FONT, 0) {
        for table in face.tables().cmap.iter().flat_map(|c| c.subtables) {
            if table.is_unicode() {
                table.codepoints(|cp| {
                    if let Some(c) = char::from_u32(cp).filter(|c| table.glyph_index(u32::from(*c)).is_some()) {
                        set.insert(c);
                    }
                });
            }
        }
    }
    set
});

/// Whether the certificate font has a glyph for `c` (spaces count as covered).
pub fn covers(c: char) -> bool {
    c.is_whitespace() || COVERED.contains(&c)
}

/// Reads a design into a tree, with the certificate font as the only font.
pub fn tree(svg: &str) -> Result<usvg::Tree, String> {
    let options = usvg::Options { font_family: FAMILY.to_string(), fontdb: FONTS.clone(), ..usvg::Options::default() };
    usvg::Tree::from_str(svg, &options).map_err(|e| format!("certificate design: {e}"))
}

/// A PDF of one page per design, in order.
pub fn pdf(designs: &[String], title: &str) -> Result<Vec<u8>, String> {
    let mut doc = Document::new();
    doc.set_metadata(krilla::metadata::Metadata::new().title(title.to_string()).creator("pufa".to_string()));
    let size = Size::from_wh(WIDTH, HEIGHT).ok_or("page size")?;
    for svg in designs {
        let tree = tree(svg)?;
        let mut page = doc.start_page_with(PageSettings::new(size));
        let mut surface = page.surface();
        surface.draw_svg(&tree, size, SvgSettings::default()).ok_or("certificate design: not drawable")?;
        surface.finish();
        page.finish();
    }
    doc.finish().map_err(|e| format!("certificate PDF: {e:?}"))
}

/// A PNG of one design.
pub fn png(svg: &str) -> Result<Vec<u8>, String> {
    let tree = tree(svg)?;
    let (w, h) = ((WIDTH * PNG_SCALE) as u32, (HEIGHT * PNG_SCALE) as u32);
    let mut pixmap = tiny_skia::Pixmap::new(w, h).ok_or("certificate PNG: size")?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::from_scale(PNG_SCALE, PNG_SCALE), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| format!("certificate PNG: {e}"))
}
