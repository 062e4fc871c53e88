//! Presenting and grading: displayed letters map through the shuffle, nothing secret leaks before submission.

use std::collections::HashMap;
use std::path::Path;

use pufa::i18n::Lang;
use pufa::quiz::{self, Competition, Drawn, QuizSet};

fn good() -> (QuizSet, Competition) {
    let (set, diags) = quiz::load(Path::new("tests/fixtures/quizzes/good"));
    assert!(diags.0.is_empty(), "{diags}");
    let comp = set.competitions["good"].clone();
    (set, comp)
}

fn d(id: &str, order: &[usize], points: u32) -> Drawn {
    Drawn { id: id.into(), points, order: order.to_vec() }
}

fn answers(pairs: &[(&str, &[&str])]) -> HashMap<String, Vec<String>> {
    pairs.iter().map(|(id, l)| (id.to_string(), l.iter().map(|s| s.to_string()).collect())).collect()
}

#[test]
fn grading_table() {
    let (set, comp) = good();
    // (question, display order, letters given, correct?, expected correct letters as displayed)
    type Case<'a> = (&'a str, &'a [usize], &'a [&'a str], bool, &'a [&'a str]);
    let cases: &[Case] = &[
        ("s1", &[0, 1, 2], &["B"], true, &["B"]),
        ("s1", &[0, 1, 2], &["A"], false, &["B"]),
        ("s1", &[0, 1, 2], &[" b "], true, &["B"]),
        ("s1", &[0, 1, 2], &["B", "B"], true, &["B"]),
        ("s1", &[0, 1, 2], &["B", "C"], false, &["B"]),
        ("s1", &[0, 1, 2], &["Z"], false, &["B"]),
        ("s1", &[0, 1, 2], &[], false, &["B"]),
        // file option B (index 1) shown third
        ("s1", &[2, 0, 1], &["C"], true, &["C"]),
        ("s1", &[2, 0, 1], &["B"], false, &["C"]),
        ("m1", &[0, 1, 2, 3], &["A", "C"], true, &["A", "C"]),
        ("m1", &[0, 1, 2, 3], &["c", "a"], true, &["A", "C"]),
        ("m1", &[0, 1, 2, 3], &["A"], false, &["A", "C"]),
        ("m1", &[0, 1, 2, 3], &["A", "C", "D"], false, &["A", "C"]),
        // file A, C (0, 2) shown at positions D and B
        ("m1", &[3, 2, 1, 0], &["B", "D"], true, &["B", "D"]),
        ("m1", &[3, 2, 1, 0], &["A", "C"], false, &["B", "D"]),
        ("j1", &[0, 1], &["A"], true, &["A"]),
        ("j1", &[0, 1], &["B"], false, &["A"]),
        ("j2", &[0, 1], &["B"], true, &["B"]),
        ("j2", &[0, 1], &["a"], false, &["B"]),
    ];
    for (id, order, given, correct, answer) in cases {
        let g = quiz::grade(&set, &comp, &[d(id, order, 10)], &answers(&[(id, given)]));
        let r = &g.results[0];
        assert_eq!(r.correct, *correct, "{id} {order:?} {given:?}");
        assert_eq!(r.answer, *answer, "{id} {order:?}");
        assert_eq!(r.earned, if *correct { 10 } else { 0 });
        assert_eq!(g.score, r.earned);
        assert_eq!(g.max_score, 10);
    }
}

#[test]
fn totals_pass_mark_and_unknown_ids() {
    let (set, mut comp) = good();
    comp.pass_score = 30;
    let drawn = [d("s1", &[0, 1, 2], 10), d("m1", &[0, 1, 2, 3], 20), d("j1", &[0, 1], 5)];
    let g = quiz::grade(&set, &comp, &drawn, &answers(&[("s1", &["B"]), ("m1", &["A", "C"]), ("zz", &["A"])]));
    assert_eq!((g.score, g.max_score, g.passed), (30, 35, true));
    assert_eq!(g.results.len(), 3, "an answer to a question not drawn is ignored");
    assert_eq!(g.results[2].given, Vec::<String>::new());
    assert_eq!(g.results[0].explanation, "解析一");
    assert_eq!(g.results[0].basis, "依据一");
    let g = quiz::grade(&set, &comp, &drawn, &answers(&[("s1", &["B"]), ("j1", &["A"])]));
    assert_eq!((g.score, g.passed), (15, false));
    // A question gone from the banks since the draw scores zero rather than failing.
    let g = quiz::grade(&set, &comp, &[d("gone", &[0, 1], 10)], &answers(&[("gone", &["A"])]));
    assert_eq!((g.score, g.max_score, g.results[0].correct), (0, 10, false));
}

#[test]
fn a_draw_graded_with_its_own_answers_scores_full_marks() {
    let (set, comp) = good();
    for seed in 0..50 {
        let drawn = quiz::draw(&set, &comp, seed);
        let mut given = HashMap::new();
        for dq in &drawn {
            let q = set.question(&dq.id).unwrap();
            let letters: Vec<String> = dq
                .order
                .iter()
                .enumerate()
                .filter(|(_, i)| q.answer.contains(i))
                .map(|(pos, _)| quiz::letter(pos))
                .collect();
            assert_eq!(quiz::to_file_indices(dq, &letters).unwrap(), q.answer, "maps back to file options");
            assert_eq!(quiz::to_display_letters(dq, &q.answer), letters, "and forth");
            given.insert(dq.id.clone(), letters);
        }
        let g = quiz::grade(&set, &comp, &drawn, &given);
        assert_eq!(g.score, comp.max_score(), "seed {seed}");
        assert!(g.passed);
    }
}

#[test]
fn to_file_indices_rejects_letters_not_shown() {
    let dq = d("s1", &[2, 0, 1], 10);
    assert_eq!(quiz::to_file_indices(&dq, &["a".into(), "C".into()]), Some(vec![1, 2]));
    assert_eq!(quiz::to_file_indices(&dq, &["D".into()]), None);
    assert_eq!(quiz::to_file_indices(&dq, &["AB".into()]), None);
    assert_eq!(quiz::to_display_letters(&dq, &[1, 2]), ["A", "C"]);
    assert_eq!(quiz::to_display_letters(&dq, &[7]), Vec::<String>::new());
}

#[test]
fn present_shows_display_order_and_never_leaks_the_key() {
    let (set, comp) = good();
    let drawn = [d("s1", &[2, 0, 1], 10), d("j2", &[0, 1], 5)];
    let shown = quiz::present(&set, &drawn, Lang::Zh);
    assert_eq!(shown[0].options, ["选项一丙", "选项一甲", "选项一乙"]);
    assert_eq!(shown[1].options, ["正确", "错误"]);
    assert_eq!(quiz::present(&set, &drawn[1..], Lang::En)[0].options, ["True", "False"]);
    for seed in 0..20 {
        let drawn = quiz::draw(&set, &comp, seed);
        let json = serde_json::to_string(&quiz::present(&set, &drawn, Lang::Zh)).unwrap();
        assert!(!json.contains("answer") && !json.contains("explanation") && !json.contains("basis"), "{json}");
        for dq in &drawn {
            let q = set.question(&dq.id).unwrap();
            assert!(!json.contains(&q.explanation) && !json.contains(&q.basis), "{json}");
        }
    }
}
