//! Writing the site: everything goes into a temporary folder next to the output, swapped in with renames only
//! when the whole build succeeded, so a failed build leaves the previous site untouched.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::BuildError;

/// Where the files of one build go: a temporary folder, or nowhere (for `pufa check`).
#[derive(Debug)]
pub struct Output {
    /// The temporary folder; None for a dry run.
    temp: Option<PathBuf>,
    files: AtomicU64,
    bytes: AtomicU64,
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

impl Output {
    /// A fresh temporary folder beside `output` (same file system, so the final renames are atomic).
    pub fn beside(output: &Path) -> Result<Output, BuildError> {
        let parent = match output.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(io_err(&parent))?;
        let name = output.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
        let temp = parent.join(format!(".{name}.building-{}", std::process::id()));
        if temp.exists() {
            std::fs::remove_dir_all(&temp).map_err(io_err(&temp))?;
        }
        std::fs::create_dir_all(&temp).map_err(io_err(&temp))?;
        Ok(Output { temp: Some(temp), files: AtomicU64::new(0), bytes: AtomicU64::new(0) })
    }

    /// An output that writes nothing, for checking.
    pub fn dry() -> Output {
        Output { temp: None, files: AtomicU64::new(0), bytes: AtomicU64::new(0) }
    }

    /// Writes `bytes` to the site-relative file `rel`, creating folders as needed.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), BuildError> {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        let Some(temp) = &self.temp else { return Ok(()) };
        let path = temp.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        }
        std::fs::write(&path, bytes).map_err(io_err(&path))
    }

    /// Writes the page for a site path such as `/columns/宪法/`.
    pub fn write_page(&self, url: &str, html: &str) -> Result<(), BuildError> {
        self.write(&file_for(url), html.as_bytes())
    }

    /// Copies a file from disk to the site-relative path `rel`.
    pub fn copy(&self, from: &Path, rel: &str) -> Result<(), BuildError> {
        self.files.fetch_add(1, Ordering::Relaxed);
        let Some(temp) = &self.temp else {
            return std::fs::metadata(from).map(|_| ()).map_err(io_err(from));
        };
        let path = temp.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        }
        let n = std::fs::copy(from, &path).map_err(io_err(from))?;
        self.bytes.fetch_add(n, Ordering::Relaxed);
        Ok(())
    }

    /// Files and bytes written so far.
    pub fn totals(&self) -> (u64, u64) {
        (self.files.load(Ordering::Relaxed), self.bytes.load(Ordering::Relaxed))
    }

    /// Swaps the finished folder in place of `output`: the old output is renamed away, the new one renamed in,
    /// then the old one removed. A dry run does nothing.
    pub fn commit(mut self, output: &Path) -> Result<(), BuildError> {
        let Some(temp) = self.temp.take() else { return Ok(()) };
        let old = temp.with_file_name(format!(
            "{}.old",
            temp.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        ));
        let had_old = output.exists();
        if had_old {
            std::fs::rename(output, &old).map_err(io_err(output))?;
        }
        if let Err(e) = std::fs::rename(&temp, output) {
            // Put the previous site back so a failed swap changes nothing.
            if had_old {
                let _ = std::fs::rename(&old, output);
            }
            let _ = std::fs::remove_dir_all(&temp);
            return Err(io_err(output)(e));
        }
        if had_old {
            std::fs::remove_dir_all(&old).map_err(io_err(&old))?;
        }
        Ok(())
    }
}

impl Drop for Output {
    /// A build that did not commit leaves no temporary folder behind.
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            let _ = std::fs::remove_dir_all(temp);
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

    #[test]
    fn commit_replaces_and_drop_discards() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("old.html"), "old").unwrap();

        let failed = Output::beside(&out).unwrap();
        failed.write("new.html", b"new").unwrap();
        drop(failed);
        assert!(out.join("old.html").exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "temporary folder left behind");

        let ok = Output::beside(&out).unwrap();
        ok.write_page("/a/", "<p>a</p>").unwrap();
        assert_eq!(ok.totals(), (1, 8));
        ok.commit(&out).unwrap();
        assert!(!out.join("old.html").exists());
        assert_eq!(std::fs::read_to_string(out.join("a/index.html")).unwrap(), "<p>a</p>");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
