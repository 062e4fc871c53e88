//! Checks one survey response against its survey: every answer names a question, has its question's shape
//! (a letter, letters, a point, text within the limit) and every required question is answered. The result is
//! the normalized answers as stored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Survey, SurveyQuestionType, MAX_TEXT_CHARS};
use crate::quiz::letter;

/// One stored answer: a letter, several letters (file order), a point of a scale, or text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Point(u32),
    Letters(Vec<String>),
    Text(String),
}

/// A response as stored: question id → answer; unanswered optional questions are absent.
pub type Response = BTreeMap<String, Answer>;

/// Why a response was refused, with the 1-based number of the question at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerError {
    /// An answer to a question the survey does not have.
    UnknownQuestion(String),
    /// A required question without an answer.
    Required(usize),
    /// A letter that names no option, a point off the scale, or a value of the wrong shape.
    Invalid(usize),
    /// A text longer than `MAX_TEXT_CHARS`.
    TooLong(usize),
}

/// Checks `answers` (question id → `"A"`, `["A","C"]`, `4` or `"text"`) and returns them normalized: letters
/// upper-case, sorted and each once; text trimmed; empty answers dropped.
pub fn check(survey: &Survey, answers: &BTreeMap<String, Value>) -> Result<Response, AnswerError> {
    if let Some(id) = answers.keys().find(|id| survey.question(id).is_none()) {
        return Err(AnswerError::UnknownQuestion(id.clone()));
    }
    let mut out = Response::new();
    for (n, q) in survey.questions.iter().enumerate().map(|(i, q)| (i + 1, q)) {
        let value = answers.get(&q.id).filter(|v| !is_empty(v));
        let Some(value) = value else {
            if q.required {
                return Err(AnswerError::Required(n));
            }
            continue;
        };
        let answer = match q.kind {
            SurveyQuestionType::Single => match value {
                Value::String(s) => Answer::Letters(vec![option(s, q.options.len()).ok_or(AnswerError::Invalid(n))?]),
                _ => return Err(AnswerError::Invalid(n)),
            },
            SurveyQuestionType::Multiple => {
                let list: Vec<&Value> = match value {
                    Value::Array(a) => a.iter().collect(),
                    Value::String(_) => vec![value],
                    _ => return Err(AnswerError::Invalid(n)),
                };
                let mut letters = Vec::with_capacity(list.len());
                for v in list {
                    let l = v.as_str().and_then(|s| option(s, q.options.len())).ok_or(AnswerError::Invalid(n))?;
                    if !letters.contains(&l) {
                        letters.push(l);
                    }
                }
                letters.sort();
                Answer::Letters(letters)
            }
            SurveyQuestionType::Scale => match value.as_u64() {
                Some(p) if (1..=u64::from(q.scale)).contains(&p) => Answer::Point(p as u32),
                _ => return Err(AnswerError::Invalid(n)),
            },
            SurveyQuestionType::Text => match value {
                Value::String(s) if s.trim().chars().count() > MAX_TEXT_CHARS => return Err(AnswerError::TooLong(n)),
                Value::String(s) => Answer::Text(s.trim().to_string()),
                _ => return Err(AnswerError::Invalid(n)),
            },
        };
        out.insert(q.id.clone(), answer);
    }
    Ok(out)
}

/// No answer given: null, an empty or blank string, an empty list.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// The letter `s` names among `count` options, upper-cased (`b` → `B`), if it names one.
fn option(s: &str, count: usize) -> Option<String> {
    let s = s.trim().to_ascii_uppercase();
    (0..count).map(letter).find(|l| *l == s)
}
