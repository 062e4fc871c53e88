//! Plain-text facts about a body: the summary, the word count and the reading time, counted the Chinese way
//! (characters for CJK text, words for Latin text).

use pulldown_cmark::{Event, Parser, TagEnd};

/// How many characters an automatic summary keeps before it is cut with `…`.
pub const SUMMARY_CHARS: usize = 120;

/// Markers that end the summary, Hugo's and Zola's spelling.
const MORE: [&str; 2] = ["<!-- more -->", "<!--more-->"];

/// Counts of a text for reading time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
        // Runs over every byte of every page, so ASCII takes a byte fast path and other characters are decoded
        // by hand from their (valid, since `s` is a str) UTF-8 bytes instead of through `chars()`.
        let b = s.as_bytes();
        let mut in_word = false;
        let mut i = 0;
        while i < b.len() {
            let x = b[i];
            let (c, width) = match x {
                0..=0x7F => {
                    let alnum = x.is_ascii_alphanumeric();
                    if alnum && !in_word {
                        self.words += 1;
                    }
                    in_word = alnum;
                    i += 1;
                    continue;
                }
                0xC0..=0xDF => (u32::from(x & 0x1F) << 6 | u32::from(b[i + 1] & 0x3F), 2),
                0xE0..=0xEF => {
                    (u32::from(x & 0x0F) << 12 | u32::from(b[i + 1] & 0x3F) << 6 | u32::from(b[i + 2] & 0x3F), 3)
                }
                _ => (
                    u32::from(x & 0x07) << 18
                        | u32::from(b[i + 1] & 0x3F) << 12
                        | u32::from(b[i + 2] & 0x3F) << 6
                        | u32::from(b[i + 3] & 0x3F),
                    4,
                ),
            };
            i += width;
            let c = char::from_u32(c).unwrap_or(' ');
            if is_cjk(c) {
                self.cjk += 1;
                in_word = false;
            } else if is_letter_or_digit(c) {
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

/// Whether a line break between two `c` is no space in the text: Chinese and Japanese characters and their
/// full-width punctuation (Korean separates words with spaces, so hangul is not wide here).
pub fn is_wide(c: char) -> bool {
    (is_cjk(c) && !('\u{AC00}'..='\u{D7AF}').contains(&c))
        || matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF01}'..='\u{FF60}' | '\u{FE30}'..='\u{FE4F}' | '\u{2014}' | '\u{2026}' | '\u{201C}' | '\u{201D}' | '\u{2018}' | '\u{2019}')
}

/// `char::is_alphanumeric`, with quick answers for ASCII, CJK and the punctuation of Chinese text, which make up
/// nearly every character here (the general check walks Unicode tables).
pub fn is_letter_or_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if is_cjk(c) {
        return true;
    }
    // Spaces, quotes, dashes, ellipses, 、。《》「」【】 and full-width ，！：（）？ are punctuation; 々〆〇 are not.
    if matches!(c, '\u{2000}'..='\u{206F}' | '\u{3000}'..='\u{3004}' | '\u{3008}'..='\u{3020}'
        | '\u{FF01}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}')
    {
        return false;
    }
    c.is_alphanumeric()
}

/// What the loader needs from a body: its counts and its summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Facts {
    /// CJK characters and Latin words of the raw body.
    pub counts: Counts,
    /// Plain-text summary for lists and feeds.
    pub summary: String,
}

/// Counts a body and builds its summary (`summary` from front matter wins, then the text before
/// `<!-- more -->`, then the first [`SUMMARY_CHARS`] characters cut with `…`).
///
/// Counting runs over the raw markdown, as Zola does: the few words of markup (link targets) do not move a
/// reading time, and it spares the loader a full markdown parse of every page, which `render` does anyway.
/// The automatic summary parses only as much of the body as it needs.
pub fn facts(body: &str, front_summary: Option<&str>) -> Facts {
    let mut counts = Counts::default();
    counts.add(body);
    let summary = match (front_summary, more(body)) {
        (Some(s), _) => s.trim().to_string(),
        (None, Some(cut)) => head(&body[..cut], usize::MAX).0,
        (None, None) => auto_summary(body),
    };
    Facts { counts, summary }
}

/// Where the first summary marker of `body` starts, of either spelling: one SIMD search for `<!--` (markdown
/// rarely holds a comment) instead of a scan of the whole body per spelling.
fn more(body: &str) -> Option<usize> {
    let rest = |at: usize| &body.as_bytes()[at + 4..];
    memchr::memmem::find_iter(body.as_bytes(), b"<!--")
        .find(|&at| MORE.iter().any(|m| rest(at).starts_with(&m.as_bytes()[4..])))
}

/// The first [`SUMMARY_CHARS`] characters, from a growing prefix of the body cut at blank lines.
fn auto_summary(body: &str) -> String {
    let mut want = 2048;
    loop {
        let mut from = want.min(body.len());
        while !body.is_char_boundary(from) {
            from += 1;
        }
        let end = body[from..].find("\n\n").map_or(body.len(), |i| from + i);
        let (summary, cut) = head(&body[..end], SUMMARY_CHARS);
        if cut || end == body.len() {
            return summary;
        }
        want = end * 2;
    }
}

fn head(markdown: &str, max: usize) -> (String, bool) {
    let mut h = Head::new(max);
    walk_text(markdown, |s| h.push(s));
    let cut = h.cut;
    (h.finish(), cut)
}

/// Calls `f` with every piece of visible text, and a space between blocks so words do not run together.
/// A bare web address (a video line) is no text for a reader.
pub fn walk_text(markdown: &str, mut f: impl FnMut(&str)) {
    for ev in Parser::new(markdown) {
        match ev {
            Event::Text(t) if is_bare_url(&t) => {}
            Event::Text(t) | Event::Code(t) => f(&t),
            Event::SoftBreak | Event::HardBreak => f(" "),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::CodeBlock) => f(" "),
            _ => {}
        }
    }
}

fn is_bare_url(t: &str) -> bool {
    let t = t.trim();
    (t.starts_with("https://") || t.starts_with("http://")) && !t.contains(char::is_whitespace)
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
