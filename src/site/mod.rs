//! Site: the build pipeline: render the library with tera, taxonomies, feeds, sitemap, search index,
//! and write `public/` atomically (a temporary folder swapped in only when the whole build succeeded).

pub mod competitions;
pub mod config;
pub mod feed;
pub mod output;
pub mod progress;
pub mod render;
pub mod search;
pub mod special;
pub mod taxonomy;
pub mod theme;
pub mod views;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

pub use config::{MenuItem, SiteConfig};
pub use theme::{base_context, load_templates};

use crate::content;
use crate::diag::{Diagnostic, Diagnostics};
use output::Output;
use progress::Progress;
use render::Renderer;
use search::IndexBuilder;

/// What to build and where.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub source: PathBuf,
    /// Where the site goes; `None` checks everything and writes nothing (`pufa check`).
    pub output: Option<PathBuf>,
    pub drafts: bool,
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
    /// Size of `search/` (page table and shards) and the number of shard files.
    pub search_bytes: u64,
    pub search_shards: usize,
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
/// into a temporary folder, and swap it in only when there was no error at all.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    let start = Instant::now();
    let mut diags = Diagnostics::default();
    let config = SiteConfig::load(&opts.source).unwrap_or_else(|d| {
        diags.extend(d.0);
        SiteConfig::default()
    });
    let theme = theme::Theme::gather(&opts.source, &config);
    let tera = theme.as_ref().map_err(Clone::clone).and_then(|t| t.compile());
    tracing::debug!(elapsed = ?start.elapsed(), "config and theme");
    let load_opts = content::LoadOptions { drafts: opts.drafts };
    let (library, content_diags) = content::load_with(&opts.source.join("content"), &load_opts);
    diags.extend(content_diags.0);
    tracing::debug!(elapsed = ?start.elapsed(), "content loaded");
    let quizzes_dir = opts.source.join("quizzes");
    let quizzes = quizzes_dir.is_dir().then(|| {
        let (set, d) = crate::quiz::load(&quizzes_dir);
        diags.extend(d.0);
        set
    });
    let tera = match tera {
        Ok(t) => t,
        Err(d) => {
            diags.extend(d.0);
            relative_to_source(&mut diags, &opts.source);
            diags.sort();
            return Err(BuildError::Diagnostics(diags));
        }
    };
    let out = match &opts.output {
        Some(dir) => Output::beside(dir)?,
        None => Output::dry(),
    };
    let lang = config.language;
    let statics = theme.map(|t| t.statics).unwrap_or_default();
    let r = Renderer {
        source: &opts.source,
        statics: &statics,
        config: &config,
        lang,
        tera: &tera,
        library: &library,
        quizzes: quizzes.as_ref(),
        base: base_context(&config, lang),
        positions: render::positions(&library),
    };

    let progress = Progress::new(opts.progress, (library.pages.len() + library.sections.len()) as u64);
    let index = IndexBuilder::default();
    let outcomes: Vec<render::PageOutcome> = (0..library.pages.len())
        .into_par_iter()
        .map_init(
            || r.base.clone(),
            |ctx, i| {
                let o = r.page(i, ctx, &out, &index);
                progress.tick();
                o
            },
        )
        .collect::<Result<_, _>>()?;
    tracing::debug!(elapsed = ?start.elapsed(), "pages rendered");
    let section_diags: Vec<Vec<Diagnostic>> = (0..library.sections.len())
        .into_par_iter()
        .map(|i| {
            let d = r.section(i, &out);
            progress.tick();
            d
        })
        .collect::<Result<_, _>>()?;
    progress.finish();
    tracing::debug!(elapsed = ?start.elapsed(), "sections rendered");
    let mut videos = Vec::new();
    for o in outcomes {
        diags.extend(o.diagnostics);
        videos.extend(o.videos);
    }
    diags.extend(section_diags.into_iter().flatten());

    let extra = special::render_all(&r, videos, index, &out)?;
    diags.extend(extra.diagnostics);
    tracing::debug!(elapsed = ?start.elapsed(), "lists, feeds, search index written");

    relative_to_source(&mut diags, &opts.source);
    diags.sort();
    if diags.has_errors() {
        return Err(BuildError::Diagnostics(diags));
    }
    let (files, bytes) = out.totals();
    if let Some(dir) = &opts.output {
        out.commit(dir)?;
    }
    tracing::debug!(elapsed = ?start.elapsed(), "swapped in");
    Ok(BuildReport {
        pages: library.pages.len(),
        sections: library.sections.len(),
        files,
        bytes,
        search_bytes: extra.search_bytes,
        search_shards: extra.search_shards,
        elapsed: start.elapsed(),
        warnings: diags,
    })
}

/// Shows every path relative to the site folder (`quizzes/…`, like `content/…`), whoever produced it.
fn relative_to_source(diags: &mut Diagnostics, source: &Path) {
    for d in &mut diags.0 {
        if let Ok(rel) = d.path.strip_prefix(source) {
            d.path = rel.to_path_buf();
        }
    }
}

fn print_summary(report: &BuildReport, verb: &str) {
    for w in report.warnings.warnings() {
        eprintln!("{w}");
    }
    eprintln!(
        "{verb}: {} pages, {} sections, {} files ({:.1} MB); search index {:.1} KB in {} shards; {} ms",
        report.pages,
        report.sections,
        report.files,
        report.bytes as f64 / 1e6,
        report.search_bytes as f64 / 1e3,
        report.search_shards,
        report.elapsed.as_millis()
    );
}

/// `pufa build`: builds and prints warnings, a summary, or every error with its file and line.
pub fn run_build(source: &Path, output: Option<&Path>, drafts: bool) -> anyhow::Result<()> {
    let opts = BuildOptions { drafts, progress: true, ..BuildOptions::new(source, output) };
    let report = build(&opts)?;
    print_summary(&report, "built");
    Ok(())
}

/// `pufa check`: loads and renders everything in memory, validates quizzes, writes nothing.
pub fn run_check(source: &Path) -> anyhow::Result<()> {
    let opts = BuildOptions { output: None, ..BuildOptions::new(source, None) };
    let report = build(&opts)?;
    print_summary(&report, "checked");
    Ok(())
}
