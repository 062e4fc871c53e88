//! The campaign rules on the pages (issue 12): the result page's word on today's attempts.

use serde::Serialize;

use crate::quiz::Competition;
use crate::server::campaign::daily_limit_message;
use crate::server::flow::AttemptView;
use crate::server::AppState;

/// What the result page says beyond the score: whether another attempt may start today.
#[derive(Debug, Default, Serialize)]
pub struct ResultNote {
    /// False when today's attempts are used (the link to start again is then left out).
    pub again: bool,
    /// When the next attempt is possible, once today's are used.
    pub daily: Option<String>,
}

pub async fn result_note(state: &AppState, comp: &Competition, v: &AttemptView) -> ResultNote {
    let rules = &comp.campaign;
    let lang = state.lang;
    let mut note = ResultNote { again: true, ..ResultNote::default() };
    if let Some(per_day) = rules.attempts_per_day {
        let now = state.clock.now();
        let since = rules.day_start(now).timestamp_millis();
        // A failed read only costs the note: the start itself enforces the limit.
        let today = state.store.started_since(&comp.id, &v.participant_key, since).await.unwrap_or(0);
        if today >= i64::from(per_day) {
            note.again = false;
            let next = rules.next_day(now);
            note.daily = Some(daily_limit_message(lang, per_day, (next < comp.closes).then_some(&next)));
        }
    }
    note
}
