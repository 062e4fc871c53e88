//! Masks what looks like a phone number or an ID number in text shown on the public board: mainland mobiles
//! (138 1234 5678, +86-13812345678), landlines (0571-88881234, 88881234) and 18-digit ID numbers (also ending in
//! X), in ASCII or full-width digits. A run of digits joined by spaces or dashes is masked digit by digit when it
//! holds seven digits or more, unless it reads as a date (2026-12-01); erring towards masking a long number that
//! was harmless is the right side to err on.

/// The digit value of an ASCII or full-width digit.
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '－' | '　')
}

fn is_x(c: char) -> bool {
    matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ')
}

/// `text` with phone and ID numbers masked as `*`, separators and everything else kept.
pub fn mask(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_digit(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The run: digits, single separators between digits, and an X right after the 17th digit.
        let start = i;
        let mut groups = vec![0usize];
        while i < chars.len() {
            let c = chars[i];
            if is_digit(c) {
                if let Some(g) = groups.last_mut() {
                    *g += 1;
                }
                i += 1;
            } else if is_separator(c) && chars.get(i + 1).is_some_and(|n| is_digit(*n)) {
                groups.push(0);
                i += 1;
            } else if is_x(c) && groups.iter().sum::<usize>() == 17 {
                i += 1;
                break;
            } else {
                break;
            }
        }
        let digits: usize = groups.iter().sum();
        let date = groups.len() == 3 && groups[0] == 4 && (1..=2).contains(&groups[1]) && (1..=2).contains(&groups[2]);
        let hide = digits >= 7 && !date;
        for &c in &chars[start..i] {
            out.push(if hide && !is_separator(c) { '*' } else { c });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn phones_and_id_numbers_are_masked_and_other_numbers_kept() {
        for (text, want) in [
            ("电话13812345678请回电", "电话***********请回电"),
            ("手机 138 1234 5678。", "手机 *** **** ****。"),
            ("+86-13812345678", "+**-***********"),
            ("座机0571-88881234", "座机****-********"),
            ("身份证33010219900101123X号", "身份证******************号"),
            ("身份证33010219900101123x", "身份证******************"),
            ("１３８１２３４５６７８", "***********"),
            ("2026-12-01 下午3点，路灯坏了2盏，等了120天", "2026-12-01 下午3点，路灯坏了2盏，等了120天"),
            ("共1234户", "共1234户"),
            ("", ""),
        ] {
            assert_eq!(mask(text), want, "{text}");
        }
    }
}
