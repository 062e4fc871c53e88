//! Acknowledged suggestions survive `kill -9` (issue 13): the real binary, with a `quizzes/suggestions.yaml` of
//! its own, takes a burst of suggestions, is SIGKILLed midway and restarted; every acknowledged ticket opens with
//! its code and holds its text, and no ticket number was given twice (on PostgreSQL by two processes at once).

use crate::common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::{json, Value};

async fn burst_kill_restart(db: &str, servers: usize) {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture_dir(), &dir.path().join("quizzes"));
    let settings = "categories: [治安, 其他]\nper_device_per_hour: 1000\nper_hour: 1000000\n";
    std::fs::write(dir.path().join("quizzes/suggestions.yaml"), settings).unwrap();
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let mut children = Vec::new();
    let mut bases = Vec::new();
    for i in 0..servers {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let mut child = spawn_server(dir.path(), db, port, if i == 0 { &[] } else { &["--no-build"] });
        wait_healthy(&client, &base, &mut child).await;
        children.push(child);
        bases.push(base);
    }
    let bases = Arc::new(bases);
    // ticket → (code, text)
    let acked: Arc<Mutex<HashMap<String, (String, String)>>> = Arc::default();
    let (next, cut) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut workers = Vec::new();
    for _ in 0..16 {
        let (client, bases, acked, next, cut) =
            (client.clone(), bases.clone(), acked.clone(), next.clone(), cut.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= 3000 {
                    return;
                }
                let text = format!("第{i}条：路灯不亮");
                let body = json!({"category": "治安", "text": text});
                let sent = client.post(format!("{}/api/suggestions", bases[i % bases.len()])).json(&body).send().await;
                let receipt: Option<Value> = match sent {
                    Ok(r) if r.status() == reqwest::StatusCode::CREATED => r.json().await.ok(),
                    Ok(r) => panic!("refused: {} {:?}", r.status(), r.text().await),
                    Err(_) => None,
                };
                let Some(receipt) = receipt else {
                    cut.fetch_add(1, Ordering::SeqCst);
                    return;
                };
                let ticket = receipt["ticket"].as_str().unwrap().to_string();
                let code = receipt["code"].as_str().unwrap().to_string();
                let before = acked.lock().unwrap().insert(ticket.clone(), (code, text));
                assert!(before.is_none(), "ticket {ticket} given twice");
            }
        }));
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    while acked.lock().unwrap().len() < 100 {
        assert!(children[0].try_wait().unwrap().is_none(), "server died on its own");
        assert!(std::time::Instant::now() < deadline, "not 100 suggestions in 300 s");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    children[0].kill().unwrap();
    children[0].wait().unwrap();
    for w in workers {
        w.await.unwrap();
    }
    assert!(cut.load(Ordering::SeqCst) > 0, "the kill cut no request: nothing was in flight");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    children[0] = spawn_server(dir.path(), db, port, &["--no-build"]);
    wait_healthy(&client, &base, &mut children[0]).await;
    let acked = acked.lock().unwrap().clone();
    for (ticket, (code, text)) in &acked {
        let r = client.get(format!("{base}/api/suggestions/{ticket}?code={code}")).send().await.unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::OK, "acknowledged {ticket} lost");
        let view: Value = r.json().await.unwrap();
        assert_eq!(view["text"].as_str(), Some(text.as_str()), "{ticket} changed");
    }
    for mut child in children {
        child.kill().unwrap();
        child.wait().unwrap();
    }
    let store = pufa::store::Store::open(db).await.unwrap();
    let stored = store.suggestions().await.unwrap();
    assert!(stored.len() >= acked.len());
    let tickets = count_by(stored.iter().map(|r| r.ticket.clone()));
    assert!(tickets.values().all(|&n| n == 1));
    store.close(Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_suggestions_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    burst_kill_restart(&format!("sqlite:{}", dir.path().join("kill.sqlite").display()), 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_postgres_number_suggestions_once_and_survive_kill_9() {
    let Some(base) = postgres_base() else {
        eprintln!("PUFA_TEST_POSTGRES not set: skipping");
        return;
    };
    let schema = postgres_schema(&base).await;
    burst_kill_restart(&schema.url, 2).await;
}
