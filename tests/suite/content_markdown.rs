//! Markdown rendering: extensions, heading anchors and the TOC, 第X条 anchors, video embeds, internal links and
//! their errors, lazy images, and the plain text for search.

use crate::common::site::md;

use pufa::content::markdown::Heading;
use pufa::content::video::Provider;
use pufa::i18n::Lang;
use test_case::test_case;

#[test_case("| 法律 | 施行 |\n|---|---|\n| 民法典 | 2021 |\n", "<table><thead><tr><th>法律</th><th>施行</th></tr></thead><tbody>\n<tr><td>民法典</td><td>2021</td></tr>\n</tbody></table>\n" ; "table")]
#[test_case("~~废止~~", "<p><del>废止</del></p>\n" ; "strikethrough")]
#[test_case("- [x] 学习宪法\n- [ ] 考试\n", "<ul>\n<li><input disabled=\"\" type=\"checkbox\" checked=\"\"/>\n学习宪法</li>\n<li><input disabled=\"\" type=\"checkbox\"/>\n考试</li>\n</ul>\n" ; "task list")]
#[test_case("# 标题\n", "<h1>标题</h1>\n" ; "h1 gets no automatic id")]
#[test_case("##### 小节\n", "<h5>小节</h5>\n" ; "h5 gets no automatic id")]
#[test_case("## 第一章　总则\n", "<h2 id=\"第一章-总则\">第一章　总则</h2>\n" ; "chinese heading id")]
#[test_case("## 总则\n\n### 总则\n", "<h2 id=\"总则\">总则</h2>\n<h3 id=\"总则-1\">总则</h3>\n" ; "duplicate ids suffixed")]
#[test_case("## 总则\n\n## 其他 {#总则}\n", "<h2 id=\"总则-1\">总则</h2>\n<h2 id=\"总则\">其他</h2>\n" ; "written id wins over automatic one")]
#[test_case("## Civil Code `2020`\n", "<h2 id=\"civil-code-2020\">Civil Code <code>2020</code></h2>\n" ; "code in heading")]
#[test_case("第三十三条　凡具有中华人民共和国国籍的人都是中华人民共和国公民。\n", "<div class=\"article\" id=\"第三十三条\"><p><strong class=\"article-no\">第三十三条</strong>　凡具有中华人民共和国国籍的人都是中华人民共和国公民。</p>\n</div>\n" ; "article anchor")]
#[test_case("第一条 甲\n\n第一条 乙\n", "<div class=\"article\" id=\"第一条\"><p><strong class=\"article-no\">第一条</strong> 甲</p>\n</div>\n<div class=\"article\" id=\"第一条-1\"><p><strong class=\"article-no\">第一条</strong> 乙</p>\n</div>\n" ; "repeated article anchors stay unique")]
// Issue 17: a link to an article highlighted only its first paragraph.
#[test_case("## 第一章\n\n第一条 甲\n\n（一）子项；\n\n- 列项\n\n第二条 乙\n\n## 第二章\n\n正文\n", "<h2 id=\"第一章\">第一章</h2>\n<div class=\"article\" id=\"第一条\"><p><strong class=\"article-no\">第一条</strong> 甲</p>\n<p>（一）子项；</p>\n<ul>\n<li>列项</li>\n</ul>\n</div>\n<div class=\"article\" id=\"第二条\"><p><strong class=\"article-no\">第二条</strong> 乙</p>\n</div>\n<h2 id=\"第二章\">第二章</h2>\n<p>正文</p>\n" ; "an article runs to the next article or heading")]
#[test_case("> 第一条 引用\n", "<blockquote>\n<p id=\"第一条\"><strong class=\"article-no\">第一条</strong> 引用</p>\n</blockquote>\n" ; "article quoted keeps its anchor on the paragraph")]
#[test_case("**第五条**　国家维护社会主义法制。\n", "<div class=\"article\" id=\"第五条\"><p><strong>第五条</strong>　国家维护社会主义法制。</p>\n</div>\n" ; "bold article number gets the anchor")]
#[test_case("依照第五条处理。\n", "<p>依照第五条处理。</p>\n" ; "article mentioned mid sentence")]
#[test_case("![宪法 宣传](img/logo.png \"标志\")", "<p><img src=\"/columns/%E5%AE%AA%E6%B3%95/img/logo.png\" alt=\"宪法 宣传\" title=\"标志\" loading=\"lazy\" decoding=\"async\"></p>\n" ; "image resolved to asset and lazy")]
#[test_case("![x](https://example.org/a.png)", "<p><img src=\"https://example.org/a.png\" alt=\"x\" loading=\"lazy\" decoding=\"async\"></p>\n" ; "external image lazy")]
// Issue 17: a line break inside a Chinese paragraph became a space in the middle of a sentence.
#[test_case("公民在法律面前\n一律平等。\n", "<p>公民在法律面前一律平等。</p>\n" ; "soft break between han joins")]
#[test_case("国家尊重和保障人权，\n公民享有权利。\n", "<p>国家尊重和保障人权，公民享有权利。</p>\n" ; "after full width punctuation joins")]
#[test_case("依照《宪法》\n“第三十三条”\n", "<p>依照《宪法》“第三十三条”</p>\n" ; "quotes join")]
#[test_case("适用于 Civil\nCode 的条款\n", "<p>适用于 Civil\nCode 的条款</p>\n" ; "latin words keep the break")]
#[test_case("民法典\nCivil Code\n", "<p>民法典\nCivil Code</p>\n" ; "mixed keeps the break")]
#[test_case("公民**权利**\n和义务\n", "<p>公民<strong>权利</strong>和义务</p>\n" ; "across emphasis joins")]
#[test_case("公民[权利](https://example.org)\n和义务\n", "<p>公民<a href=\"https://example.org\">权利</a>\n和义务</p>\n" ; "after a link the break stays")]
#[test_case("第一行  \n第二行\n", "<p>第一行<br />\n第二行</p>\n" ; "hard break stays")]
fn html(body: &str, expected: &str) {
    let r = md(body);
    assert_eq!(r.html, expected);
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
}

#[test]
fn footnotes_render_reference_and_definition() {
    let r = md("依法治国[^1]。\n\n[^1]: 见宪法第五条。\n");
    assert!(r.html.contains("<sup class=\"footnote-reference\"><a href=\"#1\">1</a></sup>"), "{}", r.html);
    assert!(r.html.contains("<div class=\"footnote-definition\" id=\"1\">"), "{}", r.html);
}

fn h(level: u8, id: &str, children: Vec<Heading>) -> Heading {
    Heading { level, id: id.into(), title: id.into(), children }
}

#[test]
fn toc_nests_h2_to_h4() {
    let r = md("# 题\n\n## 甲\n\n### 乙\n\n#### 丙\n\n### 丁\n\n## 戊\n\n#### 己\n\n##### 庚\n");
    assert_eq!(
        r.toc,
        vec![
            h(2, "甲", vec![h(3, "乙", vec![h(4, "丙", vec![])]), h(3, "丁", vec![])]),
            h(2, "戊", vec![h(4, "己", vec![])])
        ]
    );
}

#[test_case("https://www.bilibili.com/video/BV1GJ411x7h7", Provider::Bilibili ; "bilibili bare url")]
#[test_case("<https://v.qq.com/x/page/c0345gxyz.html>", Provider::Tencent ; "tencent autolink")]
#[test_case("[看视频](https://v.youku.com/v_show/id_XNTE4.html)", Provider::Youku ; "youku link")]
#[test_case("https://youtu.be/dQw4w9WgXcQ", Provider::YouTube ; "youtube")]
#[test_case("[宣传片](/media/a.mp4)", Provider::File ; "mp4 file")]
fn a_video_link_alone_on_a_line_becomes_a_player(line: &str, provider: Provider) {
    let r = md(&format!("前言。\n\n{line}\n\n后记。\n"));
    assert_eq!(r.videos.len(), 1, "{}", r.html);
    assert_eq!(r.videos[0].provider, provider);
    let player = pufa::content::video::player_html(&r.videos[0], None, Lang::Zh);
    assert_eq!(r.html, format!("<p>前言。</p>\n{player}\n<p>后记。</p>\n"));
    assert!(r.diagnostics.is_empty());
}

#[test]
fn link_text_becomes_the_video_title() {
    let r = md("[反诈骗宣传片](https://www.bilibili.com/video/BV1GJ411x7h7)\n");
    assert_eq!(r.videos[0].title.as_deref(), Some("反诈骗宣传片"));
    assert!(r.html.contains("aria-label=\"播放视频：反诈骗宣传片\""), "{}", r.html);
    assert!(r.text.contains("反诈骗宣传片"));
}

#[test]
fn an_image_inside_a_video_link_is_its_poster() {
    let r = md("[![反诈宣传片](img/logo.png)](https://www.bilibili.com/video/BV1GJ411x7h7)\n");
    let v = &r.videos[0];
    assert_eq!((v.title.as_deref(), v.poster.as_deref()), (Some("反诈宣传片"), Some("/columns/宪法/img/logo.png")));
    assert!(r.html.contains("<img src=\"/columns/%E5%AE%AA%E6%B3%95/img/logo.png\" alt=\"\" loading=\"lazy\">"));
}

#[test]
fn a_video_link_inside_a_sentence_stays_a_link() {
    let r = md("请看[视频](https://www.bilibili.com/video/BV1GJ411x7h7)。\n");
    assert!(r.videos.is_empty());
    assert_eq!(r.html, "<p>请看<a href=\"https://www.bilibili.com/video/BV1GJ411x7h7\">视频</a>。</p>\n");
}

#[test]
fn an_unknown_host_alone_on_a_line_is_a_plain_link_and_a_warning() {
    let r = md("前言。\n\nhttps://video.example.org/v/1\n");
    assert_eq!(
        r.html,
        "<p>前言。</p>\n<p><a href=\"https://video.example.org/v/1\">https://video.example.org/v/1</a></p>\n"
    );
    let d: Vec<String> = r.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(
        d,
        ["content/columns/宪法/test.md:7:1: warning: unknown video host video.example.org: shown as a plain link \
          (known: Bilibili, Tencent Video, Youku, YouTube, Vimeo, .mp4, .webm)"]
    );
}

/// A lone link that does not look like a video (a law on a government site) is a plain link, without a warning;
/// one to a video site no player knows (Douyin, Xigua, a `/video/` path) gets the warning.
#[test]
fn only_links_that_look_like_videos_are_warned_about() {
    for url in [
        "https://www.gov.cn/zhengce/2020-05/29/content_5516649.htm",
        "http://www.npc.gov.cn/npc/c30834/202012/t20201229.html",
    ] {
        let r = md(&format!("前言。\n\n{url}\n"));
        assert!(r.diagnostics.is_empty(), "{url}: {:?}", r.diagnostics);
        assert!(r.html.contains(&format!("<a href=\"{url}\">")), "{}", r.html);
    }
    for url in [
        "https://www.douyin.com/video/7300000000000000000",
        "https://www.ixigua.com/7300000000",
        "https://news.example.cn/play/123",
        "https://example.cn/a.flv",
    ] {
        let r = md(&format!("前言。\n\n{url}\n"));
        assert_eq!(r.diagnostics.len(), 1, "{url}");
    }
}

#[test_case("[民法典](@/columns/民法典/a.md)", "/columns/%E6%B0%91%E6%B3%95%E5%85%B8/a/" ; "zola style")]
#[test_case("[民法典](@/columns/民法典/a.md#第一条)", "/columns/%E6%B0%91%E6%B3%95%E5%85%B8/a/#%E7%AC%AC%E4%B8%80%E6%9D%A1" ; "zola style with anchor")]
#[test_case("[专栏](@/columns/_index.md)", "/columns/" ; "section")]
#[test_case("[b](../民法典/b.md)", "/columns/%E6%B0%91%E6%B3%95%E5%85%B8/b/" ; "relative up")]
#[test_case("[总纲](总纲.md#x)", "/columns/%E5%AE%AA%E6%B3%95/%E6%80%BB%E7%BA%B2/#x" ; "relative sibling")]
#[test_case("[外](https://flk.npc.gov.cn/a.md)", "https://flk.npc.gov.cn/a.md" ; "external md left alone")]
#[test_case("[本页](#第一条)", "#%E7%AC%AC%E4%B8%80%E6%9D%A1" ; "fragment left alone")]
fn internal_links_resolve(link: &str, href: &str) {
    let r = md(&format!("见{link}。\n"));
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert!(r.html.contains(&format!("href=\"{href}\"")), "{}", r.html);
}

#[test_case("正文。\n\n见[甲](@/columns/没有.md)。", "content/columns/宪法/test.md:7:2: broken internal link `@/columns/没有.md`: no page or section content/columns/没有.md (expected a path like @/columns/a.md)" ; "zola style")]
#[test_case("## 标题\n\n- 一\n- 二 [乙](../../../x.md)", "content/columns/宪法/test.md:8:5: broken internal link `../../../x.md`: no page or section content/../../../x.md (expected a path like @/columns/a.md)" ; "relative above content")]
#[test_case("[草稿](草稿.md)", "content/columns/宪法/test.md:5:1: broken internal link `草稿.md`: no page or section content/columns/宪法/草稿.md (expected a path like @/columns/a.md)" ; "link to a draft")]
fn broken_internal_links_are_errors_at_their_line(body: &str, expected: &str) {
    let r = md(body);
    let d: Vec<String> = r.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(d, [expected]);
    assert!(r.diagnostics[0].is_error());
}

#[test]
fn text_is_plain_for_search() {
    let r = md(
        "## 第一章　总则\n\n第一条　**公民**的[权利](@/columns/民法典/a.md)。\n\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n",
    );
    assert_eq!(r.text, "第一章　总则\n第一条　公民的权利。\n甲 乙 1 2 ");
}

// Issue 17: a law text of articles without chapter headings had no contents.
#[test]
fn top_level_articles_are_listed_with_their_first_words() {
    let body: String =
        ["一", "二", "三"].iter().map(|n| format!("第{n}条　为了保障公民的合法权益，制定本法规定如下。\n\n")).collect();
    let r = md(&format!("{body}> 第四条 引用的不算\n"));
    let got: Vec<(&str, &str)> = r.articles.iter().map(|h| (h.id.as_str(), h.title.as_str())).collect();
    assert_eq!(
        got,
        [
            ("第一条", "第一条　为了保障公民的合法权益，…"),
            ("第二条", "第二条　为了保障公民的合法权益，…"),
            ("第三条", "第三条　为了保障公民的合法权益，…"),
        ]
    );
}
