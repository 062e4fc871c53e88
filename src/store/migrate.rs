//! Schema migrations as an operator step: `pufa db migrate` applies the pending ones and says which, and
//! `pufa serve --no-migrate` refuses to start while the database and this binary disagree about the schema.
//!
//! `Store::open` migrates on its own, which suits the single-machine user. With N processes on one PostgreSQL
//! database the operator runs `pufa db migrate` once and starts every process with `--no-migrate`, so the servers
//! never run DDL and may use a database role without CREATE rights.

use std::path::Path;

use sqlx::migrate::{Migrate, Migrator};
use sqlx::Connection;

use super::{Store, StoreError};
use crate::i18n::{fill, t, Lang};

/// The migrations compiled into this binary, one set per backend; `Store::open` runs these too.
pub(crate) static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
pub(crate) static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// One migration of this binary: its version and the description from its file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub version: i64,
    pub description: String,
}

impl std::fmt::Display for Migration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04} {}", self.version, self.description)
    }
}

/// Where a database's schema stands relative to the migrations compiled into this binary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    /// Known here, not applied there.
    pub pending: Vec<Migration>,
    /// Applied there, unknown here: the database was migrated by a newer pufa.
    pub unknown: Vec<i64>,
    /// Applied there with a different checksum: the migration file changed after it ran.
    pub changed: Vec<i64>,
    /// A migration that failed partway and needs a person.
    pub dirty: Option<i64>,
}

impl Status {
    /// True when this binary can serve the database as it is.
    pub fn is_current(&self) -> bool {
        self.pending.is_empty() && self.unknown.is_empty() && self.changed.is_empty() && self.dirty.is_none()
    }

    /// What is wrong, in one sentence per problem, for refusing to start.
    pub fn problems(&self, lang: Lang) -> Vec<String> {
        let list = |v: &[i64]| v.iter().map(|n| format!("{n:04}")).collect::<Vec<_>>().join(", ");
        let mut out = Vec::new();
        if !self.pending.is_empty() {
            let names: Vec<String> = self.pending.iter().map(ToString::to_string).collect();
            let n = self.pending.len().to_string();
            out.push(fill(t(lang, "ops.schema.pending"), &[("n", &n), ("list", &names.join(", "))]));
        }
        if !self.unknown.is_empty() {
            out.push(fill(t(lang, "ops.schema.unknown"), &[("list", &list(&self.unknown))]));
        }
        if !self.changed.is_empty() {
            out.push(fill(t(lang, "ops.schema.changed"), &[("list", &list(&self.changed))]));
        }
        if let Some(v) = self.dirty {
            out.push(fill(t(lang, "ops.schema.dirty"), &[("version", &format!("{v:04}"))]));
        }
        out
    }
}

/// The path of a `sqlite:PATH` URL (also `sqlite://PATH`), as `Store::open` reads it.
fn sqlite_path(url: &str) -> Option<&str> {
    url.strip_prefix("sqlite:").map(|p| p.trim_start_matches("//"))
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Compares a database with this binary's migrations without changing anything (no file or table is created).
pub async fn status(url: &str) -> Result<Status, StoreError> {
    if let Some(path) = sqlite_path(url) {
        let all = compare(&SQLITE, &[], None);
        if !Path::new(path).exists() {
            return Ok(all);
        }
        let opts = format!("sqlite:{path}").parse::<sqlx::sqlite::SqliteConnectOptions>()?.read_only(true);
        let mut conn = sqlx::SqliteConnection::connect_with(&opts).await?;
        let has_table: bool = sqlx::query_scalar(
            "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_one(&mut conn)
        .await?;
        let out = if has_table { applied(&SQLITE, &mut conn).await? } else { all };
        conn.close().await?;
        Ok(out)
    } else if is_postgres(url) {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        let has_table: bool =
            sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL").fetch_one(&mut conn).await?;
        let out = if has_table { applied(&POSTGRES, &mut conn).await? } else { compare(&POSTGRES, &[], None) };
        conn.close().await?;
        Ok(out)
    } else {
        Err(StoreError::UnsupportedUrl(url.to_string()))
    }
}

async fn applied<C: Migrate>(migrator: &Migrator, conn: &mut C) -> Result<Status, StoreError> {
    let dirty = conn.dirty_version().await?;
    let done = conn.list_applied_migrations().await?;
    Ok(compare(migrator, &done, dirty))
}

fn compare(migrator: &Migrator, done: &[sqlx::migrate::AppliedMigration], dirty: Option<i64>) -> Status {
    let known = || migrator.iter().filter(|m| m.migration_type.is_up_migration());
    Status {
        pending: known()
            .filter(|m| !done.iter().any(|d| d.version == m.version))
            .map(|m| Migration { version: m.version, description: m.description.to_string() })
            .collect(),
        unknown: done.iter().filter(|d| !migrator.version_exists(d.version)).map(|d| d.version).collect(),
        changed: done
            .iter()
            .filter(|d| known().any(|m| m.version == d.version && m.checksum != d.checksum))
            .map(|d| d.version)
            .collect(),
        dirty,
    }
}

/// `pufa db migrate`: applies the pending migrations (PostgreSQL: under sqlx's advisory lock, so two operators at once
/// are safe; SQLite: creating the file if missing) and returns the ones this call found pending.
pub async fn apply(url: &str) -> Result<Vec<Migration>, StoreError> {
    let before = status(url).await?;
    // Opening the store is what migrates: the same connection settings the server uses.
    Store::open(url).await?.close(std::time::Duration::from_secs(10)).await;
    Ok(before.pending)
}
