//! SQLite's writer: a thread of its own holding one rusqlite connection with cached prepared statements.
//! Statements run without leaving the thread (sqlx would hop to its worker thread and back for every statement,
//! which cost more than the statements themselves); a transaction is committed when the sync thread is free, and
//! its callers are answered by the sync thread once the log is on disk (`sync`).

use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Row};
use std::sync::mpsc::Sender;
use std::sync::Arc;

use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::{mpsc, oneshot};

use super::sync::{self, LogFree};
use crate::store::writer::{created, fail, plan_start, replies, Outcome, Reply, StartPlan, MAX_BATCH};
use crate::store::{sql, AttemptRow, Draft, NewAttempt, Op, StartOutcome, StoreError, Submission, SubmitOutcome};

/// Opens a writing connection on a migrated file: WAL, committed with `synchronous=NORMAL` because the sync thread,
/// not the commit, fsyncs the log before anyone is answered (an acknowledged submission survives a power cut, not
/// only `kill -9`).
pub(crate) fn connect(path: &str) -> Result<Connection, StoreError> {
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
pub(crate) fn spawn(path: &str, conn: Connection, rx: mpsc::Receiver<Op>) -> Result<oneshot::Receiver<()>, StoreError> {
    let io = |e: std::io::Error| StoreError::WriteFailed(e.to_string());
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    sync::spawn_checkpointer(connect(path)?, stopped).map_err(io)?;
    let free = Arc::new(LogFree::default());
    let (synced, syncer) = sync::spawn_syncer(path, free.clone()).map_err(io)?;
    let (done, finished) = oneshot::channel();
    std::thread::Builder::new()
        .name("pufa-sqlite-writer".into())
        .spawn(move || {
            run(conn, rx, &synced, &free);
            drop((stop, synced));
            let _ = syncer.join();
            let _ = done.send(());
        })
        .map_err(io)?;
    Ok(finished)
}

/// Writes ops into an open transaction and commits it when the sync thread is free. While the log's fsync runs,
/// arriving ops wait in the channel (nobody wakes the writer for each); once the log is free the writer takes all
/// of them into one transaction, commits, and hands it to the sync thread. An op that arrives during an fsync
/// waits for the next fsync whatever the writer does, so this costs no latency, and it makes one commit per
/// fsync: every commit writes each page it touched to the log, so fewer, larger commits write far less.
fn run(mut conn: Connection, mut rx: mpsc::Receiver<Op>, synced: &Sender<Vec<Reply>>, log: &LogFree) {
    let mut open = Open { ops: Vec::with_capacity(MAX_BATCH), outcomes: Vec::with_capacity(MAX_BATCH) };
    // Whether something handed to the sync thread may still be syncing.
    let mut log_busy = false;
    let mut closed = false;
    while !closed {
        if log_busy {
            log.wait();
            log_busy = false;
        }
        while open.ops.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(op) => log_busy |= open.write(&mut conn, op, synced),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    closed = true;
                    break;
                }
            }
        }
        if !open.ops.is_empty() {
            open.commit(&mut conn, synced);
            log_busy = true;
        } else if !log_busy && !closed {
            // Nothing written and nothing syncing: sleep until the next op.
            match rx.blocking_recv() {
                Some(op) => log_busy |= open.write(&mut conn, op, synced),
                None => closed = true,
            }
        }
    }
    // Every pass that took ops committed them, the last one included: nothing is left open here.
}

/// The transaction being written: its ops and what each did, not yet committed (empty: no transaction open).
struct Open {
    ops: Vec<Op>,
    outcomes: Vec<Outcome>,
}

impl Open {
    /// Writes `op` into the transaction; true when a failure made it hand ops to the sync thread one by one.
    fn write(&mut self, conn: &mut Connection, op: Op, synced: &Sender<Vec<Reply>>) -> bool {
        if self.ops.is_empty() {
            if let Err(e) = conn.execute_batch("BEGIN") {
                fail(vec![op], &e);
                return false;
            }
        }
        match write_op(conn, &op) {
            Ok(outcome) => {
                self.ops.push(op);
                self.outcomes.push(outcome);
                false
            }
            Err(e) => {
                self.ops.push(op);
                self.roll_back(conn, synced, &e);
                true
            }
        }
    }

    /// Commits and hands the answers to the sync thread, which answers once the log is on disk.
    fn commit(&mut self, conn: &mut Connection, synced: &Sender<Vec<Reply>>) {
        if self.ops.is_empty() {
            return;
        }
        match conn.execute_batch("COMMIT") {
            // The sync thread answers once the log is on disk; should it be gone, nobody can be answered anyway.
            Ok(()) => drop(synced.send(replies(&mut self.ops, std::mem::take(&mut self.outcomes)))),
            Err(e) => self.roll_back(conn, synced, &e),
        }
    }

    /// Rolls back (nobody in it was answered) and writes each op alone, so one bad op does not fail the others.
    fn roll_back(&mut self, conn: &mut Connection, synced: &Sender<Vec<Reply>>, e: &rusqlite::Error) {
        tracing::warn!(error = %e, ops = self.ops.len(), "write failed; writing the transaction's ops one by one");
        let _ = conn.execute_batch("ROLLBACK");
        self.outcomes.clear();
        for op in self.ops.drain(..) {
            let mut one = vec![op];
            match write_batch(conn, &mut one) {
                Ok(replies) => drop(synced.send(replies)),
                Err(e) => fail(one, &e),
            }
        }
    }
}

fn write_op(conn: &Connection, op: &Op) -> rusqlite::Result<Outcome> {
    Ok(match op {
        Op::Start(a, _) => Outcome::Start(start(conn, a)?),
        Op::Save(d, _) => Outcome::Save(save(conn, d)?),
        Op::Submit(s, _) => Outcome::Submit(submit(conn, s)?),
        Op::Respond(r, _) => Outcome::Respond(crate::store::surveys::insert_sqlite(conn, r)?),
        Op::Suggest(s, _) => Outcome::Suggest(super::suggest::suggest(conn, s)?),
        Op::Act(a, _) => Outcome::Act(super::suggest::act(conn, a)?),
        Op::Certify(c, _) => Outcome::Certify(super::certify::issue(conn, c)?),
        Op::Revoke(r, _) => Outcome::Revoke(super::certify::revoke(conn, r)?),
    })
}

fn write_batch(conn: &mut Connection, batch: &mut Vec<Op>) -> rusqlite::Result<Vec<Reply>> {
    let tx = conn.transaction()?;
    let outcomes = batch.iter().map(|op| write_op(&tx, op)).collect::<rusqlite::Result<Vec<_>>>()?;
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
        leaves: r.get(18)?,
    })
}

fn save(conn: &Connection, d: &Draft) -> rusqlite::Result<bool> {
    let n = conn.prepare_cached(sql::SAVE_DRAFT)?.execute(params![
        d.answers,
        d.leaves,
        d.attempt,
        d.not_after_deadline_before
    ])?;
    Ok(n == 1)
}

fn start(conn: &Connection, a: &NewAttempt) -> rusqlite::Result<StartOutcome> {
    let last = conn
        .prepare_cached(sql::LAST_ATTEMPT)?
        .query_row(params![a.competition, a.participant_key], attempt_row)
        .optional()?;
    let today: i64 = match a.per_day {
        Some((_, day_start)) => conn
            .prepare_cached(sql::STARTED_SINCE)?
            .query_row(params![a.competition, a.participant_key, day_start], |r| r.get(0))?,
        None => 0,
    };
    let number = match plan_start(last, a, today) {
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
    let recorded = conn.prepare_cached(sql::SUBMIT)?.execute(params![
        s.submitted_at,
        s.answers,
        s.score,
        s.passed,
        s.duration_ms,
        s.grade,
        s.leaves,
        s.attempt
    ])? == 1;
    if recorded {
        if !s.responses.is_empty() {
            let mut insert = conn.prepare_cached(&sql::insert_responses(s.responses.len()))?;
            let mut values: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(1 + 2 * s.responses.len());
            values.push(&s.attempt);
            for (question, correct) in &s.responses {
                values.push(question);
                values.push(correct);
            }
            insert.execute(values.as_slice())?;
        }
        return Ok(SubmitOutcome::Recorded);
    }
    let row = conn.prepare_cached(sql::ATTEMPT_BY_ID)?.query_row(params![s.attempt], attempt_row).optional()?;
    Ok(row.map_or(SubmitOutcome::UnknownAttempt, SubmitOutcome::AlreadySubmitted))
}
