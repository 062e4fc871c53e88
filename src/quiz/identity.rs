//! Who a participant is, for counting: the name and group as shown (what they typed, cleaned of invisible
//! characters) and the key compared across attempts (folded so that invisible or look-alike variants of one
//! identity are one person).
//!
//! The key is Unicode NFKC (full-width `２班` is `2班`, compatibility ideographs and Kangxi radicals are the
//! unified ones), with every whitespace, control, format (zero-width spaces and joiners, U+2060, BOM, bidi
//! controls, tags), default-ignorable (variation selectors, Hangul fillers) and combining mark removed, and letters
//! lower-cased. Look-alike letters of other scripts (Cyrillic `а` for Latin `a`) are not folded.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Why a name or group cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityError {
    /// Nothing visible was typed.
    Empty,
    /// Only punctuation or symbols: no letter (a name) or no letter or digit (a group).
    NoLetters,
    /// More than the allowed characters once cleaned.
    TooLong,
}

/// A name or group as shown and as compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    /// As typed, with invisible characters removed and runs of whitespace made one space.
    pub shown: String,
    /// The folded form compared across attempts (`key`).
    pub key: String,
}

/// Characters that are not seen, or not seen as themselves: removed from both forms.
fn invisible(c: char) -> bool {
    if c.is_control() {
        return true;
    }
    matches!(
        c,
        '\u{034F}'                      // combining grapheme joiner
        | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' // Hangul fillers
        | '\u{17B4}' | '\u{17B5}'       // Khmer inherent vowels
        | '\u{180B}'..='\u{180F}'       // Mongolian variation selectors and vowel separator
        | '\u{2800}'                    // braille blank
        | '\u{FE00}'..='\u{FE0F}'       // variation selectors
        | '\u{E0100}'..='\u{E01EF}'     // variation selectors supplement
    ) || c.general_category() == GeneralCategory::Format
}

/// The comparison key of one part of an identity (name, group). Empty when nothing visible remains.
pub fn key(text: &str) -> String {
    // Decompose (compatibility), drop marks and invisibles, lower-case, then compose again: `Ｊｏｓé` and `jose`
    // are one key, and a zero-width space inside `张三` is no new person.
    let folded: String = text
        .nfkd()
        .filter(|&c| !invisible(c) && !c.is_whitespace() && !is_mark(c))
        .flat_map(char::to_lowercase)
        .collect();
    // Lower-casing can produce decomposable or compatibility characters again (`İ` → `i̇`): fold once more.
    folded.nfkc().filter(|&c| !invisible(c) && !c.is_whitespace() && !is_mark(c)).collect()
}

fn is_mark(c: char) -> bool {
    matches!(c.general_category(), GeneralCategory::NonspacingMark | GeneralCategory::EnclosingMark)
}

/// Cleans a name (`letters_needed`: at least one letter) or a group (a letter or a digit) of at most `max`
/// characters as typed (the API document's `maxLength`: invisible characters count, so padding a name with them
/// cannot pass a longer one).
pub fn clean(text: &str, max: usize, name: bool) -> Result<Cleaned, IdentityError> {
    if text.chars().count() > max {
        return Err(IdentityError::TooLong);
    }
    let visible: String = text.chars().filter(|&c| !invisible(c)).collect();
    let shown = visible.split_whitespace().collect::<Vec<_>>().join(" ");
    let key = key(&shown);
    if key.is_empty() {
        return Err(IdentityError::Empty);
    }
    let letters = key.chars().any(|c| if name { c.is_alphabetic() } else { c.is_alphanumeric() });
    if !letters {
        return Err(IdentityError::NoLetters);
    }
    Ok(Cleaned { shown, key })
}

/// The participant key of an identity: organization, name key and group key, joined by a separator no key holds.
pub fn participant_key(organization: &str, name: &Cleaned, group: &Cleaned) -> String {
    format!("{organization}\u{1f}{}\u{1f}{}", name.key, group.key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    // Issue 10: each of these is the same person as 张三 / 2班.
    #[test_case("张\u{200B}三"; "zero width space")]
    #[test_case("张\u{200D}三"; "zero width joiner")]
    #[test_case("张\u{200C}三"; "zero width non joiner")]
    #[test_case("\u{2060}张三"; "word joiner")]
    #[test_case("\u{FEFF}张三"; "bom")]
    #[test_case("\u{202E}张三\u{202C}"; "bidi override")]
    #[test_case("\u{2067}张三\u{2069}"; "bidi isolate")]
    #[test_case("\u{200F}张三"; "rtl mark")]
    #[test_case("张\u{3164}三"; "hangul filler")]
    #[test_case("张\u{115F}三"; "hangul choseong filler")]
    #[test_case("张\u{FFA0}三"; "halfwidth hangul filler")]
    #[test_case("张\u{00AD}三"; "soft hyphen")]
    #[test_case("张\u{034F}三"; "grapheme joiner")]
    #[test_case("张\u{FE0F}三"; "variation selector")]
    #[test_case("张\u{E0041}三"; "tag character")]
    #[test_case("张\u{180E}三"; "mongolian vowel separator")]
    #[test_case("张 三"; "space")]
    #[test_case("张\u{3000}三"; "ideographic space")]
    #[test_case("张\u{00A0}三"; "no break space")]
    #[test_case("张\t三"; "tab")]
    #[test_case(" 张三 \n"; "around")]
    #[test_case("张\u{0301}三"; "combining mark")]
    #[test_case("张\u{2800}三"; "braille blank")]
    fn invisible_variants_are_one_person(variant: &str) {
        assert_eq!(key(variant), key("张三"), "{variant:?}");
        assert_eq!(clean(variant, 32, true).unwrap().key, "张三");
    }

    #[test_case("２班", "2班"; "full width digit")]
    #[test_case("ＺＨＡＮＧ Ｓａｎ", "zhangsan"; "full width latin")]
    #[test_case("Zhang San", "zhangsan"; "case and space")]
    #[test_case("ZHANG  SAN", "zhangsan"; "upper case")]
    #[test_case("José", "jose"; "accent")]
    #[test_case("Jose\u{0301}", "jose"; "combining accent")]
    #[test_case("⼈民", "人民"; "kangxi radical")]
    #[test_case("\u{F900}", "\u{8C48}"; "compatibility ideograph")]
    #[test_case("①班", "1班"; "circled digit")]
    #[test_case("İ", "i"; "dotted capital i")]
    fn folded_forms(typed: &str, folded: &str) {
        assert_eq!(key(typed), folded);
    }

    #[test]
    fn distinct_people_stay_distinct() {
        assert_ne!(key("张三"), key("张山"));
        assert_ne!(key("張三"), key("张三"), "traditional and simplified are different characters");
        assert_ne!(key("2班"), key("12班"));
    }

    #[test]
    fn shown_keeps_what_was_typed_without_invisibles() {
        let c = clean("  Zhang\u{200B}  San ", 32, true).unwrap();
        assert_eq!(c.shown, "Zhang San");
        assert_eq!(c.key, "zhangsan");
        assert_eq!(clean("\u{202E}张三", 32, true).unwrap().shown, "张三", "no bidi control reaches a page or a sheet");
        assert_eq!(clean("２班", 32, false).unwrap().shown, "２班");
    }

    #[test_case("", IdentityError::Empty; "nothing")]
    #[test_case("\u{200B}\u{3164}\u{FEFF}", IdentityError::Empty; "invisibles only")]
    #[test_case("   ", IdentityError::Empty; "spaces only")]
    #[test_case("***", IdentityError::NoLetters; "stars")]
    #[test_case("。。", IdentityError::NoLetters; "full stops")]
    #[test_case("123", IdentityError::NoLetters; "digits")]
    fn names_need_a_visible_letter(typed: &str, err: IdentityError) {
        assert_eq!(clean(typed, 32, true), Err(err));
    }

    #[test]
    fn groups_may_be_digits_and_lengths_count_what_is_typed() {
        assert_eq!(clean("3", 32, false).unwrap().key, "3");
        assert_eq!(clean("-", 32, false), Err(IdentityError::NoLetters));
        let long = "张".repeat(33);
        assert_eq!(clean(&long, 32, true), Err(IdentityError::TooLong));
        // Found by schemathesis: 32 visible characters and one control are 33 as typed, over the `maxLength`.
        let padded = format!("{}\u{81}{}", "张".repeat(10), "*".repeat(22));
        assert_eq!(clean(&padded, 32, true), Err(IdentityError::TooLong));
        let fits = format!("张三{}", "\u{200B}".repeat(30));
        assert_eq!(clean(&fits, 32, true).unwrap().shown, "张三");
    }
}
