//! `pufa build` and `pufa check`: run the site engine and print its warnings, a summary and the publishing notes,
//! or every error with its file and line.

use std::path::Path;

use crate::i18n::{self, Lang};
use crate::localize;
use crate::site::{build, publishing_notes, BuildError, BuildOptions, BuildReport, Engine};

fn print_summary(report: &BuildReport, verb: &str, lang: Lang) {
    for w in report.warnings.warnings() {
        eprintln!("{}", localize::diagnostic(lang, w));
    }
    let (pages, sections, files) = (report.pages.to_string(), report.sections.to_string(), report.files.to_string());
    let mb = format!("{:.1}", report.bytes as f64 / 1e6);
    let kb = format!("{:.1}", report.search_bytes as f64 / 1e3);
    let (shards, ms) = (report.search_shards.to_string(), report.elapsed.as_millis().to_string());
    let search_ms = report.search_cpu.as_millis().to_string();
    let vars = [
        ("verb", i18n::t(lang, verb)),
        ("pages", &pages),
        ("sections", &sections),
        ("files", &files),
        ("mb", &mb),
        ("kb", &kb),
        ("shards", &shards),
        ("ms", &ms),
        ("search_ms", &search_ms),
    ];
    eprintln!("{}", i18n::fill(i18n::t(lang, "build.summary"), &vars));
    if report.pictures_encoded > 0 {
        let n = report.pictures_encoded.to_string();
        eprintln!("{}", i18n::fill(i18n::t(lang, "build.pictures"), &[("n", &n)]));
    }
}

/// A failed build's error, its diagnostics in the site's language.
pub fn localized(e: BuildError, lang: Lang) -> anyhow::Error {
    match e {
        BuildError::Diagnostics(d) => anyhow::anyhow!("{}", localize::diagnostics(lang, &d)),
        e => anyhow::anyhow!("{e}"),
    }
}

/// `pufa build`: builds (from the build cache unless `clean`) and prints warnings, a summary, or every error
/// with its file and line.
pub fn run_build(source: &Path, output: Option<&Path>, drafts: bool, future: bool, clean: bool) -> anyhow::Result<()> {
    let opts = BuildOptions { drafts, future, progress: true, ..BuildOptions::new(source, output) };
    let lang = super::lang(source);
    // Without `--clean` the build writes its cache as it finishes, for the next `pufa build` to start from.
    let mut engine = if clean { Engine::once(opts) } else { Engine::with_cache(opts).saving_cache() };
    let report = engine.build(None).map_err(|e| localized(e, lang))?;
    print_summary(&report, "build.built", lang);
    for note in publishing_notes(source, true) {
        eprintln!("{note}");
    }
    // The process ends now: the engine's state (the records and results of every page, tens of thousands of
    // allocations on a large site) is left to the operating system instead of being freed one by one (about 10 ms
    // of a 14,000-page cached build).
    std::mem::forget(engine);
    Ok(())
}

/// `pufa check`: loads and renders everything in memory, validates quizzes, writes nothing.
pub fn run_check(source: &Path) -> anyhow::Result<()> {
    let opts = BuildOptions { output: None, ..BuildOptions::new(source, None) };
    let lang = super::lang(source);
    let report = build(&opts).map_err(|e| localized(e, lang))?;
    print_summary(&report, "build.checked", lang);
    for note in publishing_notes(source, false) {
        eprintln!("{note}");
    }
    Ok(())
}
