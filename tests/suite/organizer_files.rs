//! Issue 11: the organizer manages `quizzes/` in the browser. The competition form writes a commented file that
//! runs at once, refuses a wrong form with its errors and the values as typed, and never takes a used id; uploads
//! of questions and organizations are checked and previewed, written only on "save", and refused with the file and
//! cell of each mistake.

use crate::common::{self, TestApp};

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use pufa::i18n::Lang;
use pufa::server::catalog::Catalog;
use pufa::server::laws::Laws;

/// A signed-in test app whose `quizzes/` is a copy of the server fixture in a temporary folder.
async fn organizer() -> (tempfile::TempDir, TestApp, String) {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&common::fixture_dir(), &dir.path().join("quizzes"));
    let mut t = common::test_app().await;
    // Loaded from the copy, as `pufa serve` loads its own folder.
    let set = pufa::quiz::load(&dir.path().join("quizzes")).0;
    let catalog = Arc::new(Catalog::of_folder(set, Laws::default(), dir.path(), Lang::Zh));
    t.state = t.state.clone().with_catalog(catalog);
    t.app = pufa::server::app(t.state.clone());
    let cookie = t.admin_cookie(common::TOKEN).await;
    (dir, t, cookie)
}

/// The competition form's fields for `open` as the fixture has it, with `changes` applied.
fn open_form(changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        ("title", "全县法治知识竞赛"),
        ("description", "所有学校和企业均可参加。"),
        ("opens", "2026-01-01T00:00"),
        ("closes", "2030-12-31T23:59"),
        ("time_limit", "10"),
        ("attempts", "2"),
        ("pass_score", "60"),
        ("shuffle_options", "on"),
        ("shuffle_questions", "on"),
        ("show_answers", "after_submit"),
        ("public_names", "masked"),
        ("bank_0", "law"),
        ("type_0", "single"),
        ("count_0", "2"),
        ("points_0", "20"),
        ("bank_1", "law"),
        ("type_1", "multiple"),
        ("count_1", "1"),
        ("points_1", "40"),
        ("bank_2", "law"),
        ("type_2", "judge"),
        ("count_2", "2"),
        ("points_2", "10"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in changes {
        match fields.iter_mut().find(|(n, _)| n == k) {
            Some(f) => f.1 = v.to_string(),
            None => fields.push((k.to_string(), v.to_string())),
        }
    }
    fields
}

async fn post(t: &TestApp, uri: &str, cookie: &str, fields: &[(String, String)]) -> common::pages::Page {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    t.post_form(uri, Some(cookie), &pairs).await
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join("quizzes").join(rel)).unwrap_or_default()
}

#[tokio::test]
async fn the_form_edits_a_competition_into_its_file_and_it_runs() {
    let (dir, t, cookie) = organizer().await;
    let page = t.get_page("/quiz/admin/competition/open", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("value=\"全县法治知识竞赛\""), "{}", page.body);
    assert!(page.body.contains("服务器测试题库（law）：单选题 3、多选题 2、判断题 2"), "bank counts: {}", page.body);

    let form = open_form(&[("title", "全县法治知识竞赛（复赛）"), ("count_0", "3"), ("pass_score", "70")]);
    let page = post(&t, "/quiz/admin/competition/open", &cookie, &form).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), "/quiz/open/admin");
    let file = read(dir.path(), "competitions/open.yaml");
    assert!(file.contains("title: 全县法治知识竞赛（复赛）") && file.contains("# 抽题规则"), "{file}");
    let (_, info) = t.get("/api/competitions/open").await;
    assert_eq!(
        (&info["title"], &info["pass_score"], &info["question_count"]),
        (&"全县法治知识竞赛（复赛）".into(), &70.into(), &6.into())
    );
    assert_eq!(t.state.catalog.status().revision, 2);
}

#[tokio::test]
async fn a_wrong_form_is_refused_with_its_errors_and_values_and_writes_nothing() {
    let (dir, t, cookie) = organizer().await;
    let before = read(dir.path(), "competitions/open.yaml");
    let form = open_form(&[("title", "改了一半的标题"), ("pass_score", "999"), ("time_limit", "十分钟")]);
    let page = post(&t, "/quiz/admin/competition/open", &cookie, &form).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("答题时限“十分钟”应为正整数"), "{}", page.body);
    assert!(page.body.contains("value=\"改了一半的标题\""), "the values come back as typed: {}", page.body);
    // The form is right, the file would not be: the check's error names the file and line.
    let form = open_form(&[("pass_score", "999")]);
    let page = post(&t, "/quiz/admin/competition/open", &cookie, &form).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("open.yaml:"), "{}", page.body);
    assert!(page.body.contains("999"), "{}", page.body);
    assert_eq!(read(dir.path(), "competitions/open.yaml"), before);
    assert_eq!(t.state.catalog.status().revision, 1);
    // The running file gone (moved away by hand): its other settings cannot be kept, so nothing is written.
    std::fs::remove_file(dir.path().join("quizzes/competitions/open.yaml")).unwrap();
    let page = post(&t, "/quiz/admin/competition/open", &cookie, &open_form(&[])).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("无法读取") && page.body.contains("open.yaml"), "{}", page.body);
    assert!(!dir.path().join("quizzes/competitions/open.yaml").exists());
}

#[tokio::test]
async fn a_new_competition_gets_its_own_file_and_never_a_used_id() {
    let (dir, t, cookie) = organizer().await;
    let page = t.get_page("/quiz/admin/competition/new", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    let form = open_form(&[("id", "round2"), ("title", "第二轮"), ("kinds", "enterprise")]);
    let page = post(&t, "/quiz/admin/competition/new", &cookie, &form).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(read(dir.path(), "competitions/round2.yaml").contains("kinds: [enterprise]"));
    let (status, info) = t.get("/api/competitions/round2").await;
    assert_eq!(status, StatusCode::OK, "{info}");
    assert_eq!(info["kinds"], serde_json::json!(["enterprise"]));
    for id in ["round2", "open", ""] {
        let page = post(&t, "/quiz/admin/competition/new", &cookie, &open_form(&[("id", id)])).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{id}");
        assert!(page.body.contains("已被使用"), "{}", page.body);
    }
    // Signed out, nothing is shown or saved.
    let page = t.get_page("/quiz/admin/competition/new", None).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = t.post_form("/quiz/admin/competition/new", None, &[("id", "round3")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(!dir.path().join("quizzes/competitions/round3.yaml").exists());
}

/// A multipart upload of `files` (field name, file name, bytes) and text fields.
async fn upload(
    t: &TestApp,
    uri: &str,
    cookie: &str,
    files: &[(&str, &str, &[u8])],
    texts: &[(&str, &str)],
) -> common::pages::Page {
    let boundary = "----pufa-test-boundary-7MA4YWxkTrZu0gW";
    let mut body: Vec<u8> = Vec::new();
    for (field, name, bytes) in files {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    for (field, value) in texts {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    let req = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::HOST, "quiz.test")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap();
    let (status, headers, bytes) = t.raw(req).await;
    common::pages::Page { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

fn token(html: &str) -> String {
    html.split("name=\"token\" value=\"").nth(1).expect("a save form").split('"').next().unwrap().to_string()
}

const QUESTIONS: &str = "题型,题干,选项A,选项B,选项C,答案,解析,依据\n\
单选,宪法日是哪一天？,3月15日,12月4日,10月1日,B,2014年设立。,《全国人民代表大会常务委员会关于设立国家宪法日的决定》\n\
判断,公民在法律面前一律平等。,,,,正确,宪法第三十三条。,《中华人民共和国宪法》第三十三条\n";

#[tokio::test]
async fn uploaded_questions_are_previewed_then_saved_and_run() {
    let (dir, t, cookie) = organizer().await;
    let page = upload(
        &t,
        "/quiz/admin/import/questions",
        &cookie,
        &[("files", "宪法题.csv", QUESTIONS.as_bytes())],
        &[("bank", "xianfa")],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("宪法日是哪一天？") && page.body.contains("单选 1"), "{}", page.body);
    assert!(!dir.path().join("quizzes/banks/xianfa.yaml").exists(), "nothing is written before save");
    let token = token(&page.body);
    let page = t.post_form("/quiz/admin/import/save", Some(&cookie), &[("token", &token)]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(read(dir.path(), "banks/xianfa.yaml").contains("宪法日是哪一天？"));
    assert!(t.state.quizzes().banks.contains_key("xianfa"), "applied at once");
    let page = t.post_form("/quiz/admin/import/save", Some(&cookie), &[("token", &token)]).await;
    assert_eq!(page.status, StatusCode::GONE, "a token saves once");
}

#[tokio::test]
async fn a_broken_upload_names_its_cells_and_writes_nothing() {
    let (dir, t, cookie) = organizer().await;
    let broken = QUESTIONS.replace(",B,2014", ",E,2014");
    let page =
        upload(&t, "/quiz/admin/import/questions", &cookie, &[("files", "宪法题.csv", broken.as_bytes())], &[]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    assert!(page.body.contains("宪法题.csv:F2") && page.body.contains("没有选项 E"), "{}", page.body);
    assert!(!page.body.contains("name=\"token\""));
    assert_eq!(std::fs::read_dir(dir.path().join("quizzes/banks")).unwrap().count(), 1);
    let page = upload(&t, "/quiz/admin/import/questions", &cookie, &[("files", "notes.pdf", b"%PDF-1.4")], &[]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
}

#[tokio::test]
async fn uploaded_organizations_merge_into_the_list() {
    let (dir, t, cookie) = organizer().await;
    let csv = "名称,类型,乡镇,人数\n清河县自来水公司,企业,城关镇,80\n";
    let page =
        upload(&t, "/quiz/admin/import/organizations", &cookie, &[("file", "单位.csv", csv.as_bytes())], &[]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("新增 1 个"), "{}", page.body);
    let page = t.post_form("/quiz/admin/import/save", Some(&cookie), &[("token", &token(&page.body))]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(read(dir.path(), "organizations.yaml").contains("清河县自来水公司"));
    assert!(t.state.quizzes().organizations.iter().any(|o| o.name == "清河县自来水公司"));

    let (status, headers, bytes) = t
        .raw(
            Request::get("/quiz/admin/import/template.xlsx")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains("attachment"));
    assert!(bytes.starts_with(b"PK"), "an xlsx file");
}
