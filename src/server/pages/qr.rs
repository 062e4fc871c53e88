//! The competition link and its QR code (SVG), for the organizer page and the printed poster.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{error_page, page, view};
use crate::server::attempts::status;
use crate::server::{ApiError, AppState};
use crate::site::config::SiteConfig;

/// The address participants open: the quiz server's own base when set, else the site's `base_url`, else the
/// `Host` the organizer reached us by (plain http: a server behind TLS should have `base_url` set).
pub fn link(config: &SiteConfig, headers: &HeaderMap, id: &str) -> String {
    address(config, headers, &format!("/quiz/{id}/"))
}

/// The full address of the competition server's page `path` (`/quiz/…`), found as [`link`] finds it; the path
/// alone when nothing tells the host.
pub fn address(config: &SiteConfig, headers: &HeaderMap, path: &str) -> String {
    if !config.quiz_base().is_empty() {
        return format!("{}{path}", config.quiz_base());
    }
    if !config.base_url.is_empty() {
        return config.permalink(path);
    }
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).filter(|h| is_host(h));
    match host {
        Some(h) => format!("http://{h}{path}"),
        None => path.to_string(),
    }
}

/// Whether phones cannot open `link`: a path alone, or an address of this machine only (localhost, 127.x,
/// ::1, 0.0.0.0). A poster of such a link would be printed for nothing.
pub fn local_only(link: &str) -> bool {
    let Some((_, rest)) = link.split_once("://") else { return true };
    let authority = rest.split('/').next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    let host = host.to_ascii_lowercase();
    host.is_empty()
        || host == "localhost"
        || host.ends_with(".localhost")
        || host == "::1"
        || host == "0.0.0.0"
        || host.starts_with("127.")
}

/// The address phones will use, typed by the organizer on the poster page (`?address=http://192.168.1.10:8080`):
/// `scheme://host[:port]` only, or None.
pub(super) fn typed_address(query: &PosterQuery) -> Option<String> {
    let a = query.address.as_deref()?.trim().trim_end_matches('/');
    let (scheme, host) = a.split_once("://")?;
    (matches!(scheme, "http" | "https") && is_host(host)).then(|| format!("{scheme}://{host}"))
}

/// `?address=` of the poster and its QR code.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct PosterQuery {
    #[serde(default)]
    address: Option<String>,
}

/// The link of the poster: the typed address when one was given, else [`link`].
fn poster_link(state: &AppState, headers: &HeaderMap, id: &str, query: &PosterQuery) -> String {
    match typed_address(query) {
        Some(origin) => format!("{origin}{}/quiz/{id}/", state.pages.root()),
        None => link(&state.pages.config, headers, id),
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

pub(super) async fn qr_svg(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<PosterQuery>,
    headers: HeaderMap,
) -> Response {
    if !state.quizzes().competitions.contains_key(&id) {
        return error_page(&state, ApiError::UnknownCompetition);
    }
    svg_response(&state, &poster_link(&state, &headers, &id, &query))
}

/// The QR code of `link` as an SVG response (cached five minutes), or the error page when it cannot be one.
pub(super) fn svg_response(state: &AppState, link: &str) -> Response {
    match svg(link) {
        Some(svg) => ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=300")], svg)
            .into_response(),
        None => error_page(state, ApiError::internal("link too long for a QR code")),
    }
}

/// A printable A4 poster: title, QR code, dates and how to take part.
/// Refused, with what to do, when phones could not open the link (the server was reached as 127.0.0.1).
pub(super) async fn poster(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<PosterQuery>,
    headers: HeaderMap,
) -> Response {
    let quizzes = state.quizzes();
    let Some(comp) = quizzes.competitions.get(&id) else {
        return error_page(&state, ApiError::UnknownCompetition);
    };
    let link = poster_link(&state, &headers, &id, &query);
    let mut ctx = state.pages.context(state.lang);
    ctx.insert("comp", &view::facts(comp, state.lang, status(&state, comp)));
    ctx.insert("link", &link);
    ctx.insert("local_only", &local_only(&link));
    let typed = typed_address(&query);
    let qr = match &typed {
        Some(a) => format!("{}/quiz/{id}/qr.svg?address={}", state.pages.root(), percent(a)),
        None => format!("{}/quiz/{id}/qr.svg", state.pages.root()),
    };
    ctx.insert("address", &typed.unwrap_or_default());
    ctx.insert("qr", &qr);
    page(&state, "poster.html", &ctx, StatusCode::OK)
}

pub(super) fn percent(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
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

    // Issue 17: the poster printed a 127.0.0.1 link that no phone can open.
    #[test]
    fn links_phones_cannot_open_are_told_apart() {
        for l in [
            "http://127.0.0.1:8080/quiz/x/",
            "http://localhost/quiz/x/",
            "http://[::1]:8080/quiz/x/",
            "http://0.0.0.0:8080/quiz/x/",
            "/quiz/x/",
            "http://LOCALHOST:80/quiz/x/",
            "http://a.localhost/q/",
        ] {
            assert!(local_only(l), "{l}");
        }
        for l in ["http://192.168.1.10:8080/quiz/x/", "https://pufa.example.cn/quiz/x/", "http://[fe80::1]/quiz/x/"] {
            assert!(!local_only(l), "{l}");
        }
    }

    #[test]
    fn a_typed_address_is_an_origin_or_nothing() {
        let q = |a: &str| PosterQuery { address: Some(a.to_string()) };
        assert_eq!(typed_address(&q("http://192.168.1.10:8080/")).as_deref(), Some("http://192.168.1.10:8080"));
        assert_eq!(typed_address(&q("https://pufa.example.cn")).as_deref(), Some("https://pufa.example.cn"));
        for bad in ["192.168.1.10", "javascript://x", "http://a/b", "http://a\"b", "ftp://x"] {
            assert_eq!(typed_address(&q(bad)), None, "{bad}");
        }
    }

    #[test]
    fn svg_is_a_document_with_modules() {
        let s = svg("http://127.0.0.1:8080/quiz/x/").unwrap();
        assert!(s.contains("<svg") && s.ends_with("</svg>"), "{s}");
        assert!(s.contains("<path"), "no modules drawn");
    }
}
