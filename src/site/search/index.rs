//! Building the search index: each page's postings computed apart, gathered per shard behind small locks, then
//! encoded as the shard files (`search/s/NNN.json`) and their per-page digests for incremental builds.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Mutex;

use foldhash::{HashMap, HashMapExt};

use super::{is_cjk, posting_value, shard_of, tokens_at, tokens_cow, MAX_HITS, SHARDS};

/// Postings being gathered during the build, one map per shard file, each behind its own lock so the worker
/// threads rarely wait for each other; pages are added in any order.
#[derive(Debug)]
pub struct IndexBuilder {
    shards: Vec<Mutex<Postings>>,
}

/// One shard's postings: token → (page number, value as [`posting_value`] packs it).
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

/// The postings of one page whose text blocks start at `starts` (see [`super::blocks::starts`]).
pub fn page_postings(title: &str, text: &str, starts: &[usize]) -> PagePostings {
    // Chinese text has roughly one distinct bigram per four characters of a page.
    // Per token: hits, in the title, the block of its first occurrence in the text (u32::MAX: none yet).
    let mut counts: HashMap<Cow<'_, str>, (u32, bool, u32)> = HashMap::with_capacity(text.len() / 12 + 16);
    tokens_cow(title, |tok| {
        let slot = counts.entry(tok).or_insert((0, true, u32::MAX));
        slot.0 = (slot.0 + 1).min(MAX_HITS);
    });
    // Offsets only grow, so the block is found by walking on, not by a search per token.
    let mut block = 0;
    tokens_at(text, |at, tok| {
        while starts.get(block + 1).is_some_and(|&s| s <= at) {
            block += 1;
        }
        let slot = counts.entry(tok).or_insert((0, false, u32::MAX));
        slot.0 = (slot.0 + 1).min(MAX_HITS);
        if slot.2 == u32::MAX {
            slot.2 = block as u32;
        }
    });
    let mut out: PagePostings = counts
        .into_iter()
        .map(|(k, (hits, title, block))| {
            let block = if block == u32::MAX { 0 } else { block };
            (shard_of(&k), Key::new(&k), posting_value(block, hits, title))
        })
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
}
