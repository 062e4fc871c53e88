//! Organizer exports (auth, BOM, formula escaping, no-store), public competition info, security headers on every
//! kind of response, and the OpenAPI document matching the routes.

use crate::common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::*;
use serde_json::json;

async fn export(t: &TestApp, ext: &str, auth: Option<&str>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::get(format!("/api/competitions/open/results.{ext}"));
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    t.raw(req.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn exports_need_the_token_and_never_make_formulas() {
    each_backend(|t| async move {
        for name in ["=HYPERLINK(\"http://x\")", "+1张", "-2李", "@SUM(A1)", "普通"] {
            let (_, s) = t.start("open", name, "school-a", "\t一班").await;
            t.submit(s["attempt"].as_str().unwrap(), json!({})).await;
        }
        for auth in [None, Some("Bearer wrong"), Some(TOKEN), Some("Basic dGVzdA==")] {
            let (status, headers, body) = export(&t, "csv", auth).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{auth:?}");
            assert_eq!(headers["cache-control"], "no-store");
            let err: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(err["error"]["code"], "unauthorized");
        }
        let bearer = format!("Bearer {TOKEN}");
        let (status, headers, body) = export(&t, "csv", Some(&bearer)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["cache-control"], "no-store");
        assert!(headers["content-disposition"].to_str().unwrap().contains("results-open.csv"));
        assert!(body.starts_with(b"\xEF\xBB\xBF"), "CSV must start with a UTF-8 BOM");
        let text = String::from_utf8(body[3..].to_vec()).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert!(reader.headers().unwrap().iter().any(|h| h == "姓名"), "Chinese headers");
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 5);
        for row in &rows {
            for cell in row.iter() {
                assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "formula-like cell {cell:?}");
            }
        }
        assert!(rows.iter().any(|r| r.iter().any(|c| c == "'=HYPERLINK(\"http://x\")")));
        assert!(rows.iter().any(|r| r.iter().any(|c| c == "'-2李")));
        assert!(rows.iter().any(|r| r.iter().any(|c| c == "普通")));

        let (status, headers, body) = export(&t, "xlsx", Some(&bearer)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["cache-control"], "no-store");
        assert!(body.starts_with(b"PK"), "an xlsx is a zip file");
    })
    .await;
}

#[tokio::test]
async fn security_headers_on_every_response() {
    each_backend(|t| async move {
        for (method, uri) in [
            (Method::GET, "/healthz"),
            (Method::GET, "/api/competitions"),
            (Method::GET, "/api/competitions/nope"),
            (Method::GET, "/no/such/page"),
            (Method::POST, "/api/competitions/open/attempts"),
        ] {
            let (_, headers, _) = t.raw(Request::builder().method(method).uri(uri).body(Body::empty()).unwrap()).await;
            let csp = headers["content-security-policy"].to_str().unwrap();
            for part in ["default-src 'self'", "script-src 'self'", "frame-ancestors 'self'", "player.bilibili.com"] {
                assert!(csp.contains(part), "{uri}: CSP lacks {part}");
            }
            assert!(!csp.contains("unsafe-inline"), "{uri}");
            assert_eq!(headers["x-content-type-options"], "nosniff", "{uri}");
            assert_eq!(headers["referrer-policy"], "strict-origin-when-cross-origin", "{uri}");
            assert_eq!(headers["x-frame-options"], "SAMEORIGIN", "{uri}");
            if uri.starts_with("/api/") {
                assert_eq!(headers["cache-control"], "no-store", "{uri}");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn competitions_list_and_public_info() {
    each_backend(|t| async move {
        let (_, list) = t.get("/api/competitions").await;
        let status: Vec<(&str, &str)> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["id"].as_str().unwrap(), c["status"].as_str().unwrap()))
            .collect();
        assert_eq!(status, [("closed", "closed"), ("open", "open"), ("schools", "open"), ("later", "upcoming")]);
        let (s, info) = t.get("/api/competitions/schools").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(info["max_score"], 100);
        assert_eq!(info["question_count"], 5);
        assert_eq!(info["time_limit_seconds"], 300);
        let orgs: Vec<&str> =
            info["organizations"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
        assert_eq!(orgs, ["school-a", "school-b", "school-c"]);
        assert!(!info.to_string().contains("EXPLAIN-"));
    })
    .await;
}

#[tokio::test]
async fn every_route_in_the_openapi_document_exists() {
    each_backend(|t| async move {
        let (_, started) = t.start("open", "甲", "school-a", "一班").await;
        let attempt = started["attempt"].as_str().unwrap();
        let (s, doc) = t.get("/api/openapi.json").await;
        assert_eq!(s, StatusCode::OK);
        let paths = doc["paths"].as_object().unwrap();
        assert!(paths.len() >= 9);
        for (path, ops) in paths {
            let uri =
                path.replace("{id}", "open").replace("{attempt}", attempt).replace("{ticket}", "YJ-20260601-0001");
            for method in ops.as_object().unwrap().keys() {
                let method: Method = method.to_uppercase().parse().unwrap();
                let req = Request::builder()
                    .method(method.clone())
                    .uri(&uri)
                    .header("content-type", "application/json")
                    .body(Body::from("{}"))
                    .unwrap();
                let (status, _, body) = t.raw(req).await;
                let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
                assert_ne!(body["error"]["code"], "not_found", "{method} {uri} is not routed");
            }
        }
    })
    .await;
}
