//! The shard file's binary layout (`search/s/NNN.bin`, index layout 4): JSON made the shards twice as large (80.6
//! MB instead of 40.4 MB for 3,500 law texts) and writing its decimal digits cost the build 7 % of its CPU time.
//!
//! A shard file is its tokens one after the other, in the order of their UTF-8 bytes. A token is
//! - the length of its UTF-8 bytes (a varint), then the bytes;
//! - the length in bytes of its postings (a varint), so a reader skips a token it does not want unread;
//! - per posting, pages ascending: the page's distance from the previous page of the token (the first from 0)
//!   and the posting's value ([`super::posting_value`]), both varints.
//!
//! Varints are LEB128: seven bits a byte, low bits first, the high bit set on all but the last byte.
//! `static/search.js` reads this layout (its `postings`); keep them in step.

use super::index::ShardLists;

/// Appends tokens to a shard file's bytes; the caller gives them in the order of their UTF-8 bytes.
#[derive(Debug, Default)]
pub struct ShardWriter {
    out: Vec<u8>,
    list: Vec<u8>,
}

impl ShardWriter {
    /// A writer for a file of about `bytes` bytes.
    pub fn with_capacity(bytes: usize) -> ShardWriter {
        ShardWriter { out: Vec::with_capacity(bytes), list: Vec::with_capacity(256) }
    }

    /// Appends `token` and its postings, (page, value) pages ascending.
    pub fn token(&mut self, token: &[u8], postings: impl IntoIterator<Item = (u32, u32)>) {
        self.list.clear();
        let mut last = 0;
        for (page, value) in postings {
            debug_assert!(page >= last, "pages ascending");
            varint(&mut self.list, u64::from(page - last));
            varint(&mut self.list, u64::from(value));
            last = page;
        }
        varint(&mut self.out, token.len() as u64);
        self.out.extend_from_slice(token);
        varint(&mut self.out, self.list.len() as u64);
        self.out.extend_from_slice(&self.list);
    }

    /// The file's bytes.
    pub fn finish(self) -> Vec<u8> {
        self.out
    }
}

/// The bytes of a shard file holding `lists`.
pub fn write_shard(lists: &ShardLists) -> Vec<u8> {
    let mut w = ShardWriter::with_capacity(lists.values().map(|l| l.len() * 3 + 12).sum());
    for (token, list) in lists {
        w.token(token.as_bytes(), list.iter().copied());
    }
    w.finish()
}

/// The lists of a shard file's bytes; an error says at which byte the file stops making sense.
pub fn read_shard(bytes: &[u8]) -> Result<ShardLists, String> {
    let mut lists = ShardLists::new();
    let mut at = 0;
    while at < bytes.len() {
        let token = take(bytes, &mut at)?;
        let token = std::str::from_utf8(token).map_err(|_| format!("byte {at}: a token that is not UTF-8"))?;
        let mut postings = Vec::new();
        let list = take(bytes, &mut at)?;
        let (mut i, mut page) = (0, 0u32);
        while i < list.len() {
            let delta =
                read(list, &mut i).ok_or_else(|| format!("byte {}: a posting cut short", at - list.len() + i))?;
            let value =
                read(list, &mut i).ok_or_else(|| format!("byte {}: a posting cut short", at - list.len() + i))?;
            page = u32::try_from(delta).ok().and_then(|d| page.checked_add(d)).ok_or("a page number past 2³²")?;
            postings.push((page, u32::try_from(value).map_err(|_| "a posting's value past 2³²")?));
        }
        lists.insert(token.to_string(), postings);
    }
    Ok(lists)
}

/// A varint length at `*at`, then that many bytes.
fn take<'a>(bytes: &'a [u8], at: &mut usize) -> Result<&'a [u8], String> {
    let start = *at;
    let len = read(bytes, at).ok_or_else(|| format!("byte {start}: a length cut short"))?;
    let end = usize::try_from(len).ok().and_then(|l| at.checked_add(l)).filter(|&e| e <= bytes.len());
    let end = end.ok_or_else(|| format!("byte {start}: a length of {len} past the end of the file"))?;
    let slice = &bytes[*at..end];
    *at = end;
    Ok(slice)
}

/// Appends `n` as a varint.
pub(super) fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// The varint at `*at`, moving past it; None when the bytes end inside it or it is longer than ten bytes.
fn read(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut n = 0u64;
    for shift in (0..70).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        n |= u64::from(b & 0x7F).checked_shl(shift).unwrap_or(0);
        if b < 0x80 {
            return Some(n);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists(pairs: &[(&str, &[(u32, u32)])]) -> ShardLists {
        pairs.iter().map(|(t, l)| (t.to_string(), l.to_vec())).collect()
    }

    #[test]
    fn a_shard_reads_back_as_written() {
        let want = lists(&[
            ("2019", &[(0, 2)]),
            ("gb", &[(3, 0), (4, 1), (300, 129)]),
            ("宪法", &[(0, 5), (127, 130), (128, u32::MAX), (u32::MAX, 0)]),
            ("𠀀𠀁", &[(7, 16_384)]),
        ]);
        let bytes = write_shard(&want);
        assert_eq!(read_shard(&bytes), Ok(want));
        assert_eq!(read_shard(&[]), Ok(ShardLists::new()));
    }

    #[test]
    fn the_layout_is_the_documented_one() {
        // "ab": 2 bytes; postings 4 bytes: page 1 (delta 1), value 2; page 200 (delta 199 = two bytes), value 3.
        let bytes = write_shard(&lists(&[("ab", &[(1, 2), (200, 3)])]));
        assert_eq!(bytes, [2, b'a', b'b', 5, 1, 2, 0xC7, 0x01, 3]);
    }

    #[test]
    fn a_damaged_file_is_an_error_naming_the_byte() {
        let first = write_shard(&lists(&[("宪法", &[(1, 2), (200, 3)])])).len();
        let bytes = write_shard(&lists(&[("宪法", &[(1, 2), (200, 3)]), ("法律", &[(5, 6)])]));
        // Cut anywhere but between two tokens.
        for cut in (1..bytes.len()).filter(|&c| c != first) {
            let got = read_shard(&bytes[..cut]);
            assert!(got.as_ref().is_err_and(|e| e.starts_with("byte ")), "cut at {cut}: {got:?}");
        }
        let mut bad = bytes.clone();
        bad[1] = 0xFF;
        assert!(read_shard(&bad).is_err_and(|e| e.contains("UTF-8")));
        assert!(read_shard(&[0xFF; 12]).is_err());
    }
}
