//! The content folder as files: each file's stamp (size, modification time) and content hash, and each markdown
//! file parsed once and kept until its content changes. The one way in to `content/`: `content::load_with` reads
//! a folder through it once, and an incremental build keeps it between builds and refreshes what changed.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::load::{self, Parsed};
use super::record::{self, Parse};
use super::{Library, LoadOptions};
use crate::diag::Diagnostics;

/// A path relative to `content/`, ordered as the content walk visits files (folder by folder, by name), which
/// is the order pages are numbered in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Rel(pub String);

impl Ord for Rel {
    /// As the paths' components compare in order (`a/b` before `a!`): byte by byte, with `/` below every other
    /// byte. Without splitting, since the records of every content file are looked up by path on each build.
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        let rank = |c: u8| if c == b'/' { 0 } else { u16::from(c) + 1 };
        match a.iter().zip(b).position(|(x, y)| x != y) {
            Some(i) => rank(a[i]).cmp(&rank(b[i])),
            None => a.len().cmp(&b.len()),
        }
    }
}

impl PartialOrd for Rel {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Size and modification time of a file: when both are unchanged the content is taken to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub len: u64,
    /// Nanoseconds since 1970.
    pub modified: u128,
}

impl Stamp {
    pub(super) fn of(meta: &std::fs::Metadata) -> Stamp {
        let modified = meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).unwrap_or_default();
        Stamp { len: meta.len(), modified: modified.as_nanos() }
    }
}

/// One file under `content/`.
#[derive(Debug, Clone)]
pub struct FileRecord {
    stamp: Stamp,
    /// Hash of the file's bytes.
    hash: u64,
    /// A markdown file parsed (or why it could not be); None for any other file (an asset).
    parsed: Option<Parse>,
}

/// Every file under `content/`, in walk order. Written to the build cache as its files' records in order, each
/// parse as the bytes of its own MessagePack value (see [`record`](super::record)), and read back with
/// [`Source::from_cache`].
#[derive(Debug, Default)]
pub struct Source {
    files: BTreeMap<Rel, FileRecord>,
    /// When the files were last looked at (nanoseconds since 1970).
    checked: u128,
    /// The files' hashes by path, for lookups that would otherwise compare paths component by component (not
    /// in the cache: made again from the records).
    hashes: HashMap<String, u64>,
}

impl Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Files<'a>(&'a BTreeMap<Rel, FileRecord>);
        impl Serialize for Files<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.iter())
            }
        }
        let mut st = s.serialize_struct("Source", 2)?;
        st.serialize_field("files", &Files(&self.files))?;
        st.serialize_field("checked", &self.checked)?;
        st.end()
    }
}

impl Serialize for FileRecord {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Bin<'a>(std::borrow::Cow<'a, [u8]>);
        impl Serialize for Bin<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(&self.0)
            }
        }
        let parsed = self.parsed.as_ref().map(Parse::encode);
        let mut st = s.serialize_struct("FileRecord", 4)?;
        st.serialize_field("stamp", &self.stamp)?;
        st.serialize_field("hash", &self.hash)?;
        st.serialize_field("sum", &parsed.as_deref().map(record::checksum))?;
        st.serialize_field("parsed", &parsed.map(Bin))?;
        st.end()
    }
}

/// A [`Source`] as the build cache holds it, each parse borrowed from the cache's bytes.
#[derive(Deserialize)]
pub struct Cached<'a> {
    #[serde(borrow)]
    files: Vec<(Rel, CachedRecord<'a>)>,
    checked: u128,
}

#[derive(Deserialize)]
struct CachedRecord<'a> {
    stamp: Stamp,
    hash: u64,
    /// The parse's [`record::checksum`].
    sum: Option<u64>,
    #[serde(borrow)]
    parsed: Option<&'a [u8]>,
}

impl Source {
    /// The source `cached` was read as, from `bytes`: its parses stay there until they are needed. An error
    /// names the first file whose parse is damaged (its checksum differs) or not in `bytes`.
    pub fn from_cache(cached: Cached<'_>, bytes: &record::Bytes) -> Result<Source, String> {
        let all: &[u8] = bytes.as_ref().as_ref();
        let mut files = Vec::with_capacity(cached.files.len());
        for (rel, r) in cached.files {
            let parsed = match (r.parsed, r.sum) {
                (Some(p), Some(sum)) if record::checksum(p) == sum => {
                    let range = record::range_in(all, p);
                    let range = range.ok_or_else(|| format!("the record of {} is not in the file", rel.0))?;
                    Some(Parse::encoded(bytes.clone(), range))
                }
                (None, None) => None,
                _ => return Err(format!("the record of {} is damaged", rel.0)),
            };
            files.push((rel, FileRecord { stamp: r.stamp, hash: r.hash, parsed }));
        }
        // Written in walk order: the sort that builds the map finds them in order.
        let files = files.into_iter().collect();
        Ok(Source { files, checked: cached.checked, hashes: HashMap::new() })
    }
}

/// A file changed this long before it was last looked at may have been changed again since without its stamp
/// showing it (coarse file system clocks); its content is hashed again.
const RACY: Duration = Duration::from_secs(2);

fn hidden(rel: &str) -> bool {
    rel.split('/').any(|c| c.starts_with('.'))
}

fn now() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos()
}

/// A path relative to the content folder, with `/` separators.
pub(crate) fn rel_str(p: &Path) -> String {
    p.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Every file under a content folder with its stamp, as one look at the whole folder found them: taken apart
/// from [`Source::refresh_scanned`] so that a build started from the cache can look while it reads the cache.
#[derive(Debug)]
pub struct Scan {
    found: Vec<(String, Stamp)>,
    diags: Diagnostics,
    /// When the look began.
    checked: u128,
}

impl Scan {
    /// Looks at every file under `root`.
    pub fn of(root: &Path) -> Scan {
        let checked = now();
        let (mut found, mut diags) = (Vec::new(), Diagnostics::default());
        scan(root, root, &mut found, &mut diags);
        Scan { found, diags, checked }
    }
}

impl Source {
    /// How many files it holds records of.
    #[cfg(test)]
    pub(crate) fn records(&self) -> usize {
        self.files.len()
    }

    /// Lets go of the files' records (each markdown file's parsed front matter and summary), for a build that has
    /// put its library together and will not build again: a large site's records are a sizeable share of its
    /// memory. [`Source::hash`] still answers; a refresh after all reads every file again.
    pub fn forget_records(&mut self) {
        self.files = BTreeMap::new();
    }

    /// Brings the records up to date with `root`: every file (`hint` None), or only the paths in `hint` (files or
    /// folders that were created, changed or removed, as a file watcher reports them). Returns the files that
    /// were added, removed, or whose content changed.
    pub fn refresh(&mut self, root: &Path, hint: Option<&[PathBuf]>, diags: &mut Diagnostics) -> Vec<String> {
        match hint {
            None => self.refresh_scanned(root, Scan::of(root), diags),
            Some(paths) => self.refresh_paths(root, paths, diags),
        }
    }

    /// [`Source::refresh`] of every file, as `scan` found them.
    pub fn refresh_scanned(&mut self, root: &Path, scan: Scan, diags: &mut Diagnostics) -> Vec<String> {
        diags.extend(scan.diags.0);
        self.update(root, scan.found, vec![String::new()], scan.checked)
    }

    fn refresh_paths(&mut self, root: &Path, paths: &[PathBuf], diags: &mut Diagnostics) -> Vec<String> {
        let checked = now();
        let mut found: Vec<(String, Stamp)> = Vec::new();
        let mut scanned: Vec<String> = Vec::new();
        for p in paths {
            let Ok(rel) = p.strip_prefix(root) else { continue };
            let rel = rel_str(rel);
            if hidden(&rel) {
                continue;
            }
            // Whatever the path is now, everything known under it is looked at again.
            scanned.push(rel.clone());
            scan(root, p, &mut found, diags);
        }
        self.update(root, found, scanned, checked)
    }

    /// Takes in what a look at the folders `scanned` found (at time `checked`): records of files gone are
    /// dropped, files whose stamp changed are read again.
    fn update(&mut self, root: &Path, found: Vec<(String, Stamp)>, scanned: Vec<String>, checked: u128) -> Vec<String> {
        let under = |dir: &str, rel: &str| {
            dir.is_empty() || rel == dir || rel.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
        };
        let found_set: foldhash::HashSet<&str> = found.iter().map(|(r, _)| r.as_str()).collect();
        let mut changed: Vec<String> = Vec::new();
        self.files.retain(|rel, _| {
            let keep = found_set.contains(rel.0.as_str()) || !scanned.iter().any(|d| under(d, &rel.0));
            if !keep {
                changed.push(rel.0.clone());
            }
            keep
        });
        // The records by path as found (the ordered map compares paths component by component).
        let known: foldhash::HashMap<&str, &FileRecord> = self.files.iter().map(|(r, f)| (r.0.as_str(), f)).collect();
        let stale: Vec<(String, Stamp)> = found
            .into_iter()
            .filter(|(rel, stamp)| match known.get(rel.as_str()) {
                Some(r) => r.stamp != *stamp || stamp.modified + RACY.as_nanos() >= self.checked,
                None => true,
            })
            .collect();
        // Each file is read, hashed and parsed in one go, so that no more than a file per thread is held whole;
        // a page's record keeps no body (the build reads it again when it renders the page, see [`body`]).
        let parsed: Vec<(Rel, FileRecord)> = stale
            .into_par_iter()
            .filter_map(|(rel, stamp)| {
                let bytes = std::fs::read(root.join(&rel)).map_err(|e| super::walk::cannot_read(&rel, e));
                let key = Rel(rel);
                let bytes = match bytes {
                    Ok(b) => b,
                    Err(d) => {
                        let parsed = key.0.ends_with(".md").then(|| Parse::Decoded(Err(vec![d])));
                        return Some((key, FileRecord { stamp, hash: 0, parsed }));
                    }
                };
                let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
                if let Some(old) = self.files.get(&key).filter(|r| r.hash == hash && r.parsed_ok_or_asset(&key.0)) {
                    return Some((key, FileRecord { stamp, hash, parsed: old.parsed.clone() }));
                }
                let mut parsed = key.0.ends_with(".md").then(|| load::parse(&key.0, bytes));
                if let Some(Ok(Parsed::Page(p))) = &mut parsed {
                    p.body = std::sync::Arc::default();
                }
                Some((key, FileRecord { stamp, hash, parsed: parsed.map(Parse::Decoded) }))
            })
            .collect();
        for (rel, r) in &parsed {
            if self.files.get(rel).is_none_or(|old| old.hash != r.hash || r.hash == 0) {
                changed.push(rel.0.clone());
            }
        }
        self.files.extend(parsed);
        self.checked = checked;
        if self.hashes.len() != self.files.len() || changed.len() > self.files.len() / 4 {
            self.hashes = self.files.iter().map(|(rel, r)| (rel.0.clone(), r.hash)).collect();
        } else {
            for rel in &changed {
                match self.files.get(&Rel(rel.clone())) {
                    Some(r) => self.hashes.insert(rel.clone(), r.hash),
                    None => self.hashes.remove(rel),
                };
            }
        }
        changed
    }

    /// The kept parse of the markdown file `rel`, if it parsed.
    pub(crate) fn parsed(&self, rel: &str) -> Option<&Parsed> {
        self.files.get(&Rel(rel.to_string()))?.parsed.as_ref()?.get(rel).as_ref().ok()
    }

    /// Whether a page's publication window opened or closed since `lib` was put together: a kept library is
    /// then out of date though no file changed (a `publishDate` arrived, an `expiryDate` passed). Only pages with
    /// a window are looked at; one in a draft section counts as moved (the assembly decides, at a little cost).
    pub(crate) fn windows_moved(&self, lib: &super::Library, opts: &super::LoadOptions) -> bool {
        let now = opts.now.unwrap_or_else(|| chrono::Utc::now().with_timezone(&super::front_matter::china()));
        self.files.iter().any(|(rel, r)| match r.parsed.as_ref().and_then(|p| p.get(&rel.0).as_ref().ok()) {
            Some(Parsed::Page(p)) if p.meta.publish_date.is_some() || p.meta.expiry_date.is_some() => {
                let wanted = (opts.drafts || !p.meta.draft) && p.meta.is_live(now, opts.future);
                wanted != lib.by_source.contains_key(&rel.0)
            }
            _ => false,
        })
    }

    /// The next moment after `now` at which a page's publication window opens or closes, if any.
    pub fn next_window(
        &self,
        now: chrono::DateTime<chrono::FixedOffset>,
    ) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        let pages = self.files.iter().filter_map(|(rel, r)| {
            match r.parsed.as_ref().and_then(|p| p.get(&rel.0).as_ref().ok()) {
                Some(Parsed::Page(p)) => Some(p),
                _ => None,
            }
        });
        pages.flat_map(|p| [p.meta.publish_date, p.meta.expiry_date]).flatten().filter(|t| *t > now).min()
    }

    /// The library of the current records (see `content::load`).
    pub fn assemble(&self, opts: &LoadOptions) -> (Library, Diagnostics) {
        self.assemble_beside(opts, || ()).0
    }

    /// [`Source::assemble`], running `beside` on another core while the library is put together in one thread
    /// (the parses are decoded on every core first).
    pub fn assemble_beside<R: Send>(
        &self,
        opts: &LoadOptions,
        beside: impl FnOnce() -> R + Send,
    ) -> ((Library, Diagnostics), R) {
        let mut markdown = Vec::new();
        let mut assets = Vec::new();
        for (rel, r) in &self.files {
            match &r.parsed {
                Some(p) => markdown.push((&rel.0, p)),
                None => assets.push(rel.0.clone()),
            }
        }
        // Parses still in the cache's bytes are decoded here, on every core, straight into the library.
        let markdown = markdown.into_par_iter().map(|(rel, p)| (rel.clone(), p.owned(rel))).collect();
        rayon::join(|| load::assemble(markdown, assets, opts, Diagnostics::default()), beside)
    }

    /// The content hash of a file, if known.
    pub fn hash(&self, rel: &str) -> Option<u64> {
        self.hashes.get(rel).copied()
    }
}

/// The body of page file `rel` under the content folder `root`, read again for rendering (records keep no
/// bodies, so the text of every page is never held at once); None when it cannot be read (the build reports
/// that file from its scan).
pub fn body(root: &Path, rel: &str) -> Option<std::sync::Arc<str>> {
    std::fs::read(root.join(rel)).ok().and_then(|b| load::body(rel, b))
}

impl FileRecord {
    /// Whether the kept parse can stand for the same bytes read again (a read error is not kept).
    fn parsed_ok_or_asset(&self, rel: &str) -> bool {
        let parsed = self.parsed.as_ref().map(|p| p.get(rel));
        !matches!(parsed, Some(Err(ds)) if ds.iter().any(|d| d.message.starts_with("cannot read")))
    }
}

/// Adds every visible file at or under `path` (relative to `root`) with its stamp; walk errors become diagnostics.
/// A missing content folder itself is an error (a mistyped `--source`); a missing path under it is a removal.
fn scan(root: &Path, path: &Path, found: &mut Vec<(String, Stamp)>, diags: &mut Diagnostics) {
    if !path.exists() {
        if path == root {
            diags.push(super::walk::cannot_read("", "no such folder"));
        }
        return;
    }
    super::walk::files(root, path, found, diags);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgotten_records_keep_their_hashes_and_are_read_again_by_a_refresh() {
        let dir = tempfile::tempdir().expect("dir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("col")).expect("col");
        std::fs::write(root.join("col/_index.md"), "---\ntitle: 专栏\n---\n").expect("index");
        std::fs::write(root.join("col/a.md"), "---\ntitle: 宪法\n---\n宪法是根本法。\n").expect("page");
        let opts = LoadOptions { drafts: false, future: false, now: None };
        let mut source = Source::default();
        source.refresh(root, None, &mut Diagnostics::default());
        let titles = |s: &Source| s.assemble(&opts).0.pages.iter().map(|p| p.meta.title.clone()).collect::<Vec<_>>();
        let (before, hash) = (titles(&source), source.hash("col/a.md"));
        assert_eq!((before.as_slice(), hash.is_some()), (["宪法".to_string()].as_slice(), true));
        source.forget_records();
        assert!(source.files.is_empty(), "records still held");
        assert_eq!(source.hash("col/a.md"), hash);
        // Nothing changed on disk, yet every file is read again: the library is whole.
        let changed = source.refresh(root, None, &mut Diagnostics::default());
        assert_eq!(titles(&source), before, "changed: {changed:?}");
    }

    #[test]
    fn rel_orders_like_the_content_walk() {
        let mut v: Vec<Rel> = ["a.md", "a/b.md", "_index.md", "a/_index.md", "b.md"].map(|s| Rel(s.into())).to_vec();
        v.sort();
        let names: Vec<&str> = v.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(names, ["_index.md", "a/_index.md", "a/b.md", "a.md", "b.md"]);
    }

    #[test]
    fn rel_order_is_the_order_of_the_components() {
        let paths = [
            "a",
            "a/b",
            "a!",
            "a!/b",
            "ab/c",
            "a/c",
            "a.md",
            "a/",
            "",
            "/",
            "宪法/第一章.md",
            "宪法.md",
            "宪法/",
            "a/b/c",
            "a/bc",
            "a/b!",
            "a-b/c",
            "a/b/_index.md",
            "Z/a",
            "z",
            "é/x",
            "e/x",
        ];
        for x in paths {
            for y in paths {
                let want = x.split('/').cmp(y.split('/'));
                assert_eq!(Rel(x.into()).cmp(&Rel(y.into())), want, "{x:?} against {y:?}");
            }
        }
    }
}
