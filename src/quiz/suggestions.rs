//! `quizzes/suggestions.yaml`: the settings of the suggestion box (意见箱): its categories, the units a suggestion
//! can be handed to, the default due days, the length cap and the submission limits. Optional: without the file
//! the defaults hold. Parsed, then validated, every error with the file, line and column.

use std::path::Path;

use chrono::{FixedOffset, Offset};
use serde::Deserialize;

use super::locate::{locate_near, Seg, Seg::Index, Seg::Key};
use crate::diag::{self, Diagnostic, Diagnostics};

/// `quizzes/suggestions.yaml` as written; every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuggestionsFile {
    /// The categories a sender picks from, in this order (default: 法治宣传, 执法监督, 公共法律服务, 矛盾纠纷, 其他).
    pub categories: Option<Vec<String>>,
    /// The responsible units (责任单位) a suggestion may be handed to; empty or absent: any name the organizer types.
    pub units: Option<Vec<String>>,
    /// Days from handing over to the due date when the organizer gives none (default 15).
    pub due_days: Option<u32>,
    /// Longest suggestion text, in characters (default 2000).
    pub max_chars: Option<usize>,
    /// Suggestions one device (browser cookie) may send per hour (default 5).
    pub per_device_per_hour: Option<u32>,
    /// Suggestions the whole server accepts per hour (default 300), so a flood cannot bury the real ones.
    pub per_hour: Option<u32>,
    /// The office's time zone, for ticket dates and due dates (default "+08:00").
    pub utc_offset: Option<String>,
}

/// The settings in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestionBox {
    pub categories: Vec<String>,
    pub units: Vec<String>,
    pub due_days: u32,
    pub max_chars: usize,
    pub per_device_per_hour: u32,
    pub per_hour: u32,
    pub offset: FixedOffset,
}

/// China Standard Time.
const CST_SECS: i32 = 8 * 3600;

impl Default for SuggestionBox {
    fn default() -> Self {
        SuggestionBox {
            categories: ["法治宣传", "执法监督", "公共法律服务", "矛盾纠纷", "其他"].map(String::from).to_vec(),
            units: Vec::new(),
            due_days: 15,
            max_chars: 2000,
            per_device_per_hour: 5,
            per_hour: 300,
            offset: FixedOffset::east_opt(CST_SECS).unwrap_or_else(|| chrono::Utc.fix()),
        }
    }
}

/// Loads `quizzes_dir/suggestions.yaml`; a missing file gives the defaults and no diagnostics.
pub fn load(quizzes_dir: &Path) -> (SuggestionBox, Diagnostics) {
    let path = quizzes_dir.join("suggestions.yaml");
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&path, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (SuggestionBox::default(), Diagnostics::default()),
        Err(e) => {
            let mut diags = Diagnostics::default();
            diags.push(Diagnostic::error(&path, 0, 0, format!("cannot read file: {e}")));
            (SuggestionBox::default(), diags)
        }
    }
}

/// Parses and validates the text of `path`; on errors the defaults stand in for the faulty keys.
pub fn parse(path: &Path, text: &str) -> (SuggestionBox, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut out = SuggestionBox::default();
    let file: SuggestionsFile = if text.trim().is_empty() {
        SuggestionsFile::default()
    } else {
        match serde_yaml_ng::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                diags.push(diag::from_yaml(path, 0, &e));
                return (out, diags);
            }
        }
    };
    let mut err = |at: &[Seg], msg: String| {
        let (line, col) = locate_near(text, at);
        diags.push(Diagnostic::error(path, line, col, msg));
    };
    if let Some(list) = file.categories {
        if list.is_empty() {
            err(&[Key("categories")], "categories: expected at least one category".into());
        } else if check_names(&mut err, "categories", &list) {
            out.categories = list.iter().map(|s| s.trim().to_string()).collect();
        }
    }
    if let Some(list) = file.units {
        if check_names(&mut err, "units", &list) {
            out.units = list.iter().map(|s| s.trim().to_string()).collect();
        }
    }
    let mut number = |key: &'static str, value: Option<u64>, max: u64| -> Option<u64> {
        let v = value?;
        if (1..=max).contains(&v) {
            return Some(v);
        }
        err(&[Key(key)], format!("{key}: expected a whole number from 1 to {max}, found {v}"));
        None
    };
    out.due_days = number("due_days", file.due_days.map(u64::from), 365).map_or(out.due_days, |v| v as u32);
    out.max_chars = number("max_chars", file.max_chars.map(|v| v as u64), 20_000).map_or(out.max_chars, |v| v as usize);
    let per_device = number("per_device_per_hour", file.per_device_per_hour.map(u64::from), 1000);
    out.per_device_per_hour = per_device.map_or(out.per_device_per_hour, |v| v as u32);
    out.per_hour = number("per_hour", file.per_hour.map(u64::from), 1_000_000).map_or(out.per_hour, |v| v as u32);
    if let Some(offset) = file.utc_offset {
        match offset.trim().parse::<FixedOffset>() {
            Ok(o) => out.offset = o,
            Err(_) => {
                err(&[Key("utc_offset")], format!("utc_offset: expected an offset like +08:00, found {offset:?}"))
            }
        }
    }
    (out, diags)
}

/// Checks a list of names (non-empty, at most 40 characters, no repeats); true when it can be used.
fn check_names(err: &mut impl FnMut(&[Seg], String), key: &'static str, list: &[String]) -> bool {
    let mut ok = true;
    for (i, name) in list.iter().enumerate() {
        let name = name.trim();
        let problem = if name.is_empty() {
            Some("must not be empty".to_string())
        } else if name.chars().count() > 40 || name.chars().any(char::is_control) {
            Some(format!("expected at most 40 characters and no control characters, found {name:?}"))
        } else if list[..i].iter().any(|n| n.trim() == name) {
            Some(format!("{name:?} is listed twice"))
        } else {
            None
        };
        if let Some(p) = problem {
            err(&[Key(key), Index(i)], format!("{key}: {p}"));
            ok = false;
        }
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_line_and_column_and_defaults_stand_in() {
        let text = "categories:\n  - 法治宣传\n  - ''\ndue_days: 0\nutc_offset: Beijing\n";
        let (b, diags) = parse(Path::new("s.yaml"), text);
        let lines: Vec<String> = diags.errors().map(|d| format!("{}:{}: {}", d.line, d.column, d.message)).collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].starts_with("3:5: categories: must not be empty"), "{lines:?}");
        assert!(lines[1].starts_with("4:11: due_days: expected a whole number from 1 to 365"), "{lines:?}");
        assert!(lines[2].starts_with("5:13: utc_offset"), "{lines:?}");
        assert_eq!(b, SuggestionBox::default());
    }

    #[test]
    fn unknown_keys_are_refused_and_a_good_file_is_read() {
        let (_, diags) = parse(Path::new("s.yaml"), "due_dayz: 3\n");
        let d = diags.errors().next().expect("an error");
        assert_eq!((d.line, d.message.contains("unknown field `due_dayz`")), (1, true), "{}", d.message);
        let text =
            "categories: [宣传, 其他]\nunits: [县司法局, 县公安局]\ndue_days: 10\nper_hour: 50\nutc_offset: '+00:00'\n";
        let (b, diags) = parse(Path::new("s.yaml"), text);
        assert!(!diags.has_errors(), "{diags}");
        assert_eq!((b.categories.len(), b.units[1].as_str(), b.due_days, b.per_hour), (2, "县公安局", 10, 50));
        assert_eq!(b.offset.local_minus_utc(), 0);
    }
}
