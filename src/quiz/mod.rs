//! Quiz: question banks, organizations and competitions: parse, validate, draw, shuffle, grade.
//! Pure and deterministic given a seed: no I/O except reading the `quizzes/` files in `load`.

pub mod campaign;
pub mod certificate;
pub mod compose;
mod draw;
pub mod files;
mod grade;
pub mod identity;
pub mod import;
pub mod items;
mod load;
pub mod locate;
pub mod model;
pub mod scratch;
pub mod suggestions;
pub mod survey;
mod validate;

pub use campaign::{CampaignRules, ScoreRule};
pub use grade::{normalise, to_display_letters, to_file_indices};
pub use model::*;
pub use validate::letter;

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diag::Diagnostics;
use crate::i18n::Lang;

/// Loads and validates `quizzes/` (banks/*.yaml, organizations.yaml, competitions/*.yaml).
/// A missing folder is an empty set. Every problem of every file is collected.
pub fn load(quizzes_dir: &Path) -> (QuizSet, Diagnostics) {
    load::load(quizzes_dir)
}

/// One drawn question of an attempt: stored with the attempt so that grading sees what the participant saw.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Drawn {
    /// Question id (unique across banks).
    pub id: String,
    /// Points it is worth in this competition (from its draw rule).
    pub points: u32,
    /// Display order of options: `order[shown position]` = index in the file's `options`
    /// (for judge: positions of 正确 / 错误, never shuffled).
    pub order: Vec<usize>,
}

/// Draws a competition's questions per its rules, deterministically for a given seed.
pub fn draw(set: &QuizSet, comp: &Competition, seed: u64) -> Vec<Drawn> {
    draw::draw(set, comp, seed)
}

/// A question as a participant sees it before submitting: no answer, explanation or basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicQuestion {
    /// Question id: the key of its answer on submission.
    pub id: String,
    /// single / multiple / judge, so the page shows radio buttons or check boxes.
    #[serde(rename = "type")]
    pub kind: QuestionType,
    /// The question text.
    pub stem: String,
    /// Option texts in display order; letter A is the first. Judge: ["正确", "错误"].
    pub options: Vec<String>,
    /// Points it is worth.
    pub points: u32,
}

/// What the participant sees of the drawn questions, in draw order; judge options are 正确 / 错误 in `lang`.
/// Questions no longer in the set are left out.
pub fn present(set: &QuizSet, drawn: &[Drawn], lang: Lang) -> Vec<PublicQuestion> {
    grade::present(set, drawn, lang)
}

/// The graded result of one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionResult {
    /// Question id.
    pub id: String,
    /// Whether exactly the correct letters were given.
    pub correct: bool,
    /// The correct letters in display order, e.g. ["A", "C"].
    pub answer: Vec<String>,
    /// The letters the participant gave, normalised (upper case, sorted, deduplicated).
    pub given: Vec<String>,
    /// 解析 (empty if the question has left the banks since the draw). Not stored with the attempt (the banks
    /// have it; a law's text repeated in every attempt row would make up most of the database): a stored grade
    /// reads back without it, and the server fills it from the banks when showing the result.
    #[serde(default, skip_serializing)]
    pub explanation: String,
    /// 法条依据; stored and read back like `explanation`.
    #[serde(default, skip_serializing)]
    pub basis: String,
    /// Points the question was worth.
    pub points: u32,
    /// `points` if correct, else 0.
    pub earned: u32,
}

/// The graded attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grade {
    /// Sum of `earned`.
    pub score: u32,
    /// Sum of the drawn questions' points (the competition's `max_score()` for a complete draw).
    pub max_score: u32,
    /// `score >= pass_score`.
    pub passed: bool,
    /// One per drawn question, in draw order.
    pub results: Vec<QuestionResult>,
}

/// Grades answers (question id → displayed letters) against the drawn questions. Questions not answered,
/// answered with letters that do not exist, or not in the draw score zero; all-or-nothing per question.
pub fn grade(set: &QuizSet, comp: &Competition, drawn: &[Drawn], answers: &HashMap<String, Vec<String>>) -> Grade {
    grade::grade(set, comp, drawn, answers)
}
