//! View models of the competition pages: what the templates see, already formatted for people
//! (Chinese dates, percentages, answer letters), so templates stay free of arithmetic.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::i18n::{fill, t, Lang};
use crate::quiz::{Competition, OrgKind, PublicQuestion, QuestionType, QuizSet, ShowAnswers};
use crate::server::attempts::Status;
use crate::server::flow::Submitted;
use crate::site::views::date_text;

/// A date and time as people read it: 2026年3月1日 08:00.
pub fn when(lang: Lang, d: &DateTime<FixedOffset>) -> String {
    format!("{} {}", date_text(lang, d), d.format("%H:%M"))
}

/// `part / whole` as a percentage with one decimal ("42.5%"); "—" when the whole is zero.
pub fn percent(part: f64, whole: f64) -> String {
    if whole <= 0.0 {
        return "—".into();
    }
    format!("{:.1}%", part / whole * 100.0)
}

/// A bar length in whole percent, clamped to 0..=100 (a headcount may be smaller than the participants).
pub fn bar_width(part: f64, whole: f64) -> u32 {
    if whole <= 0.0 {
        return 0;
    }
    (part / whole * 100.0).round().clamp(0.0, 100.0) as u32
}

/// "12分05秒".
pub fn duration(lang: Lang, secs: u64) -> String {
    fill(t(lang, "quiz.duration"), &[("m", &(secs / 60).to_string()), ("s", &format!("{:02}", secs % 60))])
}

/// The displayed letter of option `i`: A, B, C…
pub fn letter(i: usize) -> String {
    char::from(b'A' + (i % 26) as u8).to_string()
}

pub fn kind_label(lang: Lang, kind: QuestionType) -> &'static str {
    match kind {
        QuestionType::Single => t(lang, "quiz.kind.single"),
        QuestionType::Multiple => t(lang, "quiz.kind.multiple"),
        QuestionType::Judge => t(lang, "quiz.kind.judge"),
    }
}

/// The rules of a competition as the landing page, poster and organizer page show them.
#[derive(Debug, Serialize)]
pub struct Facts {
    pub id: String,
    pub title: String,
    /// Paragraphs of the description.
    pub description: Vec<String>,
    pub opens: String,
    pub closes: String,
    pub time_limit: String,
    pub questions: String,
    pub attempts: String,
    pub pass_score: String,
    pub show_answers: &'static str,
    pub state: Status,
    /// Why the join form is missing, for upcoming and closed competitions.
    pub state_text: String,
}

/// The facts of `comp`; `status` comes from `server::attempts::status`, the one place that decides it.
pub fn facts(comp: &Competition, lang: Lang, status: Status) -> Facts {
    let count: usize = comp.draw.iter().map(|d| d.count).sum();
    let minutes = comp.time_limit.as_secs().div_ceil(60);
    let opens = when(lang, &comp.opens);
    Facts {
        id: comp.id.clone(),
        title: comp.title.clone(),
        description: comp.description.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect(),
        closes: when(lang, &comp.closes),
        time_limit: fill(t(lang, "quiz.minutes"), &[("n", &minutes.to_string())]),
        questions: fill(
            t(lang, "quiz.questions_n"),
            &[("n", &count.to_string()), ("max", &comp.max_score().to_string())],
        ),
        attempts: fill(t(lang, "quiz.attempts_n"), &[("n", &comp.attempts.to_string())]) + &campaign_rules(comp, lang),
        pass_score: fill(t(lang, "quiz.points_n"), &[("n", &comp.pass_score.to_string())]),
        show_answers: match comp.show_answers {
            ShowAnswers::AfterSubmit => t(lang, "quiz.show.after_submit"),
            ShowAnswers::AfterClose => t(lang, "quiz.show.after_close"),
        },
        state: status,
        state_text: match status {
            Status::Upcoming => fill(t(lang, "quiz.state.upcoming"), &[("time", &opens)]),
            Status::Closed => t(lang, "quiz.state.closed").to_string(),
            Status::Open => String::new(),
        },
        opens,
    }
}

/// The daily limit and which attempt ranks, after the number of attempts (issue 12): "，每天最多 1 次（北京时间零点
/// 起为新的一天）；成绩取最高的一次".
fn campaign_rules(comp: &Competition, lang: Lang) -> String {
    let rules = &comp.campaign;
    let mut out = String::new();
    if let Some(n) = rules.attempts_per_day {
        let zone = match rules.zone.local_minus_utc() {
            crate::quiz::campaign::BEIJING_SECS => t(lang, "campaign.zone_beijing").to_string(),
            _ => format!("UTC{}", rules.zone),
        };
        out += &fill(t(lang, "campaign.per_day"), &[("n", &n.to_string()), ("zone", &zone)]);
    }
    if comp.attempts > 1 {
        out += match rules.score {
            crate::quiz::ScoreRule::Best => t(lang, "campaign.score_best"),
            crate::quiz::ScoreRule::Latest => t(lang, "campaign.score_latest"),
        };
    }
    out
}

/// One `<option>` of the organization list.
#[derive(Debug, Serialize)]
pub struct OrgOption {
    pub id: String,
    pub name: String,
}

/// An `<optgroup>`: the eligible organizations of one town.
#[derive(Debug, Serialize)]
pub struct TownGroup {
    pub town: String,
    pub orgs: Vec<OrgOption>,
}

/// The organizations that may take part, grouped by town in the order towns first appear in the file.
pub fn org_groups(set: &QuizSet, comp: &Competition, lang: Lang) -> Vec<TownGroup> {
    let mut groups: Vec<TownGroup> = Vec::new();
    for o in set.organizations.iter().filter(|o| comp.admits(o.kind)) {
        let town = if o.town.trim().is_empty() { t(lang, "quiz.no_town").to_string() } else { o.town.clone() };
        let opt = OrgOption { id: o.id.clone(), name: o.name.clone() };
        match groups.iter_mut().find(|g| g.town == town) {
            Some(g) => g.orgs.push(opt),
            None => groups.push(TownGroup { town, orgs: vec![opt] }),
        }
    }
    groups
}

pub fn kind_name(lang: Lang, kind: OrgKind) -> &'static str {
    match kind {
        OrgKind::School => t(lang, "quiz.org_kind.school"),
        OrgKind::Enterprise => t(lang, "quiz.org_kind.enterprise"),
        OrgKind::Other => t(lang, "quiz.org_kind.other"),
    }
}

/// One option of a question on the question page.
#[derive(Debug, Serialize)]
pub struct OptionView {
    pub letter: String,
    pub text: String,
    /// Saved on the server earlier (a reload with JavaScript off keeps the answers too).
    pub checked: bool,
}

/// A question on the question page: what `quiz::present` gives, and nothing of the answer key.
#[derive(Debug, Serialize)]
pub struct QuestionView {
    pub id: String,
    pub kind_label: &'static str,
    pub points_label: String,
    pub stem: String,
    /// `radio` or `checkbox`.
    pub input: &'static str,
    pub options: Vec<OptionView>,
}

pub fn questions(qs: &[PublicQuestion], saved: &HashMap<String, Vec<String>>, lang: Lang) -> Vec<QuestionView> {
    qs.iter()
        .map(|q| QuestionView {
            id: q.id.clone(),
            kind_label: kind_label(lang, q.kind),
            points_label: fill(t(lang, "quiz.points_n"), &[("n", &q.points.to_string())]),
            stem: unbreakable_blanks(&q.stem),
            input: if q.kind == QuestionType::Multiple { "checkbox" } else { "radio" },
            options: q
                .options
                .iter()
                .enumerate()
                .map(|(i, o)| OptionView {
                    letter: letter(i),
                    text: o.clone(),
                    checked: saved.get(&q.id).is_some_and(|l| l.contains(&letter(i))),
                })
                .collect(),
        })
        .collect()
}

/// One option on the result page, marked when it is correct or was chosen.
#[derive(Debug, Serialize)]
pub struct ResultOption {
    pub letter: String,
    pub text: String,
    pub correct: bool,
    pub given: bool,
}

/// A graded question on the result page.
#[derive(Debug, Serialize)]
pub struct ResultView {
    pub kind_label: &'static str,
    pub stem: String,
    pub options: Vec<ResultOption>,
    /// The participant's letters ("A、C"), or the option text for judge questions; empty when unanswered.
    pub given: String,
    pub answer: String,
    pub correct: bool,
    pub explanation: String,
    /// The legal basis, each article the site has linked to its text.
    pub basis: Vec<crate::server::laws::Piece>,
    pub points: u32,
    pub earned: u32,
}

/// The answer blank of a stem (`（ ）`, `(  )`, `（　）`) kept on one line: its spaces become no-break spaces, so
/// a narrow phone never puts `（` at a line's end and `）` at the next one's start.
pub fn unbreakable_blanks(stem: &str) -> String {
    let mut out = String::with_capacity(stem.len());
    let mut rest = stem;
    while let Some(open) = rest.find(['（', '(']) {
        let (before, from) = rest.split_at(open);
        out.push_str(before);
        let opener = from.chars().next().unwrap_or('(');
        let inner = &from[opener.len_utf8()..];
        let spaces = inner.len() - inner.trim_start_matches([' ', '\u{3000}', '\u{A0}']).len();
        match inner[spaces..].chars().next() {
            Some(close @ ('）' | ')')) if spaces > 0 => {
                out.push(opener);
                out.extend(std::iter::repeat_n('\u{A0}', inner[..spaces].chars().count().max(2)));
                out.push(close);
                rest = &inner[spaces + close.len_utf8()..];
            }
            _ => {
                out.push(opener);
                rest = inner;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Joins the shown results of a submission with the questions as the participant saw them (matched by id).
/// Empty when the competition does not show answers yet: even right/wrong marks would give judge answers away.
/// `link`: the basis in pieces (`Laws::link`).
pub fn results(
    shown: &[PublicQuestion],
    submitted: &Submitted,
    lang: Lang,
    link: impl Fn(&str) -> Vec<crate::server::laws::Piece>,
) -> Vec<ResultView> {
    if !submitted.answers_shown {
        return Vec::new();
    }
    submitted
        .results
        .iter()
        .filter_map(|r| {
            let q = shown.iter().find(|q| q.id == r.id)?;
            let answer = &r.answer;
            // Judge questions read better as 正确 / 错误 than as A / B.
            let say = |letters: &[String]| -> String {
                let words: Vec<String> = letters
                    .iter()
                    .map(|l| match q.kind {
                        QuestionType::Judge => (0..q.options.len())
                            .find(|&i| letter(i) == *l)
                            .map(|i| q.options[i].clone())
                            .unwrap_or_else(|| l.clone()),
                        _ => l.clone(),
                    })
                    .collect();
                words.join("、")
            };
            Some(ResultView {
                kind_label: kind_label(lang, q.kind),
                stem: unbreakable_blanks(&q.stem),
                options: q
                    .options
                    .iter()
                    .enumerate()
                    .map(|(i, text)| ResultOption {
                        letter: letter(i),
                        text: text.clone(),
                        correct: answer.contains(&letter(i)),
                        given: r.given.contains(&letter(i)),
                    })
                    .collect(),
                given: say(&r.given),
                answer: say(answer),
                correct: r.correct,
                explanation: r.explanation.clone(),
                basis: if r.basis.is_empty() { Vec::new() } else { link(&r.basis) },
                points: q.points,
                // Grading is all-or-nothing per question.
                earned: if r.correct { q.points } else { 0 },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Issue 17: the blank of a stem split across two lines on a phone.
    #[test]
    fn blanks_of_stems_stay_on_one_line() {
        let nb = |n: usize| "\u{A0}".repeat(n);
        assert_eq!(unbreakable_blanks("宪法是国家的（ ）。"), format!("宪法是国家的（{}）。", nb(2)));
        assert_eq!(unbreakable_blanks("应当（　　）处理"), format!("应当（{}）处理", nb(2)));
        assert_eq!(unbreakable_blanks("甲(   )乙（ ）丙"), format!("甲({})乙（{}）丙", nb(3), nb(2)));
        assert_eq!(unbreakable_blanks("《民法典》（2020年）"), "《民法典》（2020年）", "not a blank");
        assert_eq!(unbreakable_blanks("（）未闭合（ 的"), "（）未闭合（ 的");
    }

    #[test]
    fn percentages_round_to_one_decimal_and_survive_zero_headcount() {
        assert_eq!(percent(1.0, 3.0), "33.3%");
        assert_eq!(percent(5.0, 0.0), "—");
        assert_eq!(bar_width(2.0, 3.0), 67);
        assert_eq!(bar_width(9.0, 3.0), 100, "more participants than headcount fills the bar, not more");
        assert_eq!(bar_width(1.0, 0.0), 0);
    }

    fn submitted(shown: bool, results: Vec<crate::server::flow::ResultView>) -> Submitted {
        Submitted {
            attempt: "a".into(),
            competition: "c".into(),
            score: 10,
            max_score: 20,
            passed: false,
            answers_shown: shown,
            answers_at: None,
            submitted_at: chrono::Utc::now(),
            duration_ms: 0,
            results,
            certificate: None,
        }
    }

    fn result(id: &str, correct: bool, given: &[&str], answer: &[&str]) -> crate::server::flow::ResultView {
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        crate::server::flow::ResultView {
            id: id.into(),
            correct,
            given: v(given),
            answer: v(answer),
            explanation: "解析".into(),
            basis: "《宪法》第一条".into(),
        }
    }

    #[test]
    fn results_name_judge_answers_and_mark_options() {
        let q = |id: &str, kind, options: &[&str]| PublicQuestion {
            id: id.into(),
            kind,
            stem: "题".into(),
            options: options.iter().map(|s| s.to_string()).collect(),
            points: 10,
        };
        let shown =
            [q("j", QuestionType::Judge, &["正确", "错误"]), q("m", QuestionType::Multiple, &["甲", "乙", "丙"])];
        let s = submitted(true, vec![result("j", false, &["A"], &["B"]), result("m", true, &["A", "C"], &["A", "C"])]);
        let plain = |b: &str| vec![crate::server::laws::Piece { text: b.into(), href: None }];
        let r = results(&shown, &s, Lang::Zh, plain);
        assert_eq!((r[0].given.as_str(), r[0].answer.as_str(), r[0].earned), ("正确", "错误", 0));
        assert_eq!((r[1].given.as_str(), r[1].answer.as_str(), r[1].earned), ("A、C", "A、C", 10));
        let marks: Vec<(bool, bool)> = r[1].options.iter().map(|o| (o.correct, o.given)).collect();
        assert_eq!(marks, [(true, true), (false, false), (true, true)]);
        assert_eq!(r[1].basis, plain("《宪法》第一条"));
        assert!(
            results(&shown, &submitted(false, s.results.clone()), Lang::Zh, plain).is_empty(),
            "hidden until the close"
        );
    }

    #[test]
    fn dates_and_durations_read_as_chinese() {
        let d = DateTime::parse_from_rfc3339("2026-03-01T08:05:00+08:00").unwrap();
        assert_eq!(when(Lang::Zh, &d), "2026年3月1日 08:05");
        assert_eq!(duration(Lang::Zh, 725), "12分05秒");
        assert_eq!(letter(0), "A");
        assert_eq!(letter(3), "D");
    }
}
