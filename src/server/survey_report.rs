//! A survey's exports for the organizer: every response (one row each, one column per question) and the summary
//! (per question and option, per town, per organization), as CSV and as one XLSX workbook.

use chrono::DateTime;

use super::report::{self, Cell};
use super::surveys::summarize;
use super::{ApiError, AppState};
use crate::i18n::{t, Lang};
use crate::quiz::survey::{summary::Group, summary::Summary, Answer, Response, Survey, SurveyQuestionType};
use crate::store::SurveyResponseRow;

/// Header and rows of every response, oldest first.
pub async fn responses(state: &AppState, s: &Survey) -> Result<(Vec<String>, Vec<Vec<Cell>>), ApiError> {
    let lang = state.lang;
    let mut header = vec![t(lang, "survey.col.receipt").to_string(), t(lang, "survey.col.time").to_string()];
    if s.ask_organization {
        header.push(t(lang, "report.org.name").to_string());
    }
    if s.ask_town {
        header.push(t(lang, "report.org.town").to_string());
    }
    if !s.anonymous {
        header.push(t(lang, "quiz.name").to_string());
    }
    header.extend(s.questions.iter().enumerate().map(|(i, q)| format!("{}. {}", i + 1, q.stem)));
    let rows = state.store.survey_responses(&s.id).await?;
    Ok((header, rows.iter().map(|r| response_row(state, s, r)).collect()))
}

fn response_row(state: &AppState, s: &Survey, r: &SurveyResponseRow) -> Vec<Cell> {
    let at = DateTime::from_timestamp_millis(r.submitted_at).unwrap_or_default().with_timezone(s.opens.offset());
    let mut row = vec![Cell::Text(r.id.clone()), Cell::Time(at)];
    let text = |v: &Option<String>| Cell::Text(v.clone().unwrap_or_default());
    if s.ask_organization {
        let quizzes = state.quizzes();
        let name = r.organization.as_deref().and_then(|o| quizzes.organization(o)).map(|o| o.name.clone());
        row.push(Cell::Text(name.or_else(|| r.organization.clone()).unwrap_or_default()));
    }
    if s.ask_town {
        row.push(text(&r.town));
    }
    if !s.anonymous {
        row.push(text(&r.name));
    }
    let answers: Response = serde_json::from_str(&r.answers).unwrap_or_default();
    for q in &s.questions {
        row.push(match answers.get(&q.id) {
            None => Cell::Empty,
            Some(Answer::Point(p)) => Cell::Int(i64::from(*p)),
            Some(Answer::Text(s)) => Cell::Text(s.clone()),
            Some(Answer::Letters(ls)) => Cell::Text(
                ls.iter()
                    .map(|l| {
                        let i = usize::from(l.as_bytes().first().map_or(0, |b| b.saturating_sub(b'A')));
                        format!("{l} {}", q.options.get(i).map_or("", String::as_str))
                    })
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
        });
    }
    row
}

/// Per question and option (or point): how many chose it and their share of those who answered; for a scale,
/// its mean and the share in the top two points.
fn question_rows(lang: Lang, s: &Survey, sum: &Summary) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    for (i, (q, qs)) in s.questions.iter().zip(&sum.questions).enumerate() {
        let n = qs.answered.max(1) as f64;
        let no = Cell::Int(i as i64 + 1);
        for (k, (key, count)) in qs.counts.iter().enumerate() {
            let label = match q.kind {
                SurveyQuestionType::Scale => match q.labels.get(k) {
                    Some(l) => format!("{key} {l}"),
                    None => key.clone(),
                },
                _ => format!("{key} {}", q.options.get(k).map_or("", String::as_str)),
            };
            let share = Cell::Percent(*count as f64 / n);
            rows.push(vec![no.clone(), Cell::Text(q.stem.clone()), Cell::Text(label), Cell::Int(*count as i64), share]);
        }
        if let (Some(mean), Some(share)) = (qs.mean, qs.satisfied_share) {
            let stem = Cell::Text(q.stem.clone());
            rows.push(vec![no.clone(), stem.clone(), Cell::Text(t(lang, "survey.mean").into()), Cell::Number(mean, 2)]);
            let top = Cell::Text(t(lang, "survey.satisfied").into());
            rows.push(vec![no.clone(), stem, top, Cell::Int(qs.answered as i64), Cell::Percent(share)]);
        }
        if q.kind == SurveyQuestionType::Text {
            let answered = Cell::Text(t(lang, "survey.answered").into());
            rows.push(vec![no, Cell::Text(q.stem.clone()), answered, Cell::Int(qs.answered as i64)]);
        }
    }
    rows
}

/// A town's or organization's row: name, responses, mean point, share in the top two points.
fn group_rows(groups: &[Group], name: impl Fn(&str) -> String) -> Vec<Vec<Cell>> {
    let or_empty = |x: Option<f64>, f: fn(f64) -> Cell| x.map_or(Cell::Empty, f);
    groups
        .iter()
        .map(|g| {
            vec![
                Cell::Text(name(&g.key)),
                Cell::Int(g.responses as i64),
                or_empty(g.index.mean, |m| Cell::Number(m, 2)),
                or_empty(g.index.satisfied_share, Cell::Percent),
            ]
        })
        .collect()
}

fn cols(lang: Lang, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t(lang, &format!("survey.col.{k}")).to_string()).collect()
}

/// Every response as CSV.
pub async fn responses_csv(state: &AppState, s: &Survey) -> Result<Vec<u8>, ApiError> {
    let (header, rows) = responses(state, s).await?;
    report::csv(&header, &rows)
}

/// The summary per question and option as CSV.
pub async fn summary_csv(state: &AppState, s: &Survey) -> Result<Vec<u8>, ApiError> {
    let sum = summarize(state, s, false).await?;
    report::csv(&cols(state.lang, &QUESTION_COLUMNS), &question_rows(state.lang, s, &sum))
}

/// Responses, summary, towns and organizations in one workbook.
pub async fn xlsx(state: &AppState, s: &Survey) -> Result<Vec<u8>, ApiError> {
    let lang = state.lang;
    let (header, rows) = responses(state, s).await?;
    let sum = summarize(state, s, false).await?;
    let org_name = |id: &str| state.quizzes().organization(id).map_or_else(|| id.to_string(), |o| o.name.clone());
    let mut town_header = cols(lang, &GROUP_COLUMNS);
    town_header[0] = t(lang, "report.org.town").to_string();
    let mut org_header = cols(lang, &GROUP_COLUMNS);
    org_header[0] = t(lang, "report.org.name").to_string();
    let sheets = [
        ("survey_responses", header, rows, false),
        ("survey_summary", cols(lang, &QUESTION_COLUMNS), question_rows(lang, s, &sum), false),
        ("towns", town_header, group_rows(&sum.by_town, str::to_string), false),
        ("organizations", org_header, group_rows(&sum.by_organization, org_name), false),
    ];
    report::book(lang, &sheets)
}

/// Safe in a file name: the id's ASCII letters, digits, `-` and `_`.
pub fn file_name(id: &str, what: &str, ext: &str) -> String {
    let id: String = id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    format!("survey-{id}-{what}.{ext}")
}

const QUESTION_COLUMNS: [&str; 5] = ["no", "stem", "choice", "count", "share"];
const GROUP_COLUMNS: [&str; 4] = ["group", "responses", "mean", "satisfied"];
