//! A JSON body extractor whose rejections are `ApiError`s (Chinese JSON errors) instead of axum's plain text.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::Json;
use serde::de::DeserializeOwned;

use super::ApiError;

/// Like `axum::Json`, rejecting with 400 malformed_json, 415 content_type or 413 too_large.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(match rejection {
                JsonRejection::MissingJsonContentType(_) => ApiError::ContentType,
                JsonRejection::JsonDataError(e) => ApiError::MalformedJson(e.body_text()),
                JsonRejection::JsonSyntaxError(e) => ApiError::MalformedJson(e.body_text()),
                r if r.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge,
                r => ApiError::MalformedJson(r.body_text()),
            }),
        }
    }
}
