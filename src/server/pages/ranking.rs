//! The public ranking page: organizations by participation rate or average score, and the top individuals,
//! from `server::board::public` (which owns the arithmetic, the cache and the masked names). It refreshes itself for a
//! big screen: `quiz.js` fetches it again every 15 s and swaps the ranking in; without JS a meta refresh reloads it.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::{error_page, page, view};
use crate::i18n::Lang;
use crate::server::attempts::status;
use crate::server::board::{self, Leaderboard, OrgStanding};
use crate::server::AppState;

#[derive(Debug, Default, Deserialize)]
pub(super) struct Sort {
    #[serde(default)]
    by: Option<String>,
}

/// One organization as the ranking and the organizer page show it.
#[derive(Debug, Serialize)]
pub(super) struct OrgRow {
    pub name: String,
    pub town: String,
    pub kind: &'static str,
    pub participants: u32,
    pub headcount: u32,
    /// "42.5%".
    pub rate: String,
    /// 0..=100, for the bar.
    pub rate_width: u32,
    pub average: String,
    pub pass_rate: String,
    pub top_score: u32,
}

pub(super) fn org_row(o: &OrgStanding, lang: Lang) -> OrgRow {
    let n = f64::from(o.participants);
    OrgRow {
        name: o.name.clone(),
        town: o.town.clone(),
        kind: view::kind_name(lang, o.kind),
        participants: o.participants,
        headcount: o.headcount,
        rate: view::percent(n, f64::from(o.headcount)),
        rate_width: view::bar_width(n, f64::from(o.headcount)),
        average: if o.participants == 0 { "—".into() } else { format!("{:.1}", o.average_score) },
        pass_rate: if o.participants == 0 { "—".into() } else { view::percent(o.pass_rate, 1.0) },
        top_score: o.top_score,
    }
}

#[derive(Debug, Serialize)]
pub(super) struct PersonRow {
    name: String,
    organization: String,
    group: String,
    score: u32,
    time_taken: String,
}

/// The top individuals of the leaderboard, formatted.
pub(super) fn people(board: &Leaderboard, lang: Lang) -> Vec<PersonRow> {
    board
        .individuals
        .iter()
        .map(|p| PersonRow {
            name: p.name.clone().unwrap_or_else(|| crate::i18n::t(lang, "quiz.anonymous").to_string()),
            organization: p.organization_name.clone(),
            group: p.group.clone(),
            score: p.score,
            time_taken: view::duration(lang, (p.duration_ms.max(0) / 1000) as u64),
        })
        .collect()
}

/// Orders the organizations for display: `rate` puts participation first (what a campaign is judged by),
/// anything else keeps the leaderboard's order (average score first).
fn sorted(mut board: Leaderboard, by_rate: bool) -> Vec<OrgStanding> {
    if by_rate {
        board.organizations.sort_by(|a, b| {
            b.participation_rate
                .total_cmp(&a.participation_rate)
                .then(b.average_score.total_cmp(&a.average_score))
                .then(a.id.cmp(&b.id))
        });
    }
    board.organizations
}

pub(super) async fn ranking(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(sort): Query<Sort>,
) -> Response {
    let board = match board::public(&state, &id).await {
        Ok(cached) => Leaderboard::clone(&cached.board),
        Err(e) => return error_page(&state, e),
    };
    let quizzes = state.quizzes();
    let Some(comp) = quizzes.competitions.get(&id) else {
        return error_page(&state, crate::server::ApiError::UnknownCompetition);
    };
    let lang = state.lang;
    let by = if sort.by.as_deref() == Some("score") { "score" } else { "rate" };
    let top = people(&board, lang);
    let orgs: Vec<OrgRow> = sorted(board, by == "rate").iter().map(|o| org_row(o, lang)).collect();
    let mut ctx = state.pages.context(lang);
    ctx.insert("comp", &view::facts(comp, lang, status(&state, comp)));
    ctx.insert("by", by);
    ctx.insert("orgs", &orgs);
    ctx.insert("top", &top);
    page(&state, "ranking.html", &ctx, StatusCode::OK)
}
