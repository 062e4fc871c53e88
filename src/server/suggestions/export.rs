//! The suggestions as an XLSX workbook, in the competition report's style (`server::report`): 意见明细 (every
//! suggestion, contact included: the file is the organizer's), 问题清单 (what is handed over and open, by unit and
//! due date, overdue marked) and 按责任单位 (open and overdue per unit, with a total). Text cells are typed strings,
//! so a suggestion starting with `=` stays text.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::Workbook;

use super::views::{self, status_label, status_of};
use crate::i18n::{t, Lang};
use crate::server::report::{sheet, Cell, Formats};
use crate::server::{ApiError, AppState};
use crate::store::suggestions::{Status, SuggestionRow};

const DETAIL: [&str; 12] = [
    "ticket",
    "created_at",
    "category",
    "town",
    "text",
    "contact",
    "public_ok",
    "status",
    "unit",
    "due",
    "overdue",
    "reply",
];
const PROBLEMS: [&str; 7] = ["unit", "due", "ticket", "category", "town", "text", "overdue"];
const UNITS: [&str; 3] = ["unit", "open", "overdue"];

fn headers(lang: Lang, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t(lang, &format!("suggest.col.{k}")).to_string()).collect()
}

fn text(s: Option<&str>) -> Cell {
    s.filter(|s| !s.is_empty()).map_or(Cell::Empty, |s| Cell::Text(s.to_string()))
}

fn yes_no(lang: Lang, b: bool) -> Cell {
    Cell::Text(t(lang, if b { "export.yes" } else { "export.no" }).to_string())
}

fn detail_row(state: &AppState, r: &SuggestionRow, late: bool) -> Vec<Cell> {
    let lang = state.lang;
    vec![
        Cell::Text(r.ticket.clone()),
        Cell::Time(views::local(state, r.created_at)),
        Cell::Text(r.category.clone()),
        text(r.town.as_deref()),
        Cell::Text(r.body.clone()),
        text(r.contact.as_deref()),
        yes_no(lang, r.public_ok),
        Cell::Text(status_label(lang, status_of(r))),
        text(r.unit.as_deref()),
        r.due_at.map_or(Cell::Empty, |d| Cell::Text(views::due_day(state, d))),
        yes_no(lang, late),
        text(r.reply.as_deref()),
    ]
}

/// The whole workbook.
pub async fn workbook(state: &AppState) -> Result<Vec<u8>, ApiError> {
    let lang = state.lang;
    let now = state.clock.now();
    let rows = state.store.suggestions().await?;
    let detail: Vec<Vec<Cell>> = rows.iter().map(|r| detail_row(state, r, views::overdue(r, now))).collect();
    let mut open: Vec<&SuggestionRow> = rows.iter().filter(|r| status_of(r) == Status::Assigned).collect();
    open.sort_by(|a, b| (&a.unit, a.due_at, &a.ticket).cmp(&(&b.unit, b.due_at, &b.ticket)));
    let problems: Vec<Vec<Cell>> = open
        .iter()
        .map(|r| {
            vec![
                text(r.unit.as_deref()),
                r.due_at.map_or(Cell::Empty, |d| Cell::Text(views::due_day(state, d))),
                Cell::Text(r.ticket.clone()),
                Cell::Text(r.category.clone()),
                text(r.town.as_deref()),
                Cell::Text(r.body.clone()),
                yes_no(lang, views::overdue(r, now)),
            ]
        })
        .collect();
    let figures = views::units(&rows, now);
    let mut units: Vec<Vec<Cell>> = figures
        .iter()
        .map(|u| vec![Cell::Text(u.unit.clone()), Cell::Int(u.open.into()), Cell::Int(u.overdue.into())])
        .collect();
    let (all_open, all_late) =
        figures.iter().fold((0i64, 0i64), |(o, l), u| (o + i64::from(u.open), l + i64::from(u.overdue)));
    units.push(vec![Cell::Text(t(lang, "suggest.total").to_string()), Cell::Int(all_open), Cell::Int(all_late)]);
    let sheets = [
        ("detail", headers(lang, &DETAIL), detail, false),
        ("problems", headers(lang, &PROBLEMS), problems, false),
        ("units", headers(lang, &UNITS), units, true),
    ];
    let formats = Formats::new();
    let mut book = Workbook::new();
    for (name, header, rows, total_last) in &sheets {
        let ws = book.add_worksheet();
        ws.set_name(t(lang, &format!("suggest.sheet.{name}"))).map_err(ApiError::internal)?;
        sheet(ws, &formats, header, rows, *total_last).map_err(ApiError::internal)?;
    }
    book.save_to_buffer().map_err(ApiError::internal)
}

/// The workbook as a download, never cached.
pub fn download(body: Vec<u8>) -> Response {
    let kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let mut resp = ([(header::CONTENT_TYPE, kind)], body).into_response();
    let disposition = HeaderValue::from_static("attachment; filename=\"suggestions.xlsx\"");
    resp.headers_mut().insert(header::CONTENT_DISPOSITION, disposition);
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}
