//! Item analysis of a competition's submitted attempts: per question, the share answered correctly (facility), the
//! discrimination index (the share correct in the best 27 % of attempts by score minus that in the worst 27 %),
//! how often each option was chosen, and flags for questions that are likely faulty: a negative discrimination
//! (the weaker do better than the stronger: a wrong key or a misleading stem) or a distractor nobody chose.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{QuestionType, QuizSet};

/// How many answers a question needs before it is flagged: fewer say little.
pub const MIN_FOR_FLAGS: usize = 20;
/// The share of attempts in each of the upper and lower groups (Kelley's 27 %).
const GROUP_SHARE: f64 = 0.27;

/// One submitted attempt as the analysis reads it.
#[derive(Debug, Clone)]
pub struct Sitting {
    pub score: i64,
    pub answers: Vec<ItemAnswer>,
}

/// One drawn question of an attempt: whether it was right and which options (file indices) were chosen.
#[derive(Debug, Clone)]
pub struct ItemAnswer {
    pub question: String,
    pub correct: bool,
    pub chosen: Vec<usize>,
}

/// Why a question may be faulty.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Flag {
    /// The lower group did better than the upper one.
    NegativeDiscrimination,
    /// A wrong option (file index) nobody chose.
    UnusedDistractor { option: usize },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemStat {
    pub question: String,
    /// Attempts that were given it.
    pub answered: usize,
    pub correct: usize,
    /// `correct / answered`.
    pub facility: f64,
    /// p(upper) − p(lower); None when a group has no attempt with this question.
    pub discrimination: Option<f64>,
    /// How many attempts chose each option, by file index (judge: 正确, 错误).
    pub chosen: Vec<usize>,
    pub flags: Vec<Flag>,
}

#[derive(Default)]
struct Tally {
    answered: usize,
    correct: usize,
    upper: (usize, usize),
    lower: (usize, usize),
    chosen: Vec<usize>,
}

/// The analysis of `sittings`, one entry per question answered at least once, in question-id order.
pub fn analyse(set: &QuizSet, sittings: &[Sitting]) -> Vec<ItemStat> {
    let mut order: Vec<usize> = (0..sittings.len()).collect();
    // Best first; ties keep the attempts' order, so the groups are reproducible.
    order.sort_by(|a, b| sittings[*b].score.cmp(&sittings[*a].score));
    let n = sittings.len();
    let size = ((n as f64) * GROUP_SHARE).ceil() as usize;
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    for (rank, &i) in order.iter().enumerate() {
        let upper = rank < size;
        let lower = rank >= n.saturating_sub(size) && !upper;
        for a in &sittings[i].answers {
            let t = tallies.entry(a.question.as_str()).or_default();
            t.answered += 1;
            t.correct += usize::from(a.correct);
            if upper {
                t.upper = (t.upper.0 + 1, t.upper.1 + usize::from(a.correct));
            }
            if lower {
                t.lower = (t.lower.0 + 1, t.lower.1 + usize::from(a.correct));
            }
            for &o in &a.chosen {
                if t.chosen.len() <= o {
                    t.chosen.resize(o + 1, 0);
                }
                t.chosen[o] += 1;
            }
        }
    }
    tallies.into_iter().map(|(id, t)| finish(set, id, t)).collect()
}

fn finish(set: &QuizSet, id: &str, mut t: Tally) -> ItemStat {
    let share = |(n, c): (usize, usize)| (n > 0).then(|| c as f64 / n as f64);
    let discrimination = match (share(t.upper), share(t.lower)) {
        (Some(u), Some(l)) => Some(u - l),
        _ => None,
    };
    let question = set.question(id);
    let options = question.map_or(t.chosen.len(), |q| if q.kind == QuestionType::Judge { 2 } else { q.options.len() });
    t.chosen.resize(options.max(t.chosen.len()), 0);
    let mut flags = Vec::new();
    if t.answered >= MIN_FOR_FLAGS {
        if discrimination.is_some_and(|d| d < 0.0) {
            flags.push(Flag::NegativeDiscrimination);
        }
        if let Some(q) = question.filter(|q| q.kind != QuestionType::Judge) {
            for (o, &c) in t.chosen.iter().enumerate().take(q.options.len()) {
                if c == 0 && !q.answer.contains(&o) {
                    flags.push(Flag::UnusedDistractor { option: o });
                }
            }
        }
    }
    ItemStat {
        question: id.to_string(),
        answered: t.answered,
        correct: t.correct,
        facility: if t.answered > 0 { t.correct as f64 / t.answered as f64 } else { 0.0 },
        discrimination,
        chosen: t.chosen,
        flags,
    }
}
