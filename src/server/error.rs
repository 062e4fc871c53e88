//! API errors: one enum, each with an HTTP status, a stable code and a Chinese message from `i18n/messages.yaml`.
//! Internal errors are logged with their cause and answered with generic text only.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::i18n::{t, Lang};

/// Longest name or group accepted, in characters.
pub const MAX_NAME_CHARS: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("name is empty")]
    NameEmpty,
    #[error("name is too long")]
    NameTooLong,
    #[error("name has no letters")]
    NameNoLetters,
    #[error("group has no letters or digits")]
    GroupNoLetters,
    #[error("group is empty")]
    GroupEmpty,
    #[error("group is too long")]
    GroupTooLong,
    #[error("unknown organization")]
    UnknownOrganization,
    #[error("unknown competition")]
    UnknownCompetition,
    #[error("organization kind not admitted")]
    KindNotAdmitted,
    #[error("competition not open yet")]
    NotOpen,
    #[error("competition closed")]
    Closed,
    #[error("attempts exhausted")]
    AttemptsExhausted,
    /// The attempts allowed per day are used (issue 12): how many, and when the next day starts (None when the
    /// competition closes before).
    #[error("daily attempts used")]
    DailyLimit { per_day: u32, next: Option<chrono::DateTime<chrono::FixedOffset>> },
    /// A count of departures from the question page beyond `quiz::campaign::MAX_LEAVES`.
    #[error("leaves out of range")]
    LeavesInvalid,
    /// Extra minutes outside 0..=`server::campaign::MAX_EXTRA_MINUTES`.
    #[error("extra minutes out of range")]
    ExtraTimeInvalid,
    /// The identity has a running attempt and the request proves neither its device nor its resume code.
    #[error("attempt in progress elsewhere")]
    AttemptInProgress,
    #[error("wrong resume code")]
    ResumeCodeWrong,
    #[error("too many wrong resume codes")]
    ResumeLocked,
    /// An answer for a question that is not in the attempt, or a letter that names no shown option.
    #[error("answer to a question not in the attempt")]
    InvalidAnswer,
    #[error("unknown attempt")]
    UnknownAttempt,
    #[error("unknown survey")]
    UnknownSurvey,
    #[error("survey not open yet")]
    SurveyNotOpen,
    #[error("survey closed")]
    SurveyClosed,
    /// This device's cookie says it answered the survey already (a soft limit: a cleared cookie answers again).
    #[error("survey already answered from this device")]
    AlreadyResponded,
    #[error("unknown town")]
    UnknownTown,
    #[error("answer to a question the survey does not have")]
    SurveyUnknownQuestion,
    /// A required question (1-based number) without an answer.
    #[error("question {0} needs an answer")]
    SurveyAnswerMissing(usize),
    /// An answer of the wrong shape: a letter that names no option, a point off the scale.
    #[error("question {0} has an invalid answer")]
    SurveyAnswerInvalid(usize),
    #[error("question {0}: text too long")]
    SurveyTextTooLong(usize),
    /// The body is not valid JSON or lacks fields; the detail (serde's text) goes out as `detail`.
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("content type is not application/json")]
    ContentType,
    #[error("body too large")]
    TooLarge,
    #[error("missing or wrong organizer token")]
    Unauthorized,
    #[error("admin disabled")]
    AdminDisabled,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("request timed out")]
    Timeout,
    #[error("URI too long")]
    UriTooLong,
    #[error("request headers too large")]
    HeadersTooLarge,
    /// Any other refused request (e.g. a path that does not decode); keeps the status of who refused it.
    #[error("bad request ({0})")]
    BadRequest(StatusCode),
    #[error("overloaded")]
    Overloaded,
    #[error("unknown suggestion category")]
    UnknownCategory,
    #[error("suggestion text is empty")]
    SuggestionEmpty,
    /// The suggestion is longer than the box's cap (the number).
    #[error("suggestion text is too long")]
    SuggestionTooLong(usize),
    /// A town, contact, unit or reply beyond its length, or with control characters.
    #[error("field too long")]
    FieldTooLong,
    #[error("unknown responsible unit")]
    UnknownUnit,
    #[error("due date is not a date from today on")]
    BadDueDate,
    #[error("reply is empty")]
    ReplyEmpty,
    /// An unknown ticket, or a wrong code for a known one: the two are not told apart.
    #[error("unknown ticket")]
    UnknownTicket,
    /// The action may not follow the suggestion's status.
    #[error("action not allowed in this status")]
    IllegalTransition,
    /// This device or the whole server sent too many suggestions lately.
    #[error("too many suggestions")]
    SuggestionLimited,
    /// An unknown, altered or malformed verification code, or an attempt without a certificate (issue 12).
    #[error("unknown certificate")]
    UnknownCertificate,
    /// The holder asked for a certificate the organizer revoked.
    #[error("certificate revoked")]
    CertificateRevoked,
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        use ApiError::*;
        match self {
            NameEmpty
            | NameTooLong
            | NameNoLetters
            | GroupEmpty
            | GroupTooLong
            | GroupNoLetters
            | UnknownOrganization
            | InvalidAnswer
            | LeavesInvalid
            | ExtraTimeInvalid
            | UnknownTown
            | SurveyUnknownQuestion
            | SurveyAnswerMissing(_)
            | SurveyAnswerInvalid(_)
            | SurveyTextTooLong(_) => StatusCode::UNPROCESSABLE_ENTITY,
            UnknownCompetition | UnknownAttempt | UnknownSurvey | NotFound | AdminDisabled => StatusCode::NOT_FOUND,
            KindNotAdmitted | NotOpen | Closed | SurveyNotOpen | SurveyClosed => StatusCode::FORBIDDEN,
            AttemptsExhausted | DailyLimit { .. } | AttemptInProgress | AlreadyResponded => StatusCode::CONFLICT,
            UnknownCategory | SuggestionEmpty | SuggestionTooLong(_) | FieldTooLong | UnknownUnit | BadDueDate
            | ReplyEmpty => StatusCode::UNPROCESSABLE_ENTITY,
            UnknownTicket => StatusCode::NOT_FOUND,
            IllegalTransition => StatusCode::CONFLICT,
            SuggestionLimited => StatusCode::TOO_MANY_REQUESTS,
            ResumeCodeWrong => StatusCode::FORBIDDEN,
            ResumeLocked => StatusCode::TOO_MANY_REQUESTS,
            MalformedJson(_) => StatusCode::BAD_REQUEST,
            ContentType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Unauthorized => StatusCode::UNAUTHORIZED,
            MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Timeout => StatusCode::REQUEST_TIMEOUT,
            UriTooLong => StatusCode::URI_TOO_LONG,
            HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            BadRequest(status) => *status,
            Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            UnknownCertificate => StatusCode::NOT_FOUND,
            CertificateRevoked => StatusCode::GONE,
            Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable machine-readable code, also the i18n key suffix (`error.<code>`).
    pub fn code(&self) -> &'static str {
        use ApiError::*;
        match self {
            NameEmpty => "name_empty",
            NameTooLong => "name_too_long",
            NameNoLetters => "name_no_letters",
            GroupNoLetters => "group_no_letters",
            GroupEmpty => "group_empty",
            GroupTooLong => "group_too_long",
            UnknownOrganization => "unknown_organization",
            UnknownCompetition => "unknown_competition",
            KindNotAdmitted => "kind_not_admitted",
            NotOpen => "not_open",
            Closed => "closed",
            AttemptsExhausted => "attempts_exhausted",
            DailyLimit { .. } => "daily_limit",
            LeavesInvalid => "leaves_invalid",
            ExtraTimeInvalid => "extra_time_invalid",
            AttemptInProgress => "attempt_in_progress",
            ResumeCodeWrong => "resume_code_wrong",
            ResumeLocked => "resume_locked",
            InvalidAnswer => "invalid_answer",
            UnknownAttempt => "unknown_attempt",
            UnknownSurvey => "unknown_survey",
            SurveyNotOpen => "survey_not_open",
            SurveyClosed => "survey_closed",
            AlreadyResponded => "already_responded",
            UnknownTown => "unknown_town",
            SurveyUnknownQuestion => "survey_unknown_question",
            SurveyAnswerMissing(_) => "survey_answer_missing",
            SurveyAnswerInvalid(_) => "survey_answer_invalid",
            SurveyTextTooLong(_) => "survey_text_too_long",
            MalformedJson(_) => "malformed_json",
            ContentType => "content_type",
            TooLarge => "too_large",
            Unauthorized => "unauthorized",
            AdminDisabled => "admin_disabled",
            NotFound => "not_found",
            MethodNotAllowed => "method_not_allowed",
            Timeout => "timeout",
            UriTooLong => "uri_too_long",
            HeadersTooLarge => "headers_too_large",
            BadRequest(_) => "bad_request",
            Overloaded => "overloaded",
            UnknownCategory => "unknown_category",
            SuggestionEmpty => "suggestion_empty",
            SuggestionTooLong(_) => "suggestion_too_long",
            FieldTooLong => "field_too_long",
            UnknownUnit => "unknown_unit",
            BadDueDate => "bad_due_date",
            ReplyEmpty => "reply_empty",
            UnknownTicket => "unknown_ticket",
            IllegalTransition => "illegal_transition",
            SuggestionLimited => "suggestion_limited",
            UnknownCertificate => "unknown_certificate",
            CertificateRevoked => "certificate_revoked",
            Internal(_) => "internal",
        }
    }

    /// The participant-facing message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let text = t(lang, &format!("error.{}", self.code())).to_string();
        if let ApiError::NameTooLong | ApiError::GroupTooLong = self {
            return crate::i18n::fill(&text, &[("max", &MAX_NAME_CHARS.to_string())]);
        }
        if let ApiError::SurveyAnswerMissing(n) | ApiError::SurveyAnswerInvalid(n) | ApiError::SurveyTextTooLong(n) =
            self
        {
            let max = crate::quiz::survey::MAX_TEXT_CHARS.to_string();
            return crate::i18n::fill(&text, &[("n", &n.to_string()), ("max", &max)]);
        }
        if let ApiError::DailyLimit { per_day, next } = self {
            return super::campaign::daily_limit_message(lang, *per_day, next.as_ref());
        }
        if let ApiError::SuggestionTooLong(max) = self {
            return crate::i18n::fill(&text, &[("max", &max.to_string())]);
        }
        text
    }

    /// The error for a response of `status` that some layer (axum's router, a limit) gave without a JSON body.
    pub fn for_status(status: StatusCode) -> ApiError {
        match status {
            StatusCode::NOT_FOUND => ApiError::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
            StatusCode::REQUEST_TIMEOUT => ApiError::Timeout,
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge,
            StatusCode::URI_TOO_LONG => ApiError::UriTooLong,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::ContentType,
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => ApiError::HeadersTooLarge,
            StatusCode::SERVICE_UNAVAILABLE => ApiError::Overloaded,
            s if s.is_client_error() => ApiError::BadRequest(s),
            _ => ApiError::internal(format!("a layer answered {status} without a body")),
        }
    }

    /// Any internal failure: logged here with its cause, never shown.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(cause.to_string())
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        ApiError::internal(e)
    }
}

/// Every error under `/api/` is JSON: responses that left the router or a limit layer as bare text or HTML (404
/// of an unknown path, 405, 408, 413, 503, a path parameter that does not decode) get the `ApiError` body of their
/// status. Headers such as `Allow` and `Retry-After` are kept.
pub async fn api_json(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    let status = resp.status();
    if !api || !(status.is_client_error() || status.is_server_error()) || is_json(resp.headers()) {
        return resp;
    }
    let (mut parts, _) = resp.into_parts();
    let json = ApiError::for_status(status).into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.extend(json.headers().clone());
    Response::from_parts(parts, json.into_body())
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            tracing::error!(%cause, "internal error");
        }
        let mut body = json!({"error": {"code": self.code(), "message": self.message(Lang::Zh)}});
        if let ApiError::MalformedJson(detail) = &self {
            body["error"]["detail"] = json!(detail);
        }
        if let ApiError::DailyLimit { next: Some(next), .. } = &self {
            body["error"]["next_attempt_at"] = json!(next.to_rfc3339());
        }
        let mut resp = (self.status(), Json(body)).into_response();
        match self {
            ApiError::Overloaded => {
                resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            ApiError::ResumeLocked => {
                resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("900"));
            }
            ApiError::SuggestionLimited => {
                resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("3600"));
            }
            ApiError::Unauthorized => {
                resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        resp
    }
}
