//! Participants' names as the public ranking shows them: masked by default, hidden, or in full when a
//! competition without schools chooses so (`quiz::PublicNames`). Organizer pages and exports never come here.

use unicode_segmentation::UnicodeSegmentation;

use crate::quiz::PublicNames;

/// Two-character surnames kept whole by the mask (欧阳明华 → 欧阳*华).
const COMPOUND_SURNAMES: [&str; 60] = [
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "轩辕",
    "令狐", "端木", "独孤", "南宫", "西门", "百里", "呼延", "万俟", "单于", "申屠", "闻人", "太史", "澹台", "公冶",
    "宗政", "濮阳", "淳于", "仲孙", "赫连", "钟离", "鲜于", "闾丘", "司空", "亓官", "司寇", "子车", "颛孙", "壤驷",
    "公良", "漆雕", "乐正", "宰父", "谷梁", "拓跋", "夹谷", "段干", "东郭", "南门", "羊舌", "微生", "公羊", "梁丘",
    "左丘", "东门", "第五", "巫马",
];

/// The name the public ranking shows under `policy`; None when it shows none.
pub fn public(policy: PublicNames, name: &str) -> Option<String> {
    match policy {
        PublicNames::Masked => Some(mask(name)),
        PublicNames::Hidden => None,
        PublicNames::Full => Some(name.to_string()),
    }
}

/// Masks a name, hiding at least one character and never showing how many were hidden (one `*` stands for all):
/// - Chinese (any Han character): the surname (two characters for a compound one such as 欧阳), `*`, and the last
///   character when that still hides something: 张三 → 张*, 张三明 → 张*明, 欧阳华 → 欧阳*, 欧阳明华 → 欧阳*华;
/// - several words without Han characters: the first word and the initial of the last: Zhang San → Zhang S.;
/// - one word otherwise: first and last character around `*` (Alice → A*e, Bo → B*); one character → `*`.
///
/// Characters are grapheme clusters (é written with a combining accent, a flag, a family emoji are one); invisible
/// format characters (zero-width spaces, direction overrides) are dropped first so they cannot stand in for a kept
/// character or reorder the text.
pub fn mask(name: &str) -> String {
    let clean: String = name.chars().filter(|c| !invisible(*c)).collect();
    let words: Vec<&str> = clean.split_whitespace().collect();
    if !clean.chars().any(is_han) && words.len() >= 2 {
        let initial = words[words.len() - 1].graphemes(true).next().unwrap_or_default();
        return format!("{} {initial}.", words[0]);
    }
    let joined = words.concat();
    let g: Vec<&str> = joined.graphemes(true).collect();
    let n = g.len();
    if n <= 1 {
        return "*".to_string();
    }
    let keep = if n >= 3 && COMPOUND_SURNAMES.contains(&g[..2].concat().as_str()) { 2 } else { 1 };
    let mut out = g[..keep].concat();
    out.push('*');
    if n > keep + 1 {
        out.push_str(g[n - 1]);
    }
    out
}

/// CJK unified ideographs (with the extensions and compatibility block).
fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}')
}

/// Control characters and the invisible format characters (the zero-width joiner, part of emoji, is kept).
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200E}' | '\u{200F}' | '\u{FEFF}')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}')
}
