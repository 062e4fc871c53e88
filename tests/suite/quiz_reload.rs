//! Issue 11: a change to `quizzes/` applies without a restart. A good change runs (new attempts draw from it),
//! an attempt already running is shown and graded on the questions it drew, an invalid change keeps the last good
//! version running and shows its errors (file:line) on the organizer page; and the real `pufa serve` does it too.
//! No timing thresholds: waits are generous timeouts only.

use crate::common::{self, TestApp};

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use pufa::i18n::Lang;
use pufa::server::catalog::Catalog;
use pufa::server::catalog_watch::CatalogWatch;
use pufa::server::laws::Laws;

const WAIT: Duration = Duration::from_secs(60);

/// A test app whose `quizzes/` is a copy of the server fixture in a temporary site folder, watched.
async fn watched_app() -> (tempfile::TempDir, TestApp, Arc<Catalog>, CatalogWatch) {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&common::fixture_dir(), &dir.path().join("quizzes"));
    let mut t = common::test_app().await;
    let catalog = Arc::new(Catalog::of_folder(common::fixture(), Laws::default(), dir.path(), Lang::Zh));
    t.state = t.state.clone().with_catalog(catalog.clone());
    t.app = pufa::server::app(t.state.clone());
    let watch = CatalogWatch::spawn(catalog.clone(), t.state.clock.clone(), None);
    (dir, t, catalog, watch)
}

/// Rewrites a file under `quizzes/` with `edit` applied to its text.
fn edit(dir: &Path, file: &str, edit: impl Fn(String) -> String) {
    let path = dir.join("quizzes").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = edit(text.clone());
    assert_ne!(changed, text, "the edit of {file} changes it");
    std::fs::write(&path, changed).unwrap();
}

/// Every answer of the fixture bank moved to another option, and every explanation renamed.
fn other_answers(text: String) -> String {
    text.replace("answer: A", "answer: X")
        .replace("answer: B", "answer: A")
        .replace("answer: X", "answer: B")
        .replace("answer: [A, B, C]", "answer: [C, D]")
        .replace("answer: [A, B]", "answer: [B, C]")
        .replace("answer: true", "answer: T")
        .replace("answer: false", "answer: true")
        .replace("answer: T", "answer: false")
        .replace("EXPLAIN-", "CHANGED-")
}

async fn title(t: &TestApp, comp: &str) -> String {
    let (status, info) = t.get(&format!("/api/competitions/{comp}")).await;
    assert_eq!(status, StatusCode::OK, "{info}");
    info["title"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_good_change_runs_and_running_attempts_keep_what_they_drew() {
    let (dir, t, catalog, mut watch) = watched_app().await;
    let (status, started) = t.start("open", "张三", "school-a", "一班").await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let attempt = started["attempt"].as_str().unwrap().to_string();
    let right_before = common::correct_answers(&t.set, &started["questions"]);
    // The change comes a minute after the start, by the server's clock.
    t.advance(chrono::Duration::minutes(1));

    edit(dir.path(), "banks/law.yaml", other_answers);
    edit(dir.path(), "competitions/open.yaml", |s| {
        s.replace("title: 全县法治知识竞赛", "title: 全县法治知识竞赛（第二轮）")
    });
    tokio::time::timeout(WAIT, watch.reloaded(1)).await.expect("the change is loaded");
    assert_eq!(catalog.status().revision, 2);
    assert_eq!(title(&t, "open").await, "全县法治知识竞赛（第二轮）");

    // The running attempt is shown its questions as drawn, and graded on the answers they had then.
    let (status, view) = t.get(&format!("/api/attempts/{attempt}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["questions"], started["questions"]);
    let (status, result) = t.submit(&attempt, right_before).await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["score"], result["max_score"], "graded on the key it was drawn with: {result}");
    let explanations: Vec<&str> =
        result["results"].as_array().unwrap().iter().map(|r| r["explanation"].as_str().unwrap()).collect();
    assert!(explanations.iter().all(|e| e.starts_with("EXPLAIN-")), "{explanations:?}");

    // A new attempt is graded on the new key: the old right answers now score nothing.
    let (status, again) = t.start("open", "李四", "school-a", "一班").await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    let old_key = common::correct_answers(&t.set, &again["questions"]);
    let (_, result) = t.submit(again["attempt"].as_str().unwrap(), old_key).await;
    assert_eq!(result["score"], 0, "{result}");
    assert!(result["results"][0]["explanation"].as_str().unwrap().starts_with("CHANGED-"), "{result}");
    watch.stop().await;
}

#[tokio::test]
async fn an_invalid_change_keeps_the_last_good_version_and_says_where() {
    let (dir, t, catalog, mut watch) = watched_app().await;
    edit(dir.path(), "competitions/open.yaml", |s| s.replace("pass_score: 60", "pass_score: 600"));
    tokio::time::timeout(WAIT, watch.reloaded(1)).await.expect("the change is looked at");
    let status = catalog.status();
    assert_eq!(status.revision, 1, "nothing applied");
    assert_eq!(status.errors.len(), 1, "{:?}", status.errors);
    assert!(status.errors[0].contains("open.yaml:13:"), "file and line: {:?}", status.errors);
    assert_eq!(title(&t, "open").await, "全县法治知识竞赛", "the last good version still runs");
    let (status, started) = t.start("open", "张三", "school-a", "一班").await;
    assert_eq!(status, StatusCode::CREATED, "{started}");

    let cookie = t.admin_cookie(common::TOKEN).await;
    let page = t.get_page("/quiz/admin", Some(&cookie)).await;
    assert!(page.body.contains("没有生效"), "{}", page.body);
    assert!(page.body.contains("open.yaml:13:"), "{}", page.body);

    // Putting it right applies it, and the errors go.
    edit(dir.path(), "competitions/open.yaml", |s| s.replace("pass_score: 600", "pass_score: 80"));
    tokio::time::timeout(WAIT, watch.reloaded(2)).await.expect("the fix is loaded");
    assert_eq!(catalog.status().revision, 2);
    assert!(catalog.status().errors.is_empty());
    let page = t.get_page("/quiz/admin", Some(&cookie)).await;
    assert!(!page.body.contains("open.yaml:13:"), "{}", page.body);
    let (_, info) = t.get("/api/competitions/open").await;
    assert_eq!(info["pass_score"], 80);
    watch.stop().await;
}

#[tokio::test]
async fn the_suggestion_box_settings_apply_without_a_restart_too() {
    let (dir, t, catalog, mut watch) = watched_app().await;
    assert!(!t.get_page("/suggestions/", None).await.body.contains("校园安全"));
    let settings = "categories: [法治宣传, 校园安全]\nunits: [县教育局]\n";
    std::fs::write(dir.path().join("quizzes/suggestions.yaml"), settings).unwrap();
    tokio::time::timeout(WAIT, watch.reloaded(1)).await.expect("the change is loaded");
    assert_eq!(catalog.status().revision, 2);
    assert!(t.get_page("/suggestions/", None).await.body.contains("校园安全"));
    let body = serde_json::json!({"category": "校园安全", "text": "校门口的交通需要整治。"});
    let (status, sent) = t.post("/api/suggestions", body).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    // A broken settings file is refused like any other file of quizzes/.
    std::fs::write(dir.path().join("quizzes/suggestions.yaml"), "categories: []\nmax_chars: lots\n").unwrap();
    tokio::time::timeout(WAIT, watch.reloaded(2)).await.expect("the change is looked at");
    assert_eq!(catalog.status().revision, 2);
    assert!(catalog.status().errors.iter().any(|e| e.contains("suggestions.yaml")), "{:?}", catalog.status().errors);
    assert!(t.get_page("/suggestions/", None).await.body.contains("校园安全"), "the last good settings run");
    watch.stop().await;
}

#[test]
fn a_replaced_version_serves_the_attempts_started_on_it() {
    let catalog = Catalog::fixed(common::fixture(), Laws::default());
    let t0 = common::t0();
    let mut changed = common::fixture();
    changed.competitions.remove("open");
    catalog.replace(changed, t0 + chrono::Duration::minutes(5));
    assert!(!catalog.current().competitions.contains_key("open"));
    assert!(catalog.as_of(t0).competitions.contains_key("open"), "started before the change");
    assert!(!catalog.as_of(t0 + chrono::Duration::minutes(6)).competitions.contains_key("open"));
    // Once no attempt started on it can be submitted any more, the old version goes.
    catalog.replace(common::fixture(), t0 + chrono::Duration::hours(3));
    assert!(!catalog.as_of(t0).competitions.contains_key("open"), "an hour past every time limit it is gone");
    assert_eq!(catalog.reload(t0), None, "a catalog made in memory never reloads");
}

#[tokio::test]
async fn the_real_server_applies_an_edit_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("site");
    common::copy_dir(&common::fixture_dir(), &source.join("quizzes"));
    let port = common::free_port();
    let db = format!("sqlite:{}", source.join("pufa.sqlite").display());
    let mut child = common::spawn_server(&source, &db, port, &["--no-watch"]);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    common::wait_healthy(&client, &base, &mut child).await;
    let title = || async {
        let info: serde_json::Value =
            client.get(format!("{base}/api/competitions/open")).send().await.unwrap().json().await.unwrap();
        info["title"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(title().await, "全县法治知识竞赛");
    edit(&source, "competitions/open.yaml", |s| s.replace("title: 全县法治知识竞赛", "title: 改过的标题"));
    let deadline = std::time::Instant::now() + WAIT;
    while title().await != "改过的标题" {
        assert!(std::time::Instant::now() < deadline, "the edit never applied");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
}
