//! What the competition pages must never do (issue 3, "Security"): run a participant's text as markup, show
//! organizer pages without the token or let proxies keep them, carry inline script or style, or leak the
//! answer key before submission.

use crate::common;

use axum::http::StatusCode;
use common::*;

const EVIL: &str = "<script>alert(1)</script>";
const ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;";

/// No markup we did not write: neither the raw text nor any inline script or style.
fn assert_safe(page: &str, html: &str) {
    assert!(!html.contains(EVIL), "{page} shows the participant's text as markup");
    assert!(!html.contains("alert(1)</script>"), "{page}");
    for (i, _) in html.match_indices("<script") {
        let tag = &html[i..html[i..].find('>').map(|e| i + e).unwrap_or(html.len())];
        assert!(tag.contains(" src="), "{page} has an inline script: {tag}");
    }
    assert!(!html.contains("<style") && !html.contains(" style="), "{page} has inline style");
}

#[tokio::test]
async fn a_name_with_markup_is_escaped_on_every_page_that_shows_it() {
    let t = test_app().await;
    let (attempt, cookie) = t.joined("open", EVIL, "school-a", EVIL).await;
    let q = t.get_page(&format!("/quiz/a/{attempt}"), Some(&cookie)).await;
    assert!(q.body.contains(ESCAPED), "question page shows the name escaped");
    assert_safe("question page", &q.body);
    t.post_form(&format!("/quiz/a/{attempt}/submit"), Some(&cookie), &[]).await;
    let r = t.get_page(&format!("/quiz/a/{attempt}/result"), Some(&cookie)).await;
    assert!(r.body.contains(ESCAPED));
    assert_safe("result page", &r.body);
    let rank = t.get_page("/quiz/open/ranking", None).await;
    assert!(rank.body.contains("&lt;*&gt;"), "ranking lists the participant, masked and escaped");
    assert_safe("ranking", &rank.body);
    let admin = t.admin_cookie(TOKEN).await;
    let a = t.get_page("/quiz/open/admin", Some(&admin)).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains(ESCAPED), "organizer page lists the participant");
    assert_safe("organizer page", &a.body);
    // A refused join echoes what was typed, escaped.
    let p = t.join("open", EVIL, "nowhere", EVIL).await;
    assert!(p.body.contains(&format!("value=\"{ESCAPED}\"")), "{}", p.body);
    assert_safe("refused join", &p.body);
}

#[tokio::test]
async fn no_page_carries_inline_script_or_style() {
    let t = test_app().await;
    let (attempt, cookie) = t.joined("open", "甲", "school-a", "一班").await;
    for uri in ["/quiz/open/", "/quiz/closed/", "/quiz/open/ranking", "/quiz/open/poster", "/quiz/admin", "/quiz/x/"] {
        assert_safe(uri, &t.get_page(uri, None).await.body);
    }
    let q = t.get_page(&format!("/quiz/a/{attempt}"), Some(&cookie)).await;
    assert!(q.body.contains("<script src=\"/static/quiz.js\" defer></script>"));
    assert!(q.body.contains("<link rel=\"stylesheet\" href=\"/static/quiz.css\">"));
    assert!(q.header("content-security-policy").contains("script-src 'self'"), "CSP applies to pages");
}

#[tokio::test]
async fn the_question_page_holds_no_answer_key() {
    let t = test_app().await;
    let (attempt, cookie) = t.joined("open", "乙", "school-a", "一班").await;
    let q = t.get_page(&format!("/quiz/a/{attempt}"), Some(&cookie)).await;
    for leak in ["EXPLAIN-", "BASIS-", "correct", "answer\""] {
        assert!(!q.body.contains(leak), "question page contains {leak}");
    }
}

#[tokio::test]
async fn organizer_pages_need_the_token_and_are_never_stored() {
    let t = test_app().await;
    let p = t.get_page("/quiz/open/admin", None).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/quiz/admin?next=/quiz/open/admin");
    assert!(p.header("cache-control").contains("no-store"));
    for export in ["/quiz/open/results.csv", "/quiz/open/results.xlsx"] {
        let e = t.get_page(export, None).await;
        assert_eq!(e.status, StatusCode::SEE_OTHER, "{export} without a session");
    }
    let form = t.get_page("/quiz/admin?next=/quiz/open/admin", None).await;
    assert!(form.header("cache-control").contains("no-store"));
    assert!(form.body.contains("type=\"password\"") && form.body.contains("value=\"/quiz/open/admin\""));

    let wrong = t.post_form("/quiz/admin/login", None, &[("token", "guess"), ("next", "/quiz/open/admin")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("管理口令不正确"));
    assert!(wrong.set_cookies().is_empty());
    assert!(wrong.header("cache-control").contains("no-store"));

    let ok = t.post_form("/quiz/admin/login", None, &[("token", TOKEN), ("next", "/quiz/open/admin")]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location(), "/quiz/open/admin");
    let set = ok.set_cookies().join("\n");
    for part in ["HttpOnly", "SameSite=Strict", "Path=/quiz/"] {
        assert!(set.contains(part), "session cookie lacks {part}: {set}");
    }
    assert!(!set.contains(TOKEN), "the cookie is not the token");
    let cookie = ok.cookie("pufa_admin").unwrap();
    let a = t.get_page("/quiz/open/admin", Some(&cookie)).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.header("cache-control").contains("no-store"));
    let csv = t.get_page("/quiz/open/results.csv", Some(&cookie)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with('\u{feff}'), "CSV with BOM");
    assert!(csv.header("cache-control").contains("no-store"));
    let xlsx = t.get_page("/quiz/open/results.xlsx", Some(&cookie)).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    // A forged or expired session is no session.
    let forged = cookie.replace("pufa_admin=", "pufa_admin=9").to_string();
    assert_eq!(t.get_page("/quiz/open/admin", Some(&forged)).await.status, StatusCode::SEE_OTHER);
    t.advance(chrono::Duration::hours(13));
    assert_eq!(t.get_page("/quiz/open/admin", Some(&cookie)).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_organizer_home_page_offers_sign_in_or_sign_out_not_both() {
    let t = test_app().await;
    let out = t.get_page("/quiz/admin", None).await;
    assert!(out.body.contains("name=\"token\"") && !out.body.contains("/quiz/admin/logout"), "{}", out.body);
    let cookie = t.admin_cookie(TOKEN).await;
    let signed = t.get_page("/quiz/admin", Some(&cookie)).await;
    assert!(signed.body.contains("已以组织者身份登录"), "{}", signed.body);
    assert!(signed.body.contains("action=\"/quiz/admin/logout\""), "{}", signed.body);
    assert!(!signed.body.contains("name=\"token\""), "no token field once signed in: {}", signed.body);
}

#[tokio::test]
async fn sign_in_never_redirects_off_the_site() {
    let t = test_app().await;
    for next in ["https://evil.example/", "//evil.example/", "/quiz/../etc"] {
        let ok = t.post_form("/quiz/admin/login", None, &[("token", TOKEN), ("next", next)]).await;
        assert_eq!(ok.location(), "/quiz/admin", "{next}");
    }
}

#[tokio::test]
async fn qr_code_is_an_svg_of_the_competition_link() {
    let t = test_app().await;
    let p = t.get_page("/quiz/open/qr.svg", None).await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.header("content-type"), "image/svg+xml");
    let svg = p.body.trim_start_matches(|c| c != '<');
    assert!(svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("<path") && svg.contains(" d=\"M"), "modules are drawn");
    assert_eq!(svg.matches("<svg").count(), 1);
    assert_eq!(t.get_page("/quiz/nope/qr.svg", None).await.status, StatusCode::NOT_FOUND);
    let poster = t.get_page("/quiz/open/poster", None).await;
    assert!(poster.body.contains("http://quiz.test/quiz/open/"), "the poster prints the link under the code");
    assert!(poster.body.contains("src=\"/quiz/open/qr.svg\""));
}

#[tokio::test]
async fn without_a_token_the_organizer_pages_are_off() {
    let dir = tempfile::tempdir().unwrap();
    let store = pufa::store::Store::open(&format!("sqlite:{}", dir.path().join("t.sqlite").display())).await.unwrap();
    let app = pufa::server::app(pufa::server::AppState::new(fixture(), store));
    use tower::ServiceExt;
    let req = |uri: &str, body: Option<&str>| {
        let b = axum::http::Request::builder().uri(uri);
        match body {
            Some(s) => b
                .method("POST")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(axum::body::Body::from(s.to_string()))
                .unwrap(),
            None => b.body(axum::body::Body::empty()).unwrap(),
        }
    };
    let r = app.clone().oneshot(req("/quiz/admin", None)).await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app.clone().oneshot(req("/quiz/admin/login", Some("token=&next="))).await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.headers().get("set-cookie").is_none());
    let r = app.oneshot(req("/quiz/open/admin", None)).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}
