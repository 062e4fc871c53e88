//! Acknowledged submissions survive `kill -9`: the real binary serves a burst of start+submit flows, is killed with
//! SIGKILL midway, restarted on the same SQLite file, and every acknowledged result is still there, unchanged,
//! counted once.

use crate::common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::{json, Value};

/// One participant: start on one server, submit on the next (another process when there are two), every fourth
/// one submitting on both at once. Returns (attempt, score) once acknowledged.
async fn flow(
    client: &reqwest::Client,
    bases: &[String],
    set: &pufa::quiz::QuizSet,
    i: usize,
) -> Option<(String, i64)> {
    let base = &bases[i % bases.len()];
    let body = json!({"name": format!("学生{i}"), "organization": "school-a", "group": "一班"});
    let r = client.post(format!("{base}/api/competitions/open/attempts")).json(&body).send().await.ok()?;
    let started: Value = r.json().await.ok()?;
    let qs = &started["questions"];
    let all = ids(qs);
    let right: Vec<&str> = all.iter().take(i % 6).map(String::as_str).collect();
    let answers = json!({"answers": answers_with(set, qs, &right)});
    let attempt = started["attempt"].as_str()?.to_string();
    let submit = |base: &String| {
        let req = client.post(format!("{base}/api/attempts/{attempt}/submit")).json(&answers);
        async move {
            let r = req.send().await.ok()?;
            if r.status() != reqwest::StatusCode::OK {
                return None;
            }
            r.json::<Value>().await.ok()?["score"].as_i64()
        }
    };
    let next = &bases[(i + 1) % bases.len()];
    let score = if i.is_multiple_of(4) {
        let (a, b) = tokio::join!(submit(base), submit(next));
        if let (Some(a), Some(b)) = (a, b) {
            assert_eq!(a, b, "racing submits on two processes disagree");
        }
        a.or(b)?
    } else {
        submit(next).await?
    };
    Some((attempt, score))
}

/// Starts `servers` processes on `db`, runs the burst, SIGKILLs the first midway, restarts it, and checks that
/// every acknowledged result is stored once and unchanged.
async fn burst_kill_restart(db: &str, servers: usize) {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture_dir(), &dir.path().join("quizzes"));
    let set = Arc::new(fixture());
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();

    let mut children = Vec::new();
    let mut bases = Vec::new();
    for i in 0..servers {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        // As in production: one process builds the site, the others serve what it built.
        let mut child = spawn_server(dir.path(), db, port, if i == 0 { &[] } else { &["--no-build"] });
        wait_healthy(&client, &base, &mut child).await;
        children.push(child);
        bases.push(base);
    }
    let bases = Arc::new(bases);

    let acked: Arc<Mutex<HashMap<String, i64>>> = Arc::default();
    let started = Arc::new(AtomicUsize::new(0));
    // Flows cut by the kill: their server went away between their start and their acknowledgement.
    let cut = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..32 {
        let (client, bases, set, acked, started, cut) =
            (client.clone(), bases.clone(), set.clone(), acked.clone(), started.clone(), cut.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let i = started.fetch_add(1, Ordering::SeqCst);
                if i >= 2000 {
                    return;
                }
                match flow(&client, &bases, &set, i).await {
                    Some((attempt, score)) => {
                        acked.lock().unwrap().insert(attempt, score);
                    }
                    // A server is gone: this worker stops.
                    None => {
                        cut.fetch_add(1, Ordering::SeqCst);
                        return;
                    }
                }
            }
        }));
    }
    // Kill while flows are in flight, once a good number has been acknowledged (a generous deadline, no timing
    // threshold: a stuck server fails the test instead of hanging it).
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    while acked.lock().unwrap().len() < 150 {
        assert!(children[0].try_wait().unwrap().is_none(), "server died on its own");
        let n = acked.lock().unwrap().len();
        assert!(std::time::Instant::now() < deadline, "only {n} of 150 flows acknowledged in 300 s");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let acked_before_kill = acked.lock().unwrap().len();
    children[0].kill().unwrap(); // SIGKILL on Unix
    children[0].wait().unwrap();
    for w in workers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 150);
    assert!(acked_before_kill < 2000 && cut.load(Ordering::SeqCst) > 0, "the kill cut no flow: nothing was in flight");

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    children[0] = spawn_server(dir.path(), db, port, &["--no-build"]);
    wait_healthy(&client, &base, &mut children[0]).await;
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
    for mut child in children {
        child.kill().unwrap();
        child.wait().unwrap();
    }

    // Nothing counted twice: one submitted row per participant, five responses per submitted attempt.
    let store = pufa::store::Store::open(db).await.unwrap();
    let submitted = store.submitted("open").await.unwrap();
    assert!(submitted.len() >= acked.len());
    let names = count_by(submitted.iter().map(|r| r.name.clone()));
    assert!(names.values().all(|&n| n == 1), "a participant was counted twice");
    assert_eq!(board["participants"].as_u64(), Some(submitted.len() as u64));
    let answered: i64 = store.question_stats("open").await.unwrap().iter().map(|s| s.answered).sum();
    assert_eq!(answered, 5 * submitted.len() as i64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_submissions_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    burst_kill_restart(&format!("sqlite:{}", dir.path().join("kill.sqlite").display()), 1).await;
}

/// Issue 4: two processes on one PostgreSQL database behave as one service, also when one is killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_postgres_survive_kill_9() {
    let Some(base) = postgres_base() else {
        eprintln!("PUFA_TEST_POSTGRES not set: skipping");
        return;
    };
    let schema = postgres_schema(&base).await;
    burst_kill_restart(&schema.url, 2).await;
}
