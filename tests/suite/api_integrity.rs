//! Issue 10, as a hostile participant tries it: before results are due nothing says which answers were right;
//! invisible variants of one name are one participant; typing a classmate's identity does not hand over their
//! running attempt; answers to questions outside the attempt are refused and not stored.

use crate::common;

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{json, Value};

fn fields(v: &Value) -> BTreeSet<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

fn set(names: &[&'static str]) -> BTreeSet<&'static str> {
    names.iter().copied().collect()
}

/// `v` without the fields that differ between two participants' results.
fn without(v: &Value, drop: &[&str]) -> Value {
    let mut v = v.clone();
    for d in drop {
        v.as_object_mut().unwrap().remove(*d);
    }
    v
}

// Issue 10: the submit answer of an `after_close` competition carried `correct` per question.
#[tokio::test]
async fn before_the_close_a_right_and_a_wrong_answer_differ_only_in_the_score() {
    each_backend(|t| async move {
        let (_, a) = t.start("schools", "甲", "school-b", "六年级").await;
        let (_, b) = t.start("schools", "乙", "school-b", "六年级").await;
        assert_eq!(
            fields(&a),
            set(&["attempt", "competition", "deadline", "questions", "resumed", "number", "resume_code"])
        );
        for q in a["questions"].as_array().unwrap() {
            assert_eq!(fields(q), set(&["id", "type", "stem", "options", "points"]), "{q}");
        }
        let (ia, ib) = (a["attempt"].as_str().unwrap(), b["attempt"].as_str().unwrap());
        let (sa, right) = t.submit(ia, correct_answers(&t.set, &a["questions"])).await;
        let (sb, wrong) = t.submit(ib, answers_with(&t.set, &b["questions"], &[])).await;
        assert_eq!((sa, sb), (StatusCode::OK, StatusCode::OK));
        let hidden = set(&[
            "attempt",
            "competition",
            "score",
            "max_score",
            "passed",
            "answers_shown",
            "answers_at",
            "submitted_at",
            "duration_ms",
            "results",
        ]);
        assert_eq!(fields(&right), hidden, "{right}");
        assert_eq!(right["results"], json!([]));
        assert_eq!(right["answers_at"], "2027-01-01T00:00:00+08:00", "says when the details come");
        assert_ne!(right["score"], wrong["score"]);
        let same = ["attempt", "score", "passed", "submitted_at", "duration_ms"];
        assert_eq!(without(&right, &same), without(&wrong, &same));

        // Looking the attempts up tells no more; a repeated submit neither.
        for (id, shown) in [(ia, &right), (ib, &wrong)] {
            let (_, view) = t.get(&format!("/api/attempts/{id}")).await;
            assert_eq!(
                fields(&view),
                set(&[
                    "attempt",
                    "competition",
                    "organization",
                    "name",
                    "group",
                    "number",
                    "deadline",
                    "questions",
                    "saved",
                    "leaves",
                    "result"
                ])
            );
            assert_eq!(view["saved"], json!({}));
            assert_eq!(view["leaves"], 0, "issue 12: the departures reported, the same for both");
            assert_eq!(&view["result"], shown);
            let (_, again) = t.submit(id, json!({})).await;
            assert_eq!(&again, shown);
        }
        let page = |id: &str| format!("/quiz/a/{id}/result");
        let (pa, pb) = (t.get_page(&page(ia), None).await.body, t.get_page(&page(ib), None).await.body);
        for body in [&pa, &pb] {
            for leak in ["✔", "✘", "正确答案", "EXPLAIN-", "BASIS-", "is-correct"] {
                assert!(!body.contains(leak), "{leak} on a result page before the close");
            }
        }

        // After the close everything is shown, as after_submit does.
        t.set_time("2026-12-31T16:00:01Z".parse().unwrap());
        let (_, view) = t.get(&format!("/api/attempts/{ia}")).await;
        let result = &view["result"];
        assert_eq!(result["answers_shown"], true);
        assert!(result.get("answers_at").is_none());
        let results = result["results"].as_array().unwrap();
        assert_eq!(results.len(), a["questions"].as_array().unwrap().len());
        for r in results {
            assert_eq!(fields(r), set(&["id", "correct", "given", "answer", "explanation", "basis"]));
            assert_eq!(r["correct"], true);
        }
    })
    .await;
}

// Issue 10: 张三 retook a one-attempt competition 15 times under invisible variants and counted 15 times.
#[tokio::test]
async fn invisible_and_full_width_variants_of_one_identity_are_one_participant() {
    each_backend(|t| async move {
        let variants = [
            "张三",
            "张\u{200B}三",
            "张\u{200C}三",
            "张\u{200D}三",
            "\u{2060}张三",
            "\u{FEFF}张三",
            "\u{202E}张三",
            "张\u{3164}三",
            "张 三",
            "张\u{3000}三",
            "张\u{00AD}三",
            "张\u{FE0F}三",
            "\u{2067}张三\u{2069}",
            "张\u{E0020}三",
            "张\u{180E}三",
        ];
        let groups = ["2班", "２班", "2 班", "2\u{200B}班"];
        let mut created = 0;
        for (i, name) in variants.iter().enumerate() {
            let (s, body) = t.start("schools", name, "school-b", groups[i % groups.len()]).await;
            match s {
                StatusCode::CREATED => {
                    created += 1;
                    t.submit(body["attempt"].as_str().unwrap(), json!({})).await;
                }
                StatusCode::CONFLICT => assert_eq!(body["error"]["code"], "attempts_exhausted", "{name:?}"),
                s => panic!("{name:?}: {s} {body}"),
            }
        }
        assert_eq!(created, 1);
        let (_, board) = t.get("/api/competitions/schools/leaderboard").await;
        assert_eq!(board["participants"], 1, "{board}");
        let org = board["organizations"].as_array().unwrap().iter().find(|o| o["id"] == "school-b").unwrap();
        assert_eq!(org["participants"], 1);
        // What is shown is what was typed first, with no invisible characters.
        let rows = t.state.store.attempts("schools").await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].name.as_str(), rows[0].grp.as_str()), ("张三", "2班"));
    })
    .await;
}

#[tokio::test]
async fn a_name_with_no_visible_letters_is_refused_in_chinese() {
    let t = test_app().await;
    for (name, code) in [
        ("\u{200B}\u{200B}", "name_empty"),
        ("\u{3164}", "name_empty"),
        ("……", "name_no_letters"),
        ("123", "name_no_letters"),
        ("\u{202E}*", "name_no_letters"),
    ] {
        let (s, body) = t.start("open", name, "school-a", "一班").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name:?}");
        assert_eq!(body["error"]["code"], code, "{name:?}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("姓名"), "{message}");
    }
    let (s, body) = t.start("open", "李四", "school-a", "\u{200B}—").await;
    assert_eq!((s, body["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("group_no_letters")));
}

// Issue 10: typing a classmate's name, school and class handed over their unfinished attempt.
#[tokio::test]
async fn a_running_attempt_is_continued_only_by_its_device_or_its_resume_code() {
    each_backend(|t| async move {
        let (s, mine) = t.start("open", "王小明", "school-a", "初一(3)班").await;
        assert_eq!(s, StatusCode::CREATED);
        let id = mine["attempt"].as_str().unwrap();
        let code = mine["resume_code"].as_str().unwrap();
        assert_eq!(code.len(), 6);

        // A classmate who types the same identity learns that it runs, and nothing of it.
        let (s, body) = t.start("open", "王小明", "school-a", "初一(3)班").await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert_eq!(body["error"]["code"], "attempt_in_progress");
        assert!(body["error"]["message"].as_str().unwrap().contains("续答码"));
        assert!(!body.to_string().contains(id) && !body.to_string().contains(code));

        let with_code =
            |c: &str| json!({"name": "王小明", "organization": "school-a", "group": "初一(3)班", "resume_code": c});
        let (s, body) = t.post("/api/competitions/open/attempts", with_code("ZZZZZZ")).await;
        assert_eq!((s, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("resume_code_wrong")));
        // Longer than the document allows: refused even for a new participant (schemathesis found it accepted).
        let long =
            json!({"name": "新同学", "organization": "school-a", "group": "一班", "resume_code": "A".repeat(13)});
        assert_eq!(t.post("/api/competitions/open/attempts", long).await.0, StatusCode::FORBIDDEN);
        // As long as the document allows, spaced out as people copy it: taken.
        let spaced = format!("{} - {} - {}", &code[..2], &code[2..4], &code[4..]);
        assert_eq!(spaced.chars().count(), pufa::server::flow::MAX_RESUME_CODE_CHARS);
        let (s, body) = t.post("/api/competitions/open/attempts", with_code(&spaced)).await;
        assert_eq!((s, &body["attempt"]), (StatusCode::OK, &json!(id)), "{body}");
        let (s, body) = t.post("/api/competitions/open/attempts", with_code(code)).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["attempt"], id);

        // Guessing is cut short: after five wrong codes even the right one waits.
        for _ in 0..5 {
            let (s, _) = t.post("/api/competitions/open/attempts", with_code("ZZZZZZ")).await;
            assert_eq!(s, StatusCode::FORBIDDEN);
        }
        let (s, body) = t.post("/api/competitions/open/attempts", with_code(code)).await;
        assert_eq!((s, body["error"]["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("resume_locked")));
        assert!(!body.to_string().contains(id));
    })
    .await;
}

#[tokio::test]
async fn the_join_form_resumes_on_the_starting_device_and_asks_others_for_the_code() {
    let t = test_app().await;
    let (attempt, cookie) = t.joined("open", "李雷", "school-a", "初二(1)班").await;
    let q = t.get_page(&format!("/quiz/a/{attempt}"), Some(&cookie)).await;
    let code = q.body.split("class=\"code\">").nth(1).and_then(|s| s.split('<').next()).expect("code on the page");
    assert_eq!(code.len(), 6);

    let fields = [("name", "李雷"), ("organization", "school-a"), ("group", "初二(1)班")];
    let same_device = t.post_form("/quiz/open/join", Some(&cookie), &fields).await;
    assert_eq!(same_device.status, StatusCode::SEE_OTHER);
    assert_eq!(same_device.location(), format!("/quiz/a/{attempt}"));

    let other = t.post_form("/quiz/open/join", None, &fields).await;
    assert_eq!(other.status, StatusCode::CONFLICT);
    assert!(other.body.contains("续答码") && !other.body.contains(&attempt), "{}", other.body);
    assert!(other.body.contains("<details class=\"quiz-code\" open>"), "the code field is opened");

    let mut with_code = fields.to_vec();
    with_code.push(("resume_code", code));
    let p = t.post_form("/quiz/open/join", None, &with_code).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), format!("/quiz/a/{attempt}"));
    assert!(p.cookie("pufa_attempt_open").is_some(), "the new device remembers it");
}

// Issue 10: answers for questions that are not in the attempt were stored.
#[tokio::test]
async fn answers_outside_the_attempt_are_refused_and_not_stored() {
    each_backend(|t| async move {
        let (_, a) = t.start("open", "韩梅梅", "school-a", "初二(1)班").await;
        let id = a["attempt"].as_str().unwrap();
        let first = ids(&a["questions"])[0].clone();
        let bad = [
            json!({"not-in-attempt": "A"}),
            json!({ first.clone(): "Z" }),
            json!({ first.clone(): ["A", "B", "C", "D", "E", "F", "G", "H", "I"] }),
            json!({ first.clone(): "AB" }),
        ];
        for answers in &bad {
            let body = json!({ "answers": answers });
            let (s, r) = t.json(Method::PUT, &format!("/api/attempts/{id}/answers"), Some(body)).await;
            assert_eq!((s, r["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_answer")));
            let (s, r) = t.submit(id, answers.clone()).await;
            assert_eq!((s, r["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_answer")));
        }
        let (_, view) = t.get(&format!("/api/attempts/{id}")).await;
        assert_eq!(view["saved"], json!({}), "nothing stored");
        assert_eq!(view["result"], Value::Null, "still running");
        let (s, r) = t.submit(id, correct_answers(&t.set, &a["questions"])).await;
        assert_eq!((s, r["score"].as_u64()), (StatusCode::OK, Some(100)));
    })
    .await;
}

/// Every option of a multiple-choice question is an answer it may be given (cargo-mutants found the bound
/// `letters ≤ options` untested); one letter more than the options is refused.
#[tokio::test]
async fn a_multiple_choice_question_takes_every_option_but_no_more_letters() {
    each_backend(|t| async move {
        let (_, a) = t.start("open", "李雷", "school-a", "初二(1)班").await;
        let id = a["attempt"].as_str().unwrap();
        let q = a["questions"].as_array().unwrap().iter().find(|q| q["type"] == "multiple").unwrap();
        let n = q["options"].as_array().unwrap().len();
        let letters: Vec<String> = (0..n).map(|i| char::from(b'A' + i as u8).to_string()).collect();
        let all = json!({ "answers": { q["id"].as_str().unwrap(): letters } });
        let (s, r) = t.json(Method::PUT, &format!("/api/attempts/{id}/answers"), Some(all)).await;
        assert_eq!((s, r["saved"].as_bool()), (StatusCode::OK, Some(true)), "{r}");
        let mut more = letters.clone();
        more.push("A".to_string());
        let too_many = json!({ "answers": { q["id"].as_str().unwrap(): more } });
        let (s, r) = t.json(Method::PUT, &format!("/api/attempts/{id}/answers"), Some(too_many)).await;
        assert_eq!((s, r["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_answer")));
        let (_, view) = t.get(&format!("/api/attempts/{id}")).await;
        assert_eq!(view["saved"][q["id"].as_str().unwrap()].as_array().unwrap().len(), n, "{view}");
    })
    .await;
}

// A late submit is graded on what was saved by the deadline, and dated at it, as the server's sweep does.
#[tokio::test]
async fn a_late_submit_is_dated_at_its_deadline_like_a_swept_one() {
    each_backend(|t| async move {
        let (_, a) = t.start("open", "迟到者", "school-a", "一班").await;
        let id = a["attempt"].as_str().unwrap();
        t.advance(chrono::Duration::minutes(20));
        let (s, r) = t.submit(id, correct_answers(&t.set, &a["questions"])).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(r["score"], 0, "late answers are not counted");
        let at = |v: &Value| v.as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap();
        assert_eq!(at(&r["submitted_at"]), at(&a["deadline"]));
        let (_, view) = t.get(&format!("/api/attempts/{id}")).await;
        assert_eq!(at(&view["result"]["submitted_at"]), at(&a["deadline"]));
    })
    .await;
}

/// The grace after the deadline ends at its exact millisecond (cargo-mutants found the bound untested): a submit
/// at deadline + grace is graded on what it sends, one a millisecond later on what was saved.
#[tokio::test]
async fn the_grace_after_the_deadline_ends_at_its_exact_millisecond() {
    let grace = chrono::Duration::from_std(pufa::server::flow::GRACE).unwrap();
    for (after, score) in [(grace, 100), (grace + chrono::Duration::milliseconds(1), 0)] {
        let t = test_app().await;
        let (_, a) = t.start("open", "踩点者", "school-a", "一班").await;
        let id = a["attempt"].as_str().unwrap();
        let deadline: chrono::DateTime<chrono::Utc> = a["deadline"].as_str().unwrap().parse().unwrap();
        t.set_time(deadline + after);
        let (s, r) = t.submit(id, correct_answers(&t.set, &a["questions"])).await;
        assert_eq!((s, r["score"].as_u64()), (StatusCode::OK, Some(score)), "{after}: {r}");
    }
}
