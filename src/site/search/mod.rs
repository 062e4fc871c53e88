//! Static search for Chinese without a server, sized for a cheap phone: CJK runs become overlapping character
//! bigrams, Latin and digit runs lowercase words. A query downloads only what it needs (issue 15):
//! - the shard files of its own tokens (`search/s/NNN.bin`, postings sharded by token hash, a few KB each, in the
//!   binary layout of [`shard`]);
//! - the rows of the results it shows (`search/p/N.json`, [`CHUNK`] pages a file);
//! - for each shown result, the one block of the page's text where the query first matches, by byte range from
//!   the page's text file (`search/t/K/EY.json`, see [`blocks`]), from which the excerpt and the nearest 第X条
//!   anchor come.
//!
//! `static/search.js` is a port of [`tokens`], [`shard_of`], [`read_shard`], [`lookup()`] and [`excerpt`]; keep them
//! in step.
//! The index is built in [`index`] (of [`postings`] gathered in [`runs`]) and read in [`lookup`](mod@lookup).

pub mod blocks;
mod index;
mod lookup;
mod postings;
mod runs;
pub mod shard;
mod spill;

pub use blocks::{block_range, excerpt, text_file, Block, Excerpt};
pub use index::{too_many_pages, IndexBuilder, ShardLists, MAX_PAGES};
pub use lookup::{lookup, query_tokens, search_dir, Found, Hit, Lookup, Shown};
pub use postings::{page_postings, shard_digests, PagePostings, ShardDigest};
pub use shard::{read_shard, write_shard};

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// Number of shard files under `search/s/`: on 3,500 long law texts about 8 KB each, so a query of a few
/// bigrams fetches tens of KB.
pub const SHARDS: u32 = 4096;

/// Hit counts are capped so one very long page cannot outrank everything by repetition alone.
const MAX_HITS: u32 = 63;

/// A posting's value: the block of the page's text where the token first occurs, its hits and whether it is
/// in the title, packed as `(block × 64 + hits) × 2 + title`.
pub fn posting_value(block: u32, hits: u32, title: bool) -> u32 {
    (block * (MAX_HITS + 1) + hits.min(MAX_HITS)) * 2 + u32::from(title)
}

/// The parts of a posting's value: (block, hits, title).
pub fn posting_parts(v: u32) -> (u32, u32, bool) {
    let rest = v >> 1;
    (rest / (MAX_HITS + 1), rest % (MAX_HITS + 1), v & 1 == 1)
}

/// The file of shard `n`.
pub fn shard_file(n: u32) -> String {
    format!("search/s/{n:03x}.bin")
}

/// Whether `c` is a Han character (CJK unified ideographs and their extensions, compatibility ideographs).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}

/// Letters and digits (`char::is_alphanumeric`), answered without Unicode tables for ASCII and the CJK and
/// full-width punctuation that fills Chinese text.
fn is_word_char(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_alphanumeric(),
        0x3000..=0x3004 | 0x3008..=0x3020 | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 => false,
        _ => c.is_alphanumeric(),
    }
}

/// Calls `emit` with every token of `text` in order: bigrams of CJK runs (a lone character is a token of its
/// own) and lowercase words of letters and digits. Everything else separates tokens.
pub fn tokens(text: &str, mut emit: impl FnMut(&str)) {
    tokens_cow(text, |t| emit(&t));
}

/// [`tokens`], borrowing from `text` whenever the token is already in lowercase (almost always).
fn tokens_cow<'a>(text: &'a str, mut emit: impl FnMut(Cow<'a, str>)) {
    tokens_at(text, |_, t| emit(t));
}

/// [`tokens_cow`] with the byte offset in `text` where each token starts.
fn tokens_at<'a>(text: &'a str, mut emit: impl FnMut(usize, Cow<'a, str>)) {
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_cjk(c) {
            let mut start = i;
            let mut single_end = Some(i + c.len_utf8());
            while let Some(&(j, d)) = chars.peek() {
                if !is_cjk(d) {
                    break;
                }
                chars.next();
                emit(start, Cow::Borrowed(&text[start..j + d.len_utf8()]));
                start = j;
                single_end = None;
            }
            if let Some(end) = single_end {
                emit(i, Cow::Borrowed(&text[i..end]));
            }
        } else if is_word_char(c) {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if !is_word_char(d) || is_cjk(d) {
                    break;
                }
                chars.next();
                end = j + d.len_utf8();
            }
            let word = &text[i..end];
            if word.chars().any(|c| c.to_lowercase().ne(std::iter::once(c))) {
                emit(i, Cow::Owned(word.to_lowercase()));
            } else {
                emit(i, Cow::Borrowed(word));
            }
        }
    }
}

/// The shard a token's postings live in: FNV-1a (32 bit) of its UTF-8 bytes.
pub fn shard_of(token: &str) -> u32 {
    fnv(token.as_bytes())
}

/// [`shard_of`] of a token's UTF-8 bytes.
fn fnv(bytes: &[u8]) -> u32 {
    bytes.iter().fold(FNV_START, |h, &b| fnv_byte(h, u32::from(b))) % SHARDS
}

/// FNV-1a's starting state.
const FNV_START: u32 = 0x811c_9dc5;

/// FNV-1a state `h` after one byte `b`.
fn fnv_byte(h: u32, b: u32) -> u32 {
    (h ^ b).wrapping_mul(0x0100_0193)
}

/// One row of `search/pages.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageEntry {
    pub url: String,
    pub title: String,
    pub section: String,
    /// Display date, e.g. 2024年12月4日, or empty.
    pub date: String,
    /// The name of the page's text file ([`text_file`]): stable while the page keeps its source file, so a
    /// page renumbered by another's addition keeps its file.
    pub key: String,
    /// The length in bytes of each block in the page's text file (see [`block_range`]).
    pub blocks: Vec<u32>,
}

/// What a build keeps of a page's text file: its fingerprint and the length of each block in bytes (the page
/// table's [`PageEntry::blocks`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextFile {
    pub fingerprint: u64,
    pub blocks: Vec<u32>,
}

/// `search/pages.json`: how the index is laid out, so the client needs no constants of its own. The page table
/// itself is in chunks of [`CHUNK`] pages (`search/p/0.json`, …; see [`chunk_file`]), fetched as results need
/// them: retitling a page rewrites one chunk, not a table of every page.
#[derive(Debug, Serialize, Deserialize)]
pub struct PageTable {
    /// How many shard files there are.
    pub shards: u32,
    /// Pages per chunk of the page table.
    pub chunk: u32,
    /// Pages in all; postings refer to pages by number, page `n` is row `n % chunk` of chunk `n / chunk`.
    pub pages: u32,
    /// The index layout's version; the page's script refuses another.
    pub version: u32,
}

/// The index layout written by this pufa ([`PageTable::version`]).
pub const VERSION: u32 = 4;

/// Pages per chunk of the page table: ten results shown fetch at most ten chunks of a few KB.
pub const CHUNK: usize = 16;

/// The file of chunk `n` of the page table.
pub fn chunk_file(n: usize) -> String {
    format!("search/p/{n}.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<String> {
        let mut v = Vec::new();
        tokens(text, |t| v.push(t.to_string()));
        v
    }

    #[test]
    fn tokenizer_table() {
        let cases: &[(&str, &[&str])] = &[
            ("宪法", &["宪法"]),
            ("中华人民", &["中华", "华人", "人民"]),
            ("法", &["法"]),
            ("第33条 Art.5", &["第", "33", "条", "art", "5"]),
            ("民法典，第一编", &["民法", "法典", "第一", "一编"]),
            ("WeChat微信PAY", &["wechat", "微信", "pay"]),
            ("", &[]),
            ("，。！", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(all(text), *want, "{text}");
        }
    }

    #[test]
    fn word_char_fast_path_agrees_with_unicode() {
        for c in (0..0x80u32).chain(0x3000..0x3040).chain(0xFF00..0xFF70).filter_map(char::from_u32) {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn shard_is_stable_fnv1a() {
        // FNV-1a of "a" is 0xe40c292c; search.js must agree.
        assert_eq!(shard_of("a"), 0xe40c_292c % SHARDS);
        assert!(shard_of("宪法") < SHARDS);
    }
}
