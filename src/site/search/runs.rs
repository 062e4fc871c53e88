//! The postings of the pages rendered so far, kept compact while the build runs: each worker thread appends its
//! pages' postings to a buffer of its own, and a full buffer is grouped by shard and encoded as a run of varints,
//! which the end of the build decodes a group of shards at a time. Past its share of memory a store
//! writes its runs to a temporary file ([`super::spill`]), so the build's memory does not grow with the site.

use std::borrow::Cow;
use std::ops::Range;
use std::path::PathBuf;

use foldhash::HashMap;

use super::postings::{Posting, CHAR_MASK, WORD};
use super::shard::varint;
use super::spill::SpillFile;
use super::SHARDS;

/// A token in a store: a packed Han token (below 2⁴²) as [`super::postings`] packs it, or this bit and the
/// number of a word in the store's [`Store::names`].
const STORE_WORD: u64 = 1 << 47;

/// A buffered posting's shard sits above its token, so one number orders both.
const SHARD_SHIFT: u32 = 48;
const TOKEN_MASK: u64 = (1 << SHARD_SHIFT) - 1;

/// One thread's postings: the pages added since the last flush as they came, and the encoded runs of the
/// pages before.
#[derive(Debug)]
pub(super) struct Store {
    /// Flushed into a run when it would hold more than this many postings.
    flush_at: usize,
    buffer: Vec<Entry>,
    /// The buffer's postings grouped by shard, kept from flush to flush so a flush allocates nothing large. The
    /// postings themselves are moved, not their positions: encoding then reads them in order (reading a 4 MB
    /// buffer in shard order was a cache miss a posting, four tenths of a flush).
    grouped: Vec<Entry>,
    words: HashMap<Box<str>, u64>,
    names: Vec<Box<str>>,
    runs: Vec<Run>,
    spill: Spill,
    /// The page added last.
    last: Option<u32>,
}

/// Where a store puts its runs.
#[derive(Debug)]
pub(super) struct Spill {
    /// Bytes of runs kept in memory before the rest go to a temporary file.
    keep: usize,
    /// The folder of that file; None: every run stays in memory.
    dir: Option<PathBuf>,
    held: usize,
    file: Option<SpillFile>,
}

impl Spill {
    pub fn new(keep: usize, dir: Option<PathBuf>) -> Spill {
        Spill { keep, dir, held: 0, file: None }
    }

    /// Where a run's `bytes` are kept: in memory while the store's share lasts (or when the file cannot be
    /// written: the build goes on, only bigger), then in the file.
    fn hold(&mut self, bytes: Vec<u8>) -> Held {
        let Some(dir) = self.dir.as_deref().filter(|_| self.held + bytes.len() > self.keep) else {
            self.held += bytes.len();
            return Held::Memory(bytes.into_boxed_slice());
        };
        let file = match self.file.take().map_or_else(|| SpillFile::create(dir), Ok) {
            Ok(file) => self.file.insert(file),
            Err(e) => return self.give_up(e, bytes),
        };
        match file.append(&bytes) {
            Ok(offset) => Held::Spilled { offset },
            Err(e) => self.give_up(e, bytes),
        }
    }

    fn give_up(&mut self, e: std::io::Error, bytes: Vec<u8>) -> Held {
        let dir = self.dir.take().unwrap_or_default();
        tracing::warn!("search index: cannot write a temporary file in {} ({e}); kept in memory", dir.display());
        self.held += bytes.len();
        Held::Memory(bytes.into_boxed_slice())
    }
}

/// A buffered posting, sixteen bytes.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// shard << [`SHARD_SHIFT`] | token.
    key: u64,
    page: u32,
    value: u32,
}

/// One flush of a buffer, shard after shard, a shard's postings in page order (a run's pages are contiguous and
/// ascending, see [`Store::add`]): per posting the page's distance from the previous one (the first from
/// [`Run::base`]), the [`token_code`] and the value's [`value_code`], each a varint. A Chinese posting takes about
/// seven bytes instead of the twelve of a packed record; the tokens are not sorted to share their naming among
/// pages (that sort was half of a flush), as the end of the build groups postings by token anyway.
#[derive(Debug)]
struct Run {
    /// The lowest page of the run.
    base: u32,
    held: Held,
    /// Where the bytes of each shard end.
    ends: Box<[u32]>,
}

impl Run {
    /// Where the bytes of shard `n` start.
    fn start(&self, n: u32) -> usize {
        match n {
            0 => 0,
            _ => self.ends[n as usize - 1] as usize,
        }
    }
}

/// A run's bytes.
#[derive(Debug)]
enum Held {
    Memory(Box<[u8]>),
    /// In the store's [`SpillFile`], from this offset.
    Spilled {
        offset: u64,
    },
}

/// A store once the pages are all added: its runs and the words they name, read by every shard.
#[derive(Debug)]
pub(super) struct Frozen {
    runs: Vec<Run>,
    names: Vec<Box<str>>,
    file: Option<SpillFile>,
}

/// A group of consecutive shards of every run of a store, in memory: a spilled run's bytes of the group are
/// read back in one read (a read per shard and run would be hundreds of thousands on a large site).
pub(super) struct Group<'a> {
    store: &'a Frozen,
    shards: Range<u32>,
    /// Per run, its bytes from the group's first shard to its last.
    bytes: Vec<Cow<'a, [u8]>>,
}

impl Store {
    pub fn new(flush_at: usize, spill: Spill) -> Store {
        Store {
            flush_at: flush_at.max(1),
            buffer: Vec::new(),
            grouped: Vec::new(),
            words: HashMap::default(),
            names: Vec::new(),
            runs: Vec::new(),
            spill,
            last: None,
        }
    }

    /// Buffers one page's postings (`page` below 2³²), naming its words by the store's numbers. A page that does
    /// not follow the last one (a thread's pages come in contiguous ranges, but it moves on to another range when
    /// it takes work from another thread) starts a new run, so each run holds one contiguous range of pages and
    /// the end of the build reads the runs in page order without sorting their postings.
    pub fn add(&mut self, page: u32, list: &[Posting], mut words: Vec<Box<str>>) {
        let follows = self.last.is_some_and(|last| last.checked_add(1) == Some(page));
        if !self.buffer.is_empty() && (!follows || self.buffer.len() + list.len() > self.flush_at) {
            self.flush();
        }
        self.last = Some(page);
        if self.buffer.capacity() == 0 {
            self.buffer.reserve_exact(self.flush_at.max(list.len()));
        }
        for p in list {
            let token = match p.key & WORD == WORD {
                true => self.word(std::mem::take(&mut words[(p.key & CHAR_MASK) as usize])),
                false => p.key,
            };
            self.buffer.push(Entry { key: u64::from(p.shard) << SHARD_SHIFT | token, page, value: p.value });
        }
    }

    fn word(&mut self, w: Box<str>) -> u64 {
        if let Some(&n) = self.words.get(&w) {
            return n;
        }
        let n = STORE_WORD | self.names.len() as u64;
        self.names.push(w.clone());
        self.words.insert(w, n);
        n
    }

    /// Encodes the buffer as a run and empties it. The postings are grouped by shard in one counting pass, which
    /// keeps each shard's in the order they came: page order.
    fn flush(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        let buffer = &self.buffer;
        let mut at = vec![0u32; SHARDS as usize + 1];
        for e in buffer {
            at[(e.key >> SHARD_SHIFT) as usize + 1] += 1;
        }
        for n in 1..at.len() {
            at[n] += at[n - 1];
        }
        let grouped = &mut self.grouped;
        grouped.resize(buffer.len(), Entry { key: 0, page: 0, value: 0 });
        for e in buffer {
            let slot = &mut at[(e.key >> SHARD_SHIFT) as usize];
            grouped[*slot as usize] = *e;
            *slot += 1;
        }
        // Now at[n] is where shard n ends.
        let base = buffer.iter().map(|e| e.page).min().unwrap_or(0);
        let mut bytes = Vec::with_capacity(buffer.len() * 5);
        let mut ends = Vec::with_capacity(SHARDS as usize);
        let mut start = 0;
        for &end in &at[..SHARDS as usize] {
            let mut page = base;
            for e in &grouped[start as usize..end as usize] {
                varint(&mut bytes, u64::from(e.page - page));
                varint(&mut bytes, token_code(e.key & TOKEN_MASK));
                varint(&mut bytes, value_code(e.value));
                page = e.page;
            }
            ends.push(bytes.len() as u32);
            start = end;
        }
        let held = self.spill.hold(bytes);
        self.runs.push(Run { base, held, ends: ends.into_boxed_slice() });
        self.buffer.clear();
    }

    /// The store with its last postings encoded, its buffers and its word numbering freed.
    pub fn finish(mut self) -> Frozen {
        self.flush();
        Frozen { runs: self.runs, names: self.names, file: self.spill.file }
    }

    /// Encodes what is buffered, then loses the spill file's contents (for tests).
    #[cfg(test)]
    pub fn flush_and_lose_spill(&mut self) {
        self.flush();
        self.spill.file.as_ref().expect("a spill file").lose_contents();
    }

    /// The runs, the bytes they hold in memory and the words named (for tests).
    #[cfg(test)]
    pub fn run_bytes(&self) -> (usize, usize, usize) {
        let bytes = |r: &Run| match &r.held {
            Held::Memory(b) => b.len() + r.ends.len() * 4,
            Held::Spilled { .. } => r.ends.len() * 4,
        };
        (self.runs.len(), self.runs.iter().map(bytes).sum(), self.names.len())
    }
}

/// The lowest Han character (U+3400).
const HAN_BASE: u64 = 0x3400;

/// A store's token as a run stores it: a word's number × 2 + 1, or a packed Han token's two characters above
/// U+3400 in 18 bits each (the second one more, 0 for none) × 2, so two common characters take five bytes.
fn token_code(token: u64) -> u64 {
    match token & STORE_WORD == STORE_WORD {
        true => (token & !STORE_WORD) << 1 | 1,
        false => {
            let (a, b) = (token >> 21, token & CHAR_MASK);
            ((a - HAN_BASE) << 18 | if b == 0 { 0 } else { b - HAN_BASE + 1 }) << 1
        }
    }
}

/// The packed Han token of a [`token_code`].
fn han_of_code(code: u64) -> u64 {
    let (a, b) = (code >> 19, code >> 1 & ((1 << 18) - 1));
    (a + HAN_BASE) << 21 | if b == 0 { 0 } else { b - 1 + HAN_BASE }
}

/// A posting's value as a run stores it: most tokens occur once in a page, outside its title, and then only the
/// block is kept (even numbers), in one byte for the first 64 blocks instead of two; any other value is odd.
fn value_code(v: u32) -> u64 {
    match v & 0x7F == 2 {
        true => u64::from(v >> 7) << 1,
        false => u64::from(v) << 1 | 1,
    }
}

/// The value of a [`value_code`].
fn value_of(code: u64) -> u32 {
    match code & 1 {
        0 => ((code >> 1) as u32) << 7 | 2,
        _ => (code >> 1) as u32,
    }
}

/// The varint at `*at` in `bytes`, moving `*at` past it. Unchecked, unlike the shard files' reader: a run is this
/// build's own bytes, read back on the hot path of the end of the build.
fn read(bytes: &[u8], at: &mut usize) -> u64 {
    let mut n = 0;
    let mut shift = 0;
    while let Some(&b) = bytes.get(*at) {
        *at += 1;
        n |= u64::from(b & 0x7F) << shift;
        if b < 0x80 {
            break;
        }
        shift += 7;
    }
    n
}

/// A store's token as the end of the build sees it.
#[derive(Debug, Clone, Copy)]
pub(super) enum Token<'a> {
    /// A packed Han token.
    Han(u64),
    Word(&'a str),
}

impl Frozen {
    /// Shards `shards` of every run, read back from the temporary file where spilled.
    pub fn group(&self, shards: Range<u32>) -> std::io::Result<Group<'_>> {
        let mut bytes = Vec::with_capacity(self.runs.len());
        for run in &self.runs {
            let (start, end) = (run.start(shards.start), run.ends[shards.end as usize - 1] as usize);
            bytes.push(match (&run.held, &self.file) {
                (Held::Memory(b), _) => Cow::Borrowed(&b[start..end]),
                (Held::Spilled { offset }, Some(file)) => Cow::Owned(file.read(offset + start as u64, end - start)?),
                (Held::Spilled { .. }, None) => unreachable!("a run is spilled only into its store's file"),
            });
        }
        Ok(Group { store: self, shards, bytes })
    }
}

impl<'a> Group<'a> {
    /// (number, first page) of each of the store's runs.
    pub fn run_bases(&self) -> impl Iterator<Item = (usize, u32)> + '_ {
        self.store.runs.iter().map(|r| r.base).enumerate()
    }

    /// Calls `emit` with (token, page, value) of every posting of shard `n` (in the group) in run `r`, pages
    /// ascending.
    pub fn run_postings(&self, r: usize, n: u32, mut emit: impl FnMut(Token<'a>, u32, u32)) {
        debug_assert!(self.shards.contains(&n));
        let names = &self.store.names;
        let (run, bytes) = (&self.store.runs[r], &self.bytes[r]);
        let first = run.start(self.shards.start);
        let bytes = &bytes[run.start(n) - first..run.ends[n as usize] as usize - first];
        let (mut at, mut page) = (0, run.base);
        while at < bytes.len() {
            page += read(bytes, &mut at) as u32;
            let code = read(bytes, &mut at);
            let tok = match code & 1 {
                1 => Token::Word(names.get((code >> 1) as usize).map_or("", |w| w)),
                _ => Token::Han(han_of_code(code)),
            };
            let value = value_of(read(bytes, &mut at));
            emit(tok, page, value);
        }
    }

    /// Postings shard `n` holds at most, from its bytes: a posting takes three bytes at least.
    pub fn size_hint(&self, n: u32) -> usize {
        self.store.runs.iter().map(|r| (r.ends[n as usize] as usize - r.start(n)) / 3).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_read_back() {
        let numbers = [0, 1, 127, 128, 300, 16_383, 16_384, u64::from(u32::MAX), (1 << 49) - 1];
        let mut bytes = Vec::new();
        for n in numbers {
            varint(&mut bytes, n);
        }
        let mut at = 0;
        let got: Vec<u64> = numbers.iter().map(|_| read(&bytes, &mut at)).collect();
        assert_eq!((got.as_slice(), at), (numbers.as_slice(), bytes.len()));
    }

    #[test]
    fn token_codes_read_back_and_two_common_characters_take_five_bytes() {
        let pack = |a: char, b: Option<char>| (a as u64) << 21 | b.map_or(0, |b| b as u64);
        for (a, b) in [('㐀', None), ('宪', Some('法')), ('𠀀', Some('𯿽')), ('豈', Some('㐀')), ('龥', None)]
        {
            let key = pack(a, b);
            assert_eq!(han_of_code(token_code(key)), key, "{a}{b:?}");
            assert_eq!(token_code(key) & 1, 0);
        }
        for n in [0, 1, 1 << 20] {
            assert_eq!(token_code(STORE_WORD | n), n << 1 | 1);
        }
        let mut bytes = Vec::new();
        varint(&mut bytes, token_code(pack('龥', Some('龥'))));
        assert_eq!(bytes.len(), 5);
    }

    #[test]
    fn values_read_back_and_the_common_ones_take_a_byte() {
        use super::super::posting_value;
        for (block, hits, title) in [(0, 1, false), (63, 1, false), (64, 1, false), (5, 2, false), (5, 1, true)] {
            let v = posting_value(block, hits, title);
            assert_eq!(value_of(value_code(v)), v);
            assert_eq!(value_code(v) < 0x80, block < 64 && hits == 1 && !title || v < 64, "{block} {hits} {title}");
        }
        for v in [0, 1, 2, 3, 127, 128, 130, u32::MAX - 1, u32::MAX] {
            assert_eq!(value_of(value_code(v)), v);
        }
    }
}
