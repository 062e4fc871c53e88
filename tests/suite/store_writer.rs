//! The store's group-commit writer: many concurrent starts and submissions, each answered once committed,
//! the attempt limit held per participant, the first submission kept.

use crate::common;

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
        per_day: None,
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
        leaves: 0,
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
                other => panic!("nobody has used two attempts: {other:?}"),
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
                SubmitOutcome::Recorded => recorded += 1,
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

fn draft(id: &str, answers: &str) -> pufa::store::Draft {
    pufa::store::Draft { attempt: id.into(), answers: answers.into(), not_after_deadline_before: 0, leaves: 0 }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_submits_and_starts_racing_in_one_batch_stay_consistent() {
    for (store, _dir) in stores().await {
        let mut ids = Vec::new();
        for i in 0..60 {
            match store.start(new_attempt(i, &format!("r{i}"))).await.unwrap() {
                StartOutcome::Created(r) => ids.push(r.id),
                other => panic!("{other:?}"),
            }
        }
        // Per attempt, at once: two drafts, a submit, and a new start of the same participant.
        let mut tasks = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let (s1, s2, s3, s4) = (store.clone(), store.clone(), store.clone(), store.clone());
            let (a, b, c) = (id.clone(), id.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                let d1 = tokio::spawn(async move { s1.save_draft(draft(&a, r#"{"q1":["A"]}"#)).await.unwrap() });
                let d2 = tokio::spawn(async move { s2.save_draft(draft(&b, r#"{"q1":["B"]}"#)).await.unwrap() });
                let sub = tokio::spawn(async move { s3.submit(submission(&c, 7)).await.unwrap() });
                let st = tokio::spawn(async move { s4.start(new_attempt(1000 + i, &format!("r{i}"))).await.unwrap() });
                (d1.await.unwrap(), d2.await.unwrap(), sub.await.unwrap(), st.await.unwrap())
            }));
        }
        for (t, id) in tasks.into_iter().zip(&ids) {
            let (_, _, submitted, started) = t.await.unwrap();
            assert!(matches!(submitted, SubmitOutcome::Recorded), "{submitted:?}");
            match started {
                // Before the submit: the running attempt again; after it: the second and last attempt.
                StartOutcome::Resumed(r) => assert_eq!(&r.id, id),
                StartOutcome::Created(r) => assert_eq!(r.number, 2),
                other => panic!("one attempt of two was used: {other:?}"),
            }
            let row = store.attempt(id).await.unwrap().unwrap();
            // Whatever the order, the graded answers are the submission's: a later draft is refused.
            assert_eq!(row.answers.as_deref(), Some("{}"));
            assert_eq!(row.score, Some(7));
            assert!(!store.save_draft(draft(id, r#"{"q1":["C"]}"#)).await.unwrap(), "draft after submit");
        }
        // Two drafts of a running attempt at once: both saved, one of them kept whole.
        let open = match store.start(new_attempt(5000, "solo")).await.unwrap() {
            StartOutcome::Created(r) => r.id,
            other => panic!("{other:?}"),
        };
        let (x, y) = tokio::join!(
            store.save_draft(draft(&open, r#"{"q1":["A"]}"#)),
            store.save_draft(draft(&open, r#"{"q1":["B"]}"#))
        );
        assert!(x.unwrap() && y.unwrap());
        let kept = store.attempt(&open).await.unwrap().unwrap().answers.unwrap();
        assert!(kept == r#"{"q1":["A"]}"# || kept == r#"{"q1":["B"]}"#, "{kept}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_write_fails_alone_and_its_neighbours_commit() {
    for (store, _dir) in stores().await {
        let first = store.start(new_attempt(0, "p0")).await.unwrap();
        assert!(matches!(first, StartOutcome::Created(_)), "{first:?}");
        // Among many starts in flight together, one reuses the id of the attempt above: its insert breaks the
        // primary key, which rolls back the transaction it shares with the others.
        let mut tasks = Vec::new();
        for i in 1..=120 {
            let store = store.clone();
            let mut a = new_attempt(i, &format!("p{i}"));
            if i == 60 {
                a.id = format!("{:032x}", 1);
            }
            tasks.push(tokio::spawn(async move { (i, store.start(a).await) }));
        }
        let mut failed = Vec::new();
        for t in tasks {
            match t.await.unwrap() {
                (_, Ok(StartOutcome::Created(r))) => assert!(store.attempt(&r.id).await.unwrap().is_some()),
                (i, Ok(other)) => panic!("start {i}: {other:?}"),
                (i, Err(_)) => failed.push(i),
            }
        }
        assert_eq!(failed, vec![60], "only the start breaking the key fails");
        assert_eq!(store.attempts("c").await.unwrap().len(), 120, "the first and 119 others are stored");
    }
}
