//! The build cache (`SOURCE/.pufa-cache/`, in MessagePack): an engine's state saved after a build so the next
//! `pufa build` is incremental too. A cache written by another pufa program, for another output, or for an output that was
//! replaced since, is ignored; so is one that cannot be read. It is deleted before a build changes the output
//! and written again after, so a build killed half way leaves no cache that lies about the output.

use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::Built;
use crate::content::record;
use crate::content::source::Scan;
use crate::content::Source;
use crate::site::engine::Engine;
use crate::site::BuildOptions;

/// Bumped whenever the cache's layout or meaning changes.
const VERSION: u32 = 12;

/// The folder, inside the site folder.
pub const DIR: &str = ".pufa-cache";

/// What the cache must match to be used.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Header {
    version: u32,
    /// This pufa program (a rebuilt program may render differently).
    program: u64,
    output: PathBuf,
    drafts: bool,
    /// The output folder's identity (device, inode): a full build swaps in another folder.
    output_id: Option<(u64, u64)>,
}

/// The cache as it is read (it is written in parts, see [`Saving`]): the content's records keep their parses in
/// the mapped file until they are needed, and the last build's results stay encoded, with their checksum, until
/// the build decodes them (see [`Encoded`]).
#[derive(Deserialize)]
struct Saved<'a> {
    header: Header,
    #[serde(borrow)]
    content: crate::content::source::Cached<'a>,
    #[serde(borrow)]
    built: (u64, &'a [u8]),
}

/// The last build's results as the cache holds them: decoded by the build that uses them while it puts the
/// library together, which leaves a core free (reading them with the rest of the cache kept both busy).
pub(crate) struct Encoded {
    bytes: record::Bytes,
    range: std::ops::Range<usize>,
}

impl Encoded {
    pub(crate) fn decode(&self) -> Result<Built, String> {
        let bytes = self.bytes.as_ref().as_ref().get(self.range.clone()).unwrap_or_default();
        let built: Built = rmp_serde::from_slice(bytes).map_err(|e| e.to_string())?;
        if !built.order.iter().all(|s| built.pages.contains_key(s)) {
            return Err("a page without results".into());
        }
        Ok(built)
    }
}

/// An id of the running pufa program: its version and its executable's size and modification time.
pub fn program_id() -> u64 {
    static ID: OnceLock<u64> = OnceLock::new();
    *ID.get_or_init(|| {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        if let Some(meta) = std::env::current_exe().ok().and_then(|p| std::fs::metadata(p).ok()) {
            h.update(&meta.len().to_le_bytes());
            let modified = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
            h.update(&modified.unwrap_or_default().as_nanos().to_le_bytes());
        }
        h.digest()
    })
}

/// The cache file of a build of `opts.source` into `opts.output`.
pub fn path_for(opts: &BuildOptions) -> Option<PathBuf> {
    let name = xxhash_rust::xxh3::xxh3_64(full_path(opts.output.as_deref()?).to_string_lossy().as_bytes());
    Some(opts.source.join(DIR).join(format!("build-{name:016x}.msgpack")))
}

/// The output folder's full path, `.` and `..` taken out: `public`, `./public`, `../site/public` and
/// `/srv/site/public` are one output to the cache.
fn full_path(output: &Path) -> PathBuf {
    let mut full = PathBuf::new();
    for c in std::path::absolute(output).unwrap_or_else(|_| output.to_path_buf()).components() {
        match c {
            std::path::Component::ParentDir => {
                full.pop();
            }
            std::path::Component::CurDir => {}
            c => full.push(c),
        }
    }
    full
}

/// Files that older caches kept beside the cache (now unused, removed when seen): the digests of version 3
/// and the JSON cache of versions up to 4.
fn old_paths(cache: &Path) -> [PathBuf; 2] {
    [cache.with_extension("bin"), cache.with_extension("json")]
}

#[cfg(unix)]
fn output_id(dir: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn output_id(_: &Path) -> Option<(u64, u64)> {
    None
}

/// Deletes the cache at `path`: the output is about to change.
pub fn invalidate(path: &Path) {
    let _ = std::fs::remove_file(path);
}

fn header(opts: &BuildOptions) -> Option<Header> {
    let output = opts.output.clone()?;
    let output_id = output_id(&output);
    let output = full_path(&output);
    Some(Header { version: VERSION, program: program_id(), output, drafts: opts.drafts, output_id })
}

fn load(path: &Path, opts: &BuildOptions) -> Result<(Source, Encoded), String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    // Mapped, with its pages mapped at once, instead of copied into fresh memory (about 17 MB on 14,000 pages).
    // SAFETY: a cache file is never written in place: it is written under another name and renamed over, or
    // deleted, which leaves a mapping of the old one intact. (Truncated by hand while a build reads it, it would
    // end that build.)
    let map = unsafe { memmap2::MmapOptions::new().populate().map(&file) }.map_err(|e| e.to_string())?;
    let bytes: record::Bytes = std::sync::Arc::new(map);
    let saved: Saved = rmp_serde::from_slice(bytes.as_ref().as_ref()).map_err(|e| e.to_string())?;
    if Some(&saved.header) != header(opts).as_ref() {
        return Err("written by another pufa, for another output, or the output was replaced".into());
    }
    let (sum, built) = saved.built;
    if record::checksum(built) != sum {
        return Err("the build's results are damaged".into());
    }
    let range = record::range_in(bytes.as_ref().as_ref(), built).ok_or("the build's results are not in the file")?;
    let built = Encoded { bytes: bytes.clone(), range };
    let content = Source::from_cache(saved.content, &bytes)?;
    Ok((content, built))
}

impl Engine {
    /// An engine that starts from the cache of the last build of `opts` when there is a usable one, and saves
    /// its state there with [`Engine::save_cache`].
    pub fn with_cache(opts: BuildOptions) -> Engine {
        let path = path_for(&opts);
        let mut engine = Engine::new(opts);
        let start = std::time::Instant::now();
        let content_dir = engine.opts.source.join("content");
        // The cache is read while the content folder is looked at and the templates are compiled (and the
        // translations read), all of which the build does next anyway: on two cores that hides most of the reading.
        let (saved, (scan, tera)) = rayon::join(
            || path.as_deref().filter(|p| p.exists()).map(|p| (p, load(p, &engine.opts))),
            || {
                let templates = || {
                    crate::i18n::prepare();
                    engine.templates()
                };
                rayon::join(|| Scan::of(&content_dir), templates)
            },
        );
        match saved {
            Some((_, Ok((content, built)))) => {
                tracing::debug!(elapsed = ?start.elapsed(), "build cache read");
                engine.content = content;
                engine.encoded = Some(built);
            }
            Some((path, Err(e))) => tracing::info!("build cache {} not used: {e}", path.display()),
            None => {}
        }
        (engine.scanned, engine.tera) = (Some(scan), tera);
        engine.cache = path;
        engine
    }

    /// Saves the state of the last successful build to the cache (nothing when there was none).
    pub fn save_cache(&self) -> std::io::Result<()> {
        let (Some(path), Some(built)) = (&self.cache, &self.last) else {
            return Ok(());
        };
        let start = std::time::Instant::now();
        let mut saving = Saving::start(path, &self.content)?;
        saving.results(built)?;
        saving.finish(&self.opts)?;
        tracing::debug!(elapsed = ?start.elapsed(), "build cache written");
        Ok(())
    }
}

/// A cache being written, in MessagePack (self-describing values, as the front matter's lenient readers need;
/// a struct's fields in order, without their names, except the header's). Each file's parse is its own value,
/// kept as bytes (see `content::record`): a cached build decodes it only to put the library together, and
/// copies the bytes of every parse that did not change into the next cache. It goes into a temporary file in
/// three parts, which a build writes beside its other work: the content's records as soon as they are refreshed,
/// the build's results while the output is moved in, and last the header, which names the output folder as it is
/// then (the reader takes the fields in any order); only then does the file get its name. Dropped unfinished (a
/// build that fails), the temporary file is removed.
pub(crate) struct Saving {
    path: PathBuf,
    tmp: PathBuf,
    w: Option<BufWriter<std::fs::File>>,
}

impl Saving {
    /// Starts the cache at `path` with the content's records.
    pub(crate) fn start(path: &Path, content: &Source) -> std::io::Result<Saving> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        for old in old_paths(path) {
            let _ = std::fs::remove_file(old);
        }
        let tmp = path.with_extension("tmp");
        // Streamed into the file: a buffer grown to hold a large site's cache was most of a cached build's
        // memory and page faults.
        let w = BufWriter::with_capacity(1 << 16, std::fs::File::create(&tmp)?);
        let mut saving = Saving { path: path.to_path_buf(), tmp, w: Some(w) };
        let w = saving.writer();
        rmp::encode::write_map_len(w, 3)?;
        rmp::encode::write_str(w, "content")?;
        rmp_serde::encode::write(w, content).map_err(std::io::Error::other)?;
        Ok(saving)
    }

    fn writer(&mut self) -> &mut BufWriter<std::fs::File> {
        self.w.as_mut().expect("a cache being written")
    }

    /// Adds the build's results, as bytes with their checksum (see [`Encoded`]).
    pub(crate) fn results(&mut self, built: &Built) -> std::io::Result<()> {
        // Sized about right at once (3.3 MB on 14,000 pages): growing it copied it again and again.
        let mut bytes = Vec::with_capacity(built.manifest.len() * 64 + built.pages.len() * 160);
        rmp_serde::encode::write(&mut bytes, built).map_err(std::io::Error::other)?;
        let w = self.writer();
        rmp::encode::write_str(w, "built")?;
        rmp::encode::write_array_len(w, 2)?;
        rmp::encode::write_uint(w, record::checksum(&bytes))?;
        rmp::encode::write_bin(w, &bytes)?;
        Ok(())
    }

    /// Writes the header for `opts` as its output folder is now, and gives the cache its name.
    pub(crate) fn finish(mut self, opts: &BuildOptions) -> std::io::Result<()> {
        let mut w = self.w.take().expect("unfinished");
        let done = header(opts).ok_or_else(|| std::io::Error::other("no output folder")).and_then(|header| {
            rmp::encode::write_str(&mut w, "header")?;
            rmp_serde::encode::write_named(&mut w, &header).map_err(std::io::Error::other)?;
            w.into_inner().map_err(|e| e.into_error())?;
            std::fs::rename(&self.tmp, &self.path)
        });
        if done.is_err() {
            let _ = std::fs::remove_file(&self.tmp);
        }
        done
    }
}

impl Drop for Saving {
    fn drop(&mut self) {
        if self.w.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `to` as a path relative to `from` (both absolute).
    fn pathdiff(to: &Path, from: &Path) -> PathBuf {
        let common = to.components().zip(from.components()).take_while(|(a, b)| a == b).count();
        let ups = from.components().count() - common;
        let mut p: PathBuf = std::iter::repeat_n("..", ups).collect();
        p.extend(to.components().skip(common));
        p
    }

    /// The results of a site of one page, `a.md`.
    fn one_page(result: super::super::PageResult) -> Built {
        let pages = [("a.md".to_string(), std::sync::Arc::new(result))].into_iter().collect();
        Built { order: vec!["a.md".into()], pages, ..Default::default() }
    }

    /// Writes the whole cache of `content` and `built` for `opts` at `path`.
    fn save(path: &Path, content: &Source, built: &Built, opts: &BuildOptions) {
        let mut saving = Saving::start(path, content).unwrap();
        saving.results(built).unwrap();
        saving.finish(opts).unwrap();
    }

    /// Changes one byte of the title 宣传周 in the cache at `path`, leaving valid UTF-8 and MessagePack: only a
    /// checksum tells.
    fn damage_title(path: &Path) {
        let mut bytes = std::fs::read(path).unwrap();
        let title = "宣传周".as_bytes();
        let at = bytes.windows(title.len()).position(|w| w == title).expect("the title in the cache");
        bytes[at + 2] ^= 1;
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn a_cache_with_a_damaged_parse_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let (content, out) = (dir.path().join("content"), dir.path().join("out"));
        std::fs::create_dir_all(&content).unwrap();
        std::fs::create_dir(&out).unwrap();
        std::fs::write(content.join("a.md"), "---\ntitle: 宪法宣传周\n---\n正文\n").unwrap();
        let mut source = Source::default();
        source.refresh(&content, None, &mut crate::diag::Diagnostics::default());
        let opts = BuildOptions::new(dir.path(), Some(&out));
        let path = path_for(&opts).unwrap();
        save(&path, &source, &one_page(Default::default()), &opts);
        assert!(load(&path, &opts).is_ok());

        damage_title(&path);
        let Err(err) = load(&path, &opts) else { panic!("a damaged cache is not used") };
        assert!(err.contains("a.md") && err.contains("damaged"), "{err}");
    }

    #[test]
    fn a_cache_with_damaged_results_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let opts = BuildOptions::new(dir.path(), Some(&out));
        let path = path_for(&opts).unwrap();
        let built = one_page(super::super::PageResult { title: "宪法宣传周".into(), ..Default::default() });
        save(&path, &Source::default(), &built, &opts);
        let (_, encoded) = load(&path, &opts).unwrap();
        assert_eq!(encoded.decode().unwrap().pages["a.md"].title, "宪法宣传周");

        damage_title(&path);
        let Err(err) = load(&path, &opts) else { panic!("damaged results are not used") };
        assert!(err.contains("damaged"), "{err}");
    }

    #[test]
    fn a_cache_written_in_parts_reads_back_and_an_unfinished_one_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let opts = BuildOptions::new(dir.path(), Some(&out));
        let path = path_for(&opts).unwrap();
        let built = one_page(Default::default());
        let content = Source::default();

        // A build that fails while the cache is being written drops it unfinished.
        let mut saving = Saving::start(&path, &content).unwrap();
        saving.results(&built).unwrap();
        drop(saving);
        assert!(!path.exists() && !path.with_extension("tmp").exists());

        save(&path, &content, &built, &opts);
        assert!(!path.with_extension("tmp").exists());
        let (_, back) = load(&path, &opts).unwrap();
        assert_eq!(back.decode().unwrap().order, built.order);
        // The header went last and still counts: the cache of one output is not another's.
        let elsewhere = BuildOptions::new(dir.path(), Some(&dir.path().join("elsewhere")));
        assert!(load(&path, &elsewhere).is_err());
        // The same output named another way is the same output.
        let cwd = std::env::current_dir().unwrap();
        let relative = pathdiff(&out, &cwd);
        let same = BuildOptions::new(dir.path(), Some(&relative));
        assert_eq!(path_for(&same).unwrap(), path);
        assert!(load(&path, &same).is_ok(), "{} read as another output", relative.display());
    }
}
