//! Issue 12, leaving the question page (切屏): the count comes with saves and the submit, is bounded, only grows,
//! is stored per attempt and shown to organizers (dashboard, exports); beyond `max_leaves` the server submits.

use crate::common;

use axum::http::{Method, StatusCode};
use calamine::{Data, Reader, Xlsx};
use common::*;
use pufa::quiz::QuizSet;
use serde_json::{json, Value};

fn max_two(set: &mut QuizSet) {
    set.competitions.get_mut("open").unwrap().campaign.max_leaves = Some(2);
}

async fn save(app: &TestApp, attempt: &str, answers: Value, leaves: u64) -> (StatusCode, Value) {
    let uri = format!("/api/attempts/{attempt}/answers");
    app.json(Method::PUT, &uri, Some(json!({"answers": answers, "leaves": leaves}))).await
}

// See: issue 12 — counted, kept at its highest, refused out of bounds, submitted past the maximum.
#[tokio::test]
async fn departures_are_counted_and_past_the_maximum_the_server_submits() {
    for db in test_dbs().await {
        let app = test_app_with(db, max_two).await;
        let (_, started) = app.start("open", "赵敏", "school-a", "一班").await;
        let attempt = started["attempt"].as_str().unwrap();
        let right = correct_answers(&app.set, &started["questions"]);

        let (status, saved) = save(&app, attempt, json!({}), 2).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            (&saved["saved"], &saved["submitted"], &saved["leaves_left"]),
            (&json!(true), &json!(false), &json!(0))
        );
        // A save sent earlier that arrives later does not lower the count.
        assert_eq!(save(&app, attempt, json!({}), 1).await.0, StatusCode::OK);
        assert_eq!(app.get(&format!("/api/attempts/{attempt}")).await.1["leaves"], 2);

        let (status, refused) = save(&app, attempt, json!({}), 1001).await;
        assert_eq!((status, &refused["error"]["code"]), (StatusCode::UNPROCESSABLE_ENTITY, &json!("leaves_invalid")));

        // The third departure: the server grades the answers sent with it, whatever the page does next.
        let (status, saved) = save(&app, attempt, right, 3).await;
        assert_eq!((status, &saved["submitted"]), (StatusCode::OK, &json!(true)), "{saved}");
        let (_, view) = app.get(&format!("/api/attempts/{attempt}")).await;
        assert_eq!((&view["result"]["score"], &view["leaves"]), (&json!(100), &json!(3)));
        // Submitted once: a later submit gets the same result back.
        let (status, again) = app.submit(attempt, json!({})).await;
        assert_eq!((status, &again["score"]), (StatusCode::OK, &json!(100)));
        let result = app.get_page(&format!("/quiz/a/{attempt}/result"), None).await;
        assert!(result.body.contains("本次作答离开答题页面 3 次，超过了允许的次数，已自动交卷。"), "{}", result.body);
    }
}

// Without max_leaves departures are only counted; the submit reports them too.
#[tokio::test]
async fn without_a_maximum_departures_are_only_counted() {
    let app = test_app().await;
    let (_, started) = app.start("open", "周芷若", "school-b", "二班").await;
    let attempt = started["attempt"].as_str().unwrap();
    let (_, saved) = save(&app, attempt, json!({}), 40).await;
    assert_eq!((&saved["submitted"], saved.get("leaves_left")), (&json!(false), None));
    let (status, _) = app.post(&format!("/api/attempts/{attempt}/submit"), json!({"answers": {}, "leaves": 41})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.get(&format!("/api/attempts/{attempt}")).await.1["leaves"], 41);
}

// The question page tells the rule and carries the count to the submit; the organizer sees it on the dashboard.
#[tokio::test]
async fn the_pages_show_the_rule_and_the_organizer_sees_the_count() {
    let app = test_app_with(TestDb::sqlite(), max_two).await;
    let (attempt, cookie) = app.joined("open", "张无忌", "school-a", "一班").await;
    let page = app.get_page(&format!("/quiz/a/{attempt}"), Some(&cookie)).await;
    assert!(page.body.contains("离开超过 2 次将自动交卷"), "{}", page.body);
    assert!(page.body.contains(r#"data-max-leaves="2""#) && page.body.contains(r#"name="leaves" value="0""#));
    assert!(page.body.contains("再离开 {left} 次将自动交卷"), "the script's warning, filled in by it");
    let p = app.post_form(&format!("/quiz/a/{attempt}/submit"), Some(&cookie), &[("leaves", "2")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);

    let admin = app.admin_cookie(TOKEN).await;
    let dashboard = app.get_page("/quiz/open/admin", Some(&admin)).await;
    assert!(dashboard.body.contains("切屏记录") && dashboard.body.contains("不能证明作弊"), "{}", dashboard.body);
    let table = dashboard.body.split(r#"class="figures leaves""#).nth(1).expect("the departures are listed");
    assert!(
        table.contains("<td>张无忌</td><td>城关第一中学</td><td>一班</td><td>1</td><td>0</td><td>2</td>"),
        "{table}"
    );
    let csv = app.get_page("/quiz/open/results.csv", Some(&admin)).await;
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(lines[0].ends_with("计入成绩,离开页面次数"), "{}", lines[0]);
    assert!(lines[1].ends_with(",是,2"), "{}", lines[1]);

    let req = axum::http::Request::get("/api/competitions/open/results.xlsx")
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let (_, _, xlsx) = app.raw(req).await;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let header: Vec<String> = sheet.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    let col = header.iter().position(|h| h == "离开页面次数").unwrap();
    assert_eq!(sheet.rows().nth(1).unwrap()[col], Data::Float(2.0), "a number the organizer can sort");
}
