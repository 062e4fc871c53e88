//! Issue 12: e-certificates. Issued once per participant (their best attempt, the same serial when asked again),
//! verified by anyone with the masked name only, an altered code unknown, revocation shown, the PDF's text read
//! back with `pdftotext` (Debian poppler-utils; required under CI), and the organizer's ZIP and multi-page PDF.

use std::io::Read;
use std::process::Command;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use pufa::server::{app, AppState};
use pufa::store::Store;
use serde_json::Value;

use crate::common::*;

/// A competition like the fixture's `open` with two certificate levels and a seal.
const COMPETITION: &str = "id: cert
title: 2026年清河县民法典知识竞赛
opens: 2026-01-01T00:00:00+08:00
closes: 2030-12-31T23:59:59+08:00
time_limit: 10m
attempts: 3
draw:
  - {bank: law, type: single, count: 2, points: 20}
  - {bank: law, type: multiple, count: 1, points: 40}
  - {bank: law, type: judge, count: 2, points: 10}
pass_score: 60
certificate:
  - {title: 优秀奖, issuer: 清河县司法局, min_score: 90, seal: seals/sifaju.png}
  - {title: 合格证书, issuer: 清河县司法局}
";

/// An app whose quizzes are the server fixture plus `cert`, on `db`.
async fn cert_app(db: TestDb) -> (TestApp, tempfile::TempDir) {
    cert_app_with(db, COMPETITION).await
}

/// An app whose quizzes are the server fixture plus the competition `yaml` (and a seal), on `db`.
async fn cert_app_with(db: TestDb, yaml: &str) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture_dir(), dir.path());
    std::fs::write(dir.path().join("competitions/cert.yaml"), yaml).unwrap();
    std::fs::create_dir_all(dir.path().join("seals")).unwrap();
    let seal = image::RgbaImage::from_fn(64, 64, |x, y| {
        let d = (x as i32 - 32).pow(2) + (y as i32 - 32).pow(2);
        if (26 * 26..31 * 31).contains(&d) {
            image::Rgba([200, 20, 20, 255])
        } else {
            image::Rgba([0, 0, 0, 0])
        }
    });
    seal.save(dir.path().join("seals/sifaju.png")).unwrap();
    let (set, diags) = pufa::quiz::load(dir.path());
    assert!(!diags.has_errors(), "{diags}");
    (test_app_with(db, move |s| *s = set).await, dir)
}

/// Starts and submits an attempt with exactly `right` of its questions right (all when None).
async fn take(t: &TestApp, name: &str, org: &str, right: Option<usize>) -> (String, Value) {
    let (status, started) = t.start("cert", name, org, "一班").await;
    assert!(status.is_success(), "{started}");
    let attempt = started["attempt"].as_str().unwrap().to_string();
    let ids = ids(&started["questions"]);
    let right: Vec<&str> = ids.iter().take(right.unwrap_or(ids.len())).map(String::as_str).collect();
    let (status, done) = t.submit(&attempt, answers_with(&t.set, &started["questions"], &right)).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    (attempt, done)
}

async fn get_bytes(t: &TestApp, uri: &str) -> (StatusCode, String, Vec<u8>) {
    signed_bytes(t, uri, None).await
}

/// GET with the organizer's session cookie when given: status, content type, body.
async fn signed_bytes(t: &TestApp, uri: &str, cookie: Option<&str>) -> (StatusCode, String, Vec<u8>) {
    let mut req = Request::get(uri);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let (status, headers, body) = t.raw(req.body(Body::empty()).unwrap()).await;
    let mime = headers.get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, mime, body)
}

/// The path of a full address (the test server has no base URL, so links are paths already).
fn path(url: &str) -> &str {
    url.find("/verify/").or_else(|| url.find("/api/")).map_or(url, |i| &url[i..])
}

/// The text of a PDF by `pdftotext`, or None when poppler-utils is missing (a failure under CI).
pub fn pdf_text(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.pdf");
    std::fs::write(&file, pdf).unwrap();
    match Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&file).arg("-").output() {
        Ok(out) => {
            assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
            Some(String::from_utf8(out.stdout).unwrap())
        }
        Err(_) if std::env::var_os("CI").is_some() => panic!("pdftotext missing: install poppler-utils"),
        Err(_) => {
            eprintln!("skipping the PDF text check: pdftotext not installed (Debian: poppler-utils)");
            None
        }
    }
}

/// The output of a poppler-utils tool (installed when `pdf_text` found pdftotext) on a PDF.
fn poppler(tool: &str, pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new(tool).arg(&file).output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

// Issue 12: a certificate is issued once, verifies with the masked name, an altered code does not, the PDF says
// who holds it and its serial, and a revocation shows on the verification page.
#[tokio::test]
async fn a_certificate_is_issued_verified_read_and_revoked() {
    for db in test_dbs().await {
        let (t, _dir) = cert_app(db).await;
        let (attempt, done) = take(&t, "张三明", "firm-a", None).await;
        let cert = &done["certificate"];
        assert_eq!(cert["title"], "优秀奖", "{done}");
        let serial = cert["serial"].as_str().unwrap().to_string();
        assert!(serial.starts_with("2026-") && serial.len() == 11, "{serial}");
        let verify = path(cert["verify_url"].as_str().unwrap()).to_string();
        assert!(verify.starts_with(&format!("/verify/{serial}-")), "{verify}");

        // Asked again (the attempt's view, a repeated submit): the same certificate.
        let (_, again) = t.get(&format!("/api/attempts/{attempt}")).await;
        assert_eq!(again["result"]["certificate"], *cert);
        let (_, resubmit) = t.submit(&attempt, serde_json::json!({})).await;
        assert_eq!(resubmit["certificate"], *cert);

        // Anyone may verify: the masked name, never the full one.
        let page = t.get_page(&verify, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("张*明") && !page.body.contains("张三明"), "{}", page.body);
        assert!(page.body.contains("县建筑有限公司") && page.body.contains(&serial) && page.body.contains("100 / 100"));
        let code = verify.trim_start_matches("/verify/");
        let (status, json) = t.get(&format!("/api/certificates/{code}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!((json["name"].as_str(), json["revoked"].as_bool()), (Some("张*明"), Some(false)), "{json}");
        assert_eq!(json["issued_on"], "2026-06-01");

        // One character changed, or another serial under the same tag: 无此证书 (404), page and API alike.
        let last = code.chars().last().unwrap();
        let altered = format!("{}{}", &code[..code.len() - 1], if last == 'A' { 'B' } else { 'A' });
        let other =
            code.replacen(&serial, &format!("{}{}", &serial[..10], if serial.ends_with('1') { 2 } else { 1 }), 1);
        for bad in [altered.as_str(), other.as_str(), "nonsense"] {
            let page = t.get_page(&format!("/verify/{bad}"), None).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{bad}");
            assert!(page.body.contains("无此证书"), "{}", page.body);
            let (status, json) = t.get(&format!("/api/certificates/{bad}")).await;
            assert_eq!((status, json["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_certificate")));
        }
        // Typed from paper into the form at /verify: on to the code's page (in lower case, too).
        let form = t.get_page("/verify", None).await;
        assert!(form.status == StatusCode::OK && form.body.contains("name=\"code\""), "{}", form.body);
        let typed = t.get_page(&format!("/verify?code={}", code.to_lowercase()), None).await;
        assert_eq!(
            (typed.status, typed.location()),
            (StatusCode::SEE_OTHER, format!("/verify/{}", code.to_lowercase()).as_str())
        );
        assert_eq!(t.get_page(typed.location(), None).await.status, StatusCode::OK);
        let (_, doc) = t.get("/api/openapi.json").await;
        let codes = &doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"];
        for code in ["unknown_certificate", "certificate_revoked"] {
            assert!(codes.as_array().unwrap().iter().any(|c| c == code), "{code} missing from the OpenAPI document");
        }

        // The PDF: small, A4 landscape, with the holder's full name and the serial in its text.
        let (status, mime, pdf) = get_bytes(&t, path(cert["url"].as_str().unwrap())).await;
        assert_eq!((status, mime.as_str()), (StatusCode::OK, "application/pdf"));
        assert!(pdf.len() <= 200 * 1024, "PDF of {} bytes", pdf.len());
        eprintln!("certificate PDF: {} bytes", pdf.len());
        if let Some(text) = pdf_text(&pdf) {
            assert!(text.contains("张三明") && text.contains(&serial), "{text}");
            let info = poppler("pdfinfo", &pdf);
            assert!(info.contains("Page size:       842 x 595 pts (A4)"), "{info}");
            // The one font is the shipped subset, embedded: nothing depends on the reader's fonts.
            let fonts = poppler("pdffonts", &pdf);
            assert!(fonts.contains("NotoSansCJKsc-Regular") && fonts.lines().count() == 3, "{fonts}");
            assert!(fonts.lines().nth(2).unwrap().contains("yes yes yes"), "embedded, subset, unicode: {fonts}");
            assert!(text.contains("优") && text.contains("清河县司法局") && text.contains("县建筑有限公司"), "{text}");
        }
        let (status, mime, png) = get_bytes(&t, path(cert["png_url"].as_str().unwrap())).await;
        assert_eq!((status, mime.as_str()), (StatusCode::OK, "image/png"));
        let picture = image::load_from_memory(&png).unwrap();
        assert_eq!((picture.width(), picture.height()), (1684, 1190));

        // Revoked by the organizer, with a reason: verification says so, the holder's files are gone (410).
        let cookie = t.admin_cookie(TOKEN).await;
        let form = [("serial", serial.as_str()), ("reason", "成绩作废")];
        let p = t.post_form("/quiz/cert/admin/certificates/revoke", Some(&cookie), &form).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let page = t.get_page(&verify, None).await;
        assert!(page.body.contains("此证书已被撤销") && !page.body.contains("成绩作废"), "{}", page.body);
        let (_, json) = t.get(&format!("/api/certificates/{code}")).await;
        assert_eq!((json["revoked"].as_bool(), json["revoked_on"].as_str()), (Some(true), Some("2026-06-01")));
        let (status, _, _) = get_bytes(&t, path(cert["url"].as_str().unwrap())).await;
        assert_eq!(status, StatusCode::GONE);
        let list = t.get_page("/quiz/cert/admin/certificates", Some(&cookie)).await;
        assert!(list.body.contains("成绩作废") && list.body.contains("张三明"), "{}", list.body);
    }
}

// Issue 12: the level follows the best attempt (highest min_score reached), a score below every level earns
// nothing, and a better attempt later earns its own certificate while the first stays valid.
#[tokio::test]
async fn the_best_attempt_earns_the_highest_level_it_reaches() {
    let (t, _dir) = cert_app(TestDb::sqlite()).await;
    let (_, failed) = take(&t, "李四", "firm-a", Some(0)).await;
    assert!(failed.get("certificate").is_none(), "{failed}");
    // 2 judge (10 each) + … : the first question drawn is single (20) or the multiple (40); three right is >= 60.
    let (_, pass) = take(&t, "李四", "firm-a", Some(4)).await;
    let score = pass["score"].as_u64().unwrap();
    let first = pass["certificate"].clone();
    assert_eq!(first["title"], if score >= 90 { "优秀奖" } else { "合格证书" }, "{pass}");
    let (_, best) = take(&t, "李四", "firm-a", None).await;
    assert_eq!(best["certificate"]["title"], "优秀奖");
    assert_ne!(best["certificate"]["serial"], first["serial"]);
    let (_, json) = t
        .get(&format!(
            "/api/certificates/{}",
            path(first["verify_url"].as_str().unwrap()).trim_start_matches("/verify/")
        ))
        .await;
    assert_eq!(json["revoked"], false, "{json}");
}

// Issue 12 with the rule that nothing but the score goes out before results are due: an `after_close` competition
// gives no certificate (which would tell the level) until it has closed; then the same attempt gets it.
#[tokio::test]
async fn no_certificate_before_an_after_close_competition_shows_its_results() {
    let yaml = COMPETITION.replace("pass_score: 60\n", "pass_score: 60\nshow_answers: after_close\n");
    let (t, _dir) = cert_app_with(TestDb::sqlite(), &yaml).await;
    let (attempt, done) = take(&t, "周六", "firm-a", None).await;
    assert_eq!(done["answers_shown"], false);
    assert!(done.get("certificate").is_none(), "{done}");
    let page = t.get_page(&format!("/quiz/a/{attempt}/result"), None).await;
    assert!(!page.body.contains("certificate.pdf"), "{}", page.body);
    t.set_time("2031-01-01T00:00:00Z".parse().unwrap());
    let (_, view) = t.get(&format!("/api/attempts/{attempt}")).await;
    assert_eq!(view["result"]["certificate"]["title"], "优秀奖", "{view}");
    let page = t.get_page(&format!("/quiz/a/{attempt}/result"), None).await;
    assert!(page.body.contains(&format!("/api/attempts/{attempt}/certificate.pdf")), "{}", page.body);
}

// Issue 12: the signing secret is made once, kept in the database and shared: a second process (another store
// and state on the same database) verifies the first one's codes.
#[tokio::test]
async fn the_secret_survives_a_restart_and_is_shared_by_processes() {
    for db in test_dbs().await {
        let url = db.url.clone();
        let (t, _dir) = cert_app(db).await;
        let (_, done) = take(&t, "王五", "firm-a", None).await;
        let verify = path(done["certificate"]["verify_url"].as_str().unwrap()).to_string();
        let other = AppState::new(t.set.clone(), Store::open(&url).await.unwrap());
        let (status, _, _) = {
            let resp = tower::ServiceExt::oneshot(app(other), Request::get(&verify).body(Body::empty()).unwrap());
            let resp = resp.await.unwrap();
            (resp.status(), (), ())
        };
        assert_eq!(status, StatusCode::OK, "on {url}");
    }
}

// Issue 12: an organization's certificates as one ZIP (a PDF each) and one PDF (a page each); revoked ones left out.
#[tokio::test]
async fn the_organizer_downloads_an_organizations_certificates() {
    let (t, _dir) = cert_app(TestDb::sqlite()).await;
    for name in ["赵一", "钱二", "孙三"] {
        take(&t, name, "firm-a", None).await;
    }
    let cookie = t.admin_cookie(TOKEN).await;
    let list = t.get_page("/quiz/cert/admin/certificates", Some(&cookie)).await;
    let serial = |name: &str| -> String {
        let at = list.body.find(name).unwrap();
        let row = &list.body[list.body[..at].rfind("<tr id=\"").unwrap() + 8..];
        row[..11].to_string()
    };
    let form = [("serial", serial("孙三")), ("reason", "重复".to_string())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        t.post_form("/quiz/cert/admin/certificates/revoke", Some(&cookie), &form).await.status,
        StatusCode::SEE_OTHER
    );

    let (status, mime, zip) =
        signed_bytes(&t, "/quiz/cert/admin/certificates/firm-a/certificates.zip", Some(&cookie)).await;
    assert_eq!((status, mime.as_str()), (StatusCode::OK, "application/zip"));
    let zip_bytes = zip.len();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut names: Vec<String> = archive.file_names().map(|n| n.unwrap().to_string()).collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[0].ends_with("-赵一.pdf") || names[1].ends_with("-赵一.pdf"), "{names:?}");
    let mut first = Vec::new();
    archive.by_index(0).unwrap().read_to_end(&mut first).unwrap();
    eprintln!("ZIP of two: {zip_bytes} bytes; one PDF in it: {} bytes", first.len());
    assert!(first.starts_with(b"%PDF"));

    let (status, mime, pdf) =
        signed_bytes(&t, "/quiz/cert/admin/certificates/firm-a/certificates.pdf", Some(&cookie)).await;
    assert_eq!((status, mime.as_str()), (StatusCode::OK, "application/pdf"));
    eprintln!("two-page PDF: {} bytes", pdf.len());
    if let Some(text) = pdf_text(&pdf) {
        assert_eq!(text.matches('\u{c}').count(), 2, "two pages: {text}");
        assert!(text.contains("赵一") && text.contains("钱二") && !text.contains("孙三"), "{text}");
    }
    // Signed out: to the sign-in page, no file.
    let anon = t.get_page("/quiz/cert/admin/certificates/firm-a/certificates.pdf", None).await;
    assert_eq!(anon.status, StatusCode::SEE_OTHER);
}

// Issue 12: a name with a character the shipped font lacks (an Extension B ideograph) still gets its certificate,
// with □ printed in its place (not a gap that would also split the PDF's text); the verification page, drawn with
// the reader's fonts, keeps the real character.
#[tokio::test]
async fn a_name_outside_the_font_still_gets_a_certificate() {
    assert!(!pufa::server::certificates::render::covers('𠀾'));
    assert!(pufa::server::certificates::render::covers('喆') && pufa::server::certificates::render::covers('·'));
    let (t, _dir) = cert_app(TestDb::sqlite()).await;
    let (_, done) = take(&t, "陈𠀾喆", "firm-a", None).await;
    let (status, _, pdf) = get_bytes(&t, path(done["certificate"]["url"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::OK);
    if let Some(text) = pdf_text(&pdf) {
        assert!(text.contains("陈□喆"), "{text}");
    }
    let (status, _, _) = get_bytes(&t, path(done["certificate"]["png_url"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::OK);
}

// Issue 12: mistakes in `certificate:` are named at their line.
#[test]
fn certificate_blocks_are_checked() {
    let base = COMPETITION.split("certificate:").next().unwrap();
    let bank = std::fs::read_to_string(fixture_dir().join("banks/law.yaml")).unwrap();
    let with = |block: &str| diagnose(&[("banks/law.yaml", &bank), ("competitions/c.yaml", &format!("{base}{block}"))]);
    assert_eq!(with("certificate: {title: 合格证书, issuer: 司法局}\n"), Vec::<String>::new());
    let msgs = with("certificate: {title: 合格证书, issuer: 司法局, min_score: 120, seal: no.png}\n").join("\n");
    assert!(msgs.contains("min_score: 120 is more than the highest possible score 100"), "{msgs}");
    assert!(msgs.contains("seal: no file"), "{msgs}");
    let msgs = with(
        "certificate:\n  - {title: 优秀, issuer: 局, min_score: 90}\n  - {title: 良好, issuer: 局, min_score: 90}\n",
    );
    assert!(
        msgs.join("\n").contains("c.yaml:14:") && msgs.join("\n").contains("another level already starts at 90"),
        "{msgs:?}"
    );
    let msgs = with("certificate: {title: 合格, isuer: 局}\n").join("\n");
    assert!(msgs.contains("c.yaml:12:") && msgs.contains("isuer"), "{msgs}");
}

/// Draws the README's sample certificate into `docs/certificate.png` (run with `--ignored`). A made-up holder
/// and address; the code is a real one for serial 2026-000042 under a throw-away key.
#[test]
#[ignore = "writes docs/certificate.png"]
fn draw_the_readme_sample() {
    use pufa::server::certificates::{code, design, render};
    let facts = design::Facts {
        title: "优秀奖".into(),
        issuer: "清河县司法局".into(),
        name: "张三明".into(),
        organization: "清河县城关镇第一中学".into(),
        competition: "2026年清河县中小学生法治知识竞赛".into(),
        score: 95,
        max_score: 100,
        date: "2026年12月4日".into(),
        serial: "2026-000042".into(),
        verify_url: format!("https://pufa.qinghe.example/verify/{}", code::make(b"sample key", "2026-000042")),
        seal: None,
    };
    let png = render::png(&design::svg(&facts, pufa::i18n::Lang::Zh)).unwrap();
    std::fs::write(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/certificate.png"), png).unwrap();
}
