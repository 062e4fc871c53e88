//! The ranking: per organization (participation rate, average, pass rate, top score) and the top individuals.
//! A participant counts once, with the attempt the competition's `score` names: the best (highest score, then
//! shortest time) or the latest (issue 12); `counted` decides it for the ranking, the charts and the exports.
//! The public API and page get it through `board_cache` with names as the competition's `public_names` says;
//! organizer pages compute it fresh, with full names.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;

use super::board_cache::Cached;
use super::{flow, names, ApiError, AppState};
use crate::quiz::{OrgKind, ScoreRule};
use crate::store::Standing;

/// How many individuals the ranking shows.
pub const TOP_INDIVIDUALS: usize = 10;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/competitions/{id}/leaderboard", get(get_leaderboard))
}

/// One organization's figures.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OrgStanding {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    pub town: String,
    /// Distinct participants with a submitted attempt.
    pub participants: u32,
    pub headcount: u32,
    /// participants / headcount (0 when headcount is 0), rounded to 4 decimals.
    pub participation_rate: f64,
    /// Mean of the participants' best scores, rounded to 2 decimals.
    pub average_score: f64,
    /// Share of participants whose best attempt passed, rounded to 4 decimals.
    pub pass_rate: f64,
    pub top_score: u32,
}

/// One of the best participants.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Individual {
    pub rank: u32,
    /// As entered for organizers; masked, or absent (`hidden`), on the public board.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub organization: String,
    pub organization_name: String,
    pub group: String,
    pub score: u32,
    pub max_score: u32,
    pub duration_ms: i64,
}

/// The ranking of one competition.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Leaderboard {
    pub competition: String,
    pub title: String,
    pub max_score: u32,
    /// Distinct participants overall.
    pub participants: u32,
    /// Eligible organizations, those with participants first, by average score, then participation rate.
    pub organizations: Vec<OrgStanding>,
    pub individuals: Vec<Individual>,
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// Better attempt first: higher score, then shorter time, then earlier submission.
fn better(a: &Standing, b: &Standing) -> std::cmp::Ordering {
    b.score
        .cmp(&a.score)
        .then(a.duration_ms.cmp(&b.duration_ms))
        .then(a.submitted_at.cmp(&b.submitted_at))
        .then(a.id.cmp(&b.id))
}

/// The organizations' order: those with participants first (even when they scored nothing and have no
/// headcount), then by average score, participation rate, id.
fn ranking_order(a: &OrgStanding, b: &OrgStanding) -> std::cmp::Ordering {
    (b.participants > 0)
        .cmp(&(a.participants > 0))
        .then(b.average_score.total_cmp(&a.average_score))
        .then(b.participation_rate.total_cmp(&a.participation_rate))
        .then(a.id.cmp(&b.id))
}

/// Each participant's attempt that ranks, best first: under `best` their highest score (of equal scores the
/// shorter time, then the earlier submission), under `latest` their last attempt (the highest number).
pub fn counted(rule: ScoreRule, rows: &[Standing]) -> Vec<&Standing> {
    let mut chosen: HashMap<&str, &Standing> = HashMap::new();
    for r in rows {
        let e = chosen.entry(r.participant_key.as_str()).or_insert(r);
        let replace = match rule {
            ScoreRule::Best => better(r, e).is_lt(),
            ScoreRule::Latest => r.number > e.number,
        };
        if replace {
            *e = r;
        }
    }
    let mut list: Vec<&Standing> = chosen.into_values().collect();
    list.sort_by(|a, b| better(a, b));
    list
}

/// Computes the ranking from the submitted attempts.
pub async fn leaderboard(state: &AppState, comp_id: &str) -> Result<Leaderboard, ApiError> {
    let quizzes = state.quizzes();
    let comp = flow::competition(&quizzes, comp_id)?;
    let rows = state.store.standings(comp_id).await?;
    let bests = counted(comp.campaign.score, &rows);
    let mut by_org: HashMap<&str, Vec<&Standing>> = HashMap::new();
    for r in &bests {
        by_org.entry(r.organization.as_str()).or_default().push(r);
    }
    let mut organizations: Vec<OrgStanding> = state
        .quizzes()
        .organizations
        .iter()
        .filter(|o| comp.admits(o.kind) || by_org.contains_key(o.id.as_str()))
        .map(|o| {
            let list = by_org.get(o.id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            let n = list.len() as u32;
            let total: i64 = list.iter().map(|r| r.score).sum();
            let passed = list.iter().filter(|r| r.passed).count();
            OrgStanding {
                id: o.id.clone(),
                name: o.name.clone(),
                kind: o.kind,
                town: o.town.clone(),
                participants: n,
                headcount: o.headcount,
                participation_rate: if o.headcount == 0 {
                    0.0
                } else {
                    round(f64::from(n) / f64::from(o.headcount), 4)
                },
                average_score: if n == 0 { 0.0 } else { round(total as f64 / f64::from(n), 2) },
                pass_rate: if n == 0 { 0.0 } else { round(passed as f64 / f64::from(n), 4) },
                top_score: list.iter().map(|r| r.score).max().unwrap_or(0) as u32,
            }
        })
        .collect();
    organizations.sort_by(ranking_order);
    let individuals = bests
        .iter()
        .take(TOP_INDIVIDUALS)
        .enumerate()
        .map(|(i, r)| Individual {
            rank: i as u32 + 1,
            name: Some(r.name.clone()),
            organization: r.organization.clone(),
            organization_name: state
                .quizzes()
                .organization(&r.organization)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            group: r.grp.clone(),
            score: r.score as u32,
            max_score: r.max_score as u32,
            duration_ms: r.duration_ms,
        })
        .collect();
    Ok(Leaderboard {
        competition: comp.id.clone(),
        title: comp.title.clone(),
        max_score: comp.max_score(),
        participants: bests.len() as u32,
        organizations,
        individuals,
    })
}

/// The ranking as the public sees it: at most `board_cache::LIFETIME` old, names as `public_names` says.
pub async fn public(state: &AppState, comp_id: &str) -> Result<Cached, ApiError> {
    let policy = flow::competition(&state.quizzes(), comp_id)?.public_names;
    let compute = || async {
        let mut board = leaderboard(state, comp_id).await?;
        for p in &mut board.individuals {
            p.name = p.name.as_deref().and_then(|n| names::public(policy, n));
        }
        Ok(board)
    };
    state.boards.get(comp_id, || state.clock.now(), compute).await
}

async fn get_leaderboard(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let cached = public(&state, &id).await?;
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], cached.json).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(id: &str, participants: u32, average_score: f64, participation_rate: f64) -> OrgStanding {
        OrgStanding {
            id: id.into(),
            name: id.into(),
            kind: OrgKind::School,
            town: String::new(),
            participants,
            headcount: 0,
            participation_rate,
            average_score,
            pass_rate: 0.0,
            top_score: 0,
        }
    }

    // Found by cargo-mutants: no test told "has participants" from "sorts first by id" when a participating
    // organization scored 0 and has no headcount.
    #[test]
    fn organizations_with_participants_come_first_even_with_nothing_scored() {
        let mut orgs = [org("a-none", 0, 0.0, 0.0), org("z-scored-nothing", 2, 0.0, 0.0), org("m-none", 0, 0.0, 0.0)];
        orgs.sort_by(ranking_order);
        let ids: Vec<&str> = orgs.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["z-scored-nothing", "a-none", "m-none"]);
        let mut orgs = [org("b", 3, 50.0, 0.1), org("a", 3, 50.0, 0.2), org("c", 1, 90.0, 0.0)];
        orgs.sort_by(ranking_order);
        let ids: Vec<&str> = orgs.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["c", "a", "b"], "average first, then participation");
    }
}
