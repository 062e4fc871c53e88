//! Operator commands around the database: `pufa migrate` and the schema check of
//! `pufa serve --no-migrate`. They call `store` and print what happened to stderr.

use anyhow::Context;

use crate::store::migrate;

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
