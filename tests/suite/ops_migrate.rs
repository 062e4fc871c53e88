//! `pufa migrate` and `pufa serve --no-migrate` (issue 4): migrations run once by an operator, and N servers that
//! refuse to start on a database whose schema is not the one they were built for.

use crate::common;

use std::time::Duration;

use common::*;
use pufa::store::migrate;

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture_dir(), &dir.path().join("quizzes"));
    dir
}

/// `serve --no-migrate` run to its exit (it must refuse): its stderr.
fn refused_serve(source: &std::path::Path, url: &str) -> String {
    let port = free_port().to_string();
    let args = ["serve", "--no-migrate", "--source", source.to_str().unwrap(), "--port", &port];
    let (ok, err) = run_pufa(&args, &[("DATABASE_URL", url)]);
    assert!(!ok, "serve --no-migrate started on a database that is not current");
    err
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_migrate_refuses_until_pufa_migrate_ran() {
    let site = site();
    let client = reqwest::Client::new();
    for db in test_dbs().await {
        let status = migrate::status(&db.url).await.unwrap();
        let backend = if db.is_postgres() { "postgres" } else { "sqlite" };
        let all = std::fs::read_dir(format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR"))).unwrap().count();
        assert_eq!(status.pending.len(), all, "{status:?}");
        assert!(!status.is_current());

        // The messages are in the site's language: zh-CN by default, English with `language: en`.
        let err = refused_serve(site.path(), &db.url);
        assert!(err.contains(&format!("有 {all} 个迁移尚未执行：0001 attempts, 0002 ")), "{err}");
        assert!(err.contains("请先运行一次 `pufa db migrate`"), "{err}");
        std::fs::write(site.path().join("site.yaml"), "language: en\n").unwrap();
        let err = refused_serve(site.path(), &db.url);
        std::fs::remove_file(site.path().join("site.yaml")).unwrap();
        assert!(err.contains(&format!("{all} pending migration(s): 0001 attempts, 0002 ")), "{err}");
        assert!(err.contains("run `pufa db migrate` once"), "{err}");
        if let Some(path) = db.url.strip_prefix("sqlite:") {
            assert!(!std::path::Path::new(path).exists(), "the refused start created the database file");
        }

        let (ok, out) = run_pufa(&["db", "migrate", "--database-url", &db.url], &[]);
        assert!(ok, "{out}");
        assert!(out.contains("已执行迁移 0001 attempts"), "{out}");
        let (ok, out) = run_pufa(&["db", "migrate"], &[("DATABASE_URL", &db.url)]);
        assert!(ok, "{out}");
        assert!(out.contains("已是最新结构，没有待执行的迁移"), "{out}");
        let en = tempfile::tempdir().unwrap();
        std::fs::write(en.path().join("site.yaml"), "language: en\n").unwrap();
        let (ok, out) =
            run_pufa(&["db", "migrate", "--source", en.path().to_str().unwrap()], &[("DATABASE_URL", &db.url)]);
        assert!(ok, "{out}");
        assert!(out.contains("up to date, no pending migrations"), "{out}");
        assert!(migrate::status(&db.url).await.unwrap().is_current());

        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let mut child = spawn_server(site.path(), &db.url, port, &["--no-migrate"]);
        wait_healthy(&client, &base, &mut child).await;
        let body = serde_json::json!({"name": "张三", "organization": "school-a", "group": "一班"});
        let r = client.post(format!("{base}/api/competitions/open/attempts")).json(&body).send().await.unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(r.status().is_success(), "a start on the migrated database: {}", r.status());
    }
}

#[tokio::test]
async fn no_migrate_refuses_a_database_migrated_by_a_newer_pufa() {
    let site = site();
    for db in test_dbs().await {
        migrate::apply(&db.url).await.unwrap();
        // What a later pufa with a migration 0999 would have left behind.
        let sql = "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                   VALUES (999, 'later', true, X'00', 1)";
        let sql = if db.is_postgres() { sql.replace("X'00'", "'\\x00'::bytea") } else { sql.to_string() };
        execute(&db.url, &sql).await;
        let status = migrate::status(&db.url).await.unwrap();
        assert_eq!(status.unknown, vec![999]);
        let err = refused_serve(site.path(), &db.url);
        assert!(err.contains("迁移 0999 由更新版本的 pufa 执行；请升级本程序"), "{err}");
    }
}

/// The point of `--no-migrate` on PostgreSQL: servers can run as a role that may not create tables.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_migrate_serves_as_a_role_without_create_rights() {
    let Some(base) = postgres_base() else {
        eprintln!("PUFA_TEST_POSTGRES not set: skipping");
        return;
    };
    let site = site();
    let db = TestDb::postgres(&base).await;
    migrate::apply(&db.url).await.unwrap();
    let schema = db.url.rsplit("search_path%3D").next().unwrap().to_string();
    let role = format!("r_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    for sql in [
        format!("CREATE ROLE {role} LOGIN"),
        format!("GRANT USAGE ON SCHEMA {schema} TO {role}"),
        format!("GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA {schema} TO {role}"),
    ] {
        execute(&base, &sql).await;
    }
    let url = db.url.replacen("postgres@", &format!("{role}@"), 1);
    assert_ne!(url, db.url, "PUFA_TEST_POSTGRES names the user postgres");

    let err = run_pufa(&["db", "migrate", "--database-url", &url], &[]).1;
    let client = reqwest::Client::new();
    let port = free_port();
    let mut child = spawn_server(site.path(), &url, port, &["--no-migrate"]);
    let base_url = format!("http://127.0.0.1:{port}");
    wait_healthy(&client, &base_url, &mut child).await;
    // It writes with those rights alone: a start and a submission are recorded (issue 16: the test only started).
    let who = serde_json::json!({"name": "王五", "organization": "school-a", "group": "一班"});
    let started = client.post(format!("{base_url}/api/competitions/open/attempts")).json(&who).send().await.unwrap();
    assert_eq!(started.status(), reqwest::StatusCode::CREATED);
    let attempt = started.json::<serde_json::Value>().await.unwrap()["attempt"].as_str().unwrap().to_string();
    let answers = serde_json::json!({"answers": {}});
    let submit = client.post(format!("{base_url}/api/attempts/{attempt}/submit")).json(&answers).send().await.unwrap();
    assert_eq!(submit.status(), reqwest::StatusCode::OK);
    child.kill().unwrap();
    child.wait().unwrap();
    let store = pufa::store::Store::open_with(&db.url, false).await.unwrap();
    let row = store.attempt(&attempt).await.unwrap().expect("the attempt is stored");
    assert!(row.submitted_at.is_some(), "the submission is stored");
    store.close(Duration::from_secs(5)).await;
    for sql in [format!("DROP OWNED BY {role}"), format!("DROP ROLE {role}")] {
        execute(&base, &sql).await;
    }
    // Without CREATE rights even the no-op migration check of a migrating start is refused.
    assert!(err.contains("permission denied"), "{err}");
}

/// A database as the first release left it (migration 0001 only), holding two attempts and their responses.
async fn first_schema_with_data(url: &str) {
    use sqlx::migrate::Migrate;
    use sqlx::Connection;
    const ROWS: [&str; 2] = [
        "('a1', 'open', 'school-a', '张三', '一班', 'k1', 1, 7, '[]', 1000, 2000, 1500, '{}', 10, 20, true, 500, 'null')",
        "('a2', 'open', 'school-b', '李四', '二班', 'k2', 1, 8, '[]', 1100, 2100, NULL, NULL, NULL, 20, NULL, NULL, NULL)",
    ];
    let insert = format!("INSERT INTO attempts ({}) VALUES {}", COLUMNS, ROWS.join(", "));
    let responses = "INSERT INTO responses (attempt, question, correct) \
                     VALUES ('a1', 'q1', true), ('a1', 'q2', false), ('a1', 'q3', false)";
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&format!("{url}?mode=rwc")).await.unwrap();
        c.ensure_migrations_table().await.unwrap();
        c.apply(&sqlx::migrate!("migrations/sqlite").migrations[0]).await.unwrap();
        for sql in [insert.as_str(), responses] {
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        c.ensure_migrations_table().await.unwrap();
        c.apply(&sqlx::migrate!("migrations/postgres").migrations[0]).await.unwrap();
        for sql in [insert.as_str(), responses] {
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
    }
}

const COLUMNS: &str = "id, competition, organization, name, grp, participant_key, number, seed, drawn, started_at, \
                       deadline, submitted_at, answers, score, max_score, passed, duration_ms, grade";

/// Issue 4: `pufa migrate` brings a database of the first schema, with results in it, to the current schema on
/// both backends (0002 rebuilds SQLite's responses table, drops PostgreSQL's index; 0003 drops an index of
/// attempts; 0004 adds the sweep's index of open attempts; 0005 adds the survey responses; 0006 the suggestion box's
/// tables; 0007 the certificates; 0008 the attempts' count of departures and the extra-time settings; later
/// ones add tables) and loses nothing.
#[tokio::test]
async fn pufa_migrate_upgrades_a_first_schema_database_without_losing_results() {
    for db in test_dbs().await {
        first_schema_with_data(&db.url).await;
        let status = migrate::status(&db.url).await.unwrap();
        let pending: Vec<i64> = status.pending.iter().map(|m| m.version).collect();
        // Every migration after the first, whichever this version has.
        let later: Vec<i64> =
            sqlx::migrate!("migrations/sqlite").iter().map(|m| m.version).filter(|v| *v > 1).collect();
        assert!(later.starts_with(&[2, 3, 4, 5, 6]), "{later:?}");
        assert_eq!(pending, later, "{status:?}");

        let (ok, out) = run_pufa(&["db", "migrate", "--database-url", &db.url], &[]);
        assert!(ok, "{out}");
        assert!(out.contains("已执行迁移 0002 ") && out.contains("已执行迁移 0004 ") && !out.contains("0001"), "{out}");
        assert!(migrate::status(&db.url).await.unwrap().is_current());

        let store = pufa::store::Store::open_with(&db.url, false).await.unwrap();
        let rows = store.attempts("open").await.unwrap();
        let got: Vec<_> = rows.iter().map(|a| (a.id.as_str(), a.name.as_str(), a.score, a.submitted_at)).collect();
        assert_eq!(got, [("a1", "张三", Some(10), Some(1500)), ("a2", "李四", None, None)], "on {}", db.url);
        let stats = store.question_stats("open").await.unwrap();
        let figures: Vec<_> = stats.iter().map(|s| (s.question.as_str(), s.answered, s.missed)).collect();
        assert_eq!(figures, [("q2", 1, 1), ("q3", 1, 1), ("q1", 1, 0)], "on {}", db.url);
        // The upgraded database takes new results like a fresh one.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("results.jsonl");
        let report = pufa::store::transfer::export(&store, &[], &file).await.unwrap();
        assert_eq!((report.attempts, report.responses), (2, 3));
        store.close(std::time::Duration::from_secs(5)).await;
        let fresh = TestDb::sqlite();
        let store = pufa::store::Store::open(&fresh.url).await.unwrap();
        assert_eq!(pufa::store::transfer::import(&store, &file).await.unwrap().added, 2);
        store.close(std::time::Duration::from_secs(5)).await;
    }
}

async fn execute(url: &str, sql: &str) {
    use sqlx::Connection;
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query(sql).execute(&mut c).await.unwrap();
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query(sql).execute(&mut c).await.unwrap();
    }
}
