//! Suggestions (意见箱) as stored: a new suggestion and each organizer action go through the writer like
//! submissions (durable once acknowledged, group-committed); the reads are shared by both backends. The rules of
//! which action may follow which status live here once (`plan`), for both writers.

use serde::{Deserialize, Serialize};

use super::StoreError;

/// A suggestion to record; the writer gives it the day's next ticket number.
#[derive(Debug, Clone)]
pub struct NewSuggestion {
    /// The day in the office's time zone, `20261201`: the ticket's middle part.
    pub day: String,
    /// The secret code the sender checks the ticket with; only `code_hash` of it (and the ticket) is stored.
    pub code: String,
    pub category: String,
    pub body: String,
    pub town: Option<String>,
    pub contact: Option<String>,
    pub public_ok: bool,
    /// Epoch milliseconds.
    pub created_at: i64,
}

/// The readable ticket of sequence number `seq` on `day`: `YJ-20261201-0042`.
pub fn ticket(day: &str, seq: i64) -> String {
    format!("YJ-{day}-{seq:04}")
}

/// What is stored of a ticket's secret code: SHA-256 (hex) of the ticket and the code, so a leaked table neither
/// shows the codes nor lets one guess be tried against every ticket at once.
pub fn code_hash(ticket: &str, code: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new().chain_update(ticket.as_bytes()).chain_update(b"\n").chain_update(code.as_bytes());
    digest.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a suggestion stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// 待受理: sent, nobody has looked yet.
    Submitted,
    /// 已受理.
    Accepted,
    /// 已转办: handed to a responsible unit with a due date.
    Assigned,
    /// 已办结: replied and closed.
    Closed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Accepted => "accepted",
            Status::Assigned => "assigned",
            Status::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [Status::Submitted, Status::Accepted, Status::Assigned, Status::Closed].into_iter().find(|x| x.as_str() == s)
    }
}

/// An organizer's action on one suggestion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    /// 受理.
    Accept,
    /// 转办 to `unit`, due before `due_at` (epoch ms); a handed-over suggestion may be handed over again.
    Assign { unit: String, due_at: i64 },
    /// 答复 and 办结.
    Reply { text: String },
}

impl Act {
    pub fn name(&self) -> &'static str {
        match self {
            Act::Accept => "accept",
            Act::Assign { .. } => "assign",
            Act::Reply { .. } => "reply",
        }
    }
}

/// An action to record at a moment.
#[derive(Debug, Clone)]
pub struct Action {
    pub ticket: String,
    pub act: Act,
    /// Epoch milliseconds.
    pub at: i64,
}

/// What an action did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActOutcome {
    /// Recorded; the suggestion's status now.
    Done(Status),
    /// The action may not follow the suggestion's status (which this is).
    Illegal(Status),
    Unknown,
}

/// The status an action leads to from `from`, or None when it may not follow it.
pub fn plan(from: Status, act: &Act) -> Option<Status> {
    match (from, act) {
        (Status::Submitted, Act::Accept) => Some(Status::Accepted),
        (Status::Accepted | Status::Assigned, Act::Assign { .. }) => Some(Status::Assigned),
        (Status::Accepted | Status::Assigned, Act::Reply { .. }) => Some(Status::Closed),
        _ => None,
    }
}

/// One suggestion as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SuggestionRow {
    pub ticket: String,
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
}

/// One change in a suggestion's history.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EventRow {
    pub ticket: String,
    pub n: i64,
    pub at: i64,
    pub action: String,
    pub unit: Option<String>,
    pub due_at: Option<i64>,
}

/// The statements both writers run, `$n` placeholders bound by position.
pub(crate) mod sql {
    /// Hands out the day's next number; the row lock makes it unique across processes (PostgreSQL) as well.
    pub const NEXT_SEQ: &str = "INSERT INTO suggestion_days (day, last) VALUES ($1, 1) \
         ON CONFLICT (day) DO UPDATE SET last = suggestion_days.last + 1 RETURNING last";
    pub const INSERT: &str = "INSERT INTO suggestions (ticket, day, seq, code_hash, category, body, town, contact, \
         public_ok, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'submitted', $10)";
    pub const STATUS: &str = "SELECT status FROM suggestions WHERE ticket = $1";
    /// Changes nothing when another writer moved the suggestion on meanwhile (`$6` the status read before).
    /// Placeholders appear in order: SQLite numbers `$n` by first appearance, not by `n`.
    pub const UPDATE: &str = "UPDATE suggestions SET status = $1, unit = COALESCE($2, unit), \
         due_at = COALESCE($3, due_at), reply = COALESCE($4, reply), closed_at = $5 WHERE status = $6 AND ticket = $7";
    pub const EVENT: &str = "INSERT INTO suggestion_events (ticket, n, at, action, unit, due_at) \
         SELECT $1, COALESCE(MAX(n), 0) + 1, $2, $3, $4, $5 FROM suggestion_events WHERE ticket = $1";
}

/// The values of `sql::UPDATE` for an action leading to `to`: unit, due, reply, closed_at.
pub(crate) fn update_values(a: &Action, to: Status) -> (Option<&str>, Option<i64>, Option<&str>, Option<i64>) {
    let closed = (to == Status::Closed).then_some(a.at);
    match &a.act {
        Act::Accept => (None, None, None, closed),
        Act::Assign { unit, due_at } => (Some(unit), Some(*due_at), None, closed),
        Act::Reply { text } => (None, None, Some(text), closed),
    }
}

/// The unit and due date an action's history entry records.
pub(crate) fn event_values(a: &Action) -> (Option<&str>, Option<i64>) {
    match &a.act {
        Act::Assign { unit, due_at } => (Some(unit), Some(*due_at)),
        _ => (None, None),
    }
}

const COLUMNS: &str =
    "ticket, code_hash, category, body, town, contact, public_ok, status, unit, due_at, reply, created_at, closed_at";

macro_rules! backend_reads {
    ($Pool:ty) => {
        use super::{EventRow, StoreError, SuggestionRow, COLUMNS};

        pub(crate) async fn one(pool: &$Pool, ticket: &str) -> Result<Option<SuggestionRow>, StoreError> {
            let sql = format!("SELECT {COLUMNS} FROM suggestions WHERE ticket = $1");
            Ok(sqlx::query_as(&sql).bind(ticket).fetch_optional(pool).await?)
        }

        pub(crate) async fn all(pool: &$Pool) -> Result<Vec<SuggestionRow>, StoreError> {
            let sql = format!("SELECT {COLUMNS} FROM suggestions ORDER BY created_at, ticket");
            Ok(sqlx::query_as(&sql).fetch_all(pool).await?)
        }

        pub(crate) async fn answered(pool: &$Pool, limit: i64) -> Result<Vec<SuggestionRow>, StoreError> {
            let sql = format!(
                "SELECT {COLUMNS} FROM suggestions WHERE status = 'closed' AND public_ok \
                 ORDER BY closed_at DESC, ticket DESC LIMIT $1"
            );
            Ok(sqlx::query_as(&sql).bind(limit).fetch_all(pool).await?)
        }

        pub(crate) async fn events(pool: &$Pool, ticket: &str) -> Result<Vec<EventRow>, StoreError> {
            let sql = "SELECT ticket, n, at, action, unit, due_at FROM suggestion_events WHERE ticket = $1 ORDER BY n";
            Ok(sqlx::query_as(sql).bind(ticket).fetch_all(pool).await?)
        }

        pub(crate) async fn all_events(pool: &$Pool) -> Result<Vec<EventRow>, StoreError> {
            let sql = "SELECT ticket, n, at, action, unit, due_at FROM suggestion_events ORDER BY ticket, n";
            Ok(sqlx::query_as(sql).fetch_all(pool).await?)
        }
    };
}

pub(super) mod sqlite {
    backend_reads!(sqlx::SqlitePool);
}

pub(super) mod postgres {
    backend_reads!(sqlx::PgPool);
}
