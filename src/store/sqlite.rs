//! SQLite backend: connection settings, migrations and the read queries.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, SqliteConnection, SqlitePool};

use super::{AttemptRow, QuestionStat, StoreError};

pub(super) const COLUMNS: &str = "id, competition, organization, name, grp, participant_key, number, seed, drawn, \
     started_at, deadline, submitted_at, answers, score, max_score, passed, duration_ms, grade";

/// Opens the file (created if missing), migrates it, and returns a read pool and the one writer connection.
pub(super) async fn open(path: &str) -> Result<(SqlitePool, SqliteConnection), StoreError> {
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
    let mut writer = opts.clone().connect().await?;
    sqlx::migrate!("migrations/sqlite").run(&mut writer).await?;
    let pool =
        SqlitePoolOptions::new().max_connections(8).min_connections(1).connect_with(opts.read_only(false)).await?;
    Ok((pool, writer))
}

pub(super) async fn attempt(pool: &SqlitePool, id: &str) -> Result<Option<AttemptRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM attempts WHERE id = $1");
    Ok(sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?)
}

pub(super) async fn attempts(
    pool: &SqlitePool,
    competition: &str,
    submitted_only: bool,
) -> Result<Vec<AttemptRow>, StoreError> {
    let filter = if submitted_only { "AND submitted_at IS NOT NULL" } else { "" };
    let sql = format!("SELECT {COLUMNS} FROM attempts WHERE competition = $1 {filter} ORDER BY started_at, id");
    Ok(sqlx::query_as(&sql).bind(competition).fetch_all(pool).await?)
}

pub(super) async fn question_stats(pool: &SqlitePool, competition: &str) -> Result<Vec<QuestionStat>, StoreError> {
    let sql = "SELECT r.question AS question, COUNT(*) AS answered, \
               SUM(CASE WHEN r.correct THEN 0 ELSE 1 END) AS missed \
               FROM responses r JOIN attempts a ON a.id = r.attempt WHERE a.competition = $1 \
               GROUP BY r.question ORDER BY missed DESC, answered DESC, question";
    Ok(sqlx::query_as(sql).bind(competition).fetch_all(pool).await?)
}
