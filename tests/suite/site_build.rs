//! Builds the fixture sites into temporary folders and checks key pages like snapshots: titles, links,
//! anchors, feed entries, sitemap URLs (issue 2).

use crate::common;
use crate::common::site::{assert_has, copied_fixture, read, site_fixture};

use std::path::PathBuf;

use pufa::site::{build, BuildOptions, BuildReport};

fn fixture(name: &str) -> PathBuf {
    site_fixture(name)
}

fn build_into(name: &str) -> (tempfile::TempDir, PathBuf, BuildReport) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let report = build(&BuildOptions::new(&fixture(name), Some(&out))).unwrap_or_else(|e| panic!("{e}"));
    (dir, out, report)
}

#[test]
fn good_site_home_sections_and_pagination() {
    let (_d, out, report) = build_into("good");
    assert_eq!(report.pages, 5);
    let home = read(&out, "index.html");
    assert_has(
        &home,
        &["<title>测试县普法网</title>", "href=\"/xianfa/\"", "宪法学习", "民法典解读", "href=\"/xianfa/a/\""],
    );
    assert_has(&home, &["共 3 篇", "/static/style.css", "/static/textsize.js"]);
    // paginate_by: 2 and three pages, newest first.
    let list = read(&out, "xianfa/index.html");
    assert_has(&list, &["宪法是国家的根本法", "国家宪法日的由来", "href=\"/xianfa/page/2/\"", "第 1 页，共 2 页"]);
    assert!(!list.contains("宣誓制度"), "third page must be on page 2");
    let page2 = read(&out, "xianfa/page/2/index.html");
    assert_has(&page2, &["宣誓制度", "href=\"/xianfa/\"", "第 2 页，共 2 页"]);
}

#[test]
fn good_site_page_details() {
    let (_d, out, _) = build_into("good");
    let a = read(&out, "xianfa/a/index.html");
    assert_has(
        &a,
        &[
            "<h1>宪法是国家的根本法</h1>",
            "2024年12月4日",
            "县司法局",
            "约 1 分钟",
            "href=\"/tags/宪法/\"",
            "href=\"/audiences/学校/\"",
            "class=\"toc\"",
            "id=\"第三十三条\"",
            "第一章",
            "href=\"/competitions/xianfa-2024/\">参加知识竞赛：2024年宪法知识竞赛",
            "下一篇",
        ],
    );
    // pulldown-cmark may percent-encode the link; either form reaches the page.
    assert!(
        a.contains("href=\"/minfa/婚姻家庭/\"") || a.contains("href=\"/minfa/%E5%A9%9A%E5%A7%BB%E5%AE%B6%E5%BA%AD/\""),
        "internal link not resolved"
    );
    // The internal link resolved to the target page's URL and the TOC links to anchors on the page.
    let toc_target = a.split("href=\"#").nth(1).and_then(|s| s.split('"').next()).expect("a TOC link");
    assert!(a.contains(&format!("id=\"{toc_target}\"")), "TOC target {toc_target} missing");
    assert!(!a.contains("<script>"), "no inline scripts");
    let b = read(&out, "minfa/婚姻家庭/index.html");
    assert_has(&b, &["权利&amp;义务 &lt;婚姻家庭编&gt;", "href=\"/xianfa/a/\""]);
}

#[test]
fn good_site_taxonomies_videos_feed_sitemap() {
    let (_d, out, _) = build_into("good");
    let tags = read(&out, "tags/index.html");
    assert_has(&tags, &["href=\"/tags/宪法/\"", "href=\"/tags/民法典/\"", "href=\"/tags/反诈骗/\""]);
    let term = read(&out, "tags/宪法/index.html");
    assert_has(&term, &["宪法是国家的根本法", "国家宪法日的由来"]);
    assert!(!term.contains("反诈骗短片"));
    let aud = read(&out, "audiences/社区/index.html");
    assert_has(&aud, &["国家宪法日的由来", "权利&amp;义务"]);
    assert_has(&read(&out, "audiences/index.html"), &["学校", "机关", "社区", "乡村"]);

    let videos = read(&out, "videos/index.html");
    assert_has(
        &videos,
        &["识破电信诈骗", "BV1xx411c7mD", "dQw4w9WgXcQ", "href=\"/shipin/fanzha/\"", "/static/player.js"],
    );

    let feed = read(&out, "atom.xml");
    assert_has(
        &feed,
        &[
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"",
            "<title>宪法是国家的根本法</title>",
            "<title>权利&amp;义务 &lt;婚姻家庭编&gt;</title>",
            "https://pufa.example.cn/xianfa/a/",
            "2024-12-04T00:00:00+08:00",
        ],
    );
    assert_eq!(feed.matches("<entry>").count(), 5);
    // Newest first.
    assert!(feed.find("宪法是国家的根本法").unwrap() < feed.find("国家宪法日的由来").unwrap());

    let sitemap = read(&out, "sitemap.xml");
    assert_has(
        &sitemap,
        &[
            "<loc>https://pufa.example.cn/</loc>",
            "<loc>https://pufa.example.cn/xianfa/a/</loc><lastmod>2024-12-04</lastmod>",
            "<loc>https://pufa.example.cn/minfa/%E5%A9%9A%E5%A7%BB%E5%AE%B6%E5%BA%AD/</loc>",
            "<loc>https://pufa.example.cn/tags/%E5%AE%AA%E6%B3%95/</loc>",
        ],
    );
    assert_eq!(read(&out, "robots.txt"), "User-agent: *\nAllow: /\nSitemap: https://pufa.example.cn/sitemap.xml\n");
}

#[test]
fn good_site_special_pages_and_files() {
    let (_d, out, report) = build_into("good");
    assert_has(&read(&out, "404.html"), &["页面不存在", "href=\"/\""]);
    let search = read(&out, "search/index.html");
    assert_has(
        &search,
        &["<noscript>", "搜索功能需要浏览器启用 JavaScript", "/static/search.js", "data-index=\"/search/\""],
    );
    for f in ["static/style.css", "static/player.js", "static/search.js", "static/textsize.js", "search/pages.json"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    // The site's own static/ is merged with the theme's; content assets are copied.
    assert_eq!(read(&out, "static/extra.txt"), "user static file\n");
    assert!(out.join("xianfa/notice.pdf").is_file(), "content asset not copied");
    assert!(report.search_bytes > 0);
    // The index's CPU time is counted (pages' postings and blocks, then the shards), and is part of the whole.
    assert!(report.search_cpu > std::time::Duration::ZERO, "{:?}", report.search_cpu);
    // Only shards holding postings are files: a small site has far fewer tokens than shards.
    let shard_files = std::fs::read_dir(out.join("search/s")).unwrap().count();
    assert_eq!(report.search_shards, shard_files);
    assert!(shard_files > 10 && shard_files < pufa::site::search::SHARDS as usize, "{shard_files} shard files");
}

#[test]
fn competition_landing_pages_link_to_the_quiz_server() {
    let (_d, out, _) = build_into("good");
    let landing = read(&out, "competitions/xianfa-2024/index.html");
    assert_has(
        &landing,
        &[
            "<h1>2024年宪法知识竞赛</h1>",
            "2024年12月1日 08:00",
            "2024年12月10日 18:00",
            "15 分钟",
            "<dd>3</dd>",
            "href=\"https://quiz.example.cn/quiz/xianfa-2024/\">进入竞赛</a>",
        ],
    );
    assert_has(
        &read(&out, "competitions/index.html"),
        &[
            "href=\"/competitions/xianfa-2024/\"",
            "<h2 id=\"surveys\">民意测评</h2>",
            "href=\"https://quiz.example.cn/survey/pingyi-2024/\">2024年普法工作群众评议</a>",
            "2024年12月1日 08:00 — 2024年12月31日 18:00",
            "<h2 id=\"suggestions\">意见箱</h2>",
            "href=\"https://quiz.example.cn/suggestions/\">意见箱</a>",
            "href=\"https://quiz.example.cn/suggestions/board\">件件有回音</a>",
        ],
    );
    assert_has(&read(&out, "sitemap.xml"), &["<loc>https://pufa.example.cn/competitions/xianfa-2024/</loc>"]);
}

#[test]
fn folder_with_only_content_builds_with_defaults() {
    let (_d, out, report) = build_into("bare");
    assert_eq!(report.pages, 1);
    let home = read(&out, "index.html");
    assert_has(&home, &["<html lang=\"zh-CN\">", "<title>法治宣传</title>", "普法栏目", "href=\"/col/one/\""]);
    assert_has(&read(&out, "col/one/index.html"), &["安全生产责任制", "2024年1月2日"]);
    assert!(out.join("static/style.css").is_file());
}

#[test]
fn default_output_is_source_public() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("site");
    std::fs::create_dir_all(src.join("content")).unwrap();
    std::fs::write(src.join("content/p.md"), "---\ntitle: 一页\n---\n正文\n").unwrap();
    build(&BuildOptions::new(&src, None)).unwrap_or_else(|e| panic!("{e}"));
    assert!(src.join("public/p/index.html").is_file());
}

#[test]
fn drafts_are_built_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("site");
    std::fs::create_dir_all(src.join("content")).unwrap();
    std::fs::write(src.join("content/d.md"), "---\ntitle: 草稿\ndraft: true\n---\n正文\n").unwrap();
    let out = dir.path().join("out");
    build(&BuildOptions::new(&src, Some(&out))).unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.join("d/index.html").exists());
    let report = build(&BuildOptions { drafts: true, ..BuildOptions::new(&src, Some(&out)) }).unwrap();
    assert_eq!(report.pages, 1);
    assert!(out.join("d/index.html").exists());
}

#[test]
fn site_in_a_sub_folder_prefixes_every_link() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("site");
    std::fs::create_dir_all(src.join("content")).unwrap();
    std::fs::write(src.join("site.yaml"), "base_url: https://county.example.cn/pufa/\n").unwrap();
    std::fs::write(src.join("content/a.md"), "---\ntitle: 甲\n---\n见[乙](@/b.md)。\n").unwrap();
    std::fs::write(src.join("content/b.md"), "---\ntitle: 乙\n---\n正文\n").unwrap();
    let out = dir.path().join("out");
    build(&BuildOptions::new(&src, Some(&out))).unwrap_or_else(|e| panic!("{e}"));
    let a = read(&out, "a/index.html");
    assert_has(&a, &["href=\"/pufa/b/\"", "href=\"/pufa/static/style.css\"", "href=\"/pufa/search/\""]);
    assert!(!a.contains("href=\"/b/\""), "{a}");
    assert_has(&read(&out, "sitemap.xml"), &["<loc>https://county.example.cn/pufa/a/</loc>"]);
}

/// Builds of one output folder at once take turns through the lock beside it (`.public.pufa-lock`) instead of
/// writing into the same temporary folders, and the site they leave is whole.
#[test]
fn builds_of_one_output_take_turns() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let opts = BuildOptions::new(&fixture("good"), Some(&out));
    let held = std::fs::File::create(dir.path().join(".public.pufa-lock")).unwrap();
    held.lock().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let waiting = {
        let opts = opts.clone();
        std::thread::spawn(move || tx.send(build(&opts).map(|r| r.pages).map_err(|e| e.to_string())).unwrap())
    };
    assert!(rx.recv_timeout(std::time::Duration::from_millis(500)).is_err(), "the build did not wait for the lock");
    assert!(!out.exists(), "nothing written while another build holds the folder");
    drop(held);
    assert_eq!(rx.recv().unwrap(), Ok(5));
    waiting.join().unwrap();
    // Four builds started together all succeed, one after another.
    let builds: Vec<_> = (0..4)
        .map(|_| {
            let opts = opts.clone();
            std::thread::spawn(move || build(&opts).map(|r| r.pages).map_err(|e| e.to_string()))
        })
        .collect();
    for b in builds {
        assert_eq!(b.join().unwrap(), Ok(5));
    }
    assert!(read(&out, "index.html").contains("<title>测试县普法网</title>"));
    assert!(!dir.path().join(".public.pufa-building").exists(), "no build left its temporary folder");
}

// Issue 17: 普法视频 appeared twice in the menu, and the competitions sat where a phone does not see them.
#[test]
fn the_menu_puts_competitions_first_and_names_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    common::copy_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites/good"), &root);
    let yaml = "title: 测试\nmenus:\n  - {name: 宪法学习, url: /xianfa/}\n  - {name: 普法视频, url: /shipin/}\n  - {name: 知识竞赛, url: /competitions/}\n";
    std::fs::write(root.join("site.yaml"), yaml).unwrap();
    pufa::site::build(&pufa::site::BuildOptions::new(&root, None)).unwrap();
    let html = std::fs::read_to_string(root.join("public/xianfa/a/index.html")).unwrap();
    let menu = &html[html.find("<nav class=\"menu\"").unwrap()..];
    let menu = &menu[..menu.find("</nav>").unwrap()];
    let names: Vec<&str> = menu.split("\">").skip(2).filter_map(|p| p.split('<').next()).collect();
    assert_eq!(names, ["首页", "知识竞赛", "宪法学习", "普法视频", "法律七进", "搜索"], "{menu}");
}

// Issue 17: the competitions list said nothing of each one's state or who may take part.
#[test]
fn the_competition_list_says_when_and_who() {
    let (_dir, out, _) = build_into("good");
    let list = read(&out, "competitions/index.html");
    assert_has(
        &list,
        &["data-opens=\"2024-", "data-closes=\"", "class=\"state\" hidden", "参赛对象：", "/static/competitions.js"],
    );
    assert!(read(&out, "static/competitions.js").contains("data-"), "the script is written");
}

// Issue 17: an empty base_url went unmentioned, and public/index.html opened from disk looked broken.
#[test]
fn check_warns_of_an_empty_base_url_and_build_says_how_to_open_the_site() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.yaml"), "title: 测试\nbase_url: \"\"\n").unwrap();
    let notes = pufa::site::publishing_notes(dir.path(), false);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].starts_with("site.yaml: 警告：base_url 为空"), "{notes:?}");
    let built = pufa::site::publishing_notes(dir.path(), true);
    assert!(built[1].contains("网页服务器") && built[1].contains("pufa serve"), "{built:?}");
    std::fs::write(dir.path().join("site.yaml"), "title: 测试\nbase_url: https://pufa.example.cn/\n").unwrap();
    assert!(pufa::site::publishing_notes(dir.path(), false).is_empty());
}

/// Issue 15: `content/` may be a symbolic link to a folder kept elsewhere, and may hold links; a link back to a
/// folder above it is reported as a loop, naming it, not followed for ever.
#[cfg(unix)]
#[test]
fn a_symlinked_content_folder_builds_and_a_loop_is_named() {
    let (dir, site) = copied_fixture("good");
    let elsewhere = dir.path().join("kept-elsewhere");
    std::fs::rename(site.join("content"), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, site.join("content")).unwrap();
    // A linked page inside, as a shared folder of law texts would be.
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::write(shared.join("gongyong.md"), "---\ntitle: 共用的法律文本\n---\n第一条　共用。\n").unwrap();
    std::os::unix::fs::symlink(&shared, elsewhere.join("shared")).unwrap();
    let out = dir.path().join("public");
    let report = build(&BuildOptions::new(&site, Some(&out))).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.pages >= 6, "{} pages", report.pages);
    assert!(read(&out, "xianfa/a/index.html").contains("宪法是国家的根本法"));
    assert!(read(&out, "shared/gongyong/index.html").contains("共用的法律文本"));

    std::os::unix::fs::symlink(&elsewhere, elsewhere.join("xianfa/loop")).unwrap();
    let err = build(&BuildOptions::new(&site, Some(&out))).unwrap_err().to_string();
    assert!(err.contains("content/xianfa/loop") && err.contains("loop"), "{err}");
}

/// A page moved away and a file of the content folder (copied as it is) put at its address: the folder of the build
/// before last, which the next full build writes into, still has the page's folder where the file goes (and back).
/// Each build succeeds; before, the first failed with "Is a directory", and so did every build after it.
#[test]
fn a_file_where_a_page_folder_was_and_back_builds() {
    let (dir, root) = copied_fixture("good");
    let out = dir.path().join("public");
    let opts = BuildOptions::new(&root, Some(&out));
    let page = std::fs::read(root.join("content/xianfa/b.md")).unwrap();
    for _ in 0..2 {
        build(&opts).unwrap_or_else(|e| panic!("{e}"));
    }
    assert!(out.join("xianfa/b/index.html").is_file());
    std::fs::remove_file(root.join("content/xianfa/b.md")).unwrap();
    std::fs::write(root.join("content/xianfa/b"), "附件").unwrap();
    for _ in 0..2 {
        build(&opts).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read(&out, "xianfa/b"), "附件");
    }
    std::fs::remove_file(root.join("content/xianfa/b")).unwrap();
    std::fs::write(root.join("content/xianfa/b.md"), page).unwrap();
    for _ in 0..2 {
        build(&opts).unwrap_or_else(|e| panic!("{e}"));
        assert!(out.join("xianfa/b/index.html").is_file());
    }
}
