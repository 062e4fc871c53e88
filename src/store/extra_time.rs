//! Extra time (issue 12): minutes an organizer adds to the time limit of a whole organization or of one participant
//! in a competition. Kept in the database so every process on it applies the same, read at each start. Written
//! through the read pool, not the writer: an organizer's occasional setting needs no group commit.

use serde::Serialize;

/// One setting: a whole organization (`participant_key` empty) or one participant of it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct ExtraTimeRow {
    pub competition: String,
    pub organization: String,
    /// Empty for the whole organization; else `quiz::identity::participant_key`.
    #[serde(skip)]
    pub participant_key: String,
    /// The participant's name and group as shown; empty for the whole organization.
    pub name: String,
    #[serde(rename = "group")]
    pub grp: String,
    pub minutes: i64,
    /// Epoch milliseconds.
    #[serde(skip)]
    pub set_at: i64,
}

macro_rules! backend_extra_time {
    ($Pool:ty) => {
        use super::ExtraTimeRow;
        use crate::store::StoreError;

        /// The most extra minutes a participant has: their own setting or their organization's, the larger.
        pub(crate) async fn minutes(
            pool: &$Pool,
            competition: &str,
            organization: &str,
            participant_key: &str,
        ) -> Result<i64, StoreError> {
            let sql = "SELECT COALESCE(MAX(minutes), 0) FROM extra_time WHERE competition = $1 \
                       AND organization = $2 AND participant_key IN ('', $3)";
            let q = sqlx::query_scalar(sql).bind(competition).bind(organization).bind(participant_key);
            Ok(q.fetch_one(pool).await?)
        }

        /// Every setting of a competition, by organization, the organization's own first.
        pub(crate) async fn all(pool: &$Pool, competition: &str) -> Result<Vec<ExtraTimeRow>, StoreError> {
            let sql = "SELECT competition, organization, participant_key, name, grp, minutes, set_at FROM extra_time \
                       WHERE competition = $1 ORDER BY organization, participant_key";
            Ok(sqlx::query_as(sql).bind(competition).fetch_all(pool).await?)
        }

        /// Sets (or with 0 minutes removes) one setting.
        pub(crate) async fn set(pool: &$Pool, row: &ExtraTimeRow) -> Result<(), StoreError> {
            if row.minutes <= 0 {
                let sql = "DELETE FROM extra_time WHERE competition = $1 AND organization = $2 AND participant_key = $3";
                sqlx::query(sql).bind(&row.competition).bind(&row.organization).bind(&row.participant_key)
                    .execute(pool).await?;
                return Ok(());
            }
            let sql = "INSERT INTO extra_time (competition, organization, participant_key, name, grp, minutes, set_at) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (competition, organization, participant_key) \
                       DO UPDATE SET name = excluded.name, grp = excluded.grp, minutes = excluded.minutes, \
                       set_at = excluded.set_at";
            sqlx::query(sql)
                .bind(&row.competition)
                .bind(&row.organization)
                .bind(&row.participant_key)
                .bind(&row.name)
                .bind(&row.grp)
                .bind(row.minutes)
                .bind(row.set_at)
                .execute(pool)
                .await?;
            Ok(())
        }
    };
}

pub(super) mod sqlite {
    backend_extra_time!(sqlx::SqlitePool);
}

pub(super) mod postgres {
    backend_extra_time!(sqlx::PgPool);
}
