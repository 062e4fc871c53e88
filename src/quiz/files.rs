//! The quiz files as written on disk: typed serde structs that are the documentation of the formats.
//! They are checked in `validate` and turned into the model; nothing here judges meaning.

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

use super::campaign::ScoreRule;
use super::model::{DrawRule, OrgKind, PublicNames, QuestionType, ShowAnswers};

/// `quizzes/banks/*.yaml`: one question bank. (`Q` is only changed to skip the questions when they are
/// read one by one to report each one's errors.)
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankFile<Q = Vec<QuestionFile>> {
    /// Stable id of the bank, used by competitions' draw rules.
    pub id: String,
    /// Shown to organizers, e.g. 宪法.
    pub title: String,
    /// The questions, in file order.
    #[serde(default)]
    pub questions: Q,
}

/// One question of a bank.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionFile {
    /// Unique across all banks.
    pub id: String,
    /// `single`, `multiple` or `judge`.
    #[serde(rename = "type")]
    pub kind: QuestionType,
    /// The question text.
    pub stem: String,
    /// Option texts in order A, B, C…; absent for judge questions.
    #[serde(default)]
    pub options: Vec<String>,
    /// `A` (single), `[A, C]` (multiple) or `true`/`false` (judge).
    pub answer: AnswerFile,
    /// 解析: why the answer is right.
    pub explanation: String,
    /// 法条依据: the article the question rests on.
    pub basis: String,
    /// Free tags, e.g. 校园安全.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// The `answer` of a question, in whichever of its three shapes it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerFile {
    /// `true` or `false`.
    Bool(bool),
    /// One letter, e.g. `A`.
    One(String),
    /// A list of letters, e.g. `[A, C]`.
    Many(Vec<String>),
}

impl<'de> Deserialize<'de> for AnswerFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AnswerFile;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a letter like A, a list of letters like [A, C], or true/false")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<AnswerFile, E> {
                Ok(AnswerFile::Bool(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AnswerFile, E> {
                Ok(AnswerFile::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AnswerFile, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(AnswerFile::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// `quizzes/organizations.yaml` is a list of these (the model's `Organization` is already the file format).
pub type OrganizationsFile = Vec<super::model::Organization>;

/// `quizzes/competitions/*.yaml`: one competition. (`R` is only changed to skip the draw rules when they are
/// read one by one to report each one's errors.)
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompetitionFile<R = Vec<DrawRuleFile>> {
    /// Stable id, used in URLs.
    pub id: String,
    /// Shown on the landing page.
    pub title: String,
    /// Rules and introduction for the landing page.
    #[serde(default)]
    pub description: String,
    /// RFC 3339 time the competition opens, e.g. 2026-01-01T00:00:00+08:00.
    pub opens: String,
    /// RFC 3339 time it closes.
    pub closes: String,
    /// Time allowed per attempt, e.g. `20m` or `1h30m`.
    pub time_limit: String,
    /// Attempts allowed per participant.
    pub attempts: u32,
    /// Which questions are drawn for each attempt.
    pub draw: R,
    /// Whether option order is shuffled per attempt (never for judge questions).
    #[serde(default)]
    pub shuffle_options: bool,
    /// Whether question order is shuffled per attempt.
    #[serde(default = "yes")]
    pub shuffle_questions: bool,
    /// Score needed to pass.
    pub pass_score: u32,
    /// Organization kinds that may take part; absent means all.
    #[serde(default)]
    pub kinds: Option<Vec<OrgKind>>,
    /// `after_submit` (default) or `after_close`.
    #[serde(default)]
    pub show_answers: ShowAnswers,
    /// How the public ranking shows names: `masked` (default), `hidden`, or `full` (not when schools take part).
    #[serde(default)]
    pub public_names: PublicNames,
    /// The certificate (or list of levels) a participant who reaches its score earns (issue 12).
    #[serde(default)]
    pub certificate: Option<super::certificate::CertificateLevels>,
    /// Attempts allowed per participant and day (campaign rules, issue 12); absent: no daily limit.
    #[serde(default)]
    pub attempts_per_day: Option<u32>,
    /// Which attempt ranks: `best` (default; ties by shorter time) or `latest`.
    #[serde(default)]
    pub score: ScoreRule,
    /// Departures from the question page (切屏) allowed; one more submits the attempt. Absent: counted only.
    #[serde(default)]
    pub max_leaves: Option<u32>,
    /// The time zone of the days, e.g. "+08:00"; absent: the offset of `opens` (Beijing time if that is UTC).
    #[serde(default)]
    pub utc_offset: Option<String>,
}

fn yes() -> bool {
    true
}

/// One draw rule as written: the model's fields, with unknown keys refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawRuleFile {
    /// Id of the bank to draw from.
    pub bank: String,
    /// Only questions of this type; absent means any type.
    #[serde(rename = "type", default)]
    pub kind: Option<QuestionType>,
    /// How many questions to draw.
    pub count: usize,
    /// Points per question.
    pub points: u32,
}

impl From<&DrawRuleFile> for DrawRule {
    fn from(r: &DrawRuleFile) -> Self {
        DrawRule { bank: r.bank.clone(), kind: r.kind, count: r.count, points: r.points }
    }
}
