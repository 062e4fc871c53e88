//! The read queries, shared by both backends (only the pool type differs).

macro_rules! backend_reads {
    ($Pool:ty) => {
        use crate::store::{AttemptRow, QuestionStat, Standing, StoreError, COLUMNS};

        pub(crate) async fn attempt(pool: &$Pool, id: &str) -> Result<Option<AttemptRow>, StoreError> {
            let sql = format!("SELECT {COLUMNS} FROM attempts WHERE id = $1");
            Ok(sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?)
        }

        pub(crate) async fn attempts(
            pool: &$Pool,
            competition: &str,
            submitted_only: bool,
        ) -> Result<Vec<AttemptRow>, StoreError> {
            let filter = if submitted_only { "AND submitted_at IS NOT NULL" } else { "" };
            let sql = format!("SELECT {COLUMNS} FROM attempts WHERE competition = $1 {filter} ORDER BY started_at, id");
            Ok(sqlx::query_as(&sql).bind(competition).fetch_all(pool).await?)
        }

        pub(crate) async fn expired(
            pool: &$Pool,
            before: i64,
            after: &(i64, String),
            limit: i64,
        ) -> Result<Vec<AttemptRow>, StoreError> {
            let sql = format!(
                "SELECT {COLUMNS} FROM attempts WHERE submitted_at IS NULL AND deadline < $1 \
                 AND (deadline, id) > ($2, $3) ORDER BY deadline, id LIMIT $4"
            );
            let q = sqlx::query_as(&sql).bind(before).bind(after.0).bind(&after.1).bind(limit);
            Ok(q.fetch_all(pool).await?)
        }

        /// How many attempts the participant started since `since` (epoch ms): today's, for the result page.
        pub(crate) async fn started_since(
            pool: &$Pool,
            competition: &str,
            participant_key: &str,
            since: i64,
        ) -> Result<i64, StoreError> {
            let q = sqlx::query_scalar(crate::store::sql::STARTED_SINCE);
            Ok(q.bind(competition).bind(participant_key).bind(since).fetch_one(pool).await?)
        }

        pub(crate) async fn standings(pool: &$Pool, competition: &str) -> Result<Vec<Standing>, StoreError> {
            let sql = "SELECT id, organization, name, grp, participant_key, score, max_score, passed, duration_ms, \
                       submitted_at, number FROM attempts WHERE competition = $1 AND submitted_at IS NOT NULL";
            Ok(sqlx::query_as(sql).bind(competition).fetch_all(pool).await?)
        }

        /// The attempts that left the question page most often (issue 12), at most `limit`, and how many did.
        pub(crate) async fn left_page(
            pool: &$Pool,
            competition: &str,
            limit: i64,
        ) -> Result<(Vec<AttemptRow>, i64), StoreError> {
            let sql = format!(
                "SELECT {COLUMNS} FROM attempts WHERE competition = $1 AND leaves > 0 \
                 ORDER BY leaves DESC, started_at, id LIMIT $2"
            );
            let rows = sqlx::query_as(&sql).bind(competition).bind(limit).fetch_all(pool).await?;
            let count = "SELECT COUNT(*) FROM attempts WHERE competition = $1 AND leaves > 0";
            Ok((rows, sqlx::query_scalar(count).bind(competition).fetch_one(pool).await?))
        }

        pub(crate) async fn question_stats(pool: &$Pool, competition: &str) -> Result<Vec<QuestionStat>, StoreError> {
            let sql = "SELECT r.question AS question, COUNT(*) AS answered, \
                       SUM(CASE WHEN r.correct THEN 0 ELSE 1 END) AS missed \
                       FROM responses r JOIN attempts a ON a.id = r.attempt WHERE a.competition = $1 \
                       GROUP BY r.question ORDER BY missed DESC, answered DESC, question";
            Ok(sqlx::query_as(sql).bind(competition).fetch_all(pool).await?)
        }
    };
}

pub(super) mod sqlite {
    backend_reads!(sqlx::SqlitePool);
}

pub(super) mod postgres {
    backend_reads!(sqlx::PgPool);
}
