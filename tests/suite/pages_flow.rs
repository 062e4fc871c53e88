//! The participant's pages end to end through `app(state)`: landing, join form, questions, submit, result,
//! resume by cookie, and the refusals re-rendered as forms (issue 3, "Pages").

use crate::common;
use crate::common::pages as pages_common;

use axum::http::StatusCode;
use common::*;
use pages_common::form_questions;

#[tokio::test]
async fn landing_shows_rules_and_a_form_with_eligible_organizations_by_town() {
    let t = test_app().await;
    let p = t.get_page("/quiz/schools/", None).await;
    assert_eq!(p.status, StatusCode::OK);
    let b = &p.body;
    for needle in ["法治进校园竞赛", "2026年1月1日 00:00", "5 分钟", "共 5 题，满分 100 分", "每人 1 次", "60 分"]
    {
        assert!(b.contains(needle), "landing lacks {needle}");
    }
    assert!(b.contains("竞赛结束后显示答案"), "when answers are shown");
    assert!(b.contains("<select id=\"q-org\" name=\"organization\""), "organization is picked, not typed");
    assert!(b.contains("<optgroup label=\"城关镇\">") && b.contains("<optgroup label=\"新华镇\">"));
    assert!(b.contains("value=\"school-a\"") && !b.contains("value=\"firm-a\""), "kinds: [school] only");
    assert!(b.contains("action=\"/quiz/schools/join\""));
}

#[tokio::test]
async fn closed_and_upcoming_competitions_say_so_and_offer_no_form() {
    let t = test_app().await;
    let closed = t.get_page("/quiz/closed/", None).await;
    assert!(closed.body.contains("竞赛已经结束"), "{}", closed.body);
    assert!(!closed.body.contains("<form class=\"quiz-join\""));
    let later = t.get_page("/quiz/later/", None).await;
    assert!(later.body.contains("竞赛尚未开始，将于 2031年1月1日 00:00 开始"), "{}", later.body);
    assert!(!later.body.contains("<form class=\"quiz-join\""));
    // Posting anyway is refused by the service, shown on the page.
    let p = t.join("closed", "张三", "school-a", "一班").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.body.contains("竞赛已经结束"));
}

#[tokio::test]
async fn unknown_competition_and_attempt_are_404_pages() {
    let t = test_app().await;
    let p = t.get_page("/quiz/nope/", None).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(p.body.contains("找不到这个竞赛"));
    let p = t.get_page("/quiz/a/0123456789abcdef0123456789abcdef", None).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(p.body.contains("<html"), "a page, not JSON");
    assert_eq!(t.get_page("/quiz/open", None).await.location(), "/quiz/open/");
}

#[tokio::test]
async fn a_refused_join_shows_the_message_and_keeps_what_was_typed() {
    let t = test_app().await;
    let p = t.join("open", "", "school-b", "三年级<b>").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("role=\"alert\""), "{}", p.body);
    assert!(p.body.contains("value=\"三年级&lt;b&gt;\""), "group kept, escaped");
    assert!(p.body.contains("<option value=\"school-b\" selected>"), "organization kept");
    let p = t.join("open", "张三", "no-such-org", "一班").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("value=\"张三\""));
}

#[tokio::test]
async fn join_answer_submit_and_see_the_result_with_legal_basis() {
    let t = test_app().await;
    let (attempt, cookie) = t.joined("open", "王五", "school-b", "三年级").await;
    let q = t.get_page(&format!("/quiz/a/{attempt}"), Some(&cookie)).await;
    assert_eq!(q.status, StatusCode::OK);
    assert!(q.header("cache-control").contains("no-store"));
    assert!(q.body.contains("data-deadline=\"2026-06-01T08:10:00"), "server deadline for the countdown");
    assert!(q.body.contains("data-remaining=\"600\""));
    for leak in ["EXPLAIN-", "BASIS-", "法条依据", "解析"] {
        assert!(!q.body.contains(leak), "question page leaks {leak}");
    }
    let shown = form_questions(&q.body);
    assert_eq!(shown.len(), 5);
    let boxes = q.body.matches("type=\"checkbox\"").count();
    let multiple = shown.iter().find(|(id, _)| id.starts_with('m')).expect("the multiple-choice question");
    assert_eq!(boxes, multiple.1.len(), "checkboxes for the multiple-choice question only");
    assert!(shown.iter().all(|(_, letters)| letters[0] == "A"), "options lettered from A");

    // The right letters come from the answer key applied to the questions as drawn for this attempt.
    let (_, view) = t.get(&format!("/api/attempts/{attempt}")).await;
    let key = correct_answers(&t.set, &view["questions"]);
    let mut fields: Vec<(String, String)> = Vec::new();
    for (id, letters) in key.as_object().unwrap() {
        for l in letters.as_array().unwrap() {
            fields.push((format!("q_{id}"), l.as_str().unwrap().to_string()));
        }
    }
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let s = t.post_form(&format!("/quiz/a/{attempt}/submit"), Some(&cookie), &fields).await;
    assert_eq!(s.status, StatusCode::SEE_OTHER);
    assert_eq!(s.location(), format!("/quiz/a/{attempt}/result"));

    let r = t.get_page(s.location(), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<strong>100</strong> / 100"), "{}", r.body);
    assert!(r.body.contains("合格（合格分数 60）"), "verdict with the pass score");
    assert_eq!(r.body.matches("法条依据").count(), 5);
    assert!(r.body.contains("BASIS-s") && r.body.contains("EXPLAIN-"));
    assert!(r.body.contains("王五") && r.body.contains("新华小学"));

    // The question page now leads to the result; a second submit changes nothing.
    let again = t.get_page(&format!("/quiz/a/{attempt}"), Some(&cookie)).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.location(), format!("/quiz/a/{attempt}/result"));
    let s2 = t.post_form(&format!("/quiz/a/{attempt}/submit"), Some(&cookie), &[]).await;
    assert_eq!(s2.status, StatusCode::SEE_OTHER);
    let r2 = t.get_page(&format!("/quiz/a/{attempt}/result"), Some(&cookie)).await;
    assert!(r2.body.contains("<strong>100</strong> / 100"), "the first submission stands");
}

#[tokio::test]
async fn the_cookie_brings_the_participant_back_to_the_same_attempt() {
    let t = test_app().await;
    let (attempt, cookie) = t.joined("open", "李四", "school-a", "初二(1)班").await;
    let set = t.join("open", "赵六", "school-a", "初二(1)班").await.set_cookies().join("\n");
    for part in ["HttpOnly", "SameSite=Lax", "Path=/quiz/"] {
        assert!(set.contains(part), "attempt cookie lacks {part}: {set}");
    }
    t.advance(chrono::Duration::minutes(3));
    let p = t.get_page("/quiz/open/", Some(&cookie)).await;
    assert!(p.body.contains("继续答题"), "{}", p.body);
    assert!(p.body.contains(&format!("href=\"/quiz/a/{attempt}\"")));
    let q = t.get_page(&format!("/quiz/a/{attempt}"), Some(&cookie)).await;
    assert!(q.body.contains("data-remaining=\"420\""), "same deadline, three minutes later");
    // Without the cookie there is no resume link; with another competition's cookie neither.
    assert!(!t.get_page("/quiz/open/", None).await.body.contains("继续答题"));
    let other = cookie.replace("pufa_attempt_open", "pufa_attempt_schools");
    assert!(!t.get_page("/quiz/schools/", Some(&other)).await.body.contains("继续答题"));
    // Once submitted, the landing page offers the result instead.
    t.post_form(&format!("/quiz/a/{attempt}/submit"), Some(&cookie), &[]).await;
    let p = t.get_page("/quiz/open/", Some(&cookie)).await;
    assert!(!p.body.contains("继续答题"));
    assert!(p.body.contains(&format!("href=\"/quiz/a/{attempt}/result\"")));
}

#[tokio::test]
async fn answers_wait_for_the_close_when_the_competition_says_so() {
    let t = test_app().await;
    let (attempt, cookie) = t.joined("schools", "赵六", "school-a", "一班").await;
    t.post_form(&format!("/quiz/a/{attempt}/submit"), Some(&cookie), &[]).await;
    let r = t.get_page(&format!("/quiz/a/{attempt}/result"), Some(&cookie)).await;
    assert!(r.body.contains("<strong>0</strong> / 100"));
    assert!(r.body.contains("将在竞赛结束（2027年1月1日 00:00）后在本页公布"), "{}", r.body);
    for leak in ["EXPLAIN-", "BASIS-", "答对了", "答错了"] {
        assert!(!r.body.contains(leak), "result page before the close leaks {leak}");
    }
    t.set_time("2027-01-02T00:00:00Z".parse().unwrap());
    let r = t.get_page(&format!("/quiz/a/{attempt}/result"), Some(&cookie)).await;
    assert!(r.body.contains("BASIS-") && r.body.contains("法条依据"));
}

#[tokio::test]
async fn pages_speak_english_when_the_server_does() {
    let mut t = test_app().await;
    t.state.lang = pufa::i18n::Lang::En;
    t.app = pufa::server::app(t.state.clone());
    let p = t.get_page("/quiz/open/", None).await;
    assert!(p.body.contains("<html lang=\"en\">"), "{}", p.body);
    for needle in ["Take part", "10 minutes", "5 questions, 100 points in all", "School or organization"] {
        assert!(p.body.contains(needle), "English landing lacks {needle}");
    }
    assert!(!p.body.contains("报名答题"));
}

// Issue 17, "Competing": without JavaScript a 保存 button keeps the answers (graded if time runs out).
#[tokio::test]
async fn the_save_button_without_javascript_stores_the_ticked_answers() {
    let t = test_app().await;
    let (attempt, cookie) = t.joined("open", "孙七", "school-a", "初三(2)班").await;
    let q = t.get_page(&format!("/quiz/a/{attempt}"), Some(&cookie)).await;
    assert!(q.body.contains(&format!("formaction=\"/quiz/a/{attempt}/save\"")), "a save button");
    assert!(q.body.contains("答题时限：10 分钟"), "the time limit is said");
    let (id, letters) = form_questions(&q.body).into_iter().next().unwrap();
    let field = format!("q_{id}");
    let saved = t.post_form(&format!("/quiz/a/{attempt}/save"), Some(&cookie), &[(&field, &letters[0])]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.location(), format!("/quiz/a/{attempt}?saved=1"));
    let again = t.get_page(saved.location(), Some(&cookie)).await;
    assert!(again.body.contains("已保存"), "says it was saved");
    assert!(again.body.contains(&format!("name=\"{field}\" value=\"{}\" checked", letters[0])), "ticked again");
    let (_, view) = t.get(&format!("/api/attempts/{attempt}")).await;
    assert_eq!(view["saved"][&id], serde_json::json!([letters[0]]));
}

// Issue 17: a student can always get back to the result, and is offered another go while attempts remain.
#[tokio::test]
async fn the_result_gives_its_address_and_another_go_while_attempts_remain() {
    let t = test_app().await;
    let (attempt, cookie) = t.joined("open", "周八", "school-a", "初三(2)班").await;
    t.post_form(&format!("/quiz/a/{attempt}/submit"), Some(&cookie), &[]).await;
    let r = t.get_page(&format!("/quiz/a/{attempt}/result"), Some(&cookie)).await;
    assert!(r.body.contains(&format!("http://quiz.test/quiz/a/{attempt}/result")), "its own address to keep");
    assert!(r.body.contains("打印成绩单") && r.body.contains("再答一次"), "open has two attempts: {}", r.body);
    // The second and last attempt offers no third.
    let p = t
        .post_form(
            "/quiz/open/join",
            Some(&cookie),
            &[("name", "周八"), ("organization", "school-a"), ("group", "初三(2)班")],
        )
        .await;
    let second = p.location().strip_prefix("/quiz/a/").unwrap().to_string();
    let cookie2 = p.cookie("pufa_attempt_open").unwrap();
    t.post_form(&format!("/quiz/a/{second}/submit"), Some(&cookie2), &[]).await;
    let r2 = t.get_page(&format!("/quiz/a/{second}/result"), Some(&cookie2)).await;
    assert!(!r2.body.contains("再答一次"));
    // Used up: the refusal links this device to its last result.
    let p = t
        .post_form(
            "/quiz/open/join",
            Some(&cookie2),
            &[("name", "周八"), ("organization", "school-a"), ("group", "初三(2)班")],
        )
        .await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(
        p.body.contains("答题次数已用完") && p.body.contains(&format!("href=\"/quiz/a/{second}/result\"")),
        "{}",
        p.body
    );
    assert!(p.body.contains("id=\"join-error\"") && p.body.contains("aria-live=\"assertive\""));
}

#[tokio::test]
async fn every_join_field_is_marked_and_required() {
    let t = test_app().await;
    let p = t.get_page("/quiz/open/", None).await;
    for id in ["q-name", "q-org", "q-group"] {
        let at = p.body.find(&format!("id=\"{id}\"")).unwrap();
        let tag = &p.body[at..at + p.body[at..].find('>').unwrap()];
        assert!(tag.contains("required"), "{id}: {tag}");
    }
    assert_eq!(p.body.matches("<abbr class=\"required\"").count(), 3);
}

// Issue 17: 法条依据 links to the site's own article when the site has that law.
#[tokio::test]
async fn a_legal_basis_links_to_the_article_in_the_sites_own_law_text() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("falv")).unwrap();
    std::fs::write(content.join("_index.md"), "---\ntitle: 首页\n---\n").unwrap();
    std::fs::write(content.join("falv/_index.md"), "---\ntitle: 法律法规\n---\n").unwrap();
    let articles: String =
        ["第一条", "第三十二条", "第三十三条", "第三十四条"].iter().map(|a| format!("{a}　条文内容。\n\n")).collect();
    let law =
        format!("---\ntitle: 中华人民共和国宪法（2018年修正）\n---\n\n## 第二章　公民的基本权利和义务\n\n{articles}");
    std::fs::write(content.join("falv/xianfa.md"), law).unwrap();
    // A commentary quoting the article is not the law's text.
    let commentary = "---\ntitle: 宪法第三十三条解读\n---\n\n第五十八条　引用。\n";
    std::fs::write(content.join("falv/jiedu.md"), commentary).unwrap();

    let mut t = test_app().await;
    let laws = pufa::server::laws::Laws::load(dir.path(), &t.set, pufa::i18n::Lang::Zh);
    assert_eq!(laws.len(), 1, "one law text among the pages");
    t.state = t.state.clone().with_laws(laws);
    t.app = pufa::server::app(t.state.clone());

    let (attempt, cookie) = t.joined("open", "王五", "school-b", "三年级").await;
    let s = t.post_form(&format!("/quiz/a/{attempt}/submit"), Some(&cookie), &[]).await;
    let r = t.get_page(s.location(), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    // The fixture's two judge questions are always drawn; j1 cites 宪法第三十三条, j2 a law the site lacks.
    assert!(
        r.body.contains("BASIS-j1 《中华人民共和国宪法》<a href=\"/falv/xianfa/#第三十三条\">第三十三条</a>"),
        "{}",
        r.body
    );
    assert!(r.body.contains("BASIS-j2 《中华人民共和国未成年人保护法》第五十八条</p>"), "no page, no link");
}
