//! Stage 5 of the build (see `site::engine`): the pages made from the whole site (taxonomies, video gallery,
//! feeds, sitemap, search index), and the fingerprints of the files only known once the pages are rendered.

use std::path::Path;

use foldhash::{HashMap, HashSet};

use super::Loaded;
use crate::site::incremental::shards::{self, Rewrite};
use crate::site::incremental::{gallery, plan::Fp, Built, PageResult};
use crate::site::output::Output;
use crate::site::render::Renderer;
use crate::site::search::{self, IndexBuilder};
use crate::site::sitewide::{self, ShardBase};
use crate::site::BuildError;

/// Stage 5: the pages made from the whole site (the video gallery and the search shards are fingerprinted only
/// now, from what the pages left). `again`: the pages rendered now; `previous`: the output an incremental build
/// updates, whose search shards are patched.
#[allow(clippy::too_many_arguments)]
pub(super) fn whole_site(
    r: &Renderer<'_>,
    loaded: &Loaded,
    built: &Built,
    last: Option<&Built>,
    again: &HashSet<usize>,
    previous: Option<&Path>,
    index: IndexBuilder,
    chunks: Vec<Fp>,
    out: &mut Output,
    files: &mut HashMap<String, u64>,
) -> Result<sitewide::Extra, BuildError> {
    // Every page's results once, in page order (the order of the library and of `built.order`).
    let page_results: Vec<&PageResult> = built.order.iter().map(|s| &*built.pages[s]).collect();
    let videos = gallery(r.library, &page_results);
    let video_fp = Fp::new("videos", loaded.global).json(&videos).finish();
    let file = "videos/index.html".to_string();
    if last.is_none_or(|b| b.manifest.get(&file) != Some(&video_fp)) {
        out.want(&file);
    }
    files.insert(file, video_fp);
    // A page's search text was written with it; it is in the output as long as the page is.
    for (source, result) in built.order.iter().zip(&page_results) {
        let key = search::blocks::page_key(source);
        files.insert(search::text_file(&key), result.text.fingerprint);
    }
    // The page table's chunks: the rows planned, and the lengths of the pages' text blocks, known now.
    for (n, (mut f, rows)) in chunks.into_iter().zip(page_results.chunks(search::CHUNK)).enumerate() {
        for row in rows {
            let lens = &row.text.blocks;
            f.u64(lens.len() as u64);
            for &l in lens {
                f.u64(u64::from(l));
            }
        }
        let (file, fp) = (search::chunk_file(n), f.finish());
        if last.is_none_or(|b| b.manifest.get(&file) != Some(&fp)) {
            out.want(&file);
        }
        files.insert(file, fp);
    }
    // The search shards: built afresh when every page was rendered now; else the last build's, patched where
    // the postings of the pages rendered, added or removed now differ from theirs.
    let previous = previous.zip(last).filter(|_| again.len() < built.order.len());
    let rewrite = match previous {
        Some((dir, last)) => shards::rewrite(dir, built, last)?,
        None => Rewrite::All,
    };
    for n in 0..search::SHARDS {
        let file = search::shard_file(n);
        if rewrite.has(n) {
            out.want(&file);
        } else if let Some(&fp) = last.and_then(|b| b.manifest.get(&file)) {
            files.insert(file, fp);
        }
    }
    let remap: Vec<Option<u32>> = last.map_or_else(Vec::new, |b| {
        let number: HashMap<&str, u32> = built.order.iter().enumerate().map(|(i, s)| (s.as_str(), i as u32)).collect();
        b.order.iter().map(|s| number.get(s.as_str()).copied().filter(|&n| !again.contains(&(n as usize)))).collect()
    });
    let shard_base = match previous {
        Some((dir, _)) => ShardBase::Previous { dir, remap: &remap },
        None => ShardBase::Fresh,
    };
    let blocks: Vec<&[u32]> = page_results.iter().map(|r| r.text.blocks.as_slice()).collect();
    let mut extra = sitewide::render_all(r, &loaded.taxonomies, videos, index, shard_base, &blocks, out)?;
    files.extend(std::mem::take(&mut extra.shards));
    Ok(extra)
}
