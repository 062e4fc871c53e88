//! Writing the site: everything goes into a temporary folder next to the output, swapped in with renames only
//! when the whole build succeeded, so a failed build leaves the previous site untouched.

use foldhash::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use super::BuildError;

/// Where the files of one build go: a temporary folder, or nowhere (for `pufa check`).
///
/// The previous output is not deleted after a swap but kept beside it as a spare (`.NAME.pufa-spare`), and the
/// next build writes into that spare, overwriting its files in place and pruning the ones it did not write.
/// Deleting and recreating thousands of files on every build is what costs most on ext4 (its allocator scans
/// recently freed inodes), and this keeps the rule that the output is only ever replaced by one rename.
#[derive(Debug)]
pub struct Output {
    /// The folder being written; None for a dry run.
    temp: Option<PathBuf>,
    /// Where an unfinished or replaced tree is kept for the next build.
    spare: PathBuf,
    /// Site-relative paths written by this build; everything else in a reused folder is stale.
    written: Mutex<HashSet<String>>,
    files: AtomicU64,
    bytes: AtomicU64,
    /// The files an incremental build writes (the others are up to date); None writes every file.
    wanted: Option<HashSet<String>>,
    /// Files are moved into the output one by one when the build succeeds (an incremental build), instead of
    /// the folder being swapped in whole.
    staged: bool,
    /// The output's build lock, held until this build is committed or dropped.
    _lock: Option<std::fs::File>,
}

/// Takes the build lock of `output` (the file `.NAME.pufa-lock` beside it), waiting while another build holds it:
/// builds of one output folder (two `pufa build`s, or one beside a watching `pufa serve`) take turns instead of
/// writing into the same temporary folders. The lock goes with the process, so a killed build leaves none behind.
fn lock(output: &Path) -> Result<std::fs::File, BuildError> {
    let path = sibling(output, "lock")?;
    let file =
        std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io_err(&path))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            tracing::info!("{}: another build is writing this folder; waiting for it to finish", output.display());
            file.lock().map_err(io_err(&path))?;
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(io_err(&path)(e)),
    }
    Ok(file)
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> BuildError + '_ {
    move |source| BuildError::Io { path: path.to_path_buf(), source }
}

/// The file a site path is written to: `/a/b/` → `a/b/index.html`, `/atom.xml` → `atom.xml`.
pub fn file_for(url: &str) -> String {
    let rel = url.trim_start_matches('/');
    if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    }
}

/// Writes `bytes` over the file at `path` without truncating it first: a rebuilt page is usually the same size
/// as the one it replaces, and truncating would free and reallocate its blocks (slow on ext4, more so when
/// mounted with `discard`). What is left of a longer old file is trimmed; the size is looked up on the open file
/// first, since a truncation to the same size still costs ext4 a journal entry.
fn overwrite(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let open = || std::fs::OpenOptions::new().write(true).create(true).truncate(false).open(path);
    let mut file = in_folder(path, open)?;
    let old = file.metadata()?.len();
    file.write_all(bytes)?;
    if old > bytes.len() as u64 {
        file.set_len(bytes.len() as u64)?;
    }
    Ok(())
}

/// Runs `make`, which creates the file `path`, creating its folder and trying again if it says the folder is
/// missing. A rebuild writes into the folders of the build before last, so asking for each folder first would
/// cost thousands of `mkdir` calls answered "exists"; this costs one failed call per new folder instead.
fn in_folder<T>(path: &Path, make: impl Fn() -> std::io::Result<T>) -> std::io::Result<T> {
    match make() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            make()
        }
        done => done,
    }
}

/// The folders that hold a file of `written` (site-relative, `/`-separated), however deep: what a prune keeps.
fn holding(written: &HashSet<String>) -> HashSet<&str> {
    let mut dirs = HashSet::default();
    for rel in written {
        let mut at = rel.as_str();
        // A folder already counted has had its own folders counted too.
        while let Some(i) = at.rfind('/') {
            at = &at[..i];
            if !dirs.insert(at) {
                break;
            }
        }
    }
    dirs
}

impl Output {
    /// A folder beside `output` (same file system, so the final rename is atomic): the spare of the last build
    /// when there is one, else a new one.
    pub fn beside(output: &Path) -> Result<Output, BuildError> {
        let lock = lock(output)?;
        let temp = sibling(output, "building")?;
        let spare = sibling(output, "spare")?;
        if temp.exists() {
            // Left by a build that was killed: reuse it unless a spare is waiting.
            if spare.exists() {
                std::fs::remove_dir_all(&temp).map_err(io_err(&temp))?;
            } else {
                std::fs::rename(&temp, &spare).map_err(io_err(&temp))?;
            }
        }
        if spare.is_dir() {
            std::fs::rename(&spare, &temp).map_err(io_err(&spare))?;
        } else {
            std::fs::create_dir_all(&temp).map_err(io_err(&temp))?;
        }
        let mut out = Output::new(Some(temp), spare);
        out._lock = Some(lock);
        Ok(out)
    }

    /// An output that writes nothing, for checking.
    pub fn dry() -> Output {
        Output::new(None, PathBuf::new())
    }

    /// An incremental build's output: only the `wanted` files are written, into an empty folder beside `output`,
    /// and [`Output::apply`] moves them into `output` once the build succeeded.
    pub fn staging(output: &Path, wanted: HashSet<String>) -> Result<Output, BuildError> {
        let lock = lock(output)?;
        let temp = sibling(output, "staging")?;
        if temp.exists() {
            std::fs::remove_dir_all(&temp).map_err(io_err(&temp))?;
        }
        std::fs::create_dir_all(&temp).map_err(io_err(&temp))?;
        let mut out = Output::new(Some(temp), PathBuf::new());
        out.wanted = Some(wanted);
        out.staged = true;
        out._lock = Some(lock);
        Ok(out)
    }

    fn new(temp: Option<PathBuf>, spare: PathBuf) -> Output {
        Output {
            temp,
            spare,
            written: Mutex::default(),
            files: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            wanted: None,
            staged: false,
            _lock: None,
        }
    }

    /// Adds `rel` to the files an incremental build writes (a full build writes every file anyway).
    pub fn want(&mut self, rel: &str) {
        if let Some(w) = &mut self.wanted {
            w.insert(rel.to_string());
        }
    }

    /// Whether this build writes the site-relative file `rel` (an incremental build skips up-to-date files).
    pub fn wants(&self, rel: &str) -> bool {
        self.wanted.as_ref().is_none_or(|w| w.contains(rel))
    }

    /// Prepares `rel` for writing: counts it, remembers it, and returns its full path (None for a dry run). Its
    /// folder is made when the file is (see [`in_folder`]).
    fn target(&self, rel: &str) -> Option<PathBuf> {
        self.files.fetch_add(1, Ordering::Relaxed);
        let temp = self.temp.as_ref()?;
        self.written.lock().unwrap_or_else(|e| e.into_inner()).insert(rel.to_string());
        Some(temp.join(rel))
    }

    /// Writes `bytes` to the site-relative file `rel`, creating folders as needed.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), BuildError> {
        if !self.wants(rel) {
            return Ok(());
        }
        self.write_always(rel, bytes)
    }

    /// Writes `bytes` to `rel` even when an incremental build did not plan it: a file that follows another one
    /// written now (a page's search blocks), fingerprinted only once it is made.
    pub fn write_always(&self, rel: &str, bytes: &[u8]) -> Result<(), BuildError> {
        self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        match self.target(rel) {
            Some(path) => self.with_room(rel, || overwrite(&path, bytes)).map_err(io_err(&path)),
            None => Ok(()),
        }
    }

    /// Writes the page for a site path such as `/columns/宪法/`.
    pub fn write_page(&self, url: &str, html: &str) -> Result<(), BuildError> {
        self.write(&file_for(url), html.as_bytes())
    }

    /// Copies a file from disk to the site-relative path `rel`.
    pub fn copy(&self, from: &Path, rel: &str) -> Result<(), BuildError> {
        if !self.wants(rel) {
            return Ok(());
        }
        match self.target(rel) {
            Some(path) => {
                let n =
                    self.with_room(rel, || in_folder(&path, || std::fs::copy(from, &path))).map_err(io_err(from))?;
                self.bytes.fetch_add(n, Ordering::Relaxed);
                Ok(())
            }
            None => std::fs::metadata(from).map(|_| ()).map_err(io_err(from)),
        }
    }

    /// Runs `make`, which writes `rel`; if an older build left a folder where `rel` is a file, or a file where
    /// one of its folders goes (in the reused folder of the build before last), that stale entry is removed and
    /// `make` runs again. Without this every later build would fail on it, the folder being kept for the next.
    /// An entry this build wrote itself is a clash between two of its outputs: the error stands.
    fn with_room<T>(&self, rel: &str, make: impl Fn() -> std::io::Result<T>) -> std::io::Result<T> {
        use std::io::ErrorKind::{IsADirectory, NotADirectory};
        match make() {
            Err(e) if matches!(e.kind(), IsADirectory | NotADirectory) => match self.clear_way(rel)? {
                true => make(),
                false => Err(e),
            },
            done => done,
        }
    }

    /// Removes what stands in the way of the file `rel` (see [`Output::with_room`]); false when nothing could be.
    fn clear_way(&self, rel: &str) -> std::io::Result<bool> {
        let Some(temp) = &self.temp else { return Ok(false) };
        // Only ever inside the build's own folder.
        if Path::new(rel).components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
            return Ok(false);
        }
        let written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        let path = temp.join(rel);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            let inside = format!("{rel}/");
            if written.iter().any(|w| w.starts_with(&inside)) {
                return Ok(false);
            }
            std::fs::remove_dir_all(&path)?;
            return Ok(true);
        }
        let mut at = rel;
        while let Some(i) = at.rfind('/') {
            at = &at[..i];
            let folder = temp.join(at);
            match std::fs::symlink_metadata(&folder) {
                Ok(m) if !m.is_dir() => {
                    if written.contains(at) {
                        return Ok(false);
                    }
                    std::fs::remove_file(&folder)?;
                    return Ok(true);
                }
                _ => {}
            }
        }
        Ok(false)
    }

    /// Files and bytes written so far.
    pub fn totals(&self) -> (u64, u64) {
        (self.files.load(Ordering::Relaxed), self.bytes.load(Ordering::Relaxed))
    }

    /// Removes what a reused folder holds from older builds: files not written now, then folders left empty
    /// (only those that hold no file written now are tried).
    fn prune(temp: &Path, written: &HashSet<String>) -> Result<(), BuildError> {
        Self::prune_in(temp, "", written, &holding(written))
    }

    /// [`Output::prune`] of folder `dir` (site-relative `rel`, empty for the top): its files first, then each
    /// subfolder's contents and the subfolder itself unless it holds what this build wrote. Subfolders are
    /// pruned in parallel: a full build ends on this, and a large site has tens of thousands of files to look at.
    /// Links are not followed (a link to a folder is removed as a file unless written).
    fn prune_in(dir: &Path, rel: &str, written: &HashSet<String>, holding: &HashSet<&str>) -> Result<(), BuildError> {
        let mut folders = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io_err(dir))? {
            let entry = entry.map_err(io_err(dir))?;
            let path = entry.path();
            let name = entry.file_name();
            let child = match rel {
                "" => name.to_string_lossy().into_owned(),
                _ => format!("{rel}/{}", name.to_string_lossy()),
            };
            if entry.file_type().map_err(io_err(&path))?.is_dir() {
                folders.push((path, child));
            } else if !written.contains(&child) {
                std::fs::remove_file(&path).map_err(io_err(&path))?;
            }
        }
        folders.into_par_iter().try_for_each(|(path, child)| {
            Self::prune_in(&path, &child, written, holding)?;
            if !holding.contains(child.as_str()) {
                // Emptied now unless it holds something this build does not know of (a failure then).
                let _ = std::fs::remove_dir(&path);
            }
            Ok(())
        })
    }

    /// Swaps the finished folder in place of `output`: the old output is renamed away (kept as the next
    /// build's spare), the new one renamed in. A dry run does nothing.
    pub fn commit(mut self, output: &Path) -> Result<(), BuildError> {
        let Some(temp) = self.temp.take() else { return Ok(()) };
        let written = std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()));
        if let Err(e) = Self::prune(&temp, &written) {
            self.temp = Some(temp);
            return Err(e);
        }
        let had_old = output.exists();
        if had_old {
            if let Err(e) = std::fs::rename(output, &self.spare) {
                self.temp = Some(temp);
                return Err(io_err(output)(e));
            }
        }
        if let Err(e) = std::fs::rename(&temp, output) {
            // Put the previous site back so a failed swap changes nothing.
            if had_old {
                let _ = std::fs::rename(&self.spare, output);
            }
            self.temp = Some(temp);
            return Err(io_err(output)(e));
        }
        Ok(())
    }
}

/// The folder the output folder sits in (`.` for a bare name), where the build keeps what it needs beside it.
pub fn beside(output: &Path) -> PathBuf {
    match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The hidden folder `.NAME.pufa-{what}` beside the output folder `NAME`, its parent created.
fn sibling(output: &Path, what: &str) -> Result<PathBuf, BuildError> {
    let parent = beside(output);
    std::fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    let name = output.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
    Ok(parent.join(format!(".{name}.pufa-{what}")))
}

impl Output {
    /// Ends an incremental build: removes the `removed` files (and folders left empty) from `output`, then
    /// moves each staged file into place with a rename, so a reader never sees a half-written file.
    pub fn apply(mut self, output: &Path, removed: &[String]) -> Result<(), BuildError> {
        let Some(temp) = self.temp.take() else { return Ok(()) };
        let result = Self::move_in(&temp, output, removed, &self.written.lock().unwrap_or_else(|e| e.into_inner()));
        let _ = std::fs::remove_dir_all(&temp);
        result
    }

    fn move_in(temp: &Path, output: &Path, removed: &[String], written: &HashSet<String>) -> Result<(), BuildError> {
        for rel in removed {
            let path = output.join(rel);
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io_err(&path)(e)),
                _ => {}
            }
            // Folders left empty go too, up to the output folder; a failure means the folder still holds files.
            let mut dir = path.parent();
            while let Some(d) = dir.filter(|d| d.starts_with(output) && *d != output) {
                if std::fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
        for rel in written {
            let to = output.join(rel);
            in_folder(&to, || std::fs::rename(temp.join(rel), &to)).map_err(io_err(&to))?;
        }
        Ok(())
    }
}

impl Drop for Output {
    /// A build that did not commit keeps its folder as the spare for the next build (a staged one is deleted);
    /// the output is untouched.
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            if self.staged || self.spare.exists() || std::fs::rename(&temp, &self.spare).is_err() {
                let _ = std::fs::remove_dir_all(temp);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_for_table() {
        for (url, file) in [
            ("/", "index.html"),
            ("/a/", "a/index.html"),
            ("/栏目/页/", "栏目/页/index.html"),
            ("/atom.xml", "atom.xml"),
            ("/search/s/0a.json", "search/s/0a.json"),
        ] {
            assert_eq!(file_for(url), file);
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn failed_builds_leave_the_output_and_successful_ones_swap_it() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("old.html"), "old").unwrap();

        let failed = Output::beside(&out).unwrap();
        failed.write("new.html", b"new").unwrap();
        drop(failed);
        assert_eq!(std::fs::read_to_string(out.join("old.html")).unwrap(), "old");
        assert!(!out.join("new.html").exists());
        assert_eq!(names(dir.path()), [".public.pufa-lock", ".public.pufa-spare", "public"]);

        let ok = Output::beside(&out).unwrap();
        ok.write_page("/a/", "<p>a</p>").unwrap();
        assert_eq!(ok.totals(), (1, 8));
        ok.commit(&out).unwrap();
        // The spare's stale new.html was pruned; the old output became the spare.
        assert_eq!(names(&out), ["a"]);
        assert_eq!(std::fs::read_to_string(out.join("a/index.html")).unwrap(), "<p>a</p>");
        assert_eq!(names(&dir.path().join(".public.pufa-spare")), ["old.html"]);

        // The next build reuses the spare: old.html and its folders are pruned, a/ is rewritten.
        let again = Output::beside(&out).unwrap();
        again.write_page("/b/c/", "c").unwrap();
        again.commit(&out).unwrap();
        assert_eq!(names(&out), ["b"]);
        assert_eq!(names(&dir.path().join(".public.pufa-spare")), ["a"]);

        // Into the spare holding a/index.html: a/ keeps a new file two folders down and loses its own stale one,
        // b/ (in the output now) is not touched, a copied file gets its new folders too.
        let deeper = Output::beside(&out).unwrap();
        deeper.write("a/x/y/z.html", b"z").unwrap();
        deeper.copy(&out.join("b/c/index.html"), "d/e/f.txt").unwrap();
        deeper.commit(&out).unwrap();
        assert_eq!(names(&out), ["a", "d"]);
        assert_eq!(names(&out.join("a")), ["x"]);
        assert_eq!(std::fs::read_to_string(out.join("a/x/y/z.html")).unwrap(), "z");
        assert_eq!(std::fs::read_to_string(out.join("d/e/f.txt")).unwrap(), "c");
    }

    /// Builds into `out` writing `files`, committed: the third build on reuses the folder of the build before last.
    fn build(out: &Path, files: &[&str]) -> Result<(), BuildError> {
        let o = Output::beside(out)?;
        for f in files {
            o.write(f, f.as_bytes())?;
        }
        o.commit(out)
    }

    #[test]
    fn a_file_where_an_older_build_had_a_folder_and_back_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        // Build before last: `a/` a folder of pages; then a file `a` in its place; then pages again.
        build(&out, &["a/index.html", "a/b/index.html"]).unwrap();
        build(&out, &["x.html"]).unwrap();
        build(&out, &["a"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(std::fs::read_to_string(out.join("a")).unwrap(), "a");
        build(&out, &["y.html"]).unwrap();
        build(&out, &["a/index.html"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(std::fs::read_to_string(out.join("a/index.html")).unwrap(), "a/index.html");
        assert_eq!(names(&out), ["a"]);
    }

    #[test]
    fn a_clash_within_one_build_is_an_error_not_an_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let o = Output::beside(&out).unwrap();
        o.write("a", b"a").unwrap();
        assert!(o.write("a/index.html", b"b").is_err());
        assert_eq!(std::fs::read_to_string(dir.path().join(".public.pufa-building/a")).unwrap(), "a");
        o.write("c/index.html", b"c").unwrap();
        assert!(o.write("c", b"d").is_err());
        assert!(dir.path().join(".public.pufa-building/c/index.html").is_file());
        // A path leading out of the build's folder never has its way cleared.
        std::fs::create_dir_all(dir.path().join("outside")).unwrap();
        assert!(o.write("../outside", b"e").is_err());
        assert!(dir.path().join("outside").is_dir());
    }

    #[test]
    fn a_prune_keeps_every_folder_above_a_written_file() {
        let written: HashSet<String> =
            ["a/b/c.html", "a/d.html", "e.html", "a/b/f/g.json"].into_iter().map(String::from).collect();
        let mut kept: Vec<&str> = holding(&written).into_iter().collect();
        kept.sort();
        assert_eq!(kept, ["a", "a/b", "a/b/f"]);
    }

    #[test]
    fn a_missing_source_is_an_error_naming_it_not_a_new_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let o = Output::beside(&out).unwrap();
        let missing = dir.path().join("nope.png");
        let err = o.copy(&missing, "img/nope.png").unwrap_err();
        assert!(matches!(&err, BuildError::Io { path, .. } if *path == missing), "{err}");
    }
}
