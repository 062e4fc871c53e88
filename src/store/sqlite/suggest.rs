//! SQLite's writer for suggestions: a new one under the day's next ticket number, and organizer actions checked
//! against the status inside the writer's transaction.

use rusqlite::{params, Connection, OptionalExtension};

use crate::store::suggestions::{self, code_hash, event_values, plan, sql, update_values, ActOutcome, Status};

pub(super) fn suggest(conn: &Connection, s: &suggestions::NewSuggestion) -> rusqlite::Result<String> {
    let seq: i64 = conn.prepare_cached(sql::NEXT_SEQ)?.query_row(params![s.day], |r| r.get(0))?;
    let ticket = suggestions::ticket(&s.day, seq);
    conn.prepare_cached(sql::INSERT)?.execute(params![
        ticket,
        s.day,
        seq,
        code_hash(&ticket, &s.code),
        s.category,
        s.body,
        s.town,
        s.contact,
        s.public_ok,
        s.created_at
    ])?;
    conn.prepare_cached(sql::EVENT)?.execute(params![ticket, s.created_at, "submit", None::<&str>, None::<i64>])?;
    Ok(ticket)
}

pub(super) fn act(conn: &Connection, a: &suggestions::Action) -> rusqlite::Result<ActOutcome> {
    let status: Option<String> =
        conn.prepare_cached(sql::STATUS)?.query_row(params![a.ticket], |r| r.get(0)).optional()?;
    let Some(from) = status.as_deref().and_then(Status::parse) else { return Ok(ActOutcome::Unknown) };
    let Some(to) = plan(from, &a.act) else { return Ok(ActOutcome::Illegal(from)) };
    let (unit, due, reply, closed) = update_values(a, to);
    let changed = conn.prepare_cached(sql::UPDATE)?.execute(params![
        to.as_str(),
        unit,
        due,
        reply,
        closed,
        from.as_str(),
        a.ticket
    ])?;
    if changed == 0 {
        // Only this writer writes this file's suggestions, but another process may share the file.
        return Ok(ActOutcome::Illegal(from));
    }
    let (unit, due) = event_values(a);
    conn.prepare_cached(sql::EVENT)?.execute(params![a.ticket, a.at, a.act.name(), unit, due])?;
    Ok(ActOutcome::Done(to))
}
