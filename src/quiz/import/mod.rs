//! Question importer: exam questions kept in Excel, CSV, Word, plain text or Moodle's GIFT, read into bank questions.
//! Pure: bytes in, questions or diagnostics out; writing the bank is `commands::import`'s job.
//!
//! Each reader (`sheet`, `text`, `docx`, `gift`) turns its file into [`Raw`] questions that remember where each field
//! came from (a cell such as `Sheet1!D7`, or a line); [`check`] then reads their types and answers, so every
//! format reports the same mistakes with the same words.

mod check;
mod docx;
mod gift;
pub mod orgs;
mod sheet;
mod text;
pub mod yaml;

use std::collections::HashMap;
use std::path::Path;

pub use check::check;

use super::model::QuestionType;
use crate::diag::{Diagnostic, Diagnostics};

/// Where a field was read: a spreadsheet cell (`Sheet1!D7`, or `D7` in a CSV) or a line of a text or Word file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spot {
    Cell(String),
    Line(usize),
}

/// The fields of a question as the organizer wrote them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Id,
    Type,
    Stem,
    /// Option A is 0.
    Option(usize),
    Answer,
    Explanation,
    Basis,
    Tags,
}

/// One question as found in the file, its texts untrimmed by meaning; [`check`] judges them.
#[derive(Debug, Clone, Default)]
pub struct Raw {
    /// 编号, if the file gives one.
    pub id: String,
    /// 题型 as written, or empty (then it comes from a heading or the answer's shape).
    pub kind: String,
    pub stem: String,
    /// Options A, B, C… in order; a gap (选项B empty while 选项C is not) is an empty text.
    pub options: Vec<String>,
    pub answer: String,
    pub explanation: String,
    pub basis: String,
    pub tags: Vec<String>,
    /// Where the question as a whole is (its row, or its stem's line).
    pub spot: Option<Spot>,
    /// Where single fields are, when known apart from `spot`.
    pub spots: HashMap<Field, Spot>,
}

impl Raw {
    fn spot(&self, f: Field) -> Spot {
        self.spots.get(&f).or(self.spot.as_ref()).cloned().unwrap_or(Spot::Line(0))
    }
}

/// A checked question, ready to be written in the bank format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub id: String,
    pub kind: QuestionType,
    pub stem: String,
    pub options: Vec<String>,
    /// Letters for single / multiple (`["A", "C"]`); empty for judge.
    pub letters: Vec<String>,
    /// The answer of a judge question.
    pub truth: Option<bool>,
    pub explanation: String,
    pub basis: String,
    pub tags: Vec<String>,
    /// Where it came from, e.g. `Sheet1!7` or `12`, for the bank's comments.
    pub origin: String,
}

/// The formats the importer reads, chosen by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
    Text,
    Docx,
    Gift,
}

impl Format {
    /// The format of `path` by its extension (case-insensitive); None for one the importer does not read.
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "xlsx" | "xls" | "xlsm" => Some(Format::Xlsx),
            "csv" => Some(Format::Csv),
            "txt" => Some(Format::Text),
            "docx" => Some(Format::Docx),
            "gift" => Some(Format::Gift),
            _ => None,
        }
    }
}

/// Reads the questions of one file, named `label` in messages. Errors name the cell or line they are about.
pub fn read(label: &Path, format: Format, bytes: &[u8]) -> Result<Vec<Raw>, Diagnostics> {
    match format {
        Format::Xlsx => sheet::xlsx(label, bytes),
        Format::Csv => sheet::csv(label, bytes),
        Format::Text => decode(label, bytes).map(|t| text::parse(t.lines().map(str::to_string).collect())),
        Format::Gift => gift::parse(label, &decode(label, bytes)?),
        Format::Docx => docx::paragraphs(bytes).map(text::parse).map_err(|why| one(label, &why)),
    }
}

/// A text file in UTF-8 (with or without a BOM) or GBK/GB18030.
fn decode(label: &Path, bytes: &[u8]) -> Result<String, Diagnostics> {
    match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) {
        Ok(t) => Ok(t.to_string()),
        Err(_) => sheet::gbk(bytes).ok_or_else(|| one(label, "expected UTF-8 or GBK text")),
    }
}

/// A diagnostic about a whole file.
fn one(label: &Path, msg: &str) -> Diagnostics {
    Diagnostics(vec![Diagnostic::error(label, 0, 0, msg)])
}

/// A diagnostic at `spot` of the file `label`: `题库.xlsx:Sheet1!D7: …` or `题库.docx:12: …`.
pub fn at(label: &Path, spot: &Spot, msg: impl Into<String>) -> Diagnostic {
    match spot {
        Spot::Cell(c) => Diagnostic::error(format!("{}:{c}", label.display()), 0, 0, msg),
        Spot::Line(l) => Diagnostic::error(label, *l, 0, msg),
    }
}

/// A bank id from a file name: ASCII letters, digits, `-` and `_`; Chinese characters become their pinyin
/// (`宪法题库` → `xianfatiku`); other characters a `-`. Never empty.
pub fn bank_id(stem: &str) -> String {
    use pinyin::ToPinyin;
    let mut out = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            out.push(c.to_ascii_lowercase());
        } else if let Some(p) = c.to_pinyin() {
            out.push_str(p.plain());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let id = out.trim_matches('-').to_string();
    if id.is_empty() {
        "bank".to_string()
    } else {
        id
    }
}
