//! Broken sites: every error of every file is reported with its file, line and column, the exit code is
//! non-zero, and the previous output stays untouched (issue 2, "Bad input").

use crate::common;
use std::path::{Path, PathBuf};
use std::process::Command;

use pufa::site::{build, BuildError, BuildOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites").join(name)
}

/// `pufa build --source SOURCE --output OUTPUT`, run to its end.
fn cli_build(source: &Path, output: &Path) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pufa"));
    cmd.args(["build", "--source"]).arg(source).arg("--output").arg(output).output().unwrap()
}

/// A site folder `site` in `dir` holding one page with `page` as its file.
fn one_page_site(dir: &Path, page: &str) -> PathBuf {
    let src = dir.join("site");
    std::fs::create_dir_all(src.join("content")).unwrap();
    std::fs::write(src.join("content/p.md"), page).unwrap();
    src
}

#[test]
fn failed_build_reports_all_errors_and_keeps_previous_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&BuildOptions::new(&fixture("bare"), Some(&out))).unwrap_or_else(|e| panic!("{e}"));
    let before = std::fs::read(out.join("index.html")).unwrap();

    let err = build(&BuildOptions::new(&fixture("broken"), Some(&out))).unwrap_err();
    let BuildError::Diagnostics(diags) = err else { panic!("expected diagnostics, got {err}") };
    let errors: Vec<String> = diags.errors().map(|d| d.to_string()).collect();
    let text = errors.join("\n");
    assert!(text.contains("content/col/bad-date.md:3:"), "{text}");
    assert!(text.contains("content/col/bad-key.md:3:"), "{text}");
    assert!(text.contains("titel"), "{text}");
    assert!(text.contains("content/col/bad-link.md:4:"), "{text}");
    // Quiz files are validated in the same run, and a page's quiz: must name a known competition.
    assert!(text.contains("quizzes/competitions/bad.yaml:5:1: unknown field `time_limt`"), "{text}");
    assert!(text.contains("content/col/bad-quiz.md:3:1: quiz: expected the id of a competition"), "{text}");
    assert_eq!(errors.len(), 5, "{text}");

    assert_eq!(std::fs::read(out.join("index.html")).unwrap(), before, "previous output was changed");
    assert!(!out.join("col/bad-link").exists());
    assert!(out.join("col/one/index.html").exists());
    // Only the output, the spare folder kept for the next build and the build lock (see site::output).
    let mut names: Vec<_> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, [".public.pufa-lock", ".public.pufa-spare", "public"], "unexpected folders");
}

#[test]
fn cli_exits_non_zero_and_prints_path_line_col() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli_build(&fixture("broken"), &dir.path().join("public"));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for file in ["bad-date.md:3:", "bad-key.md:3:", "bad-link.md:4:"] {
        assert!(stderr.lines().any(|l| l.starts_with("content/col/") && l.contains(file)), "{file} in:\n{stderr}");
    }
    assert!(!dir.path().join("public").exists());
    assert!(!dir.path().join(".public.pufa-building").exists());
}

#[test]
fn cli_summary_gives_the_search_index_its_size_and_cpu_time() {
    let dir = tempfile::tempdir().unwrap();
    let src = one_page_site(dir.path(), "---\ntitle: 一页\n---\n宪法是国家的根本法。\n");
    let out = cli_build(&src, &dir.path().join("public"));
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let summary = stderr.lines().find(|l| l.contains("搜索索引")).unwrap_or_else(|| panic!("no summary in:\n{stderr}"));
    let cpu = summary.split("建索引 CPU ").nth(1).and_then(|r| r.split(" 毫秒").next());
    assert!(cpu.is_some_and(|ms| ms.parse::<u64>().is_ok()), "{summary}");
}

#[test]
fn check_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let src = one_page_site(dir.path(), "---\ntitle: 一页\n---\n正文\n");
    let report = build(&BuildOptions { output: None, ..BuildOptions::new(&src, None) }).unwrap();
    assert!(report.files > 0);
    assert_eq!(std::fs::read_dir(&src).unwrap().count(), 1, "check wrote something");
    let status = Command::new(env!("CARGO_BIN_EXE_pufa")).args(["check", "--source"]).arg(&src).status().unwrap();
    assert!(status.success());
    assert!(!src.join("public").exists());
}

#[test]
fn bad_site_yaml_is_reported_with_content_errors() {
    let dir = tempfile::tempdir().unwrap();
    let src = one_page_site(dir.path(), "---\ntitle: 一页\ndraft: maybe\n---\n");
    std::fs::write(src.join("site.yaml"), "title: x\npaginate: 3\n").unwrap();
    let Err(BuildError::Diagnostics(d)) = build(&BuildOptions::new(&src, None)) else { panic!("should fail") };
    let text = d.to_string();
    assert!(text.contains("site.yaml:2:1: unknown field `paginate`"), "{text}");
    assert!(text.contains("content/p.md:3:"), "{text}");
}

/// What `pufa build` prints is in the site's language (issue 14): Chinese by default, from the translation file,
/// still with file:line:col; English with `language: en`.
#[test]
fn cli_messages_are_chinese_by_default_and_english_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    common::copy_dir(&fixture("broken"), &site);
    let run = |site: &std::path::Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_pufa"))
            .args(["build", "--source"])
            .arg(site)
            .arg("--output")
            .arg(dir.path().join("public"))
            .output()
            .unwrap();
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).lines().map(str::to_string).collect::<Vec<_>>()
    };
    let zh = run(&site);
    assert_eq!(
        zh[..4],
        [
            "content/col/bad-date.md:3:7: date：日期格式应为 2024-12-04，实际是\"12月4日\"",
            "content/col/bad-key.md:3:1: 未知的键 `titel`：是不是 `title`？",
            "content/col/bad-link.md:4:3: 站内链接 `@/col/missing.md` 失效：没有文章或栏目 content/col/missing.md（应写作 @/columns/a.md 这样的路径）",
            "content/col/bad-quiz.md:3:1: quiz：应为 quizzes/competitions/ 中某个竞赛的编号，实际是 \"no-such-contest\"",
        ]
    );
    assert!(zh[4].starts_with("quizzes/competitions/bad.yaml:5:1: 不认识的键 `time_limt`，应为以下之一："), "{zh:?}");
    assert_eq!(zh.last().map(String::as_str), Some("共 5 个错误"));
    std::fs::write(site.join("site.yaml"), "language: en\n").unwrap();
    let en = run(&site);
    assert_eq!(en[0], "content/col/bad-date.md:3:7: date: expected a date like 2024-12-04, found \"12月4日\"");
    assert_eq!(en.last().map(String::as_str), Some("5 error(s)"));
}

/// YAML and TOML syntax mistakes are explained in Chinese with what to write instead (issue 14), at their place.
#[test]
fn syntax_mistakes_in_front_matter_are_explained_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("content");
    std::fs::create_dir_all(&c).unwrap();
    let files = [
        ("a.md", "---\ntitle: a\ntags: [a, b\n---\nx\n", "a.md:4:1: YAML 格式错误：方括号列表缺少逗号或右方括号 ]"),
        ("b.md", "---\ntitle: a: b\n---\nx\n", "b.md:2:9: YAML 格式错误：值里有“: ”时，请用引号把整个值包住"),
        ("c.md", "---\ntitle: \"a\n---\nx\n", "c.md:3:1: YAML 格式错误：内容意外结束"),
        ("d.md", "+++\ntitle = a\n+++\nx\n", "d.md:2:9: TOML 格式错误：文字值要用引号包住"),
        ("e.md", "---\n\ttitle: a\n---\nx\n", "e.md:2:1: YAML 格式错误：这个字符不能出现在这里（YAML 不能用 Tab 缩进"),
        ("f.md", "+++\ntitle = \"a\n+++\nx\n", "f.md:2:11: TOML 格式错误：引号没有闭合"),
        ("g.md", "+++\ntitle\n+++\nx\n", "g.md:2:6: TOML 格式错误：键后面缺少“= 值”"),
        ("h.md", "+++\ntitle = \"a\"\ndate = 2024-13-01\n+++\nx\n", "h.md:3:8: TOML 格式错误：日期无效"),
        ("i.md", "---\n- a\n---\nx\n", "i.md:2:1: front matter 应是“键: 值”的列表"),
    ];
    for (name, text, _) in files {
        std::fs::write(c.join(name), text).unwrap();
    }
    let (ok, out) = crate::common::run_pufa(&["check", "--source", dir.path().to_str().unwrap()], &[]);
    assert!(!ok);
    for (_, _, want) in files {
        assert!(out.contains(&format!("content/{want}")), "{want} missing from\n{out}");
    }
}

/// A theme template that does not parse or asks for a variable pufa does not give is named in Chinese (issue 14).
#[test]
fn template_mistakes_are_explained_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(dir.path().join("site.yaml"), "title: 测试\n").unwrap();
    std::fs::write(dir.path().join("content/a.md"), "---\ntitle: 甲\n---\n正文\n").unwrap();
    let page = dir.path().join("templates/page.html");
    let source = dir.path().to_str().unwrap();
    std::fs::write(&page, "{% extends \"base.html\" %}{% block main %}{{ page.nosuch.x }}{% endblock main %}").unwrap();
    let (ok, out) = crate::common::run_pufa(&["check", "--source", source], &[]);
    assert!(!ok && out.contains("模板 page.html：找不到变量 `page.nosuch.x`"), "{out}");
    std::fs::write(&page, "{% extends \"base.html\" %}{% block main %}{{ page.title \n{% endblock main %}").unwrap();
    let (ok, out) = crate::common::run_pufa(&["check", "--source", source], &[]);
    assert!(!ok && out.contains("templates/page.html: 模板 'page.html' 有语法错误："), "{out}");
}

/// A page read when the content was loaded but unreadable when it is rendered (changed under a watcher that has not
/// told the engine yet) fails the build, naming the file, instead of being published empty; the output stays.
#[test]
fn a_page_that_cannot_be_read_again_when_rendered_fails_the_build() {
    let (dir, root) = common::site::copied_fixture("good");
    let out = dir.path().join("public");
    let mut engine = pufa::site::Engine::new(BuildOptions::new(&root, Some(&out)));
    engine.build(None).unwrap_or_else(|e| panic!("{e}"));
    let before = std::fs::read(out.join("xianfa/b/index.html")).unwrap();
    // The engine is told of site.yaml only, so every page is rendered again from the records it has.
    std::fs::write(root.join("content/xianfa/b.md"), b"---\ntitle: \xff\xfe\n---\n").unwrap();
    let yaml = std::fs::read_to_string(root.join("site.yaml")).unwrap();
    std::fs::write(root.join("site.yaml"), yaml.replace("测试县普法网", "测试县普法网站")).unwrap();
    let err = engine.build(Some(&[root.join("site.yaml")])).unwrap_err();
    let BuildError::Diagnostics(diags) = err else { panic!("expected diagnostics, got {err}") };
    let text: Vec<String> = diags.errors().map(|d| d.to_string()).collect();
    assert_eq!(text.len(), 1, "{text:?}");
    assert!(text[0].starts_with("content/xianfa/b.md:") && text[0].contains("cannot be read again"), "{text:?}");
    assert_eq!(std::fs::read(out.join("xianfa/b/index.html")).unwrap(), before, "the output was changed");
}
