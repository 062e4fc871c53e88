//! One page's search postings, computed apart from every other page (outside any lock): its tokens counted,
//! Han characters packed into numbers, grouped by shard; and the digests an incremental build compares.

use std::borrow::Cow;

use foldhash::{HashMap, HashMapExt};

use super::{fnv_byte, is_cjk, posting_value, shard_of, FNV_START, MAX_HITS, SHARDS};

/// The 21 bits of one character of a packed Han token, and of a word's number.
pub(super) const CHAR_MASK: u64 = 0x1F_FFFF;
/// Marks a packed word: no character fills the first slot with ones.
pub(super) const WORD: u64 = CHAR_MASK << 21;

/// `tok` packed when it is one or two Han characters: the first above the second, a lone character over 0 (U+0000,
/// never a Han character), so packed tokens order as their texts do.
#[cfg(test)]
fn han(tok: &str) -> Option<u64> {
    let mut chars = tok.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (Some(a), b, None) if is_cjk(a) && b.is_none_or(is_cjk) => Some((a as u64) << 21 | b.map_or(0, |b| b as u64)),
        _ => None,
    }
}

/// The UTF-8 bytes of packed Han token `n`, written into `buf`.
pub(super) fn han_utf8(n: u64, buf: &mut [u8; 8]) -> &[u8] {
    let mut len = 0;
    for c in [n >> 21, n & CHAR_MASK].into_iter().filter(|&c| c != 0).filter_map(|c| char::from_u32(c as u32)) {
        len += c.encode_utf8(&mut buf[len..]).len();
    }
    &buf[..len]
}

/// The text of packed Han token `n`, written into `buf`.
pub(super) fn han_str(n: u64, buf: &mut [u8; 8]) -> &str {
    std::str::from_utf8(han_utf8(n, buf)).unwrap_or_default()
}

/// The text of packed Han token `n`.
pub(super) fn han_text(n: u64) -> String {
    han_str(n, &mut [0; 8]).to_string()
}

/// The shard of a packed Han token, as [`shard_of`] gives it for its text: FNV-1a of the characters' UTF-8 bytes,
/// made from the code points (writing the bytes out first was half of the cost of a page's postings list).
fn han_shard(n: u64) -> u32 {
    let mut h = fnv_char(FNV_START, (n >> 21) as u32);
    if n & CHAR_MASK != 0 {
        h = fnv_char(h, (n & CHAR_MASK) as u32);
    }
    h % SHARDS
}

/// FNV-1a state `h` after the UTF-8 bytes of code point `c`.
fn fnv_char(h: u32, c: u32) -> u32 {
    let tail = |h: u32, shift: u32| fnv_byte(h, 0x80 | (c >> shift & 0x3F));
    match c {
        0..=0x7F => fnv_byte(h, c),
        0x80..=0x7FF => tail(fnv_byte(h, 0xC0 | c >> 6), 0),
        0x800..=0xFFFF => tail(tail(fnv_byte(h, 0xE0 | c >> 12), 6), 0),
        _ => tail(tail(tail(fnv_byte(h, 0xF0 | c >> 18), 12), 6), 0),
    }
}

/// One page's postings, grouped by shard; computed outside any lock.
#[derive(Debug, Default)]
pub struct PagePostings {
    list: Vec<Posting>,
    /// The texts of the page's word tokens, which postings name by number (see [`Posting::key`]).
    words: Vec<Box<str>>,
}

/// Sixteen bytes: a long law text has tens of thousands of postings.
#[derive(Debug, Clone, Copy)]
pub(super) struct Posting {
    pub shard: u32,
    /// hits × 2 + title flag, and the block (see [`posting_value`]).
    pub value: u32,
    /// A packed Han token, or [`WORD`] | the number of a word in [`PagePostings::words`].
    pub key: u64,
}

impl PagePostings {
    /// (shard, token, value) of every posting, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, String, u32)> + '_ {
        self.list.iter().map(|p| (p.shard, self.text(p.key).into_owned(), p.value))
    }

    /// The postings, in no particular order (a store groups them by shard), and the texts of the words they name.
    pub(super) fn into_parts(self) -> (Vec<Posting>, Vec<Box<str>>) {
        (self.list, self.words)
    }

    fn text(&self, key: u64) -> Cow<'_, str> {
        match key & WORD == WORD {
            true => Cow::Borrowed(self.words.get((key & CHAR_MASK) as usize).map_or("", |w| w)),
            false => Cow::Owned(han_text(key)),
        }
    }
}

/// Per token of a page, in one word (so a counting map's entry is sixteen bytes, not twenty-four): its hits in the
/// low six bits, whether it is in the title in the next, then the block of its first occurrence in the text
/// ([`NO_BLOCK`]: none yet).
#[derive(Debug, Clone, Copy)]
struct Count(u32);

/// The block bits of a [`Count`] whose token has not occurred in the text yet.
const NO_BLOCK: u32 = u32::MAX >> 7;

const _: () = assert!(MAX_HITS == 63, "a Count keeps its hits in six bits");

impl Count {
    fn new(title: bool) -> Count {
        Count(NO_BLOCK << 7 | u32::from(title) << 6)
    }

    /// One more occurrence, in the text's block `block` (None: in the title).
    fn add(&mut self, block: Option<u32>) {
        if self.0 & MAX_HITS < MAX_HITS {
            self.0 += 1;
        }
        if let Some(b) = block.filter(|_| self.0 >> 7 == NO_BLOCK) {
            self.0 = b.min(NO_BLOCK - 1) << 7 | (self.0 & 127);
        }
    }

    /// The posting's value ([`posting_value`]); a token only in the title names block 0.
    fn value(self) -> u32 {
        let block = self.0 >> 7;
        posting_value(if block == NO_BLOCK { 0 } else { block }, self.0 & MAX_HITS, self.0 & 64 != 0)
    }
}

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
                emit(i, Tok::Han((c as u64) << 21));
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
    let mut count = |tok: Tok<'a>, block: Option<u32>| {
        let slot = match tok {
            Tok::Han(n) => han_counts.entry(n).or_insert(Count::new(block.is_none())),
            Tok::Word(w) => word_counts.entry(w).or_insert(Count::new(block.is_none())),
        };
        slot.add(block);
    };
    keys_at(title, |_, tok| count(tok, None));
    // Offsets only grow, so the block is found by walking on, not by a search per token.
    let mut block = 0;
    keys_at(text, |at, tok| {
        while starts.get(block + 1).is_some_and(|&s| s <= at) {
            block += 1;
        }
        count(tok, Some(block as u32));
    });
    let mut words = Vec::with_capacity(word_counts.len());
    let list: Vec<Posting> = han_counts
        .into_iter()
        .map(|(n, c)| Posting { shard: han_shard(n), value: c.value(), key: n })
        .chain(word_counts.into_iter().map(|(w, c)| {
            let key = WORD | words.len() as u64;
            let shard = shard_of(&w);
            words.push(Box::from(w));
            Posting { shard, value: c.value(), key }
        }))
        .collect();
    PagePostings { list, words }
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
    // Grouped by shard here, not as the page's postings are made: only an incremental build's few pages need it.
    let mut sums: Vec<(u32, u64)> = postings
        .list
        .iter()
        .map(|p| {
            // One short one-shot hash per posting (a streaming hasher's set-up and finish cost several times more);
            // words are hashed apart so no word can stand for a Han token.
            let token = match p.key & WORD == WORD {
                true => xxhash_rust::xxh3::xxh3_64_with_seed(postings.text(p.key).as_bytes(), 0x77) | 1 << 63,
                false => p.key,
            };
            let mut buf = [0u8; 12];
            buf[..8].copy_from_slice(&token.to_le_bytes());
            buf[8..].copy_from_slice(&p.value.to_le_bytes());
            (p.shard, xxhash_rust::xxh3::xxh3_64(&buf) | 1)
        })
        .collect();
    sums.sort_unstable_by_key(|&(shard, _)| shard);
    let mut out: Vec<ShardDigest> = Vec::new();
    for (shard, d) in sums {
        match out.last_mut() {
            Some(last) if last.shard() == shard => *last = ShardDigest::new(shard, last.digest().wrapping_add(d)),
            _ => out.push(ShardDigest::new(shard, d)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posting_counts_hits_up_to_the_cap_and_names_its_first_block_in_the_text() {
        let text = format!("{}\n甲乙\n丙丁 丙丁\n{}", "宪法".repeat(70), "民法 ".repeat(3));
        let starts = [0, text.find('甲').unwrap(), text.find('丙').unwrap(), text.find('民').unwrap()];
        let got: HashMap<String, u32> =
            page_postings("丙丁 标题 民法", &text, &starts).iter().map(|(_, t, v)| (t, v)).collect();
        assert_eq!(got["宪法"], posting_value(0, MAX_HITS, false));
        assert_eq!(got["法宪"], posting_value(0, 69, false));
        assert_eq!(got["甲乙"], posting_value(1, 1, false));
        // In the title and the text: the title flag, every hit, the text's first block.
        assert_eq!(got["丙丁"], posting_value(2, 3, true));
        assert_eq!(got["民法"], posting_value(3, 4, true));
        // Only in the title: block 0.
        assert_eq!(got["标题"], posting_value(0, 1, true));
    }

    #[test]
    fn a_packed_tokens_shard_is_its_texts() {
        let chars = ['\u{3400}', '\u{4DBF}', '一', '法', '\u{9FFF}', '\u{F900}', '\u{FAFF}', '𠀀', '\u{2FFFF}'];
        for a in chars {
            let packed = (a as u64) << 21;
            assert_eq!(han_shard(packed), shard_of(&a.to_string()), "{a}");
            for b in chars {
                assert_eq!(han_shard(packed | b as u64), shard_of(&format!("{a}{b}")), "{a}{b}");
            }
        }
        for c in ['a', 'é', '\u{7FF}', '\u{800}', '\u{FFFF}', '\u{10000}', '\u{10FFFF}'] {
            assert_eq!(fnv_char(FNV_START, c as u32) % SHARDS, shard_of(&c.to_string()), "{c}");
        }
    }

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
}
