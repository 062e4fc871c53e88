//! Answering a query from the shard files, as `static/search.js` does in the browser.

use std::collections::BTreeMap;
use std::path::Path;

use foldhash::{HashMap, HashMapExt};

use super::{chunk_file, shard_of, tokens, PageEntry, PageTable, SHARDS};

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
    use crate::site::search::{page_postings, IndexBuilder};

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
