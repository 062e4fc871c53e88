//! Static search for Chinese without a server: CJK runs become overlapping character bigrams, Latin and digit
//! runs lowercase words; postings are sharded by token hash so a query downloads only the shards it needs.
//! `static/search.js` is a port of [`tokens`], [`shard_of`] and [`lookup`]; keep them in step.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Mutex;

use foldhash::{HashMap, HashMapExt};
use std::path::Path;

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

/// Postings being gathered during the build, one map per shard file, each behind its own lock so the worker
/// threads rarely wait for each other; pages are added in any order.
#[derive(Debug)]
pub struct IndexBuilder {
    shards: Vec<Mutex<Postings>>,
}

/// One shard's postings: token → (page number, hits × 2 + 1 if the token is in the title).
type Postings = HashMap<Key, Vec<(u32, u32)>>;

/// A token while the index is built: one or two Han characters packed into a number (no allocation for the
/// bulk of Chinese text), anything else as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    Han(u64),
    Word(Box<str>),
}

/// Marks the second slot of a packed single character as empty (above any `char`).
const NO_CHAR: u64 = 0x1F_FFFF;

impl Key {
    fn new(tok: &str) -> Key {
        let mut chars = tok.chars();
        match (chars.next(), chars.next(), chars.next()) {
            (Some(a), b, None) if is_cjk(a) && b.is_none_or(is_cjk) => {
                Key::Han((a as u64) << 21 | b.map_or(NO_CHAR, |b| b as u64))
            }
            _ => Key::Word(tok.into()),
        }
    }

    fn into_text(self) -> String {
        match self {
            Key::Han(n) => [n >> 21, n & NO_CHAR]
                .into_iter()
                .filter(|&c| c != NO_CHAR)
                .filter_map(|c| char::from_u32(c as u32))
                .collect(),
            Key::Word(w) => w.into(),
        }
    }
}

impl Default for IndexBuilder {
    fn default() -> Self {
        IndexBuilder { shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect() }
    }
}

/// One page's postings: (shard, token, hits × 2 + title flag), sorted by shard; computed outside any lock.
pub type PagePostings = Vec<(u32, Key, u32)>;

/// The postings of one page.
pub fn page_postings(title: &str, text: &str) -> PagePostings {
    // Chinese text has roughly one distinct bigram per four characters of a page.
    let mut counts: HashMap<Cow<'_, str>, (u32, bool)> = HashMap::with_capacity(text.len() / 12 + 16);
    for (source, in_title) in [(title, true), (text, false)] {
        tokens_cow(source, |tok| {
            let slot = counts.entry(tok).or_default();
            slot.0 = (slot.0 + 1).min(MAX_HITS);
            slot.1 |= in_title;
        });
    }
    let mut out: PagePostings = counts
        .into_iter()
        .map(|(k, (hits, title))| (shard_of(&k), Key::new(&k), hits * 2 + u32::from(title)))
        .collect();
    out.sort_unstable_by_key(|p| p.0);
    out
}

impl IndexBuilder {
    /// Adds the postings of page `page` (its position in the page table). Safe to call from many threads.
    pub fn add(&self, page: u32, postings: PagePostings) {
        let mut rest = postings.into_iter().peekable();
        while let Some(&(n, _, _)) = rest.peek() {
            let mut shard = self.shards[n as usize].lock().unwrap_or_else(|e| e.into_inner());
            while let Some((_, tok, v)) = rest.next_if(|p| p.0 == n) {
                match shard.get_mut(&tok) {
                    Some(l) => l.push((page, v)),
                    None => {
                        shard.insert(tok, vec![(page, v)]);
                    }
                }
            }
        }
    }

    /// Each shard's postings as lists: token → (page, value), pages ascending.
    pub fn into_lists(self) -> Vec<ShardLists> {
        self.shards
            .into_iter()
            .map(|m| {
                let m = m.into_inner().unwrap_or_else(|e| e.into_inner());
                m.into_iter()
                    .map(|(tok, mut list)| {
                        list.sort_unstable();
                        (tok.into_text(), list)
                    })
                    .collect()
            })
            .collect()
    }

    /// The shard files' contents: token → flat `[page delta, value, page delta, value, …]`, pages ascending.
    pub fn into_shards(self) -> Vec<BTreeMap<String, Vec<u32>>> {
        self.into_lists().into_iter().map(encode).collect()
    }
}

/// A shard's postings before encoding: token → (page, hits × 2 + title flag), pages ascending.
pub type ShardLists = BTreeMap<String, Vec<(u32, u32)>>;

/// A shard file's contents from its lists: page numbers delta-encoded, flattened with their values.
pub fn encode(lists: ShardLists) -> BTreeMap<String, Vec<u32>> {
    lists
        .into_iter()
        .map(|(tok, list)| {
            let mut flat = Vec::with_capacity(list.len() * 2);
            let mut last = 0;
            for (page, v) in list {
                flat.push(page - last);
                flat.push(v);
                last = page;
            }
            (tok, flat)
        })
        .collect()
}

/// The lists of a shard file's contents (the inverse of [`encode`]).
pub fn decode(shard: BTreeMap<String, Vec<u32>>) -> ShardLists {
    shard
        .into_iter()
        .map(|(tok, flat)| {
            let mut page = 0;
            let list = flat
                .chunks(2)
                .map(|pair| {
                    page += pair[0];
                    (page, pair.get(1).copied().unwrap_or(0))
                })
                .collect();
            (tok, list)
        })
        .collect()
}

/// A digest of one page's postings in each shard (0 where it has none), independent of their order: an
/// incremental build rewrites only the shards whose digest changed.
pub fn shard_digests(postings: &PagePostings) -> Vec<u64> {
    let mut out = vec![0u64; SHARDS as usize];
    for (n, key, v) in postings {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        match key {
            Key::Han(c) => h.update(&c.to_le_bytes()),
            Key::Word(w) => {
                h.update(b"w");
                h.update(w.as_bytes());
            }
        }
        h.update(&v.to_le_bytes());
        let slot = &mut out[*n as usize];
        *slot = slot.wrapping_add(h.digest() | 1);
    }
    out
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub page: u32,
    /// Every query token is in the title.
    pub title: bool,
    pub hits: u32,
}

/// Finds the pages holding every token of `query`, title matches first, then by hits, then by page number.
/// `shard` returns a shard's postings (None when it is missing).
pub fn lookup(query: &str, mut shard: impl FnMut(u32) -> Option<BTreeMap<String, Vec<u32>>>) -> Vec<Hit> {
    let mut toks: Vec<String> = Vec::new();
    tokens(query, |t| {
        if !toks.iter().any(|x| x == t) {
            toks.push(t.to_string());
        }
    });
    if toks.is_empty() {
        return Vec::new();
    }
    let mut loaded: HashMap<u32, BTreeMap<String, Vec<u32>>> = HashMap::new();
    let mut result: Option<BTreeMap<u32, (bool, u32)>> = None;
    for tok in &toks {
        let s = shard_of(tok);
        let postings = loaded.entry(s).or_insert_with(|| shard(s).unwrap_or_default());
        let mut pages = BTreeMap::new();
        if let Some(flat) = postings.get(tok) {
            let mut page = 0;
            for pair in flat.chunks(2) {
                page += pair[0];
                let v = pair.get(1).copied().unwrap_or(0);
                pages.insert(page, (v & 1 == 1, v >> 1));
            }
        }
        result = Some(match result {
            None => pages,
            Some(prev) => prev
                .into_iter()
                .filter_map(|(p, (t, h))| pages.get(&p).map(|&(t2, h2)| (p, (t && t2, h + h2))))
                .collect(),
        });
    }
    let mut hits: Vec<Hit> =
        result.unwrap_or_default().into_iter().map(|(page, (title, hits))| Hit { page, title, hits }).collect();
    hits.sort_by(|a, b| b.title.cmp(&a.title).then(b.hits.cmp(&a.hits)).then(a.page.cmp(&b.page)));
    hits
}

/// Runs [`lookup`] against an index written to `dir/search/`, as the browser would, returning page rows.
pub fn search_dir(dir: &Path, query: &str) -> std::io::Result<Vec<PageEntry>> {
    let table: PageTable = serde_json::from_slice(&std::fs::read(dir.join("search/pages.json"))?)?;
    assert_eq!(table.shards, SHARDS, "index written with another shard count");
    let hits = lookup(query, |s| {
        let bytes = std::fs::read(dir.join(format!("search/s/{s:02x}.json"))).ok()?;
        serde_json::from_slice(&bytes).ok()
    });
    let chunk = table.chunk.max(1) as usize;
    let mut chunks: HashMap<usize, Vec<PageEntry>> = HashMap::new();
    let mut rows = Vec::with_capacity(hits.len());
    for h in hits {
        let n = h.page as usize / chunk;
        let table = match chunks.entry(n) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(serde_json::from_slice(&std::fs::read(dir.join(chunk_file(n)))?)?)
            }
        };
        rows.push(table[h.page as usize % chunk].clone());
    }
    Ok(rows)
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
    fn keys_round_trip() {
        for tok in ["宪法", "法", "ab", "12", "𠀀𠀁", "a宪"] {
            assert_eq!(Key::new(tok).into_text(), tok);
        }
        assert!(matches!(Key::new("宪法"), Key::Han(_)));
        assert!(matches!(Key::new("word"), Key::Word(_)));
    }

    #[test]
    fn shard_is_stable_fnv1a() {
        // FNV-1a of "a" is 0xe40c292c; search.js must agree.
        assert_eq!(shard_of("a"), 0xe40c_292c % SHARDS);
        assert!(shard_of("宪法") < SHARDS);
    }

    #[test]
    fn lookup_intersects_and_ranks_title_first() {
        let b = IndexBuilder::default();
        b.add(0, page_postings("民法典解读", "宪法是根本法。宪法宪法"));
        b.add(1, page_postings("宪法学习", "学习宪法"));
        b.add(2, page_postings("安全生产", "生产经营单位"));
        let shards = b.into_shards();
        let get = |s: u32| Some(shards[s as usize].clone());
        let pages = |q: &str| lookup(q, get).into_iter().map(|h| h.page).collect::<Vec<_>>();
        assert_eq!(pages("宪法"), vec![1, 0]);
        assert_eq!(pages("生产"), vec![2]);
        assert_eq!(pages("根本法"), vec![0]);
        assert_eq!(pages("宪法 生产"), Vec::<u32>::new());
        assert_eq!(pages("刑法"), Vec::<u32>::new());
        assert_eq!(pages(""), Vec::<u32>::new());
    }

    #[test]
    fn uppercase_words_are_found_in_lowercase() {
        let b = IndexBuilder::default();
        b.add(0, page_postings("APP 隐私", "Personal Information"));
        let shards = b.into_shards();
        let hits = lookup("personal APP", |s| Some(shards[s as usize].clone()));
        assert_eq!(hits, vec![Hit { page: 0, title: false, hits: 2 }]);
    }
}
