//! The store's group-commit writer: many concurrent starts and submissions, each answered once committed,
//! the attempt limit held per participant, the first submission kept.

mod common;

use common::*;
use pufa::store::{NewAttempt, StartOutcome, Store, Submission, SubmitOutcome};

fn new_attempt(i: usize, participant: &str) -> NewAttempt {
    NewAttempt {
        id: format!("{:032x}", i + 1),
        competition: "c".into(),
        organization: "o".into(),
        name: participant.into(),
        grp: "g".into(),
        participant_key: participant.into(),
        limit: 2,
        seed: i as i64,
        drawn: "[]".into(),
        started_at: 1_000,
        deadline: 2_000,
        max_score: 10,
    }
}

fn submission(id: &str, score: i64) -> Submission {
    Submission {
        attempt: id.into(),
        submitted_at: 1_500,
        answers: "{}".into(),
        score,
        passed: score > 5,
        duration_ms: 500,
        grade: "null".into(),
        responses: vec![("q1".into(), score > 5), ("q2".into(), false)],
    }
}

async fn stores() -> Vec<(Store, TestDb)> {
    let mut out = Vec::new();
    for db in test_dbs().await {
        out.push((Store::open(&db.url).await.unwrap(), db));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_are_all_committed_once() {
    for (store, _dir) in stores().await {
        // 200 distinct participants start at once, plus 20 racing starts of one participant.
        let mut tasks = Vec::new();
        for i in 0..220 {
            let store = store.clone();
            let who = if i < 200 { format!("p{i}") } else { "same".to_string() };
            tasks.push(tokio::spawn(async move { store.start(new_attempt(i, &who)).await.unwrap() }));
        }
        let mut created = Vec::new();
        let mut same = 0;
        for t in tasks {
            match t.await.unwrap() {
                StartOutcome::Created(r) => {
                    if r.participant_key == "same" {
                        same += 1;
                    }
                    created.push(r.id)
                }
                StartOutcome::Resumed(r) => assert_eq!(r.participant_key, "same"),
                StartOutcome::Exhausted => panic!("nobody has used two attempts"),
            }
        }
        assert_eq!(same, 1, "racing starts of one participant created one attempt");
        assert_eq!(created.len(), 201);
        // Every attempt submitted twice at once with different scores: the first committed wins for both.
        let mut tasks = Vec::new();
        for id in &created {
            for score in [3, 8] {
                let (store, id) = (store.clone(), id.clone());
                tasks.push(tokio::spawn(async move { store.submit(submission(&id, score)).await.unwrap() }));
            }
        }
        let mut recorded = 0;
        for t in tasks {
            match t.await.unwrap() {
                SubmitOutcome::Recorded(_) => recorded += 1,
                SubmitOutcome::AlreadySubmitted(r) => assert!(r.submitted_at.is_some()),
                SubmitOutcome::UnknownAttempt => panic!("unknown attempt"),
            }
        }
        assert_eq!(recorded, 201);
        assert_eq!(store.submitted("c").await.unwrap().len(), 201);
        let answered: i64 = store.question_stats("c").await.unwrap().iter().map(|s| s.answered).sum();
        assert_eq!(answered, 2 * 201, "responses written once per attempt");
        assert!(matches!(
            store.submit(submission(&format!("{:032x}", 9999), 1)).await.unwrap(),
            SubmitOutcome::UnknownAttempt
        ));
    }
}
