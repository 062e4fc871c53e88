//! Competition pages: landing and join, questions, result, ranking, organizer pages, QR code and poster,
//! rendered on the server with the site's theme; thin handlers over `server::flow`, `server::board` and
//! `server::admin`, so the pages and the JSON API share one implementation of every rule.

mod campaign;
mod certificates;
mod charts;
pub mod cookies;
mod editor;
mod organizer;
mod participant;
pub mod qr;
mod ranking;
pub mod render;
mod suggestions;
mod surveys;
pub mod upload;
pub mod view;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

pub use render::Templates;

use super::{ApiError, AppState};
use crate::i18n::t;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/quiz/{id}", get(participant::add_slash))
        .route("/quiz/{id}/", get(participant::landing))
        .route("/quiz/{id}/join", post(participant::join))
        .route("/quiz/a/{attempt}", get(participant::questions))
        .route("/quiz/a/{attempt}/submit", post(participant::submit))
        .route("/quiz/a/{attempt}/save", post(participant::save))
        .route("/quiz/a/{attempt}/result", get(participant::result))
        .route("/quiz/{id}/ranking", get(ranking::ranking))
        .route("/quiz/{id}/qr.svg", get(qr::qr_svg))
        .route("/quiz/{id}/poster", get(qr::poster))
        .route("/quiz/admin", get(organizer::login_form))
        .route("/quiz/admin/login", post(organizer::login))
        .route("/quiz/admin/logout", post(organizer::logout))
        .route("/quiz/admin/competition/new", get(editor::new_form).post(editor::create))
        .route("/quiz/admin/competition/{id}", get(editor::edit_form).post(editor::update))
        .route("/quiz/admin/import", get(upload::form))
        .route("/quiz/admin/import/questions", post(upload::questions))
        .route("/quiz/admin/import/organizations", post(upload::organizations))
        .route("/quiz/admin/import/save", post(upload::save))
        .route("/quiz/admin/import/template.xlsx", get(upload::template_xlsx))
        .route("/quiz/admin/share", post(upload::share))
        .route("/quiz/{id}/admin", get(organizer::dashboard))
        .route("/quiz/{id}/admin/extra-time", post(campaign::extra_time))
        .route("/quiz/{id}/results.csv", get(organizer::csv))
        .route("/quiz/{id}/results.xlsx", get(organizer::xlsx))
        .route("/quiz/{id}/admin/certificates", get(certificates::list))
        .route("/quiz/{id}/admin/certificates/revoke", post(certificates::revoke))
        .route("/quiz/{id}/admin/certificates/{org}/{file}", get(certificates::download))
        .route("/survey/{id}", get(surveys::add_slash))
        .route("/survey/{id}/", get(surveys::form).post(surveys::submit))
        .route("/survey/{id}/thanks", get(surveys::thanks))
        .route("/survey/{id}/summary", get(surveys::public_summary))
        .route("/survey/{id}/qr.svg", get(surveys::qr_svg))
        .route("/survey/{id}/poster", get(surveys::poster))
        .route("/quiz/admin/survey/{id}", get(surveys::admin))
        .route("/quiz/admin/survey/{id}/{file}", get(surveys::export))
        .route("/suggestions/", get(suggestions::form).post(suggestions::send))
        .route("/suggestions/check", get(suggestions::check_form).post(suggestions::check))
        .route("/suggestions/board", get(suggestions::board))
        .route("/quiz/admin/suggestions", get(suggestions::admin))
        .route("/quiz/admin/suggestions/{ticket}", post(suggestions::act))
        .route("/quiz/admin/suggestions.xlsx", get(suggestions::xlsx))
}

/// A rendered page, or the generic error text when the template failed (already logged).
fn page(state: &AppState, name: &str, ctx: &tera::Context, status: StatusCode) -> Response {
    match state.pages.render(name, ctx, state.lang) {
        Ok(html) => (status, html).into_response(),
        Err(text) => (StatusCode::INTERNAL_SERVER_ERROR, text).into_response(),
    }
}

/// A page that only states something (unknown competition, unknown attempt, a fault), in the site's frame.
fn message(state: &AppState, status: StatusCode, heading: &str, text: &str) -> Response {
    let mut ctx = state.pages.context(state.lang);
    ctx.insert("heading", heading);
    ctx.insert("message", text);
    page(state, "message.html", &ctx, status)
}

/// An `ApiError` from the service layer as a page: its Chinese message, its status; internals stay in the log.
fn error_page(state: &AppState, err: ApiError) -> Response {
    if let ApiError::Internal(cause) = &err {
        tracing::error!(%cause, "internal error on a competition page");
    }
    let heading = match err {
        ApiError::UnknownCompetition => t(state.lang, "quiz.not_found"),
        ApiError::UnknownAttempt => t(state.lang, "quiz.attempt_not_found"),
        _ => t(state.lang, "quiz.title"),
    };
    message(state, err.status(), heading, &err.message(state.lang))
}

/// 303 See Other to a site path, prefixed with the site's root.
fn see_other(state: &AppState, path: &str) -> Response {
    // Paths carry ids from the request (`/quiz/%0a/admin`): a control character or a space would make the
    // `Location` header invalid, so everything but URL characters is percent-encoded (`%` itself is kept).
    const UNSAFE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'<')
        .add(b'>')
        .add(b'`')
        .add(b'\\')
        .add(b'^')
        .add(b'{')
        .add(b'}')
        .add(b'|');
    let location = percent_encoding::utf8_percent_encode(&format!("{}{path}", state.pages.root()), UNSAFE).to_string();
    Redirect::to(&location).into_response()
}

/// Marks a response as personal: never stored by browsers' back-forward caches of shared phones or by proxies.
fn no_store(mut resp: Response) -> Response {
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}
