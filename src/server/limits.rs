//! Limits on each request, outermost first: the size of its head (414, 431), reading its body whole within a
//! deadline before it takes a place (413, 408), and one limit on requests handled at once for the whole server
//! (503 + Retry-After). All answer JSON `ApiError`s.
//!
//! The body is read before the in-flight limit on purpose: a client trickling a body holds a connection (capped in
//! `net`) but never one of the places the students' requests need.
//!
//! The organizer's uploads (`/quiz/admin/import/…`: Word and Excel files) may be larger, `UPLOAD_LIMIT`, and only
//! `UPLOADS_AT_ONCE` of them are read at a time, so large bodies cannot add up to much memory whoever sends them.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use tokio::sync::Semaphore;

use super::ApiError;

/// Largest request body accepted.
pub const BODY_LIMIT: usize = 64 * 1024;
/// Largest upload accepted on the organizer's import pages.
pub const UPLOAD_LIMIT: usize = 16 * 1024 * 1024;
/// Uploads read at once; more wait their turn (within `BODY_TIMEOUT`).
pub const UPLOADS_AT_ONCE: usize = 2;
/// The paths that take uploads.
pub const UPLOAD_PATHS: &str = "/quiz/admin/import/";

static UPLOADS: Semaphore = Semaphore::const_new(UPLOADS_AT_ONCE);
/// A body not received whole this long after its head is answered 408.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest path and query accepted.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Largest total of header names and values accepted (a bigger head, up to `net::MAX_HEAD_BYTES`, gets JSON 431).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Requests handled at once by the whole server; more are shed with 503 + Retry-After instead of queueing.
pub const MAX_IN_FLIGHT: usize = 1024;

/// 414 for a long path and query, 431 for large headers.
pub async fn head(req: Request, next: Next) -> Response {
    if req.uri().path_and_query().map_or(0, |p| p.as_str().len()) > MAX_URI_BYTES {
        return closing(ApiError::UriTooLong);
    }
    let headers: usize = req.headers().iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    if headers > MAX_HEADER_BYTES {
        return closing(ApiError::HeadersTooLarge);
    }
    next.run(req).await
}

/// Reads the body whole (at most `BODY_LIMIT`, within `BODY_TIMEOUT`) before the request goes on.
pub async fn body(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let hint = axum::body::HttpBody::size_hint(&body);
    if hint.exact() == Some(0) {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let upload = parts.uri.path().starts_with(UPLOAD_PATHS);
    let limit = if upload { UPLOAD_LIMIT } else { BODY_LIMIT };
    if hint.lower() > limit as u64 {
        return closing(ApiError::TooLarge);
    }
    let _turn = match upload {
        true => match tokio::time::timeout(BODY_TIMEOUT, UPLOADS.acquire()).await {
            Ok(Ok(permit)) => Some(permit),
            _ => return closing(ApiError::Timeout),
        },
        false => None,
    };
    let bytes = match tokio::time::timeout(BODY_TIMEOUT, Limited::new(body, limit).collect()).await {
        Err(_) => return closing(ApiError::Timeout),
        Ok(Err(e)) if e.is::<LengthLimitError>() => return closing(ApiError::TooLarge),
        Ok(Err(_)) => return closing(ApiError::BadRequest(axum::http::StatusCode::BAD_REQUEST)),
        Ok(Ok(collected)) => collected.to_bytes(),
    };
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// An error after which the connection is closed: the rest of the request was not read.
fn closing(e: ApiError) -> Response {
    let mut resp = e.into_response();
    resp.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

/// One in-flight limit shared by every route (axum gives each route its own copy of a layer; the semaphore is
/// one). The place is held until the response's head is ready, not while a body or event stream goes out.
#[derive(Clone)]
pub struct InFlight(Arc<Semaphore>);

impl InFlight {
    pub fn new(places: usize) -> InFlight {
        InFlight(Arc::new(Semaphore::new(places)))
    }

    /// The middleware: handles the request in a free place, or sheds it at once with 503.
    pub async fn shed(self, req: Request, next: Next) -> Response {
        match self.0.try_acquire() {
            Ok(_place) => next.run(req).await,
            Err(_) => ApiError::Overloaded.into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    /// Two routes, one place: a request waiting on one route makes the other route shed.
    #[tokio::test]
    async fn one_limit_for_all_routes() {
        let gate = Arc::new(tokio::sync::Notify::new());
        let held = gate.clone();
        let limit = InFlight::new(1);
        let app = Router::new()
            .route("/a", get(move || async move { held.notified().await }))
            .route("/b", get(|| async { "b" }))
            .layer(axum::middleware::from_fn(move |req, next| limit.clone().shed(req, next)));
        let waiting = tokio::spawn(app.clone().oneshot(Request::get("/a").body(Body::empty()).unwrap()));
        let mut shed = None;
        for _ in 0..1000 {
            let resp = app.clone().oneshot(Request::get("/b").body(Body::empty()).unwrap()).await.unwrap();
            if resp.status() == axum::http::StatusCode::SERVICE_UNAVAILABLE {
                shed = Some(resp);
                break;
            }
            tokio::task::yield_now().await;
        }
        let resp = shed.expect("/b is shed while /a holds the only place");
        assert_eq!(resp.headers()[header::RETRY_AFTER], "1");
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["error"]["code"], "overloaded");
        gate.notify_one();
        assert!(waiting.await.unwrap().unwrap().status().is_success());
        let again = app.oneshot(Request::get("/b").body(Body::empty()).unwrap()).await.unwrap();
        assert!(again.status().is_success());
    }
}
