//! Checks the meaning of a parsed survey file (times, options, scales, labels, unique question ids) and turns it
//! into the model; every problem is a diagnostic at the node it is about.

use std::collections::HashSet;

use chrono::DateTime;

use super::{Survey, SurveyFile, SurveyQuestion, SurveyQuestionType};
use crate::quiz::locate::{Seg::Index, Seg::Key};
use crate::quiz::model::Organization;
use crate::quiz::validate::{check_id, check_text, window, Cx};

/// Most options of a single or multiple question (letters A to Z).
const MAX_OPTIONS: usize = 26;
/// Points of a scale: from 2 (yes/no) to 10.
const SCALE_POINTS: std::ops::RangeInclusive<u32> = 2..=10;

/// Checks a survey and builds it; `organizations` gives the towns when the file names none.
pub fn survey(cx: &mut Cx, f: SurveyFile, organizations: &[Organization]) -> Survey {
    check_id(cx, &[Key("id")], &f.id);
    check_text(cx, &[Key("title")], "title", &f.title, "");
    let (opens, closes) = window(cx, &f.opens, &f.closes);
    if f.questions.is_empty() {
        cx.err(&[Key("questions")], "questions: expected at least one question");
    }
    if f.ask_organization && organizations.is_empty() {
        cx.err(&[Key("ask_organization")], "ask_organization: organizations.yaml lists no organization to pick from");
    }
    let towns = towns(cx, &f, organizations);
    let mut seen = HashSet::new();
    let questions = f
        .questions
        .into_iter()
        .enumerate()
        .map(|(i, q)| {
            let at = |k| [Key("questions"), Index(i), Key(k)];
            check_id(cx, &at("id"), &q.id);
            if !seen.insert(q.id.clone()) {
                cx.err(&at("id"), format!("id: duplicate question id {:?} in this survey", q.id));
            }
            check_text(cx, &at("stem"), "stem", &q.stem, "");
            let choices = matches!(q.kind, SurveyQuestionType::Single | SurveyQuestionType::Multiple);
            if choices && !(2..=MAX_OPTIONS).contains(&q.options.len()) {
                cx.err(
                    &at("options"),
                    format!("options: expected 2 to {MAX_OPTIONS} options, found {}", q.options.len()),
                );
            } else if !choices && !q.options.is_empty() {
                cx.err(&at("options"), "options: only single and multiple questions have options");
            }
            for (k, o) in q.options.iter().enumerate() {
                if o.trim().is_empty() {
                    cx.err(&[Key("questions"), Index(i), Key("options"), Index(k)], "options: must not be empty");
                }
            }
            let scale = match (q.kind, q.scale) {
                (SurveyQuestionType::Scale, Some(n)) if SCALE_POINTS.contains(&n) => n,
                (SurveyQuestionType::Scale, Some(n)) => {
                    cx.err(&at("scale"), format!("scale: expected 2 to 10 points, found {n}"));
                    0
                }
                (SurveyQuestionType::Scale, None) => {
                    cx.err(&at("type"), "scale: a scale question needs its number of points, e.g. scale: 5");
                    0
                }
                (_, Some(_)) => {
                    cx.err(&at("scale"), "scale: only scale questions have points");
                    0
                }
                (_, None) => 0,
            };
            if !q.labels.is_empty() && q.kind != SurveyQuestionType::Scale {
                cx.err(&at("labels"), "labels: only scale questions have labels");
            } else if !q.labels.is_empty() && scale > 0 && q.labels.len() != scale as usize {
                cx.err(
                    &at("labels"),
                    format!("labels: expected one label per point ({scale}), found {}", q.labels.len()),
                );
            }
            let required = q.required.unwrap_or(q.kind != SurveyQuestionType::Text);
            SurveyQuestion {
                id: q.id,
                kind: q.kind,
                stem: q.stem,
                options: q.options,
                scale,
                labels: q.labels,
                required,
            }
        })
        .collect();
    let epoch = DateTime::UNIX_EPOCH.fixed_offset();
    Survey {
        id: f.id,
        title: f.title,
        description: f.description,
        opens: opens.unwrap_or(epoch),
        closes: closes.unwrap_or(epoch),
        anonymous: f.anonymous,
        ask_organization: f.ask_organization,
        ask_town: f.ask_town,
        towns,
        questions,
        public_summary: f.public_summary,
        source: cx.path.to_path_buf(),
    }
}

/// The towns offered: the file's own list, else those of the organizations in file order, each once.
fn towns(cx: &mut Cx, f: &SurveyFile, organizations: &[Organization]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    match &f.towns {
        Some(list) => {
            for (i, t) in list.iter().enumerate() {
                let t = t.trim();
                if t.is_empty() {
                    cx.err(&[Key("towns"), Index(i)], "towns: must not be empty");
                } else if out.iter().any(|o| o == t) {
                    cx.err(&[Key("towns"), Index(i)], format!("towns: {t:?} is listed twice"));
                } else {
                    out.push(t.to_string());
                }
            }
        }
        None => {
            for o in organizations {
                let t = o.town.trim();
                if !t.is_empty() && !out.iter().any(|x| x == t) {
                    out.push(t.to_string());
                }
            }
        }
    }
    if f.ask_town && out.is_empty() {
        cx.err(&[Key("ask_town")], "ask_town: no towns to pick from; list them under towns:");
    }
    if !f.ask_town && f.towns.is_some() {
        cx.err(&[Key("towns")], "towns: only used with ask_town: true");
    }
    out
}
