//! Where a store of search postings puts its encoded runs once it holds its share of memory: an unnamed
//! temporary file beside the output (the system removes it when it is closed, even after a crash), written
//! once as the pages render and read back a group of shards at a time at the end of the build.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

#[derive(Debug)]
pub(super) struct SpillFile {
    file: File,
    len: u64,
}

impl SpillFile {
    /// A new empty file in `dir`.
    pub fn create(dir: &Path) -> io::Result<SpillFile> {
        Ok(SpillFile { file: tempfile::tempfile_in(dir)?, len: 0 })
    }

    /// Appends `bytes` and returns where they start. After a failed write the file must not be appended to
    /// again (its length is unknown); what was written before stays readable.
    pub fn append(&mut self, bytes: &[u8]) -> io::Result<u64> {
        let at = self.len;
        self.file.write_all(bytes)?;
        self.len += bytes.len() as u64;
        Ok(at)
    }

    /// The `len` bytes at `offset`; safe to call from many threads at once.
    pub fn read(&self, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        let mut buf = vec![0; len];
        read_exact_at(&self.file, &mut buf, offset)
            .map_err(|e| io::Error::new(e.kind(), format!("reading back the search index's temporary file: {e}")))?;
        Ok(buf)
    }
}

#[cfg(test)]
impl SpillFile {
    /// Empties the file behind the runs written to it, as a disk failing under it would (for tests).
    pub fn lose_contents(&self) {
        self.file.set_len(0).expect("truncate");
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => (buf, offset) = (&mut buf[n..], offset + n as u64),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appended_bytes_read_back_from_anywhere() {
        let dir = tempfile::tempdir().expect("dir");
        let mut f = SpillFile::create(dir.path()).expect("file");
        let a = f.append(b"hello ").expect("a");
        let b = f.append("法治宣传".as_bytes()).expect("b");
        assert_eq!((a, b), (0, 6));
        assert_eq!(f.read(b, 12).expect("read"), "法治宣传".as_bytes());
        assert_eq!(f.read(2, 6).expect("read"), b"llo \xe6\xb3");
        let past = f.read(b, 13).expect_err("past the end");
        assert_eq!(past.kind(), io::ErrorKind::UnexpectedEof);
        assert!(past.to_string().contains("temporary file"), "{past}");
        // The file has no name: nothing is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
    }
}
