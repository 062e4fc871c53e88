//! Issue 10, "Errors, everywhere": every path under `/api/` answers a JSON error in the one shape
//! (`{"error": {"code", "message"}}`, Chinese message), also for 404, 405, 413, 414 and 431; odd paths anywhere
//! are 4xx, never 500.

use crate::common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::*;
use serde_json::Value;

async fn send(t: &TestApp, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    t.raw(req).await
}

fn json_error(status: StatusCode, headers: &axum::http::HeaderMap, body: &[u8], what: &str) -> Value {
    let ct = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(ct.starts_with("application/json"), "{what}: {status} answered {ct:?}");
    let v: Value = serde_json::from_slice(body).unwrap_or_else(|e| panic!("{what}: not JSON ({e})"));
    let code = v["error"]["code"].as_str().unwrap_or_else(|| panic!("{what}: no error.code in {v}"));
    let message = v["error"]["message"].as_str().unwrap_or("");
    assert!(!code.is_empty() && message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{what}: {v}");
    v
}

#[tokio::test]
async fn api_errors_are_json_for_every_status() {
    let t = test_app().await;
    let cases: Vec<(&str, Request<Body>, StatusCode)> = vec![
        ("unknown route", Request::get("/api/nothing-here").body(Body::empty()).unwrap(), StatusCode::NOT_FOUND),
        (
            "wrong method",
            Request::delete("/api/competitions").body(Body::empty()).unwrap(),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            "body too large",
            Request::post("/api/competitions/open/attempts")
                .header("content-type", "application/json")
                .body(Body::from(vec![b' '; 200 * 1024]))
                .unwrap(),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "uri too long",
            Request::get(format!("/api/competitions/{}", "a".repeat(9000))).body(Body::empty()).unwrap(),
            StatusCode::URI_TOO_LONG,
        ),
        (
            "headers too large",
            Request::get("/api/competitions").header("x-big", "b".repeat(17 * 1024)).body(Body::empty()).unwrap(),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        ),
        (
            "not json",
            Request::post("/api/competitions/open/attempts")
                .header("content-type", "text/plain")
                .body(Body::from("x"))
                .unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "malformed json",
            Request::post("/api/competitions/open/attempts")
                .header("content-type", "application/json")
                .body(Body::from("{"))
                .unwrap(),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (what, req, want) in cases {
        let (status, headers, body) = send(&t, req).await;
        assert_eq!(status, want, "{what}");
        json_error(status, &headers, &body, what);
        assert_eq!(headers.get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"), "{what}");
    }
}

#[tokio::test]
async fn odd_paths_are_client_errors_never_server_errors() {
    let t = test_app().await;
    let paths = [
        "/quiz/%0a/admin",
        "/quiz/%00/",
        "/quiz/..%2f..%2fetc%2fpasswd/",
        "/quiz/%2e%2e/admin",
        "/quiz/%ff%fe/",
        "/quiz/%/",
        "/quiz/a/%0d%0aSet-Cookie:x=1",
        "/quiz/a/../../../../etc/passwd",
        "/quiz/%E5%AE%AA%E6%B3%95/ranking",
        "/quiz/x/qr.svg?address=javascript:alert(1)",
        "/api/attempts/%0a/submit",
        "/api/attempts/..%2f..%2f/answers",
        "/api/competitions/%00",
        "/api/competitions/%ff/leaderboard",
        "/api/attempts/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
        "/static/..%2f..%2fCargo.toml",
        "/_pufa/live",
        "/favicon.ico/..",
    ];
    for p in paths {
        for method in [Method::GET, Method::POST, Method::PUT] {
            let req = Request::builder().method(method.clone()).uri(p).body(Body::empty()).unwrap();
            let (status, headers, body) = send(&t, req).await;
            assert!(!status.is_server_error(), "{method} {p}: {status}");
            if p.starts_with("/api/") && !status.is_success() {
                json_error(status, &headers, &body, p);
            }
        }
    }
}

#[tokio::test]
async fn the_served_document_lists_the_organizations_and_every_error_code() {
    let t = test_app().await;
    let (status, doc) = t.get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let orgs = &doc["components"]["schemas"]["StartRequest"]["properties"]["organization"]["enum"];
    let want: Vec<&str> = t.set.organizations.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(orgs, &serde_json::json!(want));
    let name = &doc["components"]["schemas"]["StartRequest"]["properties"]["name"];
    assert_eq!((name["minLength"].as_u64(), name["maxLength"].as_u64()), (Some(1), Some(32)));
    // Every code an error answered in these tests is in the document's enum.
    let codes = doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"].clone();
    for code in [
        "attempt_in_progress",
        "resume_code_wrong",
        "resume_locked",
        "invalid_answer",
        "name_no_letters",
        "method_not_allowed",
        "uri_too_long",
        "headers_too_large",
        "timeout",
        "overloaded",
    ] {
        assert!(codes.as_array().unwrap().iter().any(|c| c == code), "{code} missing from Error.code");
    }
    for (path, ops) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/") {
            continue;
        }
        for (method, op) in ops.as_object().unwrap() {
            for status in ["400", "405", "503"] {
                assert!(op["responses"].get(status).is_some(), "{method} {path} does not list {status}");
            }
        }
    }
}
