//! The column list every query shares, and the per-operation write statements of SQLite's writer (`$n`
//! placeholders, bound by position; PostgreSQL's writer uses set-based forms of the same, in `postgres::writer`).

/// The columns of `AttemptRow`, in order, as a literal so statements can be built with `concat!`.
macro_rules! columns {
    () => {
        "id, competition, organization, name, grp, participant_key, number, seed, drawn, started_at, deadline, \
         submitted_at, answers, score, max_score, passed, duration_ms, grade, leaves"
    };
}
pub(crate) use columns;

/// The participant's latest attempt: `$1` competition, `$2` participant key.
pub(crate) const LAST_ATTEMPT: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM attempts WHERE competition = $1 AND participant_key = $2 ORDER BY number DESC LIMIT 1"
);

/// A new attempt; the unique (competition, participant_key, number) holds the limit across processes.
pub(crate) const INSERT_ATTEMPT: &str = "INSERT INTO attempts (id, competition, organization, name, grp, \
     participant_key, number, seed, drawn, started_at, deadline, max_score) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

/// Draft answers of a running attempt, refused once submitted or past the deadline plus grace. The count of
/// departures only grows: a save sent before another that arrives later does not lower it.
/// (SQLite numbers `$N` parameters in the order they first appear: they are written in order.)
pub(crate) const SAVE_DRAFT: &str = "UPDATE attempts SET answers = $1, leaves = MAX(leaves, $2) \
     WHERE id = $3 AND submitted_at IS NULL AND deadline >= $4";

/// Records a submission; changes nothing when the attempt was already submitted.
pub(crate) const SUBMIT: &str =
    "UPDATE attempts SET submitted_at = $1, answers = $2, score = $3, passed = $4, duration_ms = $5, grade = $6, \
     leaves = MAX(leaves, $7) WHERE id = $8 AND submitted_at IS NULL";

/// How many attempts the participant started since a moment (the start of their day): `$1` competition, `$2`
/// participant key, `$3` epoch ms. Served by the unique index on (competition, participant_key, number).
pub(crate) const STARTED_SINCE: &str =
    "SELECT COUNT(*) FROM attempts WHERE competition = $1 AND participant_key = $2 AND started_at >= $3";

/// One attempt by id.
pub(crate) const ATTEMPT_BY_ID: &str = concat!("SELECT ", columns!(), " FROM attempts WHERE id = $1");

/// A submission's `n` per-question responses in one statement: `$1` the attempt, then question and correct
/// for each (one statement instead of `n` keeps the writer's work per submission low).
pub(crate) fn insert_responses(n: usize) -> String {
    let mut sql = String::from("INSERT INTO responses (attempt, question, correct) VALUES ");
    for i in 0..n {
        let sep = if i == 0 { "" } else { ", " };
        sql.push_str(&format!("{sep}($1, ${}, ${})", 2 + 2 * i, 3 + 2 * i));
    }
    sql
}
