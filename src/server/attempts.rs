//! JSON API of competitions and attempts: list, public info, start, resume, submit; and the OpenAPI document.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::extract::ApiJson;
use super::flow::{self, StartRequest};
use super::pages::cookies;
use super::{ApiError, AppState};
use crate::quiz::{Competition, OrgKind, ShowAnswers};

/// The hand-written OpenAPI document, embedded.
pub const OPENAPI: &str = include_str!("../../openapi.json");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/competitions", get(list))
        .route("/api/competitions/{id}", get(info))
        .route("/api/competitions/{id}/attempts", post(start))
        .route("/api/attempts/{attempt}", get(resume))
        .route("/api/attempts/{attempt}/answers", axum::routing::put(save))
        .route("/api/attempts/{attempt}/submit", post(submit))
}

/// The document as served: `StartRequest.organization` lists the ids of the organizations loaded (and the
/// suggestion requests the box's categories and units), so a client (or a schema-driven tester) knows the values
/// the server accepts.
async fn openapi(State(state): State<AppState>) -> impl IntoResponse {
    let mut doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap_or_default();
    let quizzes = state.quizzes();
    let ids: Vec<&str> = quizzes.organizations.iter().map(|o| o.id.as_str()).collect();
    for schema in ["StartRequest", "ExtraTimeRequest"] {
        if let Some(org) = doc.pointer_mut(&format!("/components/schemas/{schema}/properties/organization")) {
            org["enum"] = serde_json::json!(ids);
        }
    }
    // Likewise the survey ids in the survey paths, so a tester reaches past the 404 of an unknown survey.
    let quizzes = state.quizzes();
    let surveys: Vec<&str> = quizzes.surveys.keys().map(String::as_str).collect();
    for path in ["/api/surveys/{id}", "/api/surveys/{id}/responses", "/api/surveys/{id}/summary"] {
        let Some(ops) = doc["paths"].get_mut(path).and_then(|p| p.as_object_mut()) else { continue };
        for op in ops.values_mut() {
            if let Some(id) = op.pointer_mut("/parameters/0/schema") {
                id["enum"] = serde_json::json!(surveys);
            }
        }
    }
    // Likewise the suggestion box's categories and, when it lists them, its responsible units.
    let settings = state.catalog.suggestions();
    if let Some(category) = doc.pointer_mut("/components/schemas/SuggestionRequest/properties/category") {
        category["enum"] = serde_json::json!(settings.categories);
    }
    if let Some(unit) = doc.pointer_mut("/components/schemas/SuggestionAssign/properties/unit") {
        if !settings.units.is_empty() {
            unit["enum"] = serde_json::json!(settings.units);
        }
    }
    ([(header::CONTENT_TYPE, "application/json")], doc.to_string())
}

/// Where a competition stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Upcoming,
    Open,
    Closed,
}

/// A competition's public summary.
#[derive(Debug, Clone, Serialize)]
pub struct CompetitionSummary {
    pub id: String,
    pub title: String,
    pub opens: DateTime<FixedOffset>,
    pub closes: DateTime<FixedOffset>,
    pub status: Status,
}

/// An organization participants may choose.
#[derive(Debug, Clone, Serialize)]
pub struct OrgChoice {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    pub town: String,
}

/// A competition's public rules and eligible organizations.
#[derive(Debug, Clone, Serialize)]
pub struct CompetitionInfo {
    #[serde(flatten)]
    pub summary: CompetitionSummary,
    pub description: String,
    pub time_limit_seconds: u64,
    pub attempts: u32,
    /// Attempts per participant and day, when limited (issue 12).
    pub attempts_per_day: Option<u32>,
    /// Which attempt ranks: best or latest.
    pub score: crate::quiz::ScoreRule,
    /// Departures from the question page allowed before it is submitted, when limited.
    pub max_leaves: Option<u32>,
    pub question_count: usize,
    pub max_score: u32,
    pub pass_score: u32,
    pub show_answers: ShowAnswers,
    pub kinds: Option<Vec<OrgKind>>,
    pub organizations: Vec<OrgChoice>,
}

/// The status of `comp` at the state's current time.
pub fn status(state: &AppState, comp: &Competition) -> Status {
    let now = state.clock.now();
    if now < comp.opens {
        Status::Upcoming
    } else if now >= comp.closes {
        Status::Closed
    } else {
        Status::Open
    }
}

fn summary(state: &AppState, c: &Competition) -> CompetitionSummary {
    CompetitionSummary {
        id: c.id.clone(),
        title: c.title.clone(),
        opens: c.opens,
        closes: c.closes,
        status: status(state, c),
    }
}

/// Every competition, by opening time.
pub fn competitions(state: &AppState) -> Vec<CompetitionSummary> {
    let mut list: Vec<_> = state.quizzes().competitions.values().map(|c| summary(state, c)).collect();
    list.sort_by(|a, b| a.opens.cmp(&b.opens).then_with(|| a.id.cmp(&b.id)));
    list
}

/// One competition's public information.
pub fn competition_info(state: &AppState, id: &str) -> Result<CompetitionInfo, ApiError> {
    let quizzes = state.quizzes();
    let c = flow::competition(&quizzes, id)?;
    Ok(CompetitionInfo {
        summary: summary(state, c),
        description: c.description.clone(),
        time_limit_seconds: c.time_limit.as_secs(),
        attempts: c.attempts,
        attempts_per_day: c.campaign.attempts_per_day,
        score: c.campaign.score,
        max_leaves: c.campaign.max_leaves,
        question_count: c.draw.iter().map(|r| r.count).sum(),
        max_score: c.max_score(),
        pass_score: c.pass_score,
        show_answers: c.show_answers,
        kinds: c.kinds.clone(),
        organizations: state
            .quizzes()
            .organizations
            .iter()
            .filter(|o| c.admits(o.kind))
            .map(|o| OrgChoice { id: o.id.clone(), name: o.name.clone(), kind: o.kind, town: o.town.clone() })
            .collect(),
    })
}

async fn list(State(state): State<AppState>) -> ApiJson<Vec<CompetitionSummary>> {
    ApiJson(competitions(&state))
}

async fn info(State(state): State<AppState>, Path(id): Path<String>) -> Result<ApiJson<CompetitionInfo>, ApiError> {
    competition_info(&state, &id).map(ApiJson)
}

async fn start(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<StartRequest>,
) -> Result<impl IntoResponse, ApiError> {
    // A client that sends the pages' attempt cookie is the device that started the attempt.
    let device = cookies::get(&headers, &cookies::attempt_name(&id));
    let started = flow::start(&state, &id, req, device.as_deref()).await?;
    let status = if started.resumed { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, ApiJson(started)))
}

async fn resume(
    State(state): State<AppState>,
    Path(attempt): Path<String>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let mut view = flow::resume(&state, &attempt).await?;
    if let Some(result) = view.result.as_mut() {
        super::certificates::attach(&state, &headers, result).await;
    }
    Ok(ApiJson(view))
}

/// Letters for one question: `["A", "C"]`, or a single `"A"` for convenience. Read by a visitor rather than as
/// an untagged enum, which would buffer every value before trying each form.
#[derive(Debug)]
struct Letters(Vec<String>);

impl<'de> Deserialize<'de> for Letters {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Letters, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Letters;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a letter or a list of letters")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Letters, E> {
                Ok(Letters(vec![v.to_string()]))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Letters, A::Error> {
                let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(1).min(8));
                while let Some(letter) = seq.next_element::<String>()? {
                    v.push(letter);
                }
                Ok(Letters(v))
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmitRequest {
    answers: HashMap<String, Letters>,
    /// Departures from the question page its script counted (issue 12).
    #[serde(default)]
    leaves: u32,
}

impl SubmitRequest {
    fn answers(self) -> (HashMap<String, Vec<String>>, u32) {
        (self.answers.into_iter().map(|(q, l)| (q, l.0)).collect(), self.leaves)
    }
}

async fn submit(
    State(state): State<AppState>,
    Path(attempt): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SubmitRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let (answers, leaves) = req.answers();
    let mut done = flow::submit(&state, &attempt, answers, leaves).await?;
    super::certificates::attach(&state, &headers, &mut done).await;
    Ok(ApiJson(done))
}

async fn save(
    State(state): State<AppState>,
    Path(attempt): Path<String>,
    ApiJson(req): ApiJson<SubmitRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let (answers, leaves) = req.answers();
    flow::save(&state, &attempt, answers, leaves).await.map(ApiJson)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_one_or_a_list() {
        let r: SubmitRequest = serde_json::from_str(r#"{"answers": {"a": "B", "b": ["A", "C"], "c": []}}"#).unwrap();
        let mut got: Vec<_> = r.answers().0.into_iter().collect();
        got.sort();
        let want = [("a", vec!["B"]), ("b", vec!["A", "C"]), ("c", vec![])];
        assert_eq!(got, want.map(|(q, l)| (q.to_string(), l.into_iter().map(String::from).collect::<Vec<_>>())));
        for bad in [r#"{"answers": {"a": 1}}"#, r#"{"answers": {"a": [1]}}"#, r#"{"answers": {"a": {}}}"#] {
            assert!(serde_json::from_str::<SubmitRequest>(bad).is_err(), "{bad}");
        }
    }
}
