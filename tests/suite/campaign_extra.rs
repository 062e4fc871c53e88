//! Issue 12, extra time: an organizer gives an organization or one participant extra minutes (admin JSON endpoint or
//! the dashboard's form), kept in the database so every process applies it, and the attempt's deadline shows it.

use crate::common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use chrono::{DateTime, Utc};
use common::*;
use pufa::store::Store;
use serde_json::{json, Value};

async fn put_extra(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(Method::PUT)
        .uri("/api/competitions/open/extra-time")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, _, bytes) = app.raw(req).await;
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// Minutes between the start (the app's clock) and the deadline of a new attempt.
async fn minutes_given(app: &TestApp, name: &str, org: &str, group: &str) -> i64 {
    let (status, started) = app.start("open", name, org, group).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let deadline: DateTime<Utc> = started["deadline"].as_str().unwrap().parse().unwrap();
    (deadline - *app.now.lock().unwrap()).num_minutes()
}

// See: issue 12 — extra time for a whole organization and for one pupil; the longer counts.
#[tokio::test]
async fn extra_time_lengthens_the_deadline_of_later_attempts() {
    for db in test_dbs().await {
        let url = db.url.clone();
        let app = test_app_on(db).await;
        assert_eq!(put_extra(&app, "wrong-token-0123456789abcdef", json!({})).await.0, StatusCode::UNAUTHORIZED);
        let (status, list) = put_extra(&app, TOKEN, json!({"organization": "school-a", "minutes": 15})).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let (status, list) = put_extra(
            &app,
            TOKEN,
            json!({"organization": "school-a", "name": " 小明 ", "group": "一班", "minutes": 30}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list.as_array().unwrap().len(), 2);
        assert_eq!((&list[1]["name"], &list[1]["minutes"]), (&json!("小明"), &json!(30)));

        // `open` has a 10-minute limit.
        assert_eq!(minutes_given(&app, "小红", "school-a", "一班").await, 25, "the organization's 15 minutes");
        assert_eq!(minutes_given(&app, "小明", "school-a", "一班 ").await, 40, "his own 30, the longer");
        assert_eq!(minutes_given(&app, "小刚", "school-b", "一班").await, 10, "another school");

        // Another process on the database applies the same setting.
        let store = Store::open(&url).await.unwrap();
        assert_eq!(store.extra_minutes("open", "school-a", "").await.unwrap(), 15);

        for bad in [json!({"organization": "school-a", "minutes": 601}), json!({"organization": "x", "minutes": 5})] {
            assert_eq!(put_extra(&app, TOKEN, bad).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let (_, list) = put_extra(&app, TOKEN, json!({"organization": "school-a", "minutes": 0})).await;
        assert_eq!(list.as_array().unwrap().len(), 1, "0 minutes removes the organization's setting: {list}");
        assert_eq!(minutes_given(&app, "小华", "school-a", "二班").await, 10);
    }
}

// The dashboard lists the settings and sets them with a form that needs no script.
#[tokio::test]
async fn the_dashboard_form_sets_and_removes_extra_time() {
    let app = test_app().await;
    let admin = app.admin_cookie(TOKEN).await;
    let fields = [("organization", "school-b"), ("name", "李四"), ("group", "三班"), ("minutes", "20")];
    let p = app.post_form("/quiz/open/admin/extra-time", Some(&admin), &fields).await;
    assert_eq!((p.status, p.location()), (StatusCode::SEE_OTHER, "/quiz/open/admin#extra-time"));
    assert_eq!(minutes_given(&app, "李四", "school-b", "三班").await, 30);
    let page = app.get_page("/quiz/open/admin", Some(&admin)).await;
    let table = page.body.split(r#"id="extra-time""#).nth(1).unwrap();
    assert!(table.contains("<td>新华小学</td><td>李四</td><td>三班</td><td>20 分钟</td>"), "{table}");
    let unsigned = app.post_form("/quiz/open/admin/extra-time", None, &fields).await;
    assert_eq!(unsigned.status, StatusCode::SEE_OTHER);
    assert!(unsigned.location().starts_with("/quiz/admin?next="), "not signed in: to the sign-in form");
    let remove = [("organization", "school-b"), ("name", "李四"), ("group", "三班"), ("minutes", "0")];
    app.post_form("/quiz/open/admin/extra-time", Some(&admin), &remove).await;
    let page = app.get_page("/quiz/open/admin", Some(&admin)).await;
    assert!(page.body.contains("暂未设置。"));
}
