//! PostgreSQL's writer for suggestions. Suggestions are few beside submissions, so each is written with its own
//! statements inside the batch's transaction. The day's counter row is locked by its upsert until the commit, so
//! processes sharing the database hand out distinct numbers; an action updates only a row still in the status it
//! read, so two organizers acting at once cannot both move one suggestion on.

use sqlx::PgConnection;

use crate::store::suggestions::{self, code_hash, event_values, plan, sql, update_values, ActOutcome, Status};

pub(super) async fn suggest(conn: &mut PgConnection, s: &suggestions::NewSuggestion) -> Result<String, sqlx::Error> {
    let seq: i64 = sqlx::query_scalar(sql::NEXT_SEQ).bind(&s.day).fetch_one(&mut *conn).await?;
    let ticket = suggestions::ticket(&s.day, seq);
    sqlx::query(sql::INSERT)
        .bind(&ticket)
        .bind(&s.day)
        .bind(seq)
        .bind(code_hash(&ticket, &s.code))
        .bind(&s.category)
        .bind(&s.body)
        .bind(&s.town)
        .bind(&s.contact)
        .bind(s.public_ok)
        .bind(s.created_at)
        .execute(&mut *conn)
        .await?;
    event(conn, &ticket, s.created_at, "submit", (None, None)).await?;
    Ok(ticket)
}

pub(super) async fn act(conn: &mut PgConnection, a: &suggestions::Action) -> Result<ActOutcome, sqlx::Error> {
    let status: Option<String> = sqlx::query_scalar(sql::STATUS).bind(&a.ticket).fetch_optional(&mut *conn).await?;
    let Some(from) = status.as_deref().and_then(Status::parse) else { return Ok(ActOutcome::Unknown) };
    let Some(to) = plan(from, &a.act) else { return Ok(ActOutcome::Illegal(from)) };
    let (unit, due, reply, closed) = update_values(a, to);
    let changed = sqlx::query(sql::UPDATE)
        .bind(to.as_str())
        .bind(unit)
        .bind(due)
        .bind(reply)
        .bind(closed)
        .bind(from.as_str())
        .bind(&a.ticket)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if changed == 0 {
        // Another process moved it on between the read and the update.
        return Ok(ActOutcome::Illegal(from));
    }
    event(conn, &a.ticket, a.at, a.act.name(), event_values(a)).await?;
    Ok(ActOutcome::Done(to))
}

async fn event(
    conn: &mut PgConnection,
    ticket: &str,
    at: i64,
    action: &str,
    (unit, due): (Option<&str>, Option<i64>),
) -> Result<(), sqlx::Error> {
    sqlx::query(sql::EVENT).bind(ticket).bind(at).bind(action).bind(unit).bind(due).execute(&mut *conn).await?;
    Ok(())
}
