//! Share cards (issue 14): every page carries `og:` tags with absolute URLs, the picture being the page's cover
//! or the site's `share_image`, so a link pasted in WeChat or Weibo shows a title, a line and a picture.

use crate::common::site::{assert_has, read};

use pufa::site::{build, BuildOptions};

#[test]
fn pages_carry_share_cards_with_absolute_urls() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("site");
    std::fs::create_dir_all(src.join("content/news")).unwrap();
    std::fs::write(
        src.join("site.yaml"),
        "title: 某县普法网\nbase_url: https://pufa.example.cn/site/\ndescription: 学法用法\nshare_image: /static/share.png\n",
    )
    .unwrap();
    std::fs::write(
        src.join("content/news/a.md"),
        "---\ntitle: 宪法宣传周\ndate: 2024-12-04\ndescription: 全县启动宪法宣传周\ncover: a.jpg\n---\n正文\n",
    )
    .unwrap();
    std::fs::write(src.join("content/news/a.jpg"), b"\xff\xd8\xff").unwrap();
    std::fs::write(src.join("content/news/b.md"), "---\ntitle: 无封面\n---\n民法典是社会生活的百科全书。\n").unwrap();
    let out = dir.path().join("out");
    build(&BuildOptions::new(&src, Some(&out))).unwrap_or_else(|e| panic!("{e}"));
    assert_has(
        &read(&out, "news/a/index.html"),
        &[
            r#"<meta property="og:type" content="article">"#,
            r#"<meta property="og:title" content="宪法宣传周">"#,
            r#"<meta property="og:description" content="全县启动宪法宣传周">"#,
            r#"<meta property="og:url" content="https://pufa.example.cn/site/news/a/">"#,
            r#"<meta property="og:image" content="https://pufa.example.cn/site/news/a.jpg">"#,
            r#"<meta property="article:published_time" content="2024-12-04">"#,
        ],
    );
    assert_has(
        &read(&out, "news/b/index.html"),
        &[
            r#"<meta property="og:description" content="民法典是社会生活的百科全书。">"#,
            r#"<meta property="og:image" content="https://pufa.example.cn/site/static/share.png">"#,
        ],
    );
    assert_has(
        &read(&out, "index.html"),
        &[
            r#"<meta property="og:title" content="某县普法网">"#,
            r#"<meta property="og:url" content="https://pufa.example.cn/site/">"#,
            r#"<meta property="og:image" content="https://pufa.example.cn/site/static/share.png">"#,
        ],
    );
}
