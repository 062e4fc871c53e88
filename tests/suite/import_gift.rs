//! `pufa import questions` from Moodle's GIFT format (issue 11): multiple choice, multiple answers, true/false,
//! comments, titles, categories and general feedback with its 依据 part; other GIFT types and a question without
//! a legal basis are refused at their line.

use pufa::quiz::QuestionType;

use crate::import_questions::{import, loaded, questions, site};

const GOOD: &str = r"// 从 Moodle 导出的题库
$CATEGORY: $course$/top/宪法

::xf-1::[html]我国的根本制度是（ ）。{
  =社会主义制度#对
  ~人民代表大会制度
  ~民族区域自治制度
  ####宪法第一条第二款。依据：《中华人民共和国宪法》第一条
}

::xf-2::公民的基本权利有（ ）。{
  ~%50%选举权
  ~%50%受教育权
  ~%-100%纳税
  ####纳税是义务。法律依据：《中华人民共和国宪法》第三十四条
}

// 判断题
公民在法律面前一律平等。{T####宪法第三十三条。依据：《中华人民共和国宪法》第三十三条}

未满十六周岁的人可以被招用为童工。{FALSE####禁止招用童工。依据：《未成年人保护法》第六十一条}

权利\{和\}义务\: 宪法规定公民有{=受教育 ~纳税减免 ####受教育既是权利也是义务。依据：宪法第四十六条}的权利和义务。
";

#[test]
fn a_moodle_export_becomes_a_bank() {
    let dir = site();
    let (ok, err, _) = import(dir.path(), "moodle.gift", GOOD.as_bytes(), &[]);
    assert!(ok, "{err}");
    assert!(err.contains("读取 5 道题：单选 2 道，多选 1 道，判断 2 道"), "{err}");
    let set = loaded(dir.path());
    let got = questions(&set, "moodle");
    let ids: Vec<&str> = set.banks["moodle"].questions.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids[..2], ["xf-1", "xf-2"]);
    assert_eq!(set.banks["moodle"].questions[0].tags, ["宪法"]);
    use QuestionType::*;
    assert_eq!(got[0].0, Single);
    assert_eq!(got[0].1, "我国的根本制度是（ ）。");
    assert_eq!(got[0].2, ["社会主义制度", "人民代表大会制度", "民族区域自治制度"]);
    assert_eq!(got[0].3, [0]);
    assert_eq!((got[0].4.as_str(), got[0].5.as_str()), ("宪法第一条第二款。", "《中华人民共和国宪法》第一条"));
    assert_eq!((got[1].0, got[1].3.as_slice()), (Multiple, &[0, 1][..]));
    assert_eq!(got[1].5, "《中华人民共和国宪法》第三十四条");
    assert_eq!((got[2].0, got[2].3.as_slice()), (Judge, &[0][..]));
    assert_eq!((got[3].0, got[3].3.as_slice()), (Judge, &[1][..]));
    assert_eq!(got[4].1, "权利{和}义务: 宪法规定公民有（ ）的权利和义务。");
    assert_eq!(got[4].2, ["受教育", "纳税减免"]);
}

#[test]
fn other_gift_types_and_a_missing_basis_are_refused_at_their_line() {
    let text = [
        "::essay:: 谈谈你对法治的理解。{}",
        "",
        "::num:: 宪法修改须经全国人大代表的几分之几通过？{#0.6667}",
        "",
        "::short:: 我国的根本法是什么？{=宪法 =中华人民共和国宪法}",
        "",
        "::match:: 配对。{=宪法 -> 根本法 =刑法 -> 基本法律 =规章 -> 部门}",
        "",
        "::nobasis:: 没有依据的题。{T####只有解析。}",
        "",
        "没有答案部分的题",
    ]
    .join("\n");
    let dir = site();
    let (ok, err, file) = import(dir.path(), "bad.gift", text.as_bytes(), &[]);
    assert!(!ok);
    let f = file.display();
    let want = [
        format!("{f}:1: GIFT：essay (问答) 题不能导入；只能导入选择题（单选、多选）和判断题"),
        format!("{f}:3: GIFT：numerical (数值) 题不能导入；只能导入选择题（单选、多选）和判断题"),
        format!("{f}:5: GIFT：short answer (填空) 题不能导入；只能导入选择题（单选、多选）和判断题"),
        format!("{f}:7: GIFT：matching (匹配) 题不能导入；只能导入选择题（单选、多选）和判断题"),
        format!("{f}:11: GIFT：题目文字后应有一个用花括号括起的答案部分，例如 {{=正确选项 ~错误选项}}"),
        "共 5 个错误".to_string(),
        "有错误，未写入任何题目。".to_string(),
    ];
    assert_eq!(err.lines().collect::<Vec<_>>(), want.iter().map(String::as_str).collect::<Vec<_>>(), "{err}");

    // Once the types are right, the question without 依据 is named by its line.
    let (ok, err, file) = import(dir.path(), "bad2.gift", "a\n\n::q:: 没有依据。{T####只有解析。}\n".as_bytes(), &[]);
    assert!(!ok);
    assert!(err.contains(&format!("{}:1: GIFT：题目文字后应有", file.display())), "{err}");
    let (ok, err, file) = import(dir.path(), "bad3.gift", "\n::q:: 没有依据。{T####只有解析。}\n".as_bytes(), &[]);
    assert!(!ok);
    let want = format!("{}:2: 依据：未填写；题库格式要求每道题都写明解析和依据", file.display());
    assert_eq!(err.lines().next(), Some(want.as_str()), "{err}");
}
