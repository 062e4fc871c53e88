//! Anchors in a page: unique readable heading ids, `第X条` article ids for law texts, and the nested TOC.

use std::collections::HashSet;

use super::Heading;
use crate::content::slug::slugify;

/// The ids already used in one page, so every new one is unique (`id`, `id-1`, `id-2`, …).
#[derive(Default)]
pub struct Ids(HashSet<String>);

impl Ids {
    /// Marks an id written by the author (`{#id}`) as taken; it is kept even when repeated.
    pub fn reserve(&mut self, id: &str) {
        self.0.insert(id.to_string());
    }

    /// A unique id from `base`, or from `fallback` when `base` slugifies to nothing.
    pub fn unique(&mut self, base: &str, fallback: &str) -> String {
        let mut base = slugify(base);
        if base.is_empty() {
            base = fallback.to_string();
        }
        if self.0.insert(base.clone()) {
            return base;
        }
        let mut n = 1;
        loop {
            let id = format!("{base}-{n}");
            if self.0.insert(id.clone()) {
                return id;
            }
            n += 1;
        }
    }
}

const NUMERALS: &str = "零〇一二三四五六七八九十百千万两";

/// If `text` starts with an article number such as `第三十三条` (or `第一百三十三条之一`), its byte length;
/// a following full-width or plain space is not part of it.
pub fn article_number(text: &str) -> Option<usize> {
    let rest = text.strip_prefix('第')?;
    let digits = rest.find(|c: char| !NUMERALS.contains(c)).unwrap_or(rest.len());
    if digits == 0 {
        return None;
    }
    let rest = rest[digits..].strip_prefix('条')?;
    let mut len = '第'.len_utf8() + digits + '条'.len_utf8();
    // 之一, 之二: articles inserted by amendments (e.g. 刑法第一百三十三条之一).
    if let Some(after) = rest.strip_prefix('之') {
        let n = after.find(|c: char| !NUMERALS.contains(c)).unwrap_or(after.len());
        if n > 0 {
            len += '之'.len_utf8() + n;
        }
    }
    Some(len)
}

/// Nests a flat list of headings: each goes under the nearest earlier heading of a higher rank.
pub fn nest(flat: Vec<Heading>) -> Vec<Heading> {
    let mut root = Vec::new();
    for h in flat {
        insert(&mut root, h);
    }
    root
}

fn insert(list: &mut Vec<Heading>, h: Heading) {
    match list.last_mut() {
        Some(last) if last.level < h.level => insert(&mut last.children, h),
        _ => list.push(h),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    #[test_case("第三十三条　凡具有", Some("第三十三条") ; "full width space after")]
    #[test_case("第一条 为了", Some("第一条") ; "plain space after")]
    #[test_case("第一百三十三条之一　在道路上", Some("第一百三十三条之一") ; "amendment article")]
    #[test_case("第二章 总则", None ; "chapter is no article")]
    #[test_case("第条", None ; "no numeral")]
    #[test_case("依照第五条", None ; "not at the start")]
    #[test_case("第3条", None ; "arabic digits are not the statute style")]
    fn article_numbers(text: &str, expected: Option<&str>) {
        assert_eq!(article_number(text).map(|n| &text[..n]), expected);
    }

    #[test]
    fn ids_are_unique_with_suffixes() {
        let mut ids = Ids::default();
        ids.reserve("总则");
        assert_eq!(ids.unique("总则", "h"), "总则-1");
        assert_eq!(ids.unique("总则", "h"), "总则-2");
        assert_eq!(ids.unique("？", "h"), "h");
        assert_eq!(ids.unique("！", "h"), "h-1");
    }
}
