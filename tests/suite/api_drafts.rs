//! Saved answers: shown on resume, graded when the participant runs out of time, refused once submitted or late.

use crate::common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::json;

#[tokio::test]
async fn saved_answers_resume_and_are_graded_after_the_deadline() {
    each_backend(|t| async move {
        let (_, started) = t.start("open", "周九", "school-a", "一班").await;
        let id = started["attempt"].as_str().unwrap();
        let right = correct_answers(&t.set, &started["questions"]);
        let uri = format!("/api/attempts/{id}/answers");
        let (s, saved) = t.json(Method::PUT, &uri, Some(json!({"answers": right}))).await;
        assert_eq!((s, saved["saved"].as_bool()), (StatusCode::OK, Some(true)), "{saved}");
        let (_, view) = t.get(&format!("/api/attempts/{id}")).await;
        assert_eq!(view["saved"], right);
        // Out of time (10 min limit + 30 s grace): a different late submission is ignored, the saved answers count.
        t.advance(chrono::Duration::minutes(11));
        let (s, late_save) = t.json(Method::PUT, &uri, Some(json!({"answers": {}}))).await;
        assert_eq!((s, late_save["saved"].as_bool()), (StatusCode::OK, Some(false)));
        let (_, result) = t.submit(id, json!({})).await;
        assert_eq!(result["score"], 100, "{result}");
        let (_, after) = t.json(Method::PUT, &uri, Some(json!({"answers": {}}))).await;
        assert_eq!(after["saved"], false, "a submitted attempt takes no more saves");
    })
    .await;
}

/// Saves are taken until the deadline plus the grace (a phone that lost the network for a moment), not after.
#[tokio::test]
async fn saves_in_the_grace_after_the_deadline_count() {
    each_backend(|t| async move {
        let (_, started) = t.start("open", "周十", "school-a", "一班").await;
        let id = started["attempt"].as_str().unwrap();
        let right = correct_answers(&t.set, &started["questions"]);
        let uri = format!("/api/attempts/{id}/answers");
        // 10 min limit: 20 s after the deadline is within the 30 s grace.
        t.advance(chrono::Duration::seconds(10 * 60 + 20));
        let (s, saved) = t.json(Method::PUT, &uri, Some(json!({"answers": right}))).await;
        assert_eq!((s, saved["saved"].as_bool()), (StatusCode::OK, Some(true)), "{saved}");
        t.advance(chrono::Duration::seconds(11));
        let (_, late) = t.json(Method::PUT, &uri, Some(json!({"answers": {}}))).await;
        assert_eq!(late["saved"], false, "{late}");
        let (_, result) = t.submit(id, json!({})).await;
        assert_eq!(result["score"], 100, "the answers saved in the grace are graded: {result}");
    })
    .await;
}
