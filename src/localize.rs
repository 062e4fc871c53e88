//! Diagnostics in the site's language. Messages are written in English where they arise (the library and its
//! tests read them so); when printed for a person, each is matched against the English patterns of the `diag.*`
//! entries of `i18n/messages.yaml` (`{name}` stands for any text) and written with the entry's Chinese text.

use std::borrow::Cow;

use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::i18n::{self, Lang};

/// `msg` in `lang`: the first `diag.*` entry whose English pattern matches it, filled in; else `msg` as it is.
pub fn message(lang: Lang, msg: &str) -> Cow<'_, str> {
    if lang == Lang::En {
        return Cow::Borrowed(msg);
    }
    for (pattern, zh) in i18n::patterns("diag.msg.") {
        if let Some(values) = matches(pattern, msg) {
            let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            return Cow::Owned(i18n::fill(zh, &values));
        }
    }
    Cow::Borrowed(msg)
}

/// One diagnostic as `file:line:col: message`, with "warning" and the message in `lang`.
pub fn diagnostic(lang: Lang, d: &Diagnostic) -> String {
    let kind = match d.severity {
        Severity::Warning => i18n::t(lang, "diag.kind.warning"),
        Severity::Error => "",
    };
    let at = match (d.line, d.column) {
        (0, _) => format!("{}", d.path.display()),
        (l, 0) => format!("{}:{l}", d.path.display()),
        (l, c) => format!("{}:{l}:{c}", d.path.display()),
    };
    format!("{at}: {kind}{}", message(lang, &d.message))
}

/// Every diagnostic, a line each, then the number of errors.
pub fn diagnostics(lang: Lang, ds: &Diagnostics) -> String {
    let mut out: String = ds.0.iter().map(|d| diagnostic(lang, d) + "\n").collect();
    let n = ds.errors().count();
    if n > 0 {
        out.push_str(&i18n::t(lang, "diag.count").replace("{n}", &n.to_string()));
    }
    out
}

/// The texts that `pattern`'s placeholders stand for in `msg`, in order; None when it does not match. Each
/// placeholder takes the shortest text after which the rest of the pattern can follow, the last one the rest.
fn matches<'m>(pattern: &str, msg: &'m str) -> Option<Vec<(String, &'m str)>> {
    let mut parts = pattern.split('{');
    let head = parts.next()?;
    let mut rest = msg.strip_prefix(head)?;
    let mut values = Vec::new();
    let pieces: Vec<(&str, &str)> = parts.map(|p| p.split_once('}').unwrap_or((p, ""))).collect();
    for (n, (name, literal)) in pieces.iter().enumerate() {
        let last = n + 1 == pieces.len();
        let end = match (literal.is_empty(), last) {
            (true, true) => rest.len(),
            (true, false) => return None,
            (false, true) => rest.strip_suffix(literal).map(str::len)?,
            (false, false) => rest.find(literal)?,
        };
        // A placeholder stands for some text, except a last one that ends the pattern (`…{rest}`), which may be
        // empty: libyaml's messages come with and without their context.
        if end == 0 && !(last && literal.is_empty()) {
            return None;
        }
        values.push((name.to_string(), &rest[..end]));
        rest = &rest[end + literal.len()..];
    }
    rest.is_empty().then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_last_placeholder_may_be_empty_the_others_not() {
        assert!(matches("found unexpected end of stream{rest}", "found unexpected end of stream").is_some());
        let with = matches("found unexpected end of stream{rest}", "found unexpected end of stream, while x").unwrap();
        assert_eq!(with[0].1, ", while x");
        assert!(matches("{key}: must not be empty", ": must not be empty").is_none());
        assert!(message(Lang::Zh, "mapping values are not allowed in this context").starts_with("YAML 格式错误"));
    }

    #[test]
    fn patterns_take_the_texts_between_their_literals() {
        let v = matches(
            "{key}: expected a date like 2024-12-04, found {found}",
            "date: expected a date like 2024-12-04, found \"12月4日\"",
        );
        assert_eq!(v, Some(vec![("key".into(), "date"), ("found".into(), "\"12月4日\"")]));
        assert_eq!(matches("missing field `{f}`", "missing field `title`"), Some(vec![("f".into(), "title")]));
        assert_eq!(matches("missing field `{f}`", "missing fields"), None);
        assert_eq!(matches("no placeholders", "no placeholders"), Some(vec![]));
    }

    #[test]
    fn common_messages_are_chinese() {
        let cases = [
            (
                "date: expected a date like 2024-12-04, found \"12月4日\"",
                "date：日期格式应为 2024-12-04，实际是\"12月4日\"",
            ),
            ("missing field `title`", "缺少必填的键 `title`"),
            ("unknown key `titel`: did you mean `title`?", "未知的键 `titel`：是不是 `title`？"),
            (
                "cannot read: file system loop found: it links to /site/content, a folder it is in",
                "无法读取：这是一个循环链接，指向它自己所在的文件夹 /site/content；请删除这个链接",
            ),
            ("cannot read: Permission denied (os error 13)", "无法读取：Permission denied (os error 13)"),
            ("cannot read: no such folder", "无法读取：没有这个文件夹"),
        ];
        for (en, zh) in cases {
            assert_eq!(message(Lang::Zh, en), zh);
            assert_eq!(message(Lang::En, en), en);
        }
        let d = Diagnostic::warning(
            "content/a.md",
            7,
            0,
            "unknown shortcode `notice`: its inner text is kept; write templates/shortcodes/notice.html to render it",
        );
        assert_eq!(diagnostic(Lang::Zh, &d), "content/a.md:7: 警告：不认识的短代码 `notice`，保留了其中的文字；要显示它，请编写 templates/shortcodes/notice.html");
    }
}
