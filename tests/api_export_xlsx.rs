//! Issue 10: the XLSX export writes participant text as typed string cells, which a spreadsheet never evaluates,
//! so they read back exactly as entered, without the `'` that the CSV export puts before formula-like text.

mod common;

use std::io::Cursor;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use calamine::{Data, Reader, Xlsx};
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
