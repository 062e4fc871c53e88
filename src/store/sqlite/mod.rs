//! SQLite backend: connection settings and migrations of the read pool; `writer` (a thread with its own
//! connection) and `sync` (the log's fsync and checkpoints) do the writing.

pub(super) mod certify;
pub(super) mod suggest;
pub(super) mod sync;
pub(super) mod writer;

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqlitePool};

use crate::store::StoreError;

/// Opens the file (created if missing), migrates it, and returns the read pool; writes go through
/// `writer`'s own connection.
pub(super) async fn open(path: &str) -> Result<SqlitePool, StoreError> {
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            let _ = std::fs::create_dir_all(parent);
        }
    }
    let opts = SqliteConnectOptions::from_str(&format!("sqlite:{path}"))?
        .create_if_missing(true)
        // WAL: readers never block the writer and a commit is one append to the log.
        .journal_mode(SqliteJournalMode::Wal)
        // FULL fsyncs the log at every commit. NORMAL would already survive `kill -9` (the OS keeps the written
        // log), but an acknowledged submission must also survive a power cut; group commit makes the fsync cheap.
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
        .disable_statement_logging();
    let mut migrator = opts.clone().connect().await?;
    crate::store::migrate::SQLITE.run(&mut migrator).await?;
    migrator.close().await?;
    let pool =
        SqlitePoolOptions::new().max_connections(8).min_connections(1).connect_with(opts.read_only(false)).await?;
    Ok(pool)
}
