//! Loading `quizzes/`: the good fixture loads clean, and every defect is reported at its file, line and column.

use std::fs;
use std::path::Path;

use pufa::quiz::{self, OrgKind, QuestionType, ShowAnswers};

#[test]
fn good_fixture_loads_with_zero_diagnostics() {
    let (set, diags) = quiz::load(Path::new("tests/fixtures/quizzes/good"));
    assert!(diags.0.is_empty(), "{diags}");
    assert_eq!(set.banks.len(), 2);
    assert_eq!(set.questions.len(), 12);
    let s1 = set.question("s1").unwrap();
    assert_eq!((s1.kind, s1.answer.clone(), s1.line), (QuestionType::Single, vec![1], 4));
    assert_eq!(set.question("m2").unwrap().answer, vec![0, 1, 2]);
    assert_eq!(set.question("j1").unwrap().answer, vec![0]);
    assert_eq!(set.question("j2").unwrap().answer, vec![1]);
    assert_eq!(set.organization("firm-1").unwrap().kind, OrgKind::Enterprise);
    let c = &set.competitions["good"];
    assert_eq!(c.time_limit.as_secs(), 20 * 60);
    assert_eq!((c.max_score(), c.pass_score, c.attempts), (80, 60, 2));
    assert!(c.shuffle_questions && c.shuffle_options);
    assert_eq!(c.show_answers, ShowAnswers::AfterSubmit);
    assert!(c.admits(OrgKind::School) && !c.admits(OrgKind::Enterprise));
    assert_eq!(c.opens.to_rfc3339(), "2026-01-01T00:00:00+08:00");
}

#[test]
fn a_missing_folder_is_an_empty_set() {
    let (set, diags) = quiz::load(Path::new("tests/fixtures/quizzes/does-not-exist"));
    assert!(diags.0.is_empty() && set.banks.is_empty() && set.competitions.is_empty());
}

/// Writes `files` into a fresh folder, loads it, and returns the diagnostics with the folder prefix removed.
fn diagnose(files: &[(&str, &str)]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
    let (_, diags) = quiz::load(dir.path());
    let prefix = format!("{}/", dir.path().display());
    diags.0.iter().map(|d| d.to_string().replace(&prefix, "")).collect()
}

const BANK_HEAD: &str = "id: b\ntitle: 题库\nquestions:\n";

fn bank_with(question: &str) -> String {
    format!("{BANK_HEAD}{question}")
}

#[test]
fn question_defects_table() {
    let q = |body: &str| bank_with(&format!("  - id: q1\n{body}"));
    let tail = "    explanation: 解析\n    basis: 依据\n";
    let cases: Vec<(String, &str)> = vec![
        (q(&format!("    type: single\n    stem: 题\n    options: [甲, 乙]\n    answer: C\n{tail}")),
            "banks/b.yaml:8:13: answer: expected one letter A–B naming an option, found \"C\""),
        (q(&format!("    type: single\n    stem: 题\n    options: [甲]\n    answer: A\n{tail}")),
            "banks/b.yaml:7:14: options: a single question needs at least 2 options, found 1"),
        (q(&format!("    type: single\n    stem: 题\n    options: [甲, 乙]\n    answer: [A, B]\n{tail}")),
            "banks/b.yaml:8:13: answer: a single question expects one letter like A, found [A, B]"),
        (q(&format!("    type: multiple\n    stem: 题\n    options: [甲, 乙, 丙]\n    answer: [A, A]\n{tail}")),
            "banks/b.yaml:8:17: answer: letter A is given twice"),
        (q(&format!("    type: multiple\n    stem: 题\n    options: [甲, 乙, 丙]\n    answer: [A, D]\n{tail}")),
            "banks/b.yaml:8:17: answer: expected a letter A–C naming an option, found \"D\""),
        (q(&format!("    type: multiple\n    stem: 题\n    options: [甲, 乙]\n    answer: [A, B]\n{tail}")),
            "banks/b.yaml:7:14: options: a multiple question needs at least 3 options, found 2"),
        (q(&format!("    type: multiple\n    stem: 题\n    options: [甲, 乙, 丙]\n    answer: [B]\n{tail}")),
            "banks/b.yaml:8:13: answer: a multiple question expects at least 2 letters, found 1"),
        (q(&format!("    type: judge\n    stem: 题\n    answer: A\n{tail}")),
            "banks/b.yaml:7:13: answer: a judge question expects true or false, found \"A\""),
        (q(&format!("    type: judge\n    stem: 题\n    options: [对, 错]\n    answer: true\n{tail}")),
            "banks/b.yaml:7:14: options: a judge question has no options (it is shown as 正确 / 错误), found 2"),
        (q("    type: judge\n    stem: \"  \"\n    answer: true\n    explanation: 解析\n    basis: 依据\n"),
            "banks/b.yaml:6:11: stem: must not be empty"),
        (q("    type: judge\n    stem: 题\n    answer: true\n    explanation: 解析\n    basis: \"\"\n"),
            "banks/b.yaml:9:12: basis: must not be empty (every question states its legal basis, e.g. 《中华人民共和国宪法》第三十三条)"),
        (q("    type: judge\n    stem: 题\n    answer: true\n    explanation: 解析\n    basis: 依据\n    anwser: true\n"),
            "banks/b.yaml:10:5: questions[0]: unknown field `anwser`, expected one of `id`, `type`, `stem`, `options`, `answer`, `explanation`, `basis`, `tags`"),
        (q("    type: truefalse\n    stem: 题\n    answer: true\n    explanation: 解析\n    basis: 依据\n"),
            "banks/b.yaml:5:11: questions[0].type: unknown variant `truefalse`, expected one of `single`, `multiple`, `judge`"),
        (q(&format!("    type: single\n    stem: 题\n    options: [甲, 甲]\n    answer: A\n{tail}")),
            "banks/b.yaml:7:18: options: option B repeats option A"),
    ];
    for (text, want) in &cases {
        assert_eq!(diagnose(&[("banks/b.yaml", text)]), [*want], "{text}");
    }
}
