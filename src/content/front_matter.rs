//! Front matter (YAML, or TOML as Zola and Hugo write it): split it from the body, parse it into
//! `PageMeta`/`SectionMeta`, and read dates the way Chinese offices write them (a bare date or local time is
//! Beijing time, UTC+8).

use std::fmt;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use serde::de::{self, DeserializeOwned, Visitor};
use serde::Deserializer;

use super::keys;
use super::model::{PageMeta, SectionMeta};
use crate::diag::{self, Diagnostic};

/// The language of a front matter: YAML between `---` lines, or TOML between `+++` lines (Zola's, and Hugo's
/// other form).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Toml,
}

/// A file cut into its front matter and its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    pub format: Format,
    /// The front matter between the fence lines; it starts on the file's line 2.
    pub matter: &'a str,
    /// The markdown after the closing fence line.
    pub body: &'a str,
    /// 1-based file line where the body starts.
    pub body_line: usize,
}

/// Cuts `text` at its `---` (or `+++`) lines. Both failures point at line 1, where the front matter should open.
pub fn split<'a>(path: &Path, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    let (format, fence) = match text[..first_end].trim_end() {
        "---" => (Format::Yaml, "---"),
        "+++" => (Format::Toml, "+++"),
        _ => {
            let msg = "front matter: expected `---` on the first line, then YAML with at least `title:`, then `---` \
                       (or TOML between `+++` lines)";
            return Err(Diagnostic::error(path, 1, 1, msg));
        }
    };
    let mut pos = first_end;
    let mut line = 2;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        if text[pos..end].trim_end() == fence {
            return Ok(Split { format, matter: &text[first_end..pos], body: &text[end..], body_line: line + 1 });
        }
        pos = end;
        line += 1;
    }
    let msg = format!("front matter: the `{fence}` on line 1 is never closed: expected a line `{fence}` after it");
    Err(Diagnostic::error(path, 1, 1, msg))
}

/// Parses a front matter, with errors at file lines (the front matter's line 1 is the file's line 2).
pub fn parse<T: DeserializeOwned>(path: &Path, split: &Split) -> Result<T, Diagnostic> {
    match split.format {
        Format::Yaml => {
            // An empty document is `null` to YAML; read it as an empty mapping so the message is "missing field
            // `title`".
            let yaml = if split.matter.trim().is_empty() { "{}" } else { split.matter };
            serde_yaml_ng::from_str(yaml).map_err(|e| diag::from_yaml(path, 1, &e))
        }
        Format::Toml => toml::from_str(split.matter).map_err(|e| from_toml(path, split.matter, &e)),
    }
}

/// A page's front matter, every key read (see `keys`): Hugo's `Title` as `title`, misspelt keys refused,
/// the others kept in `extra`, Zola's taxonomies merged.
pub fn page(path: &Path, split: &Split) -> Result<PageMeta, Diagnostic> {
    let (mut meta, rest): (PageMeta, _) = parse_keyed(path, split, keys::PAGE)?;
    meta.settle();
    (meta.extra, meta.menu) = (rest.extra, rest.menu);
    Ok(meta)
}

/// Every error of a page's front matter (`first` being the one `page` returned), not only serde's first: after
/// each, the top-level key whose lines hold it is blanked out (its lines left empty, so positions hold) and the
/// rest read again. A `missing field` that only the blanking caused is not reported.
pub fn every_error(path: &Path, split: &Split, first: Diagnostic, section: bool) -> Vec<Diagnostic> {
    let mut out = vec![first];
    let mut text = split.matter.to_string();
    for _ in 0..32 {
        let last = out.last().expect("one error at least");
        let (Some(at), true) = (last.line.checked_sub(2), last.line > 0) else { break };
        let view = Split { matter: &text, ..*split };
        let lines = keys::key_lines(&view);
        let Some(&start) = lines.iter().rev().find(|&&l| l <= at) else { break };
        let end = lines.iter().copied().find(|&l| l > start).unwrap_or(usize::MAX);
        text = text
            .split_inclusive('\n')
            .enumerate()
            .map(|(n, l)| {
                if (start..end).contains(&n) {
                    if l.ends_with('\n') {
                        "\n"
                    } else {
                        ""
                    }
                } else {
                    l
                }
            })
            .collect();
        let view = Split { matter: &text, ..*split };
        let again = if section { self::section(path, &view).err() } else { page(path, &view).err() };
        match again {
            Some(d) if !d.message.starts_with("missing field") && !out.contains(&d) => out.push(d),
            _ => break,
        }
    }
    out
}

/// A section's front matter (`_index.md`), read like a page's.
pub fn section(path: &Path, split: &Split) -> Result<SectionMeta, Diagnostic> {
    let (mut meta, rest): (SectionMeta, _) = parse_keyed(path, split, keys::SECTION)?;
    (meta.extra, meta.menu) = (rest.extra, rest.menu);
    Ok(meta)
}

fn parse_keyed<T: DeserializeOwned>(path: &Path, split: &Split, known: &[&str]) -> Result<(T, keys::Rest), Diagnostic> {
    let respelt = keys::normalized(split, known);
    let split = match &respelt {
        Some(text) => Split { matter: text, ..*split },
        None => *split,
    };
    // Misspellings first: `titel:` is better reported as itself than as a missing `title`.
    let rest = keys::rest(path, &split, known)?;
    Ok((parse(path, &split)?, rest))
}

/// A TOML error at its file line and column (toml reports a byte span in the front matter).
fn from_toml(path: &Path, matter: &str, err: &toml::de::Error) -> Diagnostic {
    let (line, column) = match err.span() {
        Some(span) => {
            // A span off a character boundary (it should not be) points at the end rather than panicking.
            let before = matter.get(..span.start).unwrap_or(matter);
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            (before.matches('\n').count() + 2, before[line_start..].chars().count() + 1)
        }
        None => (1, 1),
    };
    Diagnostic::error(path, line, column, err.message().trim_end().to_string())
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

/// The key under which the toml crate hands a date to serde.
pub(crate) const TOML_DATETIME: &str = "$__toml_private_datetime";

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

    /// TOML dates (`date = 2024-12-04`) reach serde as a one-entry map holding their text.
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        match map.next_key::<String>()? {
            Some(k) if k == TOML_DATETIME => self.visit_str(&map.next_value::<String>()?),
            _ => Err(bad("a mapping")),
        }
    }
}

/// `deserialize_with` for a list of words that may be written as one (`tags: 宪法`); numbers read as text.
pub fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    d.deserialize_any(ListVisitor)
}

/// `deserialize_with` for names given as one or a list (`authors = ["甲", "乙"]`), shown joined with 、.
pub fn opt_names<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let names = d.deserialize_any(ListVisitor)?;
    Ok((!names.is_empty()).then(|| names.join("、")))
}

/// A word of a list: text, or a number or boolean read as its text.
struct Word(String);

impl<'de> serde::Deserialize<'de> for Word {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ListVisitor)?
            .pop()
            .map(Word)
            .ok_or_else(|| de::Error::custom("expected a word, found a list"))
    }
}

struct ListVisitor;

impl<'de> Visitor<'de> for ListVisitor {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list like [宪法, 民法典] or one word")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(vec![v.to_string()])
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(vec![v.to_string()])
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(vec![v.to_string()])
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(vec![v.to_string()])
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(vec![v.to_string()])
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Word(w)) = seq.next_element()? {
            out.push(w);
        }
        Ok(out)
    }
}

/// `deserialize_with` for a cover: a path or URL, or a theme's mapping that holds one (`cover: {image: a.jpg,
/// alt: …}` in PaperMod, `src` or `url` in others).
pub fn opt_cover<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Cover {
        Path(String),
        Map(std::collections::BTreeMap<String, serde_json::Value>),
    }
    let cover: Option<Cover> = serde::Deserialize::deserialize(d)?;
    Ok(match cover {
        None => None,
        Some(Cover::Path(p)) => Some(p),
        Some(Cover::Map(m)) => ["image", "src", "url"]
            .iter()
            .find_map(|k| m.get(*k).and_then(|v| v.as_str()))
            .filter(|p| !p.is_empty())
            .map(str::to_string),
    })
}
