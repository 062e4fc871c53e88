//! Moving competition results between databases (SQLite ⇄ PostgreSQL): `pufa db export` writes attempts with their
//! per-question responses, and survey responses, as JSON Lines, `pufa db import` reads such a file back in one
//! transaction. Both stream:
//! memory holds a page of rows or a chunk of lines, not the file (a province's 500,000 attempts are some GB).
//!
//! Format `pufa-results`, version 2 (version 1, without surveys, is read too): UTF-8, one JSON object per line.
//! - Line 1, the header: `{"format":"pufa-results","version":2,"exported_at":"2026-06-01T08:00:00Z",
//!   "competitions":["open"],"attempts":2,"surveys":["manyi"],"survey_responses":1}`.
//! - Then exactly `attempts` lines, one attempt each: `{"attempt":{…},"responses":[{"question":"q1","correct":true}]}`
//!   where `attempt` holds the columns of the `attempts` table as `AttemptRow` names them (times in epoch
//!   milliseconds; `drawn`, `answers` and `grade` the JSON text pufa stored) and `responses` the rows of `responses`.
//! - Then exactly `survey_responses` lines `{"survey_response":{…}}`, the rows of `survey_responses` (a whole export
//!   only: one of chosen competitions carries none). A survey response stored with other values is a conflict.
//! - Then exactly `suggestions` lines `{"suggestion":{…,"events":[…]}}`: the suggestion box, each with its history
//!   (a whole export only). One stored with another row or history is a conflict.
//!
//! Import reads the file twice: a first pass checks all of it and writes nothing, the second writes it chunk by chunk
//! in one transaction. Import is all or nothing: a malformed line, or an attempt whose id (or participant and attempt number) is already
//! stored as a different row, imports nothing and is reported with its line. A row already stored identically is
//! skipped, so importing a file twice counts it once; an attempt stored as still open that the file has submitted is
//! completed (the file was exported later than the one imported before).

mod export;
mod format;
mod import;
mod suggest;

use std::io::Write;
use std::path::Path;

pub use format::{check as check_reader, Header, Record, Response, FORMAT, MAX_LINE, VERSION};
pub use suggest::{EventRecord, SuggestionLine, SuggestionRecord};

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
    pub survey_responses: usize,
    pub suggestions: usize,
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
    /// New survey responses.
    pub survey_added: usize,
    /// Survey responses already stored exactly so.
    pub survey_unchanged: usize,
    /// New suggestions (with their histories).
    pub suggestions_added: usize,
    /// Suggestions already stored exactly so.
    pub suggestions_unchanged: usize,
}

/// Writes the attempts of `competitions` (all competitions when empty) to `out` in the `pufa-results` format,
/// streaming: rows are read in pages of one read transaction (one snapshot, so a submission landing meanwhile is
/// in the file whole or not at all) and written as they come.
pub async fn export(store: &Store, competitions: &[String], out: &Path) -> Result<ExportReport, TransferError> {
    // Written beside the target and renamed, so a failed export never leaves half a file under the asked name.
    let partial = out.with_extension("partial");
    let io = |e| TransferError::Io { path: out.display().to_string(), source: e };
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&partial).map_err(io)?);
    let report = match &store.backend {
        Backend::Sqlite(p) => export::sqlite::export(p, competitions, &mut w, out).await,
        Backend::Postgres(p) => export::postgres::export(p, competitions, &mut w, out).await,
    };
    let report = report.and_then(|r| w.flush().map(|()| r).map_err(io));
    drop(w);
    match report {
        Ok(r) => {
            std::fs::rename(&partial, out).map_err(io)?;
            Ok(r)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// Reads a `pufa-results` file into `store` in one transaction (see the module comment for the rules): `check`,
/// then `import_checked`.
pub async fn import(store: &Store, file: &Path) -> Result<ImportReport, TransferError> {
    check(file)?;
    import_checked(store, file).await
}

fn open(file: &Path) -> Result<std::io::BufReader<std::fs::File>, TransferError> {
    let f = std::fs::File::open(file).map_err(|e| TransferError::Io { path: file.display().to_string(), source: e })?;
    Ok(std::io::BufReader::with_capacity(1 << 20, f))
}

/// Reads and checks a whole `pufa-results` file line by line, keeping none of its records: its header.
pub fn check(file: &Path) -> Result<Header, TransferError> {
    format::check(file, open(file)?).map_err(TransferError::Malformed)
}

/// Writes a file that passed `check` into `store` in one transaction, reading it again line by line and writing
/// chunk by chunk; conflicts name their line of `file`.
pub async fn import_checked(store: &Store, file: &Path) -> Result<ImportReport, TransferError> {
    let mut lines = format::Lines::new(file, open(file)?);
    let malformed = |d| TransferError::Malformed(Diagnostics(vec![d]));
    let header = format::read_header(&mut lines).map_err(malformed)?;
    // The attempt lines, then the survey response lines: two readers of one file, the second used once the
    // first is done.
    let lines = std::cell::RefCell::new(lines);
    let records = std::iter::from_fn(|| format::next_record(&mut lines.borrow_mut()).map_err(malformed).transpose());
    let records = records.take(header.attempts);
    let surveys = std::iter::from_fn(|| format::next_survey(&mut lines.borrow_mut()).map_err(malformed).transpose());
    let surveys = surveys.map(|r| r.map(|(n, l)| (n, l.survey_response))).take(header.survey_responses);
    let suggestions =
        std::iter::from_fn(|| format::next_suggestion(&mut lines.borrow_mut()).map_err(malformed).transpose());
    let suggestions = suggestions.map(|r| r.map(|(n, l)| (n, l.suggestion)));
    match &store.backend {
        Backend::Sqlite(p) => import::sqlite::import(p, file, records, surveys, suggestions).await,
        Backend::Postgres(p) => import::postgres::import(p, file, records, surveys, suggestions).await,
    }
}

impl Store {
    /// The competitions that have attempts, by id.
    pub async fn competitions(&self) -> Result<Vec<String>, StoreError> {
        Ok(match &self.backend {
            Backend::Sqlite(p) => sqlx::query_scalar(export::COMPETITIONS).fetch_all(p).await?,
            Backend::Postgres(p) => sqlx::query_scalar(export::COMPETITIONS).fetch_all(p).await?,
        })
    }
}
