//! The XLSX report an officer sends upward: 明细 (every attempt), 按单位, 按乡镇 and 易错题, each sheet with a bold
//! frozen header, filters, columns as wide as their content, and real numbers, percentages and date-times. The
//! figures are the organizer dashboard's (`board`, `summary`), so the report and the page never disagree.

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use unicode_width::UnicodeWidthStr;

use super::{board, flow, summary, ApiError, AppState};
use crate::i18n::{t, Lang};
use crate::quiz::Competition;
use crate::server::pages::view;
use crate::store::AttemptRow;

/// One cell, typed, so that a spreadsheet can sort, sum and filter it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Shown as typed; a string cell is never evaluated, so `=1+1` stays text.
    Text(String),
    Int(i64),
    /// A number shown with `decimals` digits after the point.
    Number(f64, usize),
    /// A share, shown as a percentage with one decimal.
    Percent(f64),
    /// A moment, in the competition's time zone.
    Time(DateTime<FixedOffset>),
    Empty,
}

impl Cell {
    /// The cell as text, for CSV.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Number(x, d) => format!("{x:.d$}"),
            Cell::Percent(x) => format!("{:.1}%", x * 100.0),
            Cell::Time(at) => at.format("%Y-%m-%d %H:%M:%S").to_string(),
            Cell::Empty => String::new(),
        }
    }

    fn width(&self) -> usize {
        match self {
            Cell::Time(_) => 19,
            other => other.text().width(),
        }
    }
}

/// Column keys of the detail sheet and the CSV export, in order (headers come from i18n `export.<key>`).
pub const DETAIL_COLUMNS: [&str; 16] = [
    "attempt",
    "organization_id",
    "organization",
    "kind",
    "town",
    "name",
    "group",
    "number",
    "started_at",
    "submitted_at",
    "score",
    "max_score",
    "passed",
    "duration_seconds",
    "counted",
    "leaves",
];

fn headers(lang: Lang, prefix: &str, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t(lang, &format!("{prefix}.{k}")).to_string()).collect()
}

pub fn detail_headers(lang: Lang) -> Vec<String> {
    headers(lang, "export", &DETAIL_COLUMNS)
}

/// The ids of the attempts that rank (`board::counted`: each participant's best or latest, issue 12).
pub async fn counted_ids(state: &AppState, comp: &Competition) -> Result<HashSet<String>, ApiError> {
    let rows = state.store.standings(&comp.id).await?;
    Ok(board::counted(comp.campaign.score, &rows).into_iter().map(|s| s.id.clone()).collect())
}

/// One attempt as the detail sheet and the CSV export show it; `counted`: whether it is the one that ranks.
pub fn detail_row(state: &AppState, comp: &Competition, r: &AttemptRow, counted: bool, lang: Lang) -> Vec<Cell> {
    let yes_no = |b: bool| Cell::Text(t(lang, if b { "export.yes" } else { "export.no" }).to_string());
    let quizzes = state.quizzes();
    let org = quizzes.organization(&r.organization);
    let time = |ms: i64| Cell::Time(flow::from_millis(ms).with_timezone(comp.opens.offset()));
    let text = |s: &str| if s.is_empty() { Cell::Empty } else { Cell::Text(s.to_string()) };
    vec![
        Cell::Text(r.id.clone()),
        Cell::Text(r.organization.clone()),
        org.map_or(Cell::Empty, |o| text(&o.name)),
        org.map_or(Cell::Empty, |o| Cell::Text(view::kind_name(lang, o.kind).to_string())),
        org.map_or(Cell::Empty, |o| text(&o.town)),
        Cell::Text(r.name.clone()),
        Cell::Text(r.grp.clone()),
        Cell::Int(r.number),
        time(r.started_at),
        r.submitted_at.map_or(Cell::Empty, time),
        r.score.map_or(Cell::Empty, Cell::Int),
        Cell::Int(r.max_score),
        r.passed.map_or(Cell::Empty, yes_no),
        r.duration_ms.map_or(Cell::Empty, |d| Cell::Number(d as f64 / 1000.0, 1)),
        if r.submitted_at.is_some() { yes_no(counted) } else { Cell::Empty },
        Cell::Int(r.leaves),
    ]
}

/// The organizations in ranking order, numbered as the ranking page numbers them: those with participants come
/// first (`board::ranking_order`) and are ranked by place; those without have no rank.
fn organization_rows(lang: Lang, board: &board::Leaderboard) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    for (i, o) in board.organizations.iter().enumerate() {
        let some = o.participants > 0;
        rows.push(vec![
            if some { Cell::Int(i as i64 + 1) } else { Cell::Empty },
            Cell::Text(o.name.clone()),
            Cell::Text(view::kind_name(lang, o.kind).to_string()),
            if o.town.is_empty() { Cell::Empty } else { Cell::Text(o.town.clone()) },
            Cell::Int(o.headcount.into()),
            Cell::Int(o.participants.into()),
            if o.headcount > 0 { Cell::Percent(o.participation_rate) } else { Cell::Empty },
            if some { Cell::Number(o.average_score, 2) } else { Cell::Empty },
            if some { Cell::Percent(o.pass_rate) } else { Cell::Empty },
            if some { Cell::Int(o.top_score.into()) } else { Cell::Empty },
        ]);
    }
    rows
}

fn town_rows(lang: Lang, towns: &[summary::Town]) -> Vec<Vec<Cell>> {
    let or_empty = |v: Option<f64>, cell: fn(f64) -> Cell| v.map_or(Cell::Empty, cell);
    towns
        .iter()
        .map(|town| {
            vec![
                Cell::Text(town.label(lang)),
                Cell::Int(town.organizations.into()),
                Cell::Int(town.headcount.into()),
                Cell::Int(town.participants.into()),
                or_empty(town.participation_rate(), Cell::Percent),
                or_empty(town.average, |a| Cell::Number(a, 2)),
                or_empty(town.pass_rate, Cell::Percent),
            ]
        })
        .collect()
}

fn question_rows(state: &AppState, lang: Lang, stats: Vec<crate::store::QuestionStat>) -> Vec<Vec<Cell>> {
    summary::most_missed(stats)
        .iter()
        .filter_map(|s| {
            let quizzes = state.quizzes();
            let q = quizzes.question(&s.question)?;
            Some(vec![
                Cell::Text(q.id.clone()),
                Cell::Text(view::kind_label(lang, q.kind).to_string()),
                Cell::Text(q.stem.clone()),
                Cell::Text(summary::correct_answer(lang, q)),
                Cell::Int(s.answered),
                Cell::Int(s.missed),
                Cell::Percent(s.missed as f64 / s.answered as f64),
            ])
        })
        .collect()
}

/// Formats shared by the sheets of one workbook.
pub(crate) struct Formats {
    header: Format,
    total: Format,
    wrap: Format,
    time: Format,
    percent: Format,
    decimals: [Format; 3],
}

impl Formats {
    pub(crate) fn new() -> Formats {
        let decimals = ["0", "0.0", "0.00"].map(|f| Format::new().set_num_format(f));
        Formats {
            header: Format::new().set_bold().set_background_color("#E8EEF4").set_border_bottom(Default::default()),
            total: Format::new().set_bold(),
            wrap: Format::new().set_text_wrap().set_align(rust_xlsxwriter::FormatAlign::Top),
            time: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            percent: Format::new().set_num_format("0.0%"),
            decimals,
        }
    }
}

/// The widest a column grows, in characters: longer text wraps in the cell rather than widening the sheet.
const MAX_WIDTH: usize = 60;

/// Writes one sheet: the header, frozen, bold and filtered, then the rows (`total_last`: the last row is bold).
pub(crate) fn sheet(
    sheet: &mut Worksheet,
    f: &Formats,
    header: &[String],
    rows: &[Vec<Cell>],
    total_last: bool,
) -> Result<(), XlsxError> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, h, &f.header)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        let bold = total_last && i + 1 == rows.len();
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            widths[c] = widths[c].max(cell.width());
            match cell {
                Cell::Text(s) if bold => sheet.write_string_with_format(r, col, s, &f.total)?,
                Cell::Text(s) if s.width() > MAX_WIDTH => sheet.write_string_with_format(r, col, s, &f.wrap)?,
                Cell::Text(s) => sheet.write_string(r, col, s)?,
                Cell::Int(n) => sheet.write_number_with_format(r, col, *n as f64, &f.decimals[0])?,
                Cell::Number(x, d) => sheet.write_number_with_format(r, col, *x, &f.decimals[(*d).min(2)])?,
                Cell::Percent(x) => sheet.write_number_with_format(r, col, *x, &f.percent)?,
                Cell::Time(at) => {
                    let local = ExcelDateTime::from_timestamp(at.naive_local().and_utc().timestamp())?;
                    sheet.write_datetime_with_format(r, col, local, &f.time)?
                }
                Cell::Empty => sheet,
            };
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, (*w).clamp(4, MAX_WIDTH) as f64 + 2.0)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let last_row = rows.len().saturating_sub(usize::from(total_last)) as u32;
    sheet.autofilter(0, 0, last_row, header.len().saturating_sub(1) as u16)?;
    sheet.set_repeat_rows(0, 0)?;
    sheet.set_landscape();
    Ok(())
}

/// The whole report of one competition.
pub async fn results_xlsx(state: &AppState, comp_id: &str) -> Result<Vec<u8>, ApiError> {
    let quizzes = state.quizzes();
    let comp = flow::competition(&quizzes, comp_id)?;
    let lang = state.lang;
    let attempts = state.store.attempts(comp_id).await?;
    let board = board::leaderboard(state, comp_id).await?;
    let stats = state.store.question_stats(comp_id).await?;
    let counted = counted_ids(state, comp).await?;
    let detail: Vec<Vec<Cell>> =
        attempts.iter().map(|r| detail_row(state, comp, r, counted.contains(&r.id), lang)).collect();
    let items = super::items::analyse(state, comp_id, None).await?;
    let by_org = super::items::by_organization(state, comp_id).await?;
    let sheets = [
        ("detail", detail_headers(lang), detail, false),
        ("organizations", headers(lang, "report.org", &ORG_COLUMNS), organization_rows(lang, &board), false),
        (
            "towns",
            headers(lang, "report.town", &TOWN_COLUMNS),
            town_rows(lang, &summary::towns(&board.organizations)),
            true,
        ),
        ("questions", headers(lang, "report.question", &QUESTION_COLUMNS), question_rows(state, lang, stats), false),
        ("items", headers(lang, "report.item", &super::items::COLUMNS), super::items::rows(state, &items), false),
        (
            "items_by_org",
            headers(lang, "report.item_org", &super::items::ORG_COLUMNS),
            super::items::org_rows(state, &by_org),
            false,
        ),
    ];
    book(lang, &sheets)
}

/// One sheet of a workbook: `report.sheet.<name>`, the header, the rows, whether the last row is a bold total.
pub(crate) type Sheet<'a> = (&'a str, Vec<String>, Vec<Vec<Cell>>, bool);

/// A workbook of sheets, their names in `lang`.
pub(crate) fn book(lang: Lang, sheets: &[Sheet]) -> Result<Vec<u8>, ApiError> {
    let formats = Formats::new();
    let mut book = Workbook::new();
    for (name, header, rows, total_last) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(t(lang, &format!("report.sheet.{name}"))).map_err(ApiError::internal)?;
        sheet(ws, &formats, header, rows, *total_last).map_err(ApiError::internal)?;
    }
    book.save_to_buffer().map_err(ApiError::internal)
}

/// Rows as CSV: UTF-8 with BOM so Excel reads Chinese correctly, text made safe from formulas.
pub(crate) fn csv(header: &[String], rows: &[Vec<Cell>]) -> Result<Vec<u8>, ApiError> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(header).map_err(ApiError::internal)?;
    for row in rows {
        // Every record as wide as the header: a short row (a mean under its options) ends in empty cells.
        let cells = row.iter().map(|c| super::admin::safe_cell(&c.text()).into_owned());
        let pad = header.len().saturating_sub(row.len());
        w.write_record(cells.chain(std::iter::repeat_n(String::new(), pad))).map_err(ApiError::internal)?;
    }
    w.into_inner().map_err(ApiError::internal)
}

const ORG_COLUMNS: [&str; 10] =
    ["rank", "name", "kind", "town", "headcount", "participants", "rate", "average", "pass_rate", "top_score"];
const TOWN_COLUMNS: [&str; 7] = ["name", "organizations", "headcount", "participants", "rate", "average", "pass_rate"];
const QUESTION_COLUMNS: [&str; 7] = ["id", "kind", "stem", "answer", "answered", "missed", "missed_rate"];
