//! The writer: one connection, group commit. Ops that arrive while a transaction is being written wait in the
//! channel and go into the next transaction together; every caller is answered after its transaction committed.
//! This file holds what both backends share and the PostgreSQL writer (an async task on one sqlx connection);
//! SQLite's writer is a thread of its own (`sqlite_writer`).

use sqlx::Connection;
use tokio::sync::{mpsc, oneshot};

use super::sql;
use super::{AttemptRow, Draft, NewAttempt, Op, StartOutcome, StoreError, Submission, SubmitOutcome};

/// The most operations written in one transaction.
pub const MAX_BATCH: usize = 256;

/// A committed op's answer, waiting to be sent once its transaction committed.
pub(super) enum Reply {
    Start(oneshot::Sender<Result<StartOutcome, StoreError>>, StartOutcome),
    Save(oneshot::Sender<Result<bool, StoreError>>, bool),
    Submit(oneshot::Sender<Result<SubmitOutcome, StoreError>>, SubmitOutcome),
}

/// What one op did inside a transaction not yet committed.
pub(super) enum Outcome {
    Start(StartOutcome),
    Save(bool),
    Submit(SubmitOutcome),
}

impl Reply {
    pub(super) fn send(self) {
        // A caller that went away (client disconnected) needs no answer; its write is committed regardless.
        match self {
            Reply::Start(tx, o) => drop(tx.send(Ok(o))),
            Reply::Save(tx, o) => drop(tx.send(Ok(o))),
            Reply::Submit(tx, o) => drop(tx.send(Ok(o))),
        }
    }
}

/// Pairs each op's reply channel with its outcome, in order, once the transaction committed.
pub(super) fn replies(batch: &mut Vec<Op>, outcomes: Vec<Outcome>) -> Vec<Reply> {
    batch
        .drain(..)
        .zip(outcomes)
        .map(|(op, o)| match (op, o) {
            (Op::Start(_, tx), Outcome::Start(o)) => Reply::Start(tx, o),
            (Op::Save(_, tx), Outcome::Save(o)) => Reply::Save(tx, o),
            (Op::Submit(_, tx), Outcome::Submit(o)) => Reply::Submit(tx, o),
            _ => unreachable!("outcomes are pushed in op order"),
        })
        .collect()
}

/// Answers every op of a failed (rolled back) write with the error.
pub(super) fn fail(ops: Vec<Op>, e: &dyn std::fmt::Display) {
    tracing::error!(error = %e, "write failed");
    for op in ops {
        match op {
            Op::Start(_, tx) => drop(tx.send(Err(StoreError::WriteFailed(e.to_string())))),
            Op::Save(_, tx) => drop(tx.send(Err(StoreError::WriteFailed(e.to_string())))),
            Op::Submit(_, tx) => drop(tx.send(Err(StoreError::WriteFailed(e.to_string())))),
        }
    }
}

/// What a start does given the participant's latest attempt: resume it, refuse, or insert attempt `number`.
pub(super) enum StartPlan {
    Done(Box<StartOutcome>),
    Insert(i64),
}

pub(super) fn plan_start(last: Option<AttemptRow>, a: &NewAttempt) -> StartPlan {
    if let Some(last) = &last {
        if last.submitted_at.is_none() && last.deadline > a.started_at {
            return StartPlan::Done(Box::new(StartOutcome::Resumed(last.clone())));
        }
    }
    let number = last.map_or(1, |l| l.number + 1);
    if number > i64::from(a.limit) {
        return StartPlan::Done(Box::new(StartOutcome::Exhausted));
    }
    StartPlan::Insert(number)
}

/// The row a start inserted as attempt `number`.
pub(super) fn created(a: &NewAttempt, number: i64) -> AttemptRow {
    AttemptRow {
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
    }
}

/// The PostgreSQL writer task: takes what is queued (up to `MAX_BATCH`), writes it in one transaction, answers.
pub(super) async fn run_postgres(mut conn: sqlx::PgConnection, mut rx: mpsc::Receiver<Op>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        match write_batch(&mut conn, &mut batch).await {
            Ok(replies) => replies.into_iter().for_each(Reply::send),
            Err(e) if batch.len() > 1 => {
                // The shared transaction rolled back: nobody in it was acknowledged. Write each op alone so that
                // one failing op (say, a constraint hit by another process) does not fail its neighbours.
                tracing::warn!(error = %e, ops = batch.len(), "write batch failed; retrying one by one");
                for op in batch.drain(..) {
                    let mut one = vec![op];
                    // Retried: a start that lost a race with another process sees the winner's row next time.
                    let mut result = write_batch(&mut conn, &mut one).await;
                    for _ in 0..2 {
                        if result.is_ok() {
                            break;
                        }
                        result = write_batch(&mut conn, &mut one).await;
                    }
                    match result {
                        Ok(replies) => replies.into_iter().for_each(Reply::send),
                        Err(e) => fail(one, &e),
                    }
                }
            }
            Err(e) => fail(std::mem::take(&mut batch), &e),
        }
        batch.clear();
    }
    let _ = conn.close().await;
}

async fn write_batch(conn: &mut sqlx::PgConnection, batch: &mut Vec<Op>) -> Result<Vec<Reply>, sqlx::Error> {
    let mut tx = conn.begin().await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for op in batch.iter() {
        outcomes.push(match op {
            Op::Start(a, _) => Outcome::Start(start(&mut tx, a).await?),
            Op::Save(d, _) => Outcome::Save(save(&mut tx, d).await?),
            Op::Submit(s, _) => Outcome::Submit(submit(&mut tx, s).await?),
        });
    }
    tx.commit().await?;
    Ok(replies(batch, outcomes))
}

async fn save(conn: &mut sqlx::PgConnection, d: &Draft) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(sql::SAVE_DRAFT)
        .bind(&d.answers)
        .bind(&d.attempt)
        .bind(d.not_after_deadline_before)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

async fn start(conn: &mut sqlx::PgConnection, a: &NewAttempt) -> Result<StartOutcome, sqlx::Error> {
    let last: Option<AttemptRow> = sqlx::query_as(sql::LAST_ATTEMPT)
        .bind(&a.competition)
        .bind(&a.participant_key)
        .fetch_optional(&mut *conn)
        .await?;
    let number = match plan_start(last, a) {
        StartPlan::Done(outcome) => return Ok(*outcome),
        StartPlan::Insert(number) => number,
    };
    sqlx::query(sql::INSERT_ATTEMPT)
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
    Ok(StartOutcome::Created(created(a, number)))
}

async fn submit(conn: &mut sqlx::PgConnection, s: &Submission) -> Result<SubmitOutcome, sqlx::Error> {
    let recorded: Option<AttemptRow> = sqlx::query_as(sql::SUBMIT)
        .bind(s.submitted_at)
        .bind(&s.answers)
        .bind(s.score)
        .bind(s.passed)
        .bind(s.duration_ms)
        .bind(&s.grade)
        .bind(&s.attempt)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(row) = recorded {
        if !s.responses.is_empty() {
            let mut insert =
                sqlx::QueryBuilder::<sqlx::Postgres>::new("INSERT INTO responses (attempt, question, correct) ");
            insert.push_values(&s.responses, |mut b, (q, correct)| {
                b.push_bind(&s.attempt).push_bind(q).push_bind(*correct);
            });
            insert.build().execute(&mut *conn).await?;
        }
        return Ok(SubmitOutcome::Recorded(row));
    }
    let row: Option<AttemptRow> =
        sqlx::query_as(sql::ATTEMPT_BY_ID).bind(&s.attempt).fetch_optional(&mut *conn).await?;
    Ok(row.map_or(SubmitOutcome::UnknownAttempt, SubmitOutcome::AlreadySubmitted))
}
