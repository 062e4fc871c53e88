//! Moving competition results between databases (SQLite ⇄ PostgreSQL): `pufa export` writes attempts with their
//! per-question responses as JSON Lines, `pufa import` reads such a file back in one transaction.
//!
//! Format `pufa-results`, version 1: UTF-8, one JSON object per line.
//! - Line 1, the header: `{"format":"pufa-results","version":1,"exported_at":"2026-06-01T08:00:00Z",
//!   "competitions":["open"],"attempts":2}`.
//! - Then exactly `attempts` lines, one attempt each: `{"attempt":{…},"responses":[{"question":"q1","correct":true}]}`
//!   where `attempt` holds the columns of the `attempts` table as `AttemptRow` names them (times in epoch
//!   milliseconds; `drawn`, `answers` and `grade` the JSON text pufa stored) and `responses` the rows of `responses`.
//!
//! Import is all or nothing: a malformed line, or an attempt whose id (or participant and attempt number) is already
//! stored as a different row, imports nothing and is reported with its line. A row already stored identically is
//! skipped, so importing a file twice counts it once; an attempt stored as still open that the file has submitted is
//! completed (the file was exported later than the one imported before).

mod format;

use std::collections::HashMap;
use std::path::Path;

pub use format::{parse, Header, Record, Response, FORMAT, VERSION};

use super::{AttemptRow, Backend, Store, StoreError};
use crate::diag::{Diagnostic, Diagnostics};

/// Errors of export and import; malformed files and conflicts name the file and line.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{0}; nothing was imported")]
    Malformed(Diagnostics),
    #[error("{0}; nothing was imported: these attempts are already stored with different values")]
    Conflicts(Diagnostics),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for TransferError {
    fn from(e: sqlx::Error) -> Self {
        TransferError::Store(StoreError::Db(e))
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportReport {
    /// (competition, attempts) in file order.
    pub competitions: Vec<(String, usize)>,
    pub attempts: usize,
    pub responses: usize,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// New attempts.
    pub added: usize,
    /// Attempts stored open here and submitted in the file.
    pub completed: usize,
    /// Attempts already stored exactly so.
    pub unchanged: usize,
    /// Response rows written.
    pub responses: usize,
}

/// Writes the attempts of `competitions` (all competitions when empty) to `out` in the `pufa-results` format.
pub async fn export(store: &Store, competitions: &[String], out: &Path) -> Result<ExportReport, TransferError> {
    let comps = if competitions.is_empty() { store.competitions().await? } else { competitions.to_vec() };
    let mut records = Vec::new();
    let mut report = ExportReport::default();
    for comp in &comps {
        let rows = store.attempts(comp).await?;
        let mut responses = store.responses(comp).await?;
        report.competitions.push((comp.clone(), rows.len()));
        for attempt in rows {
            let responses = responses.remove(&attempt.id).unwrap_or_default();
            report.responses += responses.len();
            records.push(Record { attempt, responses });
        }
    }
    report.attempts = records.len();
    let header = Header::new(comps, records.len());
    let text = format::write(&header, &records);
    // Written beside the target and renamed, so a failed export never leaves half a file under the asked name.
    let partial = out.with_extension("partial");
    let io = |e| TransferError::Io { path: out.display().to_string(), source: e };
    std::fs::write(&partial, text).map_err(io)?;
    std::fs::rename(&partial, out).map_err(io)?;
    Ok(report)
}

/// Reads a `pufa-results` file into `store` in one transaction (see the module comment for the rules).
pub async fn import(store: &Store, file: &Path) -> Result<ImportReport, TransferError> {
    let records = read(file)?;
    import_records(store, file, &records).await
}

/// Reads and checks a whole `pufa-results` file: its records with their line numbers.
pub fn read(file: &Path) -> Result<Vec<(usize, Record)>, TransferError> {
    let text =
        std::fs::read_to_string(file).map_err(|e| TransferError::Io { path: file.display().to_string(), source: e })?;
    Ok(parse(file, &text).map_err(TransferError::Malformed)?.1)
}

/// Writes records `read` from `file` into `store` in one transaction; conflicts name their line of `file`.
pub async fn import_records(
    store: &Store,
    file: &Path,
    records: &[(usize, Record)],
) -> Result<ImportReport, TransferError> {
    match &store.backend {
        Backend::Sqlite(p) => sqlite::import(p, file, records).await,
        Backend::Postgres(p) => postgres::import(p, file, records).await,
    }
}

impl Store {
    /// The competitions that have attempts, by id.
    pub async fn competitions(&self) -> Result<Vec<String>, StoreError> {
        let sql = "SELECT DISTINCT competition FROM attempts ORDER BY competition";
        Ok(match &self.backend {
            Backend::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await?,
            Backend::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await?,
        })
    }

    /// The per-question responses of a competition's attempts, by attempt id, in question order.
    pub async fn responses(&self, competition: &str) -> Result<HashMap<String, Vec<Response>>, StoreError> {
        let sql = "SELECT r.attempt, r.question, r.correct FROM responses r JOIN attempts a ON a.id = r.attempt \
                   WHERE a.competition = $1 ORDER BY r.attempt, r.question";
        let rows: Vec<(String, String, bool)> = match &self.backend {
            Backend::Sqlite(p) => sqlx::query_as(sql).bind(competition).fetch_all(p).await?,
            Backend::Postgres(p) => sqlx::query_as(sql).bind(competition).fetch_all(p).await?,
        };
        let mut out: HashMap<String, Vec<Response>> = HashMap::new();
        for (attempt, question, correct) in rows {
            out.entry(attempt).or_default().push(Response { question, correct });
        }
        Ok(out)
    }
}

/// The fields that differ between two rows of one attempt, by column name.
fn differing(stored: &AttemptRow, file: &AttemptRow) -> Vec<String> {
    let (a, b) = (serde_json::to_value(stored).unwrap_or_default(), serde_json::to_value(file).unwrap_or_default());
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else { return vec![] };
    a.iter().filter(|(k, v)| b.get(*k) != Some(v)).map(|(k, _)| k.clone()).collect()
}

/// True when `file` is `stored` submitted: every field fixed at the start is the same, and `stored` is still open.
fn completes(stored: &AttemptRow, file: &AttemptRow) -> bool {
    const SET_AT_SUBMIT: [&str; 6] = ["submitted_at", "answers", "score", "passed", "duration_ms", "grade"];
    stored.submitted_at.is_none()
        && file.submitted_at.is_some()
        && differing(stored, file).iter().all(|f| SET_AT_SUBMIT.contains(&f.as_str()))
}

fn conflict(file: &Path, line: usize, message: String) -> Diagnostic {
    Diagnostic::error(file, line, 0, message)
}

/// The import transaction of one backend; the SQL is shared, only the pool type differs.
macro_rules! backend_import {
    ($Pool:ty, $Db:ty) => {
        use std::path::Path;

        use super::{completes, conflict, differing, ImportReport, Record, TransferError};
        use crate::diag::Diagnostics;
        use crate::store::{AttemptRow, COLUMNS};

        pub(super) async fn import(
            pool: &$Pool,
            file: &Path,
            records: &[(usize, Record)],
        ) -> Result<ImportReport, TransferError> {
            let mut tx = pool.begin().await?;
            let mut report = ImportReport::default();
            let mut conflicts = Diagnostics::default();
            let by_id = format!("SELECT {COLUMNS} FROM attempts WHERE id = $1");
            for (line, r) in records {
                let a = &r.attempt;
                let stored: Option<AttemptRow> = sqlx::query_as(&by_id).bind(&a.id).fetch_optional(&mut *tx).await?;
                match stored {
                    Some(s) if &s == a => {
                        let sql = "SELECT question, correct FROM responses WHERE attempt = $1 ORDER BY question";
                        let have: Vec<(String, bool)> = sqlx::query_as(sql).bind(&a.id).fetch_all(&mut *tx).await?;
                        let want: Vec<(String, bool)> =
                            r.responses.iter().map(|x| (x.question.clone(), x.correct)).collect();
                        if have == want {
                            report.unchanged += 1;
                        } else {
                            let msg = format!("attempt {} is already stored with other per-question responses", a.id);
                            conflicts.push(conflict(file, *line, msg));
                        }
                    }
                    Some(s) if completes(&s, a) => {
                        sqlx::query(
                            "UPDATE attempts SET submitted_at = $1, answers = $2, score = $3, passed = $4, \
                             duration_ms = $5, grade = $6 WHERE id = $7 AND submitted_at IS NULL",
                        )
                        .bind(a.submitted_at)
                        .bind(&a.answers)
                        .bind(a.score)
                        .bind(a.passed)
                        .bind(a.duration_ms)
                        .bind(&a.grade)
                        .bind(&a.id)
                        .execute(&mut *tx)
                        .await?;
                        report.responses += insert_responses(&mut tx, r).await?;
                        report.completed += 1;
                    }
                    Some(s) => {
                        let fields = differing(&s, a).join(", ");
                        let msg = format!("attempt {} is already stored with a different {fields}", a.id);
                        conflicts.push(conflict(file, *line, msg));
                    }
                    None => {
                        let sql =
                            "SELECT id FROM attempts WHERE competition = $1 AND participant_key = $2 AND number = $3";
                        let other: Option<String> = sqlx::query_scalar(sql)
                            .bind(&a.competition)
                            .bind(&a.participant_key)
                            .bind(a.number)
                            .fetch_optional(&mut *tx)
                            .await?;
                        if let Some(other) = other {
                            let msg = format!(
                                "attempt {} of {:?} in {} is number {}, which is already stored as attempt {other}",
                                a.id, a.participant_key, a.competition, a.number
                            );
                            conflicts.push(conflict(file, *line, msg));
                            continue;
                        }
                        insert_attempt(&mut tx, a).await?;
                        report.responses += insert_responses(&mut tx, r).await?;
                        report.added += 1;
                    }
                }
            }
            if conflicts.has_errors() {
                tx.rollback().await?;
                return Err(TransferError::Conflicts(conflicts));
            }
            tx.commit().await?;
            Ok(report)
        }

        async fn insert_attempt(tx: &mut sqlx::Transaction<'_, $Db>, a: &AttemptRow) -> Result<(), sqlx::Error> {
            let sql = format!(
                "INSERT INTO attempts ({COLUMNS}) VALUES \
                 ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
            );
            sqlx::query(&sql)
                .bind(&a.id)
                .bind(&a.competition)
                .bind(&a.organization)
                .bind(&a.name)
                .bind(&a.grp)
                .bind(&a.participant_key)
                .bind(a.number)
                .bind(a.seed)
                .bind(&a.drawn)
                .bind(a.started_at)
                .bind(a.deadline)
                .bind(a.submitted_at)
                .bind(&a.answers)
                .bind(a.score)
                .bind(a.max_score)
                .bind(a.passed)
                .bind(a.duration_ms)
                .bind(&a.grade)
                .execute(&mut **tx)
                .await?;
            Ok(())
        }

        async fn insert_responses(tx: &mut sqlx::Transaction<'_, $Db>, r: &Record) -> Result<usize, sqlx::Error> {
            if r.responses.is_empty() {
                return Ok(0);
            }
            let mut insert: sqlx::QueryBuilder<'_, $Db> =
                sqlx::QueryBuilder::new("INSERT INTO responses (attempt, question, correct) ");
            insert.push_values(&r.responses, |mut b, x| {
                b.push_bind(&r.attempt.id).push_bind(&x.question).push_bind(x.correct);
            });
            insert.build().execute(&mut **tx).await?;
            Ok(r.responses.len())
        }
    };
}

mod sqlite {
    backend_import!(sqlx::SqlitePool, sqlx::Sqlite);
}

mod postgres {
    backend_import!(sqlx::PgPool, sqlx::Postgres);
}
