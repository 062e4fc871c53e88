//! `pufa import questions` from Excel and CSV sheets (issue 11): the real binary reads sheets written here with
//! rust_xlsxwriter and as UTF-8 and GBK CSV, writes a bank that `pufa::quiz::load` reads, and refuses broken
//! sheets naming each cell, in Chinese by default and in English with `language: en`.

use std::fs;
use std::path::{Path, PathBuf};

use pufa::quiz::{QuestionType, QuizSet};
use rust_xlsxwriter::Workbook;
use tempfile::TempDir;

use crate::common::run_pufa;

/// A site folder with the server fixture's organizations and an empty banks folder.
pub fn site() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    crate::common::copy_dir(&crate::common::site::site_fixture("bare"), dir.path());
    let quizzes = dir.path().join("quizzes");
    fs::create_dir_all(quizzes.join("banks")).unwrap();
    fs::copy(crate::common::fixture_dir().join("organizations.yaml"), quizzes.join("organizations.yaml")).unwrap();
    dir
}

/// Writes `bytes` as `name` in the site folder and runs `pufa import questions` on it with `args`.
pub fn import(site: &Path, name: &str, bytes: &[u8], args: &[&str]) -> (bool, String, PathBuf) {
    let file = site.join(name);
    fs::write(&file, bytes).unwrap();
    let mut all = vec!["import", "questions", file.to_str().unwrap(), "--source", site.to_str().unwrap()];
    all.extend_from_slice(args);
    let (ok, err) = run_pufa(&all, &[]);
    (ok, err, file)
}

/// The loaded quizzes of the site, which must have no diagnostics at all.
pub fn loaded(site: &Path) -> QuizSet {
    let (set, diags) = pufa::quiz::load(&site.join("quizzes"));
    assert!(diags.0.is_empty(), "{diags}");
    set
}

/// A question as (type, stem, options, answer indices, explanation, basis).
pub type Seen = (QuestionType, String, Vec<String>, Vec<usize>, String, String);

/// A bank's questions.
pub fn questions(set: &QuizSet, bank: &str) -> Vec<Seen> {
    let b = set.banks.get(bank).unwrap_or_else(|| panic!("no bank {bank}: {:?}", set.banks.keys()));
    b.questions
        .iter()
        .map(|q| (q.kind, q.stem.clone(), q.options.clone(), q.answer.clone(), q.explanation.clone(), q.basis.clone()))
        .collect()
}

pub fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

fn csv_text(rows: &[&[&str]]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.write_record(*row).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

const HEADER: &[&str] = &["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "依据"];

/// Three good rows, one per type, in the answer spellings organizers use.
const GOOD: &[&[&str]] = &[
    &[
        "单选题",
        "我国的根本制度是（ ）。",
        "人民代表大会制度",
        "社会主义制度",
        "民族区域自治制度",
        "",
        "B",
        "宪法第一条。",
        "《中华人民共和国宪法》第一条",
    ],
    &[
        "多选",
        "公民的基本权利有（ ）。",
        "选举权",
        "言论自由",
        "受教育权",
        "纳税",
        "A、C",
        "纳税是义务。",
        "《中华人民共和国宪法》第三十四条",
    ],
    &["判断", "公民在法律面前一律平等。", "", "", "", "", "√", "宪法第三十三条。", "《中华人民共和国宪法》第三十三条"],
];

fn expected() -> Vec<Seen> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        (
            QuestionType::Single,
            "我国的根本制度是（ ）。".into(),
            s(&["人民代表大会制度", "社会主义制度", "民族区域自治制度"]),
            vec![1],
            "宪法第一条。".into(),
            "《中华人民共和国宪法》第一条".into(),
        ),
        (
            QuestionType::Multiple,
            "公民的基本权利有（ ）。".into(),
            s(&["选举权", "言论自由", "受教育权", "纳税"]),
            vec![0, 2],
            "纳税是义务。".into(),
            "《中华人民共和国宪法》第三十四条".into(),
        ),
        (
            QuestionType::Judge,
            "公民在法律面前一律平等。".into(),
            vec![],
            vec![0],
            "宪法第三十三条。".into(),
            "《中华人民共和国宪法》第三十三条".into(),
        ),
    ]
}

fn with_header(rows: &[&'static [&'static str]]) -> Vec<&'static [&'static str]> {
    let mut all: Vec<&[&str]> = vec![HEADER];
    all.extend_from_slice(rows);
    all
}

#[test]
fn good_sheets_in_every_format_become_the_same_bank() {
    let rows = with_header(GOOD);
    let text = csv_text(&rows);
    let gbk = encoding_rs::GBK.encode(&text).0.into_owned();
    assert!(std::str::from_utf8(&gbk).is_err(), "the GBK file must not be valid UTF-8");
    let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
    // Columns in another order, a title row above the header, and full-width answer letters.
    let mut shuffled: Vec<Vec<&str>> = vec![vec!["2026年题库"]];
    for r in &rows {
        let mut v: Vec<&str> = r.to_vec();
        v.reverse();
        shuffled.push(v);
    }
    shuffled[3][2] = "Ａ，Ｃ";
    let shuffled: Vec<&[&str]> = shuffled.iter().map(Vec::as_slice).collect();
    let cases: [(&str, Vec<u8>); 4] = [
        ("题库.xlsx", xlsx(&rows)),
        ("题库.csv", text.clone().into_bytes()),
        ("tiku-gbk.csv", gbk),
        ("tiku-bom.csv", bom),
    ];
    for (name, bytes) in cases.into_iter().chain([("乱序.xlsx", xlsx(&shuffled))]) {
        let dir = site();
        let (ok, err, _) = import(dir.path(), name, &bytes, &[]);
        assert!(ok, "{name}: {err}");
        let id = match name {
            "题库.xlsx" | "题库.csv" => "tiku",
            "乱序.xlsx" => "luanxu",
            n => n.trim_end_matches(".csv"),
        };
        assert!(err.contains("读取 3 道题：单选 1 道，多选 1 道，判断 1 道"), "{name}: {err}");
        assert_eq!(questions(&loaded(dir.path()), id), expected(), "{name}");
    }
}

/// Broken rows: each mistake is named by its cell, and nothing is written.
#[test]
fn broken_sheets_name_each_cell_and_write_nothing() {
    let rows: &[&[&str]] = &[
        HEADER,
        &["填空", "题一", "甲", "乙", "", "", "A", "解", "据"],
        &["单选", "", "甲", "乙", "", "", "A", "解", "据"],
        &["单选", "题三", "甲", "", "", "", "A", "解", "据"],
        &["单选", "题四", "甲", "乙", "丙", "丁", "E", "解", "据"],
        &["单选", "题五", "甲", "乙", "丙", "", "AC", "解", "据"],
        &["判断", "题六", "", "", "", "", "不知道", "解", "据"],
        &["多选", "题七", "甲", "乙", "丙", "", "AB", "", ""],
        &["多选", "题八", "甲", "乙", "丙", "", "B", "解", "据"],
        &["单选", "题九", "甲", "乙", "", "", "A", "解", "据"],
        &["单选", "题九", "甲", "乙", "", "", "B", "解", "据"],
    ];
    let dir = site();
    let (ok, err, file) = import(dir.path(), "题库.xlsx", &xlsx(rows), &[]);
    assert!(!ok);
    let f = file.display();
    let want = [
        format!("{f}:Sheet1!A2: 题型 \"填空\"：不认识的题型，应为 单选、多选 或 判断"),
        format!("{f}:Sheet1!B3: 题干：未填写，每道题都要有题干"),
        format!("{f}:Sheet1!D4: 单选题至少要有 2 个选项，实际有 1 个"),
        format!("{f}:Sheet1!G5: 答案 \"E\"：没有选项 E"),
        format!("{f}:Sheet1!G6: 答案 \"AC\"：单选题只能有一个答案；有多个答案时请把题型写成 多选"),
        format!("{f}:Sheet1!G7: 答案 \"不知道\"：判断题的答案应为 正确 或 错误（也可写 对/错、√/×）"),
        format!("{f}:Sheet1!H8: 解析：未填写；题库格式要求每道题都写明解析和依据"),
        format!("{f}:Sheet1!I8: 依据：未填写；题库格式要求每道题都写明解析和依据"),
        format!("{f}:Sheet1!G9: 答案 \"B\"：多选题至少要有两个答案"),
        format!("{f}:Sheet1!B11: 题干：与 题库.xlsx:Sheet1!B10 的题目相同（重复的题）"),
        "共 10 个错误".to_string(),
        "有错误，未写入任何题目。".to_string(),
    ];
    assert_eq!(err.lines().collect::<Vec<_>>(), want.iter().map(String::as_str).collect::<Vec<_>>(), "{err}");
    assert!(fs::read_dir(dir.path().join("quizzes/banks")).unwrap().next().is_none(), "nothing is written");
}

#[test]
fn columns_and_ids_are_checked_in_english_too() {
    let dir = site();
    fs::write(dir.path().join("site.yaml"), "title: Test\nlanguage: en\n").unwrap();
    let rows: &[&[&str]] = &[
        &["编号", "题型", "题干", "选项A", "选项B", "选项I", "答案", "解析"],
        &["q1", "单选", "题一", "甲", "乙", "", "A", "解"],
        &["q1", "单选", "题二", "甲", "乙", "", "B", "解"],
    ];
    let (ok, err, file) = import(dir.path(), "bank.csv", csv_text(rows).as_bytes(), &[]);
    assert!(!ok);
    let f = file.display();
    let want = [
        format!("{f}:F1: column 选项I: unknown; expected 题型, 题干, 选项A…选项H, 答案, 解析, 依据, 标签 or 编号"),
        format!("{f}:A1: no column 依据: the bank format requires 答案, 解析 and 依据 for every question"),
        "2 error(s)".to_string(),
        "nothing was written.".to_string(),
    ];
    assert_eq!(err.lines().collect::<Vec<_>>(), want.iter().map(String::as_str).collect::<Vec<_>>(), "{err}");

    let rows: &[&[&str]] = &[
        &["编号", "题型", "题干", "选项A", "选项B", "答案", "解析", "依据"],
        &["q1", "单选", "题一", "甲", "乙", "A", "解", "据"],
        &["q1", "单选", "题二", "甲", "乙", "B", "解", "据"],
        &["第3题", "单选", "题三", "甲", "乙", "B", "解", "据"],
    ];
    let (ok, err, _) = import(dir.path(), "bank.csv", csv_text(rows).as_bytes(), &[]);
    assert!(!ok);
    let want = [
        format!("{f}:A3: 编号 q1: used twice, also at bank.csv:A2"),
        format!("{f}:A4: 编号 \"第3题\": expected ASCII letters, digits, '-' or '_'"),
        "2 error(s)".to_string(),
        "nothing was written.".to_string(),
    ];
    assert_eq!(err.lines().collect::<Vec<_>>(), want.iter().map(String::as_str).collect::<Vec<_>>(), "{err}");
}

/// An existing bank is merged by question id; `--replace` replaces it; a failed import leaves it as it was.
#[test]
fn banks_are_merged_by_id_unless_replaced() {
    let dir = site();
    let head: &[&str] = &["编号", "题型", "题干", "选项A", "选项B", "答案", "解析", "依据"];
    let first: &[&[&str]] = &[
        head,
        &["a1", "单选", "旧题一", "甲", "乙", "A", "解", "据"],
        &["a2", "判断", "题二", "", "", "错", "解", "据"],
    ];
    let (ok, err, _) = import(dir.path(), "b.xlsx", &xlsx(first), &["--bank", "xianfa", "--title", "宪法"]);
    assert!(ok, "{err}");
    let second: &[&[&str]] = &[
        head,
        &["a1", "单选", "新题一", "甲", "乙", "B", "解", "据"],
        &["a3", "判断", "题三", "", "", "对", "解", "据"],
    ];
    let (ok, err, _) = import(dir.path(), "b.xlsx", &xlsx(second), &["--bank", "xianfa"]);
    assert!(ok, "{err}");
    assert!(err.contains("新增 1 道，更新 1 道，共 3 道"), "{err}");
    let set = loaded(dir.path());
    let bank = &set.banks["xianfa"];
    assert_eq!(bank.title, "宪法", "the title is kept");
    let got: Vec<(&str, &str, &[usize])> =
        bank.questions.iter().map(|q| (q.id.as_str(), q.stem.as_str(), q.answer.as_slice())).collect();
    assert_eq!(got, [("a1", "新题一", &[1][..]), ("a2", "题二", &[1][..]), ("a3", "题三", &[0][..])]);

    let path = dir.path().join("quizzes/banks/xianfa.yaml");
    let before = fs::read(&path).unwrap();
    let broken: &[&[&str]] = &[head, &["a4", "单选", "题四", "甲", "乙", "C", "解", "据"]];
    let (ok, _, _) = import(dir.path(), "b.xlsx", &xlsx(broken), &["--bank", "xianfa"]);
    assert!(!ok);
    assert_eq!(fs::read(&path).unwrap(), before, "a failed import leaves the bank as it was");

    let (ok, err, _) = import(dir.path(), "b.xlsx", &xlsx(second), &["--bank", "xianfa", "--replace"]);
    assert!(ok, "{err}");
    let ids: Vec<String> = loaded(dir.path()).banks["xianfa"].questions.iter().map(|q| q.id.clone()).collect();
    assert_eq!(ids, ["a1", "a3"]);
}

/// The bank with the new questions is checked with the other quizzes files: an id another bank has is refused.
#[test]
fn an_id_used_by_another_bank_is_refused() {
    let dir = site();
    let other = "id: other\ntitle: 其他\nquestions:\n  - {id: q1, type: judge, stem: 题, answer: true, explanation: 解, basis: 据}\n";
    fs::write(dir.path().join("quizzes/banks/other.yaml"), other).unwrap();
    let rows: &[&[&str]] = &[&["编号", "题干", "答案", "解析", "依据"], &["q1", "另一题", "正确", "解", "据"]];
    let (ok, err, _) = import(dir.path(), "new.csv", csv_text(rows).as_bytes(), &[]);
    assert!(!ok, "{err}");
    assert!(err.contains("quizzes/banks/new.yaml:") && err.contains("q1"), "{err}");
    assert!(!dir.path().join("quizzes/banks/new.yaml").exists());
}

/// The template imports as it is: its example rows are one question of each type.
#[test]
fn the_template_imports_as_it_is() {
    let dir = site();
    let out = dir.path().join("模板.xlsx");
    let (ok, err) = run_pufa(
        &["import", "template", "--output", out.to_str().unwrap(), "--source", dir.path().to_str().unwrap()],
        &[],
    );
    assert!(ok, "{err}");
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let range = calamine::Reader::worksheet_range(&mut book, "题目").unwrap();
    let header: Vec<String> = range.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header[..3], ["题型", "题干", "选项A"]);
    assert!(header.contains(&"依据".to_string()) && header.contains(&"编号".to_string()));
    let (ok, err) =
        run_pufa(&["import", "questions", out.to_str().unwrap(), "--source", dir.path().to_str().unwrap()], &[]);
    assert!(ok, "{err}");
    assert!(err.contains("单选 1 道，多选 1 道，判断 1 道"), "{err}");
    assert_eq!(loaded(dir.path()).banks["moban"].questions.len(), 3);
}

/// Today's `pufa import FILE` of results still works beside the new subcommands.
#[test]
fn importing_results_keeps_its_spelling() {
    let (ok, err) = run_pufa(&["import", "/nonexistent/results.jsonl", "--database-url", "sqlite::memory:"], &[]);
    assert!(!ok);
    assert!(err.contains("results.jsonl"), "{err}");
}
