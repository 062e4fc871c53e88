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
mod import;

use std::collections::HashMap;
use std::path::Path;

pub use format::{parse, Header, Record, Response, FORMAT, VERSION};

use super::{Backend, Store, StoreError};
use crate::diag::Diagnostics;

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
        Backend::Sqlite(p) => import::sqlite::import(p, file, records).await,
        Backend::Postgres(p) => import::postgres::import(p, file, records).await,
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
