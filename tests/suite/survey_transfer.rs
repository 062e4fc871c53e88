//! Survey responses move with `pufa export` / `pufa import` (issue 13): a whole export carries them, an import
//! on either backend gives the same summary, twice counts once, a response stored with other values imports
//! nothing and names its line, and files of version 1 (attempts only) still import.

use std::path::Path;

use serde_json::{json, Value};

use crate::common::*;
use pufa::store::transfer::{self, TransferError};

async fn answered() -> TestApp {
    let t = test_app().await;
    let bodies = [
        json!({"organization": "school-a", "town": "城关镇", "answers": {"q1": 5, "q2": 4, "q3": "B", "q4": ["A"], "q5": "多宣传"}}),
        json!({"organization": "school-b", "town": "新华镇", "answers": {"q1": 2, "q2": 3, "q3": "A", "q4": ["C", "D"]}}),
        json!({"organization": "firm-a", "town": "城关镇", "answers": {"q1": 4, "q2": 4, "q3": "D", "q4": ["B"]}}),
    ];
    for (i, b) in bodies.into_iter().enumerate() {
        t.advance(chrono::Duration::minutes(i as i64));
        let (status, v) = t.post("/api/surveys/manyi/responses", b).await;
        assert_eq!(status.as_u16(), 201, "{v}");
    }
    t
}

async fn summary(t: &TestApp) -> Value {
    let req = axum::http::Request::get("/api/surveys/manyi/summary")
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(axum::body::Body::empty())
        .unwrap();
    serde_json::from_slice(&t.raw(req).await.2).unwrap()
}

fn lines(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file).unwrap().lines().map(str::to_string).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survey_responses_move_between_databases_and_twice_counts_once() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("1.jsonl"), dir.path().join("2.jsonl"));
    let src = answered().await;
    let want = summary(&src).await;
    let report = transfer::export(&src.state.store, &[], &first).await.unwrap();
    assert_eq!(report.survey_responses, 3);
    let header: Value = serde_json::from_str(&lines(&first)[0]).unwrap();
    assert_eq!(
        (&header["version"], &header["surveys"], &header["survey_responses"]),
        (&json!(2), &json!(["manyi"]), &json!(3))
    );
    // Exporting chosen competitions leaves the surveys out.
    let some = dir.path().join("some.jsonl");
    transfer::export(&src.state.store, &["open".into()], &some).await.unwrap();
    assert_eq!(serde_json::from_str::<Value>(&lines(&some)[0]).unwrap()["survey_responses"], 0);

    for db in test_dbs().await {
        let t = test_app_on(db).await;
        let r = transfer::import(&t.state.store, &first).await.unwrap();
        assert_eq!((r.survey_added, r.survey_unchanged), (3, 0), "on {}", t.db.url);
        let r = transfer::import(&t.state.store, &first).await.unwrap();
        assert_eq!((r.survey_added, r.survey_unchanged), (0, 3));
        assert_eq!(summary(&t).await, want, "the same summary on {}", t.db.url);
        transfer::export(&t.state.store, &[], &second).await.unwrap();
        assert_eq!(lines(&first)[1..], lines(&second)[1..], "the same lines back out of {}", t.db.url);
    }
}

#[tokio::test]
async fn a_response_stored_otherwise_imports_nothing_and_old_files_still_import() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("all.jsonl");
    let src = answered().await;
    transfer::export(&src.state.store, &[], &file).await.unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let mut all = lines(&file);
    let mut changed: Value = serde_json::from_str(&all[2]).unwrap();
    changed["survey_response"]["town"] = json!("山区乡");
    all[2] = changed.to_string();
    let edited = dir.path().join("edited.jsonl");
    std::fs::write(&edited, all.join("\n") + "\n").unwrap();
    let t = test_app().await;
    transfer::import(&t.state.store, &file).await.unwrap();
    match transfer::import(&t.state.store, &edited).await {
        Err(TransferError::Conflicts(d)) => {
            assert!(d.to_string().contains("edited.jsonl:3: survey response"), "{d}");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(t.state.store.survey_responses("manyi").await.unwrap().len(), 3);

    // Malformed files name their line and import nothing.
    let header: Value = serde_json::from_str(&lines(&file)[0]).unwrap();
    let cases = [
        (text.replacen("\"survey_responses\":3", "\"survey_responses\":4", 1), "expected 4 survey response line(s)"),
        (text.replacen("\"surveys\":[\"manyi\"]", "\"surveys\":[]", 1), ":2: survey response"),
        (text.replacen("\"submitted_at\"", "\"submitted\"", 1), ":2:"),
        (format!("{text}{}\n", lines(&file)[1]), ":5:18: expected a suggestion line"),
    ];
    for (body, want) in cases {
        let bad = dir.path().join("bad.jsonl");
        std::fs::write(&bad, body).unwrap();
        let fresh = test_app().await;
        match transfer::import(&fresh.state.store, &bad).await {
            Err(TransferError::Malformed(d)) => assert!(d.to_string().contains(want), "{d}\nwanted {want}"),
            other => panic!("expected {want}, got {other:?}"),
        }
        assert!(fresh.state.store.survey_responses("manyi").await.unwrap().is_empty());
    }
    assert_eq!(header["attempts"], 0);

    // Version 1: attempts only, no survey keys.
    let v1 = dir.path().join("v1.jsonl");
    std::fs::write(&v1, "{\"format\":\"pufa-results\",\"version\":1,\"exported_at\":\"2026-06-01T08:00:00Z\",\"competitions\":[],\"attempts\":0}\n").unwrap();
    assert_eq!(transfer::import(&test_app().await.state.store, &v1).await.unwrap(), Default::default());
}

async fn post_as_organizer(t: &TestApp, uri: &str, body: Value) -> (axum::http::StatusCode, Value) {
    let req = axum::http::Request::post(uri)
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    let (status, _, bytes) = t.raw(req).await;
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// The suggestion box moves too: every suggestion with its history; the day's numbering goes on after the
/// imported tickets; twice counts once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_move_with_their_history_and_numbering_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("all.jsonl");
    let src = test_app().await;
    let mut tickets = Vec::new();
    for text in ["路灯坏了", "希望多开展普法讲座"] {
        let (status, v) = src.post("/api/suggestions", json!({"category": "其他", "text": text})).await;
        assert_eq!(status.as_u16(), 201, "{v}");
        tickets.push(v["ticket"].as_str().unwrap().to_string());
    }
    let (status, v) = post_as_organizer(&src, &format!("/api/suggestions/{}/accept", tickets[0]), json!({})).await;
    assert!(status.is_success(), "{v}");
    let report = transfer::export(&src.state.store, &[], &file).await.unwrap();
    assert_eq!(report.suggestions, 2);
    let first = lines(&file).into_iter().find(|l| l.contains(&tickets[0])).unwrap();
    let line: Value = serde_json::from_str(&first).unwrap();
    let actions: Vec<&str> =
        line["suggestion"]["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["submit", "accept"]);

    for db in test_dbs().await {
        let t = test_app_on(db).await;
        let r = transfer::import(&t.state.store, &file).await.unwrap();
        assert_eq!((r.suggestions_added, r.suggestions_unchanged), (2, 0), "on {}", t.db.url);
        let r = transfer::import(&t.state.store, &file).await.unwrap();
        assert_eq!((r.suggestions_added, r.suggestions_unchanged), (0, 2));
        let back = dir.path().join("back.jsonl");
        transfer::export(&t.state.store, &[], &back).await.unwrap();
        assert_eq!(lines(&file)[1..], lines(&back)[1..], "the same suggestions back out of {}", t.db.url);
        // The next ticket of that day comes after the imported ones.
        let (_, v) = t.post("/api/suggestions", json!({"category": "其他", "text": "又一条"})).await;
        let next = v["ticket"].as_str().unwrap();
        assert!(next.ends_with("-0003"), "{next} after {tickets:?}");
    }
    // Stored with another history: a conflict naming the line, nothing imported.
    let t = test_app().await;
    transfer::import(&t.state.store, &file).await.unwrap();
    let edited = std::fs::read_to_string(&file).unwrap().replace("\"accept\"", "\"reply\"");
    let other = dir.path().join("other.jsonl");
    std::fs::write(&other, edited).unwrap();
    match transfer::import(&t.state.store, &other).await {
        Err(TransferError::Conflicts(d)) => assert!(d.to_string().contains("another state or history"), "{d}"),
        got => panic!("expected a conflict, got {got:?}"),
    }
}
