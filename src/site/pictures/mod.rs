//! Pictures phones can afford (issue 14): every JPEG and PNG among the content's files and the site's static
//! files is made into a few widths, in WebP and in its own format (`encode`), and pages show it as a
//! `<picture>` (`content::picture`). The files made are kept in `SOURCE/.pufa-cache/pictures/`, named by a hash
//! of the photo's bytes and the settings, so a later build only copies them; an edited photo gets a new hash,
//! so new files and pages rendered again. GIF, SVG and WebP files are copied as they are; a file that is not a
//! readable image is a warning and is copied as it is too.

mod encode;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use encode::{JPEG_QUALITY, WEBP_QUALITY, WIDTHS};

use super::incremental::cache;
use super::theme::{static_output, StaticFile};
use super::BuildError;
use crate::content::picture::{file_name, Picture, Pictures, FOLDER};
use crate::content::Library;
use crate::diag::Diagnostic;

/// This build's pictures, and the files to copy into the output for them.
#[derive(Debug, Default)]
pub struct Made {
    pub pictures: Pictures,
    /// Site-relative output file → the file in the cache it is a copy of, sorted.
    pub files: Vec<(String, PathBuf)>,
    pub diagnostics: Vec<Diagnostic>,
    /// Photos encoded by this build (the others came from the cache).
    pub encoded: usize,
}

impl Made {
    /// A hash of every file made (their names hold the photos' keys): equal, and every page shows the same
    /// pictures as before.
    pub fn digest(&self) -> u64 {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for (rel, _) in &self.files {
            h.update(&(rel.len() as u64).to_le_bytes());
            h.update(rel.as_bytes());
        }
        h.digest()
    }
}

/// What the cache keeps of one photo: its picture, or why it could not be made.
#[derive(Debug, Serialize, Deserialize)]
enum Kept {
    Made(Picture),
    Failed(String),
}

/// A photo of the site: where it is read from, how diagnostics name it, its site path and its key.
struct Photo {
    path: PathBuf,
    shown: PathBuf,
    url: String,
    ext: &'static str,
    key: u64,
}

/// The fallback extension of a file the pictures are made of: `jpg` for a JPEG, `png` for a PNG; None for every
/// other file (GIF, SVG, WebP, … stay as they are).
fn kind(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "jpg" | "jpeg" => Some("jpg"),
        "png" => Some("png"),
        _ => None,
    }
}

fn key(ext: &str, bytes_hash: u64) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(encode::SETTINGS.as_bytes());
    h.update(ext.as_bytes());
    h.update(&bytes_hash.to_le_bytes());
    h.digest()
}

/// The photos among the content's files (`hash` gives their content hash) and the static files on disk.
fn photos(
    site: &Path,
    lib: &Library,
    statics: &BTreeMap<String, StaticFile>,
    hash: &dyn Fn(&str) -> Option<u64>,
) -> Vec<Photo> {
    let mut out = Vec::new();
    for (rel, url) in &lib.assets {
        let Some(ext) = kind(rel) else { continue };
        let path = site.join("content").join(rel);
        let Some(h) = hash(rel).or_else(|| std::fs::read(&path).ok().map(|b| xxhash_rust::xxh3::xxh3_64(&b))) else {
            continue;
        };
        out.push(Photo { path, shown: crate::content::shown(rel), url: url.clone(), ext, key: key(ext, h) });
    }
    for (name, file) in statics {
        let (Some(ext), StaticFile::Disk(path)) = (kind(name), file) else { continue };
        // An unreadable static file is reported when it is copied.
        let Ok(bytes) = std::fs::read(path) else { continue };
        let url = format!("/{}", static_output(name));
        let key = key(ext, xxhash_rust::xxh3::xxh3_64(&bytes));
        out.push(Photo { path: path.clone(), shown: path.clone(), url, ext, key });
    }
    out
}

/// Makes (or takes from the cache under `site`) the pictures of every photo of the site; with `progress`, a bar
/// on the terminal while that takes more than a second (a first build with hundreds of photos).
pub fn make(
    site: &Path,
    lib: &Library,
    statics: &BTreeMap<String, StaticFile>,
    hash: &dyn Fn(&str) -> Option<u64>,
    progress: bool,
) -> Result<Made, BuildError> {
    let dir = site.join(cache::DIR).join("pictures");
    let photos = photos(site, lib, statics, hash);
    let mut first: BTreeMap<u64, &Photo> = BTreeMap::new();
    for p in &photos {
        first.entry(p.key).or_insert(p);
    }
    if !first.is_empty() {
        std::fs::create_dir_all(&dir).map_err(|source| BuildError::Io { path: dir.clone(), source })?;
    }
    let encoded = AtomicUsize::new(0);
    let bar = super::progress::Progress::new(progress, first.len() as u64);
    let kept: HashMap<u64, Result<Kept, String>> = first
        .into_par_iter()
        .map(|(key, p)| {
            let kept = match cached(&dir, key) {
                Some(k) => Ok(k),
                None => fresh(&dir, p).inspect(|k| {
                    if matches!(k, Ok(Kept::Made(_))) {
                        encoded.fetch_add(1, Ordering::Relaxed);
                    }
                }),
            };
            bar.tick();
            kept.map(|k| (key, k))
        })
        .collect::<Result<Vec<_>, BuildError>>()?
        .into_iter()
        .collect();
    bar.finish();
    let mut made = Made { encoded: encoded.into_inner(), ..Made::default() };
    let mut files = BTreeMap::new();
    for p in &photos {
        // Every key was looked at above.
        let Some(result) = kept.get(&p.key) else { continue };
        match result {
            Ok(Kept::Made(pic)) => {
                for &w in &pic.widths {
                    for ext in ["webp", pic.fallback.as_str()] {
                        let name = file_name(pic.key, w, ext);
                        files.insert(format!("{FOLDER}/{name}"), dir.join(name));
                    }
                }
                made.pictures.0.insert(p.url.clone(), pic.clone());
            }
            Ok(Kept::Failed(why)) | Err(why) => made.diagnostics.push(Diagnostic::warning(
                &p.shown,
                0,
                0,
                format!("not a readable picture ({why}): copied as it is, without smaller sizes"),
            )),
        }
    }
    made.files = files.into_iter().collect();
    Ok(made)
}

/// The cached result for `key`, when its record and all its files are there.
fn cached(dir: &Path, key: u64) -> Option<Result<Kept, String>> {
    let bytes = std::fs::read(dir.join(format!("{key:016x}.json"))).ok()?;
    let kept: Kept = serde_json::from_slice(&bytes).ok()?;
    if let Kept::Made(p) = &kept {
        let ext = ["webp", p.fallback.as_str()];
        if !p.widths.iter().all(|&w| ext.iter().all(|e| dir.join(file_name(key, w, e)).is_file())) {
            return None;
        }
    }
    Some(Ok(kept))
}

/// Encodes photo `p` and keeps the result in `dir`; a photo that cannot be read now is an `Err` (not kept).
fn fresh(dir: &Path, p: &Photo) -> Result<Result<Kept, String>, BuildError> {
    let bytes = match std::fs::read(&p.path) {
        Ok(b) => b,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let kept = match encode::make(&bytes, p.ext, p.key) {
        Ok((picture, files)) => {
            for (name, bytes) in files {
                write(&dir.join(name), &bytes)?;
            }
            Kept::Made(picture)
        }
        Err(why) => Kept::Failed(why),
    };
    let record = serde_json::to_vec(&kept).map_err(|e| BuildError::Io { path: dir.to_path_buf(), source: e.into() })?;
    // The record goes last: a build killed before it leaves files that the next build makes again.
    write(&dir.join(format!("{:016x}.json", p.key)), &record)?;
    Ok(Ok(kept))
}

/// Writes `bytes` to `path` through a temporary file and a rename, so two builds of one site at once (tests,
/// `pufa build` beside `pufa serve`) never see half a file.
fn write(path: &Path, bytes: &[u8]) -> Result<(), BuildError> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let tmp = path.with_extension(format!("tmp{}.{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
    let io = |source| BuildError::Io { path: path.to_path_buf(), source };
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|source| BuildError::Io { path: path.to_path_buf(), source })
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_jpeg_and_png_are_made_into_pictures() {
        for (name, kind) in
            [("a.JPG", Some("jpg")), ("b.jpeg", Some("jpg")), ("c.png", Some("png")), ("d.gif", None), ("e.svg", None)]
        {
            assert_eq!(super::kind(name), kind, "{name}");
        }
        assert_eq!(super::kind("webp"), None);
    }
}
