//! The small, serialisable views templates see (links, list items, paginators), and the Chinese-aware
//! formatting of dates and reading time they carry.

use chrono::{DateTime, Datelike, FixedOffset};
use serde::Serialize;

use crate::content::{Library, Page};
use crate::i18n::{self, Lang};

/// A titled link.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub title: String,
    pub url: String,
}

/// A taxonomy term on a page.
#[derive(Debug, Clone, Serialize)]
pub struct TermLink {
    pub name: String,
    pub url: String,
}

/// A page in a list (section, term, home, search table).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Item {
    pub title: String,
    pub url: String,
    /// Display date (2024年12月4日) or empty.
    pub date: String,
    /// `2024-12-04` for `<time datetime>`, or empty.
    pub date_iso: String,
    pub summary: String,
    pub section_title: String,
    pub section_url: String,
}

/// A date as readers expect it: 2024年12月4日 in Chinese.
pub fn date_text(lang: Lang, d: &DateTime<FixedOffset>) -> String {
    i18n::fill(
        i18n::t(lang, "site.date"),
        &[
            ("y", &d.year().to_string()),
            ("m", &d.month().to_string()),
            ("d", &d.day().to_string()),
            ("m2", &format!("{:02}", d.month())),
            ("d2", &format!("{:02}", d.day())),
        ],
    )
}

/// "约 N 分钟".
pub fn reading_text(lang: Lang, minutes: usize) -> String {
    i18n::fill(i18n::t(lang, "site.reading_time"), &[("n", &minutes.max(1).to_string())])
}

/// A term's URL segment: readable Chinese kept, spaces to dashes, characters with a meaning in URLs removed.
pub fn term_slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_whitespace() || c == '/' {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else if !matches!(c, '?' | '#' | '%' | '"' | '\'' | '<' | '>' | '\\' | '&' | '+' | ':') {
            out.extend(c.to_lowercase());
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() {
        "-".into()
    } else {
        out
    }
}

/// The list view of a page.
pub fn item(lib: &Library, lang: Lang, page: &Page) -> Item {
    let section = &lib.sections[page.section];
    let (title, url) = if page.section == 0 {
        (String::new(), String::new())
    } else {
        (section.meta.title.clone(), section.url.clone())
    };
    Item {
        title: page.meta.title.clone(),
        url: page.url.clone(),
        date: page.meta.date.as_ref().map(|d| date_text(lang, d)).unwrap_or_default(),
        date_iso: page.meta.date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
        summary: page.summary.clone(),
        section_title: title,
        section_url: url,
    }
}

/// Where a list page stands among its siblings.
#[derive(Debug, Clone, Serialize)]
pub struct Paginator {
    pub current: usize,
    pub total: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// The URL of list page `n` (1-based) under `base`: `/col/`, `/col/page/2/`, …
pub fn page_url(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

/// Splits `items` into list pages of `per` and calls `f(url, paginator, slice)` for each; an empty list still
/// gets its first page.
pub fn paginate<T, E>(
    base: &str,
    items: &[T],
    per: usize,
    mut f: impl FnMut(&str, &Paginator, &[T]) -> Result<(), E>,
) -> Result<(), E> {
    let per = per.max(1);
    let total = items.len().div_ceil(per).max(1);
    for n in 1..=total {
        let slice = &items[((n - 1) * per).min(items.len())..(n * per).min(items.len())];
        let p = Paginator {
            current: n,
            total,
            prev: (n > 1).then(|| page_url(base, n - 1)),
            next: (n < total).then(|| page_url(base, n + 1)),
        };
        f(&page_url(base, n), &p, slice)?;
    }
    Ok(())
}

/// Breadcrumb links from the top section down to (and including) section `idx`; the root is left out.
pub fn breadcrumb(lib: &Library, idx: usize) -> Vec<Link> {
    let mut out = Vec::new();
    let mut at = Some(idx);
    while let Some(i) = at {
        if i == 0 || lib.sections[i].parent.is_none() {
            break;
        }
        out.push(Link { title: lib.sections[i].meta.title.clone(), url: lib.sections[i].url.clone() });
        at = lib.sections[i].parent;
    }
    out.reverse();
    out
}

/// Prefixes site-absolute links (`href="/…"`, `src="/…"`, each of a `srcset`'s, not `//host`) in rendered markdown with `root`, so a
/// site served from a sub-folder (`base_url: https://example.org/pufa/`) keeps working links. Markdown knows
/// only site paths; templates add `root` themselves.
pub fn with_root<'a>(html: &'a str, root: &str) -> std::borrow::Cow<'a, str> {
    if root.is_empty() {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(i) = rest.find("=\"/") {
        let (head, tail) = rest.split_at(i + 2);
        out.push_str(head);
        if head.ends_with(" srcset=\"") {
            // A picture's list of files: `/a-480.webp 480w, /a-800.webp 800w`.
            let end = tail.find('"').unwrap_or(tail.len());
            for (n, entry) in tail[..end].split(", ").enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                if entry.starts_with('/') && !entry.starts_with("//") {
                    out.push_str(root);
                }
                out.push_str(entry);
            }
            rest = &tail[end..];
            continue;
        }
        let is_link_attr = head.ends_with("href=\"") || head.ends_with("src=\"") || head.ends_with("poster=\"");
        if is_link_attr && !tail.starts_with("//") {
            out.push_str(root);
        }
        rest = tail;
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// A page's contents as the built-in theme shows them: the nested `<ol>` lists the theme's `toc_list` macro
/// makes of `page.toc`, made here (a macro called for every heading of every long law text was a thirtieth of a
/// build's CPU time). The macro stays for themes of a site's own.
pub fn toc_html(items: &[crate::content::markdown::Heading]) -> String {
    fn list(items: &[crate::content::markdown::Heading], out: &mut String) {
        out.push_str("\n<ol>");
        for h in items {
            out.push_str("\n  <li><a href=\"#");
            out.push_str(&super::theme::escape(&h.id));
            out.push_str("\">");
            out.push_str(&super::theme::escape(&h.title));
            out.push_str("</a>");
            if !h.children.is_empty() {
                list(&h.children, out);
            }
            out.push_str("</li>");
        }
        out.push_str("\n</ol>\n");
    }
    let mut out = String::new();
    list(items, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_prefixes_site_links_only() {
        let html = r#"<a href="/a/">a</a><img src="/i.png"><a href="//cdn.x/y">c</a><a href="https://x/">d</a><p data-x="/z">"#;
        assert_eq!(with_root(html, ""), html);
        let pic = r#"<source srcset="/p/a-480.webp 480w, /p/a-800.webp 800w"><img src="/p/a.jpg" srcset="/b 1x, //cdn/c 2x">"#;
        assert_eq!(
            with_root(pic, "/site"),
            r#"<source srcset="/site/p/a-480.webp 480w, /site/p/a-800.webp 800w"><img src="/site/p/a.jpg" srcset="/site/b 1x, //cdn/c 2x">"#
        );
        assert_eq!(
            with_root(html, "/site"),
            r#"<a href="/site/a/">a</a><img src="/site/i.png"><a href="//cdn.x/y">c</a><a href="https://x/">d</a><p data-x="/z">"#
        );
    }

    #[test]
    fn chinese_dates_and_reading_time() {
        let d = DateTime::parse_from_rfc3339("2024-12-04T09:30:00+08:00").unwrap();
        assert_eq!(date_text(Lang::Zh, &d), "2024年12月4日");
        assert_eq!(date_text(Lang::En, &d), "2024-12-04");
        assert_eq!(reading_text(Lang::Zh, 3), "约 3 分钟");
        assert_eq!(reading_text(Lang::Zh, 0), "约 1 分钟");
    }

    #[test]
    fn term_slugs() {
        for (name, slug) in [("宪法", "宪法"), ("Civil Code", "civil-code"), ("a/b?#", "a-b"), ("  ", "-")] {
            assert_eq!(term_slug(name), slug);
        }
    }

    #[test]
    fn pagination_urls() {
        let mut seen = Vec::new();
        paginate::<_, ()>("/c/", &[1, 2, 3, 4, 5], 2, |url, p, s| {
            seen.push((url.to_string(), p.prev.clone(), p.next.clone(), s.to_vec()));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[0], ("/c/".into(), None, Some("/c/page/2/".into()), vec![1, 2]));
        assert_eq!(seen[2], ("/c/page/3/".into(), Some("/c/page/2/".into()), None, vec![5]));
        let mut empty = 0;
        paginate::<u8, ()>("/e/", &[], 20, |_, p, _| {
            empty += p.total;
            Ok(())
        })
        .unwrap();
        assert_eq!(empty, 1);
    }

    #[test]
    fn contents_are_what_the_themes_macro_makes_of_them() {
        use crate::content::markdown::Heading;
        let h = |id: &str, title: &str, children: Vec<Heading>| Heading {
            level: 2,
            id: id.to_string(),
            title: title.to_string(),
            children,
        };
        let toc = vec![
            h("第一章", "第一章　总则", vec![h("第一条", "第一条", vec![]), h("a&b", "<条> \"引\" '号'", vec![])]),
            h("第二章", "第二章　附则", vec![h("x", "二", vec![h("y", "深", vec![])])]),
            h("第三章", "第三章", vec![]),
        ];
        let mut tera = tera::Tera::default();
        tera.set_escape_fn(super::super::theme::escape);
        let macros = include_str!("../../themes/default/templates/macros.html");
        let page = "{% import \"macros.html\" as m %}{{ m::toc_list(items=toc) }}";
        tera.add_raw_templates(vec![("macros.html", macros), ("page.html", page)]).expect("templates");
        let mut ctx = tera::Context::new();
        ctx.insert("toc", &toc);
        assert_eq!(toc_html(&toc), tera.render("page.html", &ctx).expect("render"));
        assert_eq!(toc_html(&[]), "\n<ol>\n</ol>\n");
    }
}
