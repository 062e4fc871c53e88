//! The competition form of the organizer pages: create a competition or edit one, with the banks' question counts
//! beside the draw rules; saving writes `quizzes/competitions/ID.yaml` (`quiz::compose`) through
//! `server::quiz_files`, so the file stays the single source of truth and is checked as `pufa check` checks it.

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use serde::Serialize;

use super::organizer::{signed_in, to_login};
use super::{no_store, page, see_other, view};
use crate::i18n::{fill, t, Lang};
use crate::quiz::compose::{self, Draft};
use crate::quiz::{DrawRule, OrgKind, PublicNames, QuestionType, QuizSet, ShowAnswers};
use crate::server::quiz_files::{self, SaveError};
use crate::server::AppState;

/// Draw rule rows the form offers beyond those already set.
const SPARE_RULES: usize = 3;

/// The form as typed: strings, so a refused form comes back exactly as it was sent.
#[derive(Debug, Clone, Default, Serialize)]
struct Values {
    id: String,
    title: String,
    description: String,
    opens: String,
    closes: String,
    time_limit: String,
    attempts: String,
    pass_score: String,
    shuffle_options: bool,
    shuffle_questions: bool,
    kinds: Vec<String>,
    show_answers: String,
    public_names: String,
    rules: Vec<Rule>,
}

#[derive(Debug, Clone, Default, Serialize)]
struct Rule {
    bank: String,
    kind: String,
    count: String,
    points: String,
}

/// A bank as the draw rules offer it: its title and how many questions of each type it holds.
#[derive(Debug, Serialize)]
struct BankChoice {
    id: String,
    label: String,
}

const LOCAL: &str = "%Y-%m-%dT%H:%M";

impl Values {
    fn of(d: &Draft) -> Values {
        let mut rules: Vec<Rule> = d
            .draw
            .iter()
            .map(|r| Rule {
                bank: r.bank.clone(),
                kind: r.kind.map(|k| compose::name_of(&k)).unwrap_or_default(),
                count: r.count.to_string(),
                points: r.points.to_string(),
            })
            .collect();
        rules.extend(std::iter::repeat_with(Rule::default).take(SPARE_RULES));
        Values {
            id: d.id.clone(),
            title: d.title.clone(),
            description: d.description.clone(),
            opens: d.opens.format(LOCAL).to_string(),
            closes: d.closes.format(LOCAL).to_string(),
            time_limit: d.time_limit_minutes.to_string(),
            attempts: d.attempts.to_string(),
            pass_score: d.pass_score.to_string(),
            shuffle_options: d.shuffle_options,
            shuffle_questions: d.shuffle_questions,
            kinds: d.kinds.as_ref().map(|k| k.iter().map(compose::name_of).collect()).unwrap_or_default(),
            show_answers: compose::name_of(&d.show_answers),
            public_names: compose::name_of(&d.public_names),
            rules,
        }
    }

    /// The values of a posted form (fields `bank_N`, `type_N`, `count_N`, `points_N` for the rules).
    fn from_pairs(pairs: &[(String, String)]) -> Values {
        let one = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
        let mut rules: Vec<Rule> = Vec::new();
        for i in 0..64 {
            let [bank, kind, count, points] = ["bank", "type", "count", "points"].map(|f| one(&format!("{f}_{i}")));
            if pairs.iter().all(|(n, _)| !n.ends_with(&format!("_{i}"))) {
                break;
            }
            rules.push(Rule { bank, kind, count, points });
        }
        Values {
            id: one("id"),
            title: one("title"),
            description: pairs
                .iter()
                .find(|(n, _)| n == "description")
                .map(|(_, v)| v.replace("\r\n", "\n"))
                .unwrap_or_default(),
            opens: one("opens"),
            closes: one("closes"),
            time_limit: one("time_limit"),
            attempts: one("attempts"),
            pass_score: one("pass_score"),
            shuffle_options: !one("shuffle_options").is_empty(),
            shuffle_questions: !one("shuffle_questions").is_empty(),
            kinds: pairs.iter().filter(|(n, _)| n == "kinds").map(|(_, v)| v.clone()).collect(),
            show_answers: one("show_answers"),
            public_names: one("public_names"),
            rules,
        }
    }

    /// The draft these values make, or every field that is wrong (in the site's language).
    fn draft(&self, lang: Lang, offset: FixedOffset) -> Result<Draft, Vec<String>> {
        let mut errors = Vec::new();
        let mut field = |key: &str, value: &str| errors.push(fill(t(lang, key), &[("value", value)]));
        let number = |s: &str| s.parse::<u32>().ok();
        let time = |s: &str| {
            let naive = NaiveDateTime::parse_from_str(s, LOCAL)
                .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
                .ok()?;
            offset.from_local_datetime(&naive).single()
        };
        let opens = time(&self.opens).unwrap_or_else(|| {
            field("editor.bad_opens", &self.opens);
            DateTime::UNIX_EPOCH.fixed_offset()
        });
        let closes = time(&self.closes).unwrap_or_else(|| {
            field("editor.bad_closes", &self.closes);
            DateTime::UNIX_EPOCH.fixed_offset()
        });
        let minutes = number(&self.time_limit).filter(|m| *m > 0).unwrap_or_else(|| {
            field("editor.bad_time_limit", &self.time_limit);
            0
        });
        let attempts = number(&self.attempts).unwrap_or_else(|| {
            field("editor.bad_attempts", &self.attempts);
            0
        });
        let pass_score = number(&self.pass_score).unwrap_or_else(|| {
            field("editor.bad_pass_score", &self.pass_score);
            0
        });
        let mut draw = Vec::new();
        for r in self.rules.iter().filter(|r| !r.bank.is_empty()) {
            let kind = match r.kind.as_str() {
                "" => None,
                k => serde_json::from_value::<QuestionType>(k.into()).ok(),
            };
            match (number(&r.count), number(&r.points)) {
                (Some(count), Some(points)) if count > 0 => {
                    draw.push(DrawRule { bank: r.bank.clone(), kind, count: count as usize, points })
                }
                _ => field("editor.bad_rule", &r.bank),
            }
        }
        if draw.is_empty() {
            field("editor.no_rules", "");
        }
        let kinds: Vec<OrgKind> =
            self.kinds.iter().filter_map(|k| serde_json::from_value(k.as_str().into()).ok()).collect();
        let show_answers = serde_json::from_value::<ShowAnswers>(self.show_answers.as_str().into()).unwrap_or_default();
        let public_names = serde_json::from_value::<PublicNames>(self.public_names.as_str().into()).unwrap_or_default();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Draft {
            id: self.id.clone(),
            title: self.title.clone(),
            description: self.description.trim_end().to_string(),
            opens,
            closes,
            time_limit_minutes: u64::from(minutes),
            attempts,
            draw,
            shuffle_options: self.shuffle_options,
            shuffle_questions: self.shuffle_questions,
            pass_score,
            // Every kind ticked, or none, admits all: the file leaves `kinds` out.
            kinds: (!kinds.is_empty() && kinds.len() < 3).then_some(kinds),
            show_answers,
            public_names,
        })
    }
}

fn banks(set: &QuizSet, lang: Lang) -> Vec<BankChoice> {
    set.banks
        .values()
        .map(|b| {
            let n = |k| b.questions.iter().filter(|q| q.kind == k).count().to_string();
            let counts = [QuestionType::Single, QuestionType::Multiple, QuestionType::Judge]
                .map(|k| format!("{} {}", view::kind_label(lang, k), n(k)))
                .join("、");
            BankChoice { id: b.id.clone(), label: format!("{}（{}）：{counts}", b.title, b.id) }
        })
        .collect()
}

/// A new competition's form: opens tomorrow at 8:00 Beijing time for a week, 20 minutes, one attempt.
fn blank() -> Draft {
    let china = crate::content::front_matter::china();
    let tomorrow = (chrono::Utc::now().with_timezone(&china) + chrono::Duration::days(1)).date_naive();
    let opens = china.from_local_datetime(&tomorrow.and_hms_opt(8, 0, 0).unwrap_or_default()).single();
    let opens = opens.unwrap_or_else(|| chrono::Utc::now().with_timezone(&china));
    Draft {
        id: String::new(),
        title: String::new(),
        description: String::new(),
        opens,
        closes: opens + chrono::Duration::days(7),
        time_limit_minutes: 20,
        attempts: 1,
        draw: Vec::new(),
        shuffle_options: true,
        shuffle_questions: true,
        pass_score: 60,
        kinds: None,
        show_answers: ShowAnswers::AfterSubmit,
        public_names: PublicNames::Masked,
    }
}

fn form_page(state: &AppState, values: &Values, editing: bool, errors: &[String], status: StatusCode) -> Response {
    let mut ctx = state.pages.context(state.lang);
    ctx.insert("form", values);
    ctx.insert("editing", &editing);
    ctx.insert("errors", errors);
    ctx.insert("banks", &banks(&state.quizzes(), state.lang));
    ctx.insert("writable", &state.catalog.quizzes_dir().is_some());
    no_store(page(state, "competition_edit.html", &ctx, status))
}

pub(super) async fn new_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !signed_in(&state, &headers) {
        return to_login(&state, "/quiz/admin/competition/new");
    }
    form_page(&state, &Values::of(&blank()), false, &[], StatusCode::OK)
}

pub(super) async fn edit_form(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if !signed_in(&state, &headers) {
        return to_login(&state, &format!("/quiz/admin/competition/{id}"));
    }
    let quizzes = state.quizzes();
    let Some(c) = quizzes.competitions.get(&id) else {
        return no_store(super::error_page(&state, crate::server::ApiError::UnknownCompetition));
    };
    form_page(&state, &Values::of(&Draft::of(c)), true, &[], StatusCode::OK)
}

/// Saves a new competition (`editing` false: its id must be free) or an edited one.
async fn save(state: AppState, headers: HeaderMap, editing: Option<String>, form: Vec<(String, String)>) -> Response {
    if !signed_in(&state, &headers) {
        return to_login(&state, "/quiz/admin");
    }
    let mut values = Values::from_pairs(&form);
    if let Some(id) = &editing {
        values.id = id.clone();
    }
    let quizzes = state.quizzes();
    let existing = editing.as_ref().and_then(|id| quizzes.competitions.get(id));
    let offset = existing.map_or_else(crate::content::front_matter::china, |c| *c.opens.offset());
    let lang = state.lang;
    let refuse =
        |errors: Vec<String>| form_page(&state, &values, editing.is_some(), &errors, StatusCode::UNPROCESSABLE_ENTITY);
    if editing.is_some() && existing.is_none() {
        return no_store(super::error_page(&state, crate::server::ApiError::UnknownCompetition));
    }
    if editing.is_none() && (quizzes.competitions.contains_key(&values.id) || values.id.is_empty()) {
        return refuse(vec![fill(t(lang, "editor.id_taken"), &[("value", &values.id)])]);
    }
    let draft = match values.draft(lang, offset) {
        Ok(d) => d,
        Err(errors) => return refuse(errors),
    };
    // An edit keeps the file's name and what the form does not edit; a new competition is ID.yaml.
    let (rel, kept) = match existing {
        Some(c) => {
            let name = c.source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            // Its other keys are kept from it: a file that cannot be read is not replaced (they would be lost).
            let Ok(text) = tokio::fs::read_to_string(&c.source).await else {
                let file = c.source.display().to_string();
                return refuse(vec![fill(t(lang, "editor.unreadable"), &[("file", &file)])]);
            };
            (std::path::Path::new("competitions").join(name), compose::kept_keys(&text))
        }
        None => (std::path::Path::new("competitions").join(format!("{}.yaml", draft.id)), Default::default()),
    };
    if editing.is_none() && quiz_files::path_of(&state, &rel).is_ok_and(|p| p.exists()) {
        return refuse(vec![fill(t(lang, "editor.id_taken"), &[("value", &values.id)])]);
    }
    let text = compose::competition(lang, &draft, &kept);
    match quiz_files::save(&state, &rel, text).await {
        Ok(_) => no_store(see_other(&state, &format!("/quiz/{}/admin", draft.id))),
        Err(SaveError::Invalid(errors)) => refuse(errors),
        Err(SaveError::NoFolder) => refuse(vec![t(lang, "editor.no_folder").to_string()]),
        Err(SaveError::Failed(e)) => no_store(super::error_page(&state, e)),
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    save(state, headers, None, form.map(|f| f.0).unwrap_or_default()).await
}

pub(super) async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    save(state, headers, Some(id), form.map(|f| f.0).unwrap_or_default()).await
}

/// The form's fields by name, for the tests of this module.
#[cfg(test)]
fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posted_form_reads_into_a_draft_and_wrong_fields_are_named() {
        let china = crate::content::front_matter::china();
        let form = pairs(&[
            ("id", "x"),
            ("title", "竞赛"),
            ("opens", "2026-12-01T08:00"),
            ("closes", "2026-12-08T20:00"),
            ("time_limit", "30"),
            ("attempts", "2"),
            ("pass_score", "60"),
            ("kinds", "school"),
            ("show_answers", "after_close"),
            ("bank_0", "law"),
            ("type_0", "single"),
            ("count_0", "5"),
            ("points_0", "10"),
            ("bank_1", ""),
            ("type_1", ""),
            ("count_1", ""),
            ("points_1", ""),
        ]);
        let d = Values::from_pairs(&form).draft(Lang::Zh, china).unwrap();
        assert_eq!(d.opens.to_rfc3339(), "2026-12-01T08:00:00+08:00");
        assert_eq!(
            d.draw,
            vec![DrawRule { bank: "law".into(), kind: Some(QuestionType::Single), count: 5, points: 10 }]
        );
        assert_eq!(d.kinds, Some(vec![OrgKind::School]));
        assert_eq!(d.show_answers, ShowAnswers::AfterClose);
        assert!(!d.shuffle_options);

        let mut bad = form.clone();
        bad.retain(|(k, _)| k != "time_limit" && k != "count_0");
        bad.push(("time_limit".into(), "半小时".into()));
        let errors = Values::from_pairs(&bad).draft(Lang::Zh, china).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].contains("半小时"), "{errors:?}");
    }
}
