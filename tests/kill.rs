//! Acknowledged submissions survive `kill -9`: the real binary serves a burst of start+submit flows, is killed with
//! SIGKILL midway, restarted on the same SQLite file, and every acknowledged result is still there, unchanged,
//! counted once.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::{json, Value};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn spawn_server(source: &Path, db: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_pufa"))
        .args(["serve", "--source", source.to_str().unwrap(), "--port", &port.to_string()])
        .env("DATABASE_URL", db)
        .env("PUFA_ADMIN_TOKEN", TOKEN)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the pufa binary starts")
}

async fn wait_healthy(client: &reqwest::Client, base: &str, child: &mut Child) {
    for _ in 0..600 {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("server exited early: {status}");
        }
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not become healthy");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// One participant: start, then submit answers right for the first `right` questions. Returns (attempt, score).
async fn flow(client: &reqwest::Client, base: &str, set: &pufa::quiz::QuizSet, i: usize) -> Option<(String, i64)> {
    let body = json!({"name": format!("学生{i}"), "organization": "school-a", "group": "一班"});
    let r = client.post(format!("{base}/api/competitions/open/attempts")).json(&body).send().await.ok()?;
    let started: Value = r.json().await.ok()?;
    let qs = &started["questions"];
    let all = ids(qs);
    let right: Vec<&str> = all.iter().take(i % 6).map(String::as_str).collect();
    let answers = answers_with(set, qs, &right);
    let attempt = started["attempt"].as_str()?.to_string();
    let r = client
        .post(format!("{base}/api/attempts/{attempt}/submit"))
        .json(&json!({"answers": answers}))
        .send()
        .await
        .ok()?;
    if r.status() != reqwest::StatusCode::OK {
        return None;
    }
    let result: Value = r.json().await.ok()?;
    Some((attempt, result["score"].as_i64()?))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_submissions_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture_dir(), &dir.path().join("quizzes"));
    let db = format!("sqlite:{}", dir.path().join("kill.sqlite").display());
    let set = Arc::new(fixture());
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = spawn_server(dir.path(), &db, port);
    wait_healthy(&client, &base, &mut server).await;

    let acked: Arc<Mutex<HashMap<String, i64>>> = Arc::default();
    let started = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..32 {
        let (client, base, set, acked, started) =
            (client.clone(), base.clone(), set.clone(), acked.clone(), started.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let i = started.fetch_add(1, Ordering::SeqCst);
                if i >= 2000 {
                    return;
                }
                match flow(&client, &base, &set, i).await {
                    Some((attempt, score)) => {
                        acked.lock().unwrap().insert(attempt, score);
                    }
                    // The server is gone: stop.
                    None => return,
                }
            }
        }));
    }
    // Kill while flows are in flight, once a good number has been acknowledged.
    while acked.lock().unwrap().len() < 150 {
        assert!(server.try_wait().unwrap().is_none(), "server died on its own");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill().unwrap(); // SIGKILL on Unix
    server.wait().unwrap();
    for w in workers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 150);

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = spawn_server(dir.path(), &db, port);
    wait_healthy(&client, &base, &mut server).await;
    for (attempt, score) in &acked {
        let view: Value =
            client.get(format!("{base}/api/attempts/{attempt}")).send().await.unwrap().json().await.unwrap();
        assert_eq!(view["result"]["score"].as_i64(), Some(*score), "acknowledged {attempt} lost or changed: {view}");
        // Re-submitting returns the stored result, not a new grade.
        let again: Value = client
            .post(format!("{base}/api/attempts/{attempt}/submit"))
            .json(&json!({"answers": {}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(again["score"].as_i64(), Some(*score));
    }
    let board: Value =
        client.get(format!("{base}/api/competitions/open/leaderboard")).send().await.unwrap().json().await.unwrap();
    server.kill().unwrap();
    server.wait().unwrap();

    // Nothing counted twice: one submitted row per participant, five responses per submitted attempt.
    let store = pufa::store::Store::open(&db).await.unwrap();
    let submitted = store.submitted("open").await.unwrap();
    assert!(submitted.len() >= acked.len());
    let names = count_by(submitted.iter().map(|r| r.name.clone()));
    assert!(names.values().all(|&n| n == 1), "a participant was counted twice");
    assert_eq!(board["participants"].as_u64(), Some(submitted.len() as u64));
    let answered: i64 = store.question_stats("open").await.unwrap().iter().map(|s| s.answered).sum();
    assert_eq!(answered, 5 * submitted.len() as i64);
}
