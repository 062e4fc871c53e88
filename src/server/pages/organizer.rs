//! The organizer's pages: sign-in with the token (checked by `server::admin`, constant time, slowed after
//! failures), the per-competition dashboard (figures by organization and town, most missed questions, exports,
//! QR code) and the exports for a signed-in browser. Every response here is `no-store`.

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::{Deserialize, Serialize};

use super::ranking::{org_row, people, OrgRow};
use super::{cookies, error_page, no_store, page, qr, see_other, view};
use crate::i18n::{t, Lang};
use crate::quiz::QuizSet;
use crate::server::admin::{self, Peer};
use crate::server::attempts::status;
use crate::server::{board, summary, ApiError, AppState};

/// How many of the most missed questions the dashboard lists.
const WEAKEST: usize = 10;

#[derive(Debug, Default, Deserialize)]
pub(super) struct Next {
    #[serde(default)]
    next: String,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct LoginForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    next: String,
}

#[derive(Debug, Serialize)]
struct CompLink {
    id: String,
    title: String,
}

/// Where to go after signing in: only a competition page of this site, never another host.
fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with("/quiz/") && !next.contains("//") && !next.contains('\\') && !next.contains("..");
    ok.then_some(next)
}

pub(super) fn signed_in(state: &AppState, headers: &HeaderMap) -> bool {
    let (Some(token), Some(value)) = (state.admin_token.as_deref(), cookies::get(headers, cookies::ADMIN_COOKIE))
    else {
        return false;
    };
    cookies::session_valid(token, &value, state.clock.now().timestamp())
}

fn login_page(state: &AppState, next: &str, error: Option<&str>, status: StatusCode, list: bool) -> Response {
    let mut ctx = state.pages.context(state.lang);
    ctx.insert("disabled", &state.admin_token.is_none());
    ctx.insert("error", &error);
    ctx.insert("next", &safe_next(next).unwrap_or(""));
    let comps: Vec<CompLink> = if list {
        state.quizzes().competitions.values().map(|c| CompLink { id: c.id.clone(), title: c.title.clone() }).collect()
    } else {
        Vec::new()
    };
    ctx.insert("competitions", &comps);
    let surveys: Vec<CompLink> = if list {
        state.quizzes().surveys.values().map(|s| CompLink { id: s.id.clone(), title: s.title.clone() }).collect()
    } else {
        Vec::new()
    };
    ctx.insert("surveys", &surveys);
    ctx.insert("signed_in", &list);
    if list {
        ctx.insert("catalog", &catalog_view(state));
    }
    no_store(page(state, "admin_login.html", &ctx, status))
}

/// How the running `quizzes/` got there, for the organizer: its revision and load time (Beijing time), and the
/// errors of a change that was refused.
fn catalog_view(state: &AppState) -> serde_json::Value {
    let status = state.catalog.status();
    let beijing = crate::content::front_matter::china();
    let at = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.with_timezone(&beijing).format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_default()
    };
    serde_json::json!({
        "revision": status.revision,
        "loaded_at": at(status.loaded_at),
        "refused_at": at(status.refused_at),
        "errors": status.errors,
        "not_shared": status.not_shared,
    })
}

pub(super) async fn login_form(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<Next>) -> Response {
    let status = if state.admin_token.is_none() { StatusCode::NOT_FOUND } else { StatusCode::OK };
    login_page(&state, &q.next, None, status, signed_in(&state, &headers))
}

pub(super) async fn login(
    State(state): State<AppState>,
    Peer(peer): Peer,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let form = form.map(|f| f.0).unwrap_or_default();
    match admin::check_token(&state, form.token.trim(), peer).await {
        Ok(()) => {
            let token = state.admin_token.as_deref().unwrap_or_default();
            let secure = cookies::is_https(&headers, &state.pages.config.base_url);
            let cookie = cookies::admin(&state.pages.root(), token, state.clock.now().timestamp(), secure);
            let mut resp = see_other(&state, safe_next(&form.next).unwrap_or("/quiz/admin"));
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
            no_store(resp)
        }
        Err(ApiError::AdminDisabled) => login_page(&state, "", None, StatusCode::NOT_FOUND, false),
        Err(_) => {
            let msg = t(state.lang, "quiz.admin_bad_token");
            login_page(&state, &form.next, Some(msg), StatusCode::UNAUTHORIZED, false)
        }
    }
}

pub(super) async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let secure = cookies::is_https(&headers, &state.pages.config.base_url);
    let mut resp = see_other(&state, "/quiz/admin");
    if let Ok(v) = HeaderValue::from_str(&cookies::admin_logout(&state.pages.root(), secure)) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    no_store(resp)
}

/// Sends a browser that is not signed in to the sign-in form, coming back here afterwards.
pub(super) fn to_login(state: &AppState, back: &str) -> Response {
    no_store(see_other(state, &format!("/quiz/admin?next={}", back.replace('&', "%26"))))
}

/// A town's (or the county's) figures, summed over its organizations.
#[derive(Debug, Serialize)]
struct TownRow {
    name: String,
    total: bool,
    participants: u32,
    headcount: u32,
    rate: String,
    average: String,
    pass_rate: String,
}

fn town_row(lang: Lang, town: summary::Town) -> TownRow {
    let n = f64::from(town.participants);
    TownRow {
        name: town.label(lang),
        total: town.total,
        participants: town.participants,
        headcount: town.headcount,
        rate: view::percent(n, f64::from(town.headcount)),
        average: town.average.map_or_else(|| "—".into(), |a| format!("{a:.1}")),
        pass_rate: town.pass_rate.map_or_else(|| "—".into(), |r| view::percent(r, 1.0)),
    }
}

/// One of the most missed questions.
#[derive(Debug, Serialize)]
struct Weak {
    stem: String,
    kind_label: &'static str,
    /// The correct option texts (letters differ per participant when options are shuffled).
    answer: String,
    answered: i64,
    missed_rate: String,
    missed_width: u32,
}

fn weakest(set: &QuizSet, lang: Lang, stats: Vec<crate::store::QuestionStat>) -> Vec<Weak> {
    summary::most_missed(stats)
        .iter()
        .filter_map(|s| {
            let q = set.question(&s.question)?;
            Some(Weak {
                stem: q.stem.clone(),
                kind_label: view::kind_label(lang, q.kind),
                answer: summary::correct_answer(lang, q),
                answered: s.answered,
                missed_rate: view::percent(s.missed as f64, s.answered as f64),
                missed_width: view::bar_width(s.missed as f64, s.answered as f64),
            })
        })
        .take(WEAKEST)
        .collect()
}

/// The dashboard's query: the organization whose item analysis is shown (all when absent).
#[derive(Debug, Default, Deserialize)]
pub(super) struct DashboardQuery {
    #[serde(default)]
    org: String,
}

pub(super) async fn dashboard(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<DashboardQuery>,
    headers: HeaderMap,
) -> Response {
    if !signed_in(&state, &headers) {
        return to_login(&state, &format!("/quiz/{id}/admin"));
    }
    let quizzes = state.quizzes();
    let Some(comp) = quizzes.competitions.get(&id) else {
        return no_store(error_page(&state, ApiError::UnknownCompetition));
    };
    let board = match board::leaderboard(&state, &id).await {
        Ok(b) => b,
        Err(e) => return no_store(error_page(&state, e)),
    };
    let stats = match state.store.question_stats(&id).await {
        Ok(s) => s,
        Err(e) => return no_store(error_page(&state, e.into())),
    };
    let lang = state.lang;
    let orgs: Vec<OrgRow> = board.organizations.iter().map(|o| org_row(o, lang)).collect();
    let mut ctx = state.pages.context(lang);
    ctx.insert("comp", &view::facts(comp, lang, status(&state, comp)));
    ctx.insert("orgs", &orgs);
    ctx.insert("top", &people(&board, lang));
    let town_figures = summary::towns(&board.organizations);
    ctx.insert("town_rates", &super::charts::town_rates(&town_figures));
    match state.store.standings(&id).await {
        Ok(s) => ctx.insert("bands", &super::charts::score_bands(&s, comp.campaign.score, comp.max_score())),
        Err(e) => return no_store(error_page(&state, e.into())),
    }
    let towns: Vec<TownRow> = town_figures.into_iter().map(|t| town_row(lang, t)).collect();
    ctx.insert("towns", &towns);
    ctx.insert("weakest", &weakest(&state.quizzes(), lang, stats));
    // One organization's analysis when one with attempts is asked for, else everyone's.
    let org = board.organizations.iter().find(|o| o.id == q.org && o.participants > 0);
    ctx.insert("items_org", &org.map(|o| CompLink { id: o.id.clone(), title: o.name.clone() }));
    let with_attempts: Vec<CompLink> = board
        .organizations
        .iter()
        .filter(|o| o.participants > 0)
        .map(|o| CompLink { id: o.id.clone(), title: o.name.clone() })
        .collect();
    ctx.insert("item_orgs", &with_attempts);
    match crate::server::items::analyse(&state, &id, org.map(|o| o.id.as_str())).await {
        Ok(items) => ctx.insert("items", &crate::server::items::views(&state, &items)),
        Err(e) => return no_store(error_page(&state, e)),
    }
    if let Err(e) = super::campaign::dashboard(&state, comp, &mut ctx).await {
        return no_store(error_page(&state, e));
    }
    ctx.insert("link", &qr::link(&state.pages.config, &headers, &id));
    no_store(page(&state, "admin.html", &ctx, StatusCode::OK))
}

fn download(body: Vec<u8>, content_type: &'static str, filename: String) -> Response {
    let mut resp = ([(header::CONTENT_TYPE, content_type)], body).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    no_store(resp)
}

fn file_name(id: &str, ext: &str) -> String {
    let id: String = id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    format!("results-{id}.{ext}")
}

pub(super) async fn csv(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if !signed_in(&state, &headers) {
        return to_login(&state, &format!("/quiz/{id}/admin"));
    }
    match admin::results_csv(&state, &id).await {
        Ok(body) => download(body, "text/csv; charset=utf-8", file_name(&id, "csv")),
        Err(e) => no_store(error_page(&state, e)),
    }
}

pub(super) async fn xlsx(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if !signed_in(&state, &headers) {
        return to_login(&state, &format!("/quiz/{id}/admin"));
    }
    match crate::server::report::results_xlsx(&state, &id).await {
        Ok(body) => {
            let kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
            download(body, kind, file_name(&id, "xlsx"))
        }
        Err(e) => no_store(error_page(&state, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_competition_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/quiz/x/admin"), Some("/quiz/x/admin"));
        for bad in ["https://evil.example/", "//evil.example/quiz/", "/quiz//evil", "/quiz/../x", "/other", ""] {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
    }
}
