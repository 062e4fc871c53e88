//! Readable slugs for URLs and heading anchors (Chinese kept as it is, ASCII lowercased, punctuation made
//! dashes), and the site paths of `aliases`.

use super::text::is_letter_or_digit;

/// Turns a title or file name into a URL segment: letters and digits of every script are kept (so `宪法学习`
/// stays readable in the address bar), ASCII is lowercased, and spaces and punctuation, including Chinese
/// punctuation such as 《》“”，。、：（） and the full-width space, become single dashes, trimmed at both ends.
pub fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    for c in s.chars() {
        if is_letter_or_digit(c) {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        } else {
            dash = true;
        }
    }
    out
}

/// The site path an `aliases:` entry names, for a page at `page_url`: `/old/path/` as written (a trailing `/`
/// added unless it names a file like `a.html`), a relative entry under the page's parent folder, as Hugo reads
/// it. An address outside the site (`https://…`, `..`, `?`, `#`) is refused with what to write instead.
pub fn alias_url(page_url: &str, alias: &str) -> Result<String, String> {
    let a = alias.trim();
    let bad = a.is_empty() || a.contains("://") || a.starts_with("//") || a.contains(['?', '#', '\\']);
    if bad || a.split('/').any(|seg| seg == "..") {
        return Err(format!("aliases: expected a path of this site like /old/page/, found {alias:?}"));
    }
    let mut url = match a.strip_prefix('/') {
        Some(rest) => format!("/{rest}"),
        None => {
            let parent = page_url.trim_end_matches('/').rfind('/').map_or("/", |i| &page_url[..=i]);
            format!("{parent}{}", a.trim_start_matches("./"))
        }
    };
    let last = url.rsplit('/').next().unwrap_or_default();
    if !last.is_empty() && !last.contains('.') {
        url.push('/');
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    #[test]
    fn aliases_are_site_paths() {
        let page = "/posts/a/";
        assert_eq!(alias_url(page, "/old/a").as_deref(), Ok("/old/a/"));
        assert_eq!(alias_url(page, "/2024/12/a.html").as_deref(), Ok("/2024/12/a.html"));
        assert_eq!(alias_url(page, "old-a").as_deref(), Ok("/posts/old-a/"));
        assert_eq!(alias_url(page, "./旧/").as_deref(), Ok("/posts/旧/"));
        for bad in ["https://example.com/a/", "//example.com/a", "/../etc/", "/a?x=1", "", "/a#b"] {
            assert!(alias_url(page, bad).is_err(), "{bad}");
        }
    }

    use super::{alias_url, slugify};
    use test_case::test_case;

    #[test_case("宪法学习", "宪法学习" ; "chinese kept")]
    #[test_case("Hello World", "hello-world" ; "ascii lowercased and spaces dashed")]
    #[test_case("《中华人民共和国宪法》解读", "中华人民共和国宪法-解读" ; "book title marks")]
    #[test_case("第一章　总则", "第一章-总则" ; "full width space")]
    #[test_case("“民法典”来了，你准备好了吗？", "民法典-来了-你准备好了吗" ; "quotes commas question mark")]
    #[test_case("问：什么是（正当防卫）。", "问-什么是-正当防卫" ; "colon parentheses full stop")]
    #[test_case("a、b", "a-b" ; "enumeration comma")]
    #[test_case("--2024 年 12 月 4 日--", "2024-年-12-月-4-日" ; "dashes collapsed and trimmed")]
    #[test_case("foo_bar.md", "foo-bar-md" ; "underscore and dot")]
    #[test_case("！？…", "" ; "only punctuation gives empty")]
    #[test_case("二〇二四年々", "二〇二四年々" ; "ideographic zero and iteration mark are letters")]
    #[test_case("Ärger über Öl", "ärger-über-öl" ; "non ascii letters lowercased")]
    #[test_case("【案例】「电信诈骗」—提醒", "案例-电信诈骗-提醒" ; "brackets and em dash")]
    fn slugs(input: &str, expected: &str) {
        assert_eq!(slugify(input), expected);
    }
}
