//! Start, resume and submit through the JSON API: draw, no answer leak, resume of a running attempt,
//! idempotent submits (sequential and racing), attempt limits under concurrent starts.

use crate::common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

#[tokio::test]
async fn start_draws_per_rules_and_leaks_no_answers() {
    each_backend(|t| async move {
        let (status, body) = t.start("open", "张三", "school-a", "初一(2)班").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let qs = body["questions"].as_array().unwrap();
        assert_eq!(qs.len(), 5);
        let kinds = count_by(qs.iter().map(|q| q["type"].as_str().unwrap().to_string()));
        assert_eq!(kinds["single"], 2);
        assert_eq!(kinds["multiple"], 1);
        assert_eq!(kinds["judge"], 2);
        assert_eq!(body["attempt"].as_str().unwrap().len(), 32);
        assert!(body["deadline"].as_str().unwrap().starts_with("2026-06-01T08:10:00"));
        let text = body.to_string();
        for forbidden in ["EXPLAIN-", "BASIS-", "\"answer\"", "explanation", "basis"] {
            assert!(!text.contains(forbidden), "start response leaks {forbidden}: {text}");
        }
        // The resume view leaks nothing either.
        let (status, view) = t.get(&format!("/api/attempts/{}", body["attempt"].as_str().unwrap())).await;
        assert_eq!(status, StatusCode::OK);
        let text = view.to_string();
        assert!(!text.contains("EXPLAIN-") && !text.contains("BASIS-"), "{text}");
        assert_eq!(view["questions"], body["questions"]);
        assert_eq!(view["result"], serde_json::Value::Null);
    })
    .await;
}

#[tokio::test]
async fn the_same_participant_resumes_the_same_attempt_with_the_same_deadline() {
    each_backend(|t| async move {
        let (s1, first) = t.start("open", "李四", "school-a", "初二(1)班").await;
        assert_eq!(s1, StatusCode::CREATED);
        t.advance(chrono::Duration::minutes(3));
        // Another device, with stray whitespace and the resume code: still the same participant and attempt.
        let code = first["resume_code"].as_str().unwrap().to_lowercase();
        let body = json!({"name": "  李四 ", "organization": "school-a", "group": "初二(1)班 ", "resume_code": code});
        let (s2, again) = t.post("/api/competitions/open/attempts", body).await;
        assert_eq!(s2, StatusCode::OK, "{again}");
        assert_eq!(again["attempt"], first["attempt"]);
        assert_eq!(again["deadline"], first["deadline"]);
        assert_eq!(again["questions"], first["questions"]);
        assert_eq!(again["resumed"], true);
        // Another group is another participant.
        let (s3, other) = t.start("open", "李四", "school-a", "初二(2)班").await;
        assert_eq!(s3, StatusCode::CREATED);
        assert_ne!(other["attempt"], first["attempt"]);
    })
    .await;
}

#[tokio::test]
async fn full_marks_for_the_right_answers_and_results_with_explanations() {
    each_backend(|t| async move {
        let (_, started) = t.start("open", "王五", "school-b", "三年级").await;
        let answers = correct_answers(&t.set, &started["questions"]);
        let (status, result) = t.submit(started["attempt"].as_str().unwrap(), answers).await;
        assert_eq!(status, StatusCode::OK, "{result}");
        assert_eq!(result["score"], 100);
        assert_eq!(result["max_score"], 100);
        assert_eq!(result["passed"], true);
        let results = result["results"].as_array().unwrap();
        assert_eq!(results.len(), 5);
        for r in results {
            assert_eq!(r["correct"], true);
            assert!(r["explanation"].as_str().unwrap().starts_with("EXPLAIN-"));
            assert!(r["basis"].as_str().unwrap().starts_with("BASIS-"));
        }
        // The stored grade keeps scores and letters; explanation and basis are the banks', not copied per attempt.
        let row = t.state.store.attempt(started["attempt"].as_str().unwrap()).await.unwrap().unwrap();
        let stored = row.grade.unwrap();
        assert!(stored.contains("\"given\"") && !stored.contains("EXPLAIN-") && !stored.contains("BASIS-"), "{stored}");
        let (_, again) = t.get(&format!("/api/attempts/{}", started["attempt"].as_str().unwrap())).await;
        assert_eq!(again["result"]["results"], result["results"], "the result reads back the same");
    })
    .await;
}

#[tokio::test]
async fn a_repeated_submit_returns_the_stored_result_and_counts_once() {
    each_backend(|t| async move {
        let (_, started) = t.start("open", "赵六", "school-a", "初三(1)班").await;
        let id = started["attempt"].as_str().unwrap();
        let qs = ids(&started["questions"]);
        let first_answers = answers_with(&t.set, &started["questions"], &[&qs[0]]);
        let (_, first) = t.submit(id, first_answers).await;
        // A later, better submit must not replace the first.
        let (status, second) = t.submit(id, correct_answers(&t.set, &started["questions"])).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(first, second);
        let board = t.get("/api/competitions/open/leaderboard").await.1;
        assert_eq!(board["participants"], 1);
        assert_eq!(t.state.store.submitted("open").await.unwrap().len(), 1);
    })
    .await;
}

// Races run on worker threads, so the racers really run at once (issue 16).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_submits_of_one_attempt_count_once() {
    each_backend(|t| async move {
        let (_, started) = t.start("open", "钱七", "school-a", "初一(1)班").await;
        let id = started["attempt"].as_str().unwrap().to_string();
        let mut tasks = Vec::new();
        for i in 0..16 {
            // Half answer everything right, half answer only one question: whichever commits first wins for all.
            let answers = if i % 2 == 0 {
                correct_answers(&t.set, &started["questions"])
            } else {
                answers_with(&t.set, &started["questions"], &[])
            };
            let app = t.app.clone();
            let id = id.clone();
            tasks.push(tokio::spawn(async move {
                let req = axum::http::Request::post(format!("/api/attempts/{id}/submit"))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(json!({"answers": answers}).to_string()))
                    .unwrap();
                let resp = tower::ServiceExt::oneshot(app, req).await.unwrap();
                assert_eq!(resp.status(), StatusCode::OK);
                let bytes = http_body_util::BodyExt::collect(resp.into_body()).await.unwrap().to_bytes();
                serde_json::from_slice::<serde_json::Value>(&bytes).unwrap()
            }));
        }
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        assert!(results.windows(2).all(|w| w[0] == w[1]), "racing submits saw different results");
        let stored = t.state.store.submitted("open").await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].score.unwrap(), results[0]["score"].as_i64().unwrap());
        let stats = t.state.store.question_stats("open").await.unwrap();
        assert!(stats.iter().all(|s| s.answered == 1), "responses written more than once: {stats:?}");
    })
    .await;
}

// Races run on worker threads, so the racers really run at once (issue 16).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_starts_never_exceed_the_attempt_limit() {
    each_backend(|t| async move {
        let burst = |t: &TestApp| {
            let mut tasks = Vec::new();
            for _ in 0..12 {
                let app = t.app.clone();
                tasks.push(tokio::spawn(async move {
                    let body = json!({"name": "孙八", "organization": "firm-a", "group": "安全部"});
                    let req = axum::http::Request::post("/api/competitions/open/attempts")
                        .header("content-type", "application/json")
                        .body(axum::body::Body::from(body.to_string()))
                        .unwrap();
                    let resp = tower::ServiceExt::oneshot(app, req).await.unwrap();
                    let status = resp.status();
                    let bytes = http_body_util::BodyExt::collect(resp.into_body()).await.unwrap().to_bytes();
                    (status, serde_json::from_slice::<serde_json::Value>(&bytes).unwrap())
                }));
            }
            tasks
        };
        let mut attempts = std::collections::HashSet::new();
        for round in 0..3 {
            let mut created = 0;
            let mut exhausted = 0;
            for task in burst(&t) {
                let (status, body) = task.await.unwrap();
                match status {
                    StatusCode::CREATED => created += 1,
                    StatusCode::CONFLICT if body["error"]["code"] == "attempt_in_progress" => continue,
                    StatusCode::CONFLICT => {
                        exhausted += 1;
                        assert_eq!(body["error"]["code"], "attempts_exhausted");
                        continue;
                    }
                    s => panic!("unexpected {s}: {body}"),
                }
                attempts.insert(body["attempt"].as_str().unwrap().to_string());
            }
            if round < 2 {
                assert_eq!(created, 1, "round {round}: one new attempt, the others are told it is in progress");
                for a in &attempts {
                    t.submit(a, json!({})).await;
                }
            } else {
                assert_eq!(exhausted, 12, "the limit of 2 is used up");
            }
        }
        assert_eq!(attempts.len(), 2);
        assert_eq!(t.state.store.attempts("open").await.unwrap().len(), 2);
    })
    .await;
}

/// The opening and closing instants are exact (issue 16, a mutant of `start` that cargo-mutants found alive):
/// a start at the opening second is taken, one a second earlier is not yet open, one at the closing second is late.
#[tokio::test]
async fn a_competition_opens_and_closes_at_its_exact_seconds() {
    let t = test_app().await;
    let opens: chrono::DateTime<chrono::Utc> = "2031-01-01T00:00:00+08:00".parse().unwrap();
    let closes: chrono::DateTime<chrono::Utc> = "2031-12-31T00:00:00+08:00".parse().unwrap();
    let code = |body: &serde_json::Value| body["error"]["code"].as_str().map(String::from);
    t.set_time(opens - chrono::Duration::seconds(1));
    let (s, body) = t.start("later", "甲", "school-a", "一班").await;
    assert_eq!((s, code(&body).as_deref()), (StatusCode::FORBIDDEN, Some("not_open")));
    t.set_time(opens);
    let (s, body) = t.start("later", "乙", "school-a", "一班").await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    t.set_time(closes);
    let (s, body) = t.start("later", "丙", "school-a", "一班").await;
    assert_eq!((s, code(&body).as_deref()), (StatusCode::FORBIDDEN, Some("closed")));
}

/// A grade stored by an earlier version carries its own explanation and basis: the result shows those, not
/// the bank's current text (which may have been corrected since).
#[tokio::test]
async fn a_stored_explanation_is_shown_as_it_was_graded() {
    let t = test_app().await;
    let (_, started) = t.start("open", "吴一", "school-a", "一班").await;
    let id = started["attempt"].as_str().unwrap();
    let (_, result) = t.submit(id, correct_answers(&t.set, &started["questions"])).await;
    let first = result["results"][0]["id"].as_str().unwrap().to_string();
    let bank_text = t.set.question(&first).unwrap().explanation.clone();
    assert_eq!(result["results"][0]["explanation"], bank_text.as_str());
    let mut c: sqlx::SqliteConnection = sqlx::Connection::connect(&t.db.url).await.unwrap();
    let sql = "UPDATE attempts SET grade = json_set(grade, '$.results[0].explanation', '旧版解析') WHERE id = ?";
    let done = sqlx::query(sql).bind(id).execute(&mut c).await.unwrap();
    assert_eq!(done.rows_affected(), 1);
    let (_, view) = t.get(&format!("/api/attempts/{id}")).await;
    let shown = view["result"]["results"].as_array().or(view["results"].as_array()).expect("results").clone();
    let row = shown.iter().find(|r| r["id"] == first.as_str()).unwrap();
    assert_eq!(row["explanation"], "旧版解析", "{view}");
}
