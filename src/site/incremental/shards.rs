//! Which search shards an incremental build rewrites: those where a page rendered again, added or removed has
//! postings other than the last build's. A page's last postings are computed again from its text blocks in the
//! output (`search/t/`), which hold exactly the text it was indexed with, so no build keeps a digest of every
//! page's postings per shard between builds (for 3,500 law texts they were 40 MB of memory and of cache file).

use std::path::Path;

use super::{Built, PageResult};
use crate::site::search::{self, Block, ShardDigest, SHARDS};
use crate::site::BuildError;

/// The shards to write again.
#[derive(Debug, PartialEq, Eq)]
pub enum Rewrite {
    /// Every shard: pages were renumbered (added or removed before others, or reordered), so the numbers in
    /// every shard change.
    All,
    /// The shards marked, by number.
    Some(Vec<bool>),
}

impl Rewrite {
    /// Whether shard `n` is written again.
    pub fn has(&self, n: u32) -> bool {
        match self {
            Rewrite::All => true,
            Rewrite::Some(marked) => marked.get(n as usize).copied().unwrap_or(false),
        }
    }
}

/// The shards whose contents change from `last` to `built`, the output of `last` being in `dir`. The pages of
/// `built` rendered now carry their digests ([`PageResult::digests`]); the others are unchanged.
pub fn rewrite(dir: &Path, built: &Built, last: &Built) -> Result<Rewrite, BuildError> {
    let number: foldhash::HashMap<&str, usize> = built.order.iter().enumerate().map(|(i, s)| (s.as_str(), i)).collect();
    let mut marked = vec![false; SHARDS as usize];
    for (old, source) in last.order.iter().enumerate() {
        match number.get(source.as_str()) {
            Some(&new) if new != old => return Ok(Rewrite::All),
            Some(_) => {}
            // Removed: its postings leave the shards they were in (they were the last numbers, or the pages
            // after it would have been renumbered).
            None => {
                if let Some(page) = last.pages.get(source) {
                    for d in last_digests(dir, source, page)? {
                        marked[d.shard() as usize] = true;
                    }
                }
            }
        }
    }
    for source in &built.order {
        let Some(now) = built.pages.get(source).and_then(|p| p.digests.as_deref()) else { continue };
        // A page in both builds has the same number here (else every shard is rewritten, above).
        let before = match last.pages.get(source) {
            Some(page) => last_digests(dir, source, page)?,
            None => Vec::new(),
        };
        mark_differences(&before, now, &mut marked);
    }
    Ok(Rewrite::Some(marked))
}

/// Marks the shards in which two digest lists (each in shard order) differ.
fn mark_differences(a: &[ShardDigest], b: &[ShardDigest], marked: &mut [bool]) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x.shard() == y.shard() => {
                if x.digest() != y.digest() {
                    marked[x.shard() as usize] = true;
                }
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x.shard() < y.shard() => {
                marked[x.shard() as usize] = true;
                i += 1;
            }
            (Some(x), None) => {
                marked[x.shard() as usize] = true;
                i += 1;
            }
            (_, Some(y)) => {
                marked[y.shard() as usize] = true;
                j += 1;
            }
            (None, None) => break,
        }
    }
}

/// The digests of the postings page `source` had in the last build, from its text file in `dir` and the title
/// it was indexed with.
fn last_digests(dir: &Path, source: &str, page: &PageResult) -> Result<Vec<ShardDigest>, BuildError> {
    let path = dir.join(search::text_file(&search::blocks::page_key(source)));
    let io = |source| BuildError::Io { path: path.clone(), source };
    let bytes = std::fs::read(&path).map_err(io)?;
    let blocks: Vec<Block<'_>> = serde_json::from_slice(&bytes).map_err(|e| io(std::io::Error::other(e)))?;
    let text: String = blocks.iter().map(|b| b.t.as_ref()).collect();
    let starts = search::blocks::starts(&text);
    Ok(search::shard_digests(&search::page_postings(&page.title, &text, &starts)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(list: &[(u32, u64)]) -> Vec<ShardDigest> {
        list.iter().map(|&(s, h)| ShardDigest::new(s, h)).collect()
    }

    fn marked(a: &[(u32, u64)], b: &[(u32, u64)]) -> Vec<usize> {
        let mut m = vec![false; 16];
        mark_differences(&d(a), &d(b), &mut m);
        m.iter().enumerate().filter(|(_, &x)| x).map(|(i, _)| i).collect()
    }

    #[test]
    fn differences_are_changed_added_and_dropped_shards() {
        assert_eq!(marked(&[(1, 5), (3, 7)], &[(1, 5), (3, 7)]), Vec::<usize>::new());
        assert_eq!(marked(&[(1, 5), (3, 7)], &[(1, 5), (3, 8)]), vec![3]);
        assert_eq!(marked(&[(1, 5), (3, 7)], &[(0, 1), (1, 5), (9, 2)]), vec![0, 3, 9]);
        assert_eq!(marked(&[], &[(2, 1), (15, 1)]), vec![2, 15]);
        assert_eq!(marked(&[(4, 1), (6, 1)], &[]), vec![4, 6]);
    }
}
