//! Loading `quizzes/`: the good fixture loads clean, and every defect is reported at its file, line and column.

use std::fs;
use std::path::Path;

use pufa::quiz::{self, OrgKind, QuestionType, ShowAnswers};

use crate::common::diagnose;

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

const BANK_HEAD: &str = "id: b\ntitle: 题库\nquestions:\n";

fn bank_with(question: &str) -> String {
    format!("{BANK_HEAD}{question}")
}

#[test]
fn question_defects_table() {
    let q = |body: &str| bank_with(&format!("  - id: q1\n{body}"));
    let tail = "    explanation: 解析\n    basis: 依据\n";
    let many: Vec<String> = (0..27).map(|i| format!("x{i}")).collect();
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
        (
            q("    type: judge\n    stem: 题\n    answer: 1\n    explanation: 解析\n    basis: 依据\n"),
            "banks/b.yaml:7:13: questions[0].answer: invalid type: integer `1`, expected a letter like A, a list of letters like [A, C], or true/false",
        ),
        (
            q("    type: judge\n    stem: 题\n    stem: 题\n    answer: true\n    explanation: 解析\n    basis: 依据\n"),
            "banks/b.yaml:7:5: questions[0]: duplicate field `stem`",
        ),
        (
            q(&format!("    type: single\n    stem: 题\n    options: [{}]\n    answer: A\n{tail}", many.join(", "))),
            "banks/b.yaml:7:14: options: at most 26 options (A–Z), found 27",
        ),
    ];
    for (text, want) in &cases {
        assert_eq!(diagnose(&[("banks/b.yaml", text)]), [*want], "{text}");
    }
}

/// The limits themselves are allowed: 26 options (A–Z) and a multiple question with exactly 2 letters.
#[test]
fn questions_at_the_limits_are_valid() {
    let letters: Vec<String> = (0..26).map(|i| format!("x{i}")).collect();
    let tail = "    explanation: 解析\n    basis: 依据\n";
    let bank = bank_with(&format!(
        "  - id: q1\n    type: single\n    stem: 题\n    options: [{}]\n    answer: Z\n{tail}\
         \x20 - id: q2\n    type: multiple\n    stem: 题\n    options: [甲, 乙, 丙]\n    answer: [A, C]\n{tail}",
        letters.join(", ")
    ));
    assert_eq!(diagnose(&[("banks/b.yaml", &bank)]), Vec::<String>::new(), "{bank}");
}

/// A folder that is not one, or a file that is not UTF-8 (a bank saved as GBK by an old editor), is an error:
/// the competition would otherwise quietly lose its questions.
#[test]
fn unreadable_folders_and_files_are_errors_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("banks"), "not a folder").unwrap();
    fs::create_dir_all(dir.path().join("competitions")).unwrap();
    // "id: c\ntitle: 赛\n" in GBK: 赛 is C8 FC
    fs::write(dir.path().join("competitions/c.yaml"), b"id: c\ntitle: \xc8\xfc\n").unwrap();
    // other failures keep the system's words: a folder where a file belongs, a link to itself
    fs::create_dir_all(dir.path().join("organizations.yaml")).unwrap();
    let (set, diags) = quiz::load(dir.path());
    let prefix = format!("{}/", dir.path().display());
    let got: Vec<String> = diags.0.iter().map(|d| d.to_string().replace(&prefix, "")).collect();
    assert_eq!(
        got,
        [
            "banks: cannot read folder: this is a file; expected a folder of .yaml files",
            "competitions/c.yaml: cannot read file: it is not UTF-8 text; save it as UTF-8",
            "organizations.yaml: cannot read file: Is a directory (os error 21)",
        ]
    );
    assert!(diags.has_errors() && set.banks.is_empty());
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("banks", dir.path().join("banks")).unwrap();
    let (_, diags) = quiz::load(dir.path());
    let got: Vec<String> =
        diags.0.iter().map(|d| d.to_string().replace(&format!("{}/", dir.path().display()), "")).collect();
    assert_eq!(got, ["banks: cannot read folder: Too many levels of symbolic links (os error 40)"]);
}

#[test]
fn demo_data_loads_with_zero_diagnostics() {
    let (set, diags) = quiz::load(Path::new("quizzes"));
    assert!(diags.0.is_empty(), "{diags}");
    for bank in ["xianfa", "minfadian", "weichengnianren", "anquanshengchan"] {
        let b = &set.banks[bank];
        assert!(b.questions.len() >= 15, "{bank}: {}", b.questions.len());
        for kind in [QuestionType::Single, QuestionType::Multiple, QuestionType::Judge] {
            assert!(b.questions.iter().any(|q| q.kind == kind), "{bank} has no {kind:?} question");
        }
        assert!(b.questions.iter().all(|q| q.basis.starts_with('《')), "{bank}: every basis cites a law");
    }
    assert!(set.organizations.len() >= 10);
    for (id, max) in [("2026-xuesheng", 100), ("2026-qiye", 100), ("2026-xianfa-zhou", 100)] {
        let c = &set.competitions[id];
        assert_eq!(c.max_score(), max, "{id}");
        assert_eq!(quiz::draw(&set, c, 7).len(), c.draw.iter().map(|r| r.count).sum::<usize>());
    }
    // Issue 12: the daily campaign demo shows the campaign rules.
    let rules = &set.competitions["2026-xianfa-zhou"].campaign;
    assert_eq!((rules.attempts_per_day, rules.max_leaves, rules.zone.local_minus_utc()), (Some(1), Some(3), 8 * 3600));
}

/// Each `tests/fixtures/quizzes/bad-*` folder holds broken files and `expected.txt`, the exact report.
/// Paths are printed as given to the loader. Guards issue 3: "refuse invalid files (a draw asking for more
/// questions than the bank has, an answer letter with no option, duplicate ids)", each named by file:line:col.
#[test]
fn broken_fixtures_report_exactly_what_is_expected() {
    let mut seen = 0;
    for entry in fs::read_dir("tests/fixtures/quizzes").unwrap() {
        let dir = entry.unwrap().path();
        if !dir.file_name().unwrap().to_string_lossy().starts_with("bad-") {
            continue;
        }
        seen += 1;
        let expected = fs::read_to_string(dir.join("expected.txt")).unwrap();
        let (_, diags) =
            quiz::load(Path::new(&format!("tests/fixtures/quizzes/{}", dir.file_name().unwrap().to_string_lossy())));
        assert!(diags.has_errors());
        assert_eq!(diags.to_string().trim(), expected.trim(), "{}", dir.display());
    }
    assert!(seen >= 6, "only {seen} broken fixtures");
}

const BANK3: &str = "id: b\ntitle: 题库\nquestions:
  - {id: q1, type: single, stem: 一, options: [甲, 乙], answer: A, explanation: 解, basis: 据}
  - {id: q2, type: single, stem: 二, options: [甲, 乙], answer: B, explanation: 解, basis: 据}
  - {id: q3, type: judge, stem: 三, answer: false, explanation: 解, basis: 据}
";

/// A competition file whose lines 1–6 are fixed and whose draw rules start on line 8.
fn comp(times: &str, draw: &str, rest: &str) -> String {
    format!("id: c\ntitle: 赛\n{times}attempts: 1\ndraw:\n{draw}{rest}")
}

const TIMES: &str = "opens: 2026-01-01T00:00:00+08:00\ncloses: 2026-02-01T00:00:00+08:00\ntime_limit: 1h30m\n";

#[test]
fn competition_defects_table() {
    let one = "  - {bank: b, count: 1, points: 10}\n";
    let cases: Vec<(String, Vec<&str>)> = vec![
        (comp(TIMES, one, "pass_score: 10\n"), vec![]),
        // typed rules count against their type, rules of any type against the whole bank
        (
            comp(TIMES, "  - {bank: b, type: single, count: 2, points: 1}\n  - {bank: b, count: 2, points: 1}\n", "pass_score: 1\n"),
            vec!["competitions/c.yaml:9:22: count: the rules on bank b ask for 4 questions in all, but it has only 3"],
        ),
        (
            comp(TIMES, "  - {bank: b, type: judge, count: 1, points: 1}\n  - {bank: b, type: judge, count: 1, points: 1}\n", "pass_score: 1\n"),
            vec!["competitions/c.yaml:9:35: count: the rules on bank b ask for 2 judge questions in all, but it has only 1"],
        ),
        (
            comp(TIMES, "  - {bank: b, type: multiple, count: 1, points: 1}\n", "pass_score: 1\n"),
            vec!["competitions/c.yaml:8:38: count: the rules on bank b ask for 1 multiple questions in all, but it has only 0"],
        ),
        (
            comp("opens: 2026-01-01T00:00:00+08:00\ncloses: 2026-01-01T00:00:00+08:00\ntime_limit: 0s\n", one, "pass_score: 10\n"),
            vec![
                "competitions/c.yaml:4:9: closes: must be after opens (2026-01-01T00:00:00+08:00)",
                "competitions/c.yaml:5:13: time_limit: expected a positive duration like 20m or 1h30m, found \"0s\"",
            ],
        ),
        (
            comp(TIMES, one, "pass_score: 10\nkinds: [school, factory]\n"),
            vec!["competitions/c.yaml:10:17: kinds[1]: unknown variant `factory`, expected one of `school`, `enterprise`, `other`"],
        ),
        (
            comp(TIMES, one, "pass_score: 10\nshow_answers: never\n"),
            vec!["competitions/c.yaml:10:15: show_answers: unknown variant `never`, expected `after_submit` or `after_close`"],
        ),
        // a scalar where the list of rules should be (it once made the loader ask for rule after rule forever)
        (
            comp(TIMES, "  3\n", "pass_score: 10\n"),
            vec!["competitions/c.yaml:8:3: draw: invalid type: integer `3`, expected a sequence"],
        ),
        (
            comp(TIMES, "", "pass_score: 0\n"),
            vec!["competitions/c.yaml:7:6: draw: expected at least one rule like {bank: xianfa, count: 10, points: 10}"],
        ),
        (
            comp(TIMES, one, ""),
            vec!["competitions/c.yaml:1:1: missing field `pass_score`"],
        ),
        // ids that would shadow the pages' own paths (/quiz/a/{attempt}, /quiz/admin)
        (
            comp(TIMES, one, "pass_score: 10\n").replacen("id: c", "id: a", 1),
            vec!["competitions/c.yaml:1:5: id: \"a\" is reserved for the pages' own addresses (/quiz/a/…, /quiz/admin); choose another"],
        ),
        (
            comp(TIMES, one, "pass_score: 10\n").replacen("id: c", "id: admin", 1),
            vec!["competitions/c.yaml:1:5: id: \"admin\" is reserved for the pages' own addresses (/quiz/a/…, /quiz/admin); choose another"],
        ),
    ];
    for (text, want) in &cases {
        let got = diagnose(&[("banks/b.yaml", BANK3), ("competitions/c.yaml", text)]);
        assert_eq!(got, *want, "{text}");
    }
}

#[test]
fn competition_defaults_and_durations() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("banks")).unwrap();
    fs::create_dir_all(dir.path().join("competitions")).unwrap();
    fs::write(dir.path().join("banks/b.yaml"), BANK3).unwrap();
    let text = comp(TIMES, "  - {bank: b, count: 3, points: 5}\n", "pass_score: 15\nshow_answers: after_close\n");
    fs::write(dir.path().join("competitions/c.yaml"), text).unwrap();
    let (set, diags) = quiz::load(dir.path());
    assert!(diags.0.is_empty(), "{diags}");
    let c = &set.competitions["c"];
    assert_eq!(c.time_limit.as_secs(), 90 * 60);
    assert!(c.shuffle_questions, "shuffle_questions defaults to true");
    assert!(!c.shuffle_options, "shuffle_options defaults to false");
    assert_eq!(c.kinds, None);
    assert!(c.admits(OrgKind::Other));
    assert_eq!(c.show_answers, ShowAnswers::AfterClose);
    assert_eq!(c.description, "");
    assert_eq!(set.question("q3").unwrap().line, 6);
}

#[test]
fn organization_defects_table() {
    let cases: &[(&str, &[&str])] = &[
        ("- {id: a, name: 甲, kind: school, town: 城关镇, headcount: 10}\n", &[]),
        ("- {id: a, name: 甲, kind: school, headcount: 0}\n", &["organizations.yaml:1:45: headcount: expected at least 1 (it is the denominator of the participation rate)"]),
        ("- {id: a, name: \"\", kind: school, headcount: 5}\n", &["organizations.yaml:1:17: name: must not be empty"]),
        ("- {id: 一中, name: 甲, kind: school, headcount: 5}\n", &["organizations.yaml:1:8: id: expected ASCII letters, digits, '-' or '_', found \"一中\""]),
        ("- {id: a, name: 甲, kind: school, headcount: 5, size: 3}\n", &["organizations.yaml:1:48: [0]: unknown field `size`, expected one of `id`, `name`, `kind`, `town`, `headcount`"]),
        ("- {id: a, name: 甲, kind: school, headcount: 5}\n- {id: a, name: 乙, kind: other, headcount: 5}\n",
            &["organizations.yaml:2:8: id: duplicate organization id \"a\", already used at organizations.yaml:1:8"]),
    ];
    for (text, want) in cases {
        assert_eq!(diagnose(&[("organizations.yaml", text)]), *want, "{text}");
    }
}

#[test]
fn only_visible_yaml_files_are_read() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("banks")).unwrap();
    let other = BANK3.replace("id: b\n", "id: other\n").replace("id: q", "id: z");
    for (name, text) in
        [("b.yml", BANK3), (".b.yaml", "not: [valid"), ("notes.txt", "not: [valid"), ("other.yaml", other.as_str())]
    {
        fs::write(dir.path().join("banks").join(name), text).unwrap();
    }
    let (set, diags) = quiz::load(dir.path());
    assert!(diags.0.is_empty(), "{diags}");
    assert_eq!(set.banks.keys().collect::<Vec<_>>(), ["b", "other"]);
    assert_eq!(set.questions.len(), 6);
}

/// Each question knows its line, even when an id is the start of the one before it (`q12`, then `q1`).
#[test]
fn each_question_knows_its_line() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("banks")).unwrap();
    let bank = "id: b\ntitle: 题库\nquestions:
  - {id: q12, type: judge, stem: 一, answer: true, explanation: 解, basis: 据}
  - {id: q1, type: judge, stem: 二, answer: false, explanation: 解, basis: 据}
";
    fs::write(dir.path().join("banks/b.yaml"), bank).unwrap();
    let (set, diags) = quiz::load(dir.path());
    assert!(diags.0.is_empty(), "{diags}");
    assert_eq!((set.question("q12").unwrap().line, set.question("q1").unwrap().line), (4, 5));
}

/// `pufa check` prints the mistakes of banks and competitions in Chinese by default (issue 14), English with
/// `language: en`.
#[test]
fn pufa_check_explains_quiz_mistakes_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let q = dir.path().join("quizzes");
    fs::create_dir_all(q.join("banks")).unwrap();
    fs::create_dir_all(q.join("competitions")).unwrap();
    fs::create_dir_all(dir.path().join("content")).unwrap();
    fs::write(dir.path().join("content/_index.md"), "---\ntitle: 首页\n---\n").unwrap();
    let bank = "id: b\ntitle: 题库\nquestions:\n  - {id: q1, type: single, stem: 问, options: [甲, 甲], answer: E, explanation: '', basis: ''}\n";
    fs::write(q.join("banks/b.yaml"), bank).unwrap();
    let comp = "id: c\ntitle: 赛\nopens: 2026-01-01T00:00:00+08:00\ncloses: 2026-02-01T00:00:00+08:00\ntime_limit: 0m\nattempts: 0\ndraw: [{bank: b, count: 5, points: 10}]\npass_score: 60\n";
    fs::write(q.join("competitions/c.yaml"), comp).unwrap();
    let (ok, out) = crate::common::run_pufa(&["check", "--source", dir.path().to_str().unwrap()], &[]);
    assert!(!ok);
    for want in [
        "options：选项 B 与选项 A 相同",
        "answer：答案应为 A–B 中的一个字母，实际是 \"E\"",
        "explanation：解析不能为空",
        "basis：法条依据不能为空",
        "time_limit：应为正的时长，例如 20m 或 1h30m，实际是 \"0m\"",
        "attempts：至少为 1",
        "count：题库 b 的各条规则共要抽 5 道题，但它只有 1 道",
    ] {
        assert!(out.contains(want), "{want} missing from\n{out}");
    }
    fs::write(dir.path().join("site.yaml"), "language: en\n").unwrap();
    let (_, out) = crate::common::run_pufa(&["check", "--source", dir.path().to_str().unwrap()], &[]);
    assert!(out.contains("attempts: expected at least 1"), "{out}");
}
