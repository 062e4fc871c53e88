//! The build cache (`SOURCE/.pufa-cache/`): an engine's state saved after a build so the next `pufa build` is
//! incremental too. A cache written by another pufa program, for another output, or for an output that was
//! replaced since, is ignored; so is one that cannot be read. It is deleted before a build changes the output
//! and written again after, so a build killed half way leaves no cache that lies about the output.

use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::Built;
use crate::content::Source;
use crate::site::engine::Engine;
use crate::site::search::ShardDigest;
use crate::site::BuildOptions;

/// Bumped whenever the cache's layout or meaning changes.
const VERSION: u32 = 3;

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

#[derive(Serialize, Deserialize)]
struct Saved {
    header: Header,
    content: Source,
    built: Built,
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
    let output = opts.output.as_deref()?;
    let output = std::path::absolute(output).unwrap_or_else(|_| output.to_path_buf());
    let name = xxhash_rust::xxh3::xxh3_64(output.to_string_lossy().as_bytes());
    Some(opts.source.join(DIR).join(format!("build-{name:016x}.json")))
}

fn digests_path(cache: &Path) -> PathBuf {
    cache.with_extension("bin")
}

/// One page's digests from the side file: a count, then the packed digests, little-endian. Read page by page
/// into their own allocations, so the file is never held whole beside them.
fn read_digests(from: &mut impl Read) -> std::io::Result<Arc<[ShardDigest]>> {
    let mut count = [0u8; 4];
    from.read_exact(&mut count)?;
    let mut bytes = vec![0u8; u32::from_le_bytes(count) as usize * 8];
    from.read_exact(&mut bytes)?;
    Ok(bytes.chunks_exact(8).map(|b| ShardDigest(u64::from_le_bytes(b.try_into().expect("8 bytes")))).collect())
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
    Some(Header { version: VERSION, program: program_id(), output, drafts: opts.drafts, output_id })
}

fn load(path: &Path, opts: &BuildOptions) -> Result<(Source, Built), String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let saved: Saved = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    if Some(&saved.header) != header(opts).as_ref() {
        return Err("written by another pufa, for another output, or the output was replaced".into());
    }
    let mut built = saved.built;
    let file = std::fs::File::open(digests_path(path)).map_err(|e| e.to_string())?;
    let mut digests = BufReader::with_capacity(1 << 16, file);
    let mismatch = |_| "the digests file does not match".to_string();
    for source in &built.order {
        let page = built.pages.get_mut(source).ok_or("a page without results")?;
        page.digests = Some(read_digests(&mut digests).map_err(mismatch)?);
    }
    if digests.fill_buf().map_err(|e| e.to_string())?.is_empty() {
        Ok((saved.content, built))
    } else {
        Err("the digests file does not match".into())
    }
}

impl Engine {
    /// An engine that starts from the cache of the last build of `opts` when there is a usable one, and saves
    /// its state there with [`Engine::save_cache`].
    pub fn with_cache(opts: BuildOptions) -> Engine {
        let path = path_for(&opts);
        let mut engine = Engine::new(opts);
        if let Some(path) = &path {
            if path.exists() {
                match load(path, &engine.opts) {
                    Ok((content, built)) => {
                        engine.content = content;
                        engine.last = Some(built);
                    }
                    Err(e) => tracing::info!("build cache {} not used: {e}", path.display()),
                }
            }
        }
        engine.cache = path;
        engine
    }

    /// Saves the state of the last successful build to the cache (nothing when there was none).
    pub fn save_cache(&self) -> std::io::Result<()> {
        let (Some(path), Some(built), Some(header)) = (&self.cache, &self.last, header(&self.opts)) else {
            return Ok(());
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        if built.order.iter().any(|s| built.pages.get(s).is_none_or(|p| p.digests.is_none())) {
            return Ok(());
        }
        // Streamed into the files: the digests of a large site are tens of MB, and a buffer grown to hold them
        // (and the JSON) was most of a cached build's memory and page faults.
        write_atomically(&digests_path(path), |w| {
            for d in built.order.iter().filter_map(|s| built.pages.get(s)?.digests.as_deref()) {
                w.write_all(&(d.len() as u32).to_le_bytes())?;
                for d in d {
                    w.write_all(&d.0.to_le_bytes())?;
                }
            }
            Ok(())
        })?;
        let saved = SavedRef { header, content: &self.content, built };
        write_atomically(path, |w| serde_json::to_writer(w, &saved).map_err(std::io::Error::other))
    }
}

#[derive(Serialize)]
struct SavedRef<'a> {
    header: Header,
    content: &'a Source,
    built: &'a Built,
}

fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = BufWriter::with_capacity(1 << 16, std::fs::File::create(&tmp)?);
    write(&mut f)?;
    f.into_inner().map_err(|e| e.into_error())?;
    std::fs::rename(&tmp, path)
}
