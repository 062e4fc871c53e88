//! Exam documents as text (.txt, and the paragraphs of a .docx): numbered stems (`1.`, `1、`, `1．`, `（1）`),
//! options `A.`/`A、`/`A．` on their own lines or several on one, `答案：`, `解析：`, `依据：`/`法律依据：` lines,
//! and the type from section headings (一、单选题 …) or else from the answer's shape.

use super::{Field, Raw, Spot};

/// Options a document may have: A … H.
const LETTERS: &str = "ABCDEFGH";

/// The questions of a document, one entry a line (or paragraph; it may hold line breaks): line numbers are the
/// entries' 1-based positions. Text before the first question (a title) is not a question and is skipped.
pub fn parse(lines: Vec<String>) -> Vec<Raw> {
    let mut p = Parser::default();
    for (n, entry) in lines.iter().enumerate() {
        for line in entry.split('\n') {
            p.line(n + 1, line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}'));
        }
    }
    p.flush();
    p.out
}

#[derive(Default)]
struct Parser {
    out: Vec<Raw>,
    section: String,
    current: Option<Raw>,
    /// The field a line without a label continues.
    last: Option<Field>,
}

impl Parser {
    fn flush(&mut self) {
        if let Some(q) = self.current.take() {
            self.out.push(q);
        }
        self.last = None;
    }

    fn line(&mut self, n: usize, line: &str) {
        if line.is_empty() {
            return;
        }
        if let Some(kind) = heading(line) {
            self.flush();
            self.section = kind.to_string();
            return;
        }
        if let Some(stem) = numbered(line) {
            self.flush();
            let mut q =
                Raw { kind: self.section.clone(), stem: stem.to_string(), spot: Some(Spot::Line(n)), ..Raw::default() };
            q.spots.insert(Field::Stem, Spot::Line(n));
            self.current = Some(q);
            self.last = Some(Field::Stem);
            return;
        }
        let Some(q) = self.current.as_mut() else { return };
        if let Some((field, value)) = labelled(line) {
            q.spots.insert(field, Spot::Line(n));
            match field {
                Field::Answer => q.answer = value.to_string(),
                Field::Explanation => q.explanation = value.to_string(),
                Field::Basis => q.basis = value.to_string(),
                Field::Id => q.id = value.to_string(),
                Field::Type => q.kind = value.to_string(),
                _ => q.tags = value.split([',', '，', '、', ';', '；', ' ']).map(str::to_string).collect(),
            }
            self.last = Some(field);
            return;
        }
        if q.answer.is_empty() {
            if let Some(options) = options(line) {
                for (i, text) in options {
                    if q.options.len() <= i {
                        q.options.resize(i + 1, String::new());
                    }
                    q.options[i] = text;
                    q.spots.insert(Field::Option(i), Spot::Line(n));
                    self.last = Some(Field::Option(i));
                }
                q.spots.entry(Field::Option(q.options.len())).or_insert(Spot::Line(n));
                return;
            }
        }
        let target = match self.last {
            Some(Field::Stem) => &mut q.stem,
            Some(Field::Option(i)) => &mut q.options[i],
            Some(Field::Explanation) => &mut q.explanation,
            Some(Field::Basis) => &mut q.basis,
            _ => return,
        };
        target.push('\n');
        target.push_str(line);
    }
}

/// The digits (ASCII or full-width) at the start of `s`, and the rest.
fn digits(s: &str) -> Option<&str> {
    let rest = s.trim_start_matches(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c));
    (rest.len() < s.len()).then_some(rest)
}

/// The stem of a numbered line: `1.`, `1、`, `1．`, `1)`, `（1）`, `(1)`.
fn numbered(line: &str) -> Option<&str> {
    let rest = if let Some(inner) = line.strip_prefix('（').or_else(|| line.strip_prefix('(')) {
        digits(inner.trim_start())?.trim_start().strip_prefix(['）', ')'])?
    } else {
        let rest = digits(line)?.trim_start();
        let sep = rest.chars().next().filter(|c| ".、．:：)）".contains(*c))?;
        // `1.5 万元` is a number in a sentence, not a numbered stem.
        let after = &rest[sep.len_utf8()..];
        if sep == '.' && after.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        after
    };
    Some(rest.trim())
}

/// The type of a section heading: 一、单选题 / （二）多项选择题 / 三．判断题 / 判断题.
fn heading(line: &str) -> Option<&str> {
    let numerals = |c: char| "一二三四五六七八九十".contains(c);
    let rest = line.trim_start_matches(['（', '(', '第']).trim_start_matches(numerals);
    let rest = rest.trim_start_matches(['、', '.', '．', '）', ')', ' ', '部', '分']);
    let short = rest.chars().count() <= 24 && !rest.contains(['：', ':', '。', '？']);
    // 判断题（每题1分，共10分） is a heading too: a short line that starts with the type's name.
    let named = ["单选", "单项", "多选", "多项", "不定项", "判断", "是非"].iter().any(|k| rest.starts_with(k));
    (short && (rest.len() < line.len() || named) && super::check::kind_of(rest).is_some()).then_some(rest)
}

/// A labelled line: `答案：B`, `【解析】…`, `法律依据：…`.
fn labelled(line: &str) -> Option<(Field, &str)> {
    let (label, value) = if let Some(inner) = line.strip_prefix('【') {
        inner.split_once('】')?
    } else {
        line.split_once(['：', ':'])?
    };
    let field = match label.trim() {
        "答案" | "正确答案" | "参考答案" => Field::Answer,
        "解析" | "答案解析" | "试题解析" => Field::Explanation,
        "依据" | "法律依据" | "法条依据" => Field::Basis,
        "标签" => Field::Tags,
        "编号" | "题目编号" => Field::Id,
        "题型" => Field::Type,
        _ => return None,
    };
    Some((field, value.trim_start_matches(['：', ':']).trim()))
}

/// The option letter of `c` (ASCII or full-width), if it is A … H.
fn option_index(c: char) -> Option<usize> {
    let c = if ('Ａ'..='Ｈ').contains(&c) { char::from_u32(c as u32 - 0xFEE0)? } else { c };
    LETTERS.find(c)
}

/// One or more options on a line, `A.甲` or `A、甲  B、乙  C．丙`: each letter must follow the previous one.
fn options(line: &str) -> Option<Vec<(usize, String)>> {
    let mut chars = line.char_indices().peekable();
    let (_, first) = chars.next()?;
    let mut next = option_index(first)?;
    let mut starts = Vec::new();
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        if prev_space && option_index(c) == Some(next) {
            let after = &line[i + c.len_utf8()..];
            if after.starts_with(['.', '、', '．', ':', '：', ')', '）']) {
                starts.push((next, i, i + c.len_utf8() + after.chars().next().map_or(0, char::len_utf8)));
                next += 1;
            }
        }
        prev_space = c.is_whitespace() || c == '\u{3000}';
    }
    if starts.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for (k, &(i, _, text_at)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(line.len(), |s| s.1);
        out.push((i, line[text_at..end].trim().to_string()));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_told_apart() {
        assert_eq!(numbered("1．我国的根本制度是（ ）。"), Some("我国的根本制度是（ ）。"));
        assert_eq!(numbered("（12）题干"), Some("题干"));
        assert_eq!(numbered("1.5万元以下"), None);
        assert_eq!(heading("一、单项选择题（每题2分）"), Some("单项选择题（每题2分）"));
        assert_eq!(heading("判断题"), Some("判断题"));
        assert_eq!(heading("判断题（每题1分，共10分）"), Some("判断题（每题1分，共10分）"));
        assert_eq!(heading("下列说法是否正确，请判断"), None);
        assert_eq!(labelled("【答案】B"), Some((Field::Answer, "B")));
        let got = options("A.甲  B、乙 C．丙").unwrap();
        assert_eq!(got, vec![(0, "甲".into()), (1, "乙".into()), (2, "丙".into())]);
        assert_eq!(options("B.乙"), Some(vec![(1, "乙".into())]));
        assert_eq!(options("Apple 是公司"), None);
    }
}
