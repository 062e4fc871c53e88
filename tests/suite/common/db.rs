//! Fresh databases for tests: a SQLite file in a temporary folder, or a PostgreSQL schema of its own on the server
//! named by `PUFA_TEST_POSTGRES`, dropped when the test ends (also when it panics). Schemas left by killed test
//! runs are dropped by the first test of a later run once they are a day old.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::Connection;

/// The PostgreSQL server of the test run, when `PUFA_TEST_POSTGRES` is set (e.g. postgres://postgres@127.0.0.1/test).
/// Unset, the PostgreSQL cases are skipped, said once; under `CI` (which installs PostgreSQL) that is a failure.
pub fn postgres_base() -> Option<String> {
    static SAID: OnceLock<()> = OnceLock::new();
    let base = std::env::var("PUFA_TEST_POSTGRES").ok().filter(|u| !u.is_empty());
    if base.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but PUFA_TEST_POSTGRES is not: the PostgreSQL cases must run"
        );
        if SAID.set(()).is_ok() {
            eprintln!("PUFA_TEST_POSTGRES is not set: the PostgreSQL cases are skipped");
        }
    }
    base
}

/// Schemas of test runs that ended without dropping theirs are dropped after this long.
const STALE_SECS: u64 = 24 * 3600;

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A PostgreSQL schema made for one test; `url` makes it the search path. Dropped with its tables on drop.
pub struct PgSchema {
    pub url: String,
    pub name: String,
    base: String,
}

/// A fresh, empty schema `t_<unix seconds>_<random>` on the test PostgreSQL (the time lets later runs tell
/// stale leftovers from schemas of tests running right now).
pub async fn postgres_schema(base: &str) -> PgSchema {
    static SWEPT: OnceLock<()> = OnceLock::new();
    let mut conn = sqlx::PgConnection::connect(base).await.expect("PUFA_TEST_POSTGRES reachable");
    if SWEPT.set(()).is_ok() {
        drop_stale(&mut conn).await;
    }
    let name = format!("t_{}_{}", now_secs(), &uuid::Uuid::new_v4().simple().to_string()[..12]);
    sqlx::query(&format!("CREATE SCHEMA {name}")).execute(&mut conn).await.unwrap();
    let _ = conn.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{name}");
    PgSchema { url, name, base: base.to_string() }
}

/// Test schemas older than a day: by the time in their name, or (schemas named `t_<uuid>` by earlier versions of
/// these helpers) by when their migrations were installed.
async fn drop_stale(conn: &mut sqlx::PgConnection) {
    let names: Vec<String> = sqlx::query_scalar("SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%'")
        .fetch_all(&mut *conn)
        .await
        .unwrap_or_default();
    for name in names {
        let stale = match name.split('_').nth(1).and_then(|s| s.parse::<u64>().ok()) {
            Some(secs) if name.matches('_').count() == 2 => now_secs().saturating_sub(secs) > STALE_SECS,
            _ => {
                let sql = format!(
                    "SELECT COALESCE(MIN(installed_on) < now() - interval '{STALE_SECS} seconds', false) \
                     FROM {name}._sqlx_migrations"
                );
                sqlx::query_scalar::<_, bool>(&sql).fetch_one(&mut *conn).await.unwrap_or(false)
            }
        };
        if stale {
            let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {name} CASCADE")).execute(&mut *conn).await;
        }
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        let (base, name) = (self.base.clone(), self.name.clone());
        // Drop runs inside the test's runtime, which cannot be blocked on: a thread with its own runtime does it.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            rt.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&base).await.ok()?;
                // Never hang a test run on a lock; a schema left behind is swept a day later.
                sqlx::query("SET lock_timeout = '10s'").execute(&mut conn).await.ok()?;
                sqlx::query(&format!("DROP SCHEMA IF EXISTS {name} CASCADE")).execute(&mut conn).await.ok()?;
                conn.close().await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("could not drop test schema {}; a later run drops it after a day", self.name);
        }
    }
}

/// A database for one test, gone when dropped: a SQLite file in a temporary folder or a PostgreSQL schema.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    _schema: Option<PgSchema>,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("test.sqlite").display());
        TestDb { url, _dir: Some(dir), _schema: None }
    }

    pub async fn postgres(base: &str) -> TestDb {
        let schema = postgres_schema(base).await;
        TestDb { url: schema.url.clone(), _dir: None, _schema: Some(schema) }
    }

    pub fn is_postgres(&self) -> bool {
        self._schema.is_some()
    }
}

/// A fresh SQLite database, and a fresh PostgreSQL schema when `PUFA_TEST_POSTGRES` is set.
pub async fn test_dbs() -> Vec<TestDb> {
    let mut out = vec![TestDb::sqlite()];
    if let Some(base) = postgres_base() {
        out.push(TestDb::postgres(&base).await);
    }
    out
}
