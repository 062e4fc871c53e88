//! Issue 10: the public ranking (JSON API and page) never shows a participant's full name, while the organizer's
//! page and export do; it is computed at most once per cache lifetime however many clients poll it, shows a new
//! submission once that lifetime has passed, and refreshes itself for a big screen.

use crate::common;

use axum::body::Body;
use axum::http::{header, Request};
use common::*;
use pufa::quiz::PublicNames;
use pufa::server::board_cache::LIFETIME;
use pufa::server::{app, AppState};

/// Full names and what the masked public ranking shows of them.
const PEOPLE: [(&str, &str); 4] =
    [("张三明", "张*明"), ("欧阳明华", "欧阳*华"), ("Zhang San", "Zhang S."), ("李四", "李*")];

/// Starts and submits an attempt of `open` (all blank) for `name`.
async fn take_part(t: &TestApp, name: &str) {
    let (_, started) = t.start("open", name, "school-a", "初一(1)班").await;
    let attempt = started["attempt"].as_str().unwrap_or_else(|| panic!("{started}")).to_string();
    let (status, r) = t.submit(&attempt, serde_json::json!({})).await;
    assert!(status.is_success(), "{r}");
}

/// The same test app with `open`'s `public_names` set (the file's validation is tested in board_names).
fn with_policy(mut t: TestApp, policy: PublicNames) -> TestApp {
    t.set.competitions.get_mut("open").unwrap().public_names = policy;
    let state =
        AppState::new(t.set.clone(), t.state.store.clone()).with_admin_token(TOKEN).with_clock(t.state.clock.clone());
    t.app = app(state.clone());
    t.state = state;
    t
}

/// The public leaderboard JSON and ranking page as text.
async fn public_bodies(t: &TestApp) -> (String, String) {
    let req = Request::get("/api/competitions/open/leaderboard").body(Body::empty()).unwrap();
    let (_, headers, json) = t.raw(req).await;
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let page = t.get_page("/quiz/open/ranking", None).await;
    (String::from_utf8(json).unwrap(), page.body)
}

#[tokio::test]
async fn the_public_ranking_masks_names_and_the_organizer_sees_them() {
    each_backend(|t| async move {
        for (name, _) in PEOPLE {
            take_part(&t, name).await;
        }
        let (json, html) = public_bodies(&t).await;
        for (name, masked) in PEOPLE {
            assert!(!json.contains(name), "leaderboard JSON shows {name}: {json}");
            assert!(!html.contains(name), "ranking page shows {name}");
            assert!(json.contains(&format!("\"name\":\"{masked}\"")), "leaderboard JSON lacks {masked}: {json}");
            assert!(html.contains(masked), "ranking page lacks {masked}");
        }
        let cookie = t.admin_cookie(TOKEN).await;
        let admin = t.get_page("/quiz/open/admin", Some(&cookie)).await.body;
        let csv = t.get_page("/quiz/open/results.csv", Some(&cookie)).await.body;
        for (name, _) in PEOPLE {
            assert!(admin.contains(name), "organizer page lacks {name}");
            assert!(csv.contains(name), "export lacks {name}");
        }
    })
    .await;
}

#[tokio::test]
async fn hidden_names_leave_the_field_out_and_full_names_show() {
    let t = with_policy(test_app().await, PublicNames::Hidden);
    take_part(&t, "张三明").await;
    let (json, html) = public_bodies(&t).await;
    let board: serde_json::Value = serde_json::from_str(&json).unwrap();
    let person = board["individuals"][0].as_object().unwrap();
    assert!(!person.contains_key("name"), "{json}");
    assert!(!json.contains('张') && !html.contains('张'), "{json}");
    assert!(html.contains("参赛者"), "the page says 参赛者 where the name would be");

    let t = with_policy(test_app().await, PublicNames::Full);
    take_part(&t, "张三明").await;
    let (json, html) = public_bodies(&t).await;
    assert!(json.contains("\"name\":\"张三明\"") && html.contains("张三明"), "{json}");
}

#[tokio::test]
async fn a_submission_shows_once_the_cache_lifetime_has_passed() {
    each_backend(|t| async move {
        take_part(&t, "张三明").await;
        assert_eq!(t.get("/api/competitions/open/leaderboard").await.1["participants"], 1);
        take_part(&t, "李四").await;
        let (_, html) = public_bodies(&t).await;
        assert_eq!(t.get("/api/competitions/open/leaderboard").await.1["participants"], 1, "served from the cache");
        assert!(!html.contains("李*"), "the page is served from the same cache");
        t.advance(LIFETIME);
        assert_eq!(t.get("/api/competitions/open/leaderboard").await.1["participants"], 2);
        assert!(public_bodies(&t).await.1.contains("李*"));
        // The organizer's page is never served from the cache.
        take_part(&t, "王五").await;
        let cookie = t.admin_cookie(TOKEN).await;
        assert!(t.get_page("/quiz/open/admin", Some(&cookie)).await.body.contains("王五"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_share_one_computation() {
    let t = test_app().await;
    take_part(&t, "张三明").await;
    let requests: Vec<_> = (0..32)
        .map(|i| {
            let app = t.app.clone();
            let uri = if i % 2 == 0 { "/api/competitions/open/leaderboard" } else { "/quiz/open/ranking" };
            tokio::spawn(async move {
                let resp =
                    tower::ServiceExt::oneshot(app, Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
                resp.status()
            })
        })
        .collect();
    for r in requests {
        assert!(r.await.unwrap().is_success());
    }
    assert_eq!(t.state.boards.computations(), 1, "32 requests, one read of the store");
    t.advance(LIFETIME);
    t.get("/api/competitions/open/leaderboard").await;
    assert_eq!(t.state.boards.computations(), 2, "an aged board is computed again");
}

#[tokio::test]
async fn the_ranking_page_refreshes_itself_from_this_site() {
    let t = test_app().await;
    let page = t.get_page("/quiz/open/ranking", None).await;
    let b = &page.body;
    assert_eq!(page.status, axum::http::StatusCode::OK, "{b}");
    assert!(b.contains(r#"<noscript><meta http-equiv="refresh" content="30"></noscript>"#), "no meta refresh");
    assert!(b.contains(r#"class="quiz-ranking" data-refresh="15""#), "no refresh interval for the script");
    assert!(b.contains(r#"<script src="/static/quiz.js" defer></script>"#), "no script");
    assert!(page.header("content-security-policy").contains("script-src 'self'"));
    let script = std::fs::read_to_string("themes/default/static/quiz.js").unwrap();
    let refresh = &script[script.find("function refreshRanking").expect("refreshRanking in quiz.js")..];
    assert!(refresh.contains("window.location.href") && !script.contains("://"), "fetches only this site");
}
