//! Pictures phones can afford (issue 14): a phone photo in a page bundle, a transparent PNG in static/ and a
//! page cover are made into WebP and fallback files of a few widths, each decoded back here and measured; the
//! pages show them as `<picture>`s with `srcset`, `width` and `height`; the files are kept in the cache and
//! not encoded again; an edited photo gets new files; a corrupt file is a warning and copied as it is.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;
use image::{ImageFormat, ImageReader, Rgb, RgbImage, Rgba, RgbaImage};

use crate::common::site::{assert_has, read};
use pufa::site::{BuildOptions, Engine};

/// A photo-like JPEG: a gradient with soft waves and grain (grain is what makes phone photos large), at the
/// quality phones save in. `seed` changes the grain.
fn photo(w: u32, h: u32, seed: u64) -> Vec<u8> {
    let mut s = seed | 1;
    let img = RgbImage::from_fn(w, h, |x, y| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let grain = (s % 41) as f32 - 20.0;
        let wave = ((x as f32 / 37.0).sin() + (y as f32 / 53.0).cos()) * 30.0;
        let c = |base: f32| (base + wave + grain).clamp(0.0, 255.0) as u8;
        Rgb([c(x as f32 * 200.0 / w as f32), c(y as f32 * 200.0 / h as f32), c(120.0)])
    });
    let mut out = Vec::new();
    img.write_with_encoder(JpegEncoder::new_with_quality(&mut out, 92)).unwrap();
    out
}

/// A JPEG whose EXIF says "turn 90° clockwise to show", as a phone held upright saves it.
fn sideways(w: u32, h: u32) -> Vec<u8> {
    let plain = photo(w, h, 7);
    // APP1: "Exif\0\0", a big-endian TIFF header, one IFD entry: Orientation (0x0112), SHORT, 1, value 6.
    let mut tiff = b"MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0".to_vec();
    let mut app1 = b"Exif\0\0".to_vec();
    app1.append(&mut tiff);
    let len = (app1.len() + 2) as u16;
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend(app1);
    out.extend_from_slice(&plain[2..]);
    out
}

/// A transparent PNG logo.
fn logo(w: u32, h: u32) -> Vec<u8> {
    let img = RgbaImage::from_fn(w, h, |x, y| Rgba([200, 30, 30, if (x / 40 + y / 40) % 2 == 0 { 255 } else { 0 }]));
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
    out
}

struct Site {
    _dir: tempfile::TempDir,
    src: PathBuf,
    out: PathBuf,
}

fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("site");
    let page = src.join("content/news/a");
    std::fs::create_dir_all(&page).unwrap();
    std::fs::create_dir_all(src.join("static/images")).unwrap();
    std::fs::write(src.join("content/_index.md"), "---\ntitle: 首页\n---\n").unwrap();
    std::fs::write(
        page.join("index.md"),
        "---\ntitle: 宪法宣传周\ncover: photo.jpg\n---\n\n![宪法宣传现场](photo.jpg \"现场\")\n\n\
         {{< figure src=\"/static/images/logo.png\" caption=\"县普法办\" >}}\n\n![竖拍](up.jpg)\n\n![坏图](bad.jpg)\n\n![动图](a.gif)\n",
    )
    .unwrap();
    std::fs::write(page.join("photo.jpg"), photo(4000, 3000, 1)).unwrap();
    std::fs::write(page.join("up.jpg"), sideways(400, 200)).unwrap();
    std::fs::write(page.join("bad.jpg"), b"\xff\xd8\xff\xe0 this is not a photo").unwrap();
    std::fs::write(page.join("a.gif"), b"GIF89a not really").unwrap();
    std::fs::write(src.join("static/images/logo.png"), logo(600, 300)).unwrap();
    // A page that shows only the static logo: it changes with the logo and nothing else.
    std::fs::write(src.join("content/news/b.md"), "---\ntitle: 标志\n---\n\n![标志](/static/images/logo.png)\n")
        .unwrap();
    let out = dir.path().join("public");
    Site { _dir: dir, src, out }
}

/// The files under `processed_images/` whose names end with `suffix` (`-800.webp`), as (name, bytes).
fn made(out: &Path, suffix: &str) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(out.join("processed_images"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().ends_with(suffix))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    v.sort();
    v
}

fn decoded(bytes: &[u8]) -> image::DynamicImage {
    ImageReader::new(Cursor::new(bytes)).with_guessed_format().unwrap().decode().unwrap()
}

/// Width and height of a WebP or JPEG/PNG file, decoded whole (libwebp reads the WebP files).
fn size(bytes: &[u8]) -> (u32, u32) {
    if image::guess_format(bytes).unwrap() == ImageFormat::WebP {
        let img = webp::Decoder::new(bytes).decode().expect("a WebP file libwebp decodes");
        return (img.width(), img.height());
    }
    let img = decoded(bytes);
    (img.width(), img.height())
}

#[test]
fn a_phone_photo_becomes_small_webp_and_jpeg_files_of_three_widths() {
    let s = site();
    let original = std::fs::metadata(s.src.join("content/news/a/photo.jpg")).unwrap().len();
    assert!(original > 2_000_000, "the test photo is {original} bytes, not a phone photo's few MB");
    let mut engine = Engine::new(BuildOptions::new(&s.src, Some(&s.out)));
    let report = engine.build(None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.pictures_encoded, 3, "photo, sideways photo, logo");

    // Only the photo is wider than 1200 px: its files are named by its key.
    let widest = made(&s.out, "-1200.webp");
    assert_eq!(widest.len(), 1);
    let key = &widest[0].0[..16];
    for (w, h) in [(480, 360), (800, 600), (1200, 900)] {
        for ext in ["webp", "jpg"] {
            let name = format!("{key}-{w}.{ext}");
            let bytes = std::fs::read(s.out.join("processed_images").join(&name)).unwrap();
            assert_eq!(size(&bytes), (w, h), "{name}");
            let format = image::guess_format(&bytes).unwrap();
            assert_eq!(format, if ext == "webp" { ImageFormat::WebP } else { ImageFormat::Jpeg }, "{name}");
            eprintln!("{original} byte photo → {name}: {} bytes", bytes.len());
            if w == 800 {
                assert!(bytes.len() <= 200_000, "{name} is {} bytes, over 200 KB", bytes.len());
            }
        }
    }
    // Never upscaled: nothing wider than 1200 px, and the 400 px sideways photo is 200 px wide upright.
    assert!(made(&s.out, "-1600.webp").is_empty() && made(&s.out, "-4000.webp").is_empty());
    let up = made(&s.out, "-200.jpg");
    assert_eq!(up.len(), 1, "the sideways photo, turned upright, is 200 px wide");
    assert_eq!((decoded(&up[0].1).width(), decoded(&up[0].1).height()), (200, 400));
    // The transparent PNG stays a PNG with its transparency.
    let png = made(&s.out, "-600.png");
    assert_eq!(png.len(), 1);
    assert!(decoded(&png[0].1).color().has_alpha());
    assert_eq!(made(&s.out, "-480.png").len(), 1);

    let page = read(&s.out, "news/a/index.html");
    assert_has(
        &page,
        &[
            "<picture><source type=\"image/webp\" srcset=\"/processed_images/",
            "-480.webp 480w, /processed_images/",
            "-1200.webp 1200w\" sizes=\"(max-width: 46rem) 100vw, 46rem\"><img src=\"/processed_images/",
            "-800.jpg\" srcset=\"/processed_images/",
            "width=\"1200\" height=\"900\" alt=\"宪法宣传现场\" title=\"现场\" loading=\"lazy\" decoding=\"async\"></picture>",
            "width=\"200\" height=\"400\" alt=\"竖拍\"",
            "-600.png 600w\" sizes=",
            "width=\"600\" height=\"300\" alt=\"县普法办\"",
            // the cover, above the text
            "<figure class=\"cover\"><picture>",
            // the corrupt file and the GIF stay plain images of the copied files
            "<img src=\"/news/a/bad.jpg\" alt=\"坏图\" loading=\"lazy\" decoding=\"async\">",
            "<img src=\"/news/a/a.gif\" alt=\"动图\" loading=\"lazy\" decoding=\"async\">",
        ],
    );
    // Every file a page names is in the output.
    for name in page.split("/processed_images/").skip(1).map(|t| t.split(['"', ' ']).next().unwrap()) {
        assert!(s.out.join("processed_images").join(name).is_file(), "{name}");
    }
    let warnings: Vec<String> = report.warnings.0.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("content/news/a/bad.jpg: warning: not a readable picture ("), "{}", warnings[0]);
    assert!(warnings[0].ends_with("): copied as it is, without smaller sizes"), "{}", warnings[0]);
    assert_eq!(std::fs::read(s.out.join("news/a/bad.jpg")).unwrap(), b"\xff\xd8\xff\xe0 this is not a photo");
    assert_eq!(std::fs::read(s.out.join("news/a/a.gif")).unwrap(), b"GIF89a not really");
    assert_eq!(std::fs::read(s.out.join("news/a/photo.jpg")).unwrap().len() as u64, original, "the original too");
}

/// The cache's file for `name` (`…-800.webp`): its modification time and size.
fn stamp(src: &Path, name: &str) -> (std::time::SystemTime, u64) {
    let m = std::fs::metadata(src.join(".pufa-cache/pictures").join(name)).unwrap();
    (m.modified().unwrap(), m.len())
}

#[test]
fn a_second_build_takes_the_files_from_the_cache_and_an_edited_photo_gets_new_ones() {
    let s = site();
    let opts = BuildOptions::new(&s.src, Some(&s.out));
    assert_eq!(pufa::site::build(&opts).unwrap().pictures_encoded, 3);
    let (name, _) = made(&s.out, "-800.webp").into_iter().next().unwrap();
    let before = stamp(&s.src, &name);
    let page = read(&s.out, "news/a/index.html");

    // A new process (a fresh engine) with a fresh output folder: nothing is encoded, the same files come out.
    let again = s.out.with_file_name("again");
    let report = pufa::site::build(&BuildOptions::new(&s.src, Some(&again))).unwrap();
    assert_eq!(report.pictures_encoded, 0, "every picture from the cache");
    assert_eq!(stamp(&s.src, &name), before, "the cached file was not written again");
    assert_eq!(read(&again, "news/a/index.html"), page);
    assert_eq!(made(&again, ".webp"), made(&s.out, ".webp"));

    // An edited photo and an edited static logo: an incremental build encodes them alone, the page shows the
    // new files, the old ones go.
    let mut engine = Engine::new(opts.clone());
    engine.build(None).unwrap();
    std::fs::write(s.src.join("content/news/a/photo.jpg"), photo(1000, 500, 2)).unwrap();
    std::fs::write(s.src.join("static/images/logo.png"), logo(300, 150)).unwrap();
    let report = engine.build(None).unwrap();
    assert_eq!(report.pictures_encoded, 2);
    let edited = read(&s.out, "news/a/index.html");
    assert!(!edited.contains(&name), "the page still shows the old photo's files");
    assert_has(
        &edited,
        &[
            "width=\"1000\" height=\"500\" alt=\"宪法宣传现场\"",
            "-1000.webp 1000w",
            "width=\"300\" height=\"150\" alt=\"县普法办\"",
        ],
    );
    assert!(!s.out.join("processed_images").join(&name).exists(), "the old photo's files are removed");
    assert_has(&read(&s.out, "news/b/index.html"), &["width=\"300\" height=\"150\" alt=\"标志\""]);
    let full = s.out.with_file_name("full");
    pufa::site::build(&BuildOptions::new(&s.src, Some(&full))).unwrap();
    assert_eq!(read(&full, "news/a/index.html"), edited, "the incremental build equals a full one");
    assert_eq!(read(&full, "news/b/index.html"), read(&s.out, "news/b/index.html"));
    assert_eq!(made(&full, ""), made(&s.out, ""));
}
