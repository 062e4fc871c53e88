//! Site: the build pipeline: render the library with tera, taxonomies, feeds, sitemap, search index,
//! and write `public/` atomically (a temporary folder swapped in only when the whole build succeeded).

pub mod clash;
pub mod competitions;
pub mod config;
mod cpu;
pub mod engine;
pub mod feed;
pub mod foreign;
pub mod incremental;
pub mod output;
pub mod pictures;
pub mod progress;
pub mod render;
pub mod search;
pub mod sitewide;
pub mod taxonomy;
pub mod theme;
pub mod views;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use config::{MenuItem, SiteConfig};
pub use engine::Engine;
pub use theme::{base_context, load_templates};

use crate::diag::Diagnostics;

/// What to build and where.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub source: PathBuf,
    /// Where the site goes; `None` checks everything and writes nothing (`pufa check`).
    pub output: Option<PathBuf>,
    pub drafts: bool,
    /// Include pages whose `publishDate` is still to come.
    pub future: bool,
    /// Show a progress bar (only on a terminal, and only for builds that take over a second).
    pub progress: bool,
}

impl BuildOptions {
    /// A build of `source` into `output` (default `SOURCE/public`), drafts left out, no progress bar.
    pub fn new(source: &Path, output: Option<&Path>) -> BuildOptions {
        BuildOptions {
            source: source.to_path_buf(),
            output: Some(output.map(Path::to_path_buf).unwrap_or_else(|| source.join("public"))),
            drafts: false,
            future: false,
            progress: false,
        }
    }
}

/// What a successful build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub pages: usize,
    pub sections: usize,
    /// Files written (or that would have been, for a check) and their total size.
    pub files: u64,
    pub bytes: u64,
    /// Bytes written under `search/` by this build (page table, shards, text blocks) and the number of shard
    /// files written.
    pub search_bytes: u64,
    pub search_shards: usize,
    /// CPU time this build spent on its search index: each page's postings and text blocks (in the threads
    /// that rendered them, added up) and the shards and page table after.
    pub search_cpu: Duration,
    /// Photos made into pictures by this build (the others' files came from the cache).
    pub pictures_encoded: usize,
    pub elapsed: Duration,
    /// Warnings (the build succeeded despite them).
    pub warnings: Diagnostics,
}

/// Why a build failed. Either way nothing of the previous output was touched.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Problems in the input, every one of them, sorted by file and line (warnings included).
    #[error("{0}")]
    Diagnostics(Diagnostics),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

/// Builds the site: load, render every page in parallel, write lists, feeds, search index and static files
/// into a temporary folder, and swap it in only when there was no error at all (a full build; see
/// [`Engine`] for incremental ones).
pub fn build(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    Engine::once(opts.clone()).build(None)
}

/// Shows every path relative to the site folder (`quizzes/…`, like `content/…`), whoever produced it.
fn relative_to_source(diags: &mut Diagnostics, source: &Path) {
    for d in &mut diags.0 {
        if let Ok(rel) = d.path.strip_prefix(source) {
            d.path = rel.to_path_buf();
        }
    }
}

/// What a publisher should know before uploading `public/`: an empty `base_url` leaves the feed, the sitemap
/// and the posters without absolute addresses; and the folder must be served, not opened from disk.
pub fn publishing_notes(source: &Path, wrote: bool) -> Vec<String> {
    let (config, lang) = match SiteConfig::load(source) {
        Ok(c) => {
            let lang = c.language;
            (c, lang)
        }
        Err(_) => return Vec::new(),
    };
    let mut notes = Vec::new();
    if config.base_url.is_empty() {
        notes.push(format!("site.yaml: {}", crate::i18n::t(lang, "build.no_base_url")));
    }
    if wrote {
        notes.push(crate::i18n::t(lang, "build.serve_note").to_string());
    }
    notes
}
