//! The suggestion box (意见箱) and its follow-up (跟踪问效): the JSON API. A resident sends a suggestion and gets a
//! ticket and a secret code; the organizer accepts it, hands it to a responsible unit with a due date, replies and
//! closes it; answered suggestions whose senders agreed appear, masked, on a public board. The rules live in
//! `desk`, shared with the pages (`server::pages::suggestions`).

pub mod desk;
pub mod export;
pub mod limit;
pub mod mask;
pub mod views;

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};

use self::desk::{AssignRequest, ReplyRequest, SuggestionRequest};
use super::admin::{authorize, Peer};
use super::extract::ApiJson;
use super::pages::cookies;
use super::{ApiError, AppState};
use crate::store::suggestions::{Act, EventRow, Status};

pub use desk::Desk;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/suggestions", post(create).get(list))
        .route("/api/suggestions/board", get(board))
        .route("/api/suggestions.xlsx", get(xlsx))
        .route("/api/suggestions/{ticket}", get(check))
        .route("/api/suggestions/{ticket}/accept", post(accept))
        .route("/api/suggestions/{ticket}/assign", post(assign))
        .route("/api/suggestions/{ticket}/reply", post(reply))
}

/// The cookie naming a browser for the submission limit: a random id, counted in memory, never stored.
pub const DEVICE_COOKIE: &str = "pufa_device";

/// This browser's device id, and the `Set-Cookie` that gives it one when it has none (or a malformed one).
pub fn device(state: &AppState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    if let Some(id) = cookies::get(headers, DEVICE_COOKIE).filter(|v| v.len() == 22 && v.bytes().all(url_safe)) {
        return (id, None);
    }
    use base64::Engine;
    let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>());
    let secure = cookies::is_https(headers, &state.pages.config.base_url);
    let cookie = cookie::Cookie::build((DEVICE_COOKIE, id.clone()))
        .path(format!("{}/", state.pages.root()))
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::days(365))
        .build()
        .encoded()
        .to_string();
    (id, HeaderValue::from_str(&cookie).ok())
}

fn url_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Adds the device cookie, when there is one to set, to a response.
pub fn with_cookie(mut resp: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(c) = cookie {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SuggestionRequest>,
) -> Response {
    let (id, cookie) = device(&state, &headers);
    let resp = match desk::submit(&state, req, &id).await {
        Ok(receipt) => (StatusCode::CREATED, ApiJson(receipt)).into_response(),
        Err(e) => e.into_response(),
    };
    with_cookie(resp, cookie)
}

#[derive(Debug, Deserialize)]
struct CodeQuery {
    #[serde(default)]
    code: String,
}

async fn check(
    State(state): State<AppState>,
    Path(ticket): Path<String>,
    query: Result<Query<CodeQuery>, QueryRejection>,
) -> Result<ApiJson<views::TicketView>, ApiError> {
    let code = query.map(|q| q.0.code).unwrap_or_default();
    let row = desk::open(&state, &ticket, &code).await?;
    Ok(ApiJson(views::ticket_view(&state, row).await?))
}

#[derive(Debug, Serialize)]
struct Board {
    items: Vec<views::BoardItem>,
}

async fn board(State(state): State<AppState>) -> Result<ApiJson<Board>, ApiError> {
    Ok(ApiJson(Board { items: views::board(&state).await? }))
}

/// The organizer's filters (`GET /api/suggestions`), each optional.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub town: Option<String>,
    #[serde(default)]
    pub overdue: Option<bool>,
}

/// One suggestion as the organizer sees it, contact included.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    #[serde(flatten)]
    pub view: views::TicketView,
    pub contact: Option<String>,
    pub public_ok: bool,
    pub overdue: bool,
}

/// The organizer's list: the matching suggestions and the problem list per unit (over all suggestions).
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    pub items: Vec<Item>,
    pub units: Vec<views::UnitFigure>,
    pub overdue: u32,
}

/// Every suggestion matching `f`, oldest first, with the figures per unit.
pub async fn listing(state: &AppState, f: &Filter) -> Result<Listing, ApiError> {
    let rows = state.store.suggestions().await?;
    let mut events: HashMap<String, Vec<EventRow>> = HashMap::new();
    for e in state.store.all_suggestion_events().await? {
        events.entry(e.ticket.clone()).or_default().push(e);
    }
    let now = state.clock.now();
    let units = views::units(&rows, now);
    let overdue = units.iter().map(|u| u.overdue).sum();
    let mut items = Vec::new();
    for r in rows {
        let late = views::overdue(&r, now);
        let keep = f.status.is_none_or(|s| views::status_of(&r) == s)
            && f.category.as_deref().is_none_or(|c| c.is_empty() || r.category == c)
            && f.town.as_deref().is_none_or(|t| t.is_empty() || r.town.as_deref() == Some(t))
            && f.overdue.is_none_or(|o| o == late);
        if keep {
            let (contact, public_ok) = (r.contact.clone(), r.public_ok);
            let history = events.remove(&r.ticket).unwrap_or_default();
            let view = views::ticket_with(state, r, history);
            items.push(Item { view, contact, public_ok, overdue: late });
        }
    }
    Ok(Listing { items, units, overdue })
}

async fn list(
    State(state): State<AppState>,
    Peer(peer): Peer,
    headers: HeaderMap,
    query: Result<Query<Filter>, QueryRejection>,
) -> Result<ApiJson<Listing>, ApiError> {
    authorize(&state, &headers, peer).await?;
    let Query(f) = query.map_err(|_| ApiError::BadRequest(StatusCode::BAD_REQUEST))?;
    Ok(ApiJson(listing(&state, &f).await?))
}

#[derive(Debug, Serialize)]
struct Acted {
    ticket: String,
    status: Status,
}

async fn acted(state: &AppState, ticket: String, act: Act) -> Result<ApiJson<Acted>, ApiError> {
    let status = desk::act(state, &ticket, act).await?;
    Ok(ApiJson(Acted { ticket, status }))
}

async fn accept(
    State(state): State<AppState>,
    Path(ticket): Path<String>,
    Peer(peer): Peer,
    headers: HeaderMap,
) -> Result<ApiJson<Acted>, ApiError> {
    authorize(&state, &headers, peer).await?;
    acted(&state, ticket, Act::Accept).await
}

async fn assign(
    State(state): State<AppState>,
    Path(ticket): Path<String>,
    Peer(peer): Peer,
    headers: HeaderMap,
    body: Result<ApiJson<AssignRequest>, ApiError>,
) -> Result<ApiJson<Acted>, ApiError> {
    authorize(&state, &headers, peer).await?;
    let act = desk::assign(&state, &body?.0)?;
    acted(&state, ticket, act).await
}

async fn reply(
    State(state): State<AppState>,
    Path(ticket): Path<String>,
    Peer(peer): Peer,
    headers: HeaderMap,
    body: Result<ApiJson<ReplyRequest>, ApiError>,
) -> Result<ApiJson<Acted>, ApiError> {
    authorize(&state, &headers, peer).await?;
    let act = desk::reply(&state, &body?.0)?;
    acted(&state, ticket, act).await
}

async fn xlsx(State(state): State<AppState>, Peer(peer): Peer, headers: HeaderMap) -> Result<Response, ApiError> {
    authorize(&state, &headers, peer).await?;
    Ok(export::download(export::workbook(&state).await?))
}
