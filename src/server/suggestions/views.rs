//! What each reader sees of suggestions: the sender their ticket (never the contact), the organizer the overdue
//! figures per unit (问题清单), the public the masked board of answered suggestions (件件有回音).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;

use super::mask::mask;
use crate::i18n::{t, Lang};
use crate::server::{ApiError, AppState};
use crate::store::suggestions::{EventRow, Status, SuggestionRow};

/// How many answered suggestions the public board shows.
pub const BOARD_SIZE: i64 = 100;

/// One change in a ticket's history as people read it.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub at: DateTime<FixedOffset>,
    pub action: String,
    pub label: String,
    pub unit: Option<String>,
    pub due: Option<String>,
}

/// What the sender sees of a ticket (`GET /api/suggestions/{ticket}?code=`): never the contact.
#[derive(Debug, Clone, Serialize)]
pub struct TicketView {
    pub ticket: String,
    pub category: String,
    pub town: Option<String>,
    pub text: String,
    pub status: Status,
    pub status_label: String,
    pub created_at: DateTime<FixedOffset>,
    pub unit: Option<String>,
    pub due: Option<String>,
    pub reply: Option<String>,
    pub closed_at: Option<DateTime<FixedOffset>>,
    pub history: Vec<Step>,
}

pub fn status_of(row: &SuggestionRow) -> Status {
    Status::parse(&row.status).unwrap_or(Status::Submitted)
}

pub fn status_label(lang: Lang, s: Status) -> String {
    t(lang, &format!("suggest.status.{}", s.as_str())).to_string()
}

/// A stored moment in the office's time zone.
pub fn local(state: &AppState, ms: i64) -> DateTime<FixedOffset> {
    crate::server::flow::from_millis(ms).with_timezone(&state.catalog.suggestions().offset)
}

/// The due day of a stored due moment (the end of that day): `2026-12-16`.
pub fn due_day(state: &AppState, due_at: i64) -> String {
    local(state, due_at - 1).format("%Y-%m-%d").to_string()
}

/// One ticket as its sender sees it, its history read from the store.
pub async fn ticket_view(state: &AppState, row: SuggestionRow) -> Result<TicketView, ApiError> {
    let events = state.store.suggestion_events(&row.ticket).await?;
    Ok(ticket_with(state, row, events))
}

/// One ticket with its history (`events`, in order).
pub fn ticket_with(state: &AppState, row: SuggestionRow, events: Vec<EventRow>) -> TicketView {
    let lang = state.lang;
    let history = events
        .into_iter()
        .map(|e| Step {
            at: local(state, e.at),
            label: t(lang, &format!("suggest.action.{}", e.action)).to_string(),
            action: e.action,
            unit: e.unit,
            due: e.due_at.map(|d| due_day(state, d)),
        })
        .collect();
    let status = status_of(&row);
    TicketView {
        status,
        status_label: status_label(lang, status),
        created_at: local(state, row.created_at),
        due: row.due_at.map(|d| due_day(state, d)),
        closed_at: row.closed_at.map(|c| local(state, c)),
        ticket: row.ticket,
        category: row.category,
        town: row.town,
        text: row.body,
        unit: row.unit,
        reply: row.reply,
        history,
    }
}

/// Whether a suggestion is past its due date and not closed.
pub fn overdue(row: &SuggestionRow, now: DateTime<Utc>) -> bool {
    status_of(row) == Status::Assigned && row.due_at.is_some_and(|d| d <= now.timestamp_millis())
}

/// One responsible unit's line of the problem list (问题清单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitFigure {
    pub unit: String,
    /// Handed over and not closed.
    pub open: u32,
    /// Of those, past their due date.
    pub overdue: u32,
}

/// Open and overdue suggestions per unit, most overdue first, then by unit.
pub fn units(rows: &[SuggestionRow], now: DateTime<Utc>) -> Vec<UnitFigure> {
    let mut by: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    for r in rows.iter().filter(|r| status_of(r) == Status::Assigned) {
        let e = by.entry(r.unit.as_deref().unwrap_or("")).or_default();
        e.0 += 1;
        e.1 += u32::from(overdue(r, now));
    }
    let mut out: Vec<UnitFigure> =
        by.into_iter().map(|(u, (open, overdue))| UnitFigure { unit: u.to_string(), open, overdue }).collect();
    out.sort_by(|a, b| b.overdue.cmp(&a.overdue).then_with(|| a.unit.cmp(&b.unit)));
    out
}

/// One answered suggestion on the public board: masked, never the contact.
#[derive(Debug, Clone, Serialize)]
pub struct BoardItem {
    pub ticket: String,
    pub category: String,
    pub town: Option<String>,
    pub text: String,
    pub reply: String,
    pub submitted: String,
    pub closed: String,
}

pub async fn board(state: &AppState) -> Result<Vec<BoardItem>, ApiError> {
    let rows = state.store.answered_suggestions(BOARD_SIZE).await?;
    let day = |ms: i64| local(state, ms).format("%Y-%m-%d").to_string();
    Ok(rows
        .into_iter()
        .map(|r| BoardItem {
            submitted: day(r.created_at),
            closed: r.closed_at.map(day).unwrap_or_default(),
            ticket: r.ticket,
            category: r.category,
            town: r.town.as_deref().map(mask),
            text: mask(&r.body),
            reply: mask(r.reply.as_deref().unwrap_or_default()),
        })
        .collect())
}
