//! Answering a query from the index files, as `static/search.js` does in the browser: the pages holding every
//! token of the query, or when there are none, the pages holding most of them (partial matches); ranked by how
//! much of the query they hold, then title matches, then hits.

use std::collections::BTreeMap;
use std::path::Path;

use foldhash::{HashMap, HashMapExt};

use super::blocks::{block_range, excerpt, text_file, Block, Excerpt};
use super::{chunk_file, posting_parts, read_shard, shard_file, shard_of, tokens, PageEntry, PageTable, ShardLists};
use super::{SHARDS, VERSION};

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub page: u32,
    /// How many of the query's tokens the page holds.
    pub matched: u32,
    /// Every token it holds is in the title.
    pub title: bool,
    pub hits: u32,
    /// The first block of the page's text where one of the tokens occurs.
    pub block: u32,
}

/// The results of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub hits: Vec<Hit>,
    /// No page holds the whole query: these hold at least half of its tokens.
    pub partial: bool,
}

/// What a query gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Nothing to look for, or only single characters (found almost everywhere): the reader is asked for two.
    Short,
    Found(Found),
}

/// The distinct tokens of `query`, in order.
pub fn query_tokens(query: &str) -> Vec<String> {
    let mut toks: Vec<String> = Vec::new();
    tokens(query, |t| {
        if !toks.iter().any(|x| x == t) {
            toks.push(t.to_string());
        }
    });
    toks
}

/// Looks `query` up. `shard` returns a shard's postings (None when it is missing).
pub fn lookup(query: &str, mut shard: impl FnMut(u32) -> Option<ShardLists>) -> Lookup {
    let toks = query_tokens(query);
    if toks.iter().all(|t| t.chars().nth(1).is_none()) {
        return Lookup::Short;
    }
    let mut loaded: HashMap<u32, ShardLists> = HashMap::new();
    let mut pages: BTreeMap<u32, Hit> = BTreeMap::new();
    for tok in &toks {
        let s = shard_of(tok);
        let postings = loaded.entry(s).or_insert_with(|| shard(s).unwrap_or_default());
        let Some(list) = postings.get(tok) else { continue };
        for &(page, value) in list {
            let (block, hits, title) = posting_parts(value);
            let hit = pages.entry(page).or_insert(Hit { page, matched: 0, title: true, hits: 0, block });
            hit.matched += 1;
            hit.title &= title;
            hit.hits += hits;
            hit.block = hit.block.min(block);
        }
    }
    let all = toks.len() as u32;
    let full = pages.values().any(|h| h.matched == all);
    let need = if full { all } else { all.div_ceil(2) };
    let mut hits: Vec<Hit> = pages.into_values().filter(|h| h.matched >= need).collect();
    hits.sort_by(|a, b| {
        b.matched.cmp(&a.matched).then(b.title.cmp(&a.title)).then(b.hits.cmp(&a.hits)).then(a.page.cmp(&b.page))
    });
    Lookup::Found(Found { hits, partial: !full })
}

/// A result as the search page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub entry: PageEntry,
    pub partial: bool,
    /// The page's address, with the anchor nearest the match when there is one.
    pub url: String,
    pub excerpt: Excerpt,
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> std::io::Result<T> {
    serde_json::from_slice(&std::fs::read(path)?).map_err(std::io::Error::other)
}

/// Runs [`lookup`] against an index written to `dir/search/`, as the browser does, with every result's row and
/// excerpt; None when the query is too short.
pub fn search_dir(dir: &Path, query: &str) -> std::io::Result<Option<Vec<Shown>>> {
    let table: PageTable = read_json(&dir.join("search/pages.json"))?;
    if (table.shards, table.version) != (SHARDS, VERSION) {
        let msg = format!(
            "search/pages.json: index layout {} with {} shards, expected {VERSION} with {SHARDS}",
            table.version, table.shards
        );
        return Err(std::io::Error::other(msg));
    }
    let shard = |s| read_shard(&std::fs::read(dir.join(shard_file(s))).ok()?).ok();
    let Lookup::Found(found) = lookup(query, shard) else { return Ok(None) };
    let toks = query_tokens(query);
    let chunk = table.chunk.max(1) as usize;
    let mut chunks: HashMap<usize, Vec<PageEntry>> = HashMap::new();
    let mut shown = Vec::with_capacity(found.hits.len());
    for h in found.hits {
        let n = h.page as usize / chunk;
        let rows = match chunks.entry(n) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(read_json(&dir.join(chunk_file(n)))?),
        };
        let entry = rows[h.page as usize % chunk].clone();
        // The block's bytes, as the browser asks for them by range.
        let path = dir.join(text_file(&entry.key));
        let bytes = std::fs::read(&path)?;
        let range = block_range(&entry.blocks, h.block as usize)
            .filter(|r| r.end <= bytes.len())
            .ok_or_else(|| std::io::Error::other(format!("{}: no block {}", path.display(), h.block)))?;
        let block: Block<'_> = serde_json::from_slice(&bytes[range]).map_err(std::io::Error::other)?;
        let excerpt = excerpt(&block, &toks);
        let url = match &excerpt.anchor {
            Some(a) => format!("{}#{a}", entry.url),
            None => entry.url.clone(),
        };
        shown.push(Shown { entry, partial: found.partial, url, excerpt });
    }
    Ok(Some(shown))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::search::{page_postings, IndexBuilder};

    fn index(pages: &[(&str, &str)]) -> Vec<ShardLists> {
        let b = IndexBuilder::default();
        for (i, (title, text)) in pages.iter().enumerate() {
            b.add(i as u32, page_postings(title, text, &[0]));
        }
        b.into_shards().expect("shards")
    }

    fn pages(shards: &[ShardLists], q: &str) -> (Vec<u32>, bool) {
        match lookup(q, |s| Some(shards[s as usize].clone())) {
            Lookup::Found(f) => (f.hits.into_iter().map(|h| h.page).collect(), f.partial),
            Lookup::Short => panic!("{q}: short"),
        }
    }

    #[test]
    fn lookup_intersects_and_ranks_title_first() {
        let shards =
            index(&[("民法典解读", "宪法是根本法。宪法宪法"), ("宪法学习", "学习宪法"), ("安全生产", "生产经营单位")]);
        assert_eq!(pages(&shards, "宪法"), (vec![1, 0], false));
        assert_eq!(pages(&shards, "生产"), (vec![2], false));
        assert_eq!(pages(&shards, "根本法"), (vec![0], false));
        assert_eq!(pages(&shards, "刑法"), (vec![], true));
    }

    #[test]
    fn without_a_whole_match_the_pages_holding_most_of_the_query_are_partial() {
        let shards = index(&[
            ("防范电信网络诈骗", "电信网络诈骗是指以非法占有为目的。"),
            ("民法典", "从建筑物中抛掷物品或者从建筑物上坠落的物品造成他人损害的，高空抛物由侵权人依法承担侵权责任。"),
            ("安全生产", "生产经营单位"),
        ]);
        // 电信诈骗: 电信 and 诈骗 are there, 信诈 is not.
        assert_eq!(pages(&shards, "电信诈骗"), (vec![0], true));
        assert_eq!(pages(&shards, "高空抛物谁来赔"), (vec![1], true));
        // Both words whole, in different pages: each holds half.
        assert_eq!(pages(&shards, "诈骗 生产"), (vec![0, 2], true));
        // One whole match hides the partial ones.
        assert_eq!(pages(&shards, "电信网络"), (vec![0], false));
    }

    #[test]
    fn single_characters_ask_for_more() {
        let shards = index(&[("法", "法")]);
        for q in ["法", "", "，", "法 律", "a"] {
            assert_eq!(lookup(q, |s| Some(shards[s as usize].clone())), Lookup::Short, "{q:?}");
        }
        assert_eq!(pages(&shards, "ab"), (vec![], true));
    }

    #[test]
    fn uppercase_words_digits_and_codes_are_found() {
        let shards = index(&[("APP 隐私", "Personal Information"), ("标准", "GB/T 22239-2019 于2019年发布")]);
        let Lookup::Found(f) = lookup("personal APP", |s| Some(shards[s as usize].clone())) else { panic!() };
        assert_eq!(f.hits, vec![Hit { page: 0, matched: 2, title: false, hits: 2, block: 0 }]);
        assert_eq!(pages(&shards, "GB/T"), (vec![1], false));
        assert_eq!(pages(&shards, "2019"), (vec![1], false));
    }

    #[test]
    fn a_posting_names_the_block_of_the_first_occurrence() {
        let text = "甲乙。\n丙丁宪法。\n宪法。\n";
        let starts = [0, text.find('丙').unwrap(), text.rfind("宪法").unwrap()];
        let b = IndexBuilder::default();
        b.add(0, page_postings("标题", text, &starts));
        let shards = b.into_shards().expect("shards");
        let Lookup::Found(f) = lookup("宪法", |s| Some(shards[s as usize].clone())) else { panic!() };
        assert_eq!((f.hits[0].block, f.hits[0].hits), (1, 2));
        let Lookup::Found(f) = lookup("甲乙 宪法", |s| Some(shards[s as usize].clone())) else { panic!() };
        assert_eq!(f.hits[0].block, 0);
    }
}
