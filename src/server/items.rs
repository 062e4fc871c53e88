//! Which questions fail (issue 11): the item analysis of a competition (`quiz::items`) read from its submitted
//! attempts, and its rows for the organizer page and the XLSX report. Options are named by their text, since
//! their letters differ from one participant to the next when options are shuffled.

use serde::Serialize;

use super::report::Cell;
use super::{summary, ApiError, AppState};
use crate::i18n::{fill, t, Lang};
use crate::quiz::items::{self, Flag, ItemAnswer, ItemStat, Sitting};
use crate::quiz::{to_file_indices, Drawn, Grade, Question, QuestionType};
use crate::server::pages::view;

/// The analysis of the submitted attempts of `comp_id`, of one organization's when `org` is given; attempts whose
/// stored JSON does not read are left out.
pub async fn analyse(state: &AppState, comp_id: &str, org: Option<&str>) -> Result<Vec<ItemStat>, ApiError> {
    let sittings: Vec<Sitting> = sittings(state, comp_id)
        .await?
        .into_iter()
        .filter(|(o, _)| org.is_none_or(|org| org == o))
        .map(|(_, s)| s)
        .collect();
    Ok(items::analyse(&state.quizzes(), &sittings))
}

/// The analysis of each organization's attempts, for the organizations with any, in the ranking's order of ids.
pub async fn by_organization(state: &AppState, comp_id: &str) -> Result<Vec<(String, Vec<ItemStat>)>, ApiError> {
    let mut by_org: std::collections::BTreeMap<String, Vec<Sitting>> = Default::default();
    for (org, s) in sittings(state, comp_id).await? {
        by_org.entry(org).or_default().push(s);
    }
    let quizzes = state.quizzes();
    Ok(by_org.into_iter().map(|(org, list)| (org, items::analyse(&quizzes, &list))).collect())
}

/// Every submitted attempt of `comp_id` as its organization and what the analysis needs of it.
async fn sittings(state: &AppState, comp_id: &str) -> Result<Vec<(String, Sitting)>, ApiError> {
    let rows = state.store.submitted(comp_id).await?;
    let sittings = rows
        .iter()
        .filter_map(|r| {
            let drawn: Vec<Drawn> = serde_json::from_str(&r.drawn).ok()?;
            let grade: Grade = serde_json::from_str(r.grade.as_deref()?).ok()?;
            let answers = grade
                .results
                .iter()
                .map(|q| ItemAnswer {
                    question: q.id.clone(),
                    correct: q.correct,
                    chosen: drawn
                        .iter()
                        .find(|d| d.id == q.id)
                        .and_then(|d| to_file_indices(d, &q.given))
                        .unwrap_or_default(),
                })
                .collect();
            Some((r.organization.clone(), Sitting { score: r.score.unwrap_or(0), answers }))
        })
        .collect();
    Ok(sittings)
}

/// What the organizer page shows of one question.
#[derive(Debug, Serialize)]
pub struct ItemView {
    pub stem: String,
    pub kind_label: &'static str,
    pub answered: usize,
    pub facility: String,
    pub discrimination: String,
    /// "正确 12 · 错误 3" or "宪法 10 · 法律 2 …", the right options first marked with ✓.
    pub choices: String,
    /// The flags in words; empty when nothing looks wrong.
    pub notes: Vec<String>,
}

fn option_name(lang: Lang, q: &Question, o: usize) -> String {
    match q.kind {
        QuestionType::Judge => t(lang, if o == 0 { "quiz.judge.true" } else { "quiz.judge.false" }).to_string(),
        _ => q.options.get(o).cloned().unwrap_or_else(|| view::letter(o)),
    }
}

fn choices(lang: Lang, q: &Question, s: &ItemStat) -> String {
    let right = |o: usize| if q.answer.contains(&o) { "✓" } else { "" };
    let parts: Vec<String> =
        s.chosen.iter().enumerate().map(|(o, n)| format!("{}{} {n}", right(o), option_name(lang, q, o))).collect();
    parts.join(" · ")
}

fn notes(lang: Lang, q: &Question, s: &ItemStat) -> Vec<String> {
    s.flags
        .iter()
        .map(|f| match f {
            Flag::NegativeDiscrimination => t(lang, "items.negative").to_string(),
            Flag::UnusedDistractor { option } => {
                fill(t(lang, "items.unused"), &[("option", &option_name(lang, q, *option))])
            }
        })
        .collect()
}

fn two(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |d| format!("{d:.2}"))
}

/// Every analysed question still in the banks, flagged ones first, then by facility (hardest first).
pub fn views(state: &AppState, stats: &[ItemStat]) -> Vec<ItemView> {
    let lang = state.lang;
    let quizzes = state.quizzes();
    let mut list: Vec<(&ItemStat, &Question)> =
        stats.iter().filter_map(|s| quizzes.question(&s.question).map(|q| (s, q))).collect();
    list.sort_by(|a, b| a.0.flags.is_empty().cmp(&b.0.flags.is_empty()).then(a.0.facility.total_cmp(&b.0.facility)));
    list.into_iter()
        .map(|(s, q)| ItemView {
            stem: q.stem.clone(),
            kind_label: view::kind_label(lang, q.kind),
            answered: s.answered,
            facility: view::percent(s.correct as f64, s.answered as f64),
            discrimination: two(s.discrimination),
            choices: choices(lang, q, s),
            notes: notes(lang, q, s),
        })
        .collect()
}

/// The rows of the report's item-analysis sheet, in the order of `views`.
pub fn rows(state: &AppState, stats: &[ItemStat]) -> Vec<Vec<Cell>> {
    let lang = state.lang;
    let quizzes = state.quizzes();
    let mut list: Vec<(&ItemStat, &Question)> =
        stats.iter().filter_map(|s| quizzes.question(&s.question).map(|q| (s, q))).collect();
    list.sort_by(|a, b| a.0.question.cmp(&b.0.question));
    list.into_iter()
        .map(|(s, q)| {
            vec![
                Cell::Text(q.id.clone()),
                Cell::Text(view::kind_label(lang, q.kind).to_string()),
                Cell::Text(q.stem.clone()),
                Cell::Text(summary::correct_answer(lang, q)),
                Cell::Int(s.answered as i64),
                Cell::Percent(if s.answered > 0 { s.correct as f64 / s.answered as f64 } else { 0.0 }),
                s.discrimination.map_or(Cell::Empty, |d| Cell::Number(d, 2)),
                Cell::Text(choices(lang, q, s)),
                Cell::Text(notes(lang, q, s).join("；")),
            ]
        })
        .collect()
}

/// Column keys of the sheet (headers from i18n `report.item.<key>`).
pub const COLUMNS: [&str; 9] =
    ["id", "kind", "stem", "answer", "answered", "facility", "discrimination", "choices", "notes"];

/// Column keys of the per-organization sheet (headers from i18n `report.item_org.<key>`).
pub const ORG_COLUMNS: [&str; 8] = ["org_id", "org", "id", "stem", "answered", "facility", "discrimination", "notes"];

/// The rows of the report's per-organization sheet: each organization's questions, by organization then question.
pub fn org_rows(state: &AppState, by_org: &[(String, Vec<ItemStat>)]) -> Vec<Vec<Cell>> {
    let lang = state.lang;
    let quizzes = state.quizzes();
    let mut out = Vec::new();
    for (org, stats) in by_org {
        let name = quizzes.organization(org).map_or_else(|| org.clone(), |o| o.name.clone());
        let mut list: Vec<(&ItemStat, &Question)> =
            stats.iter().filter_map(|s| quizzes.question(&s.question).map(|q| (s, q))).collect();
        list.sort_by(|a, b| a.0.question.cmp(&b.0.question));
        for (s, q) in list {
            out.push(vec![
                Cell::Text(org.clone()),
                Cell::Text(name.clone()),
                Cell::Text(q.id.clone()),
                Cell::Text(q.stem.clone()),
                Cell::Int(s.answered as i64),
                Cell::Percent(if s.answered > 0 { s.correct as f64 / s.answered as f64 } else { 0.0 }),
                s.discrimination.map_or(Cell::Empty, |d| Cell::Number(d, 2)),
                Cell::Text(notes(lang, q, s).join("；")),
            ]);
        }
    }
    out
}
