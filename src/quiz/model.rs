//! The quiz model: question banks, organizations and competitions as validated from `quizzes/`.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// 单选 / 多选 / 判断.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionType {
    Single,
    Multiple,
    Judge,
}

/// A validated question. For `judge` questions `options` is empty in the file; they are shown as 正确 / 错误.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// Unique across all banks (the API keys answers by it).
    pub id: String,
    /// Id of the bank it comes from.
    pub bank: String,
    pub kind: QuestionType,
    pub stem: String,
    /// Option texts in file order (empty for judge).
    pub options: Vec<String>,
    /// Indices of the correct options in file order. Judge: `[0]` for true (正确), `[1]` for false (错误).
    pub answer: Vec<usize>,
    /// 解析: why the answer is right.
    pub explanation: String,
    /// 法条依据, e.g. 《中华人民共和国宪法》第三十三条.
    pub basis: String,
    pub tags: Vec<String>,
    /// 1-based line of the question's `id:` in its bank file, for diagnostics.
    pub line: usize,
}

/// A question bank file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bank {
    pub id: String,
    pub title: String,
    /// Path as given to the loader, e.g. `quizzes/banks/xianfa.yaml`.
    pub source: PathBuf,
    pub questions: Vec<Question>,
}

/// What kind of organization takes part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrgKind {
    School,
    Enterprise,
    Other,
}

/// A school or enterprise; participants pick one from the list, never type it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// Stable id used in URLs, the database and exports.
    pub id: String,
    /// Full name, e.g. 城关镇第一中学.
    pub name: String,
    pub kind: OrgKind,
    /// Town or street (乡镇/街道) it belongs to.
    #[serde(default)]
    pub town: String,
    /// Number of students or staff: the denominator of the participation rate.
    pub headcount: u32,
}

/// When the answer key (answers, explanations, legal basis) is shown to a participant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShowAnswers {
    /// Right after the participant submits.
    #[default]
    AfterSubmit,
    /// Only once the competition has closed (score is shown at once).
    AfterClose,
}

/// How the public ranking (page and API) shows a participant's name; organizer pages and exports always show it in
/// full. Participants are often minors, so the default masks it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicNames {
    /// 张*明, 欧阳*华, Zhang S. (see `server::names::mask`).
    #[default]
    Masked,
    /// No name at all: the page says 参赛者 and the API leaves the field out.
    Hidden,
    /// The name as entered; refused for competitions that admit schools.
    Full,
}

/// One draw rule: `count` questions of `kind` (any kind when None) from `bank`, worth `points` each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawRule {
    pub bank: String,
    #[serde(rename = "type", default)]
    pub kind: Option<QuestionType>,
    pub count: usize,
    pub points: u32,
}

/// A validated competition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Competition {
    pub id: String,
    pub title: String,
    /// Rules and introduction shown on the landing page (markdown-free plain text, may have line breaks).
    pub description: String,
    pub opens: DateTime<FixedOffset>,
    pub closes: DateTime<FixedOffset>,
    pub time_limit: Duration,
    /// Attempts allowed per participant (organization + name + group).
    pub attempts: u32,
    pub draw: Vec<DrawRule>,
    pub shuffle_options: bool,
    /// Whether the drawn questions are shown in random order (default true).
    pub shuffle_questions: bool,
    pub pass_score: u32,
    /// Organization kinds that may take part; None means all.
    pub kinds: Option<Vec<OrgKind>>,
    pub show_answers: ShowAnswers,
    /// How the public ranking shows names.
    pub public_names: PublicNames,
    /// Certificate levels offered, highest `min_score` first; empty when the competition gives none.
    pub certificates: Vec<super::certificate::CertificateLevel>,
    /// Daily rounds, which attempt ranks, leaving the page (issue 12).
    pub campaign: super::campaign::CampaignRules,
    pub source: PathBuf,
}

impl Competition {
    /// The highest score possible: the sum of count × points over the draw rules.
    pub fn max_score(&self) -> u32 {
        self.draw.iter().map(|r| r.count as u32 * r.points).sum()
    }

    /// Whether organizations of `kind` may take part.
    pub fn admits(&self, kind: OrgKind) -> bool {
        self.kinds.as_ref().is_none_or(|k| k.contains(&kind))
    }
}

/// Everything under `quizzes/`, validated.
#[derive(Debug, Clone, Default)]
pub struct QuizSet {
    pub banks: BTreeMap<String, Bank>,
    /// Question id → (bank id, index in that bank).
    pub questions: HashMap<String, (String, usize)>,
    pub organizations: Vec<Organization>,
    pub competitions: BTreeMap<String, Competition>,
    /// Surveys (民意测评) by id.
    pub surveys: super::survey::Surveys,
}

impl QuizSet {
    pub fn question(&self, id: &str) -> Option<&Question> {
        let (bank, i) = self.questions.get(id)?;
        self.banks.get(bank)?.questions.get(*i)
    }

    pub fn organization(&self, id: &str) -> Option<&Organization> {
        self.organizations.iter().find(|o| o.id == id)
    }
}
