//! PostgreSQL's writer for certificates, inside the batch's transaction. Two processes issuing for one attempt at
//! once: the second INSERT fails on the UNIQUE attempt, its batch is retried op by op, and the retry finds the
//! first one's serial. The year's counter row is locked by its upsert until the commit, so serials are distinct.

use sqlx::PgConnection;

use crate::store::certificates::{self, revoke_outcome, sql, NewCertificate, Revocation, RevokeOutcome};

pub(super) async fn issue(conn: &mut PgConnection, c: &NewCertificate) -> Result<String, sqlx::Error> {
    let known: Option<String> = sqlx::query_scalar(sql::BY_ATTEMPT).bind(&c.attempt).fetch_optional(&mut *conn).await?;
    if let Some(serial) = known {
        return Ok(serial);
    }
    let seq: i64 = sqlx::query_scalar(sql::NEXT_SEQ).bind(c.year).fetch_one(&mut *conn).await?;
    let serial = certificates::serial(c.year, seq);
    sqlx::query(sql::INSERT)
        .bind(&serial)
        .bind(&c.attempt)
        .bind(&c.competition)
        .bind(&c.organization)
        .bind(&c.title)
        .bind(&c.issuer)
        .bind(c.issued_at)
        .execute(&mut *conn)
        .await?;
    Ok(serial)
}

pub(super) async fn revoke(conn: &mut PgConnection, r: &Revocation) -> Result<RevokeOutcome, sqlx::Error> {
    let changed =
        sqlx::query(sql::REVOKE).bind(r.at).bind(&r.reason).bind(&r.serial).execute(&mut *conn).await?.rows_affected();
    let found: i64 = sqlx::query_scalar(sql::EXISTS).bind(&r.serial).fetch_one(&mut *conn).await?;
    Ok(revoke_outcome(changed, found))
}
