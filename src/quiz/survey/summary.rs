//! The summary of a survey's responses: counts per option or point, the mean and the share in the top two points
//! of each scale question, the texts, and the satisfaction index (mean of the scale answers, share in their top
//! two points) overall, per town and per organization.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use super::{Answer, Response, Survey, SurveyQuestionType};
use crate::quiz::letter;

/// One response as the summary reads it.
pub struct Row<'a> {
    pub organization: Option<&'a str>,
    pub town: Option<&'a str>,
    pub answers: &'a Response,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub responses: usize,
    /// The satisfaction index over every response.
    pub index: Index,
    pub questions: Vec<QuestionSummary>,
    /// Per town, in the survey's order of towns; responses without a town are left out.
    pub by_town: Vec<Group>,
    /// Per organization id, in id order; responses without one are left out.
    pub by_organization: Vec<Group>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionSummary {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: SurveyQuestionType,
    pub stem: String,
    /// Responses that answered it.
    pub answered: usize,
    /// Option letter or scale point → answers, every option or point listed (0 included), in order.
    #[serde(serialize_with = "as_map")]
    pub counts: Vec<(String, usize)>,
    /// Scale questions: the mean point.
    pub mean: Option<f64>,
    /// Scale questions: the share of answers in the top two points.
    pub satisfied_share: Option<f64>,
    /// Text questions: the answers, oldest first.
    pub texts: Vec<String>,
}

/// The satisfaction index of a set of responses: over all their scale answers.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Index {
    /// Scale answers counted.
    pub answers: usize,
    /// Their mean point (None without any).
    pub mean: Option<f64>,
    /// The share of them in the top two points of their scale.
    pub satisfied_share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// Town name or organization id.
    pub key: String,
    pub responses: usize,
    pub index: Index,
    /// Scale question id → mean point in this group (questions without an answer here are absent).
    pub means: BTreeMap<String, f64>,
}

fn as_map<S: Serializer>(v: &[(String, usize)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(v.iter().map(|(k, n)| (k, n)))
}

/// Sums of scale answers, to be turned into an `Index` or a mean.
#[derive(Default, Clone, Copy)]
struct Tally {
    answers: usize,
    points: u64,
    satisfied: usize,
}

impl Tally {
    fn add(&mut self, point: u32, scale: u32) {
        self.answers += 1;
        self.points += u64::from(point);
        self.satisfied += usize::from(point + 1 >= scale);
    }

    fn mean(&self) -> Option<f64> {
        (self.answers > 0).then(|| self.points as f64 / self.answers as f64)
    }

    fn index(&self) -> Index {
        Index {
            answers: self.answers,
            mean: self.mean(),
            satisfied_share: (self.answers > 0).then(|| self.satisfied as f64 / self.answers as f64),
        }
    }
}

/// Per-group tallies: responses, the index and each scale question's.
#[derive(Default)]
struct GroupTally {
    responses: usize,
    all: Tally,
    per_question: BTreeMap<String, Tally>,
}

impl GroupTally {
    fn add(&mut self, survey: &Survey, answers: &Response) {
        self.responses += 1;
        for q in survey.questions.iter().filter(|q| q.kind == SurveyQuestionType::Scale) {
            if let Some(Answer::Point(p)) = answers.get(&q.id) {
                self.all.add(*p, q.scale);
                self.per_question.entry(q.id.clone()).or_default().add(*p, q.scale);
            }
        }
    }

    fn finish(self, key: String) -> Group {
        let means = self.per_question.into_iter().filter_map(|(id, t)| t.mean().map(|m| (id, m))).collect();
        Group { key, responses: self.responses, index: self.all.index(), means }
    }
}

/// Summarizes `rows` of `survey`.
pub fn summarize<'a>(survey: &Survey, rows: impl IntoIterator<Item = Row<'a>>) -> Summary {
    let mut questions: Vec<QuestionSummary> = survey.questions.iter().map(empty_question).collect();
    let mut scale: Vec<Tally> = vec![Tally::default(); survey.questions.len()];
    let mut all = GroupTally::default();
    let mut towns: BTreeMap<String, GroupTally> = BTreeMap::new();
    let mut orgs: BTreeMap<String, GroupTally> = BTreeMap::new();
    for row in rows {
        all.add(survey, row.answers);
        if let Some(t) = row.town.filter(|t| !t.is_empty()) {
            towns.entry(t.to_string()).or_default().add(survey, row.answers);
        }
        if let Some(o) = row.organization.filter(|o| !o.is_empty()) {
            orgs.entry(o.to_string()).or_default().add(survey, row.answers);
        }
        for (i, q) in survey.questions.iter().enumerate() {
            let Some(answer) = row.answers.get(&q.id) else { continue };
            let s = &mut questions[i];
            s.answered += 1;
            match answer {
                Answer::Letters(ls) => {
                    for l in ls {
                        if let Some(c) = s.counts.iter_mut().find(|(k, _)| k == l) {
                            c.1 += 1;
                        }
                    }
                }
                Answer::Point(p) => {
                    if let Some(c) = s.counts.get_mut((*p as usize).wrapping_sub(1)) {
                        c.1 += 1;
                        scale[i].add(*p, q.scale);
                    }
                }
                Answer::Text(t) => s.texts.push(t.clone()),
            }
        }
    }
    for (s, t) in questions.iter_mut().zip(&scale) {
        if s.kind == SurveyQuestionType::Scale {
            s.mean = t.mean();
            s.satisfied_share = t.index().satisfied_share;
        }
    }
    let mut by_town: Vec<Group> = Vec::new();
    for town in &survey.towns {
        if let Some(t) = towns.remove(town) {
            by_town.push(t.finish(town.clone()));
        }
    }
    // Towns no longer offered (the file changed after answers came in) still count, after the listed ones.
    by_town.extend(towns.into_iter().map(|(k, t)| t.finish(k)));
    Summary {
        responses: all.responses,
        index: all.all.index(),
        questions,
        by_town,
        by_organization: orgs.into_iter().map(|(k, t)| t.finish(k)).collect(),
    }
}

fn empty_question(q: &super::SurveyQuestion) -> QuestionSummary {
    let counts = match q.kind {
        SurveyQuestionType::Single | SurveyQuestionType::Multiple => {
            (0..q.options.len()).map(|i| (letter(i), 0)).collect()
        }
        SurveyQuestionType::Scale => (1..=q.scale).map(|p| (p.to_string(), 0)).collect(),
        SurveyQuestionType::Text => Vec::new(),
    };
    QuestionSummary {
        id: q.id.clone(),
        kind: q.kind,
        stem: q.stem.clone(),
        answered: 0,
        counts,
        mean: None,
        satisfied_share: None,
        texts: Vec::new(),
    }
}
