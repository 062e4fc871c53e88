//! The random edits under `quizzes/` of the incremental equivalence test (kept apart from `edits` for its
//! length): a competition retitled, moved, added, removed or broken, or a page's `quiz` key.

use rand::Rng;

use super::edits::Site;

impl Site {
    /// A change under `quizzes/`: a competition retitled, moved, added, removed or broken, or a page's `quiz`.
    pub(super) fn step_quizzes(&mut self, page: &str, n: usize) -> String {
        let main = "quizzes/competitions/xianfa-2024.yaml";
        let extra = "quizzes/competitions/extra.yaml";
        match self.rng.gen_range(0..5) {
            0 => {
                let text = std::fs::read_to_string(self.root.join(main)).unwrap();
                let title = self.words(2);
                let text: String =
                    text.lines()
                        .map(|l| {
                            if l.starts_with("title:") {
                                format!("title: {title}竞赛{n}\n")
                            } else {
                                format!("{l}\n")
                            }
                        })
                        .collect();
                self.write_root(main, &text);
                "retitle the competition".into()
            }
            1 if self.root.join(extra).exists() => {
                self.remove_root(extra);
                "remove competition extra".into()
            }
            1 | 2 => {
                let day = self.rng.gen_range(10..28);
                let text = std::fs::read_to_string(self.root.join(main))
                    .unwrap()
                    .replace("id: xianfa-2024", "id: extra")
                    .replace("2024-12-10T18:00", &format!("2024-12-{day}T18:00"));
                self.write_root(extra, &text);
                format!("add or move competition extra to the {day}th")
            }
            3 => {
                let text = std::fs::read_to_string(self.root.join(main)).unwrap();
                self.write_root(main, &format!("{text}titel: 拼错的键\n"));
                "break the competition".into()
            }
            _ => {
                let quiz = ["xianfa-2024", "extra"][self.rng.gen_range(0..2)];
                let keep = self.rng.gen_bool(0.7);
                self.set_key(page, "quiz", keep.then_some(quiz));
                format!("quiz of {page} = {quiz}")
            }
        }
    }
}
