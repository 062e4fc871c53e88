//! Certificates (issue 12) as stored: issuing and revoking go through the writer like submissions (durable once
//! acknowledged); the reads, shared by both backends, join the attempt for the holder and the score. The server
//! secret that signs verification codes is a row of `secrets`, made by the first process that starts.

use super::StoreError;

/// A certificate to issue for an attempt; the writer gives it the year's next serial, or returns the serial the
/// attempt already has (issuing is idempotent).
#[derive(Debug, Clone)]
pub struct NewCertificate {
    pub attempt: String,
    pub competition: String,
    pub organization: String,
    /// The year of issue, the serial's first part.
    pub year: i32,
    pub title: String,
    pub issuer: String,
    /// Epoch milliseconds.
    pub issued_at: i64,
}

/// The readable serial number `seq` of `year`: `2026-000042`.
pub fn serial(year: i32, seq: i64) -> String {
    format!("{year}-{seq:06}")
}

/// A revocation to record.
#[derive(Debug, Clone)]
pub struct Revocation {
    pub serial: String,
    pub reason: String,
    /// Epoch milliseconds.
    pub at: i64,
}

/// What a revocation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokeOutcome {
    Revoked,
    /// It was revoked before (the first reason stands).
    AlreadyRevoked,
    Unknown,
}

/// An issued certificate with what its attempt says of the holder.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CertificateRow {
    pub serial: String,
    pub attempt: String,
    pub competition: String,
    pub organization: String,
    pub title: String,
    pub issuer: String,
    pub issued_at: i64,
    pub revoked_at: Option<i64>,
    pub revoked_reason: Option<String>,
    /// The holder's full name, from the attempt.
    pub name: String,
    pub grp: String,
    pub score: i64,
    pub max_score: i64,
    /// When the certified attempt was submitted (epoch ms).
    pub submitted_at: i64,
}

/// The statements both writers run, `$n` placeholders bound by position.
pub(crate) mod sql {
    pub const BY_ATTEMPT: &str = "SELECT serial FROM certificates WHERE attempt = $1";
    /// Hands out the year's next number; the row lock makes it unique across processes (PostgreSQL) as well.
    pub const NEXT_SEQ: &str = "INSERT INTO certificate_years (year, last) VALUES ($1, 1) \
         ON CONFLICT (year) DO UPDATE SET last = certificate_years.last + 1 RETURNING last";
    pub const INSERT: &str = "INSERT INTO certificates (serial, attempt, competition, organization, title, issuer, \
         issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    /// Changes nothing when it was revoked before: the first revocation and its reason stand.
    pub const REVOKE: &str =
        "UPDATE certificates SET revoked_at = $1, revoked_reason = $2 WHERE serial = $3 AND revoked_at IS NULL";
    pub const EXISTS: &str = "SELECT COUNT(*) FROM certificates WHERE serial = $1";
    /// Keeps the first value written: every process then reads the same secret.
    pub const NEW_SECRET: &str =
        "INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING";
    pub const SECRET: &str = "SELECT value FROM secrets WHERE name = $1";
}

/// What a revocation's UPDATE (rows changed) and the existence check (rows found) mean.
pub(crate) fn revoke_outcome(changed: u64, found: i64) -> RevokeOutcome {
    match (changed, found) {
        (1.., _) => RevokeOutcome::Revoked,
        (0, 1..) => RevokeOutcome::AlreadyRevoked,
        _ => RevokeOutcome::Unknown,
    }
}

const SELECT: &str = "SELECT c.serial, c.attempt, c.competition, c.organization, c.title, c.issuer, c.issued_at, \
     c.revoked_at, c.revoked_reason, a.name, a.grp, COALESCE(a.score, 0) AS score, a.max_score, \
     COALESCE(a.submitted_at, 0) AS submitted_at FROM certificates c JOIN attempts a ON a.id = c.attempt";

macro_rules! backend_reads {
    ($Pool:ty) => {
        use super::{sql, CertificateRow, StoreError, SELECT};

        pub(crate) async fn one(pool: &$Pool, serial: &str) -> Result<Option<CertificateRow>, StoreError> {
            let sql = format!("{SELECT} WHERE c.serial = $1");
            Ok(sqlx::query_as(&sql).bind(serial).fetch_optional(pool).await?)
        }

        pub(crate) async fn of_attempt(pool: &$Pool, attempt: &str) -> Result<Option<CertificateRow>, StoreError> {
            let sql = format!("{SELECT} WHERE c.attempt = $1");
            Ok(sqlx::query_as(&sql).bind(attempt).fetch_optional(pool).await?)
        }

        pub(crate) async fn of_competition(pool: &$Pool, competition: &str) -> Result<Vec<CertificateRow>, StoreError> {
            let sql = format!("{SELECT} WHERE c.competition = $1 ORDER BY c.organization, c.serial");
            Ok(sqlx::query_as(&sql).bind(competition).fetch_all(pool).await?)
        }

        /// The participant's best submitted attempt: highest score, then the earliest.
        pub(crate) async fn best(pool: &$Pool, competition: &str, key: &str) -> Result<Option<String>, StoreError> {
            let sql = "SELECT id FROM attempts WHERE competition = $1 AND participant_key = $2 \
                       AND submitted_at IS NOT NULL ORDER BY score DESC, submitted_at, id LIMIT 1";
            Ok(sqlx::query_scalar(sql).bind(competition).bind(key).fetch_optional(pool).await?)
        }

        /// The secret `name`, made from `fresh` by whichever process asks first.
        pub(crate) async fn secret(pool: &$Pool, name: &str, fresh: &str, now: i64) -> Result<String, StoreError> {
            sqlx::query(sql::NEW_SECRET).bind(name).bind(fresh).bind(now).execute(pool).await?;
            Ok(sqlx::query_scalar(sql::SECRET).bind(name).fetch_one(pool).await?)
        }
    };
}

pub(super) mod sqlite {
    backend_reads!(sqlx::SqlitePool);
}

pub(super) mod postgres {
    backend_reads!(sqlx::PgPool);
}
