//! A competition file written from the organizer's form, laid out and commented as a person would write it: the
//! keys in the order of quizzes/README.md, each group with a comment in the site's language, strings quoted only
//! when YAML needs it. Keys the form does not edit (written by hand) are kept as they were, after the rest.

use std::fmt::Write;

use chrono::{DateTime, FixedOffset};

use super::import::yaml::scalar;
use super::model::{Competition, DrawRule, OrgKind, PublicNames, QuestionType, ShowAnswers};
use crate::i18n::{t, Lang};

/// The keys the form edits; any other key of an existing file is kept.
pub const FORM_KEYS: [&str; 14] = [
    "id",
    "title",
    "description",
    "opens",
    "closes",
    "time_limit",
    "attempts",
    "draw",
    "shuffle_options",
    "shuffle_questions",
    "pass_score",
    "kinds",
    "show_answers",
    "public_names",
];

/// What the competition form holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub id: String,
    pub title: String,
    pub description: String,
    pub opens: DateTime<FixedOffset>,
    pub closes: DateTime<FixedOffset>,
    /// Whole minutes.
    pub time_limit_minutes: u64,
    pub attempts: u32,
    pub draw: Vec<DrawRule>,
    pub shuffle_options: bool,
    pub shuffle_questions: bool,
    pub pass_score: u32,
    /// None admits every kind.
    pub kinds: Option<Vec<OrgKind>>,
    pub show_answers: ShowAnswers,
    pub public_names: PublicNames,
}

impl Draft {
    /// The form filled from a running competition.
    pub fn of(c: &Competition) -> Draft {
        Draft {
            id: c.id.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            opens: c.opens,
            closes: c.closes,
            time_limit_minutes: c.time_limit.as_secs().div_ceil(60),
            attempts: c.attempts,
            draw: c.draw.clone(),
            shuffle_options: c.shuffle_options,
            shuffle_questions: c.shuffle_questions,
            pass_score: c.pass_score,
            kinds: c.kinds.clone(),
            show_answers: c.show_answers,
            public_names: c.public_names,
        }
    }
}

fn kind_name(k: QuestionType) -> &'static str {
    match k {
        QuestionType::Single => "single",
        QuestionType::Multiple => "multiple",
        QuestionType::Judge => "judge",
    }
}

/// A serde enum's name as written in the file (`after_submit`, `school`, …).
pub fn name_of<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// A text of several lines as a literal block (`|-`), when it reads back the same; else one scalar.
fn text_block(s: &str) -> String {
    let block = s.contains('\n')
        && !s.contains(['\r', '\t'])
        && !s.starts_with([' ', '\n'])
        && s.lines().all(|l| l.trim_end() == l)
        && !s.ends_with('\n');
    if !block {
        return scalar(s);
    }
    let mut out = String::from("|-");
    for line in s.split('\n') {
        out.push_str("\n  ");
        out.push_str(line);
    }
    out
}

/// The competition file's text: the form's keys with their comments, then `kept` (the other keys of the file it
/// replaces, as a YAML mapping) under a comment of their own.
pub fn competition(lang: Lang, d: &Draft, kept: &serde_yaml_ng::Mapping) -> String {
    let mut out = String::new();
    let c = |key: &str| t(lang, key).to_string();
    let _ = writeln!(out, "# {}", c("compose.header"));
    let _ = writeln!(out, "id: {}", scalar(&d.id));
    let _ = writeln!(out, "title: {}", scalar(&d.title));
    if !d.description.is_empty() {
        let _ = writeln!(out, "# {}", c("compose.description"));
        let _ = writeln!(out, "description: {}", text_block(&d.description));
    }
    let _ = writeln!(out, "\n# {}", c("compose.window"));
    let _ = writeln!(out, "opens: {}", d.opens.to_rfc3339());
    let _ = writeln!(out, "closes: {}", d.closes.to_rfc3339());
    let _ = writeln!(out, "# {}", c("compose.limits"));
    let _ = writeln!(out, "time_limit: {}m", d.time_limit_minutes);
    let _ = writeln!(out, "attempts: {}", d.attempts);
    let _ = writeln!(out, "\n# {}", c("compose.draw"));
    let _ = writeln!(out, "draw:");
    for r in &d.draw {
        let _ = write!(out, "  - bank: {}", scalar(&r.bank));
        if let Some(k) = r.kind {
            let _ = write!(out, "\n    type: {}", kind_name(k));
        }
        let _ = writeln!(out, "\n    count: {}\n    points: {}", r.count, r.points);
    }
    let _ = writeln!(out, "shuffle_options: {}", d.shuffle_options);
    let _ = writeln!(out, "shuffle_questions: {}", d.shuffle_questions);
    let _ = writeln!(out, "\n# {}", c("compose.pass"));
    let _ = writeln!(out, "pass_score: {}", d.pass_score);
    if let Some(kinds) = &d.kinds {
        let names: Vec<String> = kinds.iter().map(name_of).collect();
        let _ = writeln!(out, "# {}", c("compose.kinds"));
        let _ = writeln!(out, "kinds: [{}]", names.join(", "));
    }
    let _ = writeln!(out, "# {}", c("compose.show_answers"));
    let _ = writeln!(out, "show_answers: {}", name_of(&d.show_answers));
    let _ = writeln!(out, "# {}", c("compose.public_names"));
    let _ = writeln!(out, "public_names: {}", name_of(&d.public_names));
    if !kept.is_empty() {
        let _ = writeln!(out, "\n# {}", c("compose.kept"));
        out.push_str(&serde_yaml_ng::to_string(kept).unwrap_or_default());
    }
    out
}

/// The keys of an existing competition file that the form does not edit, in their order; empty when the file
/// is not a mapping (the check of the new text reports anything wrong).
pub fn kept_keys(existing: &str) -> serde_yaml_ng::Mapping {
    let Ok(serde_yaml_ng::Value::Mapping(mut map)) = serde_yaml_ng::from_str(existing) else {
        return serde_yaml_ng::Mapping::new();
    };
    for key in FORM_KEYS {
        map.remove(key);
    }
    map
}
