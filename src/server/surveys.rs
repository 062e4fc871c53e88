//! Surveys (民意测评) on the server: the one implementation of answering and summarizing a survey that the JSON
//! API (here) and the pages (`pages::surveys`) share. A device answers once (a cookie, a soft limit); nothing
//! about the respondent is stored beyond what the survey asks.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::admin::{authorize, Peer};
use super::attempts::Status;
use super::board_cache::Cached;
use super::extract::ApiJson;
use super::pages::cookies;
use super::{ApiError, AppState};
use crate::quiz::survey::{self, summary, AnswerError, Survey};
use crate::store::SurveyResponseRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/surveys", get(list))
        .route("/api/surveys/{id}", get(info))
        .route("/api/surveys/{id}/responses", post(respond_api))
        .route("/api/surveys/{id}/summary", get(summary_api))
}

/// A survey in the list.
#[derive(Debug, Clone, Serialize)]
pub struct SurveyListed {
    pub id: String,
    pub title: String,
    pub opens: DateTime<FixedOffset>,
    pub closes: DateTime<FixedOffset>,
    pub status: Status,
}

/// A response as sent: `answers` maps a question id to `"A"`, `["A","C"]`, `4` or `"text"`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseRequest {
    #[serde(default)]
    pub organization: Option<String>,
    #[serde(default)]
    pub town: Option<String>,
    /// Only read by surveys that are not anonymous.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub answers: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    pub receipt: String,
}

/// The survey by id in the running `quizzes/` (a copy: surveys are small, and a reload may come meanwhile).
pub fn survey(state: &AppState, id: &str) -> Result<Survey, ApiError> {
    state.quizzes().surveys.get(id).cloned().ok_or(ApiError::UnknownSurvey)
}

pub fn status(state: &AppState, s: &Survey) -> Status {
    match s.is_open(state.clock.now()) {
        None => Status::Upcoming,
        Some(true) => Status::Open,
        Some(false) => Status::Closed,
    }
}

/// Every survey, by opening time.
pub fn surveys(state: &AppState) -> Vec<SurveyListed> {
    let mut list: Vec<SurveyListed> = state
        .quizzes()
        .surveys
        .values()
        .map(|s| SurveyListed {
            id: s.id.clone(),
            title: s.title.clone(),
            opens: s.opens,
            closes: s.closes,
            status: status(state, s),
        })
        .collect();
    list.sort_by(|a, b| a.opens.cmp(&b.opens).then_with(|| a.id.cmp(&b.id)));
    list
}

/// The device cookie of a survey: holds the receipt of the response this browser sent.
pub fn cookie_name(id: &str) -> String {
    let safe: String = id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    format!("pufa_survey_{safe}")
}

/// Checks and records a response; returns its receipt. `device` is the receipt this browser's cookie holds, if
/// any; `receipt` a receipt chosen before (the form's), so a retried post is stored once.
pub async fn respond(
    state: &AppState,
    id: &str,
    req: ResponseRequest,
    device: Option<&str>,
    receipt: Option<String>,
) -> Result<String, ApiError> {
    let s = &survey(state, id)?;
    match status(state, s) {
        Status::Upcoming => return Err(ApiError::SurveyNotOpen),
        Status::Closed => return Err(ApiError::SurveyClosed),
        Status::Open => {}
    }
    if device.is_some_and(|d| Some(d) != receipt.as_deref()) {
        return Err(ApiError::AlreadyResponded);
    }
    let organization = match req.organization.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        _ if !s.ask_organization => None,
        Some(o) if state.quizzes().organization(o).is_some() => Some(o.to_string()),
        _ => return Err(ApiError::UnknownOrganization),
    };
    let town = match req.town.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        _ if !s.ask_town => None,
        Some(t) if s.towns.iter().any(|x| x == t) => Some(t.to_string()),
        _ => return Err(ApiError::UnknownTown),
    };
    let name = if s.anonymous { None } else { Some(super::flow::check_name(req.name.as_deref().unwrap_or(""))?) };
    let answers = survey::check(s, &req.answers).map_err(|e| match e {
        AnswerError::UnknownQuestion(_) => ApiError::SurveyUnknownQuestion,
        AnswerError::Required(n) => ApiError::SurveyAnswerMissing(n),
        AnswerError::Invalid(n) => ApiError::SurveyAnswerInvalid(n),
        AnswerError::TooLong(n) => ApiError::SurveyTextTooLong(n),
    })?;
    let receipt = receipt.filter(|r| is_receipt(r)).unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let row = SurveyResponseRow {
        id: receipt.clone(),
        survey: s.id.clone(),
        organization,
        town,
        name,
        answers: serde_json::to_string(&answers).map_err(ApiError::internal)?,
        submitted_at: state.clock.now().timestamp_millis(),
    };
    state.store.respond(row).await?;
    Ok(receipt)
}

/// A receipt as this server makes them: 32 lower-case hex digits.
pub fn is_receipt(r: &str) -> bool {
    r.len() == 32 && r.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The summary of a survey's responses; `public` leaves out the free texts (they may name people).
pub async fn summarize(state: &AppState, s: &Survey, public: bool) -> Result<summary::Summary, ApiError> {
    let rows = state.store.survey_responses(&s.id).await?;
    let parsed: Vec<(&SurveyResponseRow, survey::Response)> = rows
        .iter()
        .filter_map(|r| match serde_json::from_str(&r.answers) {
            Ok(a) => Some((r, a)),
            Err(e) => {
                tracing::error!(receipt = %r.id, error = %e, "a stored survey response does not parse; left out");
                None
            }
        })
        .collect();
    let rows = parsed.iter().map(|(r, a)| summary::Row {
        organization: r.organization.as_deref(),
        town: r.town.as_deref(),
        answers: a,
    });
    let mut out = summary::summarize(s, rows);
    if public {
        out.questions.iter_mut().for_each(|q| q.texts.clear());
    }
    Ok(out)
}

/// The public summary (no texts), computed at most once a second however many read it (`board_cache`).
pub async fn public_summary(state: &AppState, s: &Survey) -> Result<Cached<summary::Summary>, ApiError> {
    state.summaries.get(&s.id, || state.clock.now(), || summarize(state, s, true)).await
}

/// The `Set-Cookie` that remembers this device answered, until the survey closes (at least a day).
pub fn device_cookie(state: &AppState, headers: &HeaderMap, s: &Survey, receipt: &str) -> Option<HeaderValue> {
    let secure = if cookies::is_https(headers, &state.pages.config.base_url) { "; Secure" } else { "" };
    let age = (s.closes.timestamp() - state.clock.now().timestamp()).max(86_400);
    let path = format!("{}/", state.pages.root());
    let cookie =
        format!("{}={receipt}; Path={path}; Max-Age={age}; HttpOnly; SameSite=Lax{secure}", cookie_name(&s.id));
    HeaderValue::from_str(&cookie).ok()
}

async fn list(State(state): State<AppState>) -> ApiJson<Vec<SurveyListed>> {
    ApiJson(surveys(&state))
}

/// The survey as a client needs it to ask its questions, with the organizations and towns to pick from.
async fn info(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let s = &survey(&state, &id)?;
    let orgs: Vec<Value> = if s.ask_organization {
        let quizzes = state.quizzes();
        let o = quizzes.organizations.iter();
        o.map(|o| serde_json::json!({"id": o.id, "name": o.name, "town": o.town})).collect()
    } else {
        Vec::new()
    };
    let mut v = serde_json::to_value(s).map_err(ApiError::internal)?;
    v["status"] = serde_json::to_value(status(&state, s)).map_err(ApiError::internal)?;
    v["organizations"] = Value::Array(orgs);
    Ok(ApiJson(v).into_response())
}

async fn respond_api(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ResponseRequest>,
) -> Result<Response, ApiError> {
    let s = &survey(&state, &id)?;
    let device = cookies::get(&headers, &cookie_name(&s.id));
    let receipt = respond(&state, &id, req, device.as_deref(), None).await?;
    let mut resp = (StatusCode::CREATED, ApiJson(Receipt { receipt: receipt.clone() })).into_response();
    if let Some(v) = device_cookie(&state, &headers, s, &receipt) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// The summary: to anyone when the survey says `public_summary` (without the free texts), else to the organizer.
async fn summary_api(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Peer(peer): Peer,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let s = &survey(&state, &id)?;
    let organizer = headers.contains_key(header::AUTHORIZATION);
    if organizer || !s.public_summary {
        authorize(&state, &headers, peer).await?;
    }
    let mut resp = if organizer {
        ApiJson(summarize(&state, s, false).await?).into_response()
    } else {
        let json = public_summary(&state, s).await?.json;
        ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], json).into_response()
    };
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}
