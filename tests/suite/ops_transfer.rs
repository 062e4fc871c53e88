//! `pufa export` / `pufa import` (issue 4): a county moves a competition's results from SQLite to PostgreSQL and
//! back with identical leaderboards and CSV exports; importing twice counts once; a conflicting or malformed file
//! imports nothing and names its line.

use crate::common;

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::Request;
use common::*;
use pufa::store::transfer::{self, TransferError};
use serde_json::Value;

/// Results on `open` and `schools`: varied scores, a second attempt, and one attempt of `open` left running.
/// Returns the running attempt's id and its questions.
async fn play(t: &TestApp) -> (String, Value) {
    let people = [("甲", "school-a", "一班", 5), ("乙", "school-a", "二班", 2), ("丙", "school-b", "六年级", 0)];
    for (minutes, (name, org, group, right)) in people.into_iter().enumerate() {
        for comp in ["open", "schools"] {
            t.set_time(t0() + chrono::Duration::minutes(minutes as i64));
            let (status, started) = t.start(comp, name, org, group).await;
            assert!(status.is_success(), "{started}");
            let qs = &started["questions"];
            let all = ids(qs);
            let right: Vec<&str> = all.iter().take(right).map(String::as_str).collect();
            t.advance(chrono::Duration::seconds(90));
            let (status, r) = t.submit(started["attempt"].as_str().unwrap(), answers_with(&t.set, qs, &right)).await;
            assert!(status.is_success(), "{r}");
        }
    }
    t.set_time(t0() + chrono::Duration::minutes(10));
    let (_, second) = t.start("open", "甲", "school-a", "一班").await;
    let (_, running) = t.start("open", "丁", "firm-a", "工程部").await;
    let (_, r) = t.submit(second["attempt"].as_str().unwrap(), answers_with(&t.set, &second["questions"], &[])).await;
    assert_eq!(r["score"], 0);
    t.set_time(t0() + chrono::Duration::minutes(11));
    (running["attempt"].as_str().unwrap().to_string(), running["questions"].clone())
}

/// What an organizer sees: both leaderboards and both CSV exports.
async fn snapshot(t: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    for comp in ["open", "schools"] {
        out.push(t.get(&format!("/api/competitions/{comp}/leaderboard")).await.1.to_string());
        let req = Request::get(format!("/api/competitions/{comp}/results.csv"))
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .unwrap();
        let (status, _, csv) = t.raw(req).await;
        assert!(status.is_success());
        out.push(String::from_utf8(csv).unwrap());
    }
    out
}

/// The attempt lines of an export file (the header carries the export time).
fn records(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file).unwrap().lines().skip(1).map(str::to_string).collect()
}

async fn middle_db() -> TestDb {
    match postgres_base() {
        Some(base) => TestDb::postgres(&base).await,
        None => TestDb::sqlite(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_to_postgres_and_back_keeps_leaderboards_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second, third) = (dir.path().join("1.jsonl"), dir.path().join("2.jsonl"), dir.path().join("3.jsonl"));
    let src = test_app().await;
    play(&src).await;
    let before = snapshot(&src).await;

    // Out of SQLite with the command, as a county would.
    let out = first.to_str().unwrap();
    let args = ["db", "export", "--database-url", &src.db.url, "-c", "open", "-c", "schools", "--output", out];
    let (ok, err) = run_pufa(&args, &[]);
    assert!(ok, "{err}");
    assert!(err.contains("open：5 份答卷") && err.contains("已导出 8 份答卷、35 条逐题作答记录"), "{err}");
    let header: Value = serde_json::from_str(std::fs::read_to_string(&first).unwrap().lines().next().unwrap()).unwrap();
    assert_eq!(
        (&header["format"], &header["version"], &header["attempts"]),
        (&"pufa-results".into(), &2.into(), &8.into())
    );

    let mid = test_app_on(middle_db().await).await;
    mid.set_time(t0() + chrono::Duration::minutes(11));
    let report = transfer::import(&mid.state.store, &first).await.unwrap();
    assert_eq!((report.added, report.unchanged, report.responses), (8, 0, 35));
    assert_eq!(snapshot(&mid).await, before, "after import into {}", mid.db.url);
    let report = transfer::export(&mid.state.store, &[], &second).await.unwrap();
    assert_eq!(report.competitions, [("open".to_string(), 5), ("schools".to_string(), 3)]);

    let back = test_app().await;
    back.set_time(t0() + chrono::Duration::minutes(11));
    // In English for a site with `language: en`.
    let en = tempfile::tempdir().unwrap();
    std::fs::write(en.path().join("site.yaml"), "language: en\n").unwrap();
    // The former spelling `pufa import FILE` still works for one release, saying so.
    let args = ["import", second.to_str().unwrap(), "--database-url", &back.db.url, "-s", en.path().to_str().unwrap()];
    let (ok, err) = run_pufa(&args, &[]);
    assert!(ok, "{err}");
    assert!(err.contains("Note: `pufa import` is now `pufa db import`"), "{err}");
    assert!(err.contains("8 attempt(s) added, 0 completed, 0 already present; 35 response(s) written"), "{err}");
    assert_eq!(snapshot(&back).await, before);
    transfer::export(&back.state.store, &[], &third).await.unwrap();
    assert_eq!(records(&first), records(&second));
    assert_eq!(records(&first), records(&third));
}

#[tokio::test]
async fn importing_twice_counts_once_and_a_later_export_completes_running_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let (early, late) = (dir.path().join("early.jsonl"), dir.path().join("late.jsonl"));
    let src = test_app().await;
    let (running, questions) = play(&src).await;
    transfer::export(&src.state.store, &[], &early).await.unwrap();
    let (_, r) = src.submit(&running, correct_answers(&src.set, &questions)).await;
    assert_eq!(r["score"], 100);
    transfer::export(&src.state.store, &[], &late).await.unwrap();
    let want = snapshot(&src).await;
    for db in test_dbs().await {
        let t = test_app_on(db).await;
        t.set_time(t0() + chrono::Duration::minutes(11));
        assert_eq!(transfer::import(&t.state.store, &early).await.unwrap().added, 8);
        let again = transfer::import(&t.state.store, &early).await.unwrap();
        assert_eq!((again.added, again.completed, again.unchanged, again.responses), (0, 0, 8, 0));
        let late = transfer::import(&t.state.store, &late).await.unwrap();
        assert_eq!((late.added, late.completed, late.unchanged, late.responses), (0, 1, 7, 5));
        assert_eq!(snapshot(&t).await, want, "on {}", t.db.url);
        assert_eq!(t.state.store.submitted("open").await.unwrap().len(), 5);
    }
}

/// Rewrites attempt lines of an export: `edit` gets each line's attempt as JSON.
/// A played competition's results exported to `results.jsonl` in a fresh folder.
async fn played_and_exported(competitions: &[String]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("results.jsonl");
    let src = test_app().await;
    play(&src).await;
    transfer::export(&src.state.store, competitions, &file).await.unwrap();
    (dir, file)
}

fn rewrite(from: &Path, to: &Path, mut edit: impl FnMut(usize, &mut Value) -> bool) -> PathBuf {
    let text = std::fs::read_to_string(from).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut extra = Vec::new();
    for (i, line) in lines.iter_mut().enumerate().skip(1) {
        let mut v: Value = serde_json::from_str(line).unwrap();
        let mut copy = v.clone();
        if edit(i + 1, &mut v["attempt"]) {
            *line = v.to_string();
        }
        // A brand-new attempt after line 2, which must not be imported either.
        if i == 1 {
            copy["attempt"]["id"] = "new-attempt".into();
            copy["attempt"]["participant_key"] = "new-participant".into();
            extra.push(copy.to_string());
        }
    }
    let mut header: Value = serde_json::from_str(&lines[0]).unwrap();
    header["attempts"] = (lines.len() - 1 + extra.len()).into();
    lines[0] = header.to_string();
    lines.extend(extra);
    std::fs::write(to, lines.join("\n")).unwrap();
    to.to_path_buf()
}

#[tokio::test]
async fn a_different_row_under_a_stored_id_is_a_conflict_and_nothing_is_imported() {
    let (dir, file) = played_and_exported(&[]).await;
    let changed_score = rewrite(&file, &dir.path().join("score.jsonl"), |line, a| {
        if line == 3 {
            a["score"] = 99.into();
        }
        line == 3
    });
    let taken_slot = rewrite(&file, &dir.path().join("slot.jsonl"), |line, a| {
        if line == 4 {
            a["id"] = "another-id".into();
        }
        line == 4
    });
    for db in test_dbs().await {
        let t = test_app_on(db).await;
        transfer::import(&t.state.store, &file).await.unwrap();
        let err = transfer::import(&t.state.store, &changed_score).await.unwrap_err();
        assert!(matches!(err, TransferError::Conflicts(_)), "{err}");
        let msg = err.to_string();
        assert!(
            msg.contains("score.jsonl:3: attempt ") && msg.contains("already stored with a different score"),
            "{msg}"
        );
        assert!(msg.contains("nothing was imported"), "{msg}");
        let msg = transfer::import(&t.state.store, &taken_slot).await.unwrap_err().to_string();
        assert!(msg.contains("slot.jsonl:4: attempt another-id of ") && msg.contains("is already stored as attempt"));
        assert!(t.state.store.attempt("new-attempt").await.unwrap().is_none(), "a failed import wrote a row");
        assert_eq!(
            t.state.store.attempts("open").await.unwrap().len()
                + t.state.store.attempts("schools").await.unwrap().len(),
            8
        );
    }
}

#[tokio::test]
async fn a_malformed_file_names_its_line_and_imports_nothing() {
    let (dir, file) = played_and_exported(&["schools".to_string()]).await;
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let write = |name: &str, body: String| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p
    };
    // The first participant's attempt again under another id.
    let mut header: Value = serde_json::from_str(lines[0]).unwrap();
    header["attempts"] = 4.into();
    let mut again: Value = serde_json::from_str(lines[1]).unwrap();
    again["attempt"]["id"] = "again".into();
    let twice = format!("{header}\n{}\n{again}\n", lines[1..].join("\n"));
    let cases = [
        (write("cut.jsonl", format!("{}\n{}\n{{\"attempt\": {{\"id\"", lines[0], lines[1])), "cut.jsonl:3:"),
        (write("typo.jsonl", text.replacen("\"score\"", "\"scor\"", 1)), "typo.jsonl:2:"),
        (write("short.jsonl", format!("{}\n{}\n", lines[0], lines[1])), "short.jsonl:3: expected 3 attempt line(s)"),
        (write("csv.jsonl", "答题编号,姓名\n".into()), "csv.jsonl:1:1: expected the header line"),
        (
            write("v3.jsonl", text.replacen("\"version\":2", "\"version\":3", 1)),
            "v3.jsonl:1: format version 3 is newer",
        ),
        (write("empty.jsonl", String::new()), "empty.jsonl:1: expected the header line"),
        (
            write("twice.jsonl", twice),
            "twice.jsonl:5: attempt again is attempt number 1 of its participant, as is the one on line 2",
        ),
    ];
    let t = test_app().await;
    for (path, want) in &cases {
        let err = transfer::import(&t.state.store, path).await.unwrap_err();
        assert!(matches!(err, TransferError::Malformed(_)), "{err}");
        assert!(err.to_string().contains(want), "{want:?} not in:\n{err}");
    }
    let typo = transfer::import(&t.state.store, &cases[1].0).await.unwrap_err().to_string();
    assert!(typo.contains("unknown field `scor`"), "{typo}");
    assert!(t.state.store.competitions().await.unwrap().is_empty(), "a malformed file imported something");
}

/// `n` made-up attempts of competition `c`, each submitted with two responses.
fn synthetic(n: usize) -> Vec<transfer::Record> {
    (0..n)
        .map(|i| transfer::Record {
            attempt: pufa::store::AttemptRow {
                id: format!("{i:032x}"),
                competition: "c".into(),
                organization: "school-a".into(),
                name: format!("学生{i}"),
                grp: "一班".into(),
                participant_key: format!("school-a/学生{i}/一班"),
                number: 1,
                seed: i as i64,
                drawn: "[]".into(),
                started_at: 1_000,
                deadline: 2_000,
                submitted_at: Some(1_500),
                answers: Some("{}".into()),
                score: Some((i % 100) as i64),
                max_score: 100,
                passed: Some(i % 100 >= 60),
                duration_ms: Some(500),
                grade: Some("null".into()),
                leaves: 0,
            },
            responses: vec![
                transfer::Response { question: "q1".into(), correct: i % 2 == 0 },
                transfer::Response { question: "q2".into(), correct: true },
            ],
        })
        .collect()
}

fn write_file(path: &Path, records: &[transfer::Record]) {
    let header = transfer::Header::new(vec!["c".into()], records.len());
    let mut text = serde_json::to_string(&header).unwrap() + "\n";
    for r in records {
        text += &(serde_json::to_string(r).unwrap() + "\n");
    }
    std::fs::write(path, text).unwrap();
}

/// More records than one import chunk: lookups and writes span chunks, a conflict in a later chunk still names its
/// line and rolls back the chunks written before it.
#[tokio::test]
async fn imports_span_chunks_and_a_late_conflict_rolls_back_everything() {
    let dir = tempfile::tempdir().unwrap();
    let (all, tail, clash) = (dir.path().join("all.jsonl"), dir.path().join("tail.jsonl"), dir.path().join("c.jsonl"));
    let records = synthetic(1_234);
    write_file(&all, &records);
    write_file(&tail, &records[1_000..]);
    let mut changed = records.clone();
    changed[1_100].attempt.score = Some(7);
    write_file(&clash, &changed);
    for db in test_dbs().await {
        let store = pufa::store::Store::open(&db.url).await.unwrap();
        assert_eq!(transfer::import(&store, &tail).await.unwrap().added, 234);
        // Chunks 1 and 2 insert 1,000 new rows, then chunk 3 finds the conflict: none of them stays.
        let err = transfer::import(&store, &clash).await.unwrap_err().to_string();
        assert!(err.contains("c.jsonl:1102: attempt ") && err.contains("different score"), "{err}");
        assert_eq!(store.submitted("c").await.unwrap().len(), 234);
        let r = transfer::import(&store, &all).await.unwrap();
        assert_eq!((r.added, r.unchanged, r.responses), (1_000, 234, 2_000));
        assert_eq!(transfer::import(&store, &all).await.unwrap().unchanged, 1_234);
        assert_eq!(store.submitted("c").await.unwrap().len(), 1_234);
        let missed: i64 = store.question_stats("c").await.unwrap().iter().map(|s| s.missed).sum();
        assert_eq!(missed, 617, "q1 missed by every odd attempt, once");
    }
}

/// The import reads the file line by line (issue 4: a province's file is GB): Windows line ends are read as one
/// line each, and a line that is not UTF-8 or longer than any real one is refused by number, importing nothing.
#[tokio::test]
async fn lines_are_read_one_by_one_and_bad_ones_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let records = synthetic(3);
    let (lf, crlf) = (dir.path().join("lf.jsonl"), dir.path().join("crlf.jsonl"));
    write_file(&lf, &records);
    std::fs::write(&crlf, std::fs::read_to_string(&lf).unwrap().replace('\n', "\r\n")).unwrap();
    let text = std::fs::read(&lf).unwrap();
    let second = text.iter().position(|&b| b == b'\n').unwrap() + 1;
    let third = second + text[second..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let mut latin1 = text.clone();
    latin1[third - 20] = 0xE9;
    let latin1_file = dir.path().join("latin1.jsonl");
    std::fs::write(&latin1_file, latin1).unwrap();
    let mut long = text[..second].to_vec();
    long.extend(std::iter::repeat_n(b' ', transfer::MAX_LINE + 1));
    long.extend(&text[second..]);
    let long_file = dir.path().join("long.jsonl");
    std::fs::write(&long_file, long).unwrap();

    let db = TestDb::sqlite();
    let store = pufa::store::Store::open(&db.url).await.unwrap();
    let err = transfer::import(&store, &latin1_file).await.unwrap_err().to_string();
    assert!(err.contains("latin1.jsonl:2:") && err.contains("expected UTF-8 text"), "{err}");
    let err = transfer::import(&store, &long_file).await.unwrap_err().to_string();
    assert!(err.contains("long.jsonl:2: line longer than 16 MiB"), "{err}");
    assert!(store.competitions().await.unwrap().is_empty(), "a refused file imported something");
    assert_eq!(transfer::import(&store, &crlf).await.unwrap().added, 3);
    assert_eq!(transfer::import(&store, &lf).await.unwrap().unchanged, 3);
}

/// A failed export leaves no file under the asked name, nor a partial one beside it.
#[tokio::test]
async fn a_failed_export_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::sqlite();
    let store = pufa::store::Store::open(&db.url).await.unwrap();
    let file = dir.path().join("results.jsonl");
    write_file(&file, &synthetic(2));
    transfer::import(&store, &file).await.unwrap();
    let out = dir.path().join("missing-folder").join("out.jsonl");
    let err = transfer::export(&store, &[], &out).await.unwrap_err().to_string();
    assert!(err.contains("missing-folder/out.jsonl"), "{err}");
    // Closing the database mid-export makes the read fail after the file was created.
    let out = dir.path().join("out.jsonl");
    store.clone().close(std::time::Duration::from_secs(1)).await;
    assert!(transfer::export(&store, &[], &out).await.is_err());
    assert!(!out.exists() && !out.with_extension("partial").exists());
}
