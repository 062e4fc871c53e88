//! The ranking and organizer pages show the leaderboard's figures as people read them: participation as a
//! percentage of the headcount, averages, pass rates, sorting, towns, and the most missed questions.

use crate::common;
use crate::common::pages as pages_common;

use axum::http::StatusCode;
use common::*;

/// One participant of `org` who answers every question right (`right`) or leaves everything blank.
async fn take_part(t: &TestApp, name: &str, org: &str, right: bool) {
    let (attempt, cookie) = t.joined("open", name, org, "一班").await;
    let mut fields: Vec<(String, String)> = Vec::new();
    if right {
        let (_, view) = t.get(&format!("/api/attempts/{attempt}")).await;
        for (id, letters) in correct_answers(&t.set, &view["questions"]).as_object().unwrap() {
            for l in letters.as_array().unwrap() {
                fields.push((format!("q_{id}"), l.as_str().unwrap().to_string()));
            }
        }
    }
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let s = t.post_form(&format!("/quiz/a/{attempt}/submit"), Some(&cookie), &fields).await;
    assert_eq!(s.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn ranking_sorts_by_participation_or_by_average() {
    let t = test_app().await;
    take_part(&t, "甲", "school-a", true).await; // 1 of 100, average 100
    take_part(&t, "乙", "school-c", false).await; // 1 of 10, average 0
    take_part(&t, "丙", "school-c", true).await; // 2 of 10, average 50
    let by_rate = t.get_page("/quiz/open/ranking?by=rate", None).await;
    assert_eq!(by_rate.status, StatusCode::OK);
    let b = &by_rate.body;
    let (c, a) = (b.find("山区小学").unwrap(), b.find("城关第一中学").unwrap());
    assert!(c < a, "20% participation ranks above 1%");
    for figure in ["20.0%", "1.0%", "50.0", "100.0", "50.0%", "100.0%"] {
        assert!(b.contains(figure), "ranking lacks {figure}");
    }
    assert!(b.contains("<span class=\"fill w20\">"), "a bar as long as the rate");
    let by_score = t.get_page("/quiz/open/ranking?by=score", None).await;
    let b = &by_score.body;
    assert!(b.find("城关第一中学").unwrap() < b.find("山区小学").unwrap(), "average 100 ranks above 50");
    assert!(b.contains("href=\"?by=score\" aria-current"));
    // Top individuals: full marks first.
    let top = &b[b.find("class=\"top\"").unwrap()..];
    // Names are masked (one character: "*"), so the rows are told apart by organization and score.
    assert!(top.find("城关第一中学").unwrap() < top.find("<td>0</td>").unwrap(), "甲 (school-a, 100) above 乙 (0)");
}

#[tokio::test]
async fn organizer_page_sums_towns_and_lists_the_most_missed_questions() {
    let t = test_app().await;
    take_part(&t, "甲", "school-a", true).await;
    take_part(&t, "乙", "firm-a", false).await;
    take_part(&t, "丙", "school-b", false).await;
    let cookie = t.admin_cookie(TOKEN).await;
    let p = t.get_page("/quiz/open/admin", Some(&cookie)).await;
    assert_eq!(p.status, StatusCode::OK);
    let b = &p.body;
    // 城关镇: school-a (100) + firm-a (20): 2 of 120, average (100 + 0) / 2, one of two passed.
    let row = &b[b.find("<th scope=\"row\">城关镇</th>").expect("town row")..];
    let row = &row[..row.find("</tr>").unwrap()];
    for cell in ["<td>2</td>", "<td>120</td>", "<td>1.7%</td>", "<td>50.0</td>", "<td>50.0%</td>"] {
        assert!(row.contains(cell), "城关镇 row lacks {cell}: {row}");
    }
    let total = &b[b.find("class=\"total\"").expect("total row")..];
    assert!(total[..total.find("</tr>").unwrap()].contains("<td>3</td>"));
    // Two of three missed every question: the weakest list shows 66.7% with the question stems.
    assert!(b.contains("66.7%"), "{b}");
    assert!(
        b.contains("宪法是国家的什么法？")
            || b.contains("国家宪法日是哪一天？")
            || b.contains("完全民事行为能力人的年龄是？")
    );
    assert!(b.contains("href=\"/quiz/open/results.xlsx\"") && b.contains("src=\"/quiz/open/qr.svg\""));
}

#[tokio::test]
async fn saved_answers_come_back_checked_without_javascript() {
    let t = test_app().await;
    let (attempt, cookie) = t.joined("open", "丁", "school-a", "一班").await;
    let q = t.get_page(&format!("/quiz/a/{attempt}"), Some(&cookie)).await;
    assert!(!q.body.contains(" checked>"));
    let first = pages_common::form_questions(&q.body)[0].0.clone();
    let (status, _) = t
        .json(
            axum::http::Method::PUT,
            &format!("/api/attempts/{attempt}/answers"),
            Some(serde_json::json!({"answers": {first.clone(): ["B"]}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let q = t.get_page(&format!("/quiz/a/{attempt}"), Some(&cookie)).await;
    assert!(q.body.contains(&format!("name=\"q_{first}\" value=\"B\" checked>")), "{}", q.body);
    assert_eq!(q.body.matches(" checked>").count(), 1);
}

// Issue 17: organizations with no participants got ranks of their own, as if they had placed.
#[tokio::test]
async fn organizations_without_participants_share_no_rank_and_are_listed_apart() {
    let t = common::test_app().await;
    let (_, s) = t.start("open", "王五", "school-a", "一班").await;
    t.submit(s["attempt"].as_str().unwrap(), serde_json::json!({})).await;
    let p = t.get_page("/quiz/open/ranking", None).await;
    let body = &p.body;
    let apart = body.find("尚无人参加的单位").expect("a heading for the rest");
    assert!(body[..apart].contains("<span class=\"rank\">1</span>"), "the one with a participant is ranked");
    assert!(!body[apart..].contains("<span class=\"rank\">2</span>"), "no place for the others");
    assert!(body[apart..].contains("<span class=\"rank\">—</span>"));
}
