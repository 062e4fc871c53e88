//! The public side of certificates: verification by code (a page for people who scan the QR code, JSON for
//! programs) and the holder's PDF and PNG. Verification shows the masked name only; the files show the full name
//! and are reached by the attempt's id, which only the holder has (the result page's address).

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

use super::{design, draw, facts, render};
use crate::i18n::t;
use crate::server::extract::ApiJson;
use crate::server::{flow, names, ApiError, AppState};
use crate::store::certificates::CertificateRow;

/// What anyone may learn of a certificate from its code.
#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    pub serial: String,
    pub title: String,
    pub issuer: String,
    /// Masked as on the public ranking (张*明).
    pub name: String,
    pub organization: String,
    pub competition: String,
    pub score: i64,
    pub max_score: i64,
    /// The day of issue, `2026-12-06`, in the competition's time zone.
    pub issued_on: String,
    pub revoked: bool,
    /// The day it was revoked; the reason stays with the organizer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_on: Option<String>,
}

/// The certificate a code verifies: an unknown, altered or malformed code is `UnknownCertificate` (404), the
/// same answer for each, so a guess learns nothing.
async fn lookup(state: &AppState, code: &str) -> Result<CertificateRow, ApiError> {
    let key = state.certificates.key(&state.store, flow::millis(state.clock.now())).await?;
    let serial = super::code::check(key, code).ok_or(ApiError::UnknownCertificate)?;
    state.store.certificate(&serial).await?.ok_or(ApiError::UnknownCertificate)
}

fn verified(state: &AppState, row: &CertificateRow) -> Verified {
    let named = super::named(state, row);
    let day = |ms: i64| flow::from_millis(ms).with_timezone(&named.offset).format("%Y-%m-%d").to_string();
    Verified {
        serial: row.serial.clone(),
        title: row.title.clone(),
        issuer: row.issuer.clone(),
        name: names::mask(&row.name),
        organization: named.organization,
        competition: named.competition,
        score: row.score,
        max_score: row.max_score,
        issued_on: day(row.issued_at),
        revoked: row.revoked_at.is_some(),
        revoked_on: row.revoked_at.map(day),
    }
}

pub(super) async fn json(State(state): State<AppState>, Path(code): Path<String>) -> Result<Response, ApiError> {
    let row = lookup(&state, &code).await?;
    Ok(no_store(ApiJson(verified(&state, &row)).into_response()))
}

/// `?code=` of the form that asks for a code typed from a printed certificate.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct Typed {
    #[serde(default)]
    code: String,
}

/// `/verify`: the form to type a code into, or, with `?code=`, on to that code's page.
pub(super) async fn ask(State(state): State<AppState>, Query(typed): Query<Typed>) -> Response {
    let code: String = typed.code.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(64).collect();
    if !code.is_empty() {
        return Redirect::to(&format!("{}/verify/{code}", state.pages.root())).into_response();
    }
    show(&state, tera::Context::new(), StatusCode::OK)
}

pub(super) async fn page(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let lang = state.lang;
    let mut ctx = tera::Context::new();
    let status = match lookup(&state, &code).await {
        Ok(row) => {
            ctx.insert("cert", &verified(&state, &row));
            StatusCode::OK
        }
        Err(ApiError::UnknownCertificate) => {
            ctx.insert("unknown", t(lang, "cert.verify.unknown"));
            StatusCode::NOT_FOUND
        }
        Err(e) => {
            tracing::error!(error = %e, "certificate verification failed");
            ctx.insert("unknown", &e.message(lang));
            e.status()
        }
    };
    show(&state, ctx, status)
}

/// The verification page with `facts` (a certificate, an unknown code, or neither: the form alone).
fn show(state: &AppState, facts: tera::Context, status: StatusCode) -> Response {
    let lang = state.lang;
    let mut ctx = state.pages.context(lang);
    ctx.extend(facts);
    let html = match state.pages.render("verify.html", &ctx, lang) {
        Ok(html) => (status, html).into_response(),
        Err(text) => (StatusCode::INTERNAL_SERVER_ERROR, text).into_response(),
    };
    no_store(html)
}

/// The holder's certificate of attempt `attempt`, not revoked.
async fn held(state: &AppState, attempt: &str) -> Result<CertificateRow, ApiError> {
    let ok = attempt.len() == 32 && attempt.bytes().all(|b| b.is_ascii_hexdigit());
    let row = if ok { state.store.certificate_of(attempt).await? } else { None };
    let row = row.ok_or(ApiError::UnknownCertificate)?;
    if row.revoked_at.is_some() {
        return Err(ApiError::CertificateRevoked);
    }
    Ok(row)
}

pub(super) async fn holder_pdf(state: State<AppState>, attempt: Path<String>, headers: HeaderMap) -> Response {
    holder(state, attempt, headers, false).await.unwrap_or_else(IntoResponse::into_response)
}

pub(super) async fn holder_png(state: State<AppState>, attempt: Path<String>, headers: HeaderMap) -> Response {
    holder(state, attempt, headers, true).await.unwrap_or_else(IntoResponse::into_response)
}

/// The holder's certificate as a PDF, or as a PNG.
async fn holder(
    State(state): State<AppState>,
    Path(attempt): Path<String>,
    headers: HeaderMap,
    png: bool,
) -> Result<Response, ApiError> {
    let row = held(&state, &attempt).await?;
    let svg = design::svg(&facts(&state, &headers, &row).await?, state.lang);
    if png {
        let png = draw(move || render::png(&svg)).await?;
        return Ok(file(png, "image/png", &format!("{}.png", row.serial)));
    }
    let title = format!("{} {}", row.title, row.serial);
    let pdf = draw(move || render::pdf(&[svg], &title)).await?;
    Ok(file(pdf, "application/pdf", &format!("{}.pdf", row.serial)))
}

/// A personal file: inline (a phone shows it), named by the serial, never cached on the way.
pub(crate) fn file(body: Vec<u8>, mime: &'static str, name: &str) -> Response {
    let disposition = format!("inline; filename=\"{name}\"");
    let mut resp = ([(header::CONTENT_TYPE, mime)], body).into_response();
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    no_store(resp)
}

fn no_store(mut resp: Response) -> Response {
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}
