//! The exports. Issue 10: the XLSX export writes participant text as typed string cells, which a spreadsheet never evaluates,
//! so they read back exactly as entered, without the `'` that the CSV export puts before formula-like text.

use crate::common;

use std::io::Cursor;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use calamine::{Data, DataType, Reader, Xlsx};
use common::*;
use serde_json::json;

// Names need a letter (issue 10); each still starts like a formula.
const NAMES: [&str; 4] = ["=1+1张", "+86 李", "-2王", "@SUM(A1)"];

async fn export(t: &TestApp, ext: &str) -> Vec<u8> {
    let req = Request::get(format!("/api/competitions/open/results.{ext}"))
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = t.raw(req).await;
    assert_eq!(status, StatusCode::OK);
    body
}

#[tokio::test]
async fn xlsx_text_cells_are_strings_as_entered_and_csv_keeps_its_quote() {
    each_backend(|t| async move {
        for name in NAMES {
            let (_, s) = t.start("open", name, "school-a", "=A1").await;
            t.submit(s["attempt"].as_str().unwrap(), json!({})).await;
        }
        let mut book = Xlsx::new(Cursor::new(export(&t, "xlsx").await)).unwrap();
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        let header: Vec<String> = sheet.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
        let (name_col, group_col, score_col) = (
            header.iter().position(|h| h == "姓名").unwrap(),
            header.iter().position(|h| h == "班级/部门").unwrap(),
            header.iter().position(|h| h == "得分").unwrap(),
        );
        let rows: Vec<&[Data]> = sheet.rows().skip(1).collect();
        assert_eq!(rows.len(), NAMES.len());
        let mut names: Vec<&Data> = rows.iter().map(|r| &r[name_col]).collect();
        names.sort_by_key(|d| d.to_string());
        let mut expected: Vec<Data> = NAMES.iter().map(|n| Data::String(n.to_string())).collect();
        expected.sort_by_key(|d| d.to_string());
        assert_eq!(names, expected.iter().collect::<Vec<_>>(), "typed strings, exactly as entered");
        for r in &rows {
            assert_eq!(r[group_col], Data::String("=A1".into()));
            assert!(matches!(r[score_col], Data::Float(_)), "a score stays a number: {:?}", r[score_col]);
        }

        let csv = export(&t, "csv").await;
        let mut reader = csv::Reader::from_reader(&csv[3..]);
        let col = reader.headers().unwrap().iter().position(|h| h == "姓名").unwrap();
        let mut names: Vec<String> = reader.records().map(|r| r.unwrap()[col].to_string()).collect();
        names.sort();
        let mut quoted: Vec<String> = NAMES.iter().map(|n| format!("'{n}")).collect();
        quoted.sort();
        assert_eq!(names, quoted, "the CSV export keeps the quote before formula-like text");
    })
    .await;
}

fn sheet_xml(xlsx: &[u8], n: usize) -> String {
    let mut package = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut file = package.by_name(&format!("xl/worksheets/sheet{n}.xml")).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut file, &mut xml).unwrap();
    xml
}

fn column(header: &[Data], name: &str) -> usize {
    header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

// Issue 17: the XLSX export is a report an officer can send upward.
#[tokio::test]
async fn the_xlsx_report_has_named_sheets_real_cells_and_a_frozen_filtered_header() {
    each_backend(|t| async move {
        // 城关镇: three at school-a (full marks, half, nothing right), one at firm-a; 新华镇 and 山区乡 take no part.
        let people =
            [("张三", "school-a", 1.0), ("李四", "school-a", 0.5), ("王五", "school-a", 0.0), ("赵六", "firm-a", 1.0)];
        for (name, org, share) in people {
            let (_, s) = t.start("open", name, org, "1班").await;
            let ids = ids(&s["questions"]);
            let right: Vec<&str> = ids.iter().take((ids.len() as f64 * share) as usize).map(String::as_str).collect();
            let answers = answers_with(&t.set, &s["questions"], &right);
            t.advance(chrono::Duration::seconds(90));
            t.submit(s["attempt"].as_str().unwrap(), answers).await;
        }
        let xlsx = export(&t, "xlsx").await;
        let mut book = Xlsx::new(Cursor::new(xlsx.clone())).unwrap();
        assert_eq!(book.sheet_names(), ["明细", "按单位", "按乡镇", "易错题", "题目分析", "各单位题目分析"]);

        let detail = book.worksheet_range("明细").unwrap();
        let rows: Vec<&[Data]> = detail.rows().collect();
        assert_eq!(rows.len(), 1 + people.len());
        let started = column(rows[0], "开始时间");
        let first = rows[1..].iter().map(|r| r[started].as_datetime().unwrap()).min().unwrap();
        assert_eq!(first.to_string(), "2026-06-01 16:00:00", "a real date-time, in the competition's time zone");
        for r in &rows[1..] {
            assert!(r[column(rows[0], "提交时间")].is_datetime());
            assert_eq!(r[column(rows[0], "用时（秒）")], Data::Float(90.0));
        }

        let orgs = book.worksheet_range("按单位").unwrap();
        let rows: Vec<&[Data]> = orgs.rows().collect();
        let (rank, name, rate, participants) = (
            column(rows[0], "名次"),
            column(rows[0], "学校/单位"),
            column(rows[0], "参与率"),
            column(rows[0], "参与人数"),
        );
        assert_eq!(rows.len(), 1 + 4, "every admitted organization, also those without participants");
        assert_eq!((rows[1][name].to_string(), rows[1][rank].clone()), ("县建筑有限公司".into(), Data::Float(1.0)));
        assert_eq!((rows[2][name].to_string(), rows[2][rank].clone()), ("城关第一中学".into(), Data::Float(2.0)));
        assert_eq!(rows[2][participants], Data::Float(3.0));
        assert_eq!(rows[2][rate], Data::Float(0.03), "a share, formatted as a percentage, not the text 3.0%");
        assert_eq!(
            (rows[3][rank].clone(), rows[4][rank].clone()),
            (Data::Empty, Data::Empty),
            "no participants, no rank"
        );

        let towns = book.worksheet_range("按乡镇").unwrap();
        let rows: Vec<&[Data]> = towns.rows().collect();
        let last = rows.last().unwrap();
        assert_eq!(last[0].to_string(), "合计");
        assert_eq!(last[column(rows[0], "应参与人数")], Data::Float(180.0));
        assert_eq!(last[column(rows[0], "参与人数")], Data::Float(4.0));
        let chengguan = rows.iter().find(|r| r[0] == "城关镇").unwrap();
        assert_eq!(chengguan[column(rows[0], "单位数")], Data::Float(2.0));
        assert_eq!(chengguan[column(rows[0], "参与率")], Data::Float(4.0 / 120.0));

        let questions = book.worksheet_range("易错题").unwrap();
        let rows: Vec<&[Data]> = questions.rows().collect();
        assert!(rows.len() > 1, "some questions were missed");
        let missed = column(rows[0], "错误率");
        let rates: Vec<f64> = rows[1..].iter().map(|r| r[missed].as_f64().unwrap()).collect();
        assert!(rates.windows(2).all(|w| w[0] >= w[1]) && rates.iter().all(|r| *r > 0.0 && *r <= 1.0), "{rates:?}");
        assert!(rows[1..].iter().all(|r| !r[column(rows[0], "题干")].to_string().is_empty()));

        for n in 1..=4 {
            let xml = sheet_xml(&xlsx, n);
            assert!(xml.contains(r#"ySplit="1""#) && xml.contains(r#"state="frozen""#), "sheet {n}: header frozen");
            assert!(xml.contains("<autoFilter ref=\"A1:"), "sheet {n}: filters on the header");
            assert!(xml.contains("<cols>") && xml.contains("customWidth=\"1\""), "sheet {n}: column widths set");
        }
        let mut package = zip::ZipArchive::new(Cursor::new(&xlsx[..])).unwrap();
        let mut styles = String::new();
        std::io::Read::read_to_string(&mut package.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
        assert!(styles.contains("<b/>"), "a bold font for the header");
    })
    .await;
}
