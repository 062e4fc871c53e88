//! Plain-text facts about a body: the summary, the word count and the reading time, counted the Chinese way
//! (characters for CJK text, words for Latin text).

use pulldown_cmark::{Event, Parser, TagEnd};

/// How many characters an automatic summary keeps before it is cut with `…`.
pub const SUMMARY_CHARS: usize = 120;

/// Markers that end the summary, Hugo's and Zola's spelling.
const MORE: [&str; 2] = ["<!-- more -->", "<!--more-->"];

/// Counts of a text for reading time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// CJK characters (Han, kana, hangul).
    pub cjk: usize,
    /// Runs of other letters and digits.
    pub words: usize,
}

impl Counts {
    /// Adds the characters and words of `s`. A word split between two calls is counted twice, which only
    /// happens at markup boundaries and does not move the reading time.
    pub fn add(&mut self, s: &str) {
        let mut in_word = false;
        for c in s.chars() {
            if is_cjk(c) {
                self.cjk += 1;
                in_word = false;
            } else if c.is_alphanumeric() {
                if !in_word {
                    self.words += 1;
                }
                in_word = true;
            } else {
                in_word = false;
            }
        }
    }

    /// CJK characters plus Latin words.
    pub fn total(self) -> usize {
        self.cjk + self.words
    }

    /// Minutes at 300 CJK characters or 200 words a minute, rounded up, at least 1.
    pub fn reading_minutes(self) -> usize {
        // cjk/300 + words/200 == (2*cjk + 3*words)/600, kept in integers.
        (2 * self.cjk + 3 * self.words).div_ceil(600).max(1)
    }
}

/// Whether `c` is read as one "word" on its own: Han ideographs, kana and hangul.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}'
        | '\u{3040}'..='\u{30FF}' | '\u{AC00}'..='\u{D7AF}')
}

/// What the loader needs from a body in one pass: its counts and its summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub counts: Counts,
    pub summary: String,
}

/// Reads a body once: counts everything and builds the summary (`summary` from front matter wins, then the text
/// before `<!-- more -->`, then the first [`SUMMARY_CHARS`] characters cut with `…`).
pub fn facts(body: &str, front_summary: Option<&str>) -> Facts {
    let mut counts = Counts::default();
    let mut head = Head::new(SUMMARY_CHARS);
    walk_text(body, |s| {
        counts.add(s);
        head.push(s);
    });
    let summary = match (front_summary, MORE.iter().find_map(|m| body.find(m))) {
        (Some(s), _) => s.trim().to_string(),
        (None, Some(cut)) => {
            let mut all = Head::new(usize::MAX);
            walk_text(&body[..cut], |s| all.push(s));
            all.finish()
        }
        (None, None) => head.finish(),
    };
    Facts { counts, summary }
}

/// Calls `f` with every piece of visible text, and a space between blocks so words do not run together.
pub fn walk_text(markdown: &str, mut f: impl FnMut(&str)) {
    for ev in Parser::new(markdown) {
        match ev {
            Event::Text(t) | Event::Code(t) => f(&t),
            Event::SoftBreak | Event::HardBreak => f(" "),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::CodeBlock) => f(" "),
            _ => {}
        }
    }
}

/// The first `max` characters of a text with whitespace collapsed.
struct Head {
    out: String,
    chars: usize,
    max: usize,
    cut: bool,
    space: bool,
}

impl Head {
    fn new(max: usize) -> Self {
        Head { out: String::new(), chars: 0, max, cut: false, space: false }
    }

    fn push(&mut self, s: &str) {
        for c in s.chars() {
            if self.cut {
                return;
            }
            if c.is_whitespace() {
                self.space = !self.out.is_empty();
                continue;
            }
            if self.chars + usize::from(self.space) >= self.max {
                self.cut = true;
                return;
            }
            if std::mem::take(&mut self.space) {
                self.out.push(' ');
                self.chars += 1;
            }
            self.out.push(c);
            self.chars += 1;
        }
    }

    fn finish(mut self) -> String {
        if self.cut {
            self.out.push('…');
        }
        self.out
    }
}
