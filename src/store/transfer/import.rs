//! The import transaction: records arrive one by one from the file and are looked up and written in chunks (a few
//! statements per chunk instead of several per attempt), after deciding for each record whether it is new, already
//! stored, completes a running attempt, or conflicts with what is stored.

use std::collections::HashMap;
use std::path::Path;

use super::{ImportReport, Record, Response};
use crate::diag::{Diagnostic, Diagnostics};
use crate::store::AttemptRow;

/// Records per chunk: 500 × 18 columns stays under SQLite's and PostgreSQL's bind-parameter limits.
pub(super) const CHUNK: usize = 500;
/// Response rows per INSERT (3 binds each).
const RESPONSE_ROWS: usize = 1000;

/// What is stored under a chunk's ids and participant slots.
#[derive(Default)]
struct Stored {
    rows: HashMap<String, AttemptRow>,
    responses: HashMap<String, Vec<Response>>,
    /// (competition, participant_key, number) → id.
    slots: HashMap<(String, String, i64), String>,
}

enum Action {
    Insert,
    Complete,
    Unchanged,
}

/// The fields that differ between two rows of one attempt, by column name.
fn differing(stored: &AttemptRow, file: &AttemptRow) -> Vec<String> {
    let (a, b) = (serde_json::to_value(stored).unwrap_or_default(), serde_json::to_value(file).unwrap_or_default());
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else { return vec![] };
    a.iter().filter(|(k, v)| b.get(*k) != Some(v)).map(|(k, _)| k.clone()).collect()
}

fn decide(r: &Record, stored: &Stored) -> Result<Action, String> {
    const SET_AT_SUBMIT: [&str; 7] = ["submitted_at", "answers", "score", "passed", "duration_ms", "grade", "leaves"];
    let a = &r.attempt;
    match stored.rows.get(&a.id) {
        Some(s) if s == a => match stored.responses.get(&a.id).map_or(&[][..], Vec::as_slice) == r.responses {
            true => Ok(Action::Unchanged),
            false => Err(format!("attempt {} is already stored with other per-question responses", a.id)),
        },
        Some(s) => {
            let fields = differing(s, a);
            // The file was exported after the attempt, stored here while running, was submitted.
            if s.submitted_at.is_none()
                && a.submitted_at.is_some()
                && fields.iter().all(|f| SET_AT_SUBMIT.contains(&f.as_str()))
            {
                Ok(Action::Complete)
            } else {
                Err(format!("attempt {} is already stored with a different {}", a.id, fields.join(", ")))
            }
        }
        None => match stored.slots.get(&(a.competition.clone(), a.participant_key.clone(), a.number)) {
            Some(other) => Err(format!(
                "attempt {} of {:?} in {} is number {}, which is already stored as attempt {other}",
                a.id, a.participant_key, a.competition, a.number
            )),
            None => Ok(Action::Insert),
        },
    }
}

/// The import of one backend; the SQL is shared, only the pool and database types differ.
macro_rules! backend_import {
    ($Pool:ty, $Db:ty) => {
        use sqlx::{QueryBuilder, Transaction};

        use super::*;
        use crate::store::surveys::COLUMNS as SURVEY_COLUMNS;
        use crate::store::transfer::suggest::{EventRecord, SuggestionRecord};
        use crate::store::transfer::TransferError;
        use crate::store::{SurveyResponseRow, COLUMNS};

        pub(crate) async fn import(
            pool: &$Pool,
            file: &Path,
            mut records: impl Iterator<Item = Result<(usize, Record), TransferError>>,
            surveys: impl Iterator<Item = Result<(usize, SurveyResponseRow), TransferError>>,
            suggestions: impl Iterator<Item = Result<(usize, SuggestionRecord), TransferError>>,
        ) -> Result<ImportReport, TransferError> {
            let mut tx = pool.begin().await?;
            let mut report = ImportReport::default();
            let mut conflicts = Diagnostics::default();
            let mut chunk = Vec::with_capacity(CHUNK);
            loop {
                chunk.clear();
                for r in records.by_ref().take(CHUNK) {
                    // The file changed since it was checked: the transaction rolls back as it is dropped.
                    chunk.push(r?);
                }
                if chunk.is_empty() {
                    break;
                }
                let stored = lookup(&mut tx, &chunk).await?;
                let (mut insert, mut complete) = (Vec::new(), Vec::new());
                for (line, r) in &chunk {
                    match decide(r, &stored) {
                        Ok(Action::Insert) => insert.push(r),
                        Ok(Action::Complete) => complete.push(r),
                        Ok(Action::Unchanged) => report.unchanged += 1,
                        Err(msg) => conflicts.push(Diagnostic::error(file, *line, 0, msg)),
                    }
                }
                if conflicts.has_errors() {
                    // Keep looking for more conflicts to report, but write nothing more.
                    continue;
                }
                insert_attempts(&mut tx, &insert).await?;
                for r in &complete {
                    complete_attempt(&mut tx, &r.attempt).await?;
                }
                let written: Vec<&Record> = insert.iter().chain(&complete).copied().collect();
                report.responses += insert_responses(&mut tx, &written).await?;
                report.added += insert.len();
                report.completed += complete.len();
            }
            import_surveys(&mut tx, file, surveys, &mut report, &mut conflicts).await?;
            import_suggestions(&mut tx, file, suggestions, &mut report, &mut conflicts).await?;
            if conflicts.has_errors() {
                tx.rollback().await?;
                return Err(TransferError::Conflicts(conflicts));
            }
            tx.commit().await?;
            Ok(report)
        }

        /// Suggestions with their histories, one by one (a box holds thousands, not millions): new ones inserted
        /// with the day's ticket counter raised past them, identical ones skipped, others conflicts.
        async fn import_suggestions(
            tx: &mut Transaction<'_, $Db>,
            file: &Path,
            suggestions: impl Iterator<Item = Result<(usize, SuggestionRecord), TransferError>>,
            report: &mut ImportReport,
            conflicts: &mut Diagnostics,
        ) -> Result<(), TransferError> {
            use crate::store::transfer::suggest::{COLUMNS as S_COLUMNS, EVENT_COLUMNS};
            for item in suggestions {
                let (line, s) = item?;
                let sql = format!("SELECT {S_COLUMNS} FROM suggestions WHERE ticket = $1");
                let stored: Option<SuggestionRecord> = sqlx::query_as(&sql).bind(&s.ticket).fetch_optional(&mut **tx).await?;
                if let Some(mut stored) = stored {
                    let sql = format!("SELECT {EVENT_COLUMNS} FROM suggestion_events WHERE ticket = $1 ORDER BY n");
                    let events: Vec<(String, i64, i64, String, Option<String>, Option<i64>)> =
                        sqlx::query_as(&sql).bind(&s.ticket).fetch_all(&mut **tx).await?;
                    stored.events = events
                        .into_iter()
                        .map(|(_, n, at, action, unit, due_at)| EventRecord { n, at, action, unit, due_at })
                        .collect();
                    if stored == s {
                        report.suggestions_unchanged += 1;
                    } else {
                        let msg = format!("suggestion {} is already stored with another state or history", s.ticket);
                        conflicts.push(Diagnostic::error(file, line, 0, msg));
                    }
                    continue;
                }
                if conflicts.has_errors() {
                    continue;
                }
                let sql = format!(
                    "INSERT INTO suggestions ({S_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
                );
                sqlx::query(&sql)
                    .bind(&s.ticket).bind(&s.day).bind(s.seq).bind(&s.code_hash).bind(&s.category).bind(&s.body)
                    .bind(&s.town).bind(&s.contact).bind(s.public_ok).bind(&s.status).bind(&s.unit).bind(s.due_at)
                    .bind(&s.reply).bind(s.created_at).bind(s.closed_at)
                    .execute(&mut **tx)
                    .await?;
                for e in &s.events {
                    let sql = format!("INSERT INTO suggestion_events ({EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)");
                    sqlx::query(&sql)
                        .bind(&s.ticket).bind(e.n).bind(e.at).bind(&e.action).bind(&e.unit).bind(e.due_at)
                        .execute(&mut **tx)
                        .await?;
                }
                // New tickets of that day are numbered after the imported ones.
                sqlx::query(
                    "INSERT INTO suggestion_days (day, last) VALUES ($1, $2) \
                     ON CONFLICT (day) DO UPDATE SET last = CASE WHEN suggestion_days.last > $2 \
                     THEN suggestion_days.last ELSE $2 END",
                )
                .bind(&s.day)
                .bind(s.seq)
                .execute(&mut **tx)
                .await?;
                report.suggestions_added += 1;
            }
            Ok(())
        }

        /// Survey responses, a chunk at a time: new ones inserted, identical ones skipped, others conflicts.
        async fn import_surveys(
            tx: &mut Transaction<'_, $Db>,
            file: &Path,
            mut surveys: impl Iterator<Item = Result<(usize, SurveyResponseRow), TransferError>>,
            report: &mut ImportReport,
            conflicts: &mut Diagnostics,
        ) -> Result<(), TransferError> {
            let mut chunk = Vec::with_capacity(CHUNK);
            loop {
                chunk.clear();
                for r in surveys.by_ref().take(CHUNK) {
                    chunk.push(r?);
                }
                if chunk.is_empty() {
                    return Ok(());
                }
                let mut q =
                    QueryBuilder::<$Db>::new(format!("SELECT {SURVEY_COLUMNS} FROM survey_responses WHERE id IN ("));
                let mut ids = q.separated(", ");
                for (_, r) in &chunk {
                    ids.push_bind(&r.id);
                }
                q.push(")");
                let stored: HashMap<String, SurveyResponseRow> = q
                    .build_query_as::<SurveyResponseRow>()
                    .fetch_all(&mut **tx)
                    .await?
                    .into_iter()
                    .map(|r| (r.id.clone(), r))
                    .collect();
                let mut insert = Vec::new();
                for (line, r) in &chunk {
                    match stored.get(&r.id) {
                        Some(s) if s == r => report.survey_unchanged += 1,
                        Some(_) => conflicts.push(Diagnostic::error(
                            file,
                            *line,
                            0,
                            format!("survey response {} is already stored with other values", r.id),
                        )),
                        None => insert.push(r),
                    }
                }
                if conflicts.has_errors() || insert.is_empty() {
                    continue;
                }
                let mut q = QueryBuilder::<$Db>::new(format!("INSERT INTO survey_responses ({SURVEY_COLUMNS}) "));
                q.push_values(&insert, |mut b, r| {
                    b.push_bind(&r.id).push_bind(&r.survey).push_bind(&r.organization).push_bind(&r.town);
                    b.push_bind(&r.name).push_bind(&r.answers).push_bind(r.submitted_at);
                });
                q.build().execute(&mut **tx).await?;
                report.survey_added += insert.len();
            }
        }

        async fn lookup(tx: &mut Transaction<'_, $Db>, chunk: &[(usize, Record)]) -> Result<Stored, sqlx::Error> {
            let mut stored = Stored::default();
            let mut q = QueryBuilder::<$Db>::new(format!("SELECT {COLUMNS} FROM attempts WHERE id IN ("));
            let mut ids = q.separated(", ");
            for (_, r) in chunk {
                ids.push_bind(&r.attempt.id);
            }
            q.push(")");
            for row in q.build_query_as::<AttemptRow>().fetch_all(&mut **tx).await? {
                stored.rows.insert(row.id.clone(), row);
            }
            if !stored.rows.is_empty() {
                let mut q =
                    QueryBuilder::<$Db>::new("SELECT attempt, question, correct FROM responses WHERE attempt IN (");
                let mut ids = q.separated(", ");
                for id in stored.rows.keys() {
                    ids.push_bind(id);
                }
                q.push(") ORDER BY attempt, question");
                for (attempt, question, correct) in
                    q.build_query_as::<(String, String, bool)>().fetch_all(&mut **tx).await?
                {
                    stored.responses.entry(attempt).or_default().push(Response { question, correct });
                }
            }
            let mut q = QueryBuilder::<$Db>::new(
                "SELECT competition, participant_key, number, id FROM attempts \
                 WHERE (competition, participant_key, number) IN (VALUES ",
            );
            let mut slots = q.separated(", ");
            for (_, r) in chunk {
                let a = &r.attempt;
                slots.push("(");
                slots.push_bind_unseparated(&a.competition);
                slots.push_unseparated(", ");
                slots.push_bind_unseparated(&a.participant_key);
                slots.push_unseparated(", ");
                slots.push_bind_unseparated(a.number);
                slots.push_unseparated(")");
            }
            q.push(")");
            for (c, p, n, id) in q.build_query_as::<(String, String, i64, String)>().fetch_all(&mut **tx).await? {
                stored.slots.insert((c, p, n), id);
            }
            Ok(stored)
        }

        async fn insert_attempts(tx: &mut Transaction<'_, $Db>, rows: &[&Record]) -> Result<(), sqlx::Error> {
            if rows.is_empty() {
                return Ok(());
            }
            let mut q = QueryBuilder::<$Db>::new(format!("INSERT INTO attempts ({COLUMNS}) "));
            q.push_values(rows, |mut b, r| {
                let a = &r.attempt;
                b.push_bind(&a.id).push_bind(&a.competition).push_bind(&a.organization).push_bind(&a.name);
                b.push_bind(&a.grp).push_bind(&a.participant_key).push_bind(a.number).push_bind(a.seed);
                b.push_bind(&a.drawn).push_bind(a.started_at).push_bind(a.deadline).push_bind(a.submitted_at);
                b.push_bind(&a.answers).push_bind(a.score).push_bind(a.max_score).push_bind(a.passed);
                b.push_bind(a.duration_ms).push_bind(&a.grade).push_bind(a.leaves);
            });
            q.build().execute(&mut **tx).await?;
            Ok(())
        }

        async fn complete_attempt(tx: &mut Transaction<'_, $Db>, a: &AttemptRow) -> Result<(), sqlx::Error> {
            sqlx::query(
                "UPDATE attempts SET submitted_at = $1, answers = $2, score = $3, passed = $4, duration_ms = $5, \
                 grade = $6, leaves = $8 WHERE id = $7 AND submitted_at IS NULL",
            )
            .bind(a.submitted_at)
            .bind(&a.answers)
            .bind(a.score)
            .bind(a.passed)
            .bind(a.duration_ms)
            .bind(&a.grade)
            .bind(&a.id)
            .bind(a.leaves)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        async fn insert_responses(tx: &mut Transaction<'_, $Db>, rows: &[&Record]) -> Result<usize, sqlx::Error> {
            let all: Vec<(&str, &Response)> =
                rows.iter().flat_map(|r| r.responses.iter().map(move |x| (r.attempt.id.as_str(), x))).collect();
            for part in all.chunks(RESPONSE_ROWS) {
                let mut q = QueryBuilder::<$Db>::new("INSERT INTO responses (attempt, question, correct) ");
                q.push_values(part, |mut b, (id, x)| {
                    b.push_bind(*id).push_bind(&x.question).push_bind(x.correct);
                });
                q.build().execute(&mut **tx).await?;
            }
            Ok(all.len())
        }
    };
}

pub(super) mod sqlite {
    backend_import!(sqlx::SqlitePool, sqlx::Sqlite);
}

pub(super) mod postgres {
    backend_import!(sqlx::PgPool, sqlx::Postgres);
}
