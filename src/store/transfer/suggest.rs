//! The suggestion box in a `pufa-results` file: one line per suggestion with its whole history, after the survey
//! responses. Checked line by line like the rest; imported as new (with the day's ticket counter raised so new
//! tickets never repeat an imported one), skipped when stored identically, a conflict when stored otherwise.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, Diagnostics};

/// The columns of `suggestions` as a line holds them, in `SELECT` order.
pub(super) const COLUMNS: &str =
    "ticket, day, seq, code_hash, category, body, town, contact, public_ok, status, unit, \
                                  due_at, reply, created_at, closed_at";
pub(super) const EVENT_COLUMNS: &str = "ticket, n, at, action, unit, due_at";
pub(super) const SHAPE: &str =
    r#"{"suggestion":{"ticket":…,"day":…,"seq":…,…,"events":[{"n":1,"at":…,"action":…},…]}}"#;

/// One suggestion as stored, with its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct SuggestionRecord {
    pub ticket: String,
    pub day: String,
    pub seq: i64,
    pub code_hash: String,
    pub category: String,
    pub body: String,
    pub town: Option<String>,
    pub contact: Option<String>,
    pub public_ok: bool,
    pub status: String,
    pub unit: Option<String>,
    pub due_at: Option<i64>,
    pub reply: Option<String>,
    pub created_at: i64,
    pub closed_at: Option<i64>,
    #[sqlx(skip)]
    #[serde(default)]
    pub events: Vec<EventRecord>,
}

/// One change of a suggestion's history (`n` counts from 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct EventRecord {
    pub n: i64,
    pub at: i64,
    pub action: String,
    pub unit: Option<String>,
    pub due_at: Option<i64>,
}

/// A suggestion line of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuggestionLine {
    pub suggestion: SuggestionRecord,
}

/// Joins event rows `(ticket, event)` to their suggestions, in the order of `rows`.
pub(super) fn with_events(
    mut rows: Vec<SuggestionRecord>,
    events: Vec<(String, EventRecord)>,
) -> Vec<SuggestionRecord> {
    let mut by: HashMap<String, Vec<EventRecord>> = HashMap::new();
    for (ticket, e) in events {
        by.entry(ticket).or_default().push(e);
    }
    for r in &mut rows {
        r.events = by.remove(&r.ticket).unwrap_or_default();
    }
    rows
}

/// Problems of one suggestion line, apart from the others: a ticket seen before, a history not numbered 1, 2, …
pub(super) fn check_line(
    path: &std::path::Path,
    n: usize,
    s: &SuggestionRecord,
    seen: &mut HashSet<String>,
    errors: &mut Diagnostics,
) {
    let mut problem = |msg: String| errors.push(Diagnostic::error(path, n, 0, msg));
    if s.ticket.is_empty() || !seen.insert(s.ticket.clone()) {
        problem(format!("suggestion {:?} is empty or appeared before", s.ticket));
    }
    if s.events.iter().enumerate().any(|(i, e)| e.n != i as i64 + 1) {
        problem(format!("suggestion {}: its events are not numbered 1, 2, … in order", s.ticket));
    }
}
