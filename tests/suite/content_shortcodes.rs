//! Shortcodes of Hugo and Zola sites (issue 14): the built-in ones become players, figures and links, an
//! unknown one is a warning at its line with its inner text kept, and code shows them as written.

use crate::common::site::md;

use pufa::content::video::Provider;

#[test]
fn video_shortcodes_become_players() {
    let cases = [
        ("{{< youtube w7Ft2ymGmfc >}}", Provider::YouTube, "w7Ft2ymGmfc"),
        ("{{< youtube id=\"w7Ft2ymGmfc\" >}}", Provider::YouTube, "w7Ft2ymGmfc"),
        ("{{ youtube(id=\"w7Ft2ymGmfc\") }}", Provider::YouTube, "w7Ft2ymGmfc"),
        ("{{< bilibili BV1GJ411x7h7 >}}", Provider::Bilibili, "BV1GJ411x7h7"),
        ("{{< bilibili 170001 >}}", Provider::Bilibili, "av170001"),
        ("{{ vimeo(id=\"124313553\") }}", Provider::Vimeo, "124313553"),
    ];
    for (body, provider, id) in cases {
        let r = md(&format!("前言\n\n{body}\n\n后文\n"));
        assert_eq!(r.videos.len(), 1, "{body}: {}", r.html);
        assert_eq!((r.videos[0].provider, r.videos[0].id.as_str()), (provider, id), "{body}");
        assert!(r.diagnostics.is_empty(), "{body}: {:?}", r.diagnostics);
        assert!(r.html.contains("<p>后文</p>"), "{}", r.html);
    }
}

#[test]
fn figure_is_an_image_with_its_caption() {
    let r = md("{{< figure src=\"img/logo.png\" alt=\"标志\" caption=\"县普法办 供图\" width=\"640\" >}}\n");
    assert_eq!(
        r.html,
        "<figure><img src=\"/columns/%E5%AE%AA%E6%B3%95/img/logo.png\" width=\"640\" alt=\"标志\" loading=\"lazy\" \
         decoding=\"async\"><figcaption>县普法办 供图</figcaption></figure>\n"
    );
}

#[test]
fn ref_links_to_the_page_by_path_or_name() {
    for body in [
        "[权利]({{< ref \"columns/宪法/权利.md\" >}})",
        "[权利]({{< relref \"/columns/宪法/权利\" >}})",
        "[权利]({{< ref \"权利\" >}})",
    ] {
        let r = md(body);
        assert!(r.html.contains("href=\"/columns/%E5%AE%AA%E6%B3%95/%E6%9D%83%E5%88%A9/\""), "{body}: {}", r.html);
        assert!(r.diagnostics.is_empty(), "{body}: {:?}", r.diagnostics);
    }
    let r = md("\n[无]({{< ref \"没有\" >}})");
    assert_eq!(r.diagnostics.len(), 1, "a broken ref is a broken link");
    assert_eq!(r.diagnostics[0].line, 6);
}

#[test]
fn an_unknown_shortcode_is_a_warning_and_its_text_is_kept() {
    let r = md("第一段\n\n{{< notice warning >}}\n注意防范电信诈骗\n{{< /notice >}}\n");
    assert_eq!(
        r.diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["content/columns/宪法/test.md:7: warning: unknown shortcode `notice`: its inner text is kept; write templates/shortcodes/notice.html to render it"]
    );
    assert!(r.html.contains("<p>注意防范电信诈骗</p>"), "{}", r.html);
    assert!(!r.html.contains("notice"), "{}", r.html);
}

#[test]
fn shortcodes_in_code_and_commented_ones_are_shown_as_written() {
    let r = md("```\n{{< youtube w7Ft2ymGmfc >}}\n```\n\n`{{< figure src=\"a.jpg\" >}}` 与 {{</* youtube abc */>}}\n");
    assert!(r.videos.is_empty());
    assert!(r.html.contains("<code>{{&lt; youtube w7Ft2ymGmfc &gt;}}\n</code>"), "{}", r.html);
    assert!(
        r.html.contains("<code>{{&lt; figure src=\"a.jpg\" &gt;}}</code> 与 {{&lt; youtube abc &gt;}}"),
        "{}",
        r.html
    );
}

/// A shortcode over several lines keeps the lines after it where they were, for their diagnostics.
#[test]
fn lines_after_a_long_shortcode_keep_their_numbers() {
    let r = md("{{< figure\n  src=\"img/logo.png\"\n  caption=\"图\" >}}\n\n[坏链接](@/没有.md)\n");
    assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
    assert_eq!(r.diagnostics[0].line, 9, "{}", r.diagnostics[0]);
}
