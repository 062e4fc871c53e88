//! `/favicon.ico`, which browsers and chat apps ask for at the site root whatever the page says: the site's own
//! `public/favicon.ico` when it has one, else the default theme's icon (pages link `static/favicon.svg`).

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::AppState;

const DEFAULT_ICON: &[u8] = include_bytes!("../../themes/default/static/favicon.svg");

pub fn router() -> Router<AppState> {
    Router::new().route("/favicon.ico", get(favicon))
}

async fn favicon(State(state): State<AppState>) -> Response {
    let own = state.site.public_dir.as_ref().map(|p| p.join("favicon.ico"));
    if let Some(bytes) = own.and_then(|p| std::fs::read(p).ok()) {
        return ([(header::CONTENT_TYPE, HeaderValue::from_static("image/x-icon"))], bytes).into_response();
    }
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml")),
        (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")),
    ];
    (headers, DEFAULT_ICON).into_response()
}
