//! The files of `quizzes/` kept in the database for the processes that share it (`server::catalog_share`): the
//! row of each file, read without its text to compare, with it to apply, and written whole.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Backend, Store, StoreError};

/// One shared file.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
pub struct QuizFileRow {
    /// Relative to `quizzes/`, with `/` between folders.
    pub path: String,
    pub content: String,
    /// `digest(content)`.
    pub digest: String,
    /// Epoch milliseconds.
    pub saved_at: i64,
}

/// A file's row without its text.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct QuizFileStamp {
    pub path: String,
    pub digest: String,
    pub saved_at: i64,
}

/// SHA-256 of a file's text, hex.
pub fn digest(content: &str) -> String {
    Sha256::digest(content.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

const UPSERT: &str = "INSERT INTO quiz_files (path, content, digest, saved_at) VALUES ($1, $2, $3, $4) \
                      ON CONFLICT (path) DO UPDATE SET content = excluded.content, digest = excluded.digest, \
                      saved_at = excluded.saved_at";
const INSERT_NEW: &str =
    "INSERT INTO quiz_files (path, content, digest, saved_at) VALUES ($1, $2, $3, $4) ON CONFLICT (path) DO NOTHING";

impl Store {
    /// Every shared file's path, digest and time, by path.
    pub async fn quiz_file_stamps(&self) -> Result<Vec<QuizFileStamp>, StoreError> {
        let sql = "SELECT path, digest, saved_at FROM quiz_files ORDER BY path";
        Ok(match &self.backend {
            Backend::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await?,
            Backend::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await?,
        })
    }

    /// One shared file with its text.
    pub async fn quiz_file(&self, path: &str) -> Result<Option<QuizFileRow>, StoreError> {
        let sql = "SELECT path, content, digest, saved_at FROM quiz_files WHERE path = $1";
        Ok(match &self.backend {
            Backend::Sqlite(p) => sqlx::query_as(sql).bind(path).fetch_optional(p).await?,
            Backend::Postgres(p) => sqlx::query_as(sql).bind(path).fetch_optional(p).await?,
        })
    }

    /// Stores a file (replacing its row); with `only_new`, only when the path has no row yet.
    /// Rare, small writes: they go to the pool, not through the attempts' writer.
    pub async fn put_quiz_file(&self, row: &QuizFileRow, only_new: bool) -> Result<(), StoreError> {
        let sql = if only_new { INSERT_NEW } else { UPSERT };
        match &self.backend {
            Backend::Sqlite(p) => {
                let q = sqlx::query(sql).bind(&row.path).bind(&row.content).bind(&row.digest).bind(row.saved_at);
                q.execute(p).await?;
            }
            Backend::Postgres(p) => {
                let q = sqlx::query(sql).bind(&row.path).bind(&row.content).bind(&row.digest).bind(row.saved_at);
                q.execute(p).await?;
            }
        }
        Ok(())
    }
}
