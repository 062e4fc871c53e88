//! The suggestion box (issue 13) as people meet it: the no-JavaScript form and ticket check, escaping, the public
//! board's masking, the organizer's page and its XLSX export read back with calamine, and privacy: no column
//! for an address or a user agent, and a stored row holding only what was sent.

use crate::common;
use crate::suggestions::{act, call, send, with_box};

use std::io::Cursor;

use axum::http::{Method, StatusCode};
use calamine::{Data, Reader, Xlsx};
use common::*;
use serde_json::json;

/// The text between `start` and the next `<` after it.
fn after<'a>(html: &'a str, start: &str) -> &'a str {
    let i = html.find(start).unwrap_or_else(|| panic!("{start} missing in {html}")) + start.len();
    html[i..].split('<').next().unwrap()
}

#[tokio::test]
async fn the_form_and_the_check_work_without_javascript_and_escape_what_was_typed() {
    let t = with_box(test_app().await, 100, 1000);
    let form = t.get_page("/suggestions/", None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("<form class=\"quiz-join suggest-form\" method=\"post\" action=\"/suggestions/\""));
    assert!(form.body.contains("<option value=\"公共法律服务\">"), "the categories are offered");
    let device = form.cookie("pufa_device").expect("the form hands out the device cookie");

    let sent =
        [("category", "执法监督"), ("text", "<script>alert(1)</script> 路口没有红绿灯"), ("town", ""), ("contact", "")];
    let bad = t.post_form("/suggestions/", Some(&device), &[("category", "天气"), ("text", "<b>x</b>")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("请从列表中选择意见类别") && bad.body.contains("&lt;b&gt;x&lt;/b&gt;"), "{}", bad.body);
    let receipt = t.post_form("/suggestions/", Some(&device), &sent).await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    assert!(receipt.cookie("pufa_device").is_none(), "the device keeps its cookie");
    let ticket = after(&receipt.body, "<dd class=\"suggest-ticket\">").to_string();
    let code = after(&receipt.body, "<dd class=\"suggest-code\">").to_string();
    assert_eq!((ticket.as_str(), code.len()), ("YJ-20260601-0001", 12));
    assert!(receipt.header("cache-control").contains("no-store"), "the code is not cached");

    let page = t.post_form("/suggestions/check", None, &[("ticket", &ticket.to_lowercase()), ("code", &code)]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("待受理") && page.body.contains("提交意见"), "status and history");
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt; 路口没有红绿灯"));
    assert!(!page.body.contains("<script>alert"), "escaped");
    let wrong = t.post_form("/suggestions/check", None, &[("ticket", &ticket), ("code", "ABCDEFGHJKLM")]).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert!(wrong.body.contains("没有找到这条意见") && !wrong.body.contains("路口"));
}

#[tokio::test]
async fn the_public_board_shows_only_answered_public_suggestions_masked_and_never_the_contact() {
    each_backend(|t| async move {
        let t = with_box(t, 100, 1000);
        let text = "我的电话13812345678，身份证33010219900101123X，座机0571-88881234。2026-05-01 起路灯坏了";
        let sent = json!({"category": "公共法律服务", "text": text, "contact": "微信 zhang_3 电话13900001111", "public_ok": true});
        let (shown, _) = send(&t, sent.clone()).await;
        let (private, _) = send(&t, json!({"category": "其他", "text": "不公开的意见", "public_ok": false})).await;
        let (open, _) = send(&t, json!({"category": "其他", "text": "还没办完", "public_ok": true})).await;
        for ticket in [&shown, &private, &open] {
            act(&t, ticket, "accept", json!({})).await;
        }
        for ticket in [&shown, &private] {
            act(&t, ticket, "reply", json!({"reply": "已修复，可致电 0571-88880000 反馈 <b>谢谢</b>"})).await;
        }
        let (s, board) = call(&t, Method::GET, "/api/suggestions/board", None, false).await;
        assert_eq!(s, StatusCode::OK);
        let items = board["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{board}");
        let item = &items[0];
        assert_eq!(item["ticket"], shown.as_str());
        assert_eq!(
            item["text"],
            "我的电话***********，身份证******************，座机****-********。2026-05-01 起路灯坏了"
        );
        assert_eq!(item["reply"], "已修复，可致电 ****-******** 反馈 <b>谢谢</b>");
        let all = board.to_string();
        for secret in ["13812345678", "330102", "88881234", "zhang_3", "13900001111", "contact"] {
            assert!(!all.contains(secret), "{secret} on the board: {all}");
        }
        let page = t.get_page("/suggestions/board", None).await;
        assert!(page.body.contains("我的电话***********"));
        assert!(page.body.contains("&lt;b&gt;谢谢&lt;/b&gt;") && !page.body.contains("<b>谢谢"));
        for secret in ["13812345678", "zhang_3", "13900001111", "不公开的意见", "还没办完"] {
            assert!(!page.body.contains(secret), "{secret} on the board page");
        }
    })
    .await;
}

#[tokio::test]
async fn the_organizer_page_lists_highlights_and_acts_and_the_export_reads_back() {
    let t = with_box(test_app().await, 100, 1000);
    let (a, _) = send(
        &t,
        json!({"category": "执法监督", "text": "=HYPERLINK(\"http://x\")", "contact": "@me", "town": "+城关"}),
    )
    .await;
    let (b, _) = send(&t, json!({"category": "其他", "text": "-1"})).await;
    assert_eq!(t.get_page("/quiz/admin/suggestions", None).await.status, StatusCode::SEE_OTHER, "signed out");
    let cookie = t.admin_cookie(TOKEN).await;
    let home = t.get_page("/quiz/admin", Some(&cookie)).await;
    assert!(
        home.body.contains("<a href=\"/quiz/admin/suggestions\">意见箱办理</a>"),
        "linked from the organizer's start"
    );
    assert!(!t.get_page("/quiz/admin", None).await.body.contains("/quiz/admin/suggestions"));
    let accepted = t.post_form(&format!("/quiz/admin/suggestions/{a}"), Some(&cookie), &[("action", "accept")]).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    let again = t.post_form(&format!("/quiz/admin/suggestions/{a}"), Some(&cookie), &[("action", "accept")]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let fields = [("action", "assign"), ("unit", "县公安局"), ("due", "2026-06-03")];
    assert_eq!(
        t.post_form(&format!("/quiz/admin/suggestions/{a}"), Some(&cookie), &fields).await.status,
        StatusCode::SEE_OTHER
    );
    t.set_time("2026-06-04T00:00:00Z".parse().unwrap());
    let cookie = t.admin_cookie(TOKEN).await; // the session of 06-01 has run out
    let page = t.get_page("/quiz/admin/suggestions", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("<tr class=\"overdue\"><th scope=\"row\">县公安局</th><td>1</td><td>1</td></tr>"),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!("<section class=\"suggest-item overdue\" id=\"{a}\">")));
    assert!(page.body.contains("超期未办结：1 件") && page.body.contains("@me"));
    assert!(page.body.contains("2026-06-01 16:00 · +城关"), "the time as people read it");
    let filtered = t.get_page("/quiz/admin/suggestions?status=&category=&town=&overdue=true", Some(&cookie)).await;
    assert!(filtered.body.contains(&a) && !filtered.body.contains(&format!("id=\"{b}\"")));

    let book = t.get_page("/quiz/admin/suggestions.xlsx", Some(&cookie)).await;
    assert_eq!(book.status, StatusCode::OK);
    let (s, _, bytes) = t
        .raw(
            axum::http::Request::get("/api/suggestions.xlsx")
                .header("authorization", format!("Bearer {TOKEN}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let mut xlsx = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(xlsx.sheet_names(), ["意见明细", "问题清单", "按责任单位"]);
    let detail = xlsx.worksheet_range("意见明细").unwrap();
    let header: Vec<String> = detail.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name} in {header:?}"));
    let rows: Vec<&[Data]> = detail.rows().skip(1).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][col("意见内容")], Data::String("=HYPERLINK(\"http://x\")".into()), "text, not a formula");
    assert_eq!(rows[0][col("联系方式")], Data::String("@me".into()));
    assert_eq!(rows[0][col("乡镇")], Data::String("+城关".into()));
    assert_eq!(rows[1][col("意见内容")], Data::String("-1".into()));
    assert_eq!(rows[0][col("超期")], Data::String("是".into()));
    assert_eq!(rows[0][col("办理期限")], Data::String("2026-06-03".into()));
    assert!(matches!(rows[0][col("提交时间")], Data::DateTime(_)), "{:?}", rows[0][col("提交时间")]);
    let units = xlsx.worksheet_range("按责任单位").unwrap();
    let cells: Vec<Vec<String>> = units.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(cells, [vec!["责任单位", "在办件数", "超期"], vec!["县公安局", "1", "1"], vec!["合计", "1", "1"]]);
    let problems = xlsx.worksheet_range("问题清单").unwrap();
    assert_eq!(problems.rows().count(), 2, "one open item handed over");
    for formula_sheet in ["意见明细", "问题清单"] {
        let formulas = xlsx.worksheet_formula(formula_sheet).unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no formulas in {formula_sheet}");
    }
}

#[tokio::test]
async fn no_table_has_a_column_for_an_address_or_agent_and_a_row_holds_only_what_was_sent() {
    each_backend(|t| async move {
        let t = with_box(t, 100, 1000);
        let (ticket, code) = send(&t, json!({"category": "其他", "text": "只记这些", "town": "城关镇"})).await;
        let columns: Vec<(String, String)> = if t.db.is_postgres() {
            let pool = sqlx::PgPool::connect(&t.db.url).await.unwrap();
            let rows = sqlx::query_as(
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema()",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            pool.close().await;
            rows
        } else {
            let pool = sqlx::SqlitePool::connect(&t.db.url).await.unwrap();
            let rows = sqlx::query_as(
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            pool.close().await;
            rows
        };
        assert!(columns.iter().any(|(t, _)| t == "suggestions"), "{columns:?}");
        for (table, column) in &columns {
            let c = column.to_lowercase();
            for bad in ["ip", "addr", "agent", "ua", "device", "cookie", "host"] {
                let hit = c == bad
                    || c.starts_with(&format!("{bad}_"))
                    || c.ends_with(&format!("_{bad}"))
                    || c.contains("agent");
                assert!(!hit, "{table}.{column} looks like it stores {bad}");
            }
        }
        let stored: Vec<&str> = columns.iter().filter(|(t, _)| t == "suggestions").map(|(_, c)| c.as_str()).collect();
        let mut stored = stored.clone();
        stored.sort();
        assert_eq!(
            stored,
            [
                "body",
                "category",
                "closed_at",
                "code_hash",
                "contact",
                "created_at",
                "day",
                "due_at",
                "public_ok",
                "reply",
                "seq",
                "status",
                "ticket",
                "town",
                "unit"
            ]
        );
        let row = t.state.store.suggestion(&ticket).await.unwrap().unwrap();
        assert_eq!(
            (row.body.as_str(), row.category.as_str(), row.town.as_deref()),
            ("只记这些", "其他", Some("城关镇"))
        );
        assert_eq!(
            (row.contact, row.public_ok, row.unit, row.reply, row.due_at, row.closed_at),
            (None, false, None, None, None, None)
        );
        assert!(!row.code_hash.contains(&code) && row.code_hash.len() == 64, "only a hash of the code");
    })
    .await;
}

/// `pufa check` (and so `pufa build`) reports a broken `quizzes/suggestions.yaml` with its file, line and column,
/// in Chinese by default.
#[test]
fn check_reports_a_broken_suggestions_file_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("content")).unwrap();
    std::fs::create_dir_all(src.join("quizzes")).unwrap();
    std::fs::write(src.join("content/p.md"), "---\ntitle: 一页\n---\n正文\n").unwrap();
    std::fs::write(src.join("quizzes/suggestions.yaml"), "categories: [宣传]\ndue_days: 0\n").unwrap();
    let (ok, stderr) = run_pufa(&["check", "--source", src.to_str().unwrap()], &[]);
    assert!(!ok, "{stderr}");
    assert!(stderr.contains("suggestions.yaml:2:11: due_days：应为 1 到 365 之间的整数，实际是 0"), "{stderr}");
    std::fs::write(src.join("quizzes/suggestions.yaml"), "categories: [宣传]\ndue_days: 10\n").unwrap();
    let (ok, stderr) = run_pufa(&["check", "--source", src.to_str().unwrap()], &[]);
    assert!(ok, "{stderr}");
}

/// The form is limited per device cookie as the API is: the refusal comes back as the form, with what was typed.
#[tokio::test]
async fn the_form_is_limited_per_device_and_keeps_what_was_typed() {
    let t = with_box(test_app().await, 1, 1000);
    let device = t.get_page("/suggestions/", None).await.cookie("pufa_device").unwrap();
    let fields = [("category", "其他"), ("text", "第一条")];
    assert_eq!(t.post_form("/suggestions/", Some(&device), &fields).await.status, StatusCode::CREATED);
    let again = t.post_form("/suggestions/", Some(&device), &[("category", "其他"), ("text", "第二条")]).await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(again.body.contains("提交过于频繁") && again.body.contains(">第二条</textarea>"), "{}", again.body);
    let other = t.get_page("/suggestions/", None).await.cookie("pufa_device").unwrap();
    assert_ne!(other, device);
    assert_eq!(t.post_form("/suggestions/", Some(&other), &fields).await.status, StatusCode::CREATED);
}
