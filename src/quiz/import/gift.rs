//! Moodle's GIFT text format, for banks exported from Moodle: multiple choice (`=right ~wrong`), multiple answers
//! (`~%50%a ~%50%b ~%-100%c`), true/false (`{T}`), `//` comments, `::title::`, `$CATEGORY:` (its last part becomes
//! a tag) and general feedback (`####…`) as the explanation, with the legal basis its `依据：…` part. Other GIFT
//! types are refused with an error naming the question's line and its type.

use std::path::Path;

use super::{at, Raw, Spot};
use crate::diag::Diagnostics;

/// The questions of a GIFT file; every question Moodle has but the bank format does not is an error.
pub fn parse(label: &Path, text: &str) -> Result<Vec<Raw>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut out = Vec::new();
    let (mut category, mut block, mut start) = (String::new(), String::new(), 0);
    for (i, line) in text.lines().chain(std::iter::once("")).enumerate() {
        let t = line.trim();
        if t.starts_with("//") {
            continue;
        }
        if let Some(c) = t.strip_prefix("$CATEGORY:") {
            category = c.trim().rsplit('/').next().unwrap_or_default().trim().to_string();
            continue;
        }
        // Questions are separated by blank lines, except inside an answer block.
        if t.is_empty() && open_braces(&block) <= 0 {
            if !block.trim().is_empty() {
                match question(&block, start, &category) {
                    Ok(raw) => out.push(raw),
                    Err(msg) => diags.push(at(label, &Spot::Line(start), msg)),
                }
            }
            block.clear();
            continue;
        }
        if block.is_empty() {
            start = i + 1;
        }
        block.push_str(line);
        block.push('\n');
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(out)
    }
}

/// Unescaped `{` minus unescaped `}`.
fn open_braces(s: &str) -> i32 {
    unescaped(s)
        .map(|(_, c)| {
            if c == '{' {
                1
            } else if c == '}' {
                -1
            } else {
                0
            }
        })
        .sum()
}

/// The characters of `s` with their byte offsets, leaving out those after a `\`.
fn unescaped(s: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut escaped = false;
    s.char_indices().filter(move |&(_, c)| {
        let keep = !escaped;
        escaped = !escaped && c == '\\';
        keep && c != '\\'
    })
}

/// `s` split at each unescaped occurrence of one of `marks`: (mark, text after it) in order; text before the
/// first mark is returned with `'\0'`.
fn split_at_marks(s: &str, marks: &[char]) -> Vec<(char, String)> {
    let mut out = vec![('\0', String::new())];
    let mut from = 0;
    for (i, c) in unescaped(s) {
        if marks.contains(&c) {
            if let Some(last) = out.last_mut() {
                last.1 = s[from..i].to_string();
            }
            out.push((c, String::new()));
            from = i + c.len_utf8();
        }
    }
    if let Some(last) = out.last_mut() {
        last.1 = s[from..].to_string();
    }
    out
}

/// The text as written: `\n` is a line break, `\=` `\~` `\#` `\{` `\}` `\:` `\\` the character itself.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
        } else if let Some(d) = chars.next() {
            out.push(if d == 'n' { '\n' } else { d });
        }
    }
    out.trim().to_string()
}

fn refuse(kind: &str) -> String {
    format!("GIFT: {kind} questions cannot be imported; only multiple choice, multiple answers and true/false")
}

fn question(block: &str, line: usize, category: &str) -> Result<Raw, String> {
    let braces: Vec<usize> = unescaped(block).filter(|(_, c)| *c == '{' || *c == '}').map(|(i, _)| i).collect();
    let [open, close] = braces[..] else {
        return Err("GIFT: expected one answer block in braces after the question text".to_string());
    };
    let (mut stem, inner, after) = (block[..open].trim(), &block[open + 1..close], unescape(&block[close + 1..]));
    let mut id = String::new();
    if let Some((title, rest)) = stem.strip_prefix("::").and_then(|s| s.split_once("::")) {
        if title.trim().chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            id = title.trim().to_string();
        }
        stem = rest.trim();
    }
    if let Some((format, rest)) = stem.strip_prefix('[').and_then(|s| s.split_once(']')) {
        if ["html", "moodle", "plain", "markdown"].contains(&format) {
            stem = rest.trim();
        }
    }
    // A text after the block is Moodle's "missing word" layout: the blank goes where the block was.
    let stem = if after.is_empty() { unescape(stem) } else { format!("{}（ ）{after}", unescape(stem)) };
    let (answers, feedback) = match inner.find("####") {
        Some(i) => (&inner[..i], unescape(&inner[i + 4..])),
        None => (inner, String::new()),
    };
    let (explanation, basis) = ["法律依据：", "法律依据:", "依据：", "依据:"]
        .iter()
        .find_map(|k| feedback.split_once(k).map(|(e, b)| (e.trim().to_string(), b.trim().to_string())))
        .unwrap_or((feedback.clone(), String::new()));
    let mut raw = Raw { id, stem, explanation, basis, spot: Some(Spot::Line(line)), ..Raw::default() };
    if !category.is_empty() {
        raw.tags = vec![category.to_string()];
    }
    let a = answers.trim();
    let word = a.split('#').next().unwrap_or_default().trim().to_ascii_uppercase();
    if a.is_empty() {
        return Err(refuse("essay (问答)"));
    } else if a.starts_with('#') {
        return Err(refuse("numerical (数值)"));
    } else if matches!(word.as_str(), "T" | "TRUE" | "F" | "FALSE") {
        raw.kind = "judge".into();
        raw.answer = if word.starts_with('T') { "正确" } else { "错误" }.into();
        return Ok(raw);
    } else if a.contains("->") {
        return Err(refuse("matching (匹配)"));
    }
    let parts = split_at_marks(a, &['=', '~']);
    if !parts.iter().skip(1).any(|(m, _)| *m == '~') {
        return Err(refuse("short answer (填空)"));
    }
    let mut letters = String::new();
    for (i, (mark, text)) in parts.iter().skip(1).enumerate() {
        let mut text = text.as_str();
        let mut weight = 0.0;
        if let Some((w, rest)) = text.trim_start().strip_prefix('%').and_then(|t| t.split_once('%')) {
            weight = w.trim().parse::<f64>().unwrap_or(0.0);
            text = rest;
        }
        let text = split_at_marks(text, &['#']).swap_remove(0).1;
        raw.options.push(unescape(&text));
        if *mark == '=' || weight > 0.0 {
            letters.push(char::from(b'A' + (i % 26) as u8));
        }
    }
    raw.kind = if letters.chars().count() > 1 { "multiple" } else { "single" }.into();
    raw.answer = letters;
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_marks() {
        assert_eq!(unescape(r"a \= b \~ c \{d\} \# e\: f"), "a = b ~ c {d} # e: f");
        let parts = split_at_marks(r"=甲 ~乙\~丙 ~丁", &['=', '~']);
        let got: Vec<(char, &str)> = parts.iter().map(|(m, t)| (*m, t.trim())).collect();
        assert_eq!(got, [('\0', ""), ('=', "甲"), ('~', r"乙\~丙"), ('~', "丁")]);
        assert_eq!(open_braces(r"a { b \} c"), 1);
    }
}
