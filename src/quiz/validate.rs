//! Checks the meaning of parsed quiz files (answers that exist, enough questions to draw, sane times) and turns
//! them into the model. Every problem becomes a diagnostic pointing at the exact node it is about.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use chrono::DateTime;

use super::files::{AnswerFile, BankFile, CompetitionFile, DrawRuleFile, QuestionFile};
use super::locate::{locate_near, Seg, Seg::Index, Seg::Key};
use super::model::{Bank, Competition, DrawRule, OrgKind, Organization, PublicNames, Question, QuestionType};
use crate::diag::{Diagnostic, Diagnostics};

/// One file being checked: where its errors go and how to find positions in it.
pub struct Cx<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub diags: &'a mut Diagnostics,
}

impl Cx<'_> {
    /// Records an error at the node `at` (or its closest existing ancestor).
    pub fn err(&mut self, at: &[Seg], msg: impl Into<String>) {
        let (line, col) = locate_near(self.text, at);
        self.diags.push(Diagnostic::error(self.path, line, col, msg));
    }
}

/// The letter shown for option `i`: A, B, C…
pub fn letter(i: usize) -> String {
    char::from(b'A' + (i % 26) as u8).to_string()
}

/// The option index of a letter written in a file (`A` → 0), if it is one upper-case letter.
fn letter_index(s: &str) -> Option<usize> {
    match s.as_bytes() {
        [c @ b'A'..=b'Z'] => Some((c - b'A') as usize),
        _ => None,
    }
}

/// Ids appear in URLs, exports and the database: keep them to ASCII letters, digits, `-` and `_`.
pub(crate) fn check_id(cx: &mut Cx, at: &[Seg], id: &str) {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        cx.err(at, format!("id: expected ASCII letters, digits, '-' or '_', found {id:?}"));
    }
}

pub(crate) fn check_text(cx: &mut Cx, at: &[Seg], key: &str, value: &str, why: &str) {
    if value.trim().is_empty() {
        cx.err(at, format!("{key}: must not be empty{why}"));
    }
}

/// Checks a bank and builds it from its questions, each with its index in the file (questions that did not
/// parse are left out). Faulty questions are kept so that later checks do not cascade.
pub fn bank<Q>(cx: &mut Cx, file: BankFile<Q>, parsed: Vec<(usize, QuestionFile)>) -> Bank {
    check_id(cx, &[Key("id")], &file.id);
    check_text(cx, &[Key("title")], "title", &file.title, "");
    let mut questions = Vec::with_capacity(parsed.len());
    let mut lines = IdLines { text: cx.text, pos: 0, line: 1 };
    for (i, q) in parsed {
        let line = lines.next(&q.id);
        questions.push(question(cx, &file.id, i, q, line));
    }
    Bank { id: file.id, title: file.title, source: cx.path.to_path_buf(), questions }
}

/// Finds the line of each question's id, scanning forward once through the file. `Question::line` is only a
/// hint for later messages, so the first occurrence of the id text after the previous question is close enough.
struct IdLines<'t> {
    text: &'t str,
    pos: usize,
    line: usize,
}

impl IdLines<'_> {
    fn next(&mut self, id: &str) -> usize {
        if let Some(k) = self.text[self.pos..].find(id).filter(|_| !id.is_empty()) {
            let end = self.pos + k;
            self.line += self.text[self.pos..end].matches('\n').count();
            self.pos = end + id.len();
        }
        self.line
    }
}

fn question(cx: &mut Cx, bank: &str, i: usize, q: QuestionFile, line: usize) -> Question {
    let at = |k| [Key("questions"), Index(i), Key(k)];
    check_id(cx, &at("id"), &q.id);
    check_text(cx, &at("stem"), "stem", &q.stem, "");
    check_text(cx, &at("explanation"), "explanation", &q.explanation, " (解析 tells why the answer is right)");
    check_text(
        cx,
        &at("basis"),
        "basis",
        &q.basis,
        " (every question states its legal basis, e.g. 《中华人民共和国宪法》第三十三条)",
    );
    for (j, o) in q.options.iter().enumerate() {
        let here = [Key("questions"), Index(i), Key("options"), Index(j)];
        if o.trim().is_empty() {
            cx.err(&here, format!("options: option {} must not be empty", letter(j)));
        } else if let Some(k) = q.options[..j].iter().position(|p| p.trim() == o.trim()) {
            cx.err(&here, format!("options: option {} repeats option {}", letter(j), letter(k)));
        }
    }
    if q.options.len() > 26 {
        cx.err(&at("options"), format!("options: at most 26 options (A–Z), found {}", q.options.len()));
    }
    let answer = answer(cx, i, &q);
    Question {
        id: q.id,
        bank: bank.to_string(),
        kind: q.kind,
        stem: q.stem,
        options: q.options,
        answer,
        explanation: q.explanation,
        basis: q.basis,
        tags: q.tags,
        line,
    }
}

/// Checks options count and answer shape for the question's type; returns the answer as option indices.
fn answer(cx: &mut Cx, i: usize, q: &QuestionFile) -> Vec<usize> {
    let at = |k| [Key("questions"), Index(i), Key(k)];
    let n = q.options.len();
    let last = letter(n.max(1) - 1);
    let found = |a: &AnswerFile| match a {
        AnswerFile::Bool(b) => b.to_string(),
        AnswerFile::One(s) => format!("{s:?}"),
        AnswerFile::Many(v) => format!("[{}]", v.join(", ")),
    };
    match q.kind {
        QuestionType::Judge => {
            if n > 0 {
                cx.err(
                    &at("options"),
                    format!("options: a judge question has no options (it is shown as 正确 / 错误), found {n}"),
                );
            }
            match q.answer {
                AnswerFile::Bool(b) => vec![usize::from(!b)],
                ref a => {
                    cx.err(
                        &at("answer"),
                        format!("answer: a judge question expects true or false, found {}", found(a)),
                    );
                    vec![]
                }
            }
        }
        QuestionType::Single => {
            if n < 2 {
                cx.err(&at("options"), format!("options: a single question needs at least 2 options, found {n}"));
            }
            match &q.answer {
                AnswerFile::One(s) => match letter_index(s) {
                    Some(k) if k < n => vec![k],
                    _ => {
                        cx.err(
                            &at("answer"),
                            format!("answer: expected one letter A–{last} naming an option, found {s:?}"),
                        );
                        vec![]
                    }
                },
                a => {
                    cx.err(
                        &at("answer"),
                        format!("answer: a single question expects one letter like A, found {}", found(a)),
                    );
                    vec![]
                }
            }
        }
        QuestionType::Multiple => {
            if n < 3 {
                cx.err(&at("options"), format!("options: a multiple question needs at least 3 options, found {n}"));
            }
            let AnswerFile::Many(letters) = &q.answer else {
                let msg = format!(
                    "answer: a multiple question expects a list of at least 2 letters like [A, C], found {}",
                    found(&q.answer)
                );
                cx.err(&at("answer"), msg);
                return vec![];
            };
            if letters.len() < 2 {
                cx.err(
                    &at("answer"),
                    format!("answer: a multiple question expects at least 2 letters, found {}", letters.len()),
                );
            }
            let mut out: Vec<usize> = Vec::new();
            for (j, s) in letters.iter().enumerate() {
                let here = [Key("questions"), Index(i), Key("answer"), Index(j)];
                match letter_index(s) {
                    Some(k) if k < n && out.contains(&k) => cx.err(&here, format!("answer: letter {s} is given twice")),
                    Some(k) if k < n => out.push(k),
                    _ => cx.err(&here, format!("answer: expected a letter A–{last} naming an option, found {s:?}")),
                }
            }
            out.sort_unstable();
            out
        }
    }
}

/// Checks one organization of `organizations.yaml` (at index `i`).
pub fn organization(cx: &mut Cx, i: usize, o: &Organization) {
    check_id(cx, &[Index(i), Key("id")], &o.id);
    check_text(cx, &[Index(i), Key("name")], "name", &o.name, "");
    if o.headcount == 0 {
        cx.err(
            &[Index(i), Key("headcount")],
            "headcount: expected at least 1 (it is the denominator of the participation rate)",
        );
    }
}

/// Checks a competition against the loaded banks and builds it.
/// Competition ids that would collide with the server's own paths under `/quiz/`.
pub const RESERVED_COMPETITION_IDS: [&str; 2] = ["a", "admin"];

/// The `opens` and `closes` times of a file, each an error when it is not RFC 3339, and an error when the window
/// is empty.
pub(crate) fn window(cx: &mut Cx, opens: &str, closes: &str) -> (Result<Time, ()>, Result<Time, ()>) {
    let time = |cx: &mut Cx, key: &'static str, v: &str| {
        DateTime::parse_from_rfc3339(v.trim()).map_err(|_| {
            cx.err(&[Key(key)], format!("{key}: expected an RFC 3339 time like 2026-03-01T08:00:00+08:00, found {v:?}"))
        })
    };
    let o = time(cx, "opens", opens);
    let c = time(cx, "closes", closes);
    if let (Ok(o), Ok(c)) = (o, c) {
        if c <= o {
            cx.err(&[Key("closes")], format!("closes: must be after opens ({})", opens.trim()));
        }
    }
    (o, c)
}

type Time = DateTime<chrono::FixedOffset>;

pub fn competition(
    cx: &mut Cx,
    f: CompetitionFile,
    banks: &BTreeMap<String, Bank>,
    partial: &HashSet<String>,
) -> Competition {
    check_id(cx, &[Key("id")], &f.id);
    if RESERVED_COMPETITION_IDS.contains(&f.id.as_str()) {
        cx.err(
            &[Key("id")],
            format!("id: {:?} is reserved for the pages' own addresses (/quiz/a/…, /quiz/admin); choose another", f.id),
        );
    }
    check_text(cx, &[Key("title")], "title", &f.title, "");
    let (opens, closes) = window(cx, &f.opens, &f.closes);
    let time_limit = match humantime::parse_duration(f.time_limit.trim()) {
        Ok(d) if !d.is_zero() => d,
        _ => {
            cx.err(
                &[Key("time_limit")],
                format!("time_limit: expected a positive duration like 20m or 1h30m, found {:?}", f.time_limit),
            );
            std::time::Duration::ZERO
        }
    };
    if f.attempts == 0 {
        cx.err(&[Key("attempts")], "attempts: expected at least 1");
    }
    draw_rules(cx, &f.draw, banks, partial);
    let draw: Vec<DrawRule> = f.draw.iter().map(DrawRule::from).collect();
    let max: u32 = draw.iter().map(|r| r.count as u32 * r.points).sum();
    if f.pass_score > max {
        cx.err(
            &[Key("pass_score")],
            format!("pass_score: {} is more than the highest possible score {max}", f.pass_score),
        );
    }
    if f.kinds.as_ref().is_some_and(Vec::is_empty) {
        cx.err(
            &[Key("kinds")],
            "kinds: expected at least one of school, enterprise, other (or leave it out to admit all)",
        );
    }
    let admits_schools = f.kinds.as_ref().is_none_or(|k| k.contains(&OrgKind::School));
    if f.public_names == PublicNames::Full && admits_schools {
        cx.err(
            &[Key("public_names")],
            "public_names: full is only for competitions without schools (pupils are minors); \
             use masked or hidden, or set kinds to leave out school",
        );
    }
    let campaign = super::campaign::check(cx, &f, opens.ok());
    let certificates = super::certificate::levels(cx, f.certificate, f.pass_score, max);
    let epoch = DateTime::UNIX_EPOCH.fixed_offset();
    Competition {
        id: f.id,
        title: f.title,
        description: f.description,
        opens: opens.unwrap_or(epoch),
        closes: closes.unwrap_or(epoch),
        time_limit,
        attempts: f.attempts,
        draw,
        shuffle_options: f.shuffle_options,
        shuffle_questions: f.shuffle_questions,
        pass_score: f.pass_score,
        kinds: f.kinds,
        show_answers: f.show_answers,
        public_names: f.public_names,
        certificates,
        campaign,
        source: cx.path.to_path_buf(),
    }
}

/// Draw rules: known banks, positive counts and points, and never more questions than a bank holds —
/// summed over all rules on the same bank and type, and over all rules on the bank for rules of any type.
/// Banks in `partial` had questions that did not parse: their supply is unknown, so it is not checked.
fn draw_rules(cx: &mut Cx, rules: &[DrawRuleFile], banks: &BTreeMap<String, Bank>, partial: &HashSet<String>) {
    if rules.is_empty() {
        cx.err(&[Key("draw")], "draw: expected at least one rule like {bank: xianfa, count: 10, points: 10}");
    }
    let mut asked: HashMap<(&str, Option<QuestionType>), usize> = HashMap::new();
    for (i, r) in rules.iter().enumerate() {
        let at = |k| [Key("draw"), Index(i), Key(k)];
        if r.count == 0 {
            cx.err(&at("count"), "count: expected at least 1");
        }
        if r.points == 0 {
            cx.err(&at("points"), "points: expected at least 1");
        }
        let Some(bank) = banks.get(&r.bank) else {
            let known: Vec<&str> = banks.keys().map(String::as_str).collect();
            cx.err(&at("bank"), format!("bank: unknown bank {:?} (known: {})", r.bank, known.join(", ")));
            continue;
        };
        if partial.contains(&r.bank) {
            continue;
        }
        let total = asked.entry((&r.bank, None)).or_default();
        *total += r.count;
        let total = *total;
        if total > bank.questions.len() {
            let msg = format!(
                "count: the rules on bank {} ask for {total} questions in all, but it has only {}",
                r.bank,
                bank.questions.len()
            );
            cx.err(&at("count"), msg);
        } else if let Some(kind) = r.kind {
            let typed = asked.entry((&r.bank, Some(kind))).or_default();
            *typed += r.count;
            let have = bank.questions.iter().filter(|q| q.kind == kind).count();
            if *typed > have {
                let name = serde_yaml_ng::to_string(&kind).unwrap_or_default();
                let msg = format!(
                    "count: the rules on bank {} ask for {} {} questions in all, but it has only {have}",
                    r.bank,
                    *typed,
                    name.trim()
                );
                cx.err(&at("count"), msg);
            }
        }
    }
}
