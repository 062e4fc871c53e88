//! The writer: one connection, group commit. Ops that arrive together share a transaction (PostgreSQL: those
//! queued while the last one was written; SQLite: those that arrive while the log is being synced); every caller
//! is answered after its transaction committed.
//! This file holds what both backends' writers share: `postgres::writer` (an async task) and `sqlite::writer` (a thread).

use tokio::sync::oneshot;

use super::certificates::RevokeOutcome;
use super::suggestions::ActOutcome;
use super::{AttemptRow, NewAttempt, Op, StartOutcome, StoreError, SubmitOutcome};

/// The most operations written in one transaction.
pub const MAX_BATCH: usize = 256;

/// A committed op's answer, waiting to be sent once its transaction committed.
pub(super) enum Reply {
    Start(oneshot::Sender<Result<StartOutcome, StoreError>>, StartOutcome),
    Save(oneshot::Sender<Result<bool, StoreError>>, bool),
    Submit(oneshot::Sender<Result<SubmitOutcome, StoreError>>, SubmitOutcome),
    Respond(oneshot::Sender<Result<bool, StoreError>>, bool),
    Suggest(oneshot::Sender<Result<String, StoreError>>, String),
    Act(oneshot::Sender<Result<ActOutcome, StoreError>>, ActOutcome),
    Certify(oneshot::Sender<Result<String, StoreError>>, String),
    Revoke(oneshot::Sender<Result<RevokeOutcome, StoreError>>, RevokeOutcome),
}

/// What one op did inside a transaction not yet committed.
pub(super) enum Outcome {
    Start(StartOutcome),
    Save(bool),
    Submit(SubmitOutcome),
    Respond(bool),
    /// The ticket given.
    Suggest(String),
    Act(ActOutcome),
    /// The certificate's serial.
    Certify(String),
    Revoke(RevokeOutcome),
}

impl Reply {
    pub(super) fn send(self) {
        // A caller that went away (client disconnected) needs no answer; its write is committed regardless.
        match self {
            Reply::Start(tx, o) => drop(tx.send(Ok(o))),
            Reply::Save(tx, o) => drop(tx.send(Ok(o))),
            Reply::Submit(tx, o) => drop(tx.send(Ok(o))),
            Reply::Respond(tx, o) => drop(tx.send(Ok(o))),
            Reply::Suggest(tx, o) => drop(tx.send(Ok(o))),
            Reply::Act(tx, o) => drop(tx.send(Ok(o))),
            Reply::Certify(tx, o) => drop(tx.send(Ok(o))),
            Reply::Revoke(tx, o) => drop(tx.send(Ok(o))),
        }
    }

    /// Answers with an error instead: the write was committed but could not be confirmed durable.
    pub(super) fn fail(self, msg: &str) {
        let e = || StoreError::WriteFailed(msg.to_string());
        match self {
            Reply::Start(tx, _) => drop(tx.send(Err(e()))),
            Reply::Save(tx, _) => drop(tx.send(Err(e()))),
            Reply::Submit(tx, _) => drop(tx.send(Err(e()))),
            Reply::Respond(tx, _) => drop(tx.send(Err(e()))),
            Reply::Suggest(tx, _) => drop(tx.send(Err(e()))),
            Reply::Act(tx, _) => drop(tx.send(Err(e()))),
            Reply::Certify(tx, _) => drop(tx.send(Err(e()))),
            Reply::Revoke(tx, _) => drop(tx.send(Err(e()))),
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
            (Op::Respond(_, tx), Outcome::Respond(o)) => Reply::Respond(tx, o),
            (Op::Suggest(_, tx), Outcome::Suggest(o)) => Reply::Suggest(tx, o),
            (Op::Act(_, tx), Outcome::Act(o)) => Reply::Act(tx, o),
            (Op::Certify(_, tx), Outcome::Certify(o)) => Reply::Certify(tx, o),
            (Op::Revoke(_, tx), Outcome::Revoke(o)) => Reply::Revoke(tx, o),
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
            Op::Respond(_, tx) => drop(tx.send(Err(StoreError::WriteFailed(e.to_string())))),
            Op::Suggest(_, tx) => drop(tx.send(Err(StoreError::WriteFailed(e.to_string())))),
            Op::Act(_, tx) => drop(tx.send(Err(StoreError::WriteFailed(e.to_string())))),
            Op::Certify(_, tx) => drop(tx.send(Err(StoreError::WriteFailed(e.to_string())))),
            Op::Revoke(_, tx) => drop(tx.send(Err(StoreError::WriteFailed(e.to_string())))),
        }
    }
}

/// What a start does given the participant's latest attempt: resume it, refuse, or insert attempt `number`.
pub(super) enum StartPlan {
    Done(Box<StartOutcome>),
    Insert(i64),
}

/// `today`: the attempts the participant started since the start of their day (0 without a daily limit). Both
/// limits hold together; the total is told first, being final.
pub(super) fn plan_start(last: Option<AttemptRow>, a: &NewAttempt, today: i64) -> StartPlan {
    if let Some(last) = &last {
        if last.submitted_at.is_none() && last.deadline > a.started_at {
            return StartPlan::Done(Box::new(StartOutcome::Resumed(last.clone())));
        }
    }
    let number = last.map_or(1, |l| l.number + 1);
    if number > i64::from(a.limit) {
        return StartPlan::Done(Box::new(StartOutcome::Exhausted));
    }
    if a.per_day.is_some_and(|(per_day, _)| today >= i64::from(per_day)) {
        return StartPlan::Done(Box::new(StartOutcome::DailyLimit));
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
        leaves: 0,
    }
}
