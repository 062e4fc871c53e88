//! Figures the organizer reads on the dashboard and in the XLSX report, computed once for both: each town summed
//! over its organizations, and the questions ordered by how often they were missed.

use super::board::OrgStanding;
use crate::i18n::{t, Lang};
use crate::quiz::{Question, QuestionType};
use crate::store::QuestionStat;

/// A town's (or the whole county's) figures, summed over its organizations.
#[derive(Debug, Clone, PartialEq)]
pub struct Town {
    /// The town as the organizations file names it; empty for organizations without one.
    pub name: String,
    /// The county total (always last).
    pub total: bool,
    pub organizations: u32,
    pub participants: u32,
    pub headcount: u32,
    /// Mean best score over the town's participants; `None` without participants.
    pub average: Option<f64>,
    /// Share of the town's participants who passed; `None` without participants.
    pub pass_rate: Option<f64>,
}

impl Town {
    fn of(name: String, total: bool, orgs: &[&OrgStanding]) -> Town {
        let participants: u32 = orgs.iter().map(|o| o.participants).sum();
        // Averages of averages would weigh a 3-person school like a 900-person one: weigh by participants.
        let weighted = |f: fn(&OrgStanding) -> f64| orgs.iter().map(|o| f(o) * f64::from(o.participants)).sum::<f64>();
        let n = f64::from(participants);
        Town {
            name,
            total,
            organizations: orgs.len() as u32,
            participants,
            headcount: orgs.iter().map(|o| o.headcount).sum(),
            average: (participants > 0).then(|| weighted(|o| o.average_score) / n),
            pass_rate: (participants > 0).then(|| weighted(|o| o.pass_rate) / n),
        }
    }

    /// The town's name as shown: the county total and organizations without a town get a translated label.
    pub fn label(&self, lang: Lang) -> String {
        match (self.total, self.name.is_empty()) {
            (true, _) => t(lang, "quiz.total").to_string(),
            (false, true) => t(lang, "quiz.no_town").to_string(),
            (false, false) => self.name.clone(),
        }
    }

    /// participants / headcount; `None` when the headcount is unknown (0).
    pub fn participation_rate(&self) -> Option<f64> {
        (self.headcount > 0).then(|| f64::from(self.participants) / f64::from(self.headcount))
    }
}

/// The towns by name, then the county total.
pub fn towns(orgs: &[OrgStanding]) -> Vec<Town> {
    let mut names: Vec<&str> = orgs.iter().map(|o| o.town.as_str()).collect();
    names.sort();
    names.dedup();
    let mut rows: Vec<Town> = names
        .iter()
        .map(|town| {
            let list: Vec<&OrgStanding> = orgs.iter().filter(|o| o.town == *town).collect();
            Town::of(town.to_string(), false, &list)
        })
        .collect();
    rows.push(Town::of(String::new(), true, &orgs.iter().collect::<Vec<_>>()));
    rows
}

/// The questions missed at least once, highest miss rate first (compared as cross products, exact); more answers
/// break ties, then the question id.
pub fn most_missed(stats: Vec<QuestionStat>) -> Vec<QuestionStat> {
    let mut stats: Vec<_> = stats.into_iter().filter(|s| s.answered > 0 && s.missed > 0).collect();
    stats.sort_by(|a, b| {
        (b.missed * a.answered)
            .cmp(&(a.missed * b.answered))
            .then(b.answered.cmp(&a.answered))
            .then(a.question.cmp(&b.question))
    });
    stats
}

/// The correct option texts of a question, joined by `；` (letters differ per participant when options are
/// shuffled, so the text is what an organizer can read).
pub fn correct_answer(lang: Lang, q: &Question) -> String {
    match q.kind {
        QuestionType::Judge => {
            let key = if q.answer == [0] { "quiz.judge.true" } else { "quiz.judge.false" };
            t(lang, key).to_string()
        }
        _ => q.answer.iter().filter_map(|&i| q.options.get(i).map(String::as_str)).collect::<Vec<_>>().join("；"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::OrgKind;

    fn org(id: &str, town: &str, participants: u32, headcount: u32, average: f64, pass_rate: f64) -> OrgStanding {
        OrgStanding {
            id: id.into(),
            name: id.into(),
            kind: OrgKind::School,
            town: town.into(),
            participants,
            headcount,
            participation_rate: 0.0,
            average_score: average,
            pass_rate,
            top_score: 0,
        }
    }

    #[test]
    fn towns_weigh_organizations_by_participants_and_end_with_the_county() {
        let orgs = [
            org("a", "城关镇", 3, 10, 90.0, 1.0),
            org("b", "城关镇", 1, 10, 50.0, 0.0),
            org("c", "", 0, 0, 0.0, 0.0),
            org("d", "白马乡", 0, 20, 0.0, 0.0),
        ];
        let rows = towns(&orgs);
        let names: Vec<(&str, bool)> = rows.iter().map(|t| (t.name.as_str(), t.total)).collect();
        assert_eq!(names, [("", false), ("城关镇", false), ("白马乡", false), ("", true)]);
        let chengguan = &rows[1];
        assert_eq!((chengguan.organizations, chengguan.participants, chengguan.headcount), (2, 4, 20));
        assert_eq!(chengguan.average, Some(80.0), "(3×90 + 1×50) / 4, not (90 + 50) / 2");
        assert_eq!(chengguan.pass_rate, Some(0.75));
        assert_eq!(chengguan.participation_rate(), Some(0.2));
        assert_eq!((rows[2].average, rows[2].participation_rate()), (None, Some(0.0)));
        assert_eq!(rows[0].participation_rate(), None, "no headcount, no rate");
        assert_eq!((rows[3].organizations, rows[3].participants, rows[3].headcount), (4, 4, 40));
        let labels: Vec<String> = rows.iter().map(|t| t.label(Lang::Zh)).collect();
        assert_eq!(labels, ["其他", "城关镇", "白马乡", "合计"]);
    }

    #[test]
    fn most_missed_orders_by_exact_miss_rate_then_answers() {
        let stat = |q: &str, answered, missed| QuestionStat { question: q.into(), answered, missed };
        let order: Vec<String> =
            most_missed(vec![stat("a", 3, 1), stat("b", 6, 2), stat("c", 2, 2), stat("d", 5, 0), stat("e", 0, 0)])
                .into_iter()
                .map(|s| s.question)
                .collect();
        assert_eq!(order, ["c", "b", "a"], "1/3 = 2/6, the one answered more first; never-missed left out");
    }
}
