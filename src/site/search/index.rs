//! Building the search index: each page's postings computed apart, appended per shard behind small locks as
//! compact records, then sorted and encoded as the shard files (`search/s/NNN.json`) and their per-page digests
//! for incremental builds.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Mutex;

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;

use crate::diag::Diagnostic;

use super::{is_cjk, posting_value, shard_of, MAX_HITS, SHARDS};

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

/// Records are allocated this many at a time, so a shard's store grows without copying; each of the 4,096 shards
/// has one run partly filled at the end of the render, half a run on average wasted (25 MB at 1,024 records).
const RUN: usize = 256;

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

/// `tok` packed when it is one or two Han characters.
#[cfg(test)]
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

/// One page's postings, grouped by shard; computed outside any lock.
#[derive(Debug, Default)]
pub struct PagePostings {
    list: Vec<Posting>,
    /// The texts of the page's word tokens, which postings name by number (see [`Posting::key`]).
    words: Vec<Box<str>>,
}

/// Sixteen bytes: a long law text has tens of thousands of postings, grouped by shard in one pass.
#[derive(Debug, Clone, Copy)]
struct Posting {
    shard: u32,
    /// hits × 2 + title flag, and the block (see [`posting_value`]).
    value: u32,
    /// A packed Han token, or [`WORD`] | the number of a word in [`PagePostings::words`].
    key: u64,
}

impl PagePostings {
    /// (shard, token, value) of every posting, grouped by shard.
    pub fn iter(&self) -> impl Iterator<Item = (u32, String, u32)> + '_ {
        self.list.iter().map(|p| (p.shard, self.text(p.key).into_owned(), p.value))
    }

    fn text(&self, key: u64) -> Cow<'_, str> {
        match key & WORD == WORD {
            true => Cow::Borrowed(self.words.get((key & NO_CHAR) as usize).map_or("", |w| w)),
            false => Cow::Owned(han_text(key)),
        }
    }
}

/// Per token of a page: hits, in the title, the block of its first occurrence in the text (u32::MAX: none yet).
type Count = (u32, bool, u32);

/// A token as the tokenizer hands it to [`page_postings`]: Han characters already packed (the bulk of the text,
/// never turned into strings), anything else as text.
enum Tok<'a> {
    Han(u64),
    Word(Cow<'a, str>),
}

/// [`super::tokens_at`]'s tokens, with one or two Han characters packed as [`han`] packs them.
fn keys_at<'a>(text: &'a str, mut emit: impl FnMut(usize, Tok<'a>)) {
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_cjk(c) {
            let (mut start, mut prev) = (i, c);
            let mut single = true;
            while let Some(&(j, d)) = chars.peek() {
                if !is_cjk(d) {
                    break;
                }
                chars.next();
                emit(start, Tok::Han((prev as u64) << 21 | d as u64));
                (start, prev) = (j, d);
                single = false;
            }
            if single {
                emit(i, Tok::Han((c as u64) << 21 | NO_CHAR));
            }
        } else if super::is_word_char(c) {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if !super::is_word_char(d) || is_cjk(d) {
                    break;
                }
                chars.next();
                end = j + d.len_utf8();
            }
            let word = &text[i..end];
            if word.chars().any(|c| c.to_lowercase().ne(std::iter::once(c))) {
                emit(i, Tok::Word(Cow::Owned(word.to_lowercase())));
            } else {
                emit(i, Tok::Word(Cow::Borrowed(word)));
            }
        }
    }
}

/// The postings of one page whose text blocks start at `starts` (see [`super::blocks::starts`]).
pub fn page_postings<'a>(title: &'a str, text: &'a str, starts: &[usize]) -> PagePostings {
    // Chinese text has roughly one distinct bigram per four characters of a page. Han tokens are counted by
    // their packed number (hashing a number, not a string), the rare others by their text.
    let mut han_counts: HashMap<u64, Count> = HashMap::with_capacity(text.len() / 12 + 16);
    let mut word_counts: HashMap<Cow<'a, str>, Count> = HashMap::new();
    let mut count = |tok: Tok<'a>, in_title: bool, block: u32| {
        let slot = match tok {
            Tok::Han(n) => han_counts.entry(n).or_insert((0, in_title, u32::MAX)),
            Tok::Word(w) => word_counts.entry(w).or_insert((0, in_title, u32::MAX)),
        };
        slot.0 = (slot.0 + 1).min(MAX_HITS);
        if !in_title && slot.2 == u32::MAX {
            slot.2 = block;
        }
    };
    keys_at(title, |_, tok| count(tok, true, 0));
    // Offsets only grow, so the block is found by walking on, not by a search per token.
    let mut block = 0;
    keys_at(text, |at, tok| {
        while starts.get(block + 1).is_some_and(|&s| s <= at) {
            block += 1;
        }
        count(tok, false, block as u32);
    });
    let value = |(hits, title, block): Count| posting_value(if block == u32::MAX { 0 } else { block }, hits, title);
    let mut words = Vec::with_capacity(word_counts.len());
    let unsorted: Vec<Posting> = han_counts
        .into_iter()
        .map(|(n, c)| Posting { shard: han_shard(n), value: value(c), key: n })
        .chain(word_counts.into_iter().map(|(w, c)| {
            let key = WORD | words.len() as u64;
            let shard = shard_of(&w);
            words.push(Box::from(w));
            Posting { shard, value: value(c), key }
        }))
        .collect();
    PagePostings { list: by_shard(unsorted), words }
}

/// `postings` grouped by shard, in shard order: one counting pass instead of a sort (a page has postings in
/// about half the shards, so a sort compares much and moves much).
fn by_shard(postings: Vec<Posting>) -> Vec<Posting> {
    let mut at = vec![0u32; SHARDS as usize + 1];
    for p in &postings {
        at[p.shard as usize + 1] += 1;
    }
    for n in 1..at.len() {
        at[n] += at[n - 1];
    }
    let mut out = vec![Posting { shard: 0, value: 0, key: 0 }; postings.len()];
    for p in postings {
        let slot = &mut at[p.shard as usize];
        out[*slot as usize] = p;
        *slot += 1;
    }
    out
}

impl IndexBuilder {
    /// Adds the postings of page `page` (its position in the page table, below [`MAX_PAGES`]; see
    /// [`too_many_pages`]). Safe to call from many threads.
    pub fn add(&self, page: u32, postings: PagePostings) {
        let page = u64::from(page) & (u64::from(MAX_PAGES) - 1);
        let PagePostings { list, mut words } = postings;
        let mut rest = list.iter().peekable();
        while let Some(&&Posting { shard: n, .. }) = rest.peek() {
            let mut shard = self.shards[n as usize].lock().unwrap_or_else(|e| e.into_inner());
            while let Some(p) = rest.next_if(|p| p.shard == n) {
                let key = match p.key & WORD == WORD {
                    true => shard.word(std::mem::take(&mut words[(p.key & NO_CHAR) as usize])),
                    false => p.key,
                };
                shard.push(Record { key_page: key << PAGE_BITS | page, value: p.value });
            }
        }
    }

    /// Each shard's postings as lists: token → (page, value), pages ascending. Shards are finished in parallel,
    /// each freeing its records as it goes.
    pub fn into_lists(self) -> impl IndexedParallelIterator<Item = ShardLists> {
        self.shards.into_par_iter().map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()).into_lists())
    }

    /// Each shard file's JSON text, as `serde_json` writes [`encode`]'s map of [`IndexBuilder::into_lists`]
    /// (None for a shard without postings), written straight from the sorted records: no map of strings and
    /// lists is built for the millions of postings of a full build.
    pub fn into_json(self) -> impl IndexedParallelIterator<Item = Option<Vec<u8>>> {
        self.shards.into_par_iter().map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()).into_json())
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

    /// Every record, sorted by token, then page (the packed number orders both).
    fn sorted(&mut self) -> Vec<Record> {
        let mut records = Vec::with_capacity(self.run.len() + self.full.len() * RUN);
        for run in self.full.drain(..) {
            records.extend(run);
        }
        records.append(&mut self.run);
        records.sort_unstable_by_key(|r| r.key_page);
        records
    }

    /// The text of packed token `key`.
    fn text(&self, key: u64) -> String {
        match key & WORD == WORD {
            true => self.names.get((key & NO_CHAR) as usize).map(|w| w.to_string()).unwrap_or_default(),
            false => han_text(key),
        }
    }

    fn into_json(mut self) -> Option<Vec<u8>> {
        let records = self.sorted();
        if records.is_empty() {
            return None;
        }
        // Each token's run of records, ordered as a map of strings orders its keys.
        let mut tokens: Vec<(String, usize, usize)> = Vec::new();
        let mut at = 0;
        while at < records.len() {
            let key = { records[at].key_page } >> PAGE_BITS;
            let end = at + records[at..].iter().take_while(|r| { r.key_page } >> PAGE_BITS == key).count();
            tokens.push((self.text(key), at, end));
            at = end;
        }
        tokens.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut out = Vec::with_capacity(records.len() * 10 + tokens.len() * 12);
        out.push(b'{');
        for (n, (text, start, end)) in tokens.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            serde_json::to_writer(&mut out, text).expect("a token serialises");
            out.extend_from_slice(b":[");
            let mut last = 0;
            for (i, r) in records[*start..*end].iter().enumerate() {
                let page = ({ r.key_page } & (u64::from(MAX_PAGES) - 1)) as u32;
                if i > 0 {
                    out.push(b',');
                }
                decimal(&mut out, page - last);
                out.push(b',');
                decimal(&mut out, r.value);
                last = page;
            }
            out.push(b']');
        }
        out.push(b'}');
        Some(out)
    }

    fn into_lists(mut self) -> ShardLists {
        let records = self.sorted();
        let mut lists = ShardLists::new();
        let mut at = 0;
        while at < records.len() {
            let key = { records[at].key_page } >> PAGE_BITS;
            let end = at + records[at..].iter().take_while(|r| { r.key_page } >> PAGE_BITS == key).count();
            let list = records[at..end]
                .iter()
                .map(|r| (({ r.key_page } & (u64::from(MAX_PAGES) - 1)) as u32, { r.value }))
                .collect();
            lists.insert(self.text(key), list);
            at = end;
        }
        lists
    }
}

/// Appends `n` in decimal, as JSON writes a number.
fn decimal(out: &mut Vec<u8>, mut n: u32) {
    let mut buf = [0u8; 10];
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[at..]);
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
    for p in &postings.list {
        // One short one-shot hash per posting (a streaming hasher's set-up and finish cost several times more,
        // and there are millions of postings); words are hashed apart so no word can stand for a Han token.
        let token = match p.key & WORD == WORD {
            true => xxhash_rust::xxh3::xxh3_64_with_seed(postings.text(p.key).as_bytes(), 0x77) | 1 << 63,
            false => p.key,
        };
        let mut buf = [0u8; 12];
        buf[..8].copy_from_slice(&token.to_le_bytes());
        buf[8..].copy_from_slice(&p.value.to_le_bytes());
        let d = xxhash_rust::xxh3::xxh3_64(&buf) | 1;
        match out.last_mut() {
            Some(last) if last.shard() == p.shard => *last = ShardDigest::new(p.shard, last.digest().wrapping_add(d)),
            _ => out.push(ShardDigest::new(p.shard, d)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_tokens_are_the_tokenizers() {
        let text = "中华人民共和国宪法 第33条 Art.5 法 𠀀𠀁 WeChat微信PAY a宪";
        let mut want = Vec::new();
        super::super::tokens_at(text, |at, t| want.push((at, t.into_owned())));
        let mut got = Vec::new();
        keys_at(text, |at, t| {
            let t = match t {
                Tok::Han(n) => {
                    assert_eq!(han(&han_text(n)), Some(n));
                    han_text(n)
                }
                Tok::Word(w) => w.into_owned(),
            };
            got.push((at, t));
        });
        assert_eq!(got, want);
        assert!(han("宪法").is_some() && han("法").is_some() && han("word").is_none());
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
            for (n, key, v) in page_postings(title, text, &[0]).iter() {
                want[n as usize].entry(key).or_default().push((page as u32, v));
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
    fn shard_json_is_what_serde_json_writes_of_the_lists() {
        let pages = [
            ("宪法", "中华人民共和国宪法 第33条 Art.5 GB/T 22239 法"),
            ("民法典", "宪法 民法 WeChat 微信 PAY 33 4294967 0"),
            ("法", "法 𠀀𠀁 art 5 gb 法律"),
        ];
        let build = || {
            let b = IndexBuilder::default();
            for (page, (title, text)) in pages.iter().enumerate() {
                b.add(page as u32 * 1000, page_postings(title, text, &[0, 10]));
            }
            b
        };
        let want: Vec<Option<Vec<u8>>> =
            build().into_lists().map(|l| (!l.is_empty()).then(|| serde_json::to_vec(&encode(l)).unwrap())).collect();
        let got: Vec<Option<Vec<u8>>> = build().into_json().collect();
        assert!(want.iter().flatten().count() > 10);
        assert_eq!(got, want);
    }

    #[test]
    fn a_site_beyond_the_page_numbers_is_an_error() {
        assert!(too_many_pages(MAX_PAGES as usize - 1).is_none());
        let d = too_many_pages(MAX_PAGES as usize).expect("an error");
        assert!(d.message.contains("4194303"), "{}", d.message);
    }
}
