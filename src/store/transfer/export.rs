//! The export read: one read transaction (a single snapshot of the database), the ids of the attempts in file
//! order first, then their rows and responses a page at a time, each line written as soon as it is read.
//!
//! Memory holds the ordered ids (some 50 bytes per attempt) and one page of rows, not the whole result set:
//! ordering by (started_at, id) has no index to page along, so the ids are read first and the pages looked up by
//! primary key.

use std::collections::HashMap;
use std::io::Write;

use super::format::{self, Header};
use super::{ExportReport, Record, Response, TransferError};

/// The competitions that have attempts, by id.
pub(super) const COMPETITIONS: &str = "SELECT DISTINCT competition FROM attempts ORDER BY competition";
/// The surveys that have responses, by id.
const SURVEYS: &str = "SELECT DISTINCT survey FROM survey_responses ORDER BY survey";
/// Attempts read per page (18 columns, a few KB per row with the stored JSON).
const PAGE: usize = 500;

/// Groups response rows `(attempt, question, correct)` by attempt.
fn by_attempt(rows: Vec<(String, String, bool)>) -> HashMap<String, Vec<Response>> {
    let mut out: HashMap<String, Vec<Response>> = HashMap::new();
    for (attempt, question, correct) in rows {
        out.entry(attempt).or_default().push(Response { question, correct });
    }
    out
}

/// The export of one backend; the SQL is shared, only the pool and database types differ.
macro_rules! backend_export {
    ($Pool:ty, $Db:ty, $snapshot:expr) => {
        use sqlx::QueryBuilder;

        use tokio_stream::StreamExt;

        use super::*;
        use crate::store::surveys::COLUMNS as SURVEY_COLUMNS;
        use crate::store::{AttemptRow, SurveyResponseRow, COLUMNS};

        pub(crate) async fn export(
            pool: &$Pool,
            competitions: &[String],
            out: &mut impl Write,
            path: &std::path::Path,
        ) -> Result<ExportReport, TransferError> {
            let io = |e| TransferError::Io { path: path.display().to_string(), source: e };
            let mut tx = pool.begin().await?;
            if let Some(sql) = $snapshot {
                sqlx::query(sql).execute(&mut *tx).await?;
            }
            let comps: Vec<String> = match competitions.is_empty() {
                true => sqlx::query_scalar(COMPETITIONS).fetch_all(&mut *tx).await?,
                false => competitions.to_vec(),
            };
            let mut ids = Vec::with_capacity(comps.len());
            for comp in &comps {
                let sql = "SELECT id FROM attempts WHERE competition = $1 ORDER BY started_at, id";
                let list: Vec<String> = sqlx::query_scalar(sql).bind(comp).fetch_all(&mut *tx).await?;
                ids.push(list.into_iter().map(String::into_boxed_str).collect::<Vec<Box<str>>>());
            }
            let mut report = ExportReport::default();
            report.attempts = ids.iter().map(Vec::len).sum();
            let mut header = Header::new(comps.clone(), report.attempts);
            // A whole export carries the survey responses too; one of chosen competitions does not.
            if competitions.is_empty() {
                header.surveys = sqlx::query_scalar(SURVEYS).fetch_all(&mut *tx).await?;
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM survey_responses").fetch_one(&mut *tx).await?;
                header.survey_responses = usize::try_from(n).unwrap_or_default();
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM suggestions").fetch_one(&mut *tx).await?;
                header.suggestions = usize::try_from(n).unwrap_or_default();
            }
            format::write_line(out, &header).map_err(io)?;
            for (comp, list) in comps.into_iter().zip(&ids) {
                report.competitions.push((comp, list.len()));
                for page in list.chunks(PAGE) {
                    let head = format!("SELECT {COLUMNS} FROM attempts WHERE id IN (");
                    let mut q = in_ids(&head, page, ") ORDER BY started_at, id");
                    let rows: Vec<AttemptRow> = q.build_query_as().fetch_all(&mut *tx).await?;
                    let head = "SELECT attempt, question, correct FROM responses WHERE attempt IN (";
                    let mut q = in_ids(head, page, ") ORDER BY attempt, question");
                    let mut responses = by_attempt(q.build_query_as().fetch_all(&mut *tx).await?);
                    for attempt in rows {
                        let responses = responses.remove(&attempt.id).unwrap_or_default();
                        report.responses += responses.len();
                        format::write_line(out, &Record { attempt, responses }).map_err(io)?;
                    }
                }
            }
            if header.survey_responses > 0 {
                let sql = format!("SELECT {SURVEY_COLUMNS} FROM survey_responses ORDER BY survey, submitted_at, id");
                let mut rows = sqlx::query_as::<_, SurveyResponseRow>(&sql).fetch(&mut *tx);
                while let Some(row) = rows.next().await {
                    let line = format::SurveyLine { survey_response: row? };
                    format::write_line(out, &line).map_err(io)?;
                    report.survey_responses += 1;
                }
            }
            if header.suggestions > 0 {
                use crate::store::transfer::suggest::{self, EventRecord, SuggestionRecord};
                let sql = format!("SELECT {} FROM suggestions ORDER BY created_at, ticket", suggest::COLUMNS);
                let rows: Vec<SuggestionRecord> = sqlx::query_as(&sql).fetch_all(&mut *tx).await?;
                let sql = format!("SELECT {} FROM suggestion_events ORDER BY ticket, n", suggest::EVENT_COLUMNS);
                let events: Vec<(String, i64, i64, String, Option<String>, Option<i64>)> =
                    sqlx::query_as(&sql).fetch_all(&mut *tx).await?;
                let events = events
                    .into_iter()
                    .map(|(t, n, at, action, unit, due_at)| (t, EventRecord { n, at, action, unit, due_at }))
                    .collect();
                for suggestion in suggest::with_events(rows, events) {
                    format::write_line(out, &suggest::SuggestionLine { suggestion }).map_err(io)?;
                    report.suggestions += 1;
                }
            }
            tx.rollback().await?;
            Ok(report)
        }

        /// `head`, the page's ids as bound parameters separated by commas, then `tail`.
        fn in_ids<'a>(head: &str, ids: &'a [Box<str>], tail: &str) -> QueryBuilder<'a, $Db> {
            let mut q = QueryBuilder::<$Db>::new(head);
            let mut sep = q.separated(", ");
            for id in ids {
                sep.push_bind(&**id);
            }
            q.push(tail);
            q
        }
    };
}

pub(super) mod sqlite {
    // A deferred transaction in WAL mode reads one snapshot from its first SELECT on.
    backend_export!(sqlx::SqlitePool, sqlx::Sqlite, None::<&str>);
}

pub(super) mod postgres {
    backend_export!(sqlx::PgPool, sqlx::Postgres, Some("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
}
