//! Summaries, word counts and reading time, counted the Chinese way.

use pufa::content::text::{facts, is_cjk, is_letter_or_digit, Counts, SUMMARY_CHARS};
use test_case::test_case;

fn counts(s: &str) -> Counts {
    let mut c = Counts::default();
    c.add(s);
    c
}

#[test_case("宪法是根本法", 6, 0 ; "chinese characters")]
#[test_case("The Civil Code, 2020 edition", 0, 5 ; "latin words and numbers")]
#[test_case("学习Civil Code第3条", 4, 3 ; "mixed")]
#[test_case("，。！《》", 0, 0 ; "punctuation counts nothing")]
#[test_case("café naïve Ωmega", 0, 3 ; "two byte letters stay in their word")]
#[test_case("𠀀𪚥字", 3, 0 ; "four byte ideographs are characters")]
#[test_case("にほんご 한국어", 7, 0 ; "kana and hangul are characters")]
fn counting(text: &str, cjk: usize, words: usize) {
    assert_eq!(counts(text), Counts { cjk, words });
}

/// Counts::add decodes UTF-8 by hand; it must count every character as `chars()` with `is_cjk` and
/// `is_letter_or_digit` would.
#[test]
fn every_character_is_counted_as_its_class_says() {
    let mut text = String::from("a");
    let mut want = Counts { cjk: 0, words: 1 };
    for c in (0..=0x10FFFF).filter_map(char::from_u32) {
        // Each character between two letters, so a word character joins their word and anything else splits it.
        text.push(c);
        text.push('a');
        if is_cjk(c) {
            want.cjk += 1;
            want.words += 1;
        } else if !is_letter_or_digit(c) {
            want.words += 1;
        }
    }
    assert_eq!(counts(&text), want);
}

#[test_case(0, 0, 1 ; "empty is one minute")]
#[test_case(300, 0, 1 ; "300 characters")]
#[test_case(301, 0, 2 ; "rounded up")]
#[test_case(0, 400, 2 ; "400 words")]
#[test_case(600, 200, 3 ; "both add up")]
fn reading_minutes(cjk: usize, words: usize, minutes: usize) {
    assert_eq!(Counts { cjk, words }.reading_minutes(), minutes);
}

#[test]
fn front_matter_summary_wins() {
    assert_eq!(facts("正文\n\n<!-- more -->\n", Some(" 摘要 ")).summary, "摘要");
}

#[test]
fn text_before_more_marker_is_the_summary() {
    let f = facts("## 引言\n\n**宪法**是国家的根本法。\n\n<!--more-->\n\n后文很长。", None);
    assert_eq!(f.summary, "引言 宪法是国家的根本法。");
    // Counted over the raw markdown: the marker's `more` is one word.
    assert_eq!(f.counts, Counts { cjk: 15, words: 1 });
}

#[test]
fn the_first_marker_of_either_spelling_ends_the_summary() {
    let f = facts("前文。\n\n<!--more-->\n\n中间。\n\n<!-- more -->\n\n后文。", None);
    assert_eq!(f.summary, "前文。");
    // A comment that is no marker is passed over.
    let f = facts("<!-- 编者按 -->\n\n导语。\n\n<!-- more -->\n\n后文。", None);
    assert_eq!(f.summary, "导语。");
}

#[test]
fn long_text_is_cut_at_a_character_with_an_ellipsis() {
    let body = "法".repeat(SUMMARY_CHARS + 30);
    let s = facts(&body, None).summary;
    assert_eq!(s, format!("{}…", "法".repeat(SUMMARY_CHARS)));
}

#[test]
fn text_of_exactly_the_limit_is_not_cut() {
    let body = "法".repeat(SUMMARY_CHARS);
    assert_eq!(facts(&body, None).summary, body);
}

#[test]
fn a_summary_past_the_first_blank_line_after_2_kb_is_still_found() {
    // Regression: the automatic summary parses a growing prefix; a long first block must not end it early.
    let body = format!("{}\n\n{}", "- 甲\n".repeat(1000), "乙".repeat(200));
    assert_eq!(facts(&body, None).summary, format!("{}…", ["甲"; 60].join(" ")));
    let body = format!("<div>\n{}\n</div>\n\n{}", "x".repeat(3000), "乙".repeat(200));
    assert_eq!(facts(&body, None).summary, format!("{}…", "乙".repeat(SUMMARY_CHARS)));
}

#[test]
fn a_bare_video_address_is_not_summary_text() {
    assert_eq!(facts("https://www.bilibili.com/video/BV1GJ411x7h7\n\n宣传片。\n", None).summary, "宣传片。");
}

#[test]
fn markup_is_stripped_and_whitespace_collapsed() {
    let f = facts("第一条\n为了[保护](x.md)公民，\n\n- 甲\n- 乙\n", None);
    assert_eq!(f.summary, "第一条 为了保护公民， 甲 乙");
}
