//! The `pufa-results` JSON Lines format (see `store::transfer`): its types, writing, and parsing with errors that
//! name the line and what was expected.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{BufRead, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, Diagnostics};
use crate::store::{AttemptRow, SurveyResponseRow};

/// The `format` of the header line.
pub const FORMAT: &str = "pufa-results";
/// The version this pufa writes and the newest it reads; version 1 (attempts only) is read too.
pub const VERSION: u32 = 2;
/// A broken file reports this many errors, then stops.
const MAX_ERRORS: usize = 20;
/// The longest line read; a longer one is refused instead of filling memory (real lines are a few KB).
pub const MAX_LINE: usize = 16 << 20;
const HEADER_SHAPE: &str = r#"{"format":"pufa-results","version":2,"exported_at":…,"competitions":[…],"attempts":N,"surveys":[…],"survey_responses":M}"#;
const RECORD_SHAPE: &str = r#"{"attempt":{"id":…,"competition":…,…},"responses":[{"question":…,"correct":true},…]}"#;
const SURVEY_SHAPE: &str =
    r#"{"survey_response":{"id":…,"survey":…,"organization":…,"town":…,"name":…,"answers":…,"submitted_at":…}}"#;

/// Line 1 of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Always `pufa-results`.
    pub format: String,
    /// Format version; a reader refuses versions newer than its own.
    pub version: u32,
    /// When the file was written (RFC 3339, UTC); informative only.
    pub exported_at: String,
    /// The competitions in the file, each with all its attempts.
    pub competitions: Vec<String>,
    /// How many attempt lines follow; a file cut short is refused.
    pub attempts: usize,
    /// The surveys in the file, each with all its responses (version 2; none in version 1).
    #[serde(default)]
    pub surveys: Vec<String>,
    /// How many survey response lines follow the attempt lines.
    #[serde(default)]
    pub survey_responses: usize,
    /// How many suggestion lines (the suggestion box, with each history) follow the survey responses.
    #[serde(default)]
    pub suggestions: usize,
}

impl Header {
    pub fn new(competitions: Vec<String>, attempts: usize) -> Header {
        let exported_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let (surveys, survey_responses, suggestions) = (Vec::new(), 0, 0);
        Header {
            format: FORMAT.into(),
            version: VERSION,
            exported_at,
            competitions,
            attempts,
            surveys,
            survey_responses,
            suggestions,
        }
    }
}

/// One survey response line, after the attempt lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyLine {
    pub survey_response: SurveyResponseRow,
}

/// One attempt line: the stored row and its per-question responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub attempt: AttemptRow,
    pub responses: Vec<Response>,
}

/// Whether one question of a submitted attempt was answered correctly (for the "most missed" figures).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    pub question: String,
    pub correct: bool,
}

/// Writes one line of the file: the header or a record, then a newline.
pub(super) fn write_line(out: &mut impl Write, value: &impl Serialize) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

/// serde_json's message without its " at line L column C" (the column is reported by the diagnostic).
fn json_error(path: &Path, line: usize, expected: &str, e: &serde_json::Error) -> Diagnostic {
    let msg = e.to_string();
    let msg = msg.strip_suffix(&format!(" at line {} column {}", e.line(), e.column())).unwrap_or(&msg);
    Diagnostic::error(path, line, e.column(), format!("expected {expected}: {msg}"))
}

fn header(path: &Path, first: Option<&str>) -> Result<Header, Diagnostic> {
    let Some(first) = first.filter(|l| !l.trim().is_empty()) else {
        return Err(Diagnostic::error(path, 1, 0, format!("expected the header line {HEADER_SHAPE}, found nothing")));
    };
    let value: serde_json::Value =
        serde_json::from_str(first).map_err(|e| json_error(path, 1, &format!("the header line {HEADER_SHAPE}"), &e))?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        let msg = format!("not a {FORMAT} file: expected the header line {HEADER_SHAPE}");
        return Err(Diagnostic::error(path, 1, 0, msg));
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if (1..=u64::from(VERSION)).contains(&v) => {}
        Some(v) if v > u64::from(VERSION) => {
            let msg = format!("format version {v} is newer than this pufa reads ({VERSION}); upgrade pufa");
            return Err(Diagnostic::error(path, 1, 0, msg));
        }
        other => {
            let msg =
                format!("expected \"version\": {VERSION}, found {}", other.map_or("nothing".into(), |v| v.to_string()));
            return Err(Diagnostic::error(path, 1, 0, msg));
        }
    }
    serde_json::from_value(value).map_err(|e| Diagnostic::error(path, 1, 0, format!("header: {e}")))
}

/// The lines of a file, one at a time, numbered from 1, in one reused buffer: memory stays at the longest line.
pub(super) struct Lines<'a, R> {
    path: &'a Path,
    reader: R,
    buf: Vec<u8>,
    /// The number of the line last returned.
    pub number: usize,
}

impl<'a, R: BufRead> Lines<'a, R> {
    pub fn new(path: &'a Path, reader: R) -> Self {
        Lines { path, reader, buf: Vec::new(), number: 0 }
    }

    /// The next line without its line break, with its number; `None` at the end; unreadable and overlong lines are
    /// diagnostics.
    pub fn next_line(&mut self) -> Result<Option<(usize, &str)>, Diagnostic> {
        self.buf.clear();
        self.number += 1;
        let n = self.number;
        let read = (&mut self.reader).take(MAX_LINE as u64 + 1).read_until(b'\n', &mut self.buf);
        match read {
            Ok(0) => return Ok(None),
            Ok(_) => {}
            Err(e) => return Err(Diagnostic::error(self.path, n, 0, format!("cannot read: {e}"))),
        }
        if self.buf.len() > MAX_LINE {
            return Err(Diagnostic::error(self.path, n, 0, format!("line longer than {} MiB", MAX_LINE >> 20)));
        }
        let line = self.buf.strip_suffix(b"\n").unwrap_or(&self.buf);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        std::str::from_utf8(line)
            .map(|l| Some((n, l)))
            .map_err(|e| Diagnostic::error(self.path, n, e.valid_up_to() + 1, "expected UTF-8 text"))
    }
}

/// Reads the header line.
pub(super) fn read_header<R: BufRead>(lines: &mut Lines<'_, R>) -> Result<Header, Diagnostic> {
    let path = lines.path;
    let first = lines.next_line()?;
    header(path, first.map(|(_, l)| l))
}

/// The next record line (blank lines are skipped) with its number, parsed but not checked against the others.
pub(super) fn next_record<R: BufRead>(lines: &mut Lines<'_, R>) -> Result<Option<(usize, Record)>, Diagnostic> {
    next_line_of(lines, &format!("an attempt line {RECORD_SHAPE}"))
}

/// The next suggestion line, as `next_record`.
pub(super) fn next_suggestion<R: BufRead>(
    lines: &mut Lines<'_, R>,
) -> Result<Option<(usize, super::suggest::SuggestionLine)>, Diagnostic> {
    next_line_of(lines, &format!("a suggestion line {}", super::suggest::SHAPE))
}

/// The next survey response line, as `next_record`.
pub(super) fn next_survey<R: BufRead>(lines: &mut Lines<'_, R>) -> Result<Option<(usize, SurveyLine)>, Diagnostic> {
    next_line_of(lines, &format!("a survey response line {SURVEY_SHAPE}"))
}

fn next_line_of<R: BufRead, T: serde::de::DeserializeOwned>(
    lines: &mut Lines<'_, R>,
    expected: &str,
) -> Result<Option<(usize, T)>, Diagnostic> {
    let path = lines.path;
    loop {
        let Some((n, line)) = lines.next_line()? else { return Ok(None) };
        if line.trim().is_empty() {
            continue;
        }
        return match serde_json::from_str(line) {
            Ok(r) => Ok(Some((n, r))),
            Err(e) => Err(json_error(path, n, expected, &e)),
        };
    }
}

fn hash(value: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// Checks a whole file in one pass without keeping its records: the header, every line, ids and participant slots
/// unique across the file, the count the header announces. Every problem names its line.
///
/// Uniqueness is tracked by 64-bit hashes of ids and slots with the line they were first seen on (some 40 bytes
/// per attempt, whatever the length of its lines); two different ids with one hash, odds of about 1 in 10^8 for
/// 500,000 attempts, would be refused as a duplicate, never let through.
pub fn check(path: &Path, reader: impl BufRead) -> Result<Header, Diagnostics> {
    let mut lines = Lines::new(path, reader);
    let header = read_header(&mut lines).map_err(|d| Diagnostics(vec![d]))?;
    let comps: HashSet<&str> = header.competitions.iter().map(String::as_str).collect();
    let mut errors = Diagnostics::default();
    let mut records = 0;
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let mut slots: HashMap<u64, usize> = HashMap::new();
    loop {
        if errors.0.len() >= MAX_ERRORS {
            let msg = format!("stopped after {MAX_ERRORS} errors");
            errors.push(Diagnostic::error(path, lines.number + 1, 0, msg));
            return Err(errors);
        }
        if records >= header.attempts {
            break;
        }
        let (n, r) = match next_record(&mut lines) {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(d) if d.message.starts_with("expected an attempt line") => {
                errors.push(d);
                continue;
            }
            // Unreadable: nothing after it can be trusted to be on the line it seems to be.
            Err(d) => {
                errors.push(d);
                return Err(errors);
            }
        };
        records += 1;
        let a = &r.attempt;
        let mut problem = |msg: String| errors.push(Diagnostic::error(path, n, 0, msg));
        if a.id.is_empty() {
            problem("expected a non-empty attempt id".into());
        } else if let Some(first) = seen.insert(hash(&a.id), n) {
            problem(format!("attempt {} already appeared on line {first}", a.id));
        }
        if let Some(first) = slots.insert(hash((&a.competition, &a.participant_key, a.number)), n) {
            problem(format!(
                "attempt {} is attempt number {} of its participant, as is the one on line {first}",
                a.id, a.number
            ));
        }
        if !comps.contains(a.competition.as_str()) {
            problem(format!("attempt {} is in competition {:?}, which the header does not list", a.id, a.competition));
        }
        let mut questions = HashSet::new();
        if let Some(dup) = r.responses.iter().find(|x| !questions.insert(&x.question)) {
            problem(format!("attempt {} answers question {:?} twice", a.id, dup.question));
        }
        if a.submitted_at.is_none() && !r.responses.is_empty() {
            problem(format!("attempt {} has responses but no submitted_at", a.id));
        }
    }
    if records != header.attempts && errors.0.is_empty() {
        let msg = format!(
            "expected {} attempt line(s) as the header says, found {records}; is the file complete?",
            header.attempts
        );
        errors.push(Diagnostic::error(path, lines.number, 0, msg));
    }
    if !errors.has_errors() {
        check_surveys(&mut lines, &header, &mut errors);
    }
    if errors.has_errors() {
        Err(errors)
    } else {
        Ok(header)
    }
}

/// Checks the survey response lines that follow the attempts: ids unique, surveys the header lists, the count.
fn check_surveys<R: BufRead>(lines: &mut Lines<'_, R>, header: &Header, errors: &mut Diagnostics) {
    let path = lines.path;
    let surveys: HashSet<&str> = header.surveys.iter().map(String::as_str).collect();
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let mut count = 0;
    while errors.0.len() < MAX_ERRORS && count < header.survey_responses {
        let (n, SurveyLine { survey_response: r }) = match next_survey(lines) {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(d) => {
                let unreadable = !d.message.starts_with("expected a survey response line");
                errors.push(d);
                if unreadable {
                    return;
                }
                continue;
            }
        };
        count += 1;
        let mut problem = |msg: String| errors.push(Diagnostic::error(path, n, 0, msg));
        if r.id.is_empty() {
            problem("expected a non-empty survey response id".into());
        } else if let Some(first) = seen.insert(hash(&r.id), n) {
            problem(format!("survey response {} already appeared on line {first}", r.id));
        }
        if !surveys.contains(r.survey.as_str()) {
            problem(format!("survey response {} is in survey {:?}, which the header does not list", r.id, r.survey));
        }
        if serde_json::from_str::<serde_json::Value>(&r.answers).map_or(true, |v| !v.is_object()) {
            problem(format!("survey response {}: answers is not the JSON object pufa stores", r.id));
        }
    }
    if count != header.survey_responses && !errors.has_errors() {
        let msg = format!(
            "expected {} survey response line(s) as the header says, found {count}; is the file complete?",
            header.survey_responses
        );
        errors.push(Diagnostic::error(path, lines.number, 0, msg));
    }
    if !errors.has_errors() {
        check_suggestions(lines, header, errors);
    }
}

/// Checks the suggestion lines that end the file: tickets unique, histories numbered, the count.
fn check_suggestions<R: BufRead>(lines: &mut Lines<'_, R>, header: &Header, errors: &mut Diagnostics) {
    let path = lines.path;
    let mut seen = HashSet::new();
    let mut count = 0;
    while errors.0.len() < MAX_ERRORS {
        match next_suggestion(lines) {
            Ok(Some((n, line))) => {
                count += 1;
                super::suggest::check_line(path, n, &line.suggestion, &mut seen, errors);
            }
            Ok(None) => break,
            Err(d) => {
                let unreadable = !d.message.starts_with("expected a suggestion line");
                errors.push(d);
                if unreadable {
                    return;
                }
            }
        }
    }
    if count != header.suggestions && !errors.has_errors() {
        let msg = format!(
            "expected {} suggestion line(s) as the header says, found {count}; is the file complete?",
            header.suggestions
        );
        errors.push(Diagnostic::error(path, lines.number, 0, msg));
    }
}
