//! The engine's memory between builds (`site::engine` runs the stages): what the last build left (`Built`:
//! every output file's fingerprint and what each page and section looked up), the library it kept to patch
//! (`kept`), the fingerprints' rules (`plan`) and the cache that carries it all to the next process (`cache`);
//! and how a build's results are put together from what it rendered and what the last build left.

pub mod cache;
pub(super) mod kept;
pub(super) mod plan;
pub(super) mod shards;

// foldhash: these maps hold a key per output file and are looked up on every build.
use foldhash::{HashMap, HashMapExt};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::render::{self, GalleryVideo};
use crate::content::Library;
use crate::diag::Diagnostic;

/// A video of a page as the gallery lists it, kept for pages not rendered again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct KeptVideo {
    pub(super) player: String,
    pub(super) title: Option<String>,
}

/// What rendering a page left that later builds need when they do not render it again.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PageResult {
    pub(super) lookups: Vec<String>,
    pub(super) videos: Vec<KeptVideo>,
    pub(super) diagnostics: Vec<Diagnostic>,
    /// The title its search postings were made with (see [`shards`]).
    pub(super) title: String,
    /// Digest of its search postings per shard it has postings in, for a page an incremental build rendered
    /// now (see [`shards`]); None otherwise, and never kept between builds.
    #[serde(skip)]
    pub(super) digests: Option<Arc<[crate::site::search::ShardDigest]>>,
    /// Its search text file's fingerprint and block lengths.
    pub(super) text: crate::site::search::TextFile,
}

/// The same for a section.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SectionResult {
    pub(super) lookups: Vec<String>,
    pub(super) diagnostics: Vec<Diagnostic>,
}

/// The state of the output folder after a successful build.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Built {
    /// Every file in the output and its fingerprint.
    pub(super) manifest: HashMap<String, u64>,
    /// Page sources by page number (search postings refer to pages by number).
    pub(super) order: Vec<String>,
    /// Shared: a page not rendered again keeps the last build's result as it is.
    pub(super) pages: HashMap<String, Arc<PageResult>>,
    pub(super) sections: HashMap<String, SectionResult>,
}

/// The per-page and per-section results of this build: fresh for what was rendered, kept from the last build
/// for the rest.
pub(super) fn results(
    lib: &Library,
    rendered: Vec<(usize, render::PageOutcome)>,
    sections: Vec<(usize, render::SectionOutcome)>,
    last: Option<&Built>,
) -> Built {
    let mut fresh: HashMap<usize, render::PageOutcome> = rendered.into_iter().collect();
    let mut pages = HashMap::with_capacity(lib.pages.len());
    for (i, p) in lib.pages.iter().enumerate() {
        let result = match fresh.remove(&i) {
            Some(o) => Arc::new(PageResult {
                lookups: o.lookups,
                videos: o.videos.into_iter().map(|v| KeptVideo { player: v.player, title: v.title }).collect(),
                diagnostics: o.diagnostics,
                title: p.meta.title.clone(),
                digests: o.shard_digests,
                text: o.text,
            }),
            // Digests are only for the pages rendered in the build that made them.
            None => match last.and_then(|b| b.pages.get(&p.source)) {
                Some(kept) if kept.digests.is_some() => Arc::new(PageResult { digests: None, ..(**kept).clone() }),
                Some(kept) => kept.clone(),
                None => Arc::default(),
            },
        };
        pages.insert(p.source.clone(), result);
    }
    let mut fresh: HashMap<usize, render::SectionOutcome> = sections.into_iter().collect();
    let mut done = HashMap::with_capacity(lib.sections.len());
    for (i, s) in lib.sections.iter().enumerate() {
        let result = match fresh.remove(&i) {
            Some(o) => SectionResult { lookups: o.lookups, diagnostics: o.diagnostics },
            None => last.and_then(|b| b.sections.get(&s.source)).cloned().unwrap_or_default(),
        };
        done.insert(s.source.clone(), result);
    }
    let order = lib.pages.iter().map(|p| p.source.clone()).collect();
    Built { manifest: HashMap::new(), order, pages, sections: done }
}

/// Every page's videos for the gallery, as a full build gathers them, from the pages' results in page order.
pub(super) fn gallery(lib: &Library, results: &[&PageResult]) -> Vec<GalleryVideo> {
    let mut videos = Vec::new();
    for (i, (p, result)) in lib.pages.iter().zip(results).enumerate() {
        for v in &result.videos {
            videos.push(GalleryVideo {
                player: v.player.clone(),
                title: v.title.clone(),
                page_title: p.meta.title.clone(),
                page_url: p.url.clone(),
                sort_key: (p.meta.date, i),
            });
        }
    }
    videos.sort_by(|a, b| b.sort_key.0.cmp(&a.sort_key.0).then(a.sort_key.1.cmp(&b.sort_key.1)));
    videos
}
