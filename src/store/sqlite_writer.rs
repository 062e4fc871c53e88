//! SQLite's writer: a thread of its own holding one rusqlite connection with cached prepared statements.
//! A batch is written start to commit without leaving the thread (sqlx would hop to its worker thread and back
//! for every statement, which cost more than the statements themselves); its callers are answered by the sync
//! thread once the log is on disk (`sqlite_sync`).

use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Row};
use tokio::sync::{mpsc, oneshot};

use super::writer::{created, fail, plan_start, replies, Outcome, Reply, StartPlan, MAX_BATCH};
use super::{sql, sqlite_sync, AttemptRow, Draft, NewAttempt, Op, StartOutcome, StoreError, Submission, SubmitOutcome};

/// Opens a writing connection on a migrated file: WAL, committed with `synchronous=NORMAL` because the sync thread,
/// not the commit, fsyncs the log before anyone is answered (an acknowledged submission survives a power cut, not
/// only `kill -9`).
pub(super) fn connect(path: &str) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(write_failed)?;
    conn.busy_timeout(Duration::from_secs(10)).map_err(write_failed)?;
    conn.pragma_update(None, "journal_mode", "WAL").map_err(write_failed)?;
    conn.pragma_update(None, "synchronous", "NORMAL").map_err(write_failed)?;
    conn.pragma_update(None, "foreign_keys", "ON").map_err(write_failed)?;
    // Checkpoints run on their own thread (`checkpoints`); this is only the backstop should that one fall behind.
    conn.pragma_update(None, "wal_autocheckpoint", BACKSTOP_PAGES).map_err(write_failed)?;
    conn.set_prepared_statement_cache_capacity(16);
    Ok(conn)
}

fn write_failed(e: rusqlite::Error) -> StoreError {
    StoreError::WriteFailed(e.to_string())
}

/// WAL pages after which the writer checkpoints by itself (about 40 MB): only if the checkpoint thread is stuck.
const BACKSTOP_PAGES: i64 = 10_000;

/// Starts the writer thread, its sync thread and its checkpoint thread; the returned receiver fires when the writer
/// has written everything queued, the sync thread has answered it all, and both stopped (after every sender is gone).
pub(super) fn spawn(path: &str, conn: Connection, rx: mpsc::Receiver<Op>) -> Result<oneshot::Receiver<()>, StoreError> {
    let io = |e: std::io::Error| StoreError::WriteFailed(e.to_string());
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    sqlite_sync::spawn_checkpointer(connect(path)?, stopped).map_err(io)?;
    let (synced, syncer) = sqlite_sync::spawn_syncer(path).map_err(io)?;
    let (done, finished) = oneshot::channel();
    std::thread::Builder::new()
        .name("pufa-sqlite-writer".into())
        .spawn(move || {
            run(conn, rx, &synced);
            drop((stop, synced));
            let _ = syncer.join();
            let _ = done.send(());
        })
        .map_err(io)?;
    Ok(finished)
}

fn run(mut conn: Connection, mut rx: mpsc::Receiver<Op>, synced: &std::sync::mpsc::Sender<Vec<Reply>>) {
    // The sync thread answers once the log is on disk; should it be gone, nobody can be answered anyway.
    let answer = |replies: Vec<Reply>| {
        let _ = synced.send(replies);
    };
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        match write_batch(&mut conn, &mut batch) {
            Ok(replies) => answer(replies),
            Err(e) if batch.len() > 1 => {
                // Rolled back, nobody acknowledged: write each op alone so one bad op does not fail the others.
                tracing::warn!(error = %e, ops = batch.len(), "write batch failed; retrying one by one");
                for op in batch.drain(..) {
                    let mut one = vec![op];
                    match write_batch(&mut conn, &mut one) {
                        Ok(replies) => answer(replies),
                        Err(e) => fail(one, &e),
                    }
                }
            }
            Err(e) => fail(std::mem::take(&mut batch), &e),
        }
        batch.clear();
    }
}

fn write_batch(conn: &mut Connection, batch: &mut Vec<Op>) -> rusqlite::Result<Vec<Reply>> {
    let tx = conn.transaction()?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for op in batch.iter() {
        outcomes.push(match op {
            Op::Start(a, _) => Outcome::Start(start(&tx, a)?),
            Op::Save(d, _) => Outcome::Save(save(&tx, d)?),
            Op::Submit(s, _) => Outcome::Submit(submit(&tx, s)?),
        });
    }
    tx.commit()?;
    Ok(replies(batch, outcomes))
}

/// An `AttemptRow` from a row selected with `sql::columns!()`, in that order.
fn attempt_row(r: &Row<'_>) -> rusqlite::Result<AttemptRow> {
    Ok(AttemptRow {
        id: r.get(0)?,
        competition: r.get(1)?,
        organization: r.get(2)?,
        name: r.get(3)?,
        grp: r.get(4)?,
        participant_key: r.get(5)?,
        number: r.get(6)?,
        seed: r.get(7)?,
        drawn: r.get(8)?,
        started_at: r.get(9)?,
        deadline: r.get(10)?,
        submitted_at: r.get(11)?,
        answers: r.get(12)?,
        score: r.get(13)?,
        max_score: r.get(14)?,
        passed: r.get(15)?,
        duration_ms: r.get(16)?,
        grade: r.get(17)?,
    })
}

fn save(conn: &Connection, d: &Draft) -> rusqlite::Result<bool> {
    let n =
        conn.prepare_cached(sql::SAVE_DRAFT)?.execute(params![d.answers, d.attempt, d.not_after_deadline_before])?;
    Ok(n == 1)
}

fn start(conn: &Connection, a: &NewAttempt) -> rusqlite::Result<StartOutcome> {
    let last = conn
        .prepare_cached(sql::LAST_ATTEMPT)?
        .query_row(params![a.competition, a.participant_key], attempt_row)
        .optional()?;
    let number = match plan_start(last, a) {
        StartPlan::Done(outcome) => return Ok(*outcome),
        StartPlan::Insert(number) => number,
    };
    conn.prepare_cached(sql::INSERT_ATTEMPT)?.execute(params![
        a.id,
        a.competition,
        a.organization,
        a.name,
        a.grp,
        a.participant_key,
        number,
        a.seed,
        a.drawn,
        a.started_at,
        a.deadline,
        a.max_score
    ])?;
    Ok(StartOutcome::Created(created(a, number)))
}

fn submit(conn: &Connection, s: &Submission) -> rusqlite::Result<SubmitOutcome> {
    let recorded = conn
        .prepare_cached(sql::SUBMIT)?
        .query_row(
            params![s.submitted_at, s.answers, s.score, s.passed, s.duration_ms, s.grade, s.attempt],
            attempt_row,
        )
        .optional()?;
    if let Some(row) = recorded {
        let mut insert = conn.prepare_cached(sql::INSERT_RESPONSE)?;
        for (question, correct) in &s.responses {
            insert.execute(params![s.attempt, question, correct])?;
        }
        return Ok(SubmitOutcome::Recorded(row));
    }
    let row = conn.prepare_cached(sql::ATTEMPT_BY_ID)?.query_row(params![s.attempt], attempt_row).optional()?;
    Ok(row.map_or(SubmitOutcome::UnknownAttempt, SubmitOutcome::AlreadySubmitted))
}
