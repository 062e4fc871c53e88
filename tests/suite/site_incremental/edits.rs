//! The random edits of the incremental equivalence test: an author's changes to a fixture site (pages, sections,
//! assets, templates, `quizzes/`, `site.yaml`, the keys naming other files), errors included, and their repair.

use std::path::{Path, PathBuf};

use rand::seq::SliceRandom;
use rand::Rng;
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

/// The site being edited, and the paths each step touched (what a file watcher would report).
pub(super) struct Site {
    pub(super) root: PathBuf,
    pub(super) rng: ChaCha8Rng,
    pub(super) touched: Vec<PathBuf>,
    pub(super) serial: usize,
}

impl Site {
    pub(super) fn content(&self) -> PathBuf {
        self.root.join("content")
    }

    pub(super) fn files(&self, pred: impl Fn(&str) -> bool) -> Vec<String> {
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

    pub(super) fn pages(&self) -> Vec<String> {
        self.files(|r| r.ends_with(".md") && !r.ends_with("_index.md"))
    }

    pub(super) fn sections(&self) -> Vec<String> {
        let mut dirs: Vec<String> =
            self.files(|r| r.ends_with("_index.md") && r.contains('/')).iter().map(|r| dir_of(r)).collect();
        dirs.insert(0, String::new());
        dirs
    }

    pub(super) fn pick<T: Clone>(&mut self, v: &[T]) -> Option<T> {
        v.choose(&mut self.rng).cloned()
    }

    pub(super) fn words(&mut self, n: usize) -> String {
        (0..n).map(|_| *WORDS.choose(&mut self.rng).unwrap()).collect::<Vec<_>>().join("")
    }

    pub(super) fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.content().join(rel)).unwrap()
    }

    pub(super) fn write(&mut self, rel: &str, text: &str) {
        self.put(self.content().join(rel), text.as_bytes());
    }

    /// Writes `rel` under the site folder (not `content/`), as an author would.
    pub(super) fn write_root(&mut self, rel: &str, text: &str) {
        self.put(self.root.join(rel), text.as_bytes());
    }

    /// Writes `bytes` at `path`, its folders created, and notes the path as touched.
    pub(super) fn put(&mut self, path: PathBuf, bytes: &[u8]) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        self.touched.push(path);
    }

    pub(super) fn remove_root(&mut self, rel: &str) {
        let path = self.root.join(rel);
        std::fs::remove_file(&path).unwrap();
        self.touched.push(path);
    }

    pub(super) fn remove(&mut self, rel: &str) {
        let path = self.content().join(rel);
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        } else {
            std::fs::remove_file(&path).unwrap();
        }
        self.touched.push(path);
    }

    /// Sets front matter key `key` of `rel` to `value` (None removes it).
    pub(super) fn set_key(&mut self, rel: &str, key: &str, value: Option<&str>) {
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

    pub(super) fn new_page_text(&mut self, title: &str) -> String {
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
        if self.rng.gen_bool(0.4) {
            let shown =
                ["\n![图](img0.png)\n", "\n![图](img1.png)\n", "\n![图](img2.png)\n", "\n![封面](/static/cover.png)\n"];
            body += shown.choose(&mut self.rng).unwrap();
        }
        format!("---\n{fm}---\n{body}")
    }

    /// One random change; returns what it did.
    pub(super) fn step(&mut self) -> String {
        let pages = self.pages();
        let page = self.pick(&pages).unwrap_or_else(|| "xianfa/a.md".into());
        let n = self.serial;
        self.serial += 1;
        match self.rng.gen_range(0..130) {
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
                if self.content().join(&rel).exists() && self.rng.gen_bool(0.5) {
                    self.remove(&rel);
                } else if n % 3 == 2 {
                    // Not a picture at all: a warning, copied as it is.
                    self.write(&rel, &format!("png {n}"));
                } else {
                    self.put(self.content().join(&rel), &super::picture_edits::png(n));
                }
                format!("add, change or remove asset {rel}")
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
            112..=119 => self.step_pictures(&page, n),
            _ => {
                self.repair();
                "repair".into()
            }
        }
    }

    /// A change to one of the keys that name other files: `slug`, `template`, `cover`, `videos`.
    pub(super) fn step_keys(&mut self, page: &str, n: usize) -> String {
        match self.rng.gen_range(0..6) {
            4 => {
                // Hugo's keys (issue 14): old addresses, some relative, one taken by a section; a category.
                let value = match self.rng.gen_range(0..5) {
                    0 => None,
                    1 => Some(format!("[/old/p{n}/]")),
                    2 => Some(format!("[rel{n}, /old/{n}.html]")),
                    3 => Some("[/xianfa/]".to_string()),
                    _ => Some("[/old/shared/]".to_string()),
                };
                if self.rng.gen_bool(0.5) {
                    self.set_key(page, "aliases", value.as_deref());
                    format!("aliases of {page}")
                } else {
                    let k = self.rng.gen_range(0..3);
                    self.set_key(page, "categories", value.is_some().then(|| format!("[分类{k}]")).as_deref());
                    format!("categories of {page}")
                }
            }
            5 => {
                // Outside its publication window a page is not built: publishDate to come, expiryDate gone.
                let (key, value) = match self.rng.gen_range(0..4) {
                    0 => ("publishDate", Some("2099-01-01")),
                    1 => ("publishDate", None),
                    2 => ("expiryDate", Some("2020-01-01")),
                    _ => ("expiryDate", None),
                };
                self.set_key(page, key, value);
                format!("{key} of {page}")
            }
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

    /// Fixes every broken front matter and every link to a page that is gone.
    pub(super) fn repair(&mut self) {
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

pub(super) fn dir_of(rel: &str) -> String {
    rel.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap_or_default()
}
