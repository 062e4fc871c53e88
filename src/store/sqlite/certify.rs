//! SQLite's writer for certificates: issue once per attempt under the year's next serial, revoke once.

use rusqlite::{params, Connection, OptionalExtension};

use crate::store::certificates::{self, revoke_outcome, sql, NewCertificate, Revocation, RevokeOutcome};

pub(super) fn issue(conn: &Connection, c: &NewCertificate) -> rusqlite::Result<String> {
    let known: Option<String> =
        conn.prepare_cached(sql::BY_ATTEMPT)?.query_row(params![c.attempt], |r| r.get(0)).optional()?;
    if let Some(serial) = known {
        return Ok(serial);
    }
    let seq: i64 = conn.prepare_cached(sql::NEXT_SEQ)?.query_row(params![c.year], |r| r.get(0))?;
    let serial = certificates::serial(c.year, seq);
    conn.prepare_cached(sql::INSERT)?.execute(params![
        serial,
        c.attempt,
        c.competition,
        c.organization,
        c.title,
        c.issuer,
        c.issued_at
    ])?;
    Ok(serial)
}

pub(super) fn revoke(conn: &Connection, r: &Revocation) -> rusqlite::Result<RevokeOutcome> {
    let changed = conn.prepare_cached(sql::REVOKE)?.execute(params![r.at, r.reason, r.serial])?;
    let found: i64 = conn.prepare_cached(sql::EXISTS)?.query_row(params![r.serial], |row| row.get(0))?;
    Ok(revoke_outcome(changed as u64, found))
}
