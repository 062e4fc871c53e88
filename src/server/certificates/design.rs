//! The certificate's design: one SVG (A4 landscape, in points) that `render` draws as the PDF and as the PNG.
//! Every text comes from the translation file; the holder's name is printed in full (the certificate is theirs).

use base64::Engine;

use super::render::{FAMILY, HEIGHT, WIDTH};
use crate::i18n::{fill, t, Lang};

/// What a certificate states.
#[derive(Debug, Clone)]
pub struct Facts {
    pub title: String,
    pub issuer: String,
    pub name: String,
    pub organization: String,
    pub competition: String,
    pub score: i64,
    pub max_score: i64,
    /// The date of issue as printed, e.g. 2026年12月6日.
    pub date: String,
    pub serial: String,
    /// The full verification address, also the QR code's content.
    pub verify_url: String,
    /// The seal: PNG or JPEG bytes.
    pub seal: Option<Vec<u8>>,
}

const RED: &str = "#9b1c1c";
const GOLD: &str = "#c8a45a";
const INK: &str = "#222";
const GREY: &str = "#555";

/// The SVG of a certificate.
pub fn svg(f: &Facts, lang: Lang) -> String {
    let mid = WIDTH / 2.0;
    let mut s = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FAMILY}">"##
    );
    s.push_str(&format!(
        r##"<rect width="{WIDTH}" height="{HEIGHT}" fill="#fffdf7"/><rect x="18" y="18" width="806" height="559" fill="none" stroke="{RED}" stroke-width="6"/><rect x="30" y="30" width="782" height="535" fill="none" stroke="{GOLD}" stroke-width="1.5"/>"##
    ));
    s.push_str(&text(mid, 118.0, 46.0, RED, "middle", &spaced(&f.title), ""));
    s.push_str(&text(mid, 178.0, 18.0, GREY, "middle", t(lang, "cert.pdf.certify"), ""));
    s.push_str(&text(
        mid,
        232.0,
        fit(&f.name, 36.0, 560.0),
        INK,
        "middle",
        &f.name,
        r##" stroke="#222" stroke-width="0.6""##,
    ));
    s.push_str(&text(mid, 268.0, fit(&f.organization, 20.0, 640.0), GREY, "middle", &f.organization, ""));
    let took = fill(t(lang, "cert.pdf.took_part"), &[("competition", &f.competition)]);
    s.push_str(&text(mid, 322.0, fit(&took, 20.0, 700.0), INK, "middle", &took, ""));
    let (score, max) = (f.score.to_string(), f.max_score.to_string());
    let scored = fill(t(lang, "cert.pdf.scored"), &[("score", &score), ("max", &max)]);
    s.push_str(&text(mid, 356.0, 20.0, INK, "middle", &scored, ""));
    // The verification block, bottom left: the QR code of the address, the serial and the address itself.
    s.push_str(&qr(&f.verify_url, 62.0, 420.0, 112.0));
    let serial = fill(t(lang, "cert.pdf.serial"), &[("serial", &f.serial)]);
    s.push_str(&text(186.0, 452.0, 13.0, INK, "start", &serial, ""));
    s.push_str(&text(186.0, 476.0, 10.0, GREY, "start", t(lang, "cert.pdf.verify_at"), ""));
    s.push_str(&text(186.0, 494.0, fit(&f.verify_url, 9.0, 420.0), GREY, "start", &f.verify_url, ""));
    // The issuer and date, bottom right, under the seal.
    s.push_str(&text(680.0, 470.0, fit(&f.issuer, 18.0, 230.0), INK, "middle", &f.issuer, ""));
    s.push_str(&text(680.0, 500.0, 15.0, INK, "middle", &f.date, ""));
    if let Some(seal) = &f.seal {
        let mime = if seal.starts_with(b"\x89PNG") { "image/png" } else { "image/jpeg" };
        let data = base64::engine::general_purpose::STANDARD.encode(seal);
        s.push_str(&format!(
            r##"<image x="615" y="405" width="130" height="130" opacity="0.85" href="data:{mime};base64,{data}"/>"##
        ));
    }
    s.push_str("</svg>");
    s
}

fn text(x: f32, y: f32, size: f32, color: &str, anchor: &str, body: &str, extra: &str) -> String {
    format!(
        r##"<text x="{x}" y="{y}" font-size="{size:.1}" fill="{color}" text-anchor="{anchor}"{extra}>{}</text>"##,
        escape(body)
    )
}

/// A short title with a space between its characters (合 格 证 书), as printed certificates set it.
fn spaced(title: &str) -> String {
    if title.chars().count() <= 6 {
        title.chars().map(String::from).collect::<Vec<_>>().join(" ")
    } else {
        title.to_string()
    }
}

/// The font size at which `body` fits `width` points: `size`, or smaller for a long text. A wide (CJK)
/// character takes about one em, any other about half.
fn fit(body: &str, size: f32, width: f32) -> f32 {
    let ems: f32 =
        body.chars().map(|c| if unicode_width::UnicodeWidthChar::width(c) == Some(2) { 1.0 } else { 0.55 }).sum();
    if ems * size <= width {
        size
    } else {
        (width / ems).max(6.0)
    }
}

/// The QR code of `link` as one path of dark modules, `side` points square with its quiet zone.
fn qr(link: &str, x: f32, y: f32, side: f32) -> String {
    let Ok(code) = qrcode::QrCode::with_error_correction_level(link.as_bytes(), qrcode::EcLevel::M) else {
        return String::new();
    };
    let n = code.width();
    let colors = code.to_colors();
    let mut d = String::new();
    for (i, c) in colors.iter().enumerate() {
        if *c == qrcode::Color::Dark {
            d.push_str(&format!("M{} {}h1v1h-1z", i % n + 4, i / n + 4));
        }
    }
    let scale = side / (n + 8) as f32;
    format!(
        r##"<g transform="translate({x} {y}) scale({scale})"><rect width="{}" height="{}" fill="#fff"/><path d="{d}" fill="#000"/></g>"##,
        n + 8,
        n + 8
    )
}

/// Drawn in place of a character the font lacks (an Extension B ideograph in a name): □, the placeholder Chinese
/// print uses for a missing character. Without it the character would be an invisible gap that also splits the
/// PDF's text; the verification page, drawn by the reader's own fonts, shows the real character.
pub const MISSING: char = '□';

/// XML text escaping; control characters (invalid in XML) are dropped, characters without a glyph replaced.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if !c.is_control() && !super::render::covers(c) => out.push(MISSING),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}
