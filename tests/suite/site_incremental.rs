//! Incremental builds equal full builds (issue 5): random sequences of edits, additions, deletions and renames
//! of pages, sections, assets, templates (the base one included), `quizzes/` and `site.yaml`, and of the keys that
//! name other files (`slug`, `template`, `cover`, `videos`, `quiz`), including errors and their fixes, applied
//! to a fixture site; after every step the output of each incremental engine is compared byte for byte with a
//! fresh full build (and failed builds must fail alike).

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pufa::site::{build, BuildError, BuildOptions, Engine};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use walkdir::WalkDir;

const WORDS: &[&str] = &[
    "宪法",
    "民法典",
    "婚姻",
    "家庭",
    "合同",
    "诈骗",
    "未成年人",
    "保护",
    "劳动",
    "安全生产",
    "消费者",
    "权益",
    "土地",
    "承包",
    "调解",
    "法律援助",
    "Civil",
    "Code",
    "app",
    "第三十三条",
];
const TAGS: &[&str] = &["宪法", "民法典", "反诈骗", "国家宪法日", "Civil Code", "civil code", "普法"];
const AUDIENCES: &[&str] = &["机关", "乡村", "社区", "学校", "企业", "单位", "网络"];

/// Every file of an output folder and its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

fn assert_same_tree(got: &Path, want: &Path, what: &str) {
    let (got, want) = (tree(got), tree(want));
    let missing: Vec<&String> = want.keys().filter(|k| !got.contains_key(*k)).collect();
    let extra: Vec<&String> = got.keys().filter(|k| !want.contains_key(*k)).collect();
    assert!(missing.is_empty() && extra.is_empty(), "{what}: missing {missing:?}, extra {extra:?}");
    for (rel, bytes) in &want {
        if &got[rel] != bytes {
            let (g, w) = (String::from_utf8_lossy(&got[rel]), String::from_utf8_lossy(bytes));
            let at = g.chars().zip(w.chars()).take_while(|(a, b)| a == b).count();
            let show = |s: &str| s.chars().skip(at.saturating_sub(80)).take(240).collect::<String>();
            panic!("{what}: {rel} differs at char {at}:\n got: {}\nwant: {}", show(&g), show(&w));
        }
    }
}

/// The outcome of a build, comparable across engines: the warnings, or the errors.
fn outcome(r: Result<pufa::site::BuildReport, BuildError>) -> Result<String, String> {
    match r {
        Ok(report) => Ok(report.warnings.to_string()),
        Err(BuildError::Diagnostics(d)) => Err(d.to_string()),
        Err(e) => panic!("build failed: {e}"),
    }
}

/// The site being edited, and the paths each step touched (what a file watcher would report).
struct Site {
    root: PathBuf,
    rng: ChaCha8Rng,
    touched: Vec<PathBuf>,
    serial: usize,
}

impl Site {
    fn content(&self) -> PathBuf {
        self.root.join("content")
    }

    fn files(&self, pred: impl Fn(&str) -> bool) -> Vec<String> {
        let mut v: Vec<String> = WalkDir::new(self.content())
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().strip_prefix(self.content()).unwrap().to_string_lossy().replace('\\', "/"))
            .filter(|r| pred(r))
            .collect();
        v.sort();
        v
    }

    fn pages(&self) -> Vec<String> {
        self.files(|r| r.ends_with(".md") && !r.ends_with("_index.md"))
    }

    fn sections(&self) -> Vec<String> {
        let mut dirs: Vec<String> =
            self.files(|r| r.ends_with("_index.md") && r.contains('/')).iter().map(|r| dir_of(r)).collect();
        dirs.insert(0, String::new());
        dirs
    }

    fn pick<T: Clone>(&mut self, v: &[T]) -> Option<T> {
        v.choose(&mut self.rng).cloned()
    }

    fn words(&mut self, n: usize) -> String {
        (0..n).map(|_| *WORDS.choose(&mut self.rng).unwrap()).collect::<Vec<_>>().join("")
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.content().join(rel)).unwrap()
    }

    fn write(&mut self, rel: &str, text: &str) {
        let path = self.content().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        self.touched.push(path);
    }

    /// Writes `rel` under the site folder (not `content/`), as an author would.
    fn write_root(&mut self, rel: &str, text: &str) {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        self.touched.push(path);
    }

    fn remove_root(&mut self, rel: &str) {
        let path = self.root.join(rel);
        std::fs::remove_file(&path).unwrap();
        self.touched.push(path);
    }

    fn remove(&mut self, rel: &str) {
        let path = self.content().join(rel);
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        } else {
            std::fs::remove_file(&path).unwrap();
        }
        self.touched.push(path);
    }

    /// Sets front matter key `key` of `rel` to `value` (None removes it).
    fn set_key(&mut self, rel: &str, key: &str, value: Option<&str>) {
        let text = self.read(rel);
        let Some(rest) = text.strip_prefix("---\n") else { return };
        let Some(end) = rest.find("\n---") else { return };
        let (fm, body) = rest.split_at(end);
        // The key's line goes, and so do its continuation lines (a block list such as `videos:` on the next lines).
        let mut lines: Vec<String> = Vec::new();
        let mut in_key = false;
        for l in fm.lines() {
            if l.starts_with(&format!("{key}:")) {
                in_key = true;
            } else if !(in_key && (l.starts_with(' ') || l.starts_with('-'))) {
                in_key = false;
                lines.push(l.to_string());
            }
        }
        if let Some(v) = value {
            lines.push(format!("{key}: {v}"));
        }
        self.write(rel, &format!("---\n{}{body}", lines.join("\n")));
    }

    fn new_page_text(&mut self, title: &str) -> String {
        let mut fm = format!("title: {title}\n");
        if self.rng.gen_bool(0.8) {
            fm += &format!("date: 2024-{:02}-{:02}\n", self.rng.gen_range(1..=12), self.rng.gen_range(1..=28));
        }
        let n = self.rng.gen_range(0..3);
        let tags: Vec<&str> = TAGS.choose_multiple(&mut self.rng, n).copied().collect();
        if !tags.is_empty() {
            fm += &format!("tags: [{}]\n", tags.join(", "));
        }
        if self.rng.gen_bool(0.5) {
            fm += &format!("audiences: [{}]\n", AUDIENCES.choose(&mut self.rng).unwrap());
        }
        let mut body =
            format!("{}。\n\n## 第一章　{}\n\n第一条　{}。\n", self.words(12), self.words(2), self.words(20));
        let pages = self.pages();
        if let (true, Some(target)) = (self.rng.gen_bool(0.4), self.pick(&pages)) {
            body += &format!("\n另见[相关](@/{target})。\n");
        }
        if self.rng.gen_bool(0.2) {
            body += "\nhttps://www.bilibili.com/video/BV1xx411c7mD\n";
        }
        if self.rng.gen_bool(0.2) {
            body += "\n![图](notice.pdf)\n";
        }
        format!("---\n{fm}---\n{body}")
    }

    /// One random change; returns what it did.
    fn step(&mut self) -> String {
        let pages = self.pages();
        let page = self.pick(&pages).unwrap_or_else(|| "xianfa/a.md".into());
        let n = self.serial;
        self.serial += 1;
        match self.rng.gen_range(0..122) {
            0..=14 => {
                let text = self.read(&page) + &format!("\n{}。\n", self.words(8));
                self.write(&page, &text);
                format!("edit body of {page}")
            }
            15..=19 => {
                let text = self.read(&page);
                let first = self.words(6);
                let text = text.replacen("---\n\n", &format!("---\n{first}。\n\n"), 1);
                let text = if text.contains(&first) {
                    text
                } else {
                    text.replacen("\n---\n", &format!("\n---\n{first}\n"), 1)
                };
                self.write(&page, &text);
                format!("edit the opening of {page}")
            }
            20..=29 => {
                let title = self.words(3);
                self.set_key(&page, "title", Some(&title));
                format!("retitle {page} to {title}")
            }
            30..=36 => {
                let date = format!("2024-{:02}-{:02}", self.rng.gen_range(1..=12), self.rng.gen_range(1..=28));
                let keep = self.rng.gen_bool(0.9);
                self.set_key(&page, "date", keep.then_some(date.as_str()));
                format!("date {page}")
            }
            37..=43 => {
                let tags: Vec<&str> = TAGS.choose_multiple(&mut self.rng, 2).copied().collect();
                let aud = *AUDIENCES.choose(&mut self.rng).unwrap();
                if self.rng.gen_bool(0.5) {
                    self.set_key(&page, "tags", Some(&format!("[{}]", tags.join(", "))));
                } else {
                    self.set_key(&page, "audiences", Some(&format!("[{aud}]")));
                }
                format!("tags/audiences of {page}")
            }
            44..=47 => {
                let draft = !self.read(&page).contains("draft: true");
                self.set_key(&page, "draft", draft.then_some("true"));
                format!("draft {page} = {draft}")
            }
            48..=49 => {
                let w = self.rng.gen_range(-2..3).to_string();
                self.set_key(&page, "weight", Some(&w));
                format!("weight {page}")
            }
            50..=59 => {
                let sections = self.sections();
                let dir = self.pick(&sections).unwrap();
                let rel = if dir.is_empty() { format!("p{n}.md") } else { format!("{dir}/p{n}.md") };
                let title = self.words(3);
                let text = self.new_page_text(&title);
                self.write(&rel, &text);
                format!("add {rel}")
            }
            60..=65 => {
                self.remove(&page);
                format!("delete {page}")
            }
            66..=71 => {
                let sections = self.sections();
                let dir = self.pick(&sections).unwrap();
                let to = if dir.is_empty() { format!("r{n}.md") } else { format!("{dir}/r{n}.md") };
                let text = self.read(&page);
                self.remove(&page);
                self.write(&to, &text);
                format!("rename {page} to {to}")
            }
            72..=76 => {
                if self.rng.gen_bool(0.5) {
                    self.set_key(&page, "titel", Some("拼错的键"));
                } else {
                    self.set_key(&page, "date", Some("12月4日"));
                }
                format!("break the front matter of {page}")
            }
            77..=80 => {
                let sections = self.sections();
                let dir = self.pick(&sections[1..]).unwrap_or_default();
                let rel = format!("{dir}/_index.md");
                let (title, per, by) = (self.words(2), self.rng.gen_range(1..4), self.rng.gen_range(0..3));
                match self.rng.gen_range(0..3) {
                    0 => self.set_key(&rel, "title", Some(&title)),
                    1 => self.set_key(&rel, "paginate_by", Some(&per.to_string())),
                    _ => self.set_key(&rel, "sort_by", Some(["date", "title", "weight"][by])),
                }
                format!("change section {dir}")
            }
            81..=84 => {
                let made: Vec<String> = self.sections().into_iter().filter(|d| d.starts_with("s")).collect();
                if let (true, Some(dir)) = (self.rng.gen_bool(0.5), self.pick(&made)) {
                    self.remove(&dir);
                    format!("delete section {dir}")
                } else {
                    let dir = format!("s{n}");
                    let title = self.words(2);
                    self.write(&format!("{dir}/_index.md"), &format!("---\ntitle: {title}\n---\n{title}专栏。\n"));
                    let title = self.words(3);
                    let text = self.new_page_text(&title);
                    self.write(&format!("{dir}/first.md"), &text);
                    format!("add section {dir}")
                }
            }
            85..=87 => {
                let per = self.rng.gen_range(1..4);
                let yaml = std::fs::read_to_string(self.root.join("site.yaml")).unwrap();
                let yaml: String =
                    yaml.lines().filter(|l| !l.starts_with("paginate_by")).map(|l| format!("{l}\n")).collect();
                std::fs::write(self.root.join("site.yaml"), format!("{yaml}paginate_by: {per}\n")).unwrap();
                format!("site.yaml paginate_by {per}")
            }
            88..=89 => {
                let page_html = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/page.html");
                let ours = self.root.join("templates/page.html");
                if ours.exists() && self.rng.gen_bool(0.5) {
                    std::fs::remove_file(&ours).unwrap();
                    "drop the page template".into()
                } else {
                    let text = std::fs::read_to_string(page_html).unwrap() + &format!("\n{{# {n} #}}<!-- v{n} -->\n");
                    std::fs::create_dir_all(ours.parent().unwrap()).unwrap();
                    std::fs::write(ours, text).unwrap();
                    "change the page template".into()
                }
            }
            90..=91 => {
                std::fs::write(self.root.join("static/extra.txt"), format!("v{n}\n")).unwrap();
                "change a static file".into()
            }
            92..=93 => {
                let rel = format!("xianfa/img{}.png", n % 3);
                if self.content().join(&rel).exists() {
                    self.remove(&rel);
                } else {
                    self.write(&rel, &format!("png {n}"));
                }
                format!("add or remove asset {rel}")
            }
            94..=101 => self.step_keys(&page, n),
            102..=104 => {
                if self.root.join("templates/base.html").exists() && self.rng.gen_bool(0.4) {
                    self.remove_root("templates/base.html");
                    "drop the base template".into()
                } else {
                    let theirs = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/base.html");
                    let text = std::fs::read_to_string(theirs).unwrap();
                    assert!(text.contains("</body>"), "the theme's base.html has a </body> to mark");
                    self.write_root(
                        "templates/base.html",
                        &text.replacen("</body>", &format!("<!-- b{n} --></body>"), 1),
                    );
                    "change the base template".into()
                }
            }
            105..=111 => self.step_quizzes(&page, n),
            _ => {
                self.repair();
                "repair".into()
            }
        }
    }

    /// A change to one of the keys that name other files: `slug`, `template`, `cover`, `videos`.
    fn step_keys(&mut self, page: &str, n: usize) -> String {
        match self.rng.gen_range(0..4) {
            0 => {
                let keep = self.rng.gen_bool(0.7);
                self.set_key(page, "slug", keep.then(|| format!("slug{n}")).as_deref());
                format!("slug of {page}")
            }
            1 => {
                let special = self.root.join("templates/special.html").exists();
                match self.rng.gen_range(0..4) {
                    0 => self.set_key(page, "template", None),
                    1 => self.set_key(page, "template", Some("page.html")),
                    2 if special => {
                        // Pages that name it no longer build, until repaired.
                        self.remove_root("templates/special.html");
                        return "drop templates/special.html".into();
                    }
                    _ => {
                        let text = format!(
                            "{{% extends \"base.html\" %}}{{% block main %}}<h1>{{{{ page.title }}}}</h1>\
                             <p>special {n}</p>{{{{ page.content | safe }}}}{{% endblock main %}}\n"
                        );
                        self.write_root("templates/special.html", &text);
                        self.set_key(page, "template", Some("special.html"));
                    }
                }
                format!("template of {page}")
            }
            2 => {
                let cover = ["img0.png", "img1.png", "notice.pdf", "missing.png", "/static/cover.png"];
                let cover = self.pick(&cover).unwrap();
                let keep = self.rng.gen_bool(0.8);
                self.set_key(page, "cover", keep.then_some(cover));
                format!("cover of {page}")
            }
            _ => {
                let value = match self.rng.gen_range(0..3) {
                    0 => None,
                    1 => Some(format!(
                        "[{{url: \"https://www.bilibili.com/video/BV1xx411c7m{n}\", title: {}}}]",
                        self.words(2)
                    )),
                    _ => Some(
                        "\n  - {url: \"https://v.qq.com/x/page/a0012345.html\"}\n  - {url: notice.pdf, title: 文件}"
                            .into(),
                    ),
                };
                self.set_key(page, "videos", value.as_deref());
                format!("videos of {page}")
            }
        }
    }

    /// A change under `quizzes/`: a competition retitled, moved, added, removed or broken, or a page's `quiz`.
    fn step_quizzes(&mut self, page: &str, n: usize) -> String {
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

    /// Fixes every broken front matter and every link to a page that is gone.
    fn repair(&mut self) {
        for yaml in ["quizzes/competitions/xianfa-2024.yaml", "quizzes/competitions/extra.yaml"] {
            let path = self.root.join(yaml);
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let fixed: String = text.lines().filter(|l| !l.starts_with("titel:")).map(|l| format!("{l}\n")).collect();
            if fixed != text {
                self.write_root(yaml, &fixed);
            }
        }
        let special = self.root.join("templates/special.html").exists();
        let extra = self.root.join("quizzes/competitions/extra.yaml").exists();
        for page in self.files(|r| r.ends_with(".md")) {
            let text = self.read(&page);
            let fixed: Vec<&str> = text
                .lines()
                .filter(|l| !l.starts_with("titel:") && !l.contains("12月4日"))
                .filter(|l| special || *l != "template: special.html")
                .filter(|l| extra || *l != "quiz: extra")
                .filter(|l| {
                    let Some(target) = l.split("](@/").nth(1).and_then(|t| t.split(')').next()) else { return true };
                    self.content().join(target.split('#').next().unwrap()).is_file()
                })
                .collect();
            let fixed = fixed.join("\n") + "\n";
            if fixed != text {
                self.write(&page, &fixed);
            }
        }
    }
}

fn dir_of(rel: &str) -> String {
    rel.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap_or_default()
}

/// Random sequences on the fixture site; after each step, incremental builds (one looking at every file, one told
/// what changed like a watcher, one through the build cache) must equal a fresh full build.
#[test]
fn incremental_builds_equal_full_builds() {
    let mut written_incremental = 0;
    let mut written_full = 0;
    // Widen with PUFA_INCREMENTAL_SEEDS (how many seeds, from 1) and PUFA_INCREMENTAL_STEPS (edits per seed).
    let widen = |name: &str, default: u64| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let (seeds, steps) = (widen("PUFA_INCREMENTAL_SEEDS", 4), widen("PUFA_INCREMENTAL_STEPS", 40));
    for seed in 1..=seeds {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        common::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites/good"), &root);
        let mut site =
            Site { root: root.clone(), rng: ChaCha8Rng::seed_from_u64(seed), touched: Vec::new(), serial: 0 };
        for i in 0..8 {
            let title = site.words(3);
            let text = site.new_page_text(&title);
            site.write(&format!("xianfa/g{i}.md"), &text);
        }
        let opts = |name: &str| BuildOptions::new(&root, Some(&dir.path().join(name)));
        let mut scanning = Engine::new(opts("scan"));
        let mut told = Engine::new(opts("told"));
        let mut log = Vec::new();
        let mut failed = false;
        for step in 0..steps {
            let what = match step {
                0 => "first build".to_string(),
                // A failed build is usually fixed next, as an author would.
                _ if failed && site.rng.gen_bool(0.6) => {
                    site.repair();
                    "repair".to_string()
                }
                _ => site.step(),
            };
            log.push(what);
            let fresh = tempfile::tempdir().unwrap();
            let full = outcome(build(&BuildOptions::new(&root, Some(&fresh.path().join("out")))));
            failed = full.is_err();
            let ctx = || format!("seed {seed}, step {step}; steps so far:\n{}", log.join("\n"));

            let r = scanning.build(None);
            if let Ok(report) = &r {
                written_incremental += report.files;
            }
            assert_eq!(outcome(r), full, "scanning engine, {}", ctx());
            let hint = std::mem::take(&mut site.touched);
            assert_eq!(outcome(told.build(Some(&hint))), full, "told engine, {}", ctx());
            let mut cached = Engine::with_cache(opts("cached"));
            assert_eq!(outcome(cached.build(None)), full, "cached engine, {}", ctx());
            cached.save_cache().unwrap();
            if full.is_ok() {
                written_full += tree(&fresh.path().join("out")).len() as u64;
                for name in ["scan", "told", "cached"] {
                    assert_same_tree(&dir.path().join(name), &fresh.path().join("out"), &format!("{name}, {}", ctx()));
                }
            }
        }
    }
    // Incremental builds write only what changed (template and site.yaml steps still rewrite everything).
    assert!(written_incremental * 2 < written_full, "{written_incremental} of {written_full} files written");
}

/// The good fixture copied into a temporary folder.
fn fixture_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    common::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites/good"), &root);
    (dir, root)
}

fn cache_files(root: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(root.join(".pufa-cache")).unwrap().map(|e| e.unwrap().path()).collect()
}

/// A cached build after an edit writes only what changed and equals a clean build; a corrupt, truncated or
/// foreign cache, or one whose output was replaced since, is ignored, not fatal.
#[test]
fn the_build_cache_is_used_only_when_it_describes_the_output() {
    let (dir, root) = fixture_copy();
    let out = dir.path().join("out");
    let opts = BuildOptions::new(&root, Some(&out));
    let cached_build = || {
        let mut e = Engine::with_cache(opts.clone());
        let report = e.build(None).unwrap();
        e.save_cache().unwrap();
        report.files
    };
    // Checks the output against a fresh full build; returns how many files that one wrote.
    let clean = |what: &str| {
        let fresh = tempfile::tempdir().unwrap();
        let report = build(&BuildOptions::new(&root, Some(&fresh.path().join("out")))).unwrap();
        assert_same_tree(&out, &fresh.path().join("out"), what);
        report.files
    };
    let all = cached_build();
    assert_eq!(cache_files(&root).len(), 2, "state and search digests");
    assert_eq!(cached_build(), 0, "nothing changed, nothing written");
    std::fs::write(root.join("content/xianfa/b.md"), "---\ntitle: 改过的标题\ndate: 2024-01-02\n---\n改过。\n")
        .unwrap();
    let some = cached_build();
    assert!(some > 0 && some < all / 2, "{some} of {all}");
    clean("after an edit");

    for (what, damage) in
        [("garbage", b"{not json".to_vec()), ("another version", Vec::new()), ("truncated digests", Vec::new())]
    {
        let json = cache_files(&root).into_iter().find(|p| p.extension().unwrap() == "json").unwrap();
        match what {
            "garbage" => std::fs::write(&json, &damage).unwrap(),
            "another version" => {
                let mut saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
                saved["header"]["version"] = 999.into();
                std::fs::write(&json, serde_json::to_vec(&saved).unwrap()).unwrap();
            }
            _ => {
                let bin = json.with_extension("bin");
                let bytes = std::fs::read(&bin).unwrap();
                std::fs::write(&bin, &bytes[..bytes.len() / 2]).unwrap();
            }
        }
        std::fs::write(root.join("content/xianfa/c.md"), format!("---\ntitle: {what}\n---\n{what}\n")).unwrap();
        // A full build: as many files as a fresh one (the search shards in use depend on the content).
        let written = cached_build();
        assert_eq!(written, clean(what), "{what}: a full build");
        assert!(written > all / 2, "{what}: {written} of {all}");
    }

    // The output replaced by a build that did not use the cache: the cache no longer describes it.
    build(&opts).unwrap();
    std::fs::write(root.join("content/xianfa/c.md"), "---\ntitle: 又改了\n---\n又改了。\n").unwrap();
    std::fs::remove_dir_all(out.join("tags")).unwrap();
    let written = cached_build();
    assert_eq!(written, clean("after a build without the cache"), "a full build");
}
