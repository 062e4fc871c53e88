//! YAML front matter: split it from the body, parse it into `PageMeta`/`SectionMeta`, and read dates the way
//! Chinese offices write them (a bare date or local time is Beijing time, UTC+8).

use std::fmt;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use serde::de::{self, DeserializeOwned, Visitor};
use serde::Deserializer;

use crate::diag::{self, Diagnostic};

/// A file cut into its front matter and its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the `---` lines; it starts on the file's line 2.
    pub yaml: &'a str,
    pub body: &'a str,
    /// 1-based file line where the body starts.
    pub body_line: usize,
}

/// Cuts `text` at its `---` lines. Both failures point at line 1, where the front matter should open.
pub fn split<'a>(path: &Path, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_end].trim_end() != "---" {
        return Err(Diagnostic::error(
            path,
            1,
            1,
            "front matter: expected `---` on the first line, then YAML with at least `title:`, then `---`",
        ));
    }
    let mut pos = first_end;
    let mut line = 2;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        if text[pos..end].trim_end() == "---" {
            return Ok(Split { yaml: &text[first_end..pos], body: &text[end..], body_line: line + 1 });
        }
        pos = end;
        line += 1;
    }
    Err(Diagnostic::error(
        path,
        1,
        1,
        "front matter: the `---` on line 1 is never closed: expected a line `---` after the YAML",
    ))
}

/// Parses the YAML of a front matter, with errors at file lines (the YAML's line 1 is the file's line 2).
pub fn parse<T: DeserializeOwned>(path: &Path, yaml: &str) -> Result<T, Diagnostic> {
    // An empty document is `null` to YAML; read it as an empty mapping so the message is "missing field `title`".
    let yaml = if yaml.trim().is_empty() { "{}" } else { yaml };
    serde_yaml_ng::from_str(yaml).map_err(|e| diag::from_yaml(path, 1, &e))
}

/// Beijing time, which is what a date without an offset means here.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// Reads `2024-12-04`, `2024-12-04 09:30`, `2024-12-04T09:30:00` (both in UTC+8) and RFC 3339.
pub fn parse_date(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    for f in ["%Y-%m-%d %H:%M:%S %:z", "%Y-%m-%d %H:%M %:z"] {
        if let Ok(d) = DateTime::parse_from_str(s, f) {
            return Some(d);
        }
    }
    for f in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, f) {
            return china().from_local_datetime(&d).single();
        }
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    china().from_local_datetime(&d.and_hms_opt(0, 0, 0)?).single()
}

/// `deserialize_with` for optional dates, so a bad one reads `date: expected a date like 2024-12-04, found "12月4日"`.
pub fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
    d.deserialize_any(DateVisitor)
}

struct DateVisitor;

fn bad<E: de::Error>(found: impl fmt::Display) -> E {
    E::custom(format!("expected a date like 2024-12-04, found {found}"))
}

impl<'de> Visitor<'de> for DateVisitor {
    type Value = Option<DateTime<FixedOffset>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date like 2024-12-04")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        parse_date(v).map(Some).ok_or_else(|| bad(format_args!("{v:?}")))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Err(bad(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Err(bad(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Err(bad(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Err(bad(v))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(bad("a list"))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(bad("a mapping"))
    }
}
