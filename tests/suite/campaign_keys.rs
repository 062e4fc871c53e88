//! Issue 12, the campaign keys of a competition file (`attempts_per_day`, `score`, `max_leaves`, `utc_offset`):
//! checked with file:line errors, in Chinese when printed for a person.

use crate::common::diagnose;

const COMPETITION: &str = "id: c\ntitle: 竞赛\nopens: 2026-01-01T00:00:00+08:00\ncloses: 2026-02-01T00:00:00+08:00\n\
time_limit: 10m\nattempts: 2\ndraw:\n  - {bank: b, count: 1, points: 10}\npass_score: 5\n";
const BANK: &str = "id: b\ntitle: 题库\nquestions:\n  - {id: q1, type: judge, stem: 对吗, answer: true, \
explanation: 因为, basis: 《宪法》第一条}\n";

fn errors(extra: &str) -> Vec<String> {
    let lines = diagnose(&[("banks/b.yaml", BANK), ("competitions/c.yaml", &format!("{COMPETITION}{extra}"))]);
    lines.into_iter().map(|l| l.replace("competitions/c.yaml:", "")).collect()
}

// The keys' errors name the line, in Chinese when printed for a person.
#[test]
fn the_campaign_keys_are_checked_at_their_lines() {
    assert_eq!(
        errors("attempts_per_day: 2\nscore: latest\nmax_leaves: 3\nutc_offset: '+08:00'\n"),
        Vec::<String>::new()
    );
    let bad = errors("attempts_per_day: 3\nmax_leaves: 5000\nutc_offset: Beijing\nscore: highest\n");
    assert_eq!(bad.len(), 1, "serde stops at the unknown score: {bad:?}");
    assert!(bad[0].starts_with("13:") && bad[0].contains("unknown variant `highest`"), "{bad:?}");
    let bad = errors("attempts_per_day: 3\nmax_leaves: 5000\nutc_offset: Beijing\n");
    let zh: Vec<String> = bad
        .iter()
        .map(|l| {
            let (at, msg) = l.split_once(": ").unwrap();
            format!("{at}: {}", pufa::localize::message(pufa::i18n::Lang::Zh, msg))
        })
        .collect();
    assert_eq!(
        zh,
        [
            "10:19: attempts_per_day：3 超过了 attempts（2），即每人总共可作答的次数",
            "11:13: max_leaves：应为 0 到 1000 之间的整数，实际是 5000",
            "12:13: utc_offset：应为 +08:00 这样的时区，实际是 \"Beijing\"",
        ]
    );
    assert!(errors("attempts_per_day: 0\n")[0].starts_with("10:19: attempts_per_day: expected at least 1"));
}
