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

#[test]
fn drafts_are_skipped_unless_asked_for() {
    let (lib, _) = load(&fixture("good"));
    assert!(!lib.by_source.contains_key("columns/宪法/草稿.md"));
    assert!(!lib.by_source.contains_key("drafts/_index.md"));
    assert!(!lib.by_source.contains_key("drafts/x.md"), "pages of a draft section are drafts too");
    let (lib, diags) = load_with(&fixture("good"), &LoadOptions { drafts: true });
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

#[test]
fn every_broken_file_is_reported_in_one_run_sorted() {
    let (lib, mut diags) = load(&fixture("broken"));
    for p in &lib.pages {
        let ctx = RenderContext { library: &lib, source: &p.source, body_line: p.body_line, lang: Default::default() };
        diags.extend(render(&p.body, &ctx).diagnostics);
    }
    diags.sort();
    let lines: Vec<String> = diags.0.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "content/a.md:1:1: front matter: expected `---` on the first line, then YAML with at least `title:`, then `---`",
            "content/b.md:1:1: front matter: the `---` on line 1 is never closed: expected a line `---` after the YAML",
            "content/c.md:3:7: date: expected a date like 2024-12-04, found \"12月4日\"",
            "content/d.md:3:1: unknown field `titel`, expected one of `title`, `date`, `lastmod`, `updated`, `author`, \
             `description`, `summary`, `tags`, `audiences`, `weight`, `draft`, `slug`, `cover`, `videos`, `quiz`, `template`",
            "content/e.md:2:1: missing field `title`",
            "content/f.md:3:17: audiences[1]: unknown variant `农村`, expected one of `机关`, `乡村`, `社区`, `学校`, \
             `企业`, `单位`, `网络`",
            "content/g.md:6:2: broken internal link `@/没有.md`: no page or section content/没有.md \
             (expected a path like @/columns/a.md)",
            "content/h.md: duplicate URL /g/: content/g.md has it too (set a different `slug:`)",
        ]
    );
}
