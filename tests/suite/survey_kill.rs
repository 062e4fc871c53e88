//! Acknowledged survey responses survive `kill -9` (issue 13): the real binary takes a burst of responses, is
//! killed with SIGKILL midway, and every response it acknowledged is in the database afterwards, as sent, once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::common::{self, fixture_dir, free_port, spawn_server, wait_healthy};

/// A survey open whatever the day the test runs.
const SURVEY: &str = "id: always\ntitle: 测评\nopens: 2020-01-01T00:00:00+08:00\ncloses: 2099-01-01T00:00:00+08:00\n\
                      ask_town: true\nquestions:\n  - {id: a, type: scale, stem: 满意吗, scale: 5}\n  \
                      - {id: b, type: text, stem: 建议}\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_responses_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture_dir(), &dir.path().join("quizzes"));
    std::fs::write(dir.path().join("quizzes/surveys/always.yaml"), SURVEY).unwrap();
    let db = format!("sqlite:{}", dir.path().join("kill.sqlite").display());
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = spawn_server(dir.path(), &db, port, &[]);
    wait_healthy(&client, &base, &mut child).await;

    // receipt → the text sent with it.
    let acked: Arc<Mutex<HashMap<String, String>>> = Arc::default();
    let next = Arc::new(AtomicUsize::new(0));
    let cut = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..24 {
        let (client, base, acked, next, cut) = (client.clone(), base.clone(), acked.clone(), next.clone(), cut.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= 5000 {
                    return;
                }
                let text = format!("第{i}条建议");
                let body = json!({"town": "城关镇", "answers": {"a": 1 + i % 5, "b": text}});
                let sent = client.post(format!("{base}/api/surveys/always/responses")).json(&body).send().await;
                let receipt = match sent {
                    Ok(r) if r.status() == reqwest::StatusCode::CREATED => {
                        r.json::<Value>().await.ok().and_then(|v| v["receipt"].as_str().map(String::from))
                    }
                    _ => None,
                };
                match receipt {
                    Some(r) => drop(acked.lock().unwrap().insert(r, text)),
                    None => {
                        cut.fetch_add(1, Ordering::SeqCst);
                        return;
                    }
                }
            }
        }));
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    while acked.lock().unwrap().len() < 300 {
        assert!(child.try_wait().unwrap().is_none(), "server died on its own");
        assert!(std::time::Instant::now() < deadline, "fewer than 300 responses acknowledged in 300 s");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    for w in workers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() < 5000 && cut.load(Ordering::SeqCst) > 0, "the kill cut no request: nothing was in flight");

    let store = pufa::store::Store::open(&db).await.unwrap();
    let rows = store.survey_responses("always").await.unwrap();
    let stored: HashMap<&str, Value> =
        rows.iter().map(|r| (r.id.as_str(), serde_json::from_str(&r.answers).unwrap())).collect();
    assert_eq!(stored.len(), rows.len(), "a receipt stored twice");
    for (receipt, text) in &acked {
        let answers = stored.get(receipt.as_str()).unwrap_or_else(|| panic!("acknowledged {receipt} lost"));
        assert_eq!(answers["b"], json!(text), "{receipt} changed");
    }
    assert!(rows.iter().all(|r| r.town.as_deref() == Some("城关镇") && r.name.is_none()));
}
