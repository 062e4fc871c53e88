//! Chinese sort order: titles and taxonomy terms are ordered by their pinyin, as a reader looks words up in a
//! dictionary (宪法 before 刑法 before 治安), not by code point (which scatters them).

use std::cmp::Ordering;

use pinyin::ToPinyin;

/// The sort key of `s`: each Chinese character as its pinyin with the tone number (`xian4`), other characters
/// lowercased, so that Latin words and pinyin interleave as in a dictionary's index.
pub fn key(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.trim().chars() {
        match c.to_pinyin() {
            Some(p) => {
                out.push_str(p.with_tone_num_end());
                // Ends the syllable: `xian4` sorts before `xiang1`.
                out.push(' ');
            }
            None => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Compares two texts by `key`, then as written (so that distinct texts never compare equal).
pub fn cmp(a: &str, b: &str) -> Ordering {
    key(a).cmp(&key(b)).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_sorts_by_pinyin_and_latin_among_it() {
        let mut words =
            vec!["治安管理处罚法", "宪法", "刑法", "安全生产法", "民法典", "GB/T 标准", "2024 年报告", "宪法修正案"];
        words.sort_by(|a, b| cmp(a, b));
        assert_eq!(
            words,
            ["2024 年报告", "安全生产法", "GB/T 标准", "民法典", "宪法", "宪法修正案", "刑法", "治安管理处罚法"]
        );
        // a syllable ends before a longer one: 先 (xian1) before 香 (xiang1)
        assert_eq!(cmp("先", "香"), Ordering::Less);
    }
}
