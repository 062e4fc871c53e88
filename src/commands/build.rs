//! `pufa build` and `pufa check`: run the site engine and print its warnings, a summary and the publishing notes,
//! or every error with its file and line.

use std::path::Path;

use crate::site::{build, publishing_notes, BuildOptions, BuildReport, Engine};

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

/// `pufa build`: builds (from the build cache unless `clean`) and prints warnings, a summary, or every error
/// with its file and line.
pub fn run_build(source: &Path, output: Option<&Path>, drafts: bool, future: bool, clean: bool) -> anyhow::Result<()> {
    let opts = BuildOptions { drafts, future, progress: true, ..BuildOptions::new(source, output) };
    let mut engine = if clean { Engine::new(opts) } else { Engine::with_cache(opts) };
    let report = engine.build(None)?;
    if let Err(e) = engine.save_cache() {
        tracing::warn!("could not save the build cache: {e}");
    }
    print_summary(&report, "built");
    for note in publishing_notes(source, true) {
        eprintln!("{note}");
    }
    Ok(())
}

/// `pufa check`: loads and renders everything in memory, validates quizzes, writes nothing.
pub fn run_check(source: &Path) -> anyhow::Result<()> {
    let opts = BuildOptions { output: None, ..BuildOptions::new(source, None) };
    let report = build(&opts)?;
    print_summary(&report, "checked");
    for note in publishing_notes(source, false) {
        eprintln!("{note}");
    }
    Ok(())
}
