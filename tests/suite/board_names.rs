//! Issue 10: the public ranking masks participants' names (they are often minors), and a competition that admits
//! schools cannot choose to show them in full. The table pins the mask on Chinese, Latin and odd Unicode input.

use std::fs;

use pufa::quiz::{self, PublicNames};
use pufa::server::names::{mask, public};
use test_case::test_case;

#[test_case("张三", "张*" ; "two characters keep the surname")]
#[test_case("张三明", "张*明" ; "three keep first and last")]
#[test_case("李小明明", "李*明" ; "four keep first and last with one star")]
#[test_case("欧阳明华", "欧阳*华" ; "compound surname kept whole")]
#[test_case("欧阳华", "欧阳*" ; "compound surname and one more hides that one")]
#[test_case("诸葛孔明亮", "诸葛*亮" ; "compound surname five characters")]
#[test_case("欧阳", "欧*" ; "a compound surname alone is two characters")]
#[test_case("张", "*" ; "one character is all hidden")]
#[test_case("", "*" ; "empty")]
#[test_case("  张三明  ", "张*明" ; "surrounding spaces")]
#[test_case("张 三 明", "张*明" ; "spaces between Han characters")]
#[test_case("买买提·艾力", "买*力" ; "middle dot names")]
#[test_case("Zhang San", "Zhang S." ; "latin given name to initial")]
#[test_case("Mary Jane Smith", "Mary S." ; "latin keeps first word and last initial")]
#[test_case("Alice", "A*e" ; "one latin word")]
#[test_case("Bo", "B*" ; "two letters")]
#[test_case("Zhang 三", "Z*三" ; "mixed scripts follow the Han rule")]
#[test_case("Jose\u{301} Garci\u{301}a", "Jose\u{301} G." ; "combining accent stays on its letter")]
#[test_case("E\u{301}mile", "E\u{301}*e" ; "combining accent on the first letter is kept whole")]
#[test_case("张三\u{301}", "张*" ; "a combining mark belongs to the hidden character")]
#[test_case("😀😀😀", "😀*😀" ; "emoji")]
#[test_case("👨\u{200D}👩\u{200D}👧明明", "👨\u{200D}👩\u{200D}👧*明" ; "an emoji sequence is one character")]
#[test_case("\u{202E}张三明", "张*明" ; "direction override dropped")]
#[test_case("张\u{200B}三\u{200B}明", "张*明" ; "zero width spaces dropped")]
#[test_case("Ｚｈａｎｇ Ｓａｎ", "Ｚｈａｎｇ Ｓ." ; "full width latin")]
fn masks(name: &str, shown: &str) {
    assert_eq!(mask(name), shown);
}

#[test]
fn each_policy_shows_what_it_says() {
    assert_eq!(public(PublicNames::Masked, "张三明").as_deref(), Some("张*明"));
    assert_eq!(public(PublicNames::Hidden, "张三明"), None);
    assert_eq!(public(PublicNames::Full, "张三明").as_deref(), Some("张三明"));
}

/// Loads a quizzes folder of one bank and one competition ending in `tail`, and returns its diagnostics.
fn diagnose(tail: &str) -> (Vec<String>, Option<PublicNames>) {
    let dir = tempfile::tempdir().unwrap();
    let bank = "id: b\ntitle: 题库\nquestions:\n  - id: q1\n    type: judge\n    stem: 题\n    answer: true\n    \
                explanation: 解析\n    basis: 依据\n";
    let comp = format!(
        "id: c\ntitle: 竞赛\nopens: 2026-01-01T00:00:00+08:00\ncloses: 2026-02-01T00:00:00+08:00\ntime_limit: 20m\n\
         attempts: 1\ndraw:\n  - {{bank: b, count: 1, points: 100}}\npass_score: 60\n{tail}"
    );
    fs::create_dir_all(dir.path().join("banks")).unwrap();
    fs::create_dir_all(dir.path().join("competitions")).unwrap();
    fs::write(dir.path().join("banks/b.yaml"), bank).unwrap();
    fs::write(dir.path().join("competitions/c.yaml"), comp).unwrap();
    let (set, diags) = quiz::load(dir.path());
    let prefix = format!("{}/", dir.path().display());
    let msgs = diags.0.iter().map(|d| d.to_string().replace(&prefix, "")).collect();
    (msgs, set.competitions.get("c").map(|c| c.public_names))
}

const REFUSED: &str = "public_names: full is only for competitions without schools (pupils are minors); use masked \
                       or hidden, or set kinds to leave out school";

#[test_case("", Some(PublicNames::Masked), None ; "absent means masked")]
#[test_case("public_names: hidden\n", Some(PublicNames::Hidden), None ; "hidden")]
#[test_case("kinds: [enterprise, other]\npublic_names: full\n", Some(PublicNames::Full), None ; "full without schools")]
#[test_case("public_names: full\n", None, Some("competitions/c.yaml:10:15") ; "full when all kinds are admitted")]
#[test_case("kinds: [school, enterprise]\npublic_names: full\n", None, Some("competitions/c.yaml:11:15") ;
            "full when schools are admitted")]
fn public_names_in_the_competition_file(tail: &str, loaded: Option<PublicNames>, refused_at: Option<&str>) {
    let (msgs, names) = diagnose(tail);
    match refused_at {
        None => {
            assert!(msgs.is_empty(), "{msgs:?}");
            assert_eq!(names, loaded);
        }
        Some(at) => assert_eq!(msgs, [format!("{at}: {REFUSED}")]),
    }
}

#[test]
fn an_unknown_public_names_value_is_an_error_at_its_place() {
    let (msgs, _) = diagnose("public_names: partly\n");
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert!(msgs[0].starts_with("competitions/c.yaml:10:"), "{msgs:?}");
    assert!(msgs[0].contains("masked") && msgs[0].contains("hidden") && msgs[0].contains("full"), "{msgs:?}");
}
