//! Item analysis (issue 11, "see which questions fail"): facility, discrimination (upper and lower 27 %), the
//! options chosen and the flags, against figures worked out by hand; the organizer page and the XLSX report show it.

use pufa::quiz::items::{analyse, Flag, ItemAnswer, Sitting};
use pufa::quiz::QuestionType;

use crate::common::{fixture, test_app, TOKEN};

#[test]
fn facility_discrimination_choices_and_flags_by_hand() {
    let set = fixture();
    let q =
        set.banks.values().flat_map(|b| &b.questions).find(|q| q.kind == QuestionType::Single && q.options.len() == 3);
    let q = q.expect("a single question with three options in the fixture");
    let key = q.answer[0];
    let wrong = (0..3).find(|o| *o != key).unwrap();
    // Ten attempts scored 100, 90, …, 10, each twice: 20 attempts, groups of ceil(0.27 × 20) = 6.
    // Upper (100, 90, 80 twice): right, right, wrong → 4 of 6. Lower (30, 20, 10 twice): all right → 6 of 6.
    // Middle (70…40 twice): right, right, wrong, wrong → 4 of 8. In all 14 of 20 right; the wrong ones chose `wrong`.
    let right = [true, true, false, true, true, false, false, true, true, true];
    let mut sittings = Vec::new();
    for (i, r) in right.iter().enumerate() {
        for _ in 0..2 {
            let chosen = vec![if *r { key } else { wrong }];
            let answers = vec![ItemAnswer { question: q.id.clone(), correct: *r, chosen }];
            sittings.push(Sitting { score: 100 - 10 * i as i64, answers });
        }
    }
    let stats = analyse(&set, &sittings);
    assert_eq!(stats.len(), 1);
    let s = &stats[0];
    assert_eq!((s.answered, s.correct), (20, 14));
    assert!((s.facility - 0.7).abs() < 1e-9);
    assert!((s.discrimination.unwrap() - (4.0 / 6.0 - 1.0)).abs() < 1e-9, "{:?}", s.discrimination);
    let mut want = vec![0; 3];
    want[key] = 14;
    want[wrong] = 6;
    assert_eq!(s.chosen, want);
    let unused: Vec<Flag> =
        (0..3).filter(|o| *o != key && *o != wrong).map(|option| Flag::UnusedDistractor { option }).collect();
    assert_eq!(s.flags[0], Flag::NegativeDiscrimination);
    assert_eq!(s.flags[1..], unused[..]);

    // Fewer than 20 answers: the figures, no flags.
    let stats = analyse(&set, &sittings[..10]);
    assert!(stats[0].flags.is_empty() && stats[0].answered == 10);
}

#[tokio::test]
async fn the_organizer_page_and_the_report_show_the_analysis() {
    let t = test_app().await;
    let mut drawn = std::collections::BTreeSet::new();
    let mut each = Vec::new();
    for (name, right) in [("甲", 5), ("乙", 0)] {
        let (_, started) = t.start("open", name, "school-a", "一班").await;
        let qs = &started["questions"];
        let all = crate::common::ids(qs);
        drawn.extend(all.iter().cloned());
        each.push(all.iter().cloned().collect::<std::collections::BTreeSet<String>>());
        let right: Vec<&str> = all.iter().take(right).map(String::as_str).collect();
        let (status, r) =
            t.submit(started["attempt"].as_str().unwrap(), crate::common::answers_with(&t.set, qs, &right)).await;
        assert!(status.is_success(), "{r}");
    }
    let session = t.admin_cookie(TOKEN).await;
    let page = t.get_page("/quiz/open/admin", Some(&session)).await;
    assert!(page.body.contains("题目分析") && page.body.contains("<table class=\"items\">"), "{}", page.body);
    // 甲 had every question right, 乙 none: a question both drew is right half the time, one only 甲 drew always,
    // one only 乙 drew never (the draw is random, so which of these occur depends on it).
    let table = page.body.split("<table class=\"items\">").nth(1).unwrap().split("</table>").next().unwrap();
    let cell = |share: &str| table.contains(&format!("<td>{share}</td>"));
    assert_eq!(cell("50.0%"), each[0].intersection(&each[1]).count() > 0, "{table}");
    assert_eq!(cell("100.0%"), each[0].difference(&each[1]).count() > 0, "{table}");
    assert_eq!(cell("0.0%"), each[1].difference(&each[0]).count() > 0, "{table}");
    // The score bands: 乙's 0 in the first, 甲's full marks in the last; the towns' participation as bars.
    assert!(
        page.body.contains("<title>0–9：1</title>") && page.body.contains("<title>90–100：1</title>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<svg class=\"chart rates\""));
    use calamine::Reader;
    let mut book = report(&t).await;
    let sheet = book.worksheet_range("题目分析").unwrap();
    assert_eq!(sheet.get_size().0, 1 + drawn.len(), "a header and every question drawn");
    assert_eq!(sheet.get((0, 6)), Some(&calamine::Data::String("区分度".into())));
}

#[tokio::test]
async fn each_organization_has_its_own_analysis_on_the_page_and_in_the_report() {
    let t = test_app().await;
    let mut counts = Vec::new();
    for (name, org, right) in [("甲", "school-a", 5), ("乙", "school-b", 0)] {
        let (_, started) = t.start("open", name, org, "一班").await;
        let qs = &started["questions"];
        let all = crate::common::ids(qs);
        counts.push(all.len());
        let right: Vec<&str> = all.iter().take(right).map(String::as_str).collect();
        let (status, r) =
            t.submit(started["attempt"].as_str().unwrap(), crate::common::answers_with(&t.set, qs, &right)).await;
        assert!(status.is_success(), "{r}");
    }
    let session = t.admin_cookie(TOKEN).await;
    let table = |body: &str| {
        body.split("<table class=\"items\">").nth(1).unwrap().split("</table>").next().unwrap().to_string()
    };
    let page = t.get_page("/quiz/open/admin?org=school-a", Some(&session)).await;
    assert!(page.body.contains("以下为“城关第一中学”参赛者的作答情况"), "{}", page.body);
    let a = table(&page.body);
    assert!(a.contains("<td>100.0%</td>") && !a.contains("<td>0.0%</td>") && !a.contains("<td>50.0%</td>"), "{a}");
    let b = table(&t.get_page("/quiz/open/admin?org=school-b", Some(&session)).await.body);
    assert!(b.contains("<td>0.0%</td>") && !b.contains("<td>100.0%</td>"), "{b}");
    // An organization without attempts, or unknown, shows everyone's.
    let page = t.get_page("/quiz/open/admin?org=school-c", Some(&session)).await;
    assert!(!page.body.contains("参赛者的作答情况"));

    use calamine::Reader;
    let mut book = report(&t).await;
    let sheet = book.worksheet_range("各单位题目分析").unwrap();
    assert_eq!(sheet.get_size().0, 1 + counts[0] + counts[1], "a header and each organization's questions");
    let orgs: std::collections::BTreeSet<String> =
        (1..sheet.get_size().0).map(|r| sheet.get((r, 1)).unwrap().to_string()).collect();
    assert_eq!(orgs.into_iter().collect::<Vec<_>>(), ["城关第一中学", "新华小学"]);
    for r in 1..sheet.get_size().0 {
        let share = match sheet.get((r, 5)) {
            Some(calamine::Data::Float(f)) => *f,
            other => panic!("{other:?}"),
        };
        let want = if sheet.get((r, 0)) == Some(&calamine::Data::String("school-a".into())) { 1.0 } else { 0.0 };
        assert_eq!(share, want, "row {r}");
    }
}

/// The XLSX report of `open`, read back.
async fn report(t: &crate::common::TestApp) -> calamine::Xlsx<std::io::Cursor<Vec<u8>>> {
    let req = axum::http::Request::get("/api/competitions/open/results.xlsx")
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let (_, _, bytes) = t.raw(req).await;
    <calamine::Xlsx<_> as calamine::Reader<_>>::new(std::io::Cursor::new(bytes)).unwrap()
}
