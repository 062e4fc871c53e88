//! `quizzes/surveys/*.yaml` (issue 13): every mistake is an error at its file, line and column saying what was
//! expected; unknown keys are refused; ids are unique across surveys; the demo surveys load.

use std::fs;
use std::path::Path;

use pufa::quiz;

use crate::common::diagnose;

const HEAD: &str = "id: s\ntitle: 测评\nopens: 2026-01-01T00:00:00+08:00\ncloses: 2026-02-01T00:00:00+08:00\n";
const ORGS: &str = "- {id: o, name: 某单位, kind: other, town: 城关镇, headcount: 5}\n";

fn survey(rest: &str) -> Vec<String> {
    diagnose(&[("surveys/s.yaml", &format!("{HEAD}{rest}")), ("organizations.yaml", ORGS)])
}

#[test]
fn a_good_survey_has_no_diagnostic_and_gets_its_defaults() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("surveys")).unwrap();
    fs::write(dir.path().join("organizations.yaml"), ORGS).unwrap();
    let text = format!(
        "{HEAD}ask_town: true\nquestions:\n  - {{id: a, type: scale, stem: 满意吗, scale: 5}}\n  - {{id: b, type: text, stem: 建议}}\n"
    );
    fs::write(dir.path().join("surveys/s.yaml"), text).unwrap();
    let (set, diags) = quiz::load(dir.path());
    assert!(diags.0.is_empty(), "{diags}");
    let s = &set.surveys["s"];
    assert!(s.anonymous && !s.public_summary && !s.ask_organization);
    assert_eq!(s.towns, ["城关镇"], "the towns of organizations.yaml");
    assert!(s.questions[0].required && !s.questions[1].required);
}

#[test]
fn survey_defects_table() {
    let q = "questions:\n  - {id: a, type: scale, stem: 满意吗, scale: 5}\n";
    let cases: Vec<(String, &str)> = vec![
        (format!("colour: red\n{q}"), "surveys/s.yaml:5:1: unknown field `colour`"),
        ("questions: []\n".into(), "surveys/s.yaml:5:12: questions: expected at least one question"),
        (
            "questions:\n  - {id: a, type: scale, stem: 满意吗}\n".into(),
            "surveys/s.yaml:6:19: scale: a scale question needs its number of points",
        ),
        (
            "questions:\n  - {id: a, type: scale, stem: 满意吗, scale: 11}\n".into(),
            "surveys/s.yaml:6:44: scale: expected 2 to 10 points, found 11",
        ),
        (
            "questions:\n  - {id: a, type: scale, stem: 满意吗, scale: 3, labels: [差, 好]}\n".into(),
            "surveys/s.yaml:6:55: labels: expected one label per point (3), found 2",
        ),
        (
            "questions:\n  - {id: a, type: single, stem: 哪个, options: [甲]}\n".into(),
            "surveys/s.yaml:6:46: options: expected 2 to 26 options, found 1",
        ),
        (
            "questions:\n  - {id: a, type: text, stem: 建议, options: [甲, 乙]}\n".into(),
            "surveys/s.yaml:6:44: options: only single and multiple questions have options",
        ),
        (
            "questions:\n  - {id: a, type: single, stem: 哪个, options: [甲, 乙], scale: 2}\n".into(),
            "surveys/s.yaml:6:61: scale: only scale questions have points",
        ),
        (
            "questions:\n  - {id: a, type: rating, stem: 哪个}\n".into(),
            "surveys/s.yaml:6:19: questions[0].type: unknown variant `rating`",
        ),
        (
            format!("{q}  - {{id: a, type: text, stem: 又一个}}\n"),
            "surveys/s.yaml:7:10: id: duplicate question id \"a\" in this survey",
        ),
        (format!("ask_town: true\ntowns: [东镇, 东镇]\n{q}"), "surveys/s.yaml:6:13: towns: \"东镇\" is listed twice"),
        (format!("towns: [东镇]\n{q}"), "surveys/s.yaml:5:8: towns: only used with ask_town: true"),
    ];
    for (rest, want) in cases {
        let got = survey(&rest);
        assert!(got.iter().any(|g| g.contains(want)), "{rest}\nwanted {want}\ngot {got:#?}");
    }
    let text = "id: s\ntitle: 测评\nopens: 3月1日\ncloses: 2026-02-01T00:00:00+08:00\nquestions: [{id: a, type: text, stem: 建议}]\n";
    let got = diagnose(&[("surveys/s.yaml", text)]);
    assert!(got[0].starts_with("surveys/s.yaml:3:8: opens: expected an RFC 3339 time"), "{got:?}");
    let got =
        diagnose(&[("surveys/s.yaml", &text.replace("id: s", "id: 民调").replace("3月1日", "2026-01-01T00:00:00Z"))]);
    assert_eq!(got, ["surveys/s.yaml:1:5: id: expected ASCII letters, digits, '-' or '_', found \"民调\""]);
}

#[test]
fn survey_ids_are_unique_across_files_and_organizations_must_exist_to_be_asked() {
    let text = format!("{HEAD}questions: [{{id: a, type: text, stem: 建议}}]\n");
    let got = diagnose(&[("surveys/a.yaml", &text), ("surveys/b.yaml", &text)]);
    assert!(
        got.iter().any(|g| g.starts_with("surveys/b.yaml:1:5: id: duplicate survey id \"s\", already used at")),
        "{got:?}"
    );
    let text = format!("{HEAD}ask_organization: true\nquestions: [{{id: a, type: text, stem: 建议}}]\n");
    let got = diagnose(&[("surveys/a.yaml", &text)]);
    assert!(got.iter().any(|g| g.contains("ask_organization: organizations.yaml lists no organization")), "{got:?}");
}

#[test]
fn the_demo_surveys_load() {
    let (set, diags) = quiz::load(Path::new("quizzes"));
    assert!(!diags.has_errors(), "{diags}");
    assert!(!set.surveys.is_empty(), "the demo site has a survey");
}

#[test]
fn pufa_check_says_what_is_wrong_with_a_survey_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{HEAD}ask_town: true\ntowns: [东镇]\nquestions:\n  - {{id: a, type: scale, stem: 满意吗, scale: 12}}\n  - {{id: a, type: single, stem: 哪个, options: [甲]}}\n");
    std::fs::create_dir_all(dir.path().join("quizzes/surveys")).unwrap();
    std::fs::write(dir.path().join("quizzes/surveys/s.yaml"), text.replace("2026-02-01", "2025-02-01")).unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::write(dir.path().join("content/_index.md"), "---\ntitle: 首页\n---\n").unwrap();
    let (ok, out) = crate::common::run_pufa(&["check", "--source", dir.path().to_str().unwrap()], &[]);
    assert!(!ok, "{out}");
    for want in [
        "closes：结束时间应晚于开始时间（2026-01-01T00:00:00+08:00）",
        "s.yaml:8:44: scale：分值应为 2 到 10，实际是 12",
        "s.yaml:9:10: id：本问卷中题号 \"a\" 重复",
        "options：应有 2 到 26 个选项，实际有 1 个",
    ] {
        assert!(out.contains(want), "{want} missing from\n{out}");
    }
}
