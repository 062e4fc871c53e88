//! The rules of the suggestion box, once for the JSON API and the pages: what a suggestion may hold, the ticket
//! and its secret code, and the organizer's actions. What each reader sees of a suggestion is `views`.

use chrono::{Duration, FixedOffset, NaiveDate, TimeZone};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::limit::Limiter;
use crate::server::{ApiError, AppState};
use crate::store::suggestions::{code_hash, Act, ActOutcome, Action, NewSuggestion, Status, SuggestionRow};

/// Longest town, contact or unit, in characters.
pub const MAX_FIELD_CHARS: usize = 64;
/// The characters of a secret code: no 0/O or 1/I to mistake when copied from a phone by hand.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Characters of a secret code: 12 of 32 symbols, 60 random bits.
pub const CODE_CHARS: usize = 12;

/// The suggestion box's in-memory submission limits (its settings, `quizzes/suggestions.yaml`, run with the rest
/// of `quizzes/` in `server::catalog`).
#[derive(Debug, Default)]
pub struct Desk {
    pub limiter: Limiter,
}

/// `POST /api/suggestions`, and the form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SuggestionRequest {
    pub category: String,
    pub text: String,
    #[serde(default)]
    pub town: Option<String>,
    /// Only when the sender wants to be contacted; never shown publicly.
    #[serde(default)]
    pub contact: Option<String>,
    /// Whether the suggestion and its reply may appear on the public board (masked).
    #[serde(default)]
    pub public_ok: bool,
}

/// What the sender keeps: the ticket and the code that opens it.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    pub ticket: String,
    pub code: String,
}

/// An optional short field: trimmed, empty is none; too long or with control characters is refused.
fn optional(v: Option<&str>) -> Result<Option<String>, ApiError> {
    // Counted as sent, before trimming: the documented `maxLength` is of the field as sent (found by schemathesis).
    if v.is_some_and(|v| v.chars().count() > MAX_FIELD_CHARS) {
        return Err(ApiError::FieldTooLong);
    }
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    if v.chars().any(char::is_control) {
        return Err(ApiError::FieldTooLong);
    }
    Ok(Some(v.to_string()))
}

/// A long text as sent: line breaks kept (CRLF as LF), other control characters dropped, trimmed.
fn clean_text(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    text.chars().filter(|c| *c == '\n' || !c.is_control()).collect::<String>().trim().to_string()
}

/// A fresh secret code from the thread's CSPRNG.
fn new_code() -> String {
    (0..CODE_CHARS).map(|_| char::from(CODE_ALPHABET[rand::random::<usize>() % CODE_ALPHABET.len()])).collect()
}

/// A code as typed: spaces and dashes dropped, upper case.
fn typed_code(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace() && *c != '-').flat_map(char::to_uppercase).collect()
}

/// Checks and records a suggestion from `device` (the device cookie, only counted, never stored).
pub async fn submit(state: &AppState, req: SuggestionRequest, device: &str) -> Result<Receipt, ApiError> {
    let (desk, settings) = (&state.suggestions, state.catalog.suggestions());
    let category = req.category.trim();
    if !settings.categories.iter().any(|c| c == category) {
        return Err(ApiError::UnknownCategory);
    }
    let body = clean_text(&req.text);
    if body.is_empty() {
        return Err(ApiError::SuggestionEmpty);
    }
    if body.chars().count() > settings.max_chars {
        return Err(ApiError::SuggestionTooLong(settings.max_chars));
    }
    let (town, contact) = (optional(req.town.as_deref())?, optional(req.contact.as_deref())?);
    let now = state.clock.now();
    if !desk.limiter.admit(device, now.timestamp_millis(), &settings) {
        return Err(ApiError::SuggestionLimited);
    }
    let code = new_code();
    let day = now.with_timezone(&settings.offset).format("%Y%m%d").to_string();
    let new = NewSuggestion {
        day,
        code: code.clone(),
        category: category.to_string(),
        body,
        town,
        contact,
        public_ok: req.public_ok,
        created_at: now.timestamp_millis(),
    };
    let ticket = state.store.suggest(new).await?;
    Ok(Receipt { ticket, code })
}

/// Whether `ticket` could be one (`YJ-20261201-0042`): anything else is unknown without asking the database,
/// which for PostgreSQL also keeps a NUL character in a path away from it.
fn plausible(ticket: &str) -> bool {
    (1..=32).contains(&ticket.len()) && ticket.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The suggestion of `ticket` if `code` opens it; an unknown ticket and a wrong code are the same 404.
pub async fn open(state: &AppState, ticket: &str, code: &str) -> Result<SuggestionRow, ApiError> {
    let ticket = ticket.trim().to_ascii_uppercase();
    if !plausible(&ticket) || code.len() > 64 {
        return Err(ApiError::UnknownTicket);
    }
    let row = state.store.suggestion(&ticket).await?.ok_or(ApiError::UnknownTicket)?;
    let given = code_hash(&row.ticket, &typed_code(code));
    if bool::from(given.as_bytes().ct_eq(row.code_hash.as_bytes())) {
        Ok(row)
    } else {
        Err(ApiError::UnknownTicket)
    }
}

/// `POST /api/suggestions/{ticket}/assign`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    pub unit: String,
    /// The due date, `2026-12-31`; default: the box's `due_days` from today.
    #[serde(default)]
    pub due: Option<String>,
}

/// `POST /api/suggestions/{ticket}/reply`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    pub reply: String,
}

/// The end of `day` in the office's time zone, as epoch ms.
fn end_of(offset: &FixedOffset, day: NaiveDate) -> Option<i64> {
    let next = day.succ_opt()?.and_hms_opt(0, 0, 0)?;
    Some(offset.from_local_datetime(&next).single()?.timestamp_millis())
}

/// The assign action: a known unit (any name when the box lists none) and a due date from today on.
pub fn assign(state: &AppState, req: &AssignRequest) -> Result<Act, ApiError> {
    let settings = state.catalog.suggestions();
    let unit = optional(Some(&req.unit))?.ok_or(ApiError::UnknownUnit)?;
    if !settings.units.is_empty() && !settings.units.contains(&unit) {
        return Err(ApiError::UnknownUnit);
    }
    let today = state.clock.now().with_timezone(&settings.offset).date_naive();
    let day = match req.due.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| ApiError::BadDueDate)?,
        None => today + Duration::days(i64::from(settings.due_days)),
    };
    if day < today {
        return Err(ApiError::BadDueDate);
    }
    let due_at = end_of(&settings.offset, day).ok_or(ApiError::BadDueDate)?;
    Ok(Act::Assign { unit, due_at })
}

/// The reply action: a non-empty text within the box's cap.
pub fn reply(state: &AppState, req: &ReplyRequest) -> Result<Act, ApiError> {
    let text = clean_text(&req.reply);
    if text.is_empty() {
        return Err(ApiError::ReplyEmpty);
    }
    let max = state.catalog.suggestions().max_chars;
    if text.chars().count() > max {
        return Err(ApiError::SuggestionTooLong(max));
    }
    Ok(Act::Reply { text })
}

/// Records an organizer's action; 404 for an unknown ticket, 409 when it may not follow the status.
pub async fn act(state: &AppState, ticket: &str, act: Act) -> Result<Status, ApiError> {
    if !plausible(ticket) {
        return Err(ApiError::UnknownTicket);
    }
    let at = state.clock.now().timestamp_millis();
    match state.store.act(Action { ticket: ticket.to_string(), act, at }).await? {
        ActOutcome::Done(s) => Ok(s),
        ActOutcome::Illegal(_) => Err(ApiError::IllegalTransition),
        ActOutcome::Unknown => Err(ApiError::UnknownTicket),
    }
}
