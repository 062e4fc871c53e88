//! Site: the build pipeline: render the library with tera, taxonomies, feeds, sitemap, search index,
//! and write `public/` atomically (a temporary folder swapped in only when the whole build succeeded).

use std::path::{Path, PathBuf};

/// What to build and where.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub source: PathBuf,
    pub output: PathBuf,
    pub drafts: bool,
    /// Show a progress bar (only on a terminal, and only for builds that take over a second).
    pub progress: bool,
}

/// `pufa build`: builds and prints warnings, a summary, or every error with its file and line.
pub fn run_build(source: &Path, output: Option<&Path>, drafts: bool) -> anyhow::Result<()> {
    let _ = (source, output, drafts);
    todo!("site helper implements")
}

/// `pufa check`: loads and renders everything in memory, validates quizzes, writes nothing.
pub fn run_check(source: &Path) -> anyhow::Result<()> {
    let _ = source;
    todo!("site helper implements")
}
