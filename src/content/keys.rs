//! Front matter keys beyond the ones pufa reads: Hugo's case-insensitive spellings, a misspelt key caught with
//! "did you mean", and every other key kept for templates as `page.extra` (as Hugo keeps a page's params).

use std::path::Path;

use serde_json::{Map, Value};

use super::front_matter::{Format, Split, TOML_DATETIME};
use crate::diag::Diagnostic;

/// The keys a page's front matter is read for (`menu` is accepted and ignored, with one note per build).
pub const PAGE: &[&str] = &[
    "title",
    "date",
    "updated",
    "lastmod",
    "author",
    "authors",
    "summary",
    "description",
    "tags",
    "categories",
    "keywords",
    "audiences",
    "weight",
    "draft",
    "slug",
    "cover",
    "videos",
    "quiz",
    "template",
    "aliases",
    "publishDate",
    "expiryDate",
    "taxonomies",
    "extra",
    "params",
    "menu",
];

/// The keys of a section's `_index.md`.
pub const SECTION: &[&str] = &[
    "title",
    "summary",
    "description",
    "weight",
    "sort_by",
    "paginate_by",
    "draft",
    "cover",
    "template",
    "slug",
    "extra",
    "params",
    "menu",
];

/// Keys Hugo or Zola give a meaning pufa has no use for: kept in `extra` like any other key, and never taken
/// for a misspelling of a key pufa reads (`path` is not a misspelt `date`).
const FOREIGN: &[&str] = &[
    "type",
    "layout",
    "url",
    "linkTitle",
    "images",
    "series",
    "toc",
    "isCJKLanguage",
    "markup",
    "outputs",
    "resources",
    "build",
    "cascade",
    "headless",
    "sitemap",
    "translationKey",
    "path",
    "in_search_index",
    "render",
    "transparent",
    "page_template",
    "insert_anchor_links",
    "redirect_to",
    "generate_feeds",
    "paginate_path",
    "paginate_reversed",
    "sort_by",
    "paginate_by",
    "date",
    "lastmod",
];

/// What the keys of a front matter say beyond its struct: the other keys, and whether it set a `menu`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Rest {
    pub extra: Map<String, Value>,
    pub menu: bool,
}

/// The top-level keys of a front matter with their 0-based line in it and byte range in the line. YAML's are
/// the lines that start with a key and `:`; TOML's those before the first `[table]` that hold `key =`.
fn top_level(split: &Split) -> Vec<(usize, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    for (n, line) in split.matter.lines().enumerate() {
        if split.format == Format::Toml && line.trim_start().starts_with('[') {
            break;
        }
        if line.starts_with([' ', '\t', '#', '-']) {
            continue;
        }
        let sep = if split.format == Format::Yaml { ':' } else { '=' };
        let Some(end) = line.find(sep) else { continue };
        let key = line[..end].trim_end();
        let (start, key) = match key.strip_prefix(['"', '\'']) {
            Some(k) => (1, k.strip_suffix(['"', '\'']).unwrap_or(k)),
            None => (0, key),
        };
        if !key.is_empty() && !key.contains(char::is_whitespace) {
            out.push((n, start..start + key.len()));
        }
    }
    out
}

/// The 0-based lines of the front matter where its top-level keys start.
pub fn key_lines(split: &Split) -> Vec<usize> {
    top_level(split).into_iter().map(|(n, _)| n).collect()
}

/// The front matter with each top-level key that differs from a known key only in case spelt as the known key
/// (Hugo reads `Title` as `title`); None when there is none. The text keeps its length, so positions hold.
pub fn normalized(split: &Split, known: &[&str]) -> Option<String> {
    let mut text: Option<String> = None;
    let lines: Vec<usize> = line_starts(split.matter);
    for (n, range) in top_level(split) {
        let at = lines[n] + range.start..lines[n] + range.end;
        let key = &split.matter[at.clone()];
        if let Some(k) = known.iter().find(|k| **k != key && k.eq_ignore_ascii_case(key)) {
            text.get_or_insert_with(|| split.matter.to_string()).replace_range(at, k);
        }
    }
    text
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect()
}

/// The known key that `key` is most likely a misspelling of: one edit away (a letter added, dropped, changed
/// or two swapped) for keys of up to 5 letters, two for longer ones.
pub fn misspelt<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    if known.contains(&key) || FOREIGN.iter().any(|f| f.eq_ignore_ascii_case(key)) {
        return None;
    }
    let allowed = if key.chars().count() <= 5 { 1 } else { 2 };
    let lower = key.to_lowercase();
    known
        .iter()
        .map(|k| (strsim::osa_distance(&lower, &k.to_lowercase()), *k))
        .filter(|(d, _)| *d <= allowed)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Reads the keys of `split` that are not in `known`: a misspelling of a known key is an error at its line;
/// the others, and the contents of `params:` (Hugo) and `[extra]` (Zola), go into `extra`.
pub fn rest(path: &Path, split: &Split, known: &[&str]) -> Result<Rest, Diagnostic> {
    let map = match generic(split) {
        Some(Value::Object(map)) => map,
        _ => return Ok(Rest::default()),
    };
    let mut rest = Rest::default();
    let mut nested = Map::new();
    for (key, value) in map {
        if let Some(k) = misspelt(&key, known) {
            let line = line_of(split, &key).unwrap_or(0) + 2;
            let msg = format!("unknown key `{key}`: did you mean `{k}`?");
            return Err(Diagnostic::error(path, line, 1, msg));
        }
        match key.as_str() {
            "params" | "extra" => {
                if let Value::Object(m) = value {
                    nested.extend(m);
                }
            }
            "menu" => rest.menu = true,
            k if known.contains(&k) => {}
            _ => {
                rest.extra.insert(key, value);
            }
        }
    }
    // `params.x` and `[extra] x` are what templates of Hugo and Zola sites read; they win over top-level keys.
    rest.extra.extend(nested);
    Ok(rest)
}

fn line_of(split: &Split, key: &str) -> Option<usize> {
    let starts = line_starts(split.matter);
    top_level(split)
        .into_iter()
        .find(|(n, r)| &split.matter[starts[*n] + r.start..starts[*n] + r.end] == key)
        .map(|(n, _)| n)
}

/// The front matter as a JSON value, TOML dates turned into their text. None when it does not parse (the
/// struct's parse has reported why).
fn generic(split: &Split) -> Option<Value> {
    let mut v = match split.format {
        Format::Yaml => {
            serde_json::to_value(serde_yaml_ng::from_str::<serde_yaml_ng::Value>(split.matter).ok()?).ok()?
        }
        Format::Toml => serde_json::to_value(toml::from_str::<toml::Table>(split.matter).ok()?).ok()?,
    };
    dates_as_text(&mut v);
    Some(v)
}

fn dates_as_text(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.len() == 1 {
                if let Some(Value::String(s)) = m.get(TOML_DATETIME) {
                    *v = Value::String(s.clone());
                    return;
                }
            }
            m.values_mut().for_each(dates_as_text);
        }
        Value::Array(a) => a.iter_mut().for_each(dates_as_text),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(matter: &str) -> Split<'_> {
        Split { format: Format::Yaml, matter, body: "", body_line: 1 }
    }

    #[test]
    fn misspellings_are_near_known_keys_and_not_foreign_ones() {
        assert_eq!(misspelt("titel", PAGE), Some("title"));
        assert_eq!(misspelt("tag", PAGE), Some("tags"));
        assert_eq!(misspelt("sumary", PAGE), Some("summary"));
        assert_eq!(misspelt("categries", PAGE), Some("categories"));
        // theme parameters that happen to look like a key
        for key in ["math", "path", "subtitle", "toc", "type", "ShowToc", "featured_image", "comments", "title"] {
            assert_eq!(misspelt(key, PAGE), None, "{key}");
        }
    }

    #[test]
    fn case_variants_are_respelt_in_place() {
        let s = yaml("Title: 甲\nTags: [a]\n  Date: inner\npublishdate: 2024-01-01\n");
        assert_eq!(
            normalized(&s, PAGE).as_deref(),
            Some("title: 甲\ntags: [a]\n  Date: inner\npublishDate: 2024-01-01\n")
        );
        assert_eq!(normalized(&yaml("title: 甲\n"), PAGE), None);
    }

    #[test]
    fn other_keys_and_params_become_extra() {
        let s = yaml("title: 甲\nShowToc: true\nparams:\n  hero: a.jpg\nmenu: main\n");
        let rest = rest(Path::new("a.md"), &s, PAGE).unwrap();
        assert_eq!(serde_json::Value::Object(rest.extra), serde_json::json!({"ShowToc": true, "hero": "a.jpg"}));
        assert!(rest.menu);
        let toml = Split {
            format: Format::Toml,
            matter: "title = \"甲\"\nday = 2024-12-04\n[extra]\nx = 1\n",
            body: "",
            body_line: 1,
        };
        let rest = super::rest(Path::new("a.md"), &toml, PAGE).unwrap();
        assert_eq!(serde_json::Value::Object(rest.extra), serde_json::json!({"day": "2024-12-04", "x": 1}));
        let err = super::rest(Path::new("a.md"), &yaml("title: 甲\n\ntitel: 乙\n"), PAGE).unwrap_err();
        assert_eq!(err.to_string(), "a.md:4:1: unknown key `titel`: did you mean `title`?");
    }
}
