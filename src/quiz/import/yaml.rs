//! Writes imported questions in the bank format of quizzes/README.md, laid out and commented as a person would
//! write it: one block per question, the type's name and the question's source beside it.

use std::fmt::Write;

use super::Imported;
use crate::i18n::{fill, t, Lang};
use crate::quiz::files::{AnswerFile, QuestionFile};
use crate::quiz::model::QuestionType;

/// The bank file's text. `sources` names the imported files in the header comment.
pub fn bank(lang: Lang, id: &str, title: &str, sources: &str, questions: &[Imported]) -> String {
    let mut out = String::new();
    for line in fill(t(lang, "import.yaml.header"), &[("files", sources)]).lines() {
        let _ = writeln!(out, "# {line}");
    }
    let _ = writeln!(out, "id: {}", scalar(id));
    let _ = writeln!(out, "title: {}", scalar(title));
    let _ = writeln!(out, "questions:");
    for q in questions {
        out.push('\n');
        if !q.origin.is_empty() {
            let _ = writeln!(out, "  # {}", fill(t(lang, "import.yaml.from"), &[("origin", &q.origin)]));
        }
        let (kind, name) = match q.kind {
            QuestionType::Single => ("single", "quiz.kind.single"),
            QuestionType::Multiple => ("multiple", "quiz.kind.multiple"),
            QuestionType::Judge => ("judge", "quiz.kind.judge"),
        };
        let _ = writeln!(out, "  - id: {}", scalar(&q.id));
        let _ = writeln!(out, "    type: {kind}   # {}", t(lang, name));
        let _ = writeln!(out, "    stem: {}", scalar(&q.stem));
        if !q.options.is_empty() {
            let _ = writeln!(out, "    options:");
            for o in &q.options {
                let _ = writeln!(out, "      - {}", scalar(o));
            }
        }
        let answer = match (q.truth, q.letters.as_slice()) {
            (Some(b), _) => format!("{b}   # {}", t(lang, if b { "quiz.judge.true" } else { "quiz.judge.false" })),
            (None, [one]) => one.clone(),
            (None, many) => format!("[{}]", many.join(", ")),
        };
        let _ = writeln!(out, "    answer: {answer}");
        let _ = writeln!(out, "    explanation: {}", scalar(&q.explanation));
        let _ = writeln!(out, "    basis: {}", scalar(&q.basis));
        if !q.tags.is_empty() {
            let tags: Vec<String> = q.tags.iter().map(|s| flow(s)).collect();
            let _ = writeln!(out, "    tags: [{}]", tags.join(", "));
        }
    }
    out
}

/// `s` as a YAML scalar: plain when it reads back as the same string, else double-quoted (JSON's escaping is
/// YAML's).
pub(crate) fn scalar(s: &str) -> String {
    let plain = !s.contains(['\n', '\r', '\t']) && s.trim() == s && !s.is_empty();
    match serde_yaml_ng::from_str::<serde_yaml_ng::Value>(s) {
        Ok(serde_yaml_ng::Value::String(back)) if plain && back == s => s.to_string(),
        _ => quoted(s),
    }
}

/// `s` inside a flow sequence, where commas and brackets also end a plain scalar.
fn flow(s: &str) -> String {
    if s.contains([',', '[', ']', '{', '}']) {
        quoted(s)
    } else {
        scalar(s)
    }
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// A question already in the bank, to be written back beside the imported ones.
pub fn from_file(q: QuestionFile) -> Imported {
    let (letters, truth) = match q.answer {
        AnswerFile::Bool(b) => (Vec::new(), Some(b)),
        AnswerFile::One(s) => (vec![s], None),
        AnswerFile::Many(v) => (v, None),
    };
    Imported {
        id: q.id,
        kind: q.kind,
        stem: q.stem,
        options: q.options,
        letters,
        truth,
        explanation: q.explanation,
        basis: q.basis,
        tags: q.tags,
        origin: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_read_back_as_written() {
        for s in ["宪法", "true", "1", "a: b", "- x", "[A]", "# no", " lead", "two\nlines", "null", "“引号”", "'q'"]
        {
            let back: String = serde_yaml_ng::from_str(&scalar(s)).unwrap();
            assert_eq!(back, s);
        }
        assert_eq!(scalar("我国的根本制度是（ ）。"), "我国的根本制度是（ ）。");
    }
}
