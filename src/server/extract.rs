//! JSON in and out of the API: a body extractor whose rejections are `ApiError`s (Chinese JSON errors) instead of
//! axum's plain text, and the responses.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::ApiError;

/// Like `axum::Json`, rejecting with 400 malformed_json, 415 content_type or 413 too_large.
pub struct ApiJson<T>(pub T);

/// Room a response body starts with: the API's bodies are a few hundred bytes to a few KB, which `axum::Json`
/// (starting at 128 bytes) reaches by growing and copying four or five times.
const RESPONSE_CAPACITY: usize = 2048;

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        let mut body = Vec::with_capacity(RESPONSE_CAPACITY);
        match serde_json::to_writer(&mut body, &self.0) {
            Ok(()) => ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response(),
            Err(e) => ApiError::internal(e).into_response(),
        }
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::ContentType);
        }
        let body = Bytes::from_request(req, state).await.map_err(|r| match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge,
            _ => ApiError::MalformedJson(r.body_text()),
        })?;
        // Parsed plainly first; only a body that fails is parsed again by axum, which tracks the path of the
        // field at fault for the message (that tracking costs on every request otherwise).
        if let Ok(v) = serde_json::from_slice(&body) {
            return Ok(ApiJson(v));
        }
        match Json::<T>::from_bytes(&body) {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::MalformedJson(e.body_text())),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(ApiError::MalformedJson(e.body_text())),
            Err(r) => Err(ApiError::MalformedJson(r.body_text())),
        }
    }
}

/// Whether the request says its body is JSON (`application/json`, or `application/…+json`), as axum's `Json` asks.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence.strip_prefix("application/").is_some_and(|sub| sub == "json" || sub.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types() {
        for (value, json) in [
            ("application/json", true),
            ("application/json; charset=utf-8", true),
            ("Application/JSON", true),
            ("application/problem+json", true),
            ("text/json", false),
            ("application/jsonp", false),
            ("text/plain", false),
            ("", false),
        ] {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, value.parse().unwrap());
            assert_eq!(is_json(&h), json, "{value}");
        }
        assert!(!is_json(&HeaderMap::new()));
    }

    #[tokio::test]
    async fn responses_are_json_with_their_content_type() {
        let resp = ApiJson(serde_json::json!({"名": "张三", "n": [1, 2]})).into_response();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()[header::CONTENT_TYPE], "application/json");
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
        assert_eq!(&body[..], r#"{"n":[1,2],"名":"张三"}"#.as_bytes());
    }
}
