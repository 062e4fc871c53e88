//! What a participant sees of drawn questions (`present`) and how their answers are scored (`grade`);
//! letters are always the displayed ones, mapped through each `Drawn::order`.

use std::collections::HashMap;

use super::model::{Competition, Question, QuestionType, QuizSet};
use super::validate::letter;
use super::{Drawn, Grade, PublicQuestion, QuestionResult};
use crate::i18n::{t, Lang};

/// See [`super::present`].
pub fn present(set: &QuizSet, drawn: &[Drawn], lang: Lang) -> Vec<PublicQuestion> {
    drawn
        .iter()
        .filter_map(|d| {
            let q = set.question(&d.id)?;
            let texts = option_texts(q, lang);
            Some(PublicQuestion {
                id: q.id.clone(),
                kind: q.kind,
                stem: q.stem.clone(),
                options: d.order.iter().filter_map(|&i| texts.get(i).cloned()).collect(),
                points: d.points,
            })
        })
        .collect()
}

/// Option texts in file order; judge questions read 正确 / 错误 (True / False).
fn option_texts(q: &Question, lang: Lang) -> Vec<String> {
    match q.kind {
        QuestionType::Judge => vec![t(lang, "quiz.judge.true").to_string(), t(lang, "quiz.judge.false").to_string()],
        _ => q.options.clone(),
    }
}

/// Upper-cases, trims, drops empties, sorts and deduplicates letters as typed by a participant.
pub fn normalise(letters: &[String]) -> Vec<String> {
    let mut v: Vec<String> = letters.iter().map(|s| s.trim().to_uppercase()).filter(|s| !s.is_empty()).collect();
    v.sort();
    v.dedup();
    v
}

/// Maps displayed letters of a drawn question back to option indices in the file (for storing answers
/// independently of the shuffle), sorted like `Question::answer`. None when a letter does not name a shown option.
pub fn to_file_indices(drawn: &Drawn, letters: &[String]) -> Option<Vec<usize>> {
    let mut out = normalise(letters)
        .iter()
        .map(|l| match l.as_bytes() {
            [c @ b'A'..=b'Z'] => drawn.order.get((c - b'A') as usize).copied(),
            _ => None,
        })
        .collect::<Option<Vec<usize>>>()?;
    out.sort_unstable();
    Some(out)
}

/// The inverse of [`to_file_indices`]: the letters under which file options `indices` were shown, sorted.
/// Indices not shown are left out.
pub fn to_display_letters(drawn: &Drawn, indices: &[usize]) -> Vec<String> {
    drawn.order.iter().enumerate().filter(|(_, i)| indices.contains(i)).map(|(pos, _)| letter(pos)).collect()
}

/// The displayed letters of the correct options, in display order.
fn correct_letters(q: &Question, d: &Drawn) -> Vec<String> {
    to_display_letters(d, &q.answer)
}

/// See [`super::grade`].
pub fn grade(set: &QuizSet, comp: &Competition, drawn: &[Drawn], answers: &HashMap<String, Vec<String>>) -> Grade {
    let results: Vec<QuestionResult> = drawn
        .iter()
        .map(|d| {
            let given = answers.get(&d.id).map(|a| normalise(a)).unwrap_or_default();
            // A question removed from the banks since the draw cannot be graded: it scores zero.
            let (answer, explanation, basis) = match set.question(&d.id) {
                Some(q) => (correct_letters(q, d), q.explanation.clone(), q.basis.clone()),
                None => (Vec::new(), String::new(), String::new()),
            };
            let correct = !answer.is_empty() && given == answer;
            QuestionResult {
                id: d.id.clone(),
                correct,
                answer,
                given,
                explanation,
                basis,
                points: d.points,
                earned: if correct { d.points } else { 0 },
            }
        })
        .collect();
    let score = results.iter().map(|r| r.earned).sum();
    let max_score = drawn.iter().map(|d| d.points).sum();
    Grade { score, max_score, passed: score >= comp.pass_score, results }
}
