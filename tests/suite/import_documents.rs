//! `pufa import questions` from Word (.docx) and text exam documents (issue 11): numbered stems, options on
//! their own lines or inline, 答案/解析/依据 lines and section headings; broken documents are refused line by
//! line; and the round trip import → `pufa check` → a competition drawing from the bank starts and grades an
//! attempt.

use std::fs;
use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use pufa::quiz::QuestionType;
use pufa::server::{app, AppState, Clock};
use pufa::store::Store;

use crate::common::{correct_answers, run_pufa, t0, TestApp, TestDb, TOKEN};
use crate::import_questions::{import, loaded, questions, site};

/// An exam document as organizers write it: a title, headings, three numbering styles, inline options.
const DOCUMENT: &[&str] = &[
    "2026年全县法治知识竞赛题库",
    "一、单项选择题",
    "1．我国的根本制度是（ ）。",
    "A．人民代表大会制度  B．社会主义制度  C．民族区域自治制度",
    "答案：B",
    "解析：宪法第一条第二款。",
    "依据：《中华人民共和国宪法》第一条",
    "二、多项选择题",
    "（1）公民的基本权利有（ ）。",
    "A、选举权",
    "B、言论自由",
    "C、受教育权",
    "D、纳税",
    "【答案】ACD",
    "【解析】纳税是义务，受教育既是权利也是义务。",
    "法律依据：《中华人民共和国宪法》第四十六条",
    "三、判断题",
    "1、公民在法律面前一律平等。",
    "答案：对",
    "解析：宪法第三十三条。",
    "依据：《中华人民共和国宪法》第三十三条",
    "2. 未满十六周岁的人可以被招用为童工。",
    "答案：×",
    "解析：禁止招用童工。",
    "依据：《中华人民共和国未成年人保护法》第六十一条",
];

/// A minimal .docx: word/document.xml with one paragraph per entry; each paragraph's text is split over two
/// runs, as Word splits it, and `&` is written as an entity.
pub fn docx(paragraphs: &[&str]) -> Vec<u8> {
    let mut body = String::new();
    for p in paragraphs {
        let esc = p.replace('&', "&amp;").replace('<', "&lt;");
        let cut = esc.char_indices().nth(2).map_or(esc.len(), |(i, _)| i);
        body.push_str(&format!(
            "<w:p><w:pPr><w:jc w:val=\"left\"/></w:pPr><w:r><w:t>{}</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
            &esc[..cut],
            &esc[cut..]
        ));
    }
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}<w:sectPr/></w:body></w:document>"
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", opts).unwrap();
    zip.write_all(
        b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>",
    )
    .unwrap();
    zip.start_file("word/document.xml", opts).unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

#[test]
fn word_and_text_documents_become_the_same_bank() {
    let text = DOCUMENT.join("\n");
    let gbk = encoding_rs::GBK.encode(&text).0.into_owned();
    let crlf = DOCUMENT.join("\r\n");
    for (name, bytes) in [
        ("试题.docx", docx(DOCUMENT)),
        ("试题.txt", text.clone().into_bytes()),
        ("试题-gbk.txt", gbk),
        ("试题-crlf.txt", crlf.into_bytes()),
    ] {
        let dir = site();
        let (ok, err, _) = import(dir.path(), name, &bytes, &["--bank", "shiti"]);
        assert!(ok, "{name}: {err}");
        assert!(err.contains("读取 4 道题：单选 1 道，多选 1 道，判断 2 道"), "{name}: {err}");
        let got = questions(&loaded(dir.path()), "shiti");
        let kinds: Vec<QuestionType> = got.iter().map(|q| q.0).collect();
        use QuestionType::*;
        assert_eq!(kinds, [Single, Multiple, Judge, Judge], "{name}");
        assert_eq!(got[0].2, ["人民代表大会制度", "社会主义制度", "民族区域自治制度"], "{name}");
        assert_eq!(
            (got[0].3.as_slice(), got[1].3.as_slice(), got[2].3.as_slice(), got[3].3.as_slice()),
            (&[1][..], &[0, 2, 3][..], &[0][..], &[1][..])
        );
        assert_eq!(got[1].1, "公民的基本权利有（ ）。");
        assert_eq!(got[1].4, "纳税是义务，受教育既是权利也是义务。");
        assert_eq!(got[1].5, "《中华人民共和国宪法》第四十六条");
        assert_eq!(got[3].1, "未满十六周岁的人可以被招用为童工。");
    }
}

/// Without headings the type comes from the answer's shape; line breaks inside a Word paragraph are lines.
#[test]
fn types_come_from_the_answers_without_headings() {
    let doc = [
        "1. 题一\nA. 甲 B. 乙\n答案：A\n解析：解\n依据：据 & 法",
        "2. 题二",
        "A.甲 B.乙 C.丙",
        "答案：A,B",
        "解析：解",
        "依据：据",
        "3. 题三",
        "答案：错误",
        "解析：解",
        "依据：据",
    ];
    let dir = site();
    let (ok, err, _) = import(dir.path(), "t.docx", &docx(&doc), &[]);
    assert!(ok, "{err}");
    let got = questions(&loaded(dir.path()), "t");
    let kinds: Vec<QuestionType> = got.iter().map(|q| q.0).collect();
    assert_eq!(kinds, [QuestionType::Single, QuestionType::Multiple, QuestionType::Judge]);
    assert_eq!(got[0].5, "据 & 法");
}

#[test]
fn broken_documents_name_each_line_and_write_nothing() {
    let doc = [
        "一、单选题",
        "1. 只有一个选项",
        "A. 甲",
        "答案：A",
        "解析：解",
        "依据：据",
        "2. 答案没有的选项",
        "A. 甲 B. 乙",
        "答案：C",
        "解析：解",
        "依据：据",
        "二、判断题",
        "1. 判断题答错形式",
        "答案：B",
        "依据：据",
        "2. 没有答案",
        "解析：解",
        "依据：据",
    ];
    for (name, bytes) in [("坏.docx", docx(&doc)), ("坏.txt", doc.join("\n").into_bytes())] {
        let dir = site();
        let (ok, err, file) = import(dir.path(), name, &bytes, &[]);
        assert!(!ok, "{name}");
        let f = file.display();
        let want = [
            format!("{f}:3: 单选题至少要有 2 个选项，实际有 1 个"),
            format!("{f}:9: 答案 \"C\"：没有选项 C"),
            format!("{f}:13: 解析：未填写；题库格式要求每道题都写明解析和依据"),
            format!("{f}:14: 答案 \"B\"：判断题的答案应为 正确 或 错误（也可写 对/错、√/×）"),
            format!("{f}:16: 答案：未填写"),
            "共 5 个错误".to_string(),
            "有错误，未写入任何题目。".to_string(),
        ];
        assert_eq!(
            err.lines().collect::<Vec<_>>(),
            want.iter().map(String::as_str).collect::<Vec<_>>(),
            "{name}: {err}"
        );
        assert!(fs::read_dir(dir.path().join("quizzes/banks")).unwrap().next().is_none());
    }
    let dir = site();
    let (ok, err, file) = import(dir.path(), "x.docx", b"not a zip", &[]);
    assert!(!ok);
    assert!(err.starts_with(&format!("{}: 不是可读取的 Word 文档（.docx）", file.display())), "{err}");
    let (ok, err, file) = import(dir.path(), "x.pdf", b"%PDF", &[]);
    assert!(!ok);
    assert!(err.contains(&format!("{}：不支持的文件类型", file.display())), "{err}");
}

/// Import → `pufa check` passes → the competition drawing from the bank starts an attempt, and the imported
/// answer key grades the right answers as full marks.
#[tokio::test]
async fn imported_questions_can_be_drawn_answered_and_graded() {
    let dir = site();
    let comp = [
        "id: daoru",
        "title: 导入题竞赛",
        "opens: 2026-01-01T00:00:00+08:00",
        "closes: 2030-12-31T23:59:59+08:00",
        "time_limit: 10m",
        "attempts: 1",
        "draw:",
        "  - {bank: shiti, type: single, count: 1, points: 25}",
        "  - {bank: shiti, type: multiple, count: 1, points: 25}",
        "  - {bank: shiti, type: judge, count: 2, points: 25}",
        "pass_score: 60",
        "shuffle_options: true",
    ]
    .join("\n");
    fs::create_dir_all(dir.path().join("quizzes/competitions")).unwrap();
    fs::write(dir.path().join("quizzes/competitions/daoru.yaml"), comp).unwrap();
    let source = dir.path().to_str().unwrap();
    let (ok, _) = run_pufa(&["check", "--source", source], &[]);
    assert!(!ok, "the competition's bank does not exist yet");

    let (ok, err, _) = import(dir.path(), "试题.docx", &docx(DOCUMENT), &["--bank", "shiti", "--title", "导入的题"]);
    assert!(ok, "{err}");
    let (ok, out) = run_pufa(&["check", "--source", source], &[]);
    assert!(ok, "{out}");

    let set = loaded(dir.path());
    let db = TestDb::sqlite();
    let store = Store::open(&db.url).await.unwrap();
    let now = Arc::new(Mutex::new(t0()));
    let hand = now.clone();
    let state = AppState::new(set.clone(), store)
        .with_admin_token(TOKEN)
        .with_clock(Clock::from_fn(move || *hand.lock().unwrap()));
    let t = TestApp { app: app(state.clone()), state, now, set, db };
    let (status, started) = t.start("daoru", "张三", "school-a", "初一(2)班").await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    assert_eq!(started["questions"].as_array().unwrap().len(), 4);
    let answers = correct_answers(&t.set, &started["questions"]);
    let (status, result) = t.submit(started["attempt"].as_str().unwrap(), answers).await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["score"], 100, "{result}");
}

/// Files saved by other programs' libraries (openpyxl, python-docx; see tests/fixtures/import/make.py): shared
/// strings, a boolean cell as a judge answer, a number as 编号, a title row; styles, a heading, a tab between
/// options, a bold run and a line break inside a paragraph.
#[test]
fn files_saved_by_openpyxl_and_python_docx_import() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import");
    let dir = site();
    let (ok, err, _) =
        import(dir.path(), "a.xlsx", &fs::read(fixtures.join("openpyxl.xlsx")).unwrap(), &["--bank", "py"]);
    assert!(ok, "{err}");
    let set = loaded(dir.path());
    let bank = &set.banks["py"];
    let got: Vec<(&str, QuestionType, &[usize])> =
        bank.questions.iter().map(|q| (q.id.as_str(), q.kind, q.answer.as_slice())).collect();
    assert_eq!(got[0], ("py1", QuestionType::Single, &[0][..]));
    assert_eq!(got[1], ("py2", QuestionType::Multiple, &[0, 1, 2][..]));
    assert_eq!((got[2].1, got[2].2), (QuestionType::Judge, &[0][..]));
    assert_eq!(got[3].0, "3");
    assert_eq!(bank.questions[0].tags, ["宪法", "国家"]);

    let (ok, err, _) =
        import(dir.path(), "b.docx", &fs::read(fixtures.join("python-docx.docx")).unwrap(), &["--bank", "pd"]);
    assert!(ok, "{err}");
    let got = questions(&loaded(dir.path()), "pd");
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].2, ["集中力量进行社会主义现代化建设", "发展经济"]);
    assert_eq!(got[0].5, "《中华人民共和国宪法》序言 & 总纲");
    assert_eq!((got[1].0, got[1].3.as_slice()), (QuestionType::Judge, &[0][..]));
}
