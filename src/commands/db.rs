//! The database commands: `pufa db migrate`, `pufa db export`, `pufa db import`, and the schema check of
//! `pufa serve --no-migrate`. They call `store` and print what happened to stderr, in the site's language
//! (`language` in SOURCE/site.yaml, zh-CN by default) from `i18n/messages.yaml`.

use std::path::Path;

use anyhow::Context;

use crate::i18n::{fill, t, Lang};
use crate::store::transfer::TransferError;
use crate::store::{migrate, transfer, Store};

/// The URL with any password replaced, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

fn say(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    fill(t(lang, key), args)
}

/// `pufa db migrate`: applies pending migrations and lists them.
pub async fn migrate(url: &str, lang: Lang) -> anyhow::Result<()> {
    let db = redact(url);
    let applied = migrate::apply(url).await.with_context(|| say(lang, "ops.migrate.failed", &[("db", &db)]))?;
    if applied.is_empty() {
        eprintln!("{}", say(lang, "ops.migrate.up_to_date", &[("db", &db)]));
    }
    for m in &applied {
        eprintln!("{}", say(lang, "ops.migrate.applied", &[("db", &db), ("migration", &m.to_string())]));
    }
    Ok(())
}

/// Fails, saying why and what to do, unless the database's schema is exactly what this binary expects.
pub async fn require_current(url: &str, lang: Lang) -> anyhow::Result<()> {
    let db = redact(url);
    let status = migrate::status(url).await.with_context(|| say(lang, "ops.schema.check_failed", &[("db", &db)]))?;
    if status.is_current() {
        return Ok(());
    }
    let problems = status.problems(lang).join("; ");
    anyhow::bail!(say(lang, "ops.schema.refused", &[("db", &db), ("problems", &problems)]))
}

/// `pufa db export`: writes the competitions' results to `output`.
pub async fn export(url: &str, competitions: &[String], output: &Path, lang: Lang) -> anyhow::Result<()> {
    if let Some(path) = url.strip_prefix("sqlite:").map(|p| p.trim_start_matches("//")) {
        // Opening would create an empty database under a mistyped path and export nothing, silently.
        anyhow::ensure!(Path::new(path).exists(), say(lang, "ops.no_database_file", &[("path", path)]));
    }
    let store = open(url, lang).await?;
    let report = transfer::export(&store, competitions, output).await;
    store.close(std::time::Duration::from_secs(10)).await;
    let report = report.map_err(|e| transfer_error(e, output, lang))?;
    for (comp, n) in &report.competitions {
        eprintln!("{}", say(lang, "ops.export.competition", &[("competition", comp), ("n", &n.to_string())]));
    }
    if report.survey_responses > 0 {
        eprintln!("{}", say(lang, "ops.export.surveys", &[("n", &report.survey_responses.to_string())]));
    }
    if report.suggestions > 0 {
        eprintln!("{}", say(lang, "ops.export.suggestions", &[("n", &report.suggestions.to_string())]));
    }
    let (attempts, responses) = (report.attempts.to_string(), report.responses.to_string());
    let file = output.display().to_string();
    let args = [("attempts", attempts.as_str()), ("responses", &responses), ("file", &file)];
    eprintln!("{}", say(lang, "ops.export.done", &args));
    Ok(())
}

/// `pufa db import`: checks the whole file, then reads it into the database (migrating it first, so a fresh
/// PostgreSQL database works). Neither pass holds the file in memory.
pub async fn import(url: &str, file: &Path, lang: Lang) -> anyhow::Result<()> {
    transfer::check(file).map_err(|e| transfer_error(e, file, lang))?;
    let store = open(url, lang).await?;
    let report = transfer::import_checked(&store, file).await;
    store.close(std::time::Duration::from_secs(10)).await;
    let r = report.map_err(|e| transfer_error(e, file, lang))?;
    let counts = [r.added, r.completed, r.unchanged, r.responses].map(|n| n.to_string());
    let (f, db) = (file.display().to_string(), redact(url));
    let args = [
        ("file", f.as_str()),
        ("db", &db),
        ("added", &counts[0]),
        ("completed", &counts[1]),
        ("unchanged", &counts[2]),
        ("responses", &counts[3]),
    ];
    eprintln!("{}", say(lang, "ops.import.done", &args));
    if r.survey_added + r.survey_unchanged > 0 {
        let (added, unchanged) = (r.survey_added.to_string(), r.survey_unchanged.to_string());
        eprintln!("{}", say(lang, "ops.import.surveys", &[("added", &added), ("unchanged", &unchanged)]));
    }
    if r.suggestions_added + r.suggestions_unchanged > 0 {
        let (added, unchanged) = (r.suggestions_added.to_string(), r.suggestions_unchanged.to_string());
        eprintln!("{}", say(lang, "ops.import.suggestions", &[("added", &added), ("unchanged", &unchanged)]));
    }
    Ok(())
}

async fn open(url: &str, lang: Lang) -> anyhow::Result<Store> {
    Store::open(url).await.with_context(|| say(lang, "ops.open_failed", &[("db", &redact(url))]))
}

/// An export or import error for the operator: the lines of the file at fault (their details in English, like
/// every file diagnostic of pufa), then what it means, translated.
fn transfer_error(e: TransferError, file: &Path, lang: Lang) -> anyhow::Error {
    let f = file.display().to_string();
    match e {
        TransferError::Malformed(d) => anyhow::anyhow!("{d}{}", say(lang, "ops.import.malformed", &[("file", &f)])),
        TransferError::Conflicts(d) => anyhow::anyhow!("{d}{}", say(lang, "ops.import.conflicts", &[("file", &f)])),
        TransferError::Io { path, source } => {
            anyhow::anyhow!(say(lang, "ops.import.unreadable", &[("path", &path), ("error", &source.to_string())]))
        }
        TransferError::Store(s) => anyhow::Error::new(s),
    }
}
