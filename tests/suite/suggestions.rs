//! The suggestion box (issue 13) through its JSON API on both backends: tickets numbered per day and unique under
//! concurrency and across stores on one database, the secret code (a wrong one is an unknown ticket), the
//! lifecycle with its illegal steps, the history in order, and overdue figures per unit under a moved clock.

use crate::common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::*;
use pufa::quiz::suggestions::SuggestionBox;
use serde_json::{json, Value};

pub const UNITS: [&str; 2] = ["县司法局", "县公安局"];

/// A test app whose suggestion box knows `UNITS` and the limits given.
pub fn with_box(mut t: TestApp, per_device: u32, per_hour: u32) -> TestApp {
    let settings = SuggestionBox {
        units: UNITS.map(String::from).to_vec(),
        per_device_per_hour: per_device,
        per_hour,
        ..SuggestionBox::default()
    };
    t.state = t.state.clone().with_suggestions(settings);
    t.app = pufa::server::app(t.state.clone());
    t
}

/// Sends JSON as the organizer (`token`) or not, with a device cookie or not.
pub async fn call(t: &TestApp, method: Method, uri: &str, body: Option<Value>, token: bool) -> (StatusCode, Value) {
    let mut req =
        Request::builder().method(method).uri(uri).header(header::COOKIE, "pufa_device=AAAAAAAAAAAAAAAAAAAAAA");
    if token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
    }
    let body = match body {
        Some(v) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let (status, _, bytes) = t.raw(req.body(body).unwrap()).await;
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// Sends a suggestion; returns the ticket and code.
pub async fn send(t: &TestApp, body: Value) -> (String, String) {
    let (s, r) = call(t, Method::POST, "/api/suggestions", Some(body), false).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    (r["ticket"].as_str().unwrap().to_string(), r["code"].as_str().unwrap().to_string())
}

pub async fn act(t: &TestApp, ticket: &str, action: &str, body: Value) -> (StatusCode, Value) {
    call(t, Method::POST, &format!("/api/suggestions/{ticket}/{action}"), Some(body), true).await
}

#[tokio::test]
async fn a_ticket_goes_through_its_life_and_refuses_steps_out_of_order() {
    each_backend(|t| async move {
        let t = with_box(t, 100, 1000);
        let (ticket, code) = send(&t, json!({"category": "执法监督", "text": "窗口办事排队太久"})).await;
        // t0 is 2026-06-01 16:00 in the office's time zone (+08:00).
        assert_eq!(ticket, "YJ-20260601-0001");
        assert_eq!(code.len(), 12);
        let (second, _) = send(&t, json!({"category": "其他", "text": "第二条"})).await;
        assert_eq!(second, "YJ-20260601-0002");

        let uri = format!("/api/suggestions/{ticket}?code={}", code.to_lowercase());
        let (s, v) = t.get(&uri).await;
        assert_eq!(
            (s, v["status"].as_str(), v["text"].as_str()),
            (StatusCode::OK, Some("submitted"), Some("窗口办事排队太久"))
        );
        assert!(v.get("contact").is_none(), "the check never returns the contact: {v}");
        let (wrong_s, wrong) = t.get(&format!("/api/suggestions/{ticket}?code=ABCDEFGHJKLM")).await;
        let (unknown_s, unknown) = t.get(&format!("/api/suggestions/YJ-20260601-0099?code={code}")).await;
        let (none_s, none) = t.get(&format!("/api/suggestions/{ticket}")).await;
        assert_eq!((wrong_s, unknown_s, none_s), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
        assert_eq!(wrong, unknown, "a wrong code reads exactly like an unknown ticket");
        assert_eq!((wrong["error"]["code"].as_str(), &none), (Some("unknown_ticket"), &wrong));

        let (s, _) = call(&t, Method::POST, &format!("/api/suggestions/{ticket}/accept"), None, false).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "actions need the organizer token");
        let assign = json!({"unit": "县司法局", "due": "2026-06-10"});
        for (action, body) in [("reply", json!({"reply": "已处理"})), ("assign", assign.clone())] {
            let (s, e) = act(&t, &ticket, action, body).await;
            assert_eq!(
                (s, e["error"]["code"].as_str()),
                (StatusCode::CONFLICT, Some("illegal_transition")),
                "{action} first"
            );
        }
        t.advance(chrono::Duration::hours(1));
        assert_eq!(act(&t, &ticket, "accept", json!({})).await.1["status"], "accepted");
        assert_eq!(act(&t, &ticket, "accept", json!({})).await.0, StatusCode::CONFLICT, "accepted twice");
        let (s, e) = act(&t, &ticket, "assign", json!({"unit": "县教育局"})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_unit")));
        let (s, e) = act(&t, &ticket, "assign", json!({"unit": "县司法局", "due": "2026-05-31"})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_due_date")));
        t.advance(chrono::Duration::hours(1));
        assert_eq!(act(&t, &ticket, "assign", assign).await.1["status"], "assigned");
        t.advance(chrono::Duration::hours(1));
        assert_eq!(act(&t, &ticket, "reply", json!({"reply": "  "})).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(act(&t, &ticket, "reply", json!({"reply": "已协调增设窗口"})).await.1["status"], "closed");
        for (action, body) in
            [("accept", json!({})), ("assign", json!({"unit": "县公安局"})), ("reply", json!({"reply": "again"}))]
        {
            assert_eq!(act(&t, &ticket, action, body).await.0, StatusCode::CONFLICT, "{action} after closing");
        }
        assert_eq!(act(&t, "YJ-20260601-0099", "accept", json!({})).await.0, StatusCode::NOT_FOUND);

        let (_, v) = t.get(&uri).await;
        assert_eq!((v["status"].as_str(), v["reply"].as_str()), (Some("closed"), Some("已协调增设窗口")));
        assert_eq!((v["unit"].as_str(), v["due"].as_str()), (Some("县司法局"), Some("2026-06-10")));
        let steps: Vec<(&str, &str)> = v["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["action"].as_str().unwrap(), s["at"].as_str().unwrap()))
            .collect();
        assert_eq!(
            steps,
            [
                ("submit", "2026-06-01T16:00:00+08:00"),
                ("accept", "2026-06-01T17:00:00+08:00"),
                ("assign", "2026-06-01T18:00:00+08:00"),
                ("reply", "2026-06-01T19:00:00+08:00"),
            ]
        );
        assert_eq!(v["history"][2]["unit"], "县司法局");

        // Handed over without a due date: the box's 15 days from today (06-01 + 15 = 06-16, due by its end).
        act(&t, &second, "accept", json!({})).await;
        assert_eq!(act(&t, &second, "assign", json!({"unit": "县公安局"})).await.0, StatusCode::OK);
        let row = t.state.store.suggestion(&second).await.unwrap().unwrap();
        let end_of_16th: chrono::DateTime<chrono::Utc> = "2026-06-16T16:00:00Z".parse().unwrap();
        assert_eq!(row.due_at, Some(end_of_16th.timestamp_millis()));
    })
    .await;
}

#[tokio::test]
async fn what_is_sent_is_checked() {
    let t = with_box(test_app().await, 100, 1000);
    let long = "字".repeat(2001);
    for (body, status, code) in [
        (json!({"category": "天气", "text": "x"}), 422, "unknown_category"),
        (json!({"category": "其他", "text": " \n "}), 422, "suggestion_empty"),
        (json!({"category": "其他", "text": long}), 422, "suggestion_too_long"),
        (json!({"category": "其他", "text": "x", "contact": "1".repeat(65)}), 422, "field_too_long"),
        // 65 characters as sent, though 64 once trimmed: the document's maxLength is of the field as sent.
        (json!({"category": "其他", "text": "x", "town": format!(" {}", "镇".repeat(64))}), 422, "field_too_long"),
        (json!({"category": "其他", "text": "x", "ip": "1.2.3.4"}), 400, "malformed_json"),
        (json!({"text": "x"}), 400, "malformed_json"),
    ] {
        let (s, e) = call(&t, Method::POST, "/api/suggestions", Some(body.clone()), false).await;
        assert_eq!((s.as_u16(), e["error"]["code"].as_str()), (status, Some(code)), "{body}");
    }
    let (s, e) =
        call(&t, Method::POST, "/api/suggestions", Some(json!({"category": "其他", "text": "字".repeat(2000)})), false)
            .await;
    assert_eq!(s, StatusCode::CREATED, "2,000 characters are fine: {e}");
}

#[tokio::test]
async fn ticket_numbers_are_unique_under_concurrency_and_across_stores_and_start_again_each_day() {
    for db in test_dbs().await {
        let second = pufa::store::Store::open(&db.url).await.unwrap();
        let t = with_box(test_app_on(db).await, 1000, 1000);
        let mut tasks = Vec::new();
        for i in 0..40 {
            // Half through the app's store, half through a second store on the same database (another process).
            let (state, other) = (t.state.clone(), second.clone());
            tasks.push(tokio::spawn(async move {
                let new = pufa::store::suggestions::NewSuggestion {
                    day: "20260601".into(),
                    code: "C".into(),
                    category: "其他".into(),
                    body: format!("#{i}"),
                    town: None,
                    contact: None,
                    public_ok: false,
                    created_at: 0,
                };
                if i % 2 == 0 {
                    state.store.suggest(new).await.unwrap()
                } else {
                    other.suggest(new).await.unwrap()
                }
            }));
        }
        let mut tickets: Vec<String> = Vec::new();
        for task in tasks {
            tickets.push(task.await.unwrap());
        }
        tickets.sort();
        let want: Vec<String> = (1..=40).map(|n| format!("YJ-20260601-{n:04}")).collect();
        assert_eq!(tickets, want, "every number once, none skipped ({})", t.db.url);
        t.set_time("2026-06-01T16:00:00Z".parse().unwrap()); // 2026-06-02 00:00 in +08:00
        let (next_day, _) = send(&t, json!({"category": "其他", "text": "次日"})).await;
        assert_eq!(next_day, "YJ-20260602-0001");
        second.close(std::time::Duration::from_secs(5)).await;
    }
}

#[tokio::test]
async fn overdue_items_are_counted_per_unit_as_the_clock_moves() {
    each_backend(|t| async move {
        let t = with_box(t, 100, 1000);
        let mut tickets = Vec::new();
        for (i, town) in ["城关镇", "新华镇", "城关镇", "新华镇", "城关镇"].iter().enumerate() {
            let (ticket, _) = send(&t, json!({"category": "矛盾纠纷", "text": format!("事项{i}"), "town": town})).await;
            act(&t, &ticket, "accept", json!({})).await;
            tickets.push(ticket);
        }
        // a: 司法局 due 06-05; b: 司法局 due 06-10; c: 公安局 due 06-05; d: 公安局 due 06-05, answered; e: accepted only.
        for (k, unit, due) in [
            (0, "县司法局", "2026-06-05"),
            (1, "县司法局", "2026-06-10"),
            (2, "县公安局", "2026-06-05"),
            (3, "县公安局", "2026-06-05"),
        ] {
            assert_eq!(act(&t, &tickets[k], "assign", json!({"unit": unit, "due": due})).await.0, StatusCode::OK);
        }
        act(&t, &tickets[3], "reply", json!({"reply": "已办"})).await;
        let figures = |v: &Value| -> Vec<(String, u64, u64)> {
            v["units"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| {
                    (
                        u["unit"].as_str().unwrap().to_string(),
                        u["open"].as_u64().unwrap(),
                        u["overdue"].as_u64().unwrap(),
                    )
                })
                .collect()
        };
        let list = |q: &'static str| call(&t, Method::GET, q, None, true);
        // 06-05 ends at 2026-06-05T16:00Z: one second before, nothing is overdue.
        t.set_time("2026-06-05T15:59:59Z".parse().unwrap());
        let (_, v) = list("/api/suggestions").await;
        assert_eq!(figures(&v), [("县公安局".into(), 1, 0), ("县司法局".into(), 2, 0)]);
        assert_eq!(v["overdue"], 0);
        t.set_time("2026-06-05T16:00:00Z".parse().unwrap());
        let (_, v) = list("/api/suggestions").await;
        assert_eq!(figures(&v), [("县公安局".into(), 1, 1), ("县司法局".into(), 2, 1)]);
        assert_eq!(v["overdue"], 2);
        let (_, v) = list("/api/suggestions?overdue=true").await;
        let late: Vec<&str> = v["items"].as_array().unwrap().iter().map(|i| i["ticket"].as_str().unwrap()).collect();
        assert_eq!(late, [tickets[0].as_str(), tickets[2].as_str()]);
        let actions: Vec<&str> =
            v["items"][1]["history"].as_array().unwrap().iter().map(|s| s["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["submit", "accept", "assign"], "each item carries its own history");
        t.set_time("2026-06-11T00:00:00Z".parse().unwrap());
        let (_, v) = list("/api/suggestions").await;
        assert_eq!(figures(&v), [("县司法局".into(), 2, 2), ("县公安局".into(), 1, 1)]);
        let (_, v) = list("/api/suggestions?status=accepted&town=城关镇").await;
        let only: Vec<&str> = v["items"].as_array().unwrap().iter().map(|i| i["ticket"].as_str().unwrap()).collect();
        assert_eq!(only, [tickets[4].as_str()]);
        let (_, v) = list("/api/suggestions?status=closed&category=矛盾纠纷").await;
        assert_eq!(v["items"].as_array().unwrap().len(), 1);
        assert_eq!(list("/api/suggestions?status=lost").await.0, StatusCode::BAD_REQUEST);
        assert_eq!(call(&t, Method::GET, "/api/suggestions", None, false).await.0, StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn senders_are_limited_per_device_and_the_server_per_hour_never_by_address() {
    let t = with_box(test_app().await, 2, 3);
    let post = |device: &'static str| {
        let req = Request::post("/api/suggestions")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, format!("pufa_device={device}"))
            .body(Body::from(json!({"category": "其他", "text": "同一所学校"}).to_string()))
            .unwrap();
        t.raw(req)
    };
    let (a, b, c) = ("AAAAAAAAAAAAAAAAAAAAAA", "BBBBBBBBBBBBBBBBBBBBBB", "CCCCCCCCCCCCCCCCCCCCCC");
    assert_eq!(post(a).await.0, StatusCode::CREATED);
    assert_eq!(post(a).await.0, StatusCode::CREATED);
    let (s, h, body) = post(a).await;
    assert_eq!((s, h[header::RETRY_AFTER].to_str().unwrap()), (StatusCode::TOO_MANY_REQUESTS, "3600"));
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["error"]["code"], "suggestion_limited");
    assert_eq!(post(b).await.0, StatusCode::CREATED, "another device of the same school (same address) may send");
    assert_eq!(post(c).await.0, StatusCode::TOO_MANY_REQUESTS, "the server's hour is full");
    t.advance(chrono::Duration::minutes(61));
    assert_eq!(post(c).await.0, StatusCode::CREATED, "an hour later");
    // Without a cookie a device id is handed out with the answer.
    let req = Request::post("/api/suggestions")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"category": "其他", "text": "x"}).to_string()))
        .unwrap();
    let (s, h, _) = t.raw(req).await;
    assert_eq!(s, StatusCode::CREATED);
    assert!(h[header::SET_COOKIE].to_str().unwrap().starts_with("pufa_device="));
}

#[tokio::test]
async fn odd_tickets_and_junk_bodies_are_client_errors_on_both_backends() {
    each_backend(|t| async move {
        let t = with_box(t, 100, 1000);
        for ticket in ["%00", "YJ%00-1", "%E4%B8%AD", &"9".repeat(300), "YJ-20260601-0001%20OR%201=1"] {
            let (s, _) = t.get(&format!("/api/suggestions/{ticket}?code=%00")).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{ticket}");
            for (action, body) in
                [("accept", json!({})), ("assign", json!({"unit": "县司法局"})), ("reply", json!({"reply": "x"}))]
            {
                let (s, _) = act(&t, ticket, action, body).await;
                assert_eq!(s, StatusCode::NOT_FOUND, "{action} {ticket}");
            }
        }
        for (action, body) in [
            ("assign", json!({"unit": 5})),
            ("reply", json!([])),
            ("assign", json!({"unit": "县司法局", "due": "明天"})),
        ] {
            let (s, e) = act(&t, "YJ-20260601-0001", action, body).await;
            assert!(s.is_client_error(), "{action}: {s} {e}");
        }
        let nul = json!({"category": "其他", "text": "a\u{0}b", "town": "镇\u{0}"});
        let (s, e) = call(&t, Method::POST, "/api/suggestions", Some(nul), false).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("field_too_long")));
    })
    .await;
}

#[tokio::test]
async fn the_served_document_lists_the_categories_and_units_accepted() {
    let t = with_box(test_app().await, 5, 300);
    let (s, doc) = t.get("/api/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["SuggestionRequest"]["properties"]["category"]["enum"],
        json!(["法治宣传", "执法监督", "公共法律服务", "矛盾纠纷", "其他"])
    );
    assert_eq!(schemas["SuggestionAssign"]["properties"]["unit"]["enum"], json!(UNITS));
    let codes = &schemas["Error"]["properties"]["error"]["properties"]["code"]["enum"];
    for code in ["unknown_category", "unknown_ticket", "illegal_transition", "suggestion_limited", "bad_due_date"] {
        assert!(codes.as_array().unwrap().iter().any(|c| c == code), "{code}");
    }
}
