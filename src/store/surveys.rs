//! Survey responses in the store: the row, its insert inside the writer's group commit (both backends), and the
//! reads the summary and the exports need.

use serde::{Deserialize, Serialize};

use super::{Op, Store, StoreError};

/// One survey response as stored. No IP address, user agent or device id: only what the survey asked.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyResponseRow {
    /// The receipt: random and unguessable; a retried form post carries the same one and is stored once.
    pub id: String,
    pub survey: String,
    pub organization: Option<String>,
    pub town: Option<String>,
    /// Only in surveys that are not anonymous.
    pub name: Option<String>,
    /// JSON of `quiz::survey::Response`.
    pub answers: String,
    /// Epoch milliseconds.
    pub submitted_at: i64,
}

const INSERT: &str = "INSERT INTO survey_responses (id, survey, organization, town, name, answers, submitted_at) \
                      VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING";

pub(crate) const COLUMNS: &str = "id, survey, organization, town, name, answers, submitted_at";

impl Store {
    /// Records a response once its transaction is on disk; false when a response with its id was already stored
    /// (a retried post), which is left as it was.
    pub async fn respond(&self, r: SurveyResponseRow) -> Result<bool, StoreError> {
        let (reply, rx) = tokio::sync::oneshot::channel();
        self.tx.send(Op::Respond(Box::new(r), reply)).await.map_err(|_| StoreError::WriterGone)?;
        rx.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Every response of a survey, oldest first.
    pub async fn survey_responses(&self, survey: &str) -> Result<Vec<SurveyResponseRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM survey_responses WHERE survey = $1 ORDER BY submitted_at, id");
        Ok(match &self.backend {
            super::Backend::Sqlite(p) => sqlx::query_as(&sql).bind(survey).fetch_all(p).await?,
            super::Backend::Postgres(p) => sqlx::query_as(&sql).bind(survey).fetch_all(p).await?,
        })
    }
}

/// The insert on SQLite's writer connection, inside its open transaction.
pub(super) fn insert_sqlite(conn: &rusqlite::Connection, r: &SurveyResponseRow) -> rusqlite::Result<bool> {
    let params = rusqlite::params![r.id, r.survey, r.organization, r.town, r.name, r.answers, r.submitted_at];
    Ok(conn.prepare_cached(&INSERT.replace('$', "?"))?.execute(params)? == 1)
}

/// The inserts on PostgreSQL's writer connection, inside the batch's transaction; each op's outcome in order.
pub(super) async fn insert_postgres(
    conn: &mut sqlx::PgConnection,
    rows: &[&SurveyResponseRow],
) -> Result<Vec<bool>, sqlx::Error> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let done = sqlx::query(INSERT)
            .bind(&r.id)
            .bind(&r.survey)
            .bind(&r.organization)
            .bind(&r.town)
            .bind(&r.name)
            .bind(&r.answers)
            .bind(r.submitted_at)
            .execute(&mut *conn)
            .await?;
        out.push(done.rows_affected() == 1);
    }
    Ok(out)
}
