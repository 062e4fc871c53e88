//! Sites moved from Hugo and Zola build unchanged (issue 14): their front matter (YAML and TOML, any key
//! spelling Hugo accepts, theme parameters), categories, aliases, publication windows and folder sections.

use std::path::PathBuf;

use crate::common::site::{assert_has, read, site_fixture};

use pufa::site::{build, BuildOptions, BuildReport};

fn build_with(name: &str, future: bool) -> (tempfile::TempDir, PathBuf, BuildReport) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let opts = BuildOptions { future, ..BuildOptions::new(&site_fixture(name), Some(&out)) };
    let report = build(&opts).unwrap_or_else(|e| panic!("{e}"));
    (dir, out, report)
}

#[test]
fn a_hugo_site_builds_unchanged() {
    let (_d, out, report) = build_with("hugo", false);
    // the future page and the expired one are left out; `about/index.md` is a leaf bundle page
    assert_eq!((report.pages, report.sections), (3, 2), "{:?}", report.warnings);
    let warnings: Vec<String> = report.warnings.0.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["content/about/index.md: warning: `menu` in front matter is ignored (2 file(s)): the menu comes from `menus:` in site.yaml"]
    );
    let page = read(&out, "posts/2024-12-04-xianfa/index.html");
    assert_has(
        &page,
        &[
            // hugo.toml: title, baseURL (absolute share card addresses), the main menu in weight order
            "<title>国家宪法日：弘扬宪法精神 - 某县司法局普法网</title>",
            r#"<meta property="og:url" content="https://pufa.example.gov.cn/posts/2024-12-04-xianfa/">"#,
            r#"<a href="/posts/">文章</a>"#,
            r#"<meta name="description" content="全县开展国家宪法日集中宣传活动。">"#,
            r#"<meta name="keywords" content="宪法, 宪法宣传周">"#,
            "县司法局、县普法办",
            r#"<a class="category" href="/categories/普法动态/">普法动态</a>"#,
            r##"<a class="tag" href="/tags/宪法/">#宪法</a>"##,
            // shortcodes: a player, a figure, a link by `ref`
            "youtube-nocookie.com/embed/w7Ft2ymGmfc",
            // the figure and the cover (theme parameter `cover.image`) of a photo in static/: a 640×360 JPEG
            // made into 480 and 640 px wide WebP and JPEG files
            "<figure><picture><source type=\"image/webp\" srcset=\"/processed_images/",
            "-480.webp 480w, /processed_images/",
            "width=\"640\" height=\"360\" alt=\"宪法宣传现场\" loading=\"lazy\" decoding=\"async\"></picture><figcaption>宪法宣传现场</figcaption></figure>",
            "<figure class=\"cover\"><picture>",
            "<a href=\"/posts/minfadian/\">民法典与百姓生活</a>",
        ],
    );
    // the folder without `_index.md` is a section with its list page, as in Hugo
    let list = read(&out, "posts/index.html");
    assert_has(&list, &["民法典与百姓生活", "民法典七编的要点。", "国家宪法日：弘扬宪法精神"]);
    assert_has(&read(&out, "categories/index.html"), &["普法动态", "法律解读"]);
    assert_has(&read(&out, "categories/法律解读/index.html"), &["民法典与百姓生活"]);
    for alias in ["2024/12/xianfa.html", "posts/old-xianfa/index.html"] {
        let redirect = read(&out, alias);
        assert_has(
            &redirect,
            &[
                r#"<link rel="canonical" href="/posts/2024-12-04-xianfa/">"#,
                r#"<meta http-equiv="refresh" content="0; url=/posts/2024-12-04-xianfa/">"#,
            ],
        );
    }
    assert!(!read(&out, "sitemap.xml").contains("old-xianfa"), "aliases are not in the sitemap");
    assert!(out.join("about/index.html").is_file());
    // Hugo serves static/ at the site root: the figure's /images/xianfa.jpg is there; the theme's files stay
    assert!(out.join("images/xianfa.jpg").is_file() && !out.join("static/images/xianfa.jpg").exists());
    assert!(out.join("static/style.css").is_file());
    assert!(!out.join("posts/future/index.html").exists(), "publishDate in 2099");
    assert!(!out.join("posts/expired/index.html").exists(), "expiryDate in 2021");
}

#[test]
fn future_pages_are_built_when_asked_and_expired_ones_never() {
    let (_d, out, report) = build_with("hugo", true);
    assert_eq!(report.pages, 4);
    assert!(out.join("posts/future/index.html").is_file());
    assert!(!out.join("posts/expired/index.html").exists());
}

#[test]
fn a_zola_site_builds_unchanged() {
    let (_d, out, report) = build_with("zola", false);
    assert_eq!((report.pages, report.sections, report.warnings.0.len()), (2, 2, 1), "{:?}", report.warnings);
    // The site's base, index and page templates call Zola's functions (get_url, get_section): the theme's are used.
    assert_eq!(
        report.warnings.0[0].to_string(),
        "templates: warning: 3 template(s) written for Zola are not used, the theme's are (templates/base.html, \
         templates/index.html, templates/page.html): add a site.yaml to use the site's own templates"
    );
    let first = read(&out, "blog/first/index.html");
    assert_has(
        &first,
        &[
            r#"<meta name="lead" content="宪法宣传周导语">"#,
            r#"<meta property="og:url" content="https://zola.example.cn/blog/first/">"#,
            "普法在线",
            r#"<meta name="description" content="宪法宣传周在全县启动。">"#,
            r#"<a class="category" href="/categories/活动/">活动</a>"#,
            r##"<a class="tag" href="/tags/宣传周/">#宣传周</a>"##,
            "县普法办",
            r#"datetime="2024-12-01""#,
        ],
    );
    assert_has(&read(&out, "blog/index.html"), &["普法动态", "宪法宣传周启动", "未成年人保护法进校园"]);
    // the site's own shortcode template, and a built-in one
    assert_has(
        &read(&out, "blog/second/index.html"),
        &["<div class=\"note note-tip\">请家长关注孩子的上网安全。</div>", "youtube-nocookie.com/embed/w7Ft2ymGmfc"],
    );
    assert_has(&read(&out, "tags/未成年人保护/index.html"), &["未成年人保护法进校园"]);
    assert_has(&read(&out, "old/first/index.html"), &[r#"url=/blog/first/"#]);

    // Once the site says it is a pufa site (a site.yaml), its own templates are used, and these are Zola's.
    let dir = tempfile::tempdir().unwrap();
    crate::common::copy_dir(&crate::common::site::site_fixture("zola"), dir.path());
    std::fs::write(dir.path().join("site.yaml"), "title: 普法在线\n").unwrap();
    let err = build(&BuildOptions::new(dir.path(), Some(&dir.path().join("out")))).unwrap_err().to_string();
    assert!(err.contains("get_url") || err.contains("get_section"), "{err}");
}

/// An alias that leaves the site or takes a page's address is an error naming the file.
#[test]
fn bad_aliases_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::write(content.join("a.md"), "---\ntitle: 甲\naliases: [https://example.com/a/]\n---\n").unwrap();
    std::fs::write(content.join("b.md"), "---\ntitle: 乙\naliases: [/a/]\n---\n").unwrap();
    let err = build(&BuildOptions::new(dir.path(), Some(&dir.path().join("out")))).unwrap_err().to_string();
    assert_has(
        &err,
        &[
            "content/a.md: aliases: expected a path of this site like /old/page/, found \"https://example.com/a/\"",
            "content/b.md: duplicate URL /a/: content/a.md has it too",
        ],
    );
}

/// With `static_at_root`, a site's own static file at the address of a page, a list, a redirect or a feed is an
/// error naming both, and the previous site stays; its own `robots.txt` replaces pufa's, as in Hugo.
#[test]
fn a_static_file_over_a_page_is_an_error_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("site");
    let out = dir.path().join("public");
    std::fs::create_dir_all(src.join("content/posts")).unwrap();
    std::fs::create_dir_all(src.join("static")).unwrap();
    std::fs::write(src.join("site.yaml"), "title: 普法\nstatic_at_root: true\n").unwrap();
    std::fs::write(src.join("content/_index.md"), "---\ntitle: 首页\n---\n").unwrap();
    std::fs::write(src.join("content/posts/_index.md"), "---\ntitle: 文章\n---\n").unwrap();
    std::fs::write(src.join("content/posts/a.md"), "---\ntitle: 甲\naliases: [/posts/old/]\n---\n正文\n").unwrap();
    std::fs::write(src.join("static/robots.txt"), "User-agent: *\n").unwrap();
    build(&BuildOptions::new(&src, Some(&out))).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read(&out, "robots.txt"), "User-agent: *\n", "the site's own robots.txt");
    let home = read(&out, "index.html");

    for (file, text) in [
        ("index.html", "home"),
        ("posts/index.html", "list"),
        ("posts/a/index.html", "page"),
        ("posts/old/index.html", "redirect"),
        ("atom.xml", "feed"),
    ] {
        let path = src.join("static").join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let err = build(&BuildOptions::new(&src, Some(&out))).unwrap_err().to_string();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines,
        [
            "static/atom.xml: would replace atom.xml, which pufa writes itself: rename or remove one of them",
            "static/index.html: would replace index.html, which is made from content/_index.md: rename or remove one of them",
            "static/posts/a/index.html: would replace posts/a/index.html, which is made from content/posts/a.md: rename or remove one of them",
            "static/posts/index.html: would replace posts/index.html, which is made from content/posts/_index.md: rename or remove one of them",
            "static/posts/old/index.html: would replace posts/old/index.html, which is made from content/posts/a.md: rename or remove one of them",
            "5 error(s)",
        ],
        "{err}"
    );
    assert_eq!(read(&out, "index.html"), home, "the previous site stays");
    // In Chinese, the default language, with both files named.
    let zh = pufa::localize::diagnostics(
        pufa::i18n::Lang::Zh,
        &match build(&BuildOptions::new(&src, Some(&out))) {
            Err(pufa::site::BuildError::Diagnostics(d)) => d,
            other => panic!("{other:?}"),
        },
    );
    assert_has(&zh, &["static/index.html: 会覆盖 index.html（由 content/_index.md 生成）：请改名或删除其中一个"]);
}
