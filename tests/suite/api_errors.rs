//! Every bad input gets a 4xx with a stable code and a Chinese message; a deadline is enforced with a fake clock.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::json;

#[tokio::test]
async fn bad_starts_are_refused_with_chinese_messages() {
    each_backend(|t| async move {
        let long = "长".repeat(33);
        let cases: Vec<(&str, serde_json::Value, StatusCode, &str)> = vec![
            (
                "open",
                json!({"name": "", "organization": "school-a", "group": "一班"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "name_empty",
            ),
            (
                "open",
                json!({"name": "   ", "organization": "school-a", "group": "一班"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "name_empty",
            ),
            (
                "open",
                json!({"name": long, "organization": "school-a", "group": "一班"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "name_too_long",
            ),
            (
                "open",
                json!({"name": "甲", "organization": "school-a", "group": ""}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "group_empty",
            ),
            (
                "open",
                json!({"name": "甲", "organization": "school-a", "group": long}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "group_too_long",
            ),
            (
                "open",
                json!({"name": "甲", "organization": "nowhere", "group": "一班"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_organization",
            ),
            (
                "nope",
                json!({"name": "甲", "organization": "school-a", "group": "一班"}),
                StatusCode::NOT_FOUND,
                "unknown_competition",
            ),
            (
                "schools",
                json!({"name": "甲", "organization": "firm-a", "group": "一部"}),
                StatusCode::FORBIDDEN,
                "kind_not_admitted",
            ),
            (
                "later",
                json!({"name": "甲", "organization": "school-a", "group": "一班"}),
                StatusCode::FORBIDDEN,
                "not_open",
            ),
            (
                "closed",
                json!({"name": "甲", "organization": "school-a", "group": "一班"}),
                StatusCode::FORBIDDEN,
                "closed",
            ),
            ("open", json!({"name": "甲", "organization": "school-a"}), StatusCode::BAD_REQUEST, "malformed_json"),
            (
                "open",
                json!({"name": 5, "organization": "school-a", "group": "一班"}),
                StatusCode::BAD_REQUEST,
                "malformed_json",
            ),
        ];
        for (comp, body, status, code) in cases {
            let (got, err) = t.post(&format!("/api/competitions/{comp}/attempts"), body.clone()).await;
            assert_eq!(got, status, "{comp} {body}: {err}");
            assert_eq!(err["error"]["code"], code, "{comp} {body}");
            let message = err["error"]["message"].as_str().unwrap();
            assert!(message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "not Chinese: {message}");
        }
        assert!(t.state.store.attempts("open").await.unwrap().is_empty(), "a refused start left a row");
    })
    .await;
}

async fn raw_post(
    t: &TestApp,
    uri: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let mut req = Request::post(uri);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let (status, _, bytes) = t.raw(req.body(Body::from(body)).unwrap()).await;
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}

#[tokio::test]
async fn malformed_json_wrong_content_type_and_oversized_bodies() {
    each_backend(|t| async move {
        let uri = "/api/competitions/open/attempts";
        let (s, e) = raw_post(&t, uri, Some("application/json"), b"{\"name\": ".to_vec()).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed_json")));
        let (s, e) = raw_post(&t, uri, Some("text/plain"), b"{}".to_vec()).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("content_type")));
        let (s, e) = raw_post(&t, uri, None, b"{}".to_vec()).await;
        assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{e}");
        let huge = json!({"name": "x".repeat(100 * 1024), "organization": "school-a", "group": "一班"});
        let (s, e) = raw_post(&t, uri, Some("application/json"), huge.to_string().into_bytes()).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large")));
    })
    .await;
}

#[tokio::test]
async fn unknown_attempts_are_404() {
    each_backend(|t| async move {
        for id in ["0123456789abcdef0123456789abcdef", "short", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"] {
            let (s, e) = t.get(&format!("/api/attempts/{id}")).await;
            assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_attempt")), "{id}");
            let (s, e) = t.submit(id, json!({})).await;
            assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_attempt")), "{id}");
        }
        let (s, _) = t.get("/api/competitions/nope").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = t.get("/api/competitions/nope/leaderboard").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn a_submit_within_the_grace_counts_and_a_late_one_is_graded_empty() {
    each_backend(|t| async move {
        let (_, on_time) = t.start("open", "甲", "school-a", "一班").await;
        let (_, late) = t.start("open", "乙", "school-a", "一班").await;
        // Ten minutes of time limit plus 20 s: inside the 30 s grace.
        t.advance(chrono::Duration::seconds(10 * 60 + 20));
        let answers = correct_answers(&t.set, &on_time["questions"]);
        let (s, r) = t.submit(on_time["attempt"].as_str().unwrap(), answers).await;
        assert_eq!((s, r["score"].as_i64()), (StatusCode::OK, Some(100)));
        assert_eq!(r["duration_ms"], 600_000, "time taken is capped at the time limit");
        // Past the grace: the answers are ignored.
        t.advance(chrono::Duration::seconds(11));
        let answers = correct_answers(&t.set, &late["questions"]);
        let (s, r) = t.submit(late["attempt"].as_str().unwrap(), answers).await;
        assert_eq!((s, r["score"].as_i64()), (StatusCode::OK, Some(0)), "{r}");
        assert!(r["results"].as_array().unwrap().iter().all(|q| q["given"] == json!([])));
        // After its deadline an unsubmitted attempt is no longer resumed: the participant gets a new one.
        let (_, third) = t.start("open", "丙", "school-a", "一班").await;
        t.advance(chrono::Duration::minutes(11));
        let (s, fresh) = t.start("open", "丙", "school-a", "一班").await;
        assert_eq!(s, StatusCode::CREATED);
        assert_ne!(fresh["attempt"], third["attempt"]);
    })
    .await;
}

#[tokio::test]
async fn a_deadline_never_passes_the_close_and_after_close_hides_the_key_until_then() {
    each_backend(|t| async move {
        // Two minutes before `schools` closes (2027-01-01T00:00+08:00); its time limit is 5 minutes.
        t.set_time("2026-12-31T15:58:00Z".parse().unwrap());
        let (s, started) = t.start("schools", "丁", "school-b", "六年级").await;
        assert_eq!(s, StatusCode::CREATED, "{started}");
        assert!(started["deadline"].as_str().unwrap().starts_with("2026-12-31T16:00:00"), "{started}");
        let id = started["attempt"].as_str().unwrap().to_string();
        let (_, r) = t.submit(&id, correct_answers(&t.set, &started["questions"])).await;
        assert_eq!(r["score"], 100);
        assert_eq!(r["answers_shown"], false);
        let text = r.to_string();
        assert!(!text.contains("EXPLAIN-") && !text.contains("BASIS-"), "{text}");
        t.set_time("2026-12-31T16:00:01Z".parse().unwrap());
        let (_, view) = t.get(&format!("/api/attempts/{id}")).await;
        assert_eq!(view["result"]["answers_shown"], true);
        assert!(view["result"]["results"][0]["explanation"].as_str().unwrap().starts_with("EXPLAIN-"));
    })
    .await;
}
