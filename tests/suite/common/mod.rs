//! Shared helpers of the server tests: an app over a fresh temporary SQLite file with a fake clock,
//! request helpers, and the answer key of presented questions.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use chrono::{DateTime, Utc};
use http_body_util::BodyExt;
use pufa::quiz::{QuestionType, QuizSet};
use pufa::server::{app, AppState, Clock};
use pufa::store::Store;
use serde_json::Value;
use tower::ServiceExt;

pub mod chrome;
mod db;
pub mod pages;
mod process;
pub mod site;
#[allow(unused_imports)]
pub use db::*;
#[allow(unused_imports)]
pub use process::*;

/// The organizer token of the test apps.
pub const TOKEN: &str = "test-token-0123456789abcdef";

/// The server fixture: banks, organizations and competitions open / schools / later / closed.
pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/server/quizzes")
}

pub fn fixture() -> QuizSet {
    let (set, diags) = pufa::quiz::load(&fixture_dir());
    assert!(!diags.has_errors(), "fixture invalid:\n{diags}");
    set
}

/// An app on a fresh database, its state, and the fake clock's hand.
pub struct TestApp {
    pub app: Router,
    pub state: AppState,
    pub now: Arc<Mutex<DateTime<Utc>>>,
    pub set: QuizSet,
    /// Declared last: dropped after the app and state that use it.
    pub db: TestDb,
}

/// A moment when `open` and `schools` are open (the fixture's clock starts here).
pub fn t0() -> DateTime<Utc> {
    "2026-06-01T08:00:00Z".parse().unwrap()
}

/// Runs a test on a fresh SQLite database, and again on a fresh PostgreSQL schema when `PUFA_TEST_POSTGRES` is set.
/// Each database goes when its app does (the schema is dropped even when the test panics).
pub async fn each_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in test_dbs().await {
        test(test_app_on(db).await).await;
    }
}

/// An app on a fresh SQLite file.
pub async fn test_app() -> TestApp {
    test_app_on(TestDb::sqlite()).await
}

/// An app on `db`, which lives as long as the app.
pub async fn test_app_on(db: TestDb) -> TestApp {
    test_app_with(db, |_| {}).await
}

/// An app on `db` serving the fixture as `change` leaves it (a competition's rules changed, say).
pub async fn test_app_with(db: TestDb, change: impl FnOnce(&mut QuizSet)) -> TestApp {
    let store = Store::open(&db.url).await.unwrap();
    let now = Arc::new(Mutex::new(t0()));
    let hand = now.clone();
    let mut set = fixture();
    change(&mut set);
    let state = AppState::new(set.clone(), store)
        .with_admin_token(TOKEN)
        .with_clock(Clock::from_fn(move || *hand.lock().unwrap()));
    TestApp { app: app(state.clone()), state, now, set, db }
}

impl TestApp {
    pub fn set_time(&self, t: DateTime<Utc>) {
        *self.now.lock().unwrap() = t;
    }

    pub fn advance(&self, d: chrono::Duration) {
        let mut now = self.now.lock().unwrap();
        *now += d;
    }

    /// Sends a request, returns status, headers and the body bytes.
    pub async fn raw(&self, req: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await.unwrap().to_bytes().to_vec();
        (status, headers, body)
    }

    /// Sends JSON (or nothing) and parses the JSON answer (Null when the body is not JSON).
    pub async fn json(&self, method: Method, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(uri);
        let body = match body {
            Some(v) => {
                req = req.header("content-type", "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        let (status, _, bytes) = self.raw(req.body(body).unwrap()).await;
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, Value) {
        self.json(Method::GET, uri, None).await
    }

    pub async fn post(&self, uri: &str, body: Value) -> (StatusCode, Value) {
        self.json(Method::POST, uri, Some(body)).await
    }

    /// Starts an attempt of `comp` for a participant.
    pub async fn start(&self, comp: &str, name: &str, org: &str, group: &str) -> (StatusCode, Value) {
        let body = serde_json::json!({"name": name, "organization": org, "group": group});
        self.post(&format!("/api/competitions/{comp}/attempts"), body).await
    }

    pub async fn submit(&self, attempt: &str, answers: Value) -> (StatusCode, Value) {
        self.post(&format!("/api/attempts/{attempt}/submit"), serde_json::json!({"answers": answers})).await
    }
}

/// The right letters for presented questions (as returned by the start call), from the answer key in `set`.
pub fn correct_answers(set: &QuizSet, questions: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for q in questions.as_array().unwrap() {
        let id = q["id"].as_str().unwrap();
        let question = set.question(id).unwrap();
        let shown: Vec<&str> = q["options"].as_array().unwrap().iter().map(|o| o.as_str().unwrap()).collect();
        let letters: Vec<String> = match question.kind {
            QuestionType::Judge => vec![if question.answer == [0] { "A" } else { "B" }.to_string()],
            _ => question
                .answer
                .iter()
                .map(|&i| {
                    let pos = shown.iter().position(|s| *s == question.options[i]).unwrap();
                    ((b'A' + pos as u8) as char).to_string()
                })
                .collect(),
        };
        out.insert(id.to_string(), Value::from(letters));
    }
    Value::Object(out)
}

/// Answers where exactly the questions in `right` are answered correctly and the others wrongly.
pub fn answers_with(set: &QuizSet, questions: &Value, right: &[&str]) -> Value {
    let correct = correct_answers(set, questions);
    let mut out = serde_json::Map::new();
    for (id, letters) in correct.as_object().unwrap() {
        if right.contains(&id.as_str()) {
            out.insert(id.clone(), letters.clone());
        } else {
            // A wrong answer: a letter that is not exactly the key.
            let key: Vec<&str> = letters.as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
            let wrong = if key == ["A"] { "B" } else { "A" };
            out.insert(id.clone(), Value::from(vec![wrong]));
        }
    }
    Value::Object(out)
}

/// Question ids of a start response.
pub fn ids(questions: &Value) -> Vec<String> {
    questions.as_array().unwrap().iter().map(|q| q["id"].as_str().unwrap().to_string()).collect()
}

pub fn count_by<T: std::hash::Hash + Eq>(items: impl IntoIterator<Item = T>) -> HashMap<T, usize> {
    let mut m = HashMap::new();
    for i in items {
        *m.entry(i).or_insert(0) += 1;
    }
    m
}

/// The diagnostics of a `quizzes/` folder holding `files` (path, text), paths relative to it.
pub fn diagnose(files: &[(&str, &str)]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let (_, diags) = pufa::quiz::load(dir.path());
    let prefix = format!("{}/", dir.path().display());
    diags.0.iter().map(|d| d.to_string().replace(&prefix, "")).collect()
}

/// Copies a fixture folder (e.g. `quizzes/`) into a temporary site folder, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
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
