//! The `pufa-results` JSON Lines format (see `store::transfer`): its types, writing, and parsing with errors that
//! name the line and what was expected.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, Diagnostics};
use crate::store::AttemptRow;

/// The `format` of the header line.
pub const FORMAT: &str = "pufa-results";
/// The version this pufa writes and the newest it reads.
pub const VERSION: u32 = 1;
/// A broken file reports this many errors, then stops.
const MAX_ERRORS: usize = 20;
const HEADER_SHAPE: &str = r#"{"format":"pufa-results","version":1,"exported_at":…,"competitions":[…],"attempts":N}"#;
const RECORD_SHAPE: &str = r#"{"attempt":{"id":…,"competition":…,…},"responses":[{"question":…,"correct":true},…]}"#;

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
}

impl Header {
    pub fn new(competitions: Vec<String>, attempts: usize) -> Header {
        let exported_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        Header { format: FORMAT.into(), version: VERSION, exported_at, competitions, attempts }
    }
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

/// The whole file as text: the header line, then one line per record.
pub(super) fn write(header: &Header, records: &[Record]) -> String {
    // Serialising plain structs of strings, integers and booleans cannot fail.
    let mut out = serde_json::to_string(header).expect("header serialises");
    out.push('\n');
    for r in records {
        out.push_str(&serde_json::to_string(r).expect("record serialises"));
        out.push('\n');
    }
    out
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
        Some(v) if v == u64::from(VERSION) => {}
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

/// Parses a whole file. Records come with their 1-based line numbers; every problem names its line.
pub fn parse(path: &Path, text: &str) -> Result<(Header, Vec<(usize, Record)>), Diagnostics> {
    let mut lines = text.lines();
    let header = header(path, lines.next()).map_err(|d| Diagnostics(vec![d]))?;
    let comps: HashSet<&str> = header.competitions.iter().map(String::as_str).collect();
    let mut errors = Diagnostics::default();
    let mut records = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut slots: HashMap<(String, String, i64), usize> = HashMap::new();
    let mut last = 1;
    for (i, line) in lines.enumerate() {
        let n = i + 2;
        last = n;
        if errors.0.len() >= MAX_ERRORS {
            errors.push(Diagnostic::error(path, n, 0, format!("stopped after {MAX_ERRORS} errors")));
            return Err(errors);
        }
        if line.trim().is_empty() {
            continue;
        }
        let r: Record = match serde_json::from_str(line) {
            Ok(r) => r,
            Err(e) => {
                errors.push(json_error(path, n, &format!("an attempt line {RECORD_SHAPE}"), &e));
                continue;
            }
        };
        let a = &r.attempt;
        let mut problem = |msg: String| errors.push(Diagnostic::error(path, n, 0, msg));
        if a.id.is_empty() {
            problem("expected a non-empty attempt id".into());
        } else if let Some(first) = seen.insert(a.id.clone(), n) {
            problem(format!("attempt {} already appeared on line {first}", a.id));
        }
        let slot = (a.competition.clone(), a.participant_key.clone(), a.number);
        if let Some(first) = slots.insert(slot, n) {
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
        records.push((n, r));
    }
    if records.len() != header.attempts && errors.0.is_empty() {
        let msg = format!(
            "expected {} attempt line(s) as the header says, found {}; is the file complete?",
            header.attempts,
            records.len()
        );
        errors.push(Diagnostic::error(path, last + 1, 0, msg));
    }
    if errors.has_errors() {
        Err(errors)
    } else {
        Ok((header, records))
    }
}
