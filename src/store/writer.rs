//! The writer task: one connection, group commit. Ops that arrive while a transaction is being written wait in the
//! channel and go into the next transaction together; every caller is answered after its transaction committed.

use super::{Op, StartOutcome, StoreError, SubmitOutcome};

/// The most operations written in one transaction.
pub const MAX_BATCH: usize = 256;

enum Reply {
    Start(tokio::sync::oneshot::Sender<Result<StartOutcome, StoreError>>, StartOutcome),
    Save(tokio::sync::oneshot::Sender<Result<bool, StoreError>>, bool),
    Submit(tokio::sync::oneshot::Sender<Result<SubmitOutcome, StoreError>>, SubmitOutcome),
}

enum Outcome {
    Start(StartOutcome),
    Save(bool),
    Submit(SubmitOutcome),
}

impl Reply {
    fn send(self) {
        // A caller that went away (client disconnected) needs no answer; its write is committed regardless.
        match self {
            Reply::Start(tx, o) => drop(tx.send(Ok(o))),
            Reply::Save(tx, o) => drop(tx.send(Ok(o))),
            Reply::Submit(tx, o) => drop(tx.send(Ok(o))),
        }
    }
}

fn fail(ops: Vec<Op>, e: &sqlx::Error) {
    tracing::error!(error = %e, "write failed");
    for op in ops {
        match op {
            Op::Start(_, tx) => drop(tx.send(Err(StoreError::WriteFailed(e.to_string())))),
            Op::Save(_, tx) => drop(tx.send(Err(StoreError::WriteFailed(e.to_string())))),
            Op::Submit(_, tx) => drop(tx.send(Err(StoreError::WriteFailed(e.to_string())))),
        }
    }
}

/// The writer of one backend; the SQL is shared (`$1` placeholders, i64 times), only the connection type differs.
macro_rules! backend_writer {
    ($Conn:ty) => {
        use sqlx::Connection;
        use tokio::sync::mpsc;

        use super::{fail, Outcome, Reply};
        use crate::store::{AttemptRow, Draft, NewAttempt, Op, StartOutcome, Submission, SubmitOutcome, COLUMNS, MAX_BATCH};

pub(crate) async fn run(mut conn: $Conn, mut rx: mpsc::Receiver<Op>) {
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

async fn write_batch(conn: &mut $Conn, batch: &mut Vec<Op>) -> Result<Vec<Reply>, sqlx::Error> {
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
    Ok(batch
        .drain(..)
        .zip(outcomes)
        .map(|(op, o)| match (op, o) {
            (Op::Start(_, tx), Outcome::Start(o)) => Reply::Start(tx, o),
            (Op::Save(_, tx), Outcome::Save(o)) => Reply::Save(tx, o),
            (Op::Submit(_, tx), Outcome::Submit(o)) => Reply::Submit(tx, o),
            _ => unreachable!("outcomes are pushed in op order"),
        })
        .collect())
}


async fn save(conn: &mut $Conn, d: &Draft) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE attempts SET answers = $1 WHERE id = $2 AND submitted_at IS NULL AND deadline >= $3")
            .bind(&d.answers)
            .bind(&d.attempt)
            .bind(d.not_after_deadline_before)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

async fn start(conn: &mut $Conn, a: &NewAttempt) -> Result<StartOutcome, sqlx::Error> {
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

async fn submit(conn: &mut $Conn, s: &Submission) -> Result<SubmitOutcome, sqlx::Error> {
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

    };
}

pub(super) mod sqlite {
    backend_writer!(sqlx::SqliteConnection);
}

pub(super) mod postgres {
    backend_writer!(sqlx::PgConnection);
}
