//! Judges raw questions: the type, the answer against the options, the texts the bank format requires, and ids
//! unique across all the files of one import. Every problem is a diagnostic at the cell or line it is about.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{at, Field, Imported, Raw, Spot};
use crate::diag::Diagnostics;
use crate::quiz::model::QuestionType;

/// Checks the questions of every file (`label` → its raw questions) for the bank `bank`; generated ids are
/// `bank-` and a hash of the stem, so they stay the same when rows move. All or nothing.
pub fn check(bank: &str, files: &[(PathBuf, Vec<Raw>)]) -> Result<Vec<Imported>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut out = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for (label, raws) in files {
        for raw in raws {
            let before = diags.0.len();
            let q = question(label, bank, raw, &mut diags);
            let (Some(q), true) = (q, diags.0.len() == before) else { continue };
            // A generated id repeats when the stem does: point at the stems then, else at the 编号 cells.
            let f = if raw.id.trim().is_empty() { Field::Stem } else { Field::Id };
            if let Some(other) = seen.get(&q.id) {
                let msg = match f {
                    Field::Stem => format!("题干: the same question as {other}"),
                    _ => format!("编号 {}: used twice, also at {other}", q.id),
                };
                diags.push(at(label, &raw.spot(f), msg));
                continue;
            }
            seen.insert(q.id.clone(), where_(label, &raw.spot(f)));
            out.push(q);
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(out)
    }
}

fn where_(label: &Path, spot: &Spot) -> String {
    let name = label.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match spot {
        Spot::Cell(c) => format!("{name}:{c}"),
        Spot::Line(l) => format!("{name}:{l}"),
    }
}

/// The type named in a 题型 cell or heading: 单选, 单选题, 单项选择题, 多选, 不定项选择, 判断, 是非题…
pub fn kind_of(s: &str) -> Option<QuestionType> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if s.contains("单选") || s.contains("单项选择") {
        Some(QuestionType::Single)
    } else if s.contains("多选") || s.contains("多项选择") || s.contains("不定项") {
        Some(QuestionType::Multiple)
    } else if s.contains("判断") || s.contains("是非") {
        Some(QuestionType::Judge)
    } else {
        match s.to_ascii_lowercase().as_str() {
            "single" => Some(QuestionType::Single),
            "multiple" => Some(QuestionType::Multiple),
            "judge" => Some(QuestionType::Judge),
            _ => None,
        }
    }
}

/// A judge answer: 正确/对/√/是/T/true or 错误/错/×/否/F/false.
pub fn truth_of(s: &str) -> Option<bool> {
    match halfwidth(s.trim()).to_ascii_lowercase().as_str() {
        "正确" | "对" | "√" | "✓" | "✔" | "是" | "t" | "true" | "y" => Some(true),
        "错误" | "错" | "×" | "✗" | "✘" | "x" | "否" | "f" | "false" | "n" => Some(false),
        _ => None,
    }
}

/// Option letters in `B`, `ACD`, `A,C`, `A、C`, `Ａ Ｃ`; None if anything else is written.
pub fn letters_of(s: &str) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    for c in halfwidth(s).chars() {
        match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => out.push((c as u8 - b'A') as usize),
            ',' | '，' | '、' | ';' | '；' | '/' | ' ' | '\t' => {}
            _ => return None,
        }
    }
    out.sort_unstable();
    out.dedup();
    (!out.is_empty()).then_some(out)
}

/// Full-width ASCII (`Ａ`, `，`) as ASCII.
fn halfwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .collect()
}

fn question(label: &Path, bank: &str, raw: &Raw, diags: &mut Diagnostics) -> Option<Imported> {
    let mut err = |f: Field, msg: String| diags.push(at(label, &raw.spot(f), msg));
    let answer = raw.answer.trim();
    let kind = if raw.kind.trim().is_empty() {
        match (truth_of(answer), letters_of(answer)) {
            (Some(_), _) => Some(QuestionType::Judge),
            (None, Some(l)) if l.len() > 1 => Some(QuestionType::Multiple),
            (None, Some(_)) => Some(QuestionType::Single),
            (None, None) => None,
        }
    } else {
        let k = kind_of(&raw.kind);
        if k.is_none() {
            err(Field::Type, format!("题型 {:?}: unknown question type; expected 单选, 多选 or 判断", raw.kind.trim()));
        }
        k
    };
    if raw.stem.trim().is_empty() {
        err(Field::Stem, "题干: missing; every question needs its stem".into());
    }
    for (f, name, v) in [(Field::Explanation, "解析", &raw.explanation), (Field::Basis, "依据", &raw.basis)] {
        if v.trim().is_empty() {
            err(f, format!("{name}: missing; the bank format requires 解析 and 依据 for every question"));
        }
    }
    let id = raw.id.trim();
    if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        err(Field::Id, format!("编号 {id:?}: expected ASCII letters, digits, '-' or '_'"));
    }
    let options: Vec<String> = raw.options.iter().map(|o| o.trim().to_string()).collect();
    let n = options.iter().rposition(|o| !o.is_empty()).map_or(0, |i| i + 1);
    for (i, o) in options[..n].iter().enumerate() {
        if o.is_empty() {
            err(Field::Option(i), format!("选项{}: empty while a later option is given", letter(i)));
        }
    }
    let options = options[..n].to_vec();
    let (mut letters, mut truth) = (Vec::new(), None);
    if answer.is_empty() {
        err(Field::Answer, "答案: missing".into());
    } else {
        match kind {
            None if raw.kind.trim().is_empty() => {
                err(Field::Answer, format!("答案 {answer:?}: expected option letters like B or ACD, or 正确/错误"))
            }
            None => {}
            Some(QuestionType::Judge) => {
                if !options.is_empty() && !options.iter().all(|o| truth_of(o).is_some()) {
                    err(
                        Field::Option(0),
                        "选项A: a judge question has no options (it is answered 正确 or 错误)".into(),
                    );
                }
                truth = truth_of(answer).or_else(|| judge_by_letter(answer, &options));
                if truth.is_none() {
                    err(
                        Field::Answer,
                        format!("答案 {answer:?}: a judge question is answered 正确 or 错误 (or 对/错, √/×)"),
                    );
                }
            }
            Some(k) => {
                let need = if k == QuestionType::Single { 2 } else { 3 };
                if options.len() < need {
                    let name = if k == QuestionType::Single { "单选" } else { "多选" };
                    let msg = format!("{name}: expected at least {need} options, found {}", options.len());
                    err(Field::Option(options.len()), msg);
                }
                match letters_of(answer) {
                    None => err(Field::Answer, format!("答案 {answer:?}: expected option letters like B or ACD")),
                    Some(l) => {
                        if let Some(&bad) = l.iter().find(|&&i| i >= options.len()) {
                            err(Field::Answer, format!("答案 {answer:?}: no option {}", letter(bad)));
                        } else if k == QuestionType::Single && l.len() > 1 {
                            let msg = format!(
                                "答案 {answer:?}: a single-choice question has one answer; for several write 多选"
                            );
                            err(Field::Answer, msg);
                        } else if k == QuestionType::Multiple && l.len() < 2 {
                            err(
                                Field::Answer,
                                format!("答案 {answer:?}: a multiple-choice question has at least two answers"),
                            );
                        }
                        letters = l.into_iter().map(letter).collect();
                    }
                }
            }
        }
    }
    let kind = kind?;
    let id = if id.is_empty() { generated_id(bank, &raw.stem) } else { id.to_string() };
    let options = if kind == QuestionType::Judge { Vec::new() } else { options };
    let origin = where_(label, &raw.spot(Field::Stem));
    Some(Imported {
        id,
        kind,
        stem: raw.stem.trim().to_string(),
        options,
        letters,
        truth,
        explanation: raw.explanation.trim().to_string(),
        basis: raw.basis.trim().to_string(),
        tags: raw.tags.iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect(),
        origin,
    })
}

/// A judge question whose sheet gives 正确 / 错误 as options A / B, answered by letter.
fn judge_by_letter(answer: &str, options: &[String]) -> Option<bool> {
    let l = letters_of(answer)?;
    match l.as_slice() {
        [i] => options.get(*i).and_then(|o| truth_of(o)),
        _ => None,
    }
}

fn letter(i: usize) -> String {
    crate::quiz::letter(i)
}

/// `bank-` and 8 hex digits of the stem's hash, whitespace ignored: the same question keeps its id.
fn generated_id(bank: &str, stem: &str) -> String {
    let s: String = stem.chars().filter(|c| !c.is_whitespace()).collect();
    format!("{bank}-{:08x}", xxhash_rust::xxh3::xxh3_64(s.as_bytes()) as u32)
}
