//! Video links: each provider's URL forms, what is not a video, and the exact lazy player markup.

use pufa::content::video::{parse, player_html, Provider};
use pufa::i18n::Lang;
use test_case::test_case;

#[test_case("https://www.bilibili.com/video/BV1GJ411x7h7", Provider::Bilibili, "BV1GJ411x7h7", "https://player.bilibili.com/player.html?bvid=BV1GJ411x7h7&autoplay=0" ; "bilibili bv")]
#[test_case("https://www.bilibili.com/video/BV1GJ411x7h7/?p=3&spm_id_from=333", Provider::Bilibili, "BV1GJ411x7h7", "https://player.bilibili.com/player.html?bvid=BV1GJ411x7h7&autoplay=0&p=3" ; "bilibili part")]
#[test_case("https://m.bilibili.com/video/av170001", Provider::Bilibili, "av170001", "https://player.bilibili.com/player.html?aid=170001&autoplay=0" ; "bilibili av on mobile")]
#[test_case("https://v.qq.com/x/cover/mzc00200abc/x0046abcd.html", Provider::Tencent, "x0046abcd", "https://v.qq.com/txp/iframe/player.html?vid=x0046abcd" ; "tencent cover")]
#[test_case("https://v.qq.com/x/page/c0345gxyz.html", Provider::Tencent, "c0345gxyz", "https://v.qq.com/txp/iframe/player.html?vid=c0345gxyz" ; "tencent page")]
#[test_case("https://v.youku.com/v_show/id_XNTE4NjQ2NDI0OA==.html?spm=a2h0c", Provider::Youku, "XNTE4NjQ2NDI0OA==", "https://player.youku.com/embed/XNTE4NjQ2NDI0OA==" ; "youku")]
#[test_case("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=10", Provider::YouTube, "dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" ; "youtube watch")]
#[test_case("https://youtu.be/dQw4w9WgXcQ", Provider::YouTube, "dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" ; "youtube short link")]
#[test_case("https://www.youtube.com/shorts/abcDEF12345", Provider::YouTube, "abcDEF12345", "https://www.youtube-nocookie.com/embed/abcDEF12345" ; "youtube shorts")]
#[test_case("https://example.org/media/宣传片.MP4?x=1", Provider::File, "https://example.org/media/宣传片.MP4?x=1", "https://example.org/media/宣传片.MP4?x=1" ; "mp4 with query")]
#[test_case("/videos/a.webm", Provider::File, "/videos/a.webm", "/videos/a.webm" ; "site webm")]
fn recognised(url: &str, provider: Provider, id: &str, embed: &str) {
    let v = parse(url).unwrap_or_else(|| panic!("{url} not recognised"));
    assert_eq!((v.provider, v.id.as_str(), v.embed_url.as_str(), v.url.as_str()), (provider, id, embed, url));
}

#[test_case("https://example.org/watch?v=dQw4w9WgXcQ" ; "other host")]
#[test_case("https://www.bilibili.com/" ; "bilibili home")]
#[test_case("https://www.bilibili.com/video/x1" ; "bilibili bad id")]
#[test_case("https://v.qq.com/x/cover/mzc00200abc.html" ; "tencent cover without video")]
#[test_case("https://b23.tv/xyz" ; "short link cannot be resolved offline")]
#[test_case("https://www.youtube.com/watch?list=abc" ; "youtube without v")]
#[test_case("ftp://example.org/a.mp4" ; "not http")]
#[test_case("宪法日.md" ; "markdown file")]
fn not_videos(url: &str) {
    assert_eq!(parse(url), None);
}

#[test]
fn player_markup_is_exact_and_escaped() {
    let mut v = parse("https://www.bilibili.com/video/BV1GJ411x7h7?p=2").unwrap();
    v.title = Some("<反诈> & \"防骗\"".into());
    assert_eq!(
        player_html(&v, Some("/img/a b.jpg"), Lang::Zh),
        "<figure class=\"video video-bilibili\"><div class=\"video-frame\"><button type=\"button\" class=\"video-play\" \
         data-embed=\"https://player.bilibili.com/player.html?bvid=BV1GJ411x7h7&amp;autoplay=0&amp;p=2\" \
         data-kind=\"iframe\" aria-label=\"播放视频：&lt;反诈&gt; &amp; &quot;防骗&quot;\">\
         <img src=\"/img/a%20b.jpg\" alt=\"\" loading=\"lazy\"><span class=\"video-play-icon\" aria-hidden=\"true\">▶</span>\
         <span class=\"video-play-label\">播放视频</span></button></div><figcaption>\
         <a href=\"https://www.bilibili.com/video/BV1GJ411x7h7?p=2\" rel=\"noopener\">&lt;反诈&gt; &amp; &quot;防骗&quot;</a>\
         </figcaption></figure>"
    );
}

#[test]
fn the_video_own_poster_wins_over_the_page_cover() {
    let mut v = parse("https://youtu.be/dQw4w9WgXcQ").unwrap();
    assert!(player_html(&v, Some("/cover.jpg"), Lang::Zh).contains("<img src=\"/cover.jpg\""));
    v.poster = Some("/own.jpg".into());
    let html = player_html(&v, Some("/cover.jpg"), Lang::Zh);
    assert!(html.contains("<img src=\"/own.jpg\"") && !html.contains("cover.jpg"), "{html}");
}

// Issue 17: an untitled video got a bare label and a black box.
#[test]
fn untitled_videos_are_named_by_their_file_or_platform_on_a_drawn_cover() {
    let v = parse("/media/%E5%8F%8D%E8%AF%88%E5%AE%A3%E4%BC%A0%E7%89%87.mp4").unwrap();
    let html = player_html(&v, None, Lang::Zh);
    assert!(html.contains("<span class=\"video-placeholder-title\">反诈宣传片</span>"), "{html}");
    assert!(html.contains(">反诈宣传片</a></figcaption>"), "{html}");
    let b = parse("https://www.bilibili.com/video/BV1GJ411x7h7").unwrap();
    let html = player_html(&b, None, Lang::Zh);
    assert!(html.contains("video-placeholder-title"), "{html}");
    let hashed = parse("/v/3f2a9c01.mp4").unwrap();
    assert!(!player_html(&hashed, None, Lang::Zh).contains(">3f2a9c01<"), "a hash is no name");
}

#[test]
fn untitled_file_player_names_the_provider_in_the_reader_language() {
    let v = parse("/v/1.mp4").unwrap();
    assert_eq!(
        player_html(&v, None, Lang::En),
        "<figure class=\"video video-file\"><div class=\"video-frame\"><button type=\"button\" class=\"video-play\" \
         data-embed=\"/v/1.mp4\" data-kind=\"file\" aria-label=\"Play video: Video file\">\
         <span class=\"video-placeholder\" aria-hidden=\"true\"><span class=\"video-placeholder-title\">Video file</span></span>\
         <span class=\"video-play-icon\" aria-hidden=\"true\">▶</span><span class=\"video-play-label\">Play video</span>\
         </button></div><figcaption><a href=\"/v/1.mp4\" rel=\"noopener\">Video file</a></figcaption></figure>"
    );
}
