//! Survey pages (issue 13) without JavaScript, as a phone's browser posts them: the form, a refusal that keeps
//! what was chosen, a double post stored once, the thanks page, the organizer's summary and exports (read back as
//! a spreadsheet program would), the public summary, and a table that holds nothing about the respondent.

use std::io::Cursor;

use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx};

use crate::common::{test_app, TestApp, TOKEN};

const FORM: &str = "/survey/manyi/";

/// The hidden receipt of a form page.
fn receipt(html: &str) -> String {
    let at = html.find("name=\"receipt\" value=\"").expect("the form carries a receipt") + 22;
    html[at..at + 32].to_string()
}

fn answers<'a>(receipt: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![("receipt", receipt), ("organization", "school-a"), ("town", "城关镇")];
    f.extend_from_slice(&[("q_q1", "5"), ("q_q2", "4"), ("q_q3", "B"), ("q_q4", "A"), ("q_q4", "D")]);
    f.extend_from_slice(extra);
    f
}

async fn respond_by_form(app: &TestApp, extra: &[(&str, &str)]) -> String {
    let page = app.get_page(FORM, None).await;
    let r = receipt(&page.body);
    let p = app.post_form(FORM, None, &answers(&r, extra)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    r
}

#[tokio::test]
async fn the_form_works_without_javascript_keeps_choices_on_refusal_and_stores_a_double_post_once() {
    let app = test_app().await;
    let page = app.get_page(FORM, None).await;
    assert_eq!(page.status, StatusCode::OK);
    for text in
        ["2026年法治建设群众满意度测评", "非常满意", "type=\"checkbox\" name=\"q_q4\"", "<textarea name=\"q_q5\""]
    {
        assert!(page.body.contains(text), "the form shows {text}");
    }
    let r = receipt(&page.body);

    // q1 left out: the form comes back with the reason and what was chosen.
    let mut fields = answers(&r, &[]);
    fields.retain(|(k, _)| *k != "q_q1");
    let p = app.post_form(FORM, None, &fields).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("第 1 题尚未作答"), "{}", p.body);
    assert!(p.body.contains("name=\"q_q3\" value=\"B\" checked"), "the choice is kept");
    assert!(p.body.contains("value=\"D\" checked"), "both choices of the multiple question are kept");
    assert!(p.body.contains("value=\"school-a\" selected"));
    assert_eq!(receipt(&p.body), r, "the same receipt, so a later success is one response");
    assert!(p.cookie("pufa_survey_manyi").is_none());

    let text = [("q_q5", "=HYPERLINK(\"http://x\") 请多到村里宣讲")];
    let p = app.post_form(FORM, None, &answers(&r, &text)).await;
    assert_eq!((p.status, p.location()), (StatusCode::SEE_OTHER, "/survey/manyi/thanks"));
    let cookie = p.cookie("pufa_survey_manyi").expect("the device cookie");
    assert_eq!(cookie, format!("pufa_survey_manyi={r}"));
    assert!(p.set_cookies()[0].contains("HttpOnly"));
    // The same form sent again (the answer to the first was lost on a bad line): stored once.
    let again = app.post_form(FORM, None, &answers(&r, &text)).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(app.state.store.survey_responses("manyi").await.unwrap().len(), 1);

    let thanks = app.get_page("/survey/manyi/thanks", Some(&cookie)).await;
    assert!(thanks.body.contains("感谢您的参与"), "{}", thanks.body);
    let back = app.get_page(FORM, Some(&cookie)).await;
    assert!(back.body.contains("本设备已经提交过") && !back.body.contains("<form"), "answered: no second form");
    let p = app.post_form(FORM, Some(&cookie), &answers(&receipt(&page.body.replace(&r, &"0".repeat(32))), &[])).await;
    assert!(p.body.contains("本设备已经提交过"));
    assert_eq!(app.state.store.survey_responses("manyi").await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_organizer_reads_charts_and_exports_and_the_public_only_what_the_survey_allows() {
    let app = test_app().await;
    respond_by_form(&app, &[("q_q5", "=1+1")]).await;
    respond_by_form(&app, &[]).await;

    let p = app.get_page("/quiz/admin/survey/manyi", None).await;
    assert_eq!((p.status, p.location()), (StatusCode::SEE_OTHER, "/quiz/admin?next=/quiz/admin/survey/manyi"));
    let session = app.admin_cookie(TOKEN).await;
    let list = app.get_page("/quiz/admin", Some(&session)).await;
    assert!(list.body.contains("href=\"/quiz/admin/survey/manyi\""), "the signed-in list names the surveys");
    let p = app.get_page("/quiz/admin/survey/manyi", Some(&session)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("<svg class=\"bars\""), "bar charts");
    assert!(p.body.contains("2 · 100.0%"), "both chose B in q3 and 5 in q1");
    assert!(p.body.contains("=1+1"), "the organizer reads the texts");
    assert!(p.body.contains("/survey/manyi/qr.svg"));
    assert_eq!(app.get_page("/survey/manyi/qr.svg", None).await.header("content-type"), "image/svg+xml");
    let poster = app.get_page("/survey/manyi/poster", None).await;
    assert!(poster.body.contains("微信扫一扫，填写问卷") && poster.body.contains("http://quiz.test/survey/manyi/"));
    let local = app.get_page("/survey/manyi/poster?address=junk", None).await;
    assert!(local.body.contains("http://quiz.test/survey/manyi/"), "a bad typed address is ignored");
    let req = axum::http::Request::get("/survey/manyi/poster").header("host", "127.0.0.1:8080");
    let (_, _, body) = app.raw(req.body(axum::body::Body::empty()).unwrap()).await;
    let body = String::from_utf8(body).unwrap();
    assert!(body.contains("手机扫码打不开") && body.contains("action=\"/survey/manyi/poster\""), "{body}");
    let req = axum::http::Request::get("/survey/manyi/poster?address=http://192.168.1.10:8080");
    let (_, _, body) = app.raw(req.header("host", "127.0.0.1:8080").body(axum::body::Body::empty()).unwrap()).await;
    assert!(String::from_utf8(body).unwrap().contains("http://192.168.1.10:8080/survey/manyi/"), "the typed address");

    let csv = app.get_page("/quiz/admin/survey/manyi/responses.csv", Some(&session)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with('\u{feff}'), "BOM for Excel");
    assert!(csv.body.contains("'=1+1"), "no formula from a respondent's text");
    assert!(csv.body.contains("A 宪法；D 反电信诈骗"));
    let csv = app.get_page("/quiz/admin/survey/manyi/summary.csv", Some(&session)).await;
    assert!(csv.body.contains("5 非常满意,2,100.0%"), "{}", csv.body);

    let req = axum::http::Request::get("/quiz/admin/survey/manyi/survey.xlsx")
        .header("cookie", &session)
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, _, bytes) = app.raw(req).await;
    assert_eq!(status, StatusCode::OK);
    let mut book = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["答卷明细", "统计汇总", "按乡镇", "按单位"]);
    let rows = book.worksheet_range("答卷明细").unwrap();
    assert_eq!(rows.get_size(), (3, 9), "header and two responses; receipt, time, organization, town, 5 questions");
    assert_eq!(rows.get((1, 2)), Some(&Data::String("城关第一中学".into())));
    assert_eq!(rows.get((1, 4)), Some(&Data::Float(5.0)), "a point is a number");
    let texts: Vec<&Data> = (1..3).map(|r| rows.get((r, 8)).unwrap()).collect();
    assert!(texts.contains(&&Data::String("=1+1".into())), "a typed string, not a formula: {texts:?}");
    let towns = book.worksheet_range("按乡镇").unwrap();
    assert_eq!(towns.get((1, 0)), Some(&Data::String("城关镇".into())));
    assert_eq!(towns.get((1, 1)), Some(&Data::Float(2.0)));
    assert_eq!(towns.get((1, 2)), Some(&Data::Float(4.5)), "5 and 4, twice");

    let nope = app.get_page("/quiz/admin/survey/manyi/passwd", Some(&session)).await;
    assert_eq!(nope.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get_page("/survey/manyi/summary", None).await.status, StatusCode::NOT_FOUND, "not public");
    let public = app.get_page("/survey/later/summary", None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(!public.body.contains("survey.xlsx"), "no exports for the public");
}

#[tokio::test]
async fn no_column_can_hold_an_address_or_a_browser() {
    let app = test_app().await;
    respond_by_form(&app, &[("q_q5", "建议")]).await;
    let path = app.db.url.strip_prefix("sqlite:").unwrap();
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn.prepare("SELECT name FROM pragma_table_info('survey_responses')").unwrap();
    let cols: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(cols, ["id", "survey", "organization", "town", "name", "answers", "submitted_at"]);
    let row: (Option<String>, String) =
        conn.query_row("SELECT name, answers FROM survey_responses", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(row.0, None, "an anonymous survey keeps no name");
    assert!(!row.1.contains("127.0.0.1") && !row.1.contains("quiz.test"), "{}", row.1);
}
