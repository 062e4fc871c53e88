//! `pufa import organizations` (issue 11): a sheet of schools and enterprises merged into
//! quizzes/organizations.yaml: existing ids stay, new ones come from the name's pinyin and are unique, mistakes name
//! their cell in Chinese and leave the file as it was.

use std::fs;

use crate::common::{copy_dir, fixture_dir, run_pufa};

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture_dir(), &dir.path().join("quizzes"));
    fs::create_dir_all(dir.path().join("content")).unwrap();
    fs::write(dir.path().join("content/_index.md"), "---\ntitle: 首页\n---\n").unwrap();
    dir
}

fn import(dir: &tempfile::TempDir, file: &str) -> (bool, String) {
    let path = dir.path().join(file);
    run_pufa(&["import", "organizations", path.to_str().unwrap(), "--source", dir.path().to_str().unwrap()], &[])
}

#[test]
fn a_sheet_is_merged_keeping_ids_and_naming_new_ones_by_pinyin() {
    let dir = site();
    let csv = "\u{feff}名称,类型,乡镇,人数\n城关第一中学,学校,城关镇,120\n新华镇中心小学,学校,新华镇,300\n\
               清河县自来水公司,企业,城关镇,80\nfirm a,企业,城关镇,5\n";
    fs::write(dir.path().join("单位.csv"), csv).unwrap();
    let (ok, out) = import(&dir, "单位.csv");
    assert!(ok, "{out}");
    assert!(out.contains("读入 4 个单位：新增 3 个，更新 1 个；organizations.yaml 现有 7 个单位"), "{out}");
    let (set, diags) = pufa::quiz::load(&dir.path().join("quizzes"));
    assert!(!diags.has_errors(), "{diags}");
    let by_name = |n: &str| set.organizations.iter().find(|o| o.name == n).unwrap().clone();
    let kept = by_name("城关第一中学");
    assert_eq!((kept.id.as_str(), kept.headcount), ("school-a", 120), "an existing organization keeps its id");
    assert_eq!(by_name("新华镇中心小学").id, "xinhuazhenzhongxinxiaoxue");
    assert_eq!(by_name("清河县自来水公司").kind, pufa::quiz::OrgKind::Enterprise);
    assert_eq!(by_name("firm a").id, "firm-a-2", "firm-a is taken");
    let (ok, out) = run_pufa(&["check", "--source", dir.path().to_str().unwrap()], &[]);
    assert!(ok, "{out}");
    // Again: nothing new, nothing changed.
    let (ok, out) = import(&dir, "单位.csv");
    assert!(ok && out.contains("新增 0 个，更新 0 个"), "{out}");
}

#[test]
fn mistakes_name_their_cell_and_change_nothing() {
    let dir = site();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("名单").unwrap();
    for (r, row) in [
        ["名称", "类型", "乡镇", "人数"],
        ["甲小学", "机构", "城关镇", "10"],
        ["乙公司", "企业", "城关镇", "很多"],
        ["", "学校", "城关镇", "3"],
    ]
    .iter()
    .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    fs::write(dir.path().join("单位.xlsx"), book.save_to_buffer().unwrap()).unwrap();
    let before = fs::read(dir.path().join("quizzes/organizations.yaml")).unwrap();
    let (ok, out) = import(&dir, "单位.xlsx");
    assert!(!ok);
    for want in [
        "单位.xlsx:名单!B2: 类型 \"机构\"：应为 学校、企业 或 其他",
        "名单!D3: 人数 \"很多\"：应为不小于 1 的整数",
        "名单!A4: 名称",
    ] {
        assert!(out.contains(want), "{want} missing from\n{out}");
    }
    assert_eq!(fs::read(dir.path().join("quizzes/organizations.yaml")).unwrap(), before, "nothing written");
    fs::write(dir.path().join("x.txt"), "名称\n").unwrap();
    let (ok, out) = import(&dir, "x.txt");
    assert!(!ok && out.contains("只能导入 .xlsx、.xls 或 .csv 表格"), "{out}");
}
