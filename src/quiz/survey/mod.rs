//! Surveys (民意测评): the file format of `quizzes/surveys/*.yaml`, the validated model, the check of one
//! response (`answers`) and the summary arithmetic (`summary`). Pure: no I/O but reading the files in `load`.

mod answers;
pub mod summary;
mod validate;

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

pub use answers::{check, Answer, AnswerError, Response};
pub use validate::survey as validate;

/// `quizzes/surveys/*.yaml`: one survey as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyFile {
    /// Stable id, used in URLs.
    pub id: String,
    /// Shown at the top of the survey page.
    pub title: String,
    /// Introduction: who runs it, why, how long it takes.
    #[serde(default)]
    pub description: String,
    /// RFC 3339 time the survey opens.
    pub opens: String,
    /// RFC 3339 time it closes.
    pub closes: String,
    /// Whether respondents stay nameless (default). With false the page asks for a name.
    #[serde(default = "yes")]
    pub anonymous: bool,
    /// Whether respondents pick their organization from `organizations.yaml`.
    #[serde(default)]
    pub ask_organization: bool,
    /// Whether respondents pick their town (乡镇/街道).
    #[serde(default)]
    pub ask_town: bool,
    /// The towns offered; absent means the towns named in `organizations.yaml`.
    #[serde(default)]
    pub towns: Option<Vec<String>>,
    pub questions: Vec<SurveyQuestionFile>,
    /// Whether anyone may read the summary (default: the organizer only).
    #[serde(default)]
    pub public_summary: bool,
}

fn yes() -> bool {
    true
}

/// One question of a survey as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyQuestionFile {
    /// Unique within the survey: the key of its answer.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: SurveyQuestionType,
    pub stem: String,
    /// Choices of `single` and `multiple`, letters A, B, C… in order.
    #[serde(default)]
    pub options: Vec<String>,
    /// Points of a `scale` question (1 is the lowest), 2 to 10.
    #[serde(default)]
    pub scale: Option<u32>,
    /// Words for the points of a scale, lowest first (非常不满意 … 非常满意): none, or one for every point.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Whether an answer is needed; default true, except for `text`.
    #[serde(default)]
    pub required: Option<bool>,
}

/// The kinds of survey question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SurveyQuestionType {
    /// One of the options.
    Single,
    /// Any of the options.
    Multiple,
    /// A point from 1 to `scale`.
    Scale,
    /// Free text.
    Text,
}

/// A validated survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Survey {
    pub id: String,
    pub title: String,
    pub description: String,
    pub opens: DateTime<FixedOffset>,
    pub closes: DateTime<FixedOffset>,
    pub anonymous: bool,
    pub ask_organization: bool,
    pub ask_town: bool,
    /// The towns a respondent picks from (when `ask_town`).
    pub towns: Vec<String>,
    pub questions: Vec<SurveyQuestion>,
    pub public_summary: bool,
    #[serde(skip)]
    pub source: PathBuf,
}

/// A validated question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SurveyQuestion {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: SurveyQuestionType,
    pub stem: String,
    pub options: Vec<String>,
    /// Points of a scale question; 0 for the other kinds.
    pub scale: u32,
    /// One word per point, or none.
    pub labels: Vec<String>,
    pub required: bool,
}

/// Longest text answer accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 1000;

impl Survey {
    /// Where the survey stands at `now`: not yet open, open or closed.
    pub fn is_open(&self, now: DateTime<chrono::Utc>) -> Option<bool> {
        if now < self.opens {
            None
        } else {
            Some(now < self.closes)
        }
    }

    pub fn question(&self, id: &str) -> Option<&SurveyQuestion> {
        self.questions.iter().find(|q| q.id == id)
    }
}

/// All surveys by id.
pub type Surveys = BTreeMap<String, Survey>;
