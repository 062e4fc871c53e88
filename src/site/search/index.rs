//! Building the search index: each page's postings computed apart, appended per shard behind small locks as
//! compact records, then sorted and encoded as the shard files (`search/s/NNN.json`) and their per-page digests
//! for incremental builds.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Mutex;

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;

use crate::diag::Diagnostic;

use super::{is_cjk, posting_value, shard_of, tokens_at, tokens_cow, MAX_HITS, SHARDS};

/// Postings being gathered during the build, one record store per shard file, each behind its own lock so the
/// worker threads rarely wait for each other; pages are added in any order.
///
/// A posting is appended, never looked up: 3,500 long law texts have about ten million postings of over a
/// million tokens, and finding each token's list in a map cost a cache miss or more per posting. Each shard's
/// records are sorted once at the end, in cache, and come out grouped by token with their pages ascending.
#[derive(Debug)]
pub struct IndexBuilder {
    shards: Vec<Mutex<Shard>>,
}

/// The most pages the index numbers: a record keeps its page in the bits its token leaves free.
pub const MAX_PAGES: u32 = 1 << PAGE_BITS;

const PAGE_BITS: u32 = 64 - KEY_BITS;

/// A token packed in 42 bits: two characters of 21 bits ([`Key::Han`]), or [`WORD`] and a word's number in its
/// shard.
const KEY_BITS: u32 = 42;

/// Marks the second slot of a packed single character as empty (above any `char`); in the first slot, a word.
const NO_CHAR: u64 = 0x1F_FFFF;
const WORD: u64 = NO_CHAR << 21;

/// Records are allocated this many at a time, so a shard's store grows without copying.
const RUN: usize = 1024;

/// One shard's postings: records of (token << [`PAGE_BITS`] | page, value), in runs of [`RUN`], and the words
/// (tokens other than Han characters) by number.
#[derive(Debug, Default)]
struct Shard {
    /// The run being filled, beside the lock: an append touches the lock's cache line and the record's.
    run: Vec<Record>,
    full: Vec<Vec<Record>>,
    words: HashMap<Box<str>, u64>,
    names: Vec<Box<str>>,
}

/// Twelve bytes a posting (sixteen with the value aligned); the build holds all of them at once.
#[derive(Debug, Clone, Copy)]
#[repr(C, packed(4))]
struct Record {
    key_page: u64,
    value: u32,
}

/// A token while the index is built: one or two Han characters packed into a number (no allocation for the
/// bulk of Chinese text), anything else as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    Han(u64),
    Word(Box<str>),
}

#[cfg(test)]
impl Key {
    fn new(tok: &str) -> Key {
        match han(tok) {
            Some(n) => Key::Han(n),
            None => Key::Word(tok.into()),
        }
    }

    fn into_text(self) -> String {
        match self {
            Key::Han(n) => han_text(n),
            Key::Word(w) => w.into(),
        }
    }
}

/// `tok` packed when it is one or two Han characters.
fn han(tok: &str) -> Option<u64> {
    let mut chars = tok.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (Some(a), b, None) if is_cjk(a) && b.is_none_or(is_cjk) => {
            Some((a as u64) << 21 | b.map_or(NO_CHAR, |b| b as u64))
        }
        _ => None,
    }
}

fn han_text(n: u64) -> String {
    [n >> 21, n & NO_CHAR].into_iter().filter(|&c| c != NO_CHAR).filter_map(|c| char::from_u32(c as u32)).collect()
}

/// The shard of a packed Han token, as [`shard_of`] gives it for its text.
fn han_shard(n: u64) -> u32 {
    let mut buf = [0u8; 8];
    let mut len = 0;
    for c in [n >> 21, n & NO_CHAR].into_iter().filter(|&c| c != NO_CHAR).filter_map(|c| char::from_u32(c as u32)) {
        len += c.encode_utf8(&mut buf[len..]).len();
    }
    super::fnv(&buf[..len])
}

/// The error of a site with more pages than the index numbers (the build fails on it; the pages above the limit
/// would share numbers with others).
pub fn too_many_pages(pages: usize) -> Option<Diagnostic> {
    let text = format!("{pages} pages: the search index numbers at most {}", MAX_PAGES - 1);
    (pages >= MAX_PAGES as usize).then(|| Diagnostic::error("content", 0, 0, text))
}

impl Default for IndexBuilder {
    fn default() -> Self {
        IndexBuilder { shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect() }
    }
}

/// One page's postings: (shard, token, hits × 2 + title flag), sorted by shard; computed outside any lock.
pub type PagePostings = Vec<(u32, Key, u32)>;

/// Per token of a page: hits, in the title, the block of its first occurrence in the text (u32::MAX: none yet).
type Count = (u32, bool, u32);

/// The postings of one page whose text blocks start at `starts` (see [`super::blocks::starts`]).
pub fn page_postings<'a>(title: &'a str, text: &'a str, starts: &[usize]) -> PagePostings {
    // Chinese text has roughly one distinct bigram per four characters of a page. Han tokens are counted by
    // their packed number (hashing a number, not a string), the rare others by their text.
    let mut han_counts: HashMap<u64, Count> = HashMap::with_capacity(text.len() / 12 + 16);
    let mut word_counts: HashMap<Cow<'a, str>, Count> = HashMap::new();
    let mut count = |tok: Cow<'a, str>, in_title: bool, block: u32| {
        let slot = match han(&tok) {
            Some(n) => han_counts.entry(n).or_insert((0, in_title, u32::MAX)),
            None => word_counts.entry(tok).or_insert((0, in_title, u32::MAX)),
        };
        slot.0 = (slot.0 + 1).min(MAX_HITS);
        if !in_title && slot.2 == u32::MAX {
            slot.2 = block;
        }
    };
    tokens_cow(title, |tok| count(tok, true, 0));
    // Offsets only grow, so the block is found by walking on, not by a search per token.
    let mut block = 0;
    tokens_at(text, |at, tok| {
        while starts.get(block + 1).is_some_and(|&s| s <= at) {
            block += 1;
        }
        count(tok, false, block as u32);
    });
    let value = |(hits, title, block): Count| posting_value(if block == u32::MAX { 0 } else { block }, hits, title);
    let mut out: PagePostings = Vec::with_capacity(han_counts.len() + word_counts.len());
    out.extend(han_counts.into_iter().map(|(n, c)| (han_shard(n), Key::Han(n), value(c))));
    out.extend(word_counts.into_iter().map(|(w, c)| (shard_of(&w), Key::Word(w.into()), value(c))));
    out.sort_unstable_by_key(|p| p.0);
    out
}

impl IndexBuilder {
    /// Adds the postings of page `page` (its position in the page table, below [`MAX_PAGES`]; see
    /// [`too_many_pages`]). Safe to call from many threads.
    pub fn add(&self, page: u32, postings: PagePostings) {
        let page = u64::from(page) & (u64::from(MAX_PAGES) - 1);
        let mut rest = postings.into_iter().peekable();
        while let Some(&(n, _, _)) = rest.peek() {
            let mut shard = self.shards[n as usize].lock().unwrap_or_else(|e| e.into_inner());
            while let Some((_, tok, value)) = rest.next_if(|p| p.0 == n) {
                let key = match tok {
                    Key::Han(k) => k,
                    Key::Word(w) => shard.word(w),
                };
                shard.push(Record { key_page: key << PAGE_BITS | page, value });
            }
        }
    }

    /// Each shard's postings as lists: token → (page, value), pages ascending. Shards are finished in parallel,
    /// each freeing its records as it goes.
    pub fn into_lists(self) -> impl IndexedParallelIterator<Item = ShardLists> {
        self.shards.into_par_iter().map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()).into_lists())
    }

    /// The shard files' contents: token → flat `[page delta, value, page delta, value, …]`, pages ascending.
    pub fn into_shards(self) -> Vec<BTreeMap<String, Vec<u32>>> {
        self.into_lists().map(encode).collect()
    }
}

impl Shard {
    fn word(&mut self, w: Box<str>) -> u64 {
        if let Some(&n) = self.words.get(&w) {
            return n;
        }
        // More than two million distinct words in one shard would need a corpus of billions of words.
        let n = WORD | (self.names.len() as u64 & NO_CHAR);
        self.names.push(w.clone());
        self.words.insert(w, n);
        n
    }

    fn push(&mut self, r: Record) {
        if self.run.len() == self.run.capacity() {
            let full = std::mem::replace(&mut self.run, Vec::with_capacity(RUN));
            if !full.is_empty() {
                self.full.push(full);
            }
        }
        self.run.push(r);
    }

    fn into_lists(self) -> ShardLists {
        let mut records = self.run;
        for run in self.full {
            records.extend(run);
        }
        // Token first, then page: the packed number orders both.
        records.sort_unstable_by_key(|r| r.key_page);
        let mut lists = ShardLists::new();
        let mut at = 0;
        while at < records.len() {
            let key = { records[at].key_page } >> PAGE_BITS;
            let end = at + records[at..].iter().take_while(|r| { r.key_page } >> PAGE_BITS == key).count();
            let list = records[at..end]
                .iter()
                .map(|r| (({ r.key_page } & (u64::from(MAX_PAGES) - 1)) as u32, { r.value }))
                .collect();
            let text = match key & WORD == WORD {
                true => self.names.get((key & NO_CHAR) as usize).map(|w| w.to_string()).unwrap_or_default(),
                false => han_text(key),
            };
            lists.insert(text, list);
            at = end;
        }
        lists
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

/// A shard number and a 52-bit digest in one word: a page of a long law text has postings in thousands of
/// shards, and every page keeps its digests between builds (two words each made them a third of the memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardDigest(pub u64);

impl ShardDigest {
    const BITS: u32 = 52;

    pub fn new(shard: u32, digest: u64) -> ShardDigest {
        ShardDigest((u64::from(shard) << Self::BITS) | (digest & ((1 << Self::BITS) - 1)))
    }

    pub fn shard(self) -> u32 {
        (self.0 >> Self::BITS) as u32
    }

    pub fn digest(self) -> u64 {
        self.0 & ((1 << Self::BITS) - 1)
    }
}

/// A digest of one page's postings in each shard it has postings in, by shard, independent of their order: an
/// incremental build rewrites only the shards whose digest changed.
pub fn shard_digests(postings: &PagePostings) -> Vec<ShardDigest> {
    const _: () = assert!(SHARDS <= 1 << (64 - ShardDigest::BITS));
    let mut out: Vec<ShardDigest> = Vec::new();
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
        let d = h.digest() | 1;
        match out.last_mut() {
            Some(last) if last.shard() == *n => *last = ShardDigest::new(*n, last.digest().wrapping_add(d)),
            _ => out.push(ShardDigest::new(*n, d)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for tok in ["宪法", "法", "ab", "12", "𠀀𠀁", "a宪"] {
            assert_eq!(Key::new(tok).into_text(), tok);
        }
        assert!(matches!(Key::new("宪法"), Key::Han(_)));
        assert!(matches!(Key::new("word"), Key::Word(_)));
    }

    #[test]
    fn records_come_out_as_lists_whatever_order_pages_were_added_in() {
        let pages = [
            ("宪法", "中华人民共和国宪法 第33条 Art.5 GB/T 22239"),
            ("民法典", "宪法 民法 WeChat 微信 PAY 33"),
            ("法", "法 𠀀𠀁 art 5 gb"),
        ];
        // The lists a plain map of every posting gives, pages ascending.
        let mut want: Vec<ShardLists> = (0..SHARDS).map(|_| ShardLists::new()).collect();
        for (page, (title, text)) in pages.iter().enumerate() {
            for (n, key, v) in page_postings(title, text, &[0]) {
                want[n as usize].entry(key.into_text()).or_default().push((page as u32, v));
            }
        }
        let b = IndexBuilder::default();
        for page in [2, 0, 1] {
            b.add(page, page_postings(pages[page as usize].0, pages[page as usize].1, &[0]));
        }
        let got: Vec<ShardLists> = b.into_lists().collect();
        assert_eq!(got, want);
        assert!(got.iter().any(|l| l.contains_key("gb")) && got.iter().any(|l| l.contains_key("𠀀𠀁")));
    }

    #[test]
    fn a_site_beyond_the_page_numbers_is_an_error() {
        assert!(too_many_pages(MAX_PAGES as usize - 1).is_none());
        let d = too_many_pages(MAX_PAGES as usize).expect("an error");
        assert!(d.message.contains("4194303"), "{}", d.message);
    }
}
