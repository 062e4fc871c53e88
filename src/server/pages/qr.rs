//! The competition link and its QR code (SVG), for the organizer page and the printed poster.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{error_page, page, view};
use crate::server::attempts::status;
use crate::server::{ApiError, AppState};
use crate::site::config::SiteConfig;

/// The address participants open: the quiz server's own base when set, else the site's `base_url`, else the
/// `Host` the organizer reached us by (plain http: a server behind TLS should have `base_url` set).
pub fn link(config: &SiteConfig, headers: &HeaderMap, id: &str) -> String {
    let path = format!("/quiz/{id}/");
    if !config.quiz_base().is_empty() {
        return format!("{}{path}", config.quiz_base());
    }
    if !config.base_url.is_empty() {
        return config.permalink(&path);
    }
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).filter(|h| is_host(h));
    match host {
        Some(h) => format!("http://{h}{path}"),
        None => path,
    }
}

/// A Host header we are willing to print: a name or address with an optional port, nothing else.
fn is_host(h: &str) -> bool {
    !h.is_empty() && h.len() <= 255 && h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
}

/// The QR code of `text` as a standalone SVG document; medium error correction survives a smudged print.
pub fn svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    Some(code.render::<qrcode::render::svg::Color>().min_dimensions(240, 240).quiet_zone(true).build())
}

pub(super) async fn qr_svg(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if !state.quizzes.competitions.contains_key(&id) {
        return error_page(&state, ApiError::UnknownCompetition);
    }
    match svg(&link(&state.pages.config, &headers, &id)) {
        Some(svg) => ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=300")], svg)
            .into_response(),
        None => error_page(&state, ApiError::internal("competition link too long for a QR code")),
    }
}

/// A printable A4 poster: title, QR code, dates and how to take part.
pub(super) async fn poster(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let Some(comp) = state.quizzes.competitions.get(&id) else {
        return error_page(&state, ApiError::UnknownCompetition);
    };
    let mut ctx = state.pages.context(state.lang);
    ctx.insert("comp", &view::facts(comp, state.lang, status(&state, comp)));
    ctx.insert("link", &link(&state.pages.config, &headers, &id));
    page(&state, "poster.html", &ctx, StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(axum::http::header::HOST, host.parse().unwrap());
        h
    }

    #[test]
    fn link_prefers_quiz_server_then_base_url_then_host() {
        let mut c = SiteConfig::default();
        assert_eq!(link(&c, &headers("10.0.0.5:8080"), "x"), "http://10.0.0.5:8080/quiz/x/");
        c.base_url = "https://pufa.example.cn/site/".into();
        assert_eq!(link(&c, &headers("evil"), "x"), "https://pufa.example.cn/site/quiz/x/");
        c.quiz_server = "https://quiz.example.cn/".into();
        assert_eq!(link(&c, &headers("evil"), "x"), "https://quiz.example.cn/quiz/x/");
    }

    #[test]
    fn odd_host_headers_are_not_printed() {
        let c = SiteConfig::default();
        assert_eq!(link(&c, &headers("a\"b"), "x"), "/quiz/x/");
        assert_eq!(link(&c, &HeaderMap::new(), "x"), "/quiz/x/");
    }

    #[test]
    fn svg_is_a_document_with_modules() {
        let s = svg("http://127.0.0.1:8080/quiz/x/").unwrap();
        assert!(s.contains("<svg") && s.ends_with("</svg>"), "{s}");
        assert!(s.contains("<path"), "no modules drawn");
    }
}
