//! Issue 12, daily rounds: `attempts_per_day` counts the attempts a participant started on the day (Beijing time
//! unless the competition names another zone) beside the total `attempts`, in the database, so it holds across
//! midnight as the injected clock moves and across two server processes on one database.

use crate::common;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use common::*;
use pufa::quiz::QuizSet;
use pufa::server::{app, AppState, Clock};
use pufa::store::Store;
use serde_json::json;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// `open` allows 3 attempts in all, 1 a day (and its 10-minute limit).
fn daily(set: &mut QuizSet) {
    let comp = set.competitions.get_mut("open").unwrap();
    comp.attempts = 3;
    comp.campaign.attempts_per_day = Some(1);
}

async fn attempt(app: &TestApp) -> (StatusCode, serde_json::Value) {
    let (status, body) = app.start("open", "李雷", "school-a", "三年级二班").await;
    if status == StatusCode::CREATED {
        let attempt = body["attempt"].as_str().unwrap();
        let (s, _) = app.submit(attempt, correct_answers(&app.set, &body["questions"])).await;
        assert_eq!(s, StatusCode::OK);
    }
    (status, body)
}

// See: issue 12 — a Beijing day ends at 16:00 UTC, not at UTC midnight.
#[tokio::test]
async fn the_daily_limit_turns_over_at_midnight_beijing_time() {
    for db in test_dbs().await {
        let app = test_app_with(db, daily).await;
        // t0 is 2026-06-01 16:00 in Beijing.
        let (status, first) = attempt(&app).await;
        assert_eq!((status, first["number"].as_u64()), (StatusCode::CREATED, Some(1)));

        let (status, refused) = attempt(&app).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(refused["error"]["code"], "daily_limit");
        assert_eq!(refused["error"]["next_attempt_at"], "2026-06-02T00:00:00+08:00");
        let message = refused["error"]["message"].as_str().unwrap();
        assert!(message.contains("今天的 1 次答题机会已用完") && message.contains("2026年6月2日 00:00"), "{message}");

        app.set_time(at("2026-06-01T15:59:59Z")); // 23:59:59 in Beijing: still the same day
        assert_eq!(attempt(&app).await.0, StatusCode::CONFLICT);
        app.set_time(at("2026-06-01T16:00:00Z")); // 00:00 the next day
        let (status, second) = attempt(&app).await;
        assert_eq!((status, second["number"].as_u64()), (StatusCode::CREATED, Some(2)));
        app.set_time(at("2026-06-02T00:00:00Z")); // UTC midnight is 08:00 in Beijing: the same day as the second
        assert_eq!(attempt(&app).await.1["error"]["code"], "daily_limit");

        app.set_time(at("2026-06-03T01:00:00Z"));
        assert_eq!(attempt(&app).await.0, StatusCode::CREATED, "the third day");
        app.set_time(at("2026-06-04T01:00:00Z"));
        let (status, done) = attempt(&app).await;
        assert_eq!(
            (status, &done["error"]["code"]),
            (StatusCode::CONFLICT, &json!("attempts_exhausted")),
            "both rules"
        );
    }
}

// An attempt started at 23:59 counts for the day it started, even when it is submitted after midnight; and a
// running attempt is resumed, not refused, whatever the day.
#[tokio::test]
async fn an_attempt_counts_for_the_day_it_started() {
    let app = test_app_with(TestDb::sqlite(), daily).await;
    app.set_time(at("2026-06-01T15:59:00Z"));
    let (status, started) = app.start("open", "韩梅梅", "school-b", "一班").await;
    assert_eq!(status, StatusCode::CREATED);
    app.set_time(at("2026-06-01T16:01:00Z"));
    let (status, again) = app.start("open", "韩梅梅", "school-b", "一班").await;
    assert_eq!(status, StatusCode::CONFLICT, "running elsewhere without the code: {again}");
    assert_eq!(again["error"]["code"], "attempt_in_progress");
    let id = started["attempt"].as_str().unwrap();
    assert_eq!(app.submit(id, json!({})).await.0, StatusCode::OK);
    let (status, next) = app.start("open", "韩梅梅", "school-b", "一班").await;
    assert_eq!(
        (status, next["number"].as_u64()),
        (StatusCode::CREATED, Some(2)),
        "yesterday's attempt counts yesterday"
    );
}

// The count lives in the database: a second process on the same database refuses the participant too.
#[tokio::test]
async fn the_daily_limit_holds_across_two_processes_on_one_database() {
    for db in test_dbs().await {
        let url = db.url.clone();
        let first = test_app_with(db, daily).await;
        let mut set = fixture();
        daily(&mut set);
        let store = Store::open(&url).await.unwrap();
        let hand = first.now.clone();
        let state = AppState::new(set.clone(), store).with_clock(Clock::from_fn(move || *hand.lock().unwrap()));
        let second = TestApp { app: app(state.clone()), state, now: first.now.clone(), set, db: TestDb::sqlite() };

        assert_eq!(attempt(&first).await.0, StatusCode::CREATED);
        assert_eq!(attempt(&second).await.1["error"]["code"], "daily_limit");
        first.advance(chrono::Duration::days(1));
        assert_eq!(attempt(&second).await.0, StatusCode::CREATED);
        assert_eq!(attempt(&first).await.1["error"]["code"], "daily_limit");
    }
}

// The refusal on the landing page says when to come back, and the result page leaves out 再答一次 until then.
#[tokio::test]
async fn the_pages_say_when_the_next_attempt_is_possible() {
    let app = test_app_with(TestDb::sqlite(), daily).await;
    let (attempt, cookie) = app.joined("open", "王芳", "school-a", "二班").await;
    let p = app.post_form(&format!("/quiz/a/{attempt}/submit"), Some(&cookie), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let result = app.get_page(&format!("/quiz/a/{attempt}/result"), Some(&cookie)).await;
    assert!(result.body.contains("2026年6月2日 00:00 起可以再次作答"), "{}", result.body);
    assert!(!result.body.contains("再答一次"));
    let refused = app.join("open", "王芳", "school-a", "二班").await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("今天的 1 次答题机会已用完，2026年6月2日 00:00 起可以再次作答"), "{}", refused.body);
    let landing = app.get_page("/quiz/open/", None).await;
    assert!(landing.body.contains("每人 3 次，每天最多 1 次（北京时间零点起为新的一天）"), "{}", landing.body);
    app.set_time(at("2026-06-01T16:00:00Z"));
    let result = app.get_page(&format!("/quiz/a/{attempt}/result"), Some(&cookie)).await;
    assert!(result.body.contains("再答一次"), "a new day");
}

// The last day: no next day before the close, and the message says so.
#[tokio::test]
async fn on_the_last_day_the_refusal_says_the_competition_closes_first() {
    let app = test_app_with(TestDb::sqlite(), daily).await;
    app.set_time(at("2030-12-31T08:00:00Z"));
    assert_eq!(attempt(&app).await.0, StatusCode::CREATED);
    let (_, refused) = attempt(&app).await;
    assert_eq!(refused["error"]["code"], "daily_limit");
    assert!(refused["error"].get("next_attempt_at").is_none(), "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap().contains("竞赛在明天之前结束"));
}

/// A start of participant `who` at `started_at` (epoch ms) whose day began at `day_start`, one a day.
fn daily_start(i: usize, who: &str, started_at: i64, day_start: i64) -> pufa::store::NewAttempt {
    pufa::store::NewAttempt {
        id: format!("{:032x}", i + 1),
        competition: "c".into(),
        organization: "o".into(),
        name: who.into(),
        grp: "g".into(),
        participant_key: who.into(),
        limit: 5,
        seed: 0,
        drawn: "[]".into(),
        started_at,
        deadline: started_at + 1_000,
        max_score: 10,
        per_day: Some((1, day_start)),
    }
}

// Starts racing in one write batch count each other: of 20 at once on a fresh day one is created, the others
// resume it; once it ended, every start that day is refused, and the next day one is created again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_starts_in_one_batch_keep_the_daily_limit() {
    use pufa::store::StartOutcome;
    for db in test_dbs().await {
        let store = Store::open(&db.url).await.unwrap();
        let race = |base: usize, at: i64, day: i64| {
            let tasks: Vec<_> = (0..20)
                .map(|i| {
                    let store = store.clone();
                    tokio::spawn(async move { store.start(daily_start(base + i, "p", at, day)).await.unwrap() })
                })
                .collect();
            async move {
                let mut out = Vec::new();
                for t in tasks {
                    out.push(t.await.unwrap());
                }
                out
            }
        };
        let first = race(0, 10_000, 0).await;
        assert_eq!(first.iter().filter(|o| matches!(o, StartOutcome::Created(_))).count(), 1, "{first:?}");
        assert!(first.iter().all(|o| matches!(o, StartOutcome::Created(_) | StartOutcome::Resumed(_))));
        // After its deadline, the same day: refused. The next day: one more.
        let later = race(100, 20_000, 0).await;
        assert!(later.iter().all(|o| *o == StartOutcome::DailyLimit), "{later:?}");
        let next_day = race(200, 90_000, 86_400).await;
        let numbers: Vec<i64> = next_day
            .iter()
            .filter_map(|o| if let StartOutcome::Created(r) = o { Some(r.number) } else { None })
            .collect();
        assert_eq!(numbers, [2]);
        drop(db);
    }
}
