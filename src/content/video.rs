//! Video links: recognise Bilibili, Tencent Video, Youku, YouTube, Vimeo and direct files, and write a lazy player.

use pulldown_cmark_escape::{escape_href, escape_html};
use serde::Serialize;
use url::Url;

use crate::i18n::{self, Lang};

/// The hosts and files a player is written for, as named in diagnostics.
pub const KNOWN: &str = "Bilibili, Tencent Video, Youku, YouTube, Vimeo, .mp4, .webm";

/// Where a video is hosted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Bilibili,
    Tencent,
    Youku,
    YouTube,
    Vimeo,
    /// A direct .mp4 or .webm file, played with `<video>`.
    File,
}

impl Provider {
    /// The lowercase name used in CSS classes (`video-bilibili`) and translation keys.
    pub fn key(self) -> &'static str {
        match self {
            Provider::Bilibili => "bilibili",
            Provider::Tencent => "tencent",
            Provider::Youku => "youku",
            Provider::YouTube => "youtube",
            Provider::Vimeo => "vimeo",
            Provider::File => "file",
        }
    }

    /// The provider's name in `lang`, the caption of an untitled video.
    pub fn name(self, lang: Lang) -> &'static str {
        let key = match self {
            Provider::Bilibili => "video.provider.bilibili",
            Provider::Tencent => "video.provider.tencent",
            Provider::Youku => "video.provider.youku",
            Provider::YouTube => "video.provider.youtube",
            Provider::Vimeo => "video.provider.vimeo",
            Provider::File => "video.provider.file",
        };
        i18n::t(lang, key)
    }
}

/// A recognised video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Video {
    /// Who plays it.
    pub provider: Provider,
    /// The link as written.
    pub url: String,
    /// The provider's video id (BV…, vid, …) or the file URL.
    pub id: String,
    /// The iframe `src` (or the file URL for `File`).
    pub embed_url: String,
    /// Caption: the link text or the front matter `title`; the provider's name is shown when absent.
    pub title: Option<String>,
    /// Poster image URL, from an image inside the link (`[![海报](p.jpg)](https://…)`).
    pub poster: Option<String>,
}

/// Recognises a video link; `None` for anything else. Relative links to `.mp4`/`.webm` files count as files.
pub fn parse(url: &str) -> Option<Video> {
    let url = url.trim();
    let video = |provider, id: &str, embed_url: String| {
        Some(Video { provider, url: url.to_string(), id: id.to_string(), embed_url, title: None, poster: None })
    };
    let u = match Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => u,
        Ok(_) => return None,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            return if is_file(url.split(['?', '#']).next().unwrap_or(url)) {
                video(Provider::File, url, url.to_string())
            } else {
                None
            };
        }
        Err(_) => return None,
    };
    let host = u.host_str()?;
    let host = host.strip_prefix("www.").or_else(|| host.strip_prefix("m.")).unwrap_or(host);
    let segs: Vec<&str> = u.path_segments().map(|s| s.filter(|x| !x.is_empty()).collect()).unwrap_or_default();
    let query = |k: &str| u.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned());
    match (host, segs.as_slice()) {
        ("bilibili.com", ["video", id, ..]) => {
            let page = query("p").filter(|p| p.parse::<u32>().is_ok()).map(|p| format!("&p={p}")).unwrap_or_default();
            let id_part = if id.len() > 2 && id[..2].eq_ignore_ascii_case("bv") && is_id(id) {
                format!("bvid={id}")
            } else if let Some(n) = id.strip_prefix("av").filter(|n| n.parse::<u64>().is_ok()) {
                format!("aid={n}")
            } else {
                return None;
            };
            video(Provider::Bilibili, id, format!("https://player.bilibili.com/player.html?{id_part}&autoplay=0{page}"))
        }
        ("v.qq.com", ["x", "cover", _, file] | ["x", "page", file]) => {
            let vid = file.strip_suffix(".html").filter(|v| is_id(v))?;
            video(Provider::Tencent, vid, format!("https://v.qq.com/txp/iframe/player.html?vid={vid}"))
        }
        ("v.youku.com", ["v_show", file]) => {
            let id = file
                .strip_prefix("id_")?
                .strip_suffix(".html")
                .filter(|v| v.chars().all(|c| c.is_ascii_alphanumeric() || c == '='))?;
            if id.is_empty() {
                return None;
            }
            video(Provider::Youku, id, format!("https://player.youku.com/embed/{id}"))
        }
        ("youtube.com", ["watch"]) => youtube(url, &query("v")?),
        ("youtube.com", ["shorts" | "embed" | "live", id]) | ("youtu.be", [id]) => youtube(url, id),
        ("vimeo.com", [id]) | ("player.vimeo.com", ["video", id]) if id.chars().all(|c| c.is_ascii_digit()) => {
            video(Provider::Vimeo, id, format!("https://player.vimeo.com/video/{id}"))
        }
        _ if is_file(u.path()) => video(Provider::File, url, url.to_string()),
        _ => None,
    }
}

/// Whether a link no player knows still looks like a video, and so deserves a warning when it stands alone on
/// a line: a video file, a page of a video site, or a path that says so (`/video/`, `/play/`, `/watch`). A
/// lone link to a law on www.gov.cn or npc.gov.cn is just a link.
pub fn looks_like_video(url: &str) -> bool {
    const FILES: [&str; 8] = [".mov", ".avi", ".mkv", ".flv", ".m3u8", ".wmv", ".m4v", ".3gp"];
    const SITES: [&str; 16] = [
        "video", "bilibili", "b23.tv", "qq.com", "youku", "youtube", "youtu.be", "vimeo", "iqiyi", "ixigua", "douyin",
        "kuaishou", "mgtv", "acfun", "haokan", "weishi",
    ];
    const PATHS: [&str; 8] = ["video", "videos", "play", "player", "watch", "vod", "live", "v"];
    let Ok(u) = Url::parse(url.trim()) else { return false };
    let path = u.path().to_ascii_lowercase();
    let host = u.host_str().unwrap_or_default().to_ascii_lowercase();
    let qq_video = host == "v.qq.com" || !host.ends_with("qq.com");
    FILES.iter().any(|x| path.ends_with(x))
        || SITES.iter().any(|s| host.contains(s)) && qq_video
        || host.starts_with("tv.")
        || path.split('/').any(|seg| PATHS.contains(&seg))
}

fn youtube(url: &str, id: &str) -> Option<Video> {
    is_id(id).then(|| Video {
        provider: Provider::YouTube,
        url: url.to_string(),
        id: id.to_string(),
        embed_url: format!("https://www.youtube-nocookie.com/embed/{id}"),
        title: None,
        poster: None,
    })
}

/// Video ids are short runs of ASCII letters, digits, `_` and `-`; anything else is not a video page.
fn is_id(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn is_file(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    p.ends_with(".mp4") || p.ends_with(".webm")
}

/// What an untitled video is called: a file by its name (`反诈宣传片.mp4` → 反诈宣传片), a platform's video by
/// the platform (哔哩哔哩视频).
fn untitled_label(video: &Video, lang: Lang) -> String {
    if video.provider == Provider::File {
        let file = video.url.rsplit('/').next().unwrap_or("");
        let file = percent_encoding::percent_decode_str(file).decode_utf8_lossy();
        let stem = file.rsplit_once('.').map_or(file.as_ref(), |(s, _)| s).trim();
        // A name of letters (not a hash or a number) says what the video is.
        if stem.chars().any(char::is_alphabetic) && !stem.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return stem.replace(['_', '-'], " ");
        }
    }
    video.provider.name(lang).to_string()
}

/// The player markup: a poster/placeholder button that becomes the iframe (or `<video>`) on tap, so nothing
/// heavy loads before the reader asks for it. Works with the theme's `player.js`; without JS the caption link
/// still leads to the video. The video's own poster wins over `poster` (a page's cover, say).
pub fn player_html(video: &Video, poster: Option<&str>, lang: Lang) -> String {
    let poster = video.poster.as_deref().or(poster);
    let play = i18n::t(lang, "video.play");
    let untitled = untitled_label(video, lang);
    let caption = video.title.as_deref().filter(|t| !t.trim().is_empty()).unwrap_or(&untitled);
    let label = i18n::fill(i18n::t(lang, "video.play_titled"), &[("title", caption)]);
    let kind = if video.provider == Provider::File { "file" } else { "iframe" };
    let mut h = String::with_capacity(512);
    h.push_str("<figure class=\"video video-");
    h.push_str(video.provider.key());
    h.push_str("\"><div class=\"video-frame\"><button type=\"button\" class=\"video-play\" data-embed=\"");
    attr(&mut h, &video.embed_url, true);
    h.push_str("\" data-kind=\"");
    h.push_str(kind);
    h.push_str("\" aria-label=\"");
    attr(&mut h, &label, false);
    h.push_str("\">");
    match poster {
        Some(p) => {
            h.push_str("<img src=\"");
            attr(&mut h, p, true);
            h.push_str("\" alt=\"\" loading=\"lazy\">");
        }
        // No cover: a drawn one with the title and the platform (the platforms' own covers are on their
        // servers, and no page loads anything from outside the site).
        None => {
            h.push_str(
                "<span class=\"video-placeholder\" aria-hidden=\"true\"><span class=\"video-placeholder-title\">",
            );
            attr(&mut h, caption, false);
            h.push_str("</span>");
            if caption != video.provider.name(lang) {
                h.push_str("<span class=\"video-placeholder-source\">");
                attr(&mut h, video.provider.name(lang), false);
                h.push_str("</span>");
            }
            h.push_str("</span>");
        }
    }
    h.push_str("<span class=\"video-play-icon\" aria-hidden=\"true\">▶</span><span class=\"video-play-label\">");
    attr(&mut h, play, false);
    h.push_str("</span></button></div><figcaption><a href=\"");
    attr(&mut h, &video.url, true);
    h.push_str("\" rel=\"noopener\">");
    attr(&mut h, caption, false);
    h.push_str("</a></figcaption></figure>");
    h
}

/// Appends `s` escaped for an attribute value or text; with `href`, as pulldown-cmark writes link targets
/// (unsafe bytes percent-encoded, `&` and `'` as entities).
pub(crate) fn attr(out: &mut String, s: &str, href: bool) {
    // Writing into a String cannot fail.
    let _ = if href { escape_href(&mut *out, s) } else { escape_html(&mut *out, s) };
}
