//! Loading fixture content folders: sections, URLs, drafts, ordering, assets, and all errors of a broken folder.

use std::path::Path;

use pufa::content::markdown::{render, RenderContext};
use pufa::content::{load, load_with, Library, LoadOptions, Target};
use pufa::diag::Diagnostics;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/content").join(name)
}

fn page<'a>(lib: &'a Library, source: &str) -> &'a pufa::content::Page {
    match lib.by_source.get(source) {
        Some(Target::Page(i)) => &lib.pages[*i],
        other => panic!("{source} is not a page: {other:?}"),
    }
}

fn section_index(lib: &Library, source: &str) -> usize {
    match lib.by_source.get(source) {
        Some(Target::Section(i)) => *i,
        other => panic!("{source} is not a section: {other:?}"),
    }
}

fn sources(lib: &Library, pages: &[usize]) -> Vec<String> {
    pages.iter().map(|&i| lib.pages[i].source.clone()).collect()
}

#[test]
fn good_folder_loads_without_diagnostics() {
    let (_, diags) = load(&fixture("good"));
    assert_eq!(diags, Diagnostics::default(), "{diags}");
}

#[test]
fn sections_nest_and_get_readable_urls() {
    let (lib, _) = load(&fixture("good"));
    assert_eq!(lib.sections[0].url, "/");
    assert_eq!(lib.sections[0].meta.title, "首页");
    let columns = section_index(&lib, "columns/_index.md");
    let xianfa = section_index(&lib, "columns/宪法/_index.md");
    let minfa = section_index(&lib, "columns/民法典/_index.md");
    assert_eq!(lib.sections[xianfa].url, "/columns/宪法/");
    assert_eq!(lib.sections[xianfa].parent, Some(columns));
    // 民法典 has weight 1, 宪法 weight 2.
    assert_eq!(lib.sections[columns].subsections, vec![minfa, xianfa]);
    // `slug:` of a section renames its folder in every URL below it.
    assert_eq!(lib.sections[section_index(&lib, "videos/_index.md")].url, "/video/");
    assert_eq!(page(&lib, "videos/宣传片.md").url, "/video/fanzha/");
}

#[test]
fn pages_in_plain_folders_belong_to_the_nearest_section_but_keep_the_folder_in_the_url() {
    let (lib, _) = load(&fixture("good"));
    let p = page(&lib, "columns/民法典/2024/年度回顾.md");
    assert_eq!(p.url, "/columns/民法典/2024/年度回顾/");
    assert_eq!(p.section, section_index(&lib, "columns/民法典/_index.md"));
}

#[test]
fn date_order_puts_weights_first_then_newest() {
    let (lib, _) = load(&fixture("good"));
    let s = &lib.sections[section_index(&lib, "columns/宪法/_index.md")];
    assert_eq!(sources(&lib, &s.pages), ["columns/宪法/总纲.md", "columns/宪法/宪法日.md", "columns/宪法/权利.md"]);
}

#[test]
fn title_order_follows_sort_by() {
    let (lib, _) = load(&fixture("good"));
    let s = &lib.sections[section_index(&lib, "columns/民法典/_index.md")];
    assert_eq!(
        sources(&lib, &s.pages),
        ["columns/民法典/2024/年度回顾.md", "columns/民法典/a.md", "columns/民法典/b.md"]
    );
}

/// Titles and taxonomy terms in pinyin order, as in a dictionary's index, not by code point (which puts 刑 before
/// 安 before 宪).
#[test]
fn titles_and_terms_are_in_pinyin_order() {
    let dir = tempfile::tempdir().unwrap();
    let laws = dir.path().join("laws");
    std::fs::create_dir_all(&laws).unwrap();
    std::fs::write(laws.join("_index.md"), "---\ntitle: 法律\nsort_by: title\n---\n").unwrap();
    for (file, title, tag) in
        [("a", "治安管理处罚法", "治安"), ("b", "宪法", "宪法"), ("c", "刑法", "刑事"), ("d", "安全生产法", "安全")]
    {
        std::fs::write(laws.join(format!("{file}.md")), format!("---\ntitle: {title}\ntags: [{tag}]\n---\n")).unwrap();
    }
    let (lib, diags) = load(dir.path());
    assert!(!diags.has_errors(), "{diags}");
    let s = &lib.sections[section_index(&lib, "laws/_index.md")];
    let titles: Vec<&str> = s.pages.iter().map(|&p| lib.pages[p].meta.title.as_str()).collect();
    assert_eq!(titles, ["安全生产法", "宪法", "刑法", "治安管理处罚法"]);
    let taxonomies = pufa::site::taxonomy::gather(&lib);
    let tags: Vec<&str> = taxonomies[0].terms.iter().map(|t| t.name.as_str()).collect();
    assert_eq!((taxonomies[0].key, tags), ("tags", vec!["安全", "宪法", "刑事", "治安"]));
}

#[test]
fn drafts_are_skipped_unless_asked_for() {
    let (lib, _) = load(&fixture("good"));
    assert!(!lib.by_source.contains_key("columns/宪法/草稿.md"));
    assert!(!lib.by_source.contains_key("drafts/_index.md"));
    assert!(!lib.by_source.contains_key("drafts/x.md"), "pages of a draft section are drafts too");
    let (lib, diags) = load_with(&fixture("good"), &LoadOptions { drafts: true, ..Default::default() });
    assert!(!diags.has_errors(), "{diags}");
    assert_eq!(page(&lib, "drafts/x.md").url, "/drafts/x/");
    assert_eq!(page(&lib, "columns/宪法/草稿.md").url, "/columns/宪法/草稿/");
}

#[test]
fn other_files_are_assets_next_to_their_folder_url() {
    let (lib, _) = load(&fixture("good"));
    let assets: Vec<_> = lib.assets.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(assets, [("columns/宪法/img/logo.png", "/columns/宪法/img/logo.png")]);
}

#[test]
fn summaries_and_reading_time_are_computed_at_load() {
    let (lib, _) = load(&fixture("good"));
    assert_eq!(page(&lib, "columns/宪法/宪法日.md").summary, "每年12月4日是国家宪法日。");
    let p = page(&lib, "columns/民法典/a.md");
    assert_eq!((p.summary.as_str(), p.word_count, p.reading_minutes), ("总则。", 2, 1));
}

#[test]
fn a_root_without_index_gets_an_empty_home_section() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), "---\ntitle: 甲\n---\n").unwrap();
    let (lib, diags) = load(dir.path());
    assert!(diags.0.is_empty(), "{diags}");
    assert_eq!((lib.sections.len(), lib.sections[0].url.as_str(), lib.sections[0].meta.title.as_str()), (1, "/", ""));
    assert_eq!(lib.sections[0].pages, vec![0]);
    assert!(!lib.by_source.contains_key("_index.md"), "a synthesised root is no link target");
}

#[test]
fn a_missing_content_folder_is_reported_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let (_, diags) = load(&dir.path().join("nope"));
    assert!(diags.has_errors());
    assert!(diags.0[0].message.starts_with("cannot read"), "{diags}");
}

/// Every mistake of one file's front matter is reported, not only the first serde meets (issue 14).
#[test]
fn every_mistake_of_one_front_matter_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let text = "---\ntitle: 甲\ndate: 12月4日\nweight: 重要\ntags: [宪法]\naudiences: [农村]\n---\n正文\n";
    std::fs::write(dir.path().join("a.md"), text).unwrap();
    let (_, diags) = load(dir.path());
    let lines: Vec<String> = diags.0.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "content/a.md:3:7: date: expected a date like 2024-12-04, found \"12月4日\"",
            "content/a.md:4:9: weight: invalid type: string \"重要\", expected i64",
            "content/a.md:6:13: audiences[0]: unknown variant `农村`, expected one of `机关`, `乡村`, `社区`, `学校`, `企业`, `单位`, `网络`",
        ]
    );
    // a broken title is one error, not a second "missing field `title`"
    std::fs::write(dir.path().join("a.md"), "---\ntitle: [甲\n---\n").unwrap();
    assert_eq!(load(dir.path()).1 .0.len(), 1);
}

#[test]
fn every_broken_file_is_reported_in_one_run_sorted() {
    let (lib, mut diags) = load(&fixture("broken"));
    for p in &lib.pages {
        let ctx = RenderContext {
            library: &lib,
            source: &p.source,
            body_line: p.body_line,
            lang: Default::default(),
            shortcodes: None,
            pictures: None,
        };
        diags.extend(render(&p.body, &ctx).diagnostics);
    }
    diags.sort();
    let lines: Vec<String> = diags.0.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "content/a.md:1:1: front matter: expected `---` on the first line, then YAML with at least `title:`, then `---` (or TOML between `+++` lines)",
            "content/b.md:1:1: front matter: the `---` on line 1 is never closed: expected a line `---` after it",
            "content/c.md:3:7: date: expected a date like 2024-12-04, found \"12月4日\"",
            "content/d.md:3:1: unknown key `titel`: did you mean `title`?",
            "content/e.md:2:1: missing field `title`",
            "content/f.md:3:17: audiences[1]: unknown variant `农村`, expected one of `机关`, `乡村`, `社区`, `学校`, \
             `企业`, `单位`, `网络`",
            "content/g.md:6:2: broken internal link `@/没有.md`: no page or section content/没有.md \
             (expected a path like @/columns/a.md)",
            "content/h.md: duplicate URL /g/: content/g.md has it too (set a different `slug:`)",
        ]
    );
}

#[test]
fn a_page_bundle_index_is_the_page_of_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("案例/电信诈骗")).unwrap();
    std::fs::write(dir.path().join("案例/电信诈骗/index.md"), "---\ntitle: 电信诈骗\n---\n![图](a.png)\n").unwrap();
    std::fs::write(dir.path().join("案例/电信诈骗/a.png"), "png").unwrap();
    let (lib, diags) = load(dir.path());
    assert!(diags.0.is_empty(), "{diags}");
    let p = page(&lib, "案例/电信诈骗/index.md");
    assert_eq!((p.url.as_str(), p.slug.as_str()), ("/案例/电信诈骗/", "电信诈骗"));
    assert_eq!(lib.assets["案例/电信诈骗/a.png"], "/案例/电信诈骗/a.png");
}

#[test]
fn front_matter_files_become_asset_urls_and_unknown_video_hosts_warn() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("视频")).unwrap();
    std::fs::write(dir.path().join("视频/封面.jpg"), "jpg").unwrap();
    std::fs::write(dir.path().join("视频/宣传片.mp4"), "mp4").unwrap();
    let text =
        "---\ntitle: 视频\ncover: 封面.jpg\nvideos:\n  - url: 宣传片.mp4\n  - url: https://www.ixigua.com/123\n  \
                - url: 没有.webm\n---\n";
    std::fs::write(dir.path().join("视频/a.md"), text).unwrap();
    let (lib, diags) = load(dir.path());
    let p = page(&lib, "视频/a.md");
    assert_eq!(p.meta.cover.as_deref(), Some("/视频/封面.jpg"));
    let urls: Vec<&str> = p.meta.videos.iter().map(|v| v.url.as_str()).collect();
    assert_eq!(urls, ["/视频/宣传片.mp4", "https://www.ixigua.com/123", "没有.webm"]);
    let lines: Vec<String> = diags.0.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "content/视频/a.md: warning: videos: no file 没有.webm next to this file (expected a path relative to it)",
            "content/视频/a.md:6:10: warning: videos: unknown video host www.ixigua.com: left out of the players \
             (known: Bilibili, Tencent Video, Youku, YouTube, Vimeo, .mp4, .webm)",
        ]
    );
}

#[test]
fn a_file_that_is_not_utf8_is_an_error_and_the_others_still_load() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("gbk.md"), b"---\ntitle: \xd0\xfb\xb7\xa8\n---\n").unwrap();
    std::fs::write(dir.path().join("ok.md"), "---\ntitle: 好\n---\n").unwrap();
    let (lib, diags) = load(dir.path());
    let lines: Vec<String> = diags.0.iter().map(ToString::to_string).collect();
    assert_eq!(lines, ["content/gbk.md: expected UTF-8 text: save the file as UTF-8"]);
    assert_eq!(page(&lib, "ok.md").url, "/ok/");
}

#[test]
fn a_broken_section_index_keeps_its_pages_in_place() {
    // Without this, the folder's pages would move up to the parent section and claim URLs there.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("宪法")).unwrap();
    std::fs::write(dir.path().join("宪法/_index.md"), "---\ntitel: 宪法\n---\n").unwrap();
    std::fs::write(dir.path().join("宪法/a.md"), "---\ntitle: 甲\n---\n").unwrap();
    let (lib, diags) = load(dir.path());
    assert_eq!(diags.errors().count(), 1, "{diags}");
    let p = page(&lib, "宪法/a.md");
    assert_eq!((p.url.as_str(), lib.sections[p.section].url.as_str()), ("/宪法/a/", "/宪法/"));
}

#[test]
fn hidden_files_and_folders_are_not_content() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join(".git/x.md"), "not front matter").unwrap();
    std::fs::write(dir.path().join(".DS_Store"), "x").unwrap();
    let (lib, diags) = load(dir.path());
    assert!(diags.0.is_empty(), "{diags}");
    assert!(lib.pages.is_empty() && lib.assets.is_empty());
}

#[test]
fn a_draft_page_reports_no_warnings_when_drafts_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let text = "---\ntitle: 草稿\ndraft: true\nvideos:\n  - url: https://www.ixigua.com/1\n---\n";
    std::fs::write(dir.path().join("a.md"), text).unwrap();
    assert!(load(dir.path()).1 .0.is_empty());
    let (_, diags) = load_with(dir.path(), &LoadOptions { drafts: true, ..Default::default() });
    assert_eq!(diags.warnings().count(), 1, "{diags}");
}
