//! Issue 12, `score: best | latest`: which of a participant's attempts ranks, the same on the public board, the
//! organizer's figures and the exports; best ties go to the shorter time.

use crate::common;

use axum::http::{header, Method, Request, StatusCode};
use common::*;
use pufa::quiz::{QuizSet, ScoreRule};
use serde_json::Value;

fn rule(score: ScoreRule) -> impl FnOnce(&mut QuizSet) {
    move |set| set.competitions.get_mut("open").unwrap().campaign.score = score
}

/// One attempt of `name` at school-a taking `minutes`, all right or all wrong.
async fn take(app: &TestApp, name: &str, right: bool, minutes: i64) {
    let (status, started) = app.start("open", name, "school-a", "一班").await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    app.advance(chrono::Duration::minutes(minutes));
    let answers = if right { correct_answers(&app.set, &started["questions"]) } else { serde_json::json!({}) };
    let (status, _) = app.submit(started["attempt"].as_str().unwrap(), answers).await;
    assert_eq!(status, StatusCode::OK);
}

/// (name, score) of the board's individuals, in order, and school-a's average.
async fn board(app: &TestApp) -> (Vec<(String, u64)>, f64) {
    let (_, b) = app.get("/api/competitions/open/leaderboard").await;
    // The public board is cached for a second of the app's clock.
    let people = b["individuals"].as_array().unwrap();
    let rows = people.iter().map(|p| (p["name"].as_str().unwrap().to_string(), p["score"].as_u64().unwrap())).collect();
    let school = b["organizations"].as_array().unwrap().iter().find(|o| o["id"] == "school-a").unwrap().clone();
    (rows, school["average_score"].as_f64().unwrap())
}

async fn csv(app: &TestApp) -> Vec<Vec<String>> {
    let req = Request::builder()
        .method(Method::GET)
        .uri("/api/competitions/open/results.csv")
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, _, body) = app.raw(req).await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(body).unwrap();
    text.trim_start_matches('\u{feff}').lines().map(|l| l.split(',').map(String::from).collect()).collect()
}

// See: issue 12 — the same attempts rank differently under best and latest.
#[tokio::test]
async fn best_counts_the_highest_score_and_latest_the_last_attempt() {
    for (score, want_top, want_average) in [(ScoreRule::Best, 100, 100.0), (ScoreRule::Latest, 0, 50.0)] {
        for db in test_dbs().await {
            let app = test_app_with(db, rule(score)).await;
            take(&app, "张伟", true, 3).await; // 100 points first
            take(&app, "张伟", false, 1).await; // then 0
            take(&app, "刘洋", true, 5).await;
            app.advance(chrono::Duration::seconds(2));
            let (people, average) = board(&app).await;
            let zhang = people.iter().find(|(n, _)| n.starts_with('张')).unwrap();
            assert_eq!(zhang.1, want_top, "{score:?}: {people:?}");
            assert_eq!(average, want_average, "{score:?}: the organization's figures follow the rule");
            if score == ScoreRule::Best {
                assert_eq!(people[0].0, "张*", "of equal scores the shorter time (3 minutes against 5) ranks first");
            } else {
                assert_eq!(people.iter().map(|p| p.1).collect::<Vec<_>>(), [100, 0]);
            }
            // The export marks the attempt that counts (计入成绩) and only that one.
            let rows = csv(&app).await;
            let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
            let (who, number, counted) = (col("姓名"), col("第几次"), col("计入成绩"));
            let zhang: Vec<(&str, &str)> = rows[1..]
                .iter()
                .filter(|r| r[who] == "张伟")
                .map(|r| (r[number].as_str(), r[counted].as_str()))
                .collect();
            let want =
                if score == ScoreRule::Best { [("1", "是"), ("2", "否")] } else { [("1", "否"), ("2", "是")] };
            assert_eq!(zhang, want, "{score:?}");
        }
    }
}

// The organizer's score chart counts the ranking attempt too.
#[tokio::test]
async fn the_organizer_page_follows_the_rule() {
    let app = test_app_with(TestDb::sqlite(), rule(ScoreRule::Latest)).await;
    take(&app, "张伟", true, 3).await;
    take(&app, "张伟", false, 1).await;
    let cookie = app.admin_cookie(TOKEN).await;
    let page = app.get_page("/quiz/open/admin", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    // One participant, counted with the latest attempt: the 0–9 band has them, the top band nobody.
    assert!(page.body.contains("<title>0–9：1</title>"), "{}", page.body);
    assert!(page.body.contains("<title>90–100：0</title>"));
    let info: Value = app.get("/api/competitions/open").await.1;
    assert_eq!(info["score"], "latest");
}
