//! PostgreSQL backend: pool, the writer's own connection, and migrations. Several `pufa serve` processes may share
//! one database: the attempt limit holds by the UNIQUE (competition, participant_key, number) constraint and a
//! submission counts once because its UPDATE only matches a row not yet submitted (row locks serialise racers).

pub(super) mod certify;
pub(super) mod suggest;
pub(super) mod writer;

use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};

use crate::store::StoreError;

/// Connects to `url`, migrates unless told not to (under sqlx's advisory lock, so processes starting together are
/// safe) and returns a read pool and the writer connection.
pub(super) async fn open(url: &str, migrate: bool) -> Result<(PgPool, PgConnection), StoreError> {
    let mut writer = PgConnection::connect(url).await?;
    if migrate {
        crate::store::migrate::POSTGRES.run(&mut writer).await?;
    }
    let pool = PgPoolOptions::new().max_connections(16).min_connections(1).connect(url).await?;
    Ok((pool, writer))
}
