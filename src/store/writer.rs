//! The writer task: one connection, group commit. Ops that arrive while a transaction is being written wait in the
//! channel and go into the next transaction together; every caller is answered after its transaction committed.

use sqlx::{Connection, SqliteConnection};
use tokio::sync::mpsc;

use super::sqlite::COLUMNS;
use super::{AttemptRow, NewAttempt, Op, StartOutcome, StoreError, Submission, SubmitOutcome};

/// The most operations written in one transaction.
pub const MAX_BATCH: usize = 256;

enum Reply {
    Start(tokio::sync::oneshot::Sender<Result<StartOutcome, StoreError>>, StartOutcome),
    Submit(tokio::sync::oneshot::Sender<Result<SubmitOutcome, StoreError>>, SubmitOutcome),
}

pub(super) async fn run_sqlite(mut conn: SqliteConnection, mut rx: mpsc::Receiver<Op>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        match write_batch(&mut conn, &mut batch).await {
            Ok(replies) => {
                for r in replies {
                    match r {
                        Reply::Start(tx, o) => drop(tx.send(Ok(o))),
                        Reply::Submit(tx, o) => drop(tx.send(Ok(o))),
                    }
                }
            }
            Err(e) => {
                // The whole transaction rolled back: nobody in it was acknowledged, everyone gets the error.
                tracing::error!(error = %e, ops = batch.len(), "write batch failed");
                for op in batch.drain(..) {
                    match op {
                        Op::Start(_, tx) => drop(tx.send(Err(StoreError::Db(sqlx::Error::WorkerCrashed)))),
                        Op::Submit(_, tx) => drop(tx.send(Err(StoreError::Db(sqlx::Error::WorkerCrashed)))),
                    }
                }
            }
        }
        batch.clear();
    }
    let _ = conn.close().await;
}

async fn write_batch(conn: &mut SqliteConnection, batch: &mut Vec<Op>) -> Result<Vec<Reply>, sqlx::Error> {
    let mut tx = conn.begin().await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for op in batch.iter() {
        match op {
            Op::Start(a, _) => outcomes.push(Ok(start(&mut tx, a).await?)),
            Op::Submit(s, _) => outcomes.push(Err(submit(&mut tx, s).await?)),
        }
    }
    tx.commit().await?;
    Ok(batch
        .drain(..)
        .zip(outcomes)
        .map(|(op, o)| match (op, o) {
            (Op::Start(_, tx), Ok(o)) => Reply::Start(tx, o),
            (Op::Submit(_, tx), Err(o)) => Reply::Submit(tx, o),
            _ => unreachable!("outcomes are pushed in op order"),
        })
        .collect())
}

async fn start(conn: &mut SqliteConnection, a: &NewAttempt) -> Result<StartOutcome, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM attempts WHERE competition = $1 AND participant_key = $2 ORDER BY number DESC LIMIT 1"
    );
    let last: Option<AttemptRow> =
        sqlx::query_as(&sql).bind(&a.competition).bind(&a.participant_key).fetch_optional(&mut *conn).await?;
    if let Some(last) = &last {
        if last.submitted_at.is_none() && last.deadline > a.started_at {
            return Ok(StartOutcome::Resumed(last.clone()));
        }
    }
    let number = last.map_or(1, |l| l.number + 1);
    if number > i64::from(a.limit) {
        return Ok(StartOutcome::Exhausted);
    }
    sqlx::query(
        "INSERT INTO attempts (id, competition, organization, name, grp, participant_key, number, seed, drawn, \
         started_at, deadline, max_score) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&a.id)
    .bind(&a.competition)
    .bind(&a.organization)
    .bind(&a.name)
    .bind(&a.grp)
    .bind(&a.participant_key)
    .bind(number)
    .bind(a.seed)
    .bind(&a.drawn)
    .bind(a.started_at)
    .bind(a.deadline)
    .bind(a.max_score)
    .execute(&mut *conn)
    .await?;
    Ok(StartOutcome::Created(AttemptRow {
        id: a.id.clone(),
        competition: a.competition.clone(),
        organization: a.organization.clone(),
        name: a.name.clone(),
        grp: a.grp.clone(),
        participant_key: a.participant_key.clone(),
        number,
        seed: a.seed,
        drawn: a.drawn.clone(),
        started_at: a.started_at,
        deadline: a.deadline,
        submitted_at: None,
        answers: None,
        score: None,
        max_score: a.max_score,
        passed: None,
        duration_ms: None,
        grade: None,
    }))
}

async fn submit(conn: &mut SqliteConnection, s: &Submission) -> Result<SubmitOutcome, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE attempts SET submitted_at = $1, answers = $2, score = $3, passed = $4, duration_ms = $5, grade = $6 \
         WHERE id = $7 AND submitted_at IS NULL",
    )
    .bind(s.submitted_at)
    .bind(&s.answers)
    .bind(s.score)
    .bind(s.passed)
    .bind(s.duration_ms)
    .bind(&s.grade)
    .bind(&s.attempt)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if done == 1 {
        for (q, correct) in &s.responses {
            sqlx::query("INSERT INTO responses (attempt, question, correct) VALUES ($1, $2, $3)")
                .bind(&s.attempt)
                .bind(q)
                .bind(correct)
                .execute(&mut *conn)
                .await?;
        }
    }
    let sql = format!("SELECT {COLUMNS} FROM attempts WHERE id = $1");
    let row: Option<AttemptRow> = sqlx::query_as(&sql).bind(&s.attempt).fetch_optional(&mut *conn).await?;
    Ok(match row {
        None => SubmitOutcome::UnknownAttempt,
        Some(r) if done == 1 => SubmitOutcome::Recorded(r),
        Some(r) => SubmitOutcome::AlreadySubmitted(r),
    })
}
