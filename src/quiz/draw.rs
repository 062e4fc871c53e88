//! Draws the questions of one attempt from the banks, per a competition's rules, deterministically for a seed.

use std::collections::HashSet;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::model::{Competition, QuestionType, QuizSet};
use super::Drawn;

/// See [`super::draw`].
pub fn draw(set: &QuizSet, comp: &Competition, seed: u64) -> Vec<Drawn> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut used: HashSet<&str> = HashSet::new();
    let mut picked: Vec<Vec<Drawn>> = vec![Vec::new(); comp.draw.len()];
    // Rules of one type go first: validation checked each type against its own supply and the bank total, so
    // "any type" rules drawing last always find enough questions left.
    let mut rules: Vec<usize> = (0..comp.draw.len()).collect();
    rules.sort_by_key(|&i| comp.draw[i].kind.is_none());
    for i in rules {
        let rule = &comp.draw[i];
        let Some(bank) = set.banks.get(&rule.bank) else { continue };
        let pool: Vec<&super::Question> = bank
            .questions
            .iter()
            .filter(|q| rule.kind.is_none_or(|k| q.kind == k) && !used.contains(q.id.as_str()))
            .collect();
        for q in pool.choose_multiple(&mut rng, rule.count) {
            used.insert(&q.id);
            picked[i].push(Drawn { id: q.id.clone(), points: rule.points, order: (0..option_count(q)).collect() });
        }
    }
    let mut drawn: Vec<Drawn> = picked.into_iter().flatten().collect();
    if comp.shuffle_questions {
        drawn.shuffle(&mut rng);
    }
    if comp.shuffle_options {
        for d in &mut drawn {
            if set.question(&d.id).is_some_and(|q| q.kind != QuestionType::Judge) {
                d.order.shuffle(&mut rng);
            }
        }
    }
    drawn
}

/// Options shown: the file's for single/multiple, 正确 and 错误 for judge.
fn option_count(q: &super::Question) -> usize {
    match q.kind {
        QuestionType::Judge => 2,
        _ => q.options.len(),
    }
}
