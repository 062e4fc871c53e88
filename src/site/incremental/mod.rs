//! The engine's memory between builds (`site::engine` runs the stages): what the last build left (`Built`:
//! every output file's fingerprint and what each page and section looked up), the library it kept to patch
//! (`kept`), the fingerprints' rules (`plan`) and the cache that carries it all to the next process (`cache`).

pub mod cache;
pub(super) mod kept;
pub(super) mod plan;

// foldhash: these maps hold a key per output file and are looked up on every build.
use foldhash::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

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
    /// Digest of its search postings per shard it has postings in (None: not known, which no build leaves);
    /// kept in the cache's binary side file.
    #[serde(skip)]
    pub(super) digests: Option<Arc<[crate::site::search::ShardDigest]>>,
    /// Fingerprints of its search text blocks, by block number.
    pub(super) blocks: Vec<u64>,
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
    pub(super) pages: HashMap<String, PageResult>,
    pub(super) sections: HashMap<String, SectionResult>,
}

pub(crate) fn now_nanos() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}
