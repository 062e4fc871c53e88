//! Static search for Chinese without a server: CJK runs become overlapping character bigrams, Latin and digit
//! runs lowercase words; postings are sharded by token hash so a query downloads only the shards it needs.
//! `static/search.js` is a port of [`tokens`], [`shard_of`] and [`lookup`]; keep them in step.
//! The index is built in [`index`] and read in [`lookup`](mod@lookup).

mod index;
mod lookup;

pub use index::{decode, encode, page_postings, shard_digests, IndexBuilder, Key, PagePostings, ShardLists};
pub use lookup::{lookup, search_dir, Hit};

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
/// Number of shard files under `search/s/`: enough that a two-bigram query fetches a few KB, few enough
/// that the folder stays small.
pub const SHARDS: u32 = 128;

/// Hit counts are capped so one very long page cannot outrank everything by repetition alone.
const MAX_HITS: u32 = 255;

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
                emit(Cow::Borrowed(&text[start..j + d.len_utf8()]));
                start = j;
                single_end = None;
            }
            if let Some(end) = single_end {
                emit(Cow::Borrowed(&text[i..end]));
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
                emit(Cow::Owned(word.to_lowercase()));
            } else {
                emit(Cow::Borrowed(word));
            }
        }
    }
}

/// The shard a token's postings live in: FNV-1a (32 bit) of its UTF-8 bytes.
pub fn shard_of(token: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in token.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h % SHARDS
}

/// One row of `search/pages.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageEntry {
    pub url: String,
    pub title: String,
    pub section: String,
    /// Display date, e.g. 2024年12月4日, or empty.
    pub date: String,
    pub summary: String,
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
}

/// Pages per chunk of the page table.
pub const CHUNK: usize = 1000;

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
