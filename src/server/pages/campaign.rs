//! The campaign rules on the pages (issue 12): the question page's texts for departures (切屏), the result page's
//! word on today's attempts, and the organizer's part of the dashboard: attempts that left the page, and extra time
//! (listed, set and removed with a form that works without scripts).

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;
use serde::{Deserialize, Serialize};

use super::organizer::{signed_in, to_login};
use super::{error_page, no_store, see_other, view};
use crate::i18n::{fill, t, Lang};
use crate::quiz::Competition;
use crate::server::campaign::{daily_limit_message, set_extra_time, ExtraTimeRequest};
use crate::server::flow::AttemptView;
use crate::server::{ApiError, AppState};

/// Attempts listed under 切屏记录 on the dashboard (all of them are in the exports).
const LEAVES_LISTED: i64 = 50;

/// What the question page says about leaving it; its script counts and warns with these.
#[derive(Debug, Serialize)]
pub struct LeaveTexts {
    /// Departures reported so far (the script goes on from the larger of this and its own count).
    pub count: u32,
    /// Departures allowed; None: counted only.
    pub max: Option<u32>,
    /// Shown on the page from the start, so nobody is counted unawares.
    pub note: String,
    /// At each departure, with `{n}` departures so far and `{left}` still allowed.
    pub warning: String,
    /// At the last departure allowed.
    pub warning_last: String,
}

pub fn leave_texts(lang: Lang, comp: &Competition, count: u32) -> LeaveTexts {
    let max = comp.campaign.max_leaves;
    let (note, warning) = match max {
        Some(m) => {
            (fill(t(lang, "campaign.leaves_note_max"), &[("max", &m.to_string())]), t(lang, "campaign.leave_warning"))
        }
        None => (t(lang, "campaign.leaves_note").to_string(), t(lang, "campaign.leave_counted")),
    };
    LeaveTexts {
        count,
        max,
        note,
        warning: warning.to_string(),
        warning_last: t(lang, "campaign.leave_warning_last").to_string(),
    }
}

/// What the result page says beyond the score: whether another attempt may start today, and why the attempt was
/// submitted when departures did it.
#[derive(Debug, Default, Serialize)]
pub struct ResultNote {
    /// False when today's attempts are used (the link to start again is then left out).
    pub again: bool,
    /// When the next attempt is possible, once today's are used.
    pub daily: Option<String>,
    /// Set when the attempt went beyond `max_leaves` (so it was submitted for the participant).
    pub left_too_often: Option<String>,
}

pub async fn result_note(state: &AppState, comp: &Competition, v: &AttemptView) -> ResultNote {
    let rules = &comp.campaign;
    let lang = state.lang;
    let mut note = ResultNote { again: true, ..ResultNote::default() };
    if rules.too_many_leaves(v.leaves) {
        note.left_too_often = Some(fill(t(lang, "campaign.left_too_often"), &[("n", &v.leaves.to_string())]));
    }
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

/// An attempt that left the question page, as the dashboard lists it.
#[derive(Debug, Serialize)]
struct LeaveRow {
    name: String,
    organization: String,
    group: String,
    number: i64,
    score: String,
    leaves: i64,
    /// Beyond `max_leaves`: it was submitted for the participant.
    submitted_for_leaves: bool,
}

/// An extra-time setting as listed.
#[derive(Debug, Serialize)]
struct ExtraRow {
    organization_id: String,
    organization: String,
    /// The participant's name and group; empty for the whole organization.
    name: String,
    group: String,
    minutes: i64,
}

/// Adds the campaign part of the dashboard to `ctx`: attempts with departures, extra-time settings and the form.
pub async fn dashboard(state: &AppState, comp: &Competition, ctx: &mut tera::Context) -> Result<(), ApiError> {
    let org_name = |id: &str| state.quizzes().organization(id).map_or_else(|| id.to_string(), |o| o.name.clone());
    let (left, total) = state.store.left_page(&comp.id, LEAVES_LISTED).await?;
    let rows: Vec<LeaveRow> = left
        .iter()
        .map(|r| LeaveRow {
            name: r.name.clone(),
            organization: org_name(&r.organization),
            group: r.grp.clone(),
            number: r.number,
            score: r.score.map_or_else(|| "—".into(), |s| s.to_string()),
            leaves: r.leaves,
            submitted_for_leaves: comp.campaign.max_leaves.is_some_and(|m| r.leaves > i64::from(m)),
        })
        .collect();
    ctx.insert("leave_rows", &rows);
    ctx.insert("leave_total", &total);
    let extra: Vec<ExtraRow> = state
        .store
        .extra_times(&comp.id)
        .await?
        .into_iter()
        .map(|e| ExtraRow {
            organization: org_name(&e.organization),
            organization_id: e.organization,
            name: e.name,
            group: e.grp,
            minutes: e.minutes,
        })
        .collect();
    ctx.insert("extra_rows", &extra);
    ctx.insert("extra_orgs", &view::org_groups(&state.quizzes(), comp, state.lang));
    ctx.insert("max_leaves", &comp.campaign.max_leaves);
    Ok(())
}

/// The extra-time form of the dashboard; `minutes` 0 (the remove buttons) takes a setting away.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ExtraForm {
    #[serde(default)]
    organization: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    minutes: String,
}

pub(super) async fn extra_time(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Result<Form<ExtraForm>, FormRejection>,
) -> Response {
    let back = format!("/quiz/{id}/admin");
    if !signed_in(&state, &headers) {
        return to_login(&state, &back);
    }
    let form = form.map(|f| f.0).unwrap_or_default();
    let Ok(minutes) = form.minutes.trim().parse::<i64>() else {
        return no_store(error_page(&state, ApiError::ExtraTimeInvalid));
    };
    let req = ExtraTimeRequest { organization: form.organization, name: form.name, group: form.group, minutes };
    match set_extra_time(&state, &id, req).await {
        Ok(_) => no_store(see_other(&state, &format!("{back}#extra-time"))),
        Err(e) => no_store(error_page(&state, e)),
    }
}
