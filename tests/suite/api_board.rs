//! Leaderboard arithmetic on a hand-computed fixture: best attempt per participant, participation rate over the
//! headcount, averages and pass rates over participants, ties by time taken, organizations without participants.

use crate::common;

use common::*;
use serde_json::Value;

/// Ids of presented questions of one type.
fn of_type(questions: &Value, kind: &str) -> Vec<String> {
    questions
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["type"] == kind)
        .map(|q| q["id"].as_str().unwrap().into())
        .collect()
}

/// Starts at t0, submits `minutes` later, answering right the questions of the given types.
async fn play(t: &TestApp, name: &str, org: &str, group: &str, right_types: &[&str], minutes: i64) -> i64 {
    t.set_time(t0());
    let (status, started) = t.start("open", name, org, group).await;
    assert!(status.is_success(), "{started}");
    let qs = &started["questions"];
    let right: Vec<String> = right_types.iter().flat_map(|k| of_type(qs, k)).collect();
    let right: Vec<&str> = right.iter().map(String::as_str).collect();
    t.set_time(t0() + chrono::Duration::minutes(minutes));
    let (_, r) = t.submit(started["attempt"].as_str().unwrap(), answers_with(&t.set, qs, &right)).await;
    r["score"].as_i64().unwrap()
}

#[tokio::test]
async fn leaderboard_matches_the_hand_computed_figures() {
    each_backend(|t| async move {
        // Points in `open`: single 2 × 20, multiple 1 × 40, judge 2 × 10; pass 60.
        assert_eq!(play(&t, "甲", "school-a", "一班", &["single", "multiple", "judge"], 2).await, 100);
        assert_eq!(play(&t, "甲", "school-a", "一班", &["single"], 1).await, 40); // second attempt, worse: not counted
        assert_eq!(play(&t, "乙", "school-a", "一班", &["single", "judge"], 5).await, 60);
        assert_eq!(play(&t, "丙", "school-a", "二班", &["single", "multiple", "judge"], 3).await, 100);
        assert_eq!(play(&t, "丁", "school-b", "六年级", &["multiple"], 1).await, 40);
        assert_eq!(play(&t, "戊", "firm-a", "工程部", &[], 4).await, 0);

        let (_, board) = t.get("/api/competitions/open/leaderboard").await;
        assert_eq!(board["participants"], 5);
        let orgs = board["organizations"].as_array().unwrap();
        let ids: Vec<&str> = orgs.iter().map(|o| o["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["school-a", "school-b", "firm-a", "school-c"]);
        let expect = |i: usize, participants: u64, rate: f64, avg: f64, pass: f64, top: u64| {
            let o = &orgs[i];
            assert_eq!(o["participants"].as_u64(), Some(participants), "{o}");
            assert_eq!(o["participation_rate"].as_f64(), Some(rate), "{o}");
            assert_eq!(o["average_score"].as_f64(), Some(avg), "{o}");
            assert_eq!(o["pass_rate"].as_f64(), Some(pass), "{o}");
            assert_eq!(o["top_score"].as_u64(), Some(top), "{o}");
        };
        expect(0, 3, 0.03, 86.67, 1.0, 100); // (100 + 60 + 100) / 3, 3 of 100
        expect(1, 1, 0.02, 40.0, 0.0, 40);
        expect(2, 1, 0.05, 0.0, 0.0, 0);
        expect(3, 0, 0.0, 0.0, 0.0, 0);
        assert_eq!(orgs[0]["headcount"], 100);
        assert_eq!(orgs[0]["name"], "城关第一中学");

        let people = board["individuals"].as_array().unwrap();
        let order: Vec<(&str, u64)> =
            people.iter().map(|p| (p["group"].as_str().unwrap(), p["score"].as_u64().unwrap())).collect();
        // 甲 (一班) and 丙 (二班) tie on 100: 甲 took 2 minutes, 丙 3. One-character names are masked to "*".
        assert_eq!(order, [("一班", 100), ("二班", 100), ("一班", 60), ("六年级", 40), ("工程部", 0)]);
        assert!(people.iter().all(|p| p["name"] == "*"));
        assert_eq!(people[0]["duration_ms"], 120_000);
        assert_eq!(people[0]["group"], "一班");
        assert_eq!(people[0]["organization_name"], "城关第一中学");
        assert_eq!(people[0]["rank"], 1);
    })
    .await;
}

#[tokio::test]
async fn an_empty_competition_lists_every_eligible_organization() {
    each_backend(|t| async move {
        let (_, board) = t.get("/api/competitions/schools/leaderboard").await;
        let ids: Vec<&str> =
            board["organizations"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["school-a", "school-b", "school-c"], "firm-a is not admitted to `schools`");
        assert_eq!(board["individuals"], serde_json::json!([]));
    })
    .await;
}
