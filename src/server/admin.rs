//! Organizer side of the API: token check (constant time, wrong tokens slowed) and the result exports (CSV here,
//! the XLSX report in `report`).

use std::borrow::Cow;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use subtle::ConstantTimeEq;

use super::{flow, report, ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/competitions/{id}/results.csv", get(csv_export))
        .route("/api/competitions/{id}/results.xlsx", get(xlsx_export))
}

/// The client's address if the server was started with connect info (never stored, only for slowing guesses).
pub struct Peer(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())))
    }
}

/// Checks an organizer token in constant time. The right token answers at once, so the slow-down never locks out
/// the organizer; a wrong one is recorded before its delay is awaited, so guesses sent in parallel each wait as long
/// as the failures recorded before them say, like guesses sent one after another.
pub async fn check_token(state: &AppState, given: &str, peer: Option<IpAddr>) -> Result<(), ApiError> {
    let Some(token) = state.admin_token.as_deref() else {
        return Err(ApiError::AdminDisabled);
    };
    if bool::from(given.as_bytes().ct_eq(token.as_bytes())) {
        if let Some(ip) = peer {
            state.auth_failures.forget(ip);
        }
        return Ok(());
    }
    if let Some(delay) = peer.map(|ip| state.auth_failures.record(ip)) {
        tokio::time::sleep(delay).await;
    }
    Err(ApiError::Unauthorized)
}

/// Checks `Authorization: Bearer <token>`.
pub async fn authorize(state: &AppState, headers: &HeaderMap, peer: Option<IpAddr>) -> Result<(), ApiError> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    check_token(state, given.trim(), peer).await
}

/// Makes a participant's text safe in a CSV file opened by a spreadsheet program: a leading `=`, `+`, `-`, `@`, tab
/// or CR would start a formula. The XLSX export needs none of this: its text cells are typed strings.
pub fn safe_cell(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Every attempt of a competition as CSV: UTF-8 with BOM so Excel reads Chinese correctly.
pub async fn results_csv(state: &AppState, comp_id: &str) -> Result<Vec<u8>, ApiError> {
    let quizzes = state.quizzes();
    let comp = flow::competition(&quizzes, comp_id)?;
    let rows = state.store.attempts(comp_id).await?;
    let counted = report::counted_ids(state, comp).await?;
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(report::detail_headers(state.lang)).map_err(ApiError::internal)?;
    for r in &rows {
        let cells = report::detail_row(state, comp, r, counted.contains(&r.id), state.lang);
        w.write_record(cells.iter().map(|c| safe_cell(&c.text()).into_owned())).map_err(ApiError::internal)?;
    }
    w.into_inner().map_err(ApiError::internal)
}

fn download(body: Vec<u8>, content_type: &'static str, filename: String) -> Response {
    let disposition = format!("attachment; filename=\"{filename}\"");
    let mut resp = ([(header::CONTENT_TYPE, content_type)], body).into_response();
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn file_name(comp_id: &str, ext: &str) -> String {
    let id: String = comp_id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    format!("results-{id}.{ext}")
}

async fn csv_export(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Peer(peer): Peer,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, peer).await?;
    let body = results_csv(&state, &id).await?;
    Ok(download(body, "text/csv; charset=utf-8", file_name(&id, "csv")))
}

async fn xlsx_export(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Peer(peer): Peer,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, peer).await?;
    let body = report::results_xlsx(&state, &id).await?;
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    Ok(download(body, xlsx, file_name(&id, "xlsx")))
}
