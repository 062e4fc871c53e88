//! The site's own law texts, so that a question's 法条依据 links to the article on the site: the basis
//! `《中华人民共和国宪法》第三十三条` links to `/xianfa/quanwen/#第三十三条` when a page of the site is that law
//! (its title names it, with or without `中华人民共和国`, a `（2018年修正）` or a `全文`) and has that article.
//! Only pages whose title names a law some question cites are rendered, once, at the server's start.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::content::markdown::{self, RenderContext};
use crate::content::Library;
use crate::i18n::Lang;
use crate::quiz::QuizSet;

/// One law text of the site: its address and its articles by number.
#[derive(Debug, Clone, Default, PartialEq)]
struct LawPage {
    url: String,
    /// Article number (`(133, 1)` for 第一百三十三条之一) → anchor id in the page.
    articles: HashMap<(u32, u32), String>,
}

/// The law texts of a site by law name (see [`law_key`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Laws {
    by_name: HashMap<String, LawPage>,
}

/// A piece of a basis as the result page shows it: text, linked where the site has the article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Piece {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
}

/// A law's name for matching: without `《》`, spaces, a leading `中华人民共和国`, a trailing edition in brackets
/// (`（2018年修正）`, `(2020)`) or `全文`/`（全文）`.
pub fn law_key(name: &str) -> String {
    let mut s: String = name.chars().filter(|c| !c.is_whitespace() && !matches!(c, '《' | '》')).collect();
    loop {
        let before = s.len();
        for suffix in ["全文", "原文"] {
            if let Some(rest) = s.strip_suffix(suffix) {
                s = rest.to_string();
            }
        }
        if s.ends_with(['）', ')']) {
            if let Some(open) = s.rfind(['（', '(']).filter(|&i| i > 0) {
                s.truncate(open);
            }
        }
        if s.len() == before {
            break;
        }
    }
    s.strip_prefix("中华人民共和国").map(str::to_string).unwrap_or(s)
}

/// The value of a Chinese or Arabic numeral (`一百三十三`, `133`, `１３３`); `None` for anything else.
fn numeral(text: &str) -> Option<u32> {
    let ascii: Option<String> = text
        .chars()
        .map(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            _ => None,
        })
        .collect();
    if let Some(digits) = ascii.filter(|d| !d.is_empty()) {
        return digits.parse().ok();
    }
    if text.is_empty() {
        return None;
    }
    let (mut total, mut section, mut digit) = (0u32, 0u32, None::<u32>);
    for c in text.chars() {
        let d = match c {
            '零' | '〇' => Some(0),
            '一' => Some(1),
            '二' | '两' => Some(2),
            '三' => Some(3),
            '四' => Some(4),
            '五' => Some(5),
            '六' => Some(6),
            '七' => Some(7),
            '八' => Some(8),
            '九' => Some(9),
            _ => None,
        };
        if let Some(d) = d {
            digit = Some(d);
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            '万' => 10_000,
            _ => return None,
        };
        if unit == 10_000 {
            total = (total + section + digit.take().unwrap_or(0)).checked_mul(unit)?;
            section = 0;
        } else {
            // 十三 is 13: a unit with no digit before it counts once.
            section += digit.take().unwrap_or(1) * unit;
        }
    }
    Some(total + section + digit.unwrap_or(0))
}

/// The number of an article (`第一百三十三条之一` → `(133, 1)`) at the start of `text`, and its byte length.
fn article_at(text: &str) -> Option<((u32, u32), usize)> {
    let rest = text.strip_prefix('第')?;
    let end = rest.find('条')?;
    let number = numeral(&rest[..end])?;
    let mut len = '第'.len_utf8() + end + '条'.len_utf8();
    let mut sub = 0;
    if let Some(after) = text[len..].strip_prefix('之') {
        let n = after.find(|c: char| numeral(&c.to_string()).is_none()).unwrap_or(after.len());
        if let Some(v) = numeral(&after[..n]).filter(|_| n > 0) {
            sub = v;
            len += '之'.len_utf8() + n;
        }
    }
    Some(((number, sub), len))
}

/// The keys of the laws a basis cites.
fn cited(basis: &str) -> impl Iterator<Item = String> + '_ {
    basis.split('《').skip(1).filter_map(|s| s.split_once('》')).map(|(name, _)| law_key(name))
}

impl Laws {
    /// The law texts among `library`'s pages that the questions of `quizzes` cite.
    pub fn index(library: &Library, quizzes: &QuizSet, lang: Lang) -> Laws {
        let wanted: std::collections::HashSet<String> = quizzes
            .banks
            .values()
            .flat_map(|b| &b.questions)
            .flat_map(|q| cited(&q.basis).collect::<Vec<_>>())
            .collect();
        let pages: Vec<(String, LawPage)> = library
            .pages
            .par_iter()
            .filter(|p| wanted.contains(&law_key(&p.meta.title)))
            .filter_map(|p| {
                let ctx = RenderContext {
                    library,
                    source: &p.source,
                    body_line: p.body_line,
                    lang,
                    shortcodes: None,
                    pictures: None,
                };
                let rendered = markdown::render(&p.body, &ctx);
                let mut articles = HashMap::new();
                for a in &rendered.articles {
                    if let Some((n, _)) = article_at(&a.id) {
                        articles.entry(n).or_insert_with(|| a.id.clone());
                    }
                }
                (!articles.is_empty()).then(|| (law_key(&p.meta.title), LawPage { url: p.url.clone(), articles }))
            })
            .collect();
        let mut by_name: HashMap<String, LawPage> = HashMap::new();
        for (key, page) in pages {
            // Two pages of one law: the fuller text wins (an excerpt page has fewer articles).
            let fuller = by_name.get(&key).is_none_or(|have| page.articles.len() > have.articles.len());
            if fuller {
                by_name.insert(key, page);
            }
        }
        Laws { by_name }
    }

    /// Loads `SOURCE/content` and indexes it (an unreadable content folder gives no links, never an error: the
    /// build has reported it).
    pub fn load(source: &Path, quizzes: &QuizSet, lang: Lang) -> Laws {
        let (library, _) = crate::content::load(&source.join("content"));
        Laws::index(&library, quizzes, lang)
    }

    /// How many law texts were found.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// A basis in pieces, each article the site has linked (`root`: the site's path prefix). The pieces joined
    /// are the basis as written.
    pub fn link(&self, basis: &str, root: &str) -> Vec<Piece> {
        let mut pieces: Vec<Piece> = Vec::new();
        let mut text = String::new();
        let mut law: Option<&LawPage> = None;
        let mut rest = basis;
        while let Some(c) = rest.chars().next() {
            if c == '《' {
                if let Some((name, _)) = rest[c.len_utf8()..].split_once('》') {
                    law = self.by_name.get(&law_key(name));
                }
            }
            let found = law.and_then(|l| article_at(rest).and_then(|(n, len)| Some((l.articles.get(&n)?, len, l))));
            if let Some((id, len, page)) = found {
                if !text.is_empty() {
                    pieces.push(Piece { text: std::mem::take(&mut text), href: None });
                }
                let href = format!("{root}{}#{id}", page.url);
                pieces.push(Piece { text: rest[..len].to_string(), href: Some(href) });
                rest = &rest[len..];
                continue;
            }
            text.push(c);
            rest = &rest[c.len_utf8()..];
        }
        if !text.is_empty() {
            pieces.push(Piece { text, href: None });
        }
        pieces
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    #[test_case("《中华人民共和国宪法》", "宪法")]
    #[test_case("中华人民共和国宪法（2018年修正）", "宪法")]
    #[test_case("宪法全文", "宪法")]
    #[test_case("中华人民共和国未成年人保护法（全文）", "未成年人保护法")]
    #[test_case("民法典 (2020)", "民法典")]
    #[test_case("民法典婚姻家庭编", "民法典婚姻家庭编")]
    fn law_names_match_without_prefix_edition_or_full_text(name: &str, key: &str) {
        assert_eq!(law_key(name), key);
    }

    #[test_case("第一条", Some((1, 0)))]
    #[test_case("第十三条", Some((13, 0)))]
    #[test_case("第二十一条", Some((21, 0)))]
    #[test_case("第一百零五条", Some((105, 0)))]
    #[test_case("第一千零七十七条第一款", Some((1077, 0)))]
    #[test_case("第一百三十三条之一", Some((133, 1)))]
    #[test_case("第133条", Some((133, 0)))]
    #[test_case("第１３３条", Some((133, 0)) ; "full width digits")]
    #[test_case("第二章", None)]
    fn article_numbers_are_read_as_numbers(text: &str, number: Option<(u32, u32)>) {
        assert_eq!(article_at(text).map(|(n, _)| n), number);
    }

    fn laws() -> Laws {
        let articles = [((1, 0), "第一条"), ((33, 0), "第三十三条"), ((133, 1), "第一百三十三条之一")];
        let page = LawPage {
            url: "/xianfa/quanwen/".into(),
            articles: articles.iter().map(|(n, id)| (*n, id.to_string())).collect(),
        };
        Laws { by_name: HashMap::from([("宪法".to_string(), page)]) }
    }

    #[test]
    fn a_basis_links_each_article_the_site_has_and_keeps_its_text() {
        let basis = "《中华人民共和国宪法》第三十三条、第三十四条；《民法典》第一条";
        let pieces = laws().link(basis, "/site");
        assert_eq!(pieces.iter().map(|p| p.text.as_str()).collect::<String>(), basis);
        let linked: Vec<(&str, &str)> =
            pieces.iter().filter_map(|p| Some((p.text.as_str(), p.href.as_deref()?))).collect();
        assert_eq!(linked, [("第三十三条", "/site/xianfa/quanwen/#第三十三条")]);
        assert!(laws().link("《宪法》第1条", "").iter().any(|p| p.href.is_some()), "Arabic numbers too");
        assert!(laws().link("宪法第一条", "").iter().all(|p| p.href.is_none()), "no law named, no link");
    }
}
