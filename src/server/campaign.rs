//! Campaign rules on the server (issue 12): the refusal when today's attempts are used, the bound on reported
//! departures from the question page, and extra time (an organizer setting kept in the database) with its admin
//! JSON endpoint `GET|PUT /api/competitions/{id}/extra-time`. The rules themselves are `quiz::campaign`'s.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, FixedOffset, Utc};
use serde::Deserialize;

use super::admin::{authorize, Peer};
use super::extract::ApiJson;
use super::{flow, ApiError, AppState};
use crate::i18n::{fill, t, Lang};
use crate::quiz::{campaign::MAX_LEAVES, identity, Competition};
use crate::store::ExtraTimeRow;

/// The most extra minutes an organizer may give (ten hours: any real need, no overflow).
pub const MAX_EXTRA_MINUTES: i64 = 600;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/competitions/{id}/extra-time", get(list).put(put))
}

/// The refusal of a start when today's attempts are used: it tells when the next day begins, or that the
/// competition closes before.
pub fn daily_limit(comp: &Competition, now: DateTime<Utc>) -> ApiError {
    let per_day = comp.campaign.attempts_per_day.unwrap_or(0);
    let next = comp.campaign.next_day(now);
    ApiError::DailyLimit { per_day, next: (next < comp.closes).then_some(next) }
}

/// "您今天的 1 次答题机会已用完，2026年6月2日 00:00 起可以再次作答".
pub fn daily_limit_message(lang: Lang, per_day: u32, next: Option<&DateTime<FixedOffset>>) -> String {
    let n = per_day.to_string();
    match next {
        Some(at) => fill(t(lang, "error.daily_limit"), &[("n", &n), ("time", &super::pages::view::when(lang, at))]),
        None => fill(t(lang, "error.daily_limit_final"), &[("n", &n)]),
    }
}

/// Refuses a count of departures no page could have made (the OpenAPI document's `maximum`).
pub fn check_leaves(leaves: u32) -> Result<(), ApiError> {
    if leaves > MAX_LEAVES {
        return Err(ApiError::LeavesInvalid);
    }
    Ok(())
}

/// Extra time for a whole organization (no name and group) or one participant of it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraTimeRequest {
    /// Organization id from `organizations.yaml`.
    pub organization: String,
    /// The participant's name and group as they type them; both empty (or absent) for the whole organization.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub group: String,
    /// Extra minutes, 0 to remove the setting.
    pub minutes: i64,
}

/// Stores an extra-time setting of a competition (0 minutes removes it) and returns every setting.
pub async fn set_extra_time(
    state: &AppState,
    comp_id: &str,
    req: ExtraTimeRequest,
) -> Result<Vec<ExtraTimeRow>, ApiError> {
    let quizzes = state.quizzes();
    let comp = flow::competition(&quizzes, comp_id)?;
    if !(0..=MAX_EXTRA_MINUTES).contains(&req.minutes) {
        return Err(ApiError::ExtraTimeInvalid);
    }
    let org = quizzes.organization(req.organization.trim()).ok_or(ApiError::UnknownOrganization)?;
    let whole = req.name.trim().is_empty() && req.group.trim().is_empty();
    let (participant_key, name, grp) = if whole {
        (String::new(), String::new(), String::new())
    } else {
        // The participant as the start will know them: the same cleaning, the same key.
        let name = flow::clean(&req.name, true)?;
        let group = flow::clean(&req.group, false)?;
        (identity::participant_key(&org.id, &name, &group), name.shown, group.shown)
    };
    let row = ExtraTimeRow {
        competition: comp.id.clone(),
        organization: org.id.clone(),
        participant_key,
        name,
        grp,
        minutes: req.minutes,
        set_at: state.clock.now().timestamp_millis(),
    };
    state.store.set_extra_time(row).await?;
    Ok(state.store.extra_times(&comp.id).await?)
}

async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Peer(peer): Peer,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    authorize(&state, &headers, peer).await?;
    let quizzes = state.quizzes();
    let comp = flow::competition(&quizzes, &id)?;
    Ok(ApiJson(state.store.extra_times(&comp.id).await?))
}

async fn put(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Peer(peer): Peer,
    headers: HeaderMap,
    body: Result<ApiJson<ExtraTimeRequest>, ApiError>,
) -> Result<impl IntoResponse, ApiError> {
    // The token first: a body's faults are told to the organizer only.
    authorize(&state, &headers, peer).await?;
    set_extra_time(&state, &id, body?.0).await.map(ApiJson)
}
