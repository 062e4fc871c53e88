//! Readable slugs for URLs and heading anchors: Chinese kept as it is, ASCII lowercased, punctuation made dashes.

/// Turns a title or file name into a URL segment: letters and digits of every script are kept (so `宪法学习`
/// stays readable in the address bar), ASCII is lowercased, and spaces and punctuation, including Chinese
/// punctuation such as 《》“”，。、：（） and the full-width space, become single dashes, trimmed at both ends.
pub fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
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

#[cfg(test)]
mod tests {
    use super::slugify;
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
    fn slugs(input: &str, expected: &str) {
        assert_eq!(slugify(input), expected);
    }
}
