//! The sweep: grades the attempts nobody submitted, from their saved answers, once deadline + grace have passed,
//! so that everyone who started counts in the ranking and the exports.
//!
//! `pufa serve` runs it once at start-up (attempts that expired while the server was down) and then every
//! `SWEEP_EVERY`. Several processes on one database may sweep at once, and a participant may submit at the same
//! moment: the store's submit only records on an attempt not yet submitted, so each attempt is graded once.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::flow::{self, GRACE};
use super::{ApiError, AppState};
use crate::quiz;
use crate::store::{AttemptRow, StoreError, Submission, SubmitOutcome};

/// How often the running server sweeps.
pub const SWEEP_EVERY: Duration = Duration::from_secs(30);

/// Attempts read per query: a sweep after a long outage pages through them instead of loading them all.
pub const BATCH: i64 = 500;

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Attempts this sweep graded and recorded.
    pub graded: u64,
    /// Attempts found submitted meanwhile (by the participant or another process): not counted again.
    pub already: u64,
    /// Attempts that could not be graded (their competition is no longer defined, a broken row): left as they are.
    pub skipped: u64,
}

/// Grades every unsubmitted attempt whose deadline + grace has passed by the state's clock.
pub async fn sweep(state: &AppState) -> Result<Swept, StoreError> {
    let before = flow::millis(state.clock.now()) - GRACE.as_millis() as i64;
    let mut after = (i64::MIN, String::new());
    let mut swept = Swept::default();
    loop {
        let rows = state.store.expired(before, &after, BATCH).await?;
        for row in &rows {
            match grade(state, row).await? {
                Some(SubmitOutcome::Recorded) => swept.graded += 1,
                Some(_) => swept.already += 1,
                None => swept.skipped += 1,
            }
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == BATCH => after = (last.deadline, last.id.clone()),
            _ => return Ok(swept),
        }
    }
}

/// Grades one expired attempt and records it; None when it cannot be graded (logged, left as it is).
async fn grade(state: &AppState, row: &AttemptRow) -> Result<Option<SubmitOutcome>, StoreError> {
    let submission = match submission(state, row) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(attempt = %row.id, competition = %row.competition, "sweep cannot grade: {e}");
            return Ok(None);
        }
    };
    let outcome = state.store.submit(submission).await?;
    state.open_attempts.remove(&row.id);
    Ok(Some(outcome))
}

/// The attempt graded from its saved answers, as if submitted at its deadline: the time it ended, so its
/// duration and its place among equal scores do not depend on when the sweep came by.
fn submission(state: &AppState, row: &AttemptRow) -> Result<Submission, ApiError> {
    let quizzes = flow::started_on(state, row);
    let comp = flow::competition(&quizzes, &row.competition)?;
    let answers = flow::saved_answers(row);
    let grade = quiz::grade(&quizzes, comp, &flow::drawn_of(row)?, &answers);
    Ok(Submission {
        attempt: row.id.clone(),
        submitted_at: row.deadline,
        answers: serde_json::to_string(&answers).map_err(ApiError::internal)?,
        score: i64::from(grade.score),
        passed: grade.passed,
        duration_ms: (row.deadline - row.started_at).max(0),
        grade: serde_json::to_string(&grade).map_err(ApiError::internal)?,
        responses: grade.results.iter().map(|r| (r.id.clone(), r.correct)).collect(),
        leaves: row.leaves,
    })
}

/// The sweep running in the background of `pufa serve`.
pub struct Sweeper {
    stop: watch::Sender<bool>,
    runs: watch::Receiver<u64>,
    task: JoinHandle<()>,
}

impl Sweeper {
    /// Starts sweeping: once now, then every `every`.
    pub fn spawn(state: AppState, every: Duration) -> Sweeper {
        let (stop, mut stopped) = watch::channel(false);
        let (count, runs) = watch::channel(0u64);
        let state = Arc::new(state);
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stopped.changed() => return,
                }
                match sweep(&state).await {
                    Ok(s) if s.graded > 0 => tracing::info!(graded = s.graded, "graded attempts nobody submitted"),
                    Ok(_) => {}
                    Err(e) => tracing::error!("sweep failed, retried in {}s: {e:?}", every.as_secs()),
                }
                count.send_modify(|n| *n += 1);
            }
        });
        Sweeper { stop, runs, task }
    }

    /// Waits until `n` sweeps have finished since the start (the first one is the start-up sweep).
    pub async fn ran(&mut self, n: u64) {
        let _ = self.runs.wait_for(|r| *r >= n).await;
    }

    /// Stops sweeping; a sweep under way finishes first, so none is cut between its read and its writes.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}
