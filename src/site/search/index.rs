//! Building the search index: the pages' postings gathered in compact runs while the pages render (see
//! [`super::runs`]), then each shard's decoded, grouped by token and encoded as its file (`search/s/NNN.bin`, see
//! [`super::shard`]), or as lists for an incremental build to merge into the previous files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;

use crate::diag::Diagnostic;

use super::postings::{han_str, han_utf8, PagePostings, CHAR_MASK, WORD};
use super::runs::{Frozen, Group, Spill, Store, Token};
use super::shard::ShardWriter;
use super::SHARDS;

/// Postings being gathered during the build: one store per thread of rayon's pool, so a page's postings go to
/// one place under one uncontended lock (a lock per shard cost thousands of lock pairs and cache misses a
/// page), and a last store for calls from outside the pool. Pages are added in any order.
///
/// 3,500 long law texts have about ten million postings; held as packed records until the end they were the
/// build's peak memory. A store keeps a few MB of them as they come and encodes the rest in compact runs.
///
/// Past [`KEEP`] bytes of runs a store writes the rest to a temporary file (see [`IndexBuilder::spilling_in`]):
/// 14,000 law texts have some 160 MB of runs.
#[derive(Debug)]
pub struct IndexBuilder {
    stores: Vec<Mutex<Store>>,
    /// Where the stores may spill (see [`IndexBuilder::spilling_in`]).
    spill: Option<PathBuf>,
}

/// Bytes of encoded runs a store keeps in memory when it may spill the rest.
const KEEP: usize = 8 << 20;

/// Shards read back together at the end of the build (a store's runs are read once per group).
const GROUP: u32 = 64;

/// Postings a store buffers before it encodes them (sixteen bytes each, 2 MB, and as much again to group them by
/// shard): each run has its table of where its shards end and is read once per group of shards at the end of the
/// build.
const FLUSH_AT: usize = 1 << 17;

/// The most pages the index numbers (2²², far past any site), so a page number fits 22 bits wherever it is packed.
pub const MAX_PAGES: u32 = 1 << 22;

/// The error of a site with more pages than the index numbers (the build fails on it; the pages above the limit
/// would share numbers with others).
pub fn too_many_pages(pages: usize) -> Option<Diagnostic> {
    let text = format!("{pages} pages: the search index numbers at most {}", MAX_PAGES - 1);
    (pages >= MAX_PAGES as usize).then(|| Diagnostic::error("content", 0, 0, text))
}

impl Default for IndexBuilder {
    /// A builder that keeps every posting in memory.
    fn default() -> Self {
        IndexBuilder::with(FLUSH_AT, usize::MAX, None)
    }
}

impl IndexBuilder {
    /// A builder whose stores write their runs beyond the first few MB to a temporary file in `dir` (a folder
    /// beside the output: a temporary folder of the system may be memory, which would defeat the purpose).
    pub fn spilling_in(dir: PathBuf) -> IndexBuilder {
        IndexBuilder::with(FLUSH_AT, KEEP, Some(dir))
    }

    /// A builder whose stores encode their postings every `flush_at` postings and keep `keep` bytes of them in
    /// memory before they spill the rest into a file in `dir`.
    fn with(flush_at: usize, keep: usize, dir: Option<PathBuf>) -> IndexBuilder {
        let store = |_| Mutex::new(Store::new(flush_at, Spill::new(keep, dir.clone())));
        IndexBuilder { stores: (0..=rayon::current_num_threads()).map(store).collect(), spill: dir }
    }

    /// Adds the postings of page `page` (its position in the page table, below [`MAX_PAGES`]; see
    /// [`too_many_pages`]). Safe to call from many threads.
    pub fn add(&self, page: u32, postings: PagePostings) {
        let page = page & (MAX_PAGES - 1);
        let (list, words) = postings.into_parts();
        let outside = self.stores.len() - 1;
        let at = rayon::current_thread_index().filter(|&i| i < outside).unwrap_or(outside);
        self.stores[at].lock().unwrap_or_else(|e| e.into_inner()).add(page, &list, words);
    }

    /// The stores with their last postings encoded, in parallel.
    fn finish(self) -> Vec<Frozen> {
        self.stores.into_par_iter().map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()).finish()).collect()
    }

    /// The folder of its temporary files, if it may write any.
    pub fn spill_dir(&self) -> Option<&Path> {
        self.spill.as_deref()
    }

    /// `each` of every shard, in shard order, groups of shards in parallel; an error reading back spilled runs
    /// ends the group's shards.
    fn per_shard<T: Send>(
        self,
        each: impl Fn(Shard<'_>) -> T + Sync + Send,
    ) -> impl ParallelIterator<Item = std::io::Result<(u32, T)>> {
        let stores = self.finish();
        (0..SHARDS / GROUP).into_par_iter().flat_map_iter(move |g| {
            let shards = g * GROUP..(g + 1) * GROUP;
            match stores.iter().map(|s| s.group(shards.clone())).collect::<std::io::Result<Vec<_>>>() {
                Ok(groups) => shards.map(|n| Ok((n, each(Shard::gather(&groups, n))))).collect::<Vec<_>>(),
                Err(e) => vec![Err(e)],
            }
        })
    }

    /// Each shard's postings as lists: token → (page, value), pages ascending; with its number.
    pub fn into_lists(self) -> impl ParallelIterator<Item = std::io::Result<(u32, ShardLists)>> {
        self.per_shard(|s| s.into_lists())
    }

    /// Each shard file's bytes, as [`super::shard::write_shard`] writes [`IndexBuilder::into_lists`]
    /// (None for a shard without postings), written straight from the grouped records: no map of strings and
    /// lists is built for the millions of postings of a full build.
    pub fn into_files(self) -> impl ParallelIterator<Item = std::io::Result<(u32, Option<Vec<u8>>)>> {
        self.per_shard(|s| s.into_bytes())
    }

    #[cfg(test)]
    /// Every shard's lists, in shard order.
    pub fn into_shards(self) -> std::io::Result<Vec<ShardLists>> {
        self.into_lists().map(|r| r.map(|(_, lists)| lists)).collect()
    }
}

const _: () = assert!(SHARDS.is_multiple_of(GROUP));

/// One shard's postings at the end of the build, gathered from every store: each token's (page, value) records
/// together, pages ascending, and where each token's are; words numbered in the shard as they were met.
struct Shard<'a> {
    records: Vec<(u32, u32)>,
    /// (packed token, start, end) of each token's records, in no particular order.
    spans: Vec<(u64, usize, usize)>,
    names: Vec<&'a str>,
}

impl<'a> Shard<'a> {
    /// Shard `n`'s postings from every store. Each run holds pages in one contiguous range (see
    /// [`super::runs::Store::add`]), so read in the order of their first pages, a token's postings come in page
    /// order: they are only grouped by token (numbered as met, then one counting pass), not sorted. A token whose
    /// pages still come out of order (runs that overlap: a page added twice) has its own sorted. A word
    /// met in several stores, each numbering it its own way, gets one number here.
    fn gather(stores: &[Group<'a>], n: u32) -> Shard<'a> {
        let mut runs: Vec<(u32, usize, usize)> =
            stores.iter().enumerate().flat_map(|(s, g)| g.run_bases().map(move |(r, base)| (base, s, r))).collect();
        runs.sort_unstable();
        let mut met: Vec<(u32, u32, u32)> = Vec::with_capacity(stores.iter().map(|s| s.size_hint(n)).sum());
        let mut ids: HashMap<u64, u32> = HashMap::new();
        let mut keys: Vec<u64> = Vec::new();
        let mut words: HashMap<&'a str, u64> = HashMap::new();
        let mut names = Vec::new();
        for &(_, s, r) in &runs {
            stores[s].run_postings(r, n, |token, page, value| {
                let key = match token {
                    Token::Han(key) => key,
                    Token::Word(w) => *words.entry(w).or_insert_with(|| {
                        // More than two million distinct words in one shard would need a corpus of billions of
                        // words.
                        names.push(w);
                        WORD | ((names.len() - 1) as u64 & CHAR_MASK)
                    }),
                };
                let id = *ids.entry(key).or_insert_with(|| {
                    keys.push(key);
                    keys.len() as u32 - 1
                });
                met.push((id, page, value));
            });
        }
        let mut at = vec![0usize; keys.len() + 1];
        for &(id, _, _) in &met {
            at[id as usize + 1] += 1;
        }
        for i in 1..at.len() {
            at[i] += at[i - 1];
        }
        let spans: Vec<(u64, usize, usize)> = keys.iter().enumerate().map(|(i, &k)| (k, at[i], at[i + 1])).collect();
        let mut records = vec![(0, 0); met.len()];
        for (id, page, value) in met {
            let slot = &mut at[id as usize];
            records[*slot] = (page, value);
            *slot += 1;
        }
        for &(_, start, end) in &spans {
            let list = &mut records[start..end];
            if !list.is_sorted_by_key(|&(page, _)| page) {
                list.sort_unstable();
            }
        }
        Shard { records, spans, names }
    }

    /// The text of word token `key`.
    fn word(&self, key: u64) -> &'a str {
        self.names.get((key & CHAR_MASK) as usize).copied().unwrap_or_default()
    }

    /// `f` of the UTF-8 bytes of packed token `key`.
    fn with_bytes<R>(&self, key: u64, f: impl FnOnce(&[u8]) -> R) -> R {
        match key & WORD == WORD {
            true => f(self.word(key).as_bytes()),
            false => f(han_utf8(key, &mut [0; 8])),
        }
    }

    /// Each token's records, as (packed token, start, end), ordered as their texts are (as a map of strings orders
    /// its keys): packed Han tokens order as their texts, so they are sorted as numbers and the words (few) by
    /// their texts, then merged in.
    fn tokens(&self) -> Vec<(u64, usize, usize)> {
        let (mut han, mut words): (Vec<_>, Vec<_>) = self.spans.iter().partition(|(key, _, _)| key & WORD != WORD);
        han.sort_unstable_by_key(|&(key, _, _)| key);
        if words.is_empty() {
            return han;
        }
        words.sort_unstable_by(|a, b| self.word(a.0).cmp(self.word(b.0)));
        let mut out = Vec::with_capacity(han.len() + words.len());
        let mut words = words.into_iter().peekable();
        for h in han {
            let mut buf = [0; 8];
            let text = han_str(h.0, &mut buf);
            while let Some(w) = words.next_if(|w| self.word(w.0) < text) {
                out.push(w);
            }
            out.push(h);
        }
        out.extend(words);
        out
    }

    /// The shard file's bytes ([`super::shard`]).
    fn into_bytes(self) -> Option<Vec<u8>> {
        if self.records.is_empty() {
            return None;
        }
        let tokens = self.tokens();
        let mut w = ShardWriter::with_capacity(self.records.len() * 3 + tokens.len() * 10);
        for (key, start, end) in tokens {
            let postings = self.records[start..end].iter().copied();
            self.with_bytes(key, |text| w.token(text, postings));
        }
        Some(w.finish())
    }

    fn into_lists(self) -> ShardLists {
        self.tokens()
            .into_iter()
            .map(|(key, start, end)| {
                let list = self.records[start..end].to_vec();
                (self.with_bytes(key, |b| String::from_utf8_lossy(b).into_owned()), list)
            })
            .collect()
    }
}

/// A shard's postings before encoding: token → (page, hits × 2 + title flag), pages ascending.
pub type ShardLists = BTreeMap<String, Vec<(u32, u32)>>;

#[cfg(test)]
mod tests {
    use super::super::page_postings;
    use super::*;

    /// The lists a plain map of every posting gives, pages ascending.
    fn naive(pages: &[(u32, String, String)]) -> Vec<ShardLists> {
        let mut want: Vec<ShardLists> = (0..SHARDS).map(|_| ShardLists::new()).collect();
        for (page, title, text) in pages {
            for (n, key, v) in page_postings(title, text, &[0, 7, 40]).iter() {
                want[n as usize].entry(key).or_default().push((*page & (MAX_PAGES - 1), v));
            }
        }
        for list in want.iter_mut().flat_map(|l| l.values_mut()) {
            list.sort_unstable();
        }
        want
    }

    /// `n` pages of Han text and words drawn from small vocabularies, so tokens recur across pages and runs.
    fn corpus(n: u32) -> Vec<(u32, String, String)> {
        let han: Vec<char> = "法律宪民刑商行政诉讼条款章节第一二三十百人国家权利义务公民组织机关".chars().collect();
        let words = ["art", "GB", "WeChat", "33", "22239", "pay", "T", "Ⅳ", "ÉTAT", "ｐａｙ"];
        let mut seed = 0x2545_f491_u64;
        let mut next = move |m: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % m
        };
        (0..n)
            .map(|page| {
                let mut text = String::new();
                for _ in 0..20 + next(60) {
                    match next(5) {
                        0 => text.push_str(words[next(words.len())]),
                        _ => (0..1 + next(6)).for_each(|_| text.push(han[next(han.len())])),
                    }
                    text.push(' ');
                }
                (page, han[next(han.len())].to_string(), text)
            })
            .collect()
    }

    fn files_of(lists: Vec<ShardLists>) -> Vec<Option<Vec<u8>>> {
        lists.into_iter().map(|l| (!l.is_empty()).then(|| super::super::shard::write_shard(&l))).collect()
    }

    fn built(b: IndexBuilder) -> (Vec<ShardLists>, usize) {
        let runs = b.stores.iter().map(|s| s.lock().expect("lock").run_bytes().0).sum();
        (lists(b), runs)
    }

    /// Every shard's lists, checked to come in shard order.
    fn lists(b: IndexBuilder) -> Vec<ShardLists> {
        let got: Vec<(u32, ShardLists)> = b.into_lists().collect::<std::io::Result<_>>().expect("read back");
        assert!(got.iter().enumerate().all(|(i, (n, _))| i == *n as usize));
        got.into_iter().map(|(_, l)| l).collect()
    }

    /// Every shard's file, checked to come in shard order.
    fn files(b: IndexBuilder) -> Vec<Option<Vec<u8>>> {
        let got: Vec<(u32, Option<Vec<u8>>)> = b.into_files().collect::<std::io::Result<_>>().expect("read back");
        assert!(got.iter().enumerate().all(|(i, (n, _))| i == *n as usize));
        got.into_iter().map(|(_, j)| j).collect()
    }

    fn flushing_at(n: usize) -> IndexBuilder {
        IndexBuilder::with(n, usize::MAX, None)
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
        let got = lists(b);
        assert_eq!(got, want);
        assert!(got.iter().any(|l| l.contains_key("gb")) && got.iter().any(|l| l.contains_key("𠀀𠀁")));
    }

    #[test]
    fn shard_files_are_what_write_shard_writes_of_the_lists() {
        let pages = [
            ("宪法", "中华人民共和国宪法 第33条 Art.5 GB/T 22239 法"),
            ("民法典", "宪法 民法 WeChat 微信 PAY 33 4294967 0"),
            ("法", "法 𠀀𠀁 art 5 gb 法律 ＧＢ２ 𠀀"),
        ];
        let build = || {
            let b = IndexBuilder::default();
            for (page, (title, text)) in pages.iter().enumerate() {
                b.add(page as u32 * 1000, page_postings(title, text, &[0, 10]));
            }
            b
        };
        let want = files_of(lists(build()));
        let got = files(build());
        assert!(want.iter().flatten().count() > 10);
        assert_eq!(got, want);
    }

    #[test]
    fn a_site_beyond_the_page_numbers_is_an_error() {
        assert!(too_many_pages(MAX_PAGES as usize - 1).is_none());
        let d = too_many_pages(MAX_PAGES as usize).expect("an error");
        assert!(d.message.contains("4194303"), "{}", d.message);
    }

    #[test]
    fn many_pages_across_many_flushes_come_out_as_one_map() {
        let pages = corpus(400);
        let build = || {
            let b = flushing_at(300);
            // Pages out of order, as the worker threads take them.
            for i in (0..pages.len()).step_by(7).chain((0..pages.len()).filter(|i| i % 7 != 0).rev()) {
                let (page, title, text) = &pages[i];
                b.add(*page, page_postings(title, text, &[0, 7, 40]));
            }
            b
        };
        let (got, runs) = built(build());
        assert!(runs > 20, "{runs} runs");
        assert_eq!(got, naive(&pages));
        assert_eq!(files(build()), files_of(naive(&pages)));
    }

    #[test]
    fn runs_spilled_to_a_file_come_out_as_those_kept_in_memory() {
        let pages = corpus(600);
        let dir = tempfile::tempdir().expect("dir");
        let build = |keep, dir: Option<PathBuf>| {
            let b = IndexBuilder::with(400, keep, dir);
            for (page, title, text) in &pages {
                b.add(*page, page_postings(title, text, &[0, 7, 40]));
            }
            b
        };
        // The bytes of the runs held in memory, without their tables of shard ends.
        let held = |b: &IndexBuilder| {
            let bytes = |(runs, bytes, _): (usize, usize, usize)| bytes - runs * SHARDS as usize * 4;
            b.stores.iter().map(|s| bytes(s.lock().expect("lock").run_bytes())).sum::<usize>()
        };
        let (kept, spilled) = (build(usize::MAX, None), build(2000, Some(dir.path().to_path_buf())));
        let runs: usize = spilled.stores.iter().map(|s| s.lock().expect("lock").run_bytes().0).sum();
        let in_memory = held(&kept);
        assert!(runs > 20 && held(&spilled) * 3 < in_memory, "{runs} runs, {} of {in_memory} bytes", held(&spilled));
        assert_eq!(lists(spilled), lists(kept));
        assert_eq!(files(build(0, Some(dir.path().to_path_buf()))), files_of(naive(&pages)));
        // The files had no name and are gone with their builders.
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
    }

    #[test]
    fn a_spilled_run_that_cannot_be_read_back_is_an_error_not_a_smaller_index() {
        let pages = corpus(200);
        let dir = tempfile::tempdir().expect("dir");
        let b = IndexBuilder::with(300, 0, Some(dir.path().to_path_buf()));
        for (page, title, text) in &pages {
            b.add(*page, page_postings(title, text, &[0, 7, 40]));
        }
        let mut spilled = 0;
        for s in &b.stores {
            let mut s = s.lock().expect("lock");
            if s.run_bytes().0 > 0 {
                s.flush_and_lose_spill();
                spilled += 1;
            }
        }
        assert!(spilled > 0);
        let (mut written, mut errors) = (0, Vec::new());
        for r in b.into_files().collect::<Vec<_>>() {
            match r {
                Ok((_, file)) => written += usize::from(file.is_some()),
                Err(e) => errors.push(e),
            }
        }
        // A group of shards reads every store's runs: no shard with postings comes out, and each failed group says why.
        assert!(written == 0 && !errors.is_empty(), "{written} shards written, {} errors", errors.len());
        for e in errors {
            assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof, "{e}");
            assert!(e.to_string().contains("temporary file"), "{e}");
        }
    }

    #[test]
    fn a_folder_that_cannot_take_the_file_keeps_the_runs_in_memory() {
        let pages = corpus(200);
        let b = IndexBuilder::with(300, 0, Some(PathBuf::from("/nonexistent/pufa-spill")));
        for (page, title, text) in &pages {
            b.add(*page, page_postings(title, text, &[0, 7, 40]));
        }
        assert_eq!(lists(b), naive(&pages));
    }

    #[test]
    fn pages_added_from_several_threads_share_their_words() {
        let pages = corpus(600);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().expect("a pool");
        let b = pool.install(|| flushing_at(500));
        assert_eq!(b.stores.len(), 4);
        let add = |(page, title, text): &(u32, String, String)| b.add(*page, page_postings(title, text, &[0, 7, 40]));
        pool.install(|| pages[..400].par_iter().with_max_len(8).for_each(add));
        // Threads outside the pool share the last store.
        std::thread::scope(|s| {
            for chunk in pages[400..].chunks(50) {
                s.spawn(move || chunk.iter().for_each(add));
            }
        });
        let with_words = b.stores.iter().filter(|s| s.lock().expect("lock").run_bytes().2 > 0).count();
        assert!(with_words >= 2, "words in {with_words} stores");
        let want = naive(&pages);
        let (got, _) = built(b);
        assert_eq!(got, want);
        assert!(got.iter().any(|l| l.contains_key("wechat")) && got.iter().any(|l| l.contains_key("état")));
    }

    #[test]
    fn runs_whose_pages_overlap_still_give_each_token_its_pages_in_order() {
        // Each page is added once in a build, so runs never overlap there; a page added twice makes them.
        let pages = corpus(60);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a pool");
        let b = pool.install(|| flushing_at(1 << 20));
        let add = |(page, title, text): &(u32, String, String)| b.add(*page, page_postings(title, text, &[0, 7, 40]));
        pool.install(|| pages[..40].iter().for_each(add));
        pages[20..].iter().for_each(add);
        let twice: Vec<_> = pages[..40].iter().chain(&pages[20..]).cloned().collect();
        assert_eq!(lists(b), naive(&twice));
    }

    #[test]
    fn pages_numbered_near_the_limit_keep_their_numbers() {
        let mut pages = corpus(40);
        for (i, p) in pages.iter_mut().enumerate() {
            p.0 = match i % 3 {
                0 => MAX_PAGES - 1 - i as u32,
                1 => i as u32,
                _ => MAX_PAGES / 2 + i as u32,
            };
        }
        let build = || {
            let b = flushing_at(100);
            for (page, title, text) in &pages {
                b.add(*page, page_postings(title, text, &[0, 7, 40]));
            }
            b
        };
        let (got, runs) = built(build());
        assert!(runs > 3, "{runs} runs");
        assert_eq!(got, naive(&pages));
        assert!(got.iter().flat_map(|l| l.values()).flatten().any(|&(page, _)| page == MAX_PAGES - 1));
        assert_eq!(files(build()), files_of(naive(&pages)));
    }

    #[test]
    fn runs_hold_a_posting_in_fewer_bytes_than_a_record() {
        let pages = corpus(2000);
        let b = flushing_at(1 << 14);
        for (page, title, text) in &pages {
            b.add(*page, page_postings(title, text, &[0, 7, 40]));
        }
        let postings: usize = naive(&pages).iter().flat_map(|l| l.values()).map(Vec::len).sum();
        let bytes: usize = b.stores.iter().map(|s| s.lock().expect("lock").run_bytes().1).sum();
        // About seven bytes a posting with the runs' tables of shard ends, against twelve for a record packing a
        // token and page in one word beside the value.
        assert!(bytes < postings * 8, "{bytes} bytes for {postings} postings");
    }
}
