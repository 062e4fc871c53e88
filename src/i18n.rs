//! User-facing strings in zh-CN (the default) and English, all read from the one file `i18n/messages.yaml`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The languages pufa speaks. Chinese is the default everywhere.
/// Read from any common spelling of the tag (`zh-CN`, `zh_CN`, `zh-Hans`, `en-US`…), written as `zh-CN` or `en`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl<'de> Deserialize<'de> for Lang {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let tag = String::deserialize(d)?;
        Lang::parse(&tag)
            .ok_or_else(|| serde::de::Error::custom(format!("expected a language like zh-CN or en, found {tag:?}")))
    }
}

impl Lang {
    /// The BCP 47 tag, for `<html lang>` and feeds.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Parses a tag such as `zh-CN`, `zh_CN`, `zh-Hans`, `zh-Hans-CN`, `en`, `en-US`, in any letter case;
    /// other languages (and Traditional Chinese, which pufa does not speak) are `None`.
    pub fn parse(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
        match tag.as_str() {
            "zh" | "zh-cn" | "zh-hans" | "zh-hans-cn" | "zh-sg" => Some(Lang::Zh),
            t if t == "en" || t.starts_with("en-") => Some(Lang::En),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "zh-CN")]
    zh: String,
    en: String,
}

type Table = BTreeMap<String, Entry>;

const SOURCE: &str = include_str!("../i18n/messages.yaml");

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    // The file is compiled in and covered by a test, so a parse failure is a programming error.
    TABLE.get_or_init(|| serde_yaml_ng::from_str(SOURCE).expect("i18n/messages.yaml is valid"))
}

/// Reads the translation table now rather than on its first use (a build does it beside other work).
pub fn prepare() {
    table();
}

/// The (English, Chinese) texts of the entries whose key starts with `prefix`, in key order.
pub fn patterns(prefix: &str) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
    table()
        .range(prefix.to_string()..)
        .take_while(move |(k, _)| k.starts_with(prefix))
        .map(|(_, e)| (e.en.as_str(), e.zh.as_str()))
}

/// The string for `key` in `lang`. A missing key returns the key itself, so a gap is visible, not fatal.
pub fn t(lang: Lang, key: &str) -> &str {
    match table().get(key) {
        Some(e) => match lang {
            Lang::Zh => &e.zh,
            Lang::En => &e.en,
        },
        None => {
            tracing::warn!(key, "missing translation");
            key_leak(key)
        }
    }
}

fn key_leak(key: &str) -> &'static str {
    // Missing keys are rare and bounded by the source; leaking them keeps `t` allocation-free.
    Box::leak(key.to_string().into_boxed_str())
}

/// Every string of one language, for templates (`{{ t["search.placeholder"] }}`).
pub fn all(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    table()
        .iter()
        .map(|(k, e)| {
            let v = match lang {
                Lang::Zh => e.zh.as_str(),
                Lang::En => e.en.as_str(),
            };
            (k.as_str(), v)
        })
        .collect()
}

/// Fills `{name}` placeholders in a translated string.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in args {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // A key written twice silently shadowed the first (the organizer's 作答人次 became 已答).
    #[test]
    fn no_key_is_written_twice() {
        let mut seen = std::collections::HashSet::new();
        for (n, line) in SOURCE.lines().enumerate() {
            let Some((key, _)) = line.split_once(':') else { continue };
            if key.starts_with(|c: char| c.is_ascii_lowercase()) && !key.contains(' ') {
                assert!(seen.insert(key), "i18n/messages.yaml:{}: {key} is already defined", n + 1);
            }
        }
    }

    #[test]
    fn file_parses_and_every_entry_has_both_languages() {
        let all_zh = all(Lang::Zh);
        let all_en = all(Lang::En);
        assert!(all_zh.len() > 5);
        assert_eq!(all_zh.len(), all_en.len());
        for (k, v) in &all_zh {
            assert!(!v.trim().is_empty(), "{k} has no zh-CN text");
            assert!(!all_en[k].trim().is_empty(), "{k} has no English text");
        }
    }

    #[test]
    fn language_tags_are_read_in_every_common_spelling() {
        for tag in ["zh-CN", "zh_CN", "zh-Hans", "zh-hans", "ZH", "zh-Hans-CN"] {
            assert_eq!(Lang::parse(tag), Some(Lang::Zh), "{tag}");
            assert_eq!(serde_yaml_ng::from_str::<Lang>(tag).unwrap(), Lang::Zh, "{tag}");
        }
        for tag in ["en", "en-US", "en_GB"] {
            assert_eq!(Lang::parse(tag), Some(Lang::En), "{tag}");
        }
        let err = serde_yaml_ng::from_str::<Lang>("zh-TW").unwrap_err().to_string();
        assert!(err.starts_with("expected a language like zh-CN or en, found \"zh-TW\""), "{err}");
    }

    #[test]
    fn chinese_is_the_default() {
        assert_eq!(Lang::default(), Lang::Zh);
        assert_eq!(t(Lang::default(), "nav.home"), "首页");
        assert_eq!(t(Lang::En, "nav.home"), "Home");
    }

    #[test]
    fn fill_replaces_placeholders() {
        assert_eq!(fill("共 {n} 页", &[("n", "3")]), "共 3 页");
    }
}
