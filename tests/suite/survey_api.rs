//! Surveys (民意测评, issue 13) through the JSON API: responses checked and stored, refusals that store nothing,
//! one response per device by its cookie, the summary against figures worked out by hand, who may read it, and
//! nothing stored about a respondent beyond what the survey asks.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};

use crate::common::{each_backend, t0, test_app, TestApp, TOKEN};

/// Posts a response with an optional cookie header; returns status, the JSON and the cookie set, if any.
async fn respond(
    app: &TestApp,
    survey: &str,
    body: Value,
    cookie: Option<&str>,
) -> (StatusCode, Value, Option<String>) {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/surveys/{survey}/responses"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let (status, headers, bytes) = app.raw(req.body(Body::from(body.to_string())).unwrap()).await;
    let set = headers.get(header::SET_COOKIE).map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string());
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null), set)
}

async fn summary(app: &TestApp, survey: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut req = Request::builder().uri(format!("/api/surveys/{survey}/summary"));
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let (status, _, bytes) = app.raw(req.body(Body::empty()).unwrap()).await;
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn group<'a>(list: &'a Value, key: &str) -> &'a Value {
    list.as_array().unwrap().iter().find(|g| g["key"] == key).unwrap_or_else(|| panic!("no group {key}: {list}"))
}

#[tokio::test]
async fn the_summary_matches_figures_worked_out_by_hand() {
    each_backend(|app| async move {
        let responses = [
            json!({"organization": "school-a", "town": "城关镇",
                   "answers": {"q1": 5, "q2": 4, "q3": "B", "q4": ["A", "C"], "q5": "  多开展进校园活动 "}}),
            json!({"organization": "school-b", "town": "新华镇", "answers": {"q1": 3, "q2": 2, "q3": "b", "q4": "D"}}),
            json!({"organization": "firm-a", "town": "城关镇",
                   "answers": {"q1": 4, "q2": 5, "q3": "A", "q4": ["C", "A", "c"], "q5": ""}}),
        ];
        let mut receipts = Vec::new();
        for body in responses {
            let (status, v, cookie) = respond(&app, "manyi", body, None).await;
            assert_eq!(status, StatusCode::CREATED, "{v}");
            let receipt = v["receipt"].as_str().unwrap().to_string();
            assert_eq!(cookie.unwrap(), format!("pufa_survey_manyi={receipt}"));
            receipts.push(receipt);
        }
        assert_eq!(receipts.iter().collect::<std::collections::HashSet<_>>().len(), 3, "receipts differ");

        let (status, s) = summary(&app, "manyi", Some(TOKEN)).await;
        assert_eq!(status, StatusCode::OK, "{s}");
        assert_eq!(s["responses"], 3);
        // Scale answers: q1 5, 3, 4 and q2 4, 2, 5: 23 points in 6 answers, 4 of them in the top two points.
        assert_eq!(s["index"]["answers"], 6);
        assert!(close(s["index"]["mean"].as_f64().unwrap(), 23.0 / 6.0), "{}", s["index"]);
        assert!(close(s["index"]["satisfied_share"].as_f64().unwrap(), 4.0 / 6.0));
        let q = &s["questions"];
        assert_eq!(q[0]["counts"], json!({"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}));
        assert!(close(q[0]["mean"].as_f64().unwrap(), 4.0));
        assert!(close(q[0]["satisfied_share"].as_f64().unwrap(), 2.0 / 3.0));
        assert!(close(q[1]["mean"].as_f64().unwrap(), 11.0 / 3.0));
        assert_eq!(q[2]["counts"], json!({"A": 1, "B": 2, "C": 0, "D": 0}), "a lower-case letter counts as its option");
        assert_eq!(q[2]["mean"], Value::Null);
        assert_eq!(q[3]["counts"], json!({"A": 2, "B": 0, "C": 2, "D": 1}), "a repeated letter counts once");
        assert_eq!(q[3]["answered"], 3);
        assert_eq!(q[4]["answered"], 1, "an empty text is no answer");
        assert_eq!(q[4]["texts"], json!(["多开展进校园活动"]));
        // 城关镇: q1 5 and 4, q2 4 and 5: mean 4.5, all four in the top two; 新华镇: 3 and 2, none.
        let town = group(&s["by_town"], "城关镇");
        assert_eq!(town["responses"], 2);
        assert!(close(town["index"]["mean"].as_f64().unwrap(), 4.5));
        assert!(close(town["index"]["satisfied_share"].as_f64().unwrap(), 1.0));
        assert!(close(town["means"]["q2"].as_f64().unwrap(), 4.5));
        let town = group(&s["by_town"], "新华镇");
        assert!(close(town["index"]["mean"].as_f64().unwrap(), 2.5));
        assert!(close(town["index"]["satisfied_share"].as_f64().unwrap(), 0.0));
        let towns: Vec<&str> = s["by_town"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap()).collect();
        assert_eq!(towns, ["城关镇", "新华镇"], "the survey's order of towns; a town nobody chose is left out");
        let orgs: Vec<&str> =
            s["by_organization"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap()).collect();
        assert_eq!(orgs, ["firm-a", "school-a", "school-b"]);
        assert!(close(group(&s["by_organization"], "firm-a")["index"]["mean"].as_f64().unwrap(), 4.5));
    })
    .await;
}

/// A valid response of the fixture's `manyi` survey, with `change` applied to its answers.
fn valid(change: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    let mut answers = json!({"q1": 4, "q2": 4, "q3": "A", "q4": ["B"]}).as_object().unwrap().clone();
    change(&mut answers);
    json!({"organization": "school-a", "town": "城关镇", "answers": answers})
}

#[tokio::test]
async fn wrong_responses_are_refused_in_chinese_and_store_nothing() {
    let app = test_app().await;
    let long = "字".repeat(1001);
    let cases: Vec<(Value, StatusCode, &str, &str)> = vec![
        (valid(|a| drop(a.remove("q1"))), StatusCode::UNPROCESSABLE_ENTITY, "survey_answer_missing", "第 1 题尚未作答"),
        (
            valid(|a| drop(a.insert("q2".into(), json!(null)))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "survey_answer_missing",
            "第 2 题",
        ),
        (
            valid(|a| drop(a.insert("q1".into(), json!(6)))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "survey_answer_invalid",
            "第 1 题",
        ),
        (
            valid(|a| drop(a.insert("q1".into(), json!(0)))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "survey_answer_invalid",
            "第 1 题",
        ),
        (
            valid(|a| drop(a.insert("q1".into(), json!("4")))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "survey_answer_invalid",
            "第 1 题",
        ),
        (
            valid(|a| drop(a.insert("q3".into(), json!("E")))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "survey_answer_invalid",
            "第 3 题",
        ),
        (
            valid(|a| drop(a.insert("q3".into(), json!(["A", "B"])))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "survey_answer_invalid",
            "第 3 题",
        ),
        (
            valid(|a| drop(a.insert("q4".into(), json!(["A", 1])))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "survey_answer_invalid",
            "第 4 题",
        ),
        (
            valid(|a| drop(a.insert("q5".into(), json!(long)))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "survey_text_too_long",
            "最多 1000 个字",
        ),
        (
            valid(|a| drop(a.insert("q9".into(), json!("A")))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "survey_unknown_question",
            "刷新",
        ),
        (
            json!({"organization": "school-a", "town": "火星镇", "answers": valid(|_| ())["answers"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_town",
            "乡镇",
        ),
        (
            json!({"organization": "nobody", "town": "城关镇", "answers": valid(|_| ())["answers"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_organization",
            "单位",
        ),
        (
            json!({"town": "城关镇", "answers": valid(|_| ())["answers"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_organization",
            "单位",
        ),
    ];
    for (body, status, code, words) in cases {
        let (got, v, cookie) = respond(&app, "manyi", body.clone(), None).await;
        assert_eq!((got, v["error"]["code"].as_str()), (status, Some(code)), "{body} → {v}");
        assert!(v["error"]["message"].as_str().unwrap().contains(words), "{v}");
        assert!(cookie.is_none(), "a refused response sets no cookie");
    }
    let (status, v, _) = respond(&app, "nosuch", valid(|_| ()), None).await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_survey")));
    let (status, v, _) = respond(&app, "later", json!({"name": "张三", "answers": {"a": 2}}), None).await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("survey_not_open")));
    assert!(app.state.store.survey_responses("manyi").await.unwrap().is_empty(), "nothing stored");

    app.set_time("2026-07-01T00:00:00+08:00".parse().unwrap());
    let (status, v, _) = respond(&app, "manyi", valid(|_| ()), None).await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("survey_closed")),
        "closes is exclusive"
    );
}

#[tokio::test]
async fn a_device_answers_once_by_its_cookie() {
    let app = test_app().await;
    let (status, v, cookie) = respond(&app, "manyi", valid(|_| ()), None).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let cookie = cookie.unwrap();
    let (status, v, _) = respond(&app, "manyi", valid(|_| ()), Some(&format!("a=1; {cookie}"))).await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("already_responded")));
    assert_eq!(app.state.store.survey_responses("manyi").await.unwrap().len(), 1);
    // A soft limit, as documented: a browser that cleared its cookies answers again.
    let (status, _, _) = respond(&app, "manyi", valid(|_| ()), None).await;
    assert_eq!(status, StatusCode::CREATED);
    // Another survey's cookie does not count.
    app.set_time("2026-09-02T00:00:00+08:00".parse().unwrap());
    let (status, v, _) = respond(&app, "later", json!({"name": "张三", "answers": {"a": 3}}), Some(&cookie)).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
}

#[tokio::test]
async fn the_summary_is_the_organizers_unless_the_survey_makes_it_public() {
    let app = test_app().await;
    let (status, v) = summary(&app, "manyi", None).await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
    let (status, _) = summary(&app, "manyi", Some("wrong-token-0123456789abcdef")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, v) = summary(&app, "later", None).await;
    assert_eq!((status, v["responses"].as_u64()), (StatusCode::OK, Some(0)), "{v}");
    let (status, _) = summary(&app, "nosuch", Some(TOKEN)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_named_survey_asks_a_name_and_an_anonymous_one_keeps_none() {
    each_backend(|app| async move {
        // Anonymous: a name sent along is not stored, nor anything else about the sender.
        let mut body = valid(|_| ());
        body["name"] = json!("李四");
        let (status, v, _) = respond(&app, "manyi", body, None).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        let rows = app.state.store.survey_responses("manyi").await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].name, None);
        assert_eq!((rows[0].organization.as_deref(), rows[0].town.as_deref()), (Some("school-a"), Some("城关镇")));
        let stored: Value = serde_json::from_str(&rows[0].answers).unwrap();
        assert_eq!(stored, json!({"q1": 4, "q2": 4, "q3": ["A"], "q4": ["B"]}));
        assert_eq!(rows[0].id, v["receipt"].as_str().unwrap());
        assert_eq!(rows[0].submitted_at, t0().timestamp_millis());

        app.set_time("2026-09-02T00:00:00+08:00".parse().unwrap());
        let (status, v, _) = respond(&app, "later", json!({"answers": {"a": 2}}), None).await;
        assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("name_empty")));
        let (status, _, _) = respond(&app, "later", json!({"name": " 王\u{200b}五 ", "answers": {"a": 2}}), None).await;
        assert_eq!(status, StatusCode::CREATED);
        let rows = app.state.store.survey_responses("later").await.unwrap();
        assert_eq!(rows[0].name.as_deref(), Some("王五"), "cleaned like a participant's name");
        assert_eq!((rows[0].organization.as_deref(), rows[0].town.as_deref()), (None, None), "not asked, not kept");
    })
    .await;
}

#[tokio::test]
async fn the_survey_list_and_its_questions_are_public() {
    let app = test_app().await;
    let (status, list) = app.get("/api/surveys").await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<(&str, &str)> =
        list.as_array().unwrap().iter().map(|s| (s["id"].as_str().unwrap(), s["status"].as_str().unwrap())).collect();
    assert_eq!(ids, [("manyi", "open"), ("later", "upcoming")]);
    let (status, s) = app.get("/api/surveys/manyi").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s["questions"][0]["labels"][4], "非常满意");
    assert_eq!(s["questions"][4]["required"], false, "a text question is optional by default");
    assert_eq!(s["towns"], json!(["城关镇", "新华镇", "山区乡"]));
    assert_eq!(s["organizations"].as_array().unwrap().len(), 4);
    assert!(s.get("source").is_none());
}

#[tokio::test]
async fn a_polled_public_summary_is_computed_once_a_second() {
    let app = test_app().await;
    app.set_time("2026-09-02T00:00:00+08:00".parse().unwrap());
    let answer = |name: &str| json!({"name": name, "answers": {"a": 3}});
    assert_eq!(respond(&app, "later", answer("张三"), None).await.0, StatusCode::CREATED);
    for _ in 0..20 {
        assert_eq!(summary(&app, "later", None).await.1["responses"], 1);
    }
    assert_eq!(app.state.summaries.computations(), 1, "twenty readers, one computation");
    assert_eq!(respond(&app, "later", answer("李四"), None).await.0, StatusCode::CREATED);
    assert_eq!(summary(&app, "later", None).await.1["responses"], 1, "served from the cache within the second");
    assert_eq!(summary(&app, "later", Some(TOKEN)).await.1["responses"], 2, "the organizer's is always fresh");
    app.advance(chrono::Duration::seconds(1));
    assert_eq!(summary(&app, "later", None).await.1["responses"], 2);
    let page = app.get_page("/survey/later/summary", None).await;
    assert!(page.body.contains("<dd>2</dd>"), "the page reads the same cache");
    assert_eq!(app.state.summaries.computations(), 2);
}
