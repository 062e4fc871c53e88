//! Issue 10: an attempt nobody submits is graded by the server from its saved answers once deadline + grace have
//! passed (the sweep), and counts in the ranking and the exports: once, also when a submit or another process's
//! sweep races it, and also when it expired while the server was down.

use crate::common;

use std::collections::HashMap;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use common::*;
use pufa::server::sweep::{self, Sweeper};
use pufa::server::{AppState, Clock};
use pufa::store::Store;
use serde_json::{json, Value};

/// Starts an attempt of `open` in group `group` and saves answers, the first `right` presented ones correct; its id.
async fn started_with_saved(t: &TestApp, group: &str, right: usize) -> String {
    let (s, started) = t.start("open", "周九", "school-a", group).await;
    assert_eq!(s, StatusCode::CREATED, "{started}");
    let id = started["attempt"].as_str().unwrap().to_string();
    let all = ids(&started["questions"]);
    let keep: Vec<&str> = all.iter().take(right).map(String::as_str).collect();
    let answers = answers_with(&t.set, &started["questions"], &keep);
    let (s, saved) =
        t.json(Method::PUT, &format!("/api/attempts/{id}/answers"), Some(json!({"answers": answers}))).await;
    assert_eq!((s, saved["saved"].as_bool()), (StatusCode::OK, Some(true)), "{saved}");
    id
}

/// Group → score of the individuals on the public leaderboard, and its participant count.
async fn ranked(t: &TestApp) -> (HashMap<String, u64>, u64) {
    let (s, board) = t.get("/api/competitions/open/leaderboard").await;
    assert_eq!(s, StatusCode::OK, "{board}");
    let people = board["individuals"].as_array().unwrap();
    let scores = people.iter().map(|p| (p["group"].as_str().unwrap().to_string(), p["score"].as_u64().unwrap()));
    (scores.collect(), board["participants"].as_u64().unwrap())
}

/// How many per-question responses the organizer's figures count for `open`.
async fn responses(t: &TestApp) -> i64 {
    t.state.store.question_stats("open").await.unwrap().iter().map(|s| s.answered).sum()
}

#[tokio::test]
async fn an_expired_attempt_is_graded_from_its_saved_answers_and_ranked() {
    each_backend(|t| async move {
        let all = started_with_saved(&t, "全对班", 5).await;
        let none = started_with_saved(&t, "全错班", 0).await;
        let (_, view) = t.get(&format!("/api/attempts/{all}")).await;
        let deadline = view["deadline"].as_str().unwrap().to_string();
        assert_eq!(ranked(&t).await.1, 0, "nobody has submitted yet");

        // 10 min limit + 30 s grace, and one second more.
        t.advance(chrono::Duration::seconds(10 * 60 + 31));
        let swept = sweep::sweep(&t.state).await.unwrap();
        assert_eq!((swept.graded, swept.already, swept.skipped), (2, 0, 0));

        let (scores, participants) = ranked(&t).await;
        assert_eq!(participants, 2);
        assert_eq!((scores["全对班"], scores["全错班"]), (100, 0), "{scores:?}");
        let (_, view) = t.get(&format!("/api/attempts/{all}")).await;
        let result = &view["result"];
        assert_eq!(result["score"], 100, "{view}");
        let at: chrono::DateTime<chrono::Utc> = result["submitted_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(at, deadline.parse::<chrono::DateTime<chrono::Utc>>().unwrap(), "submitted at its deadline");
        assert_eq!(result["duration_ms"], 600_000, "the whole time limit");
        assert_eq!(responses(&t).await, 10, "each attempt's 5 responses count in the figures");

        // The participant coming back late sees the graded result; a second sweep grades nothing again.
        let (s, late) = t.submit(&none, json!({})).await;
        assert_eq!((s, late["score"].as_u64()), (StatusCode::OK, Some(0)), "{late}");
        assert_eq!(sweep::sweep(&t.state).await.unwrap(), sweep::Swept::default());

        // The export lists both with their scores.
        let body = admin_csv(&t).await;
        assert!(
            body.lines().filter(|l| l.contains("周九")).all(|l| l.contains(",100,") || l.contains(",0,")),
            "{body}"
        );
    })
    .await;
}

async fn admin_csv(t: &TestApp) -> String {
    let req = axum::http::Request::get("/api/competitions/open/results.csv")
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let (s, _, body) = t.raw(req).await;
    assert_eq!(s, StatusCode::OK);
    String::from_utf8(body).unwrap()
}

// Races run on worker threads, so the racers really run at once (issue 16).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_attempt_within_its_grace_is_left_to_its_participant() {
    each_backend(|t| async move {
        let id = started_with_saved(&t, "一班", 1).await;
        t.advance(chrono::Duration::seconds(10 * 60 + 29));
        assert_eq!(sweep::sweep(&t.state).await.unwrap(), sweep::Swept::default());
        assert_eq!(ranked(&t).await.1, 0);
        // Still within grace: what the participant sends now is what counts.
        let all = ids(&t.get(&format!("/api/attempts/{id}")).await.1["questions"]);
        let questions = t.get(&format!("/api/attempts/{id}")).await.1["questions"].clone();
        let right = answers_with(&t.set, &questions, &all.iter().map(String::as_str).collect::<Vec<_>>());
        let (s, result) = t.submit(&id, right).await;
        assert_eq!((s, result["score"].as_u64()), (StatusCode::OK, Some(100)), "{result}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_sweeps_and_submits_count_each_attempt_once() {
    each_backend(|t| async move {
        const N: usize = 12;
        let mut attempts = Vec::new();
        for i in 0..N {
            attempts.push(started_with_saved(&t, &format!("{i}班"), 5).await);
        }
        t.advance(chrono::Duration::minutes(11));
        // A second process on the same database, with its own store and writer.
        let other = AppState::new(t.set.clone(), Store::open(&t.db.url).await.unwrap())
            .with_clock(Clock::from_fn(|| t0() + chrono::Duration::minutes(11)));
        let mut tasks = Vec::new();
        for state in [t.state.clone(), other.clone()] {
            tasks.push(tokio::spawn(async move { sweep::sweep(&state).await.unwrap() }));
        }
        let submits: Vec<_> = attempts
            .iter()
            .map(|id| {
                let (app, uri) = (t.app.clone(), format!("/api/attempts/{id}/submit"));
                tokio::spawn(async move { post(app, &uri).await })
            })
            .collect();
        let mut graded = 0;
        for task in tasks {
            let s = task.await.unwrap();
            assert_eq!(s.skipped, 0);
            graded += s.graded;
        }
        for s in submits {
            let (status, result) = s.await.unwrap();
            assert_eq!((status, result["score"].as_u64()), (StatusCode::OK, Some(100)), "{result}");
        }
        assert!(graded <= N as u64);
        let (scores, participants) = ranked(&t).await;
        assert_eq!(participants, N as u64);
        assert!(scores.values().all(|&s| s == 100), "{scores:?}");
        assert_eq!(responses(&t).await, 5 * N as i64, "every attempt's responses recorded once");
        other.store.clone().close(Duration::from_secs(5)).await;
    })
    .await;
}

async fn post(app: axum::Router, uri: &str) -> (StatusCode, Value) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let req = axum::http::Request::post(uri)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(json!({"answers": {}}).to_string()))
        .unwrap();
    let resp = app.oneshot(req).await.unwrap();
    let status = resp.status();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_start_up_sweep_grades_attempts_that_expired_while_the_server_was_down() {
    each_backend(|t| async move {
        started_with_saved(&t, "停机班", 5).await;
        // The server stops with the attempt running, and comes back after its deadline.
        t.state.store.clone().close(Duration::from_secs(5)).await;
        let store = Store::open(&t.db.url).await.unwrap();
        let later = std::sync::Arc::new(std::sync::Mutex::new(t0() + chrono::Duration::hours(2)));
        let hand = later.clone();
        let state =
            AppState::new(t.set.clone(), store.clone()).with_clock(Clock::from_fn(move || *hand.lock().unwrap()));
        let restarted = TestApp { app: pufa::server::app(state.clone()), state: state.clone(), ..t };
        assert_eq!(ranked(&restarted).await.1, 0);
        let mut sweeper = Sweeper::spawn(state, Duration::from_secs(3600));
        sweeper.ran(1).await;
        sweeper.stop().await;
        // The public board is computed at most once a second: look again once that has passed.
        *later.lock().unwrap() += chrono::Duration::seconds(2);
        let (scores, participants) = ranked(&restarted).await;
        assert_eq!((participants, scores.get("停机班")), (1, Some(&100)), "{scores:?}");
        store.close(Duration::from_secs(5)).await;
    })
    .await;
}
