//! Operator commands around the database: `pufa migrate`, `pufa export`, `pufa import`, and the schema check of
//! `pufa serve --no-migrate`. They call `store` and print what happened to stderr.

use std::path::Path;

use anyhow::Context;

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

/// `pufa migrate`: applies pending migrations and lists them.
pub async fn migrate(url: &str) -> anyhow::Result<()> {
    let applied = migrate::apply(url).await.with_context(|| format!("migrating {}", redact(url)))?;
    if applied.is_empty() {
        eprintln!("{}: up to date, no pending migrations", redact(url));
    }
    for m in &applied {
        eprintln!("{}: applied migration {m}", redact(url));
    }
    Ok(())
}

/// Fails, saying why and what to do, unless the database's schema is exactly what this binary expects.
pub async fn require_current(url: &str) -> anyhow::Result<()> {
    let status = migrate::status(url).await.with_context(|| format!("checking the schema of {}", redact(url)))?;
    if status.is_current() {
        return Ok(());
    }
    anyhow::bail!("not serving {} (started with --no-migrate): {}", redact(url), status.problems().join("; "))
}

/// `pufa export`: writes the competitions' results to `output`.
pub async fn export(url: &str, competitions: &[String], output: &Path) -> anyhow::Result<()> {
    if let Some(path) = url.strip_prefix("sqlite:").map(|p| p.trim_start_matches("//")) {
        // Opening would create an empty database under a mistyped path and export nothing, silently.
        anyhow::ensure!(Path::new(path).exists(), "{path}: no such database file");
    }
    let store = Store::open(url).await.with_context(|| format!("opening the database {}", redact(url)))?;
    let report = transfer::export(&store, competitions, output).await;
    store.close(std::time::Duration::from_secs(10)).await;
    let report = report?;
    for (comp, n) in &report.competitions {
        eprintln!("{comp}: {n} attempt(s)");
    }
    eprintln!("exported {} attempt(s) and {} response(s) to {}", report.attempts, report.responses, output.display());
    Ok(())
}

/// `pufa import`: checks the whole file, then reads it into the database (migrating it first, so a fresh
/// PostgreSQL database works).
pub async fn import(url: &str, file: &Path) -> anyhow::Result<()> {
    let records = transfer::read(file)?;
    let store = Store::open(url).await.with_context(|| format!("opening the database {}", redact(url)))?;
    let report = transfer::import_records(&store, file, &records).await;
    store.close(std::time::Duration::from_secs(10)).await;
    let r = report?;
    eprintln!(
        "imported {} into {}: {} attempt(s) added, {} completed, {} already present; {} response(s) written",
        file.display(),
        redact(url),
        r.added,
        r.completed,
        r.unchanged,
        r.responses
    );
    Ok(())
}
