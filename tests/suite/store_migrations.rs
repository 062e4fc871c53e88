//! Upgrading a database: a SQLite file written by the first schema keeps every attempt and response when
//! `Store::open` applies the later migrations, and the per-question figures read the same afterwards.

use sqlx::migrate::Migrate;
use sqlx::Connection;

#[tokio::test]
async fn a_first_schema_database_keeps_its_responses_through_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    let url = format!("sqlite:{}?mode=rwc", path.display());
    {
        // A database as the first release left it: only migration 1 applied, with a submitted attempt.
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        let migrator = sqlx::migrate!("migrations/sqlite");
        conn.ensure_migrations_table().await.unwrap();
        conn.apply(&migrator.migrations[0]).await.unwrap();
        sqlx::query(
            "INSERT INTO attempts (id, competition, organization, name, grp, participant_key, number, seed, drawn, \
             started_at, deadline, submitted_at, answers, score, max_score, passed, duration_ms, grade) \
             VALUES ('a1', 'c', 'o', '张三', '一班', 'k', 1, 7, '[]', 1000, 2000, 1500, '{}', 10, 20, 0, 500, 'null')",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        for (q, correct) in [("q1", true), ("q2", false), ("q3", false)] {
            sqlx::query("INSERT INTO responses (attempt, question, correct) VALUES ('a1', $1, $2)")
                .bind(q)
                .bind(correct)
                .execute(&mut conn)
                .await
                .unwrap();
        }
        conn.close().await.unwrap();
    }
    let store = pufa::store::Store::open(&format!("sqlite:{}", path.display())).await.unwrap();
    let stats = store.question_stats("c").await.unwrap();
    let figures: Vec<(&str, i64, i64)> = stats.iter().map(|s| (s.question.as_str(), s.answered, s.missed)).collect();
    assert_eq!(figures, [("q2", 1, 1), ("q3", 1, 1), ("q1", 1, 0)]);
    assert_eq!(store.submitted("c").await.unwrap()[0].name, "张三");
    store.close(std::time::Duration::from_secs(5)).await;
}

#[test]
fn attempt_ids_are_unguessable_hex_and_sort_by_start_time() {
    let a = pufa::server::flow::attempt_id(1_780_000_000_000);
    let b = pufa::server::flow::attempt_id(1_780_000_000_000);
    let later = pufa::server::flow::attempt_id(1_780_000_000_001);
    for id in [&a, &b, &later] {
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{id}");
    }
    assert_ne!(a, b, "the random part differs within one millisecond");
    assert_eq!(a[..12], b[..12]);
    assert!(a < later && b < later, "ids of a later moment sort after");
    // 80 random bits: over many ids, every random hex digit position takes many values.
    let ids: Vec<String> = (0..200).map(|_| pufa::server::flow::attempt_id(5)).collect();
    for pos in 12..32 {
        let distinct: std::collections::HashSet<u8> = ids.iter().map(|i| i.as_bytes()[pos]).collect();
        assert!(distinct.len() > 8, "position {pos} barely varies");
    }
}
