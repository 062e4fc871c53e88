//! Front matter: every key read, dates in every accepted form, and each kind of bad input with its exact message.

use std::path::Path;

use pufa::content::front_matter::{self, parse_date, split};
use pufa::content::{Audience, PageMeta, SectionMeta, SortBy, VideoRef};
use test_case::test_case;

const PATH: &str = "content/columns/a.md";

fn page(text: &str) -> Result<PageMeta, String> {
    let s = split(Path::new(PATH), text).map_err(|d| d.to_string())?;
    front_matter::page(Path::new(PATH), &s).map_err(|d| d.to_string())
}

#[test]
fn every_page_key_is_read() {
    let m = page(
        "---\ntitle: 国家宪法日\ndate: 2024-12-04\nlastmod: 2024-12-05 10:00\nauthor: 县司法局\n\
         description: 简介\ntags: [宪法]\naudiences: [学校, 网络]\nweight: 3\ndraft: true\nslug: xianfa\n\
         cover: cover.jpg\nvideos:\n  - url: https://v.qq.com/x/page/a1.html\n    title: 片\n  - url: b.mp4\n\
         quiz: q2024\ntemplate: law.html\n---\n正文\n",
    )
    .unwrap();
    assert_eq!(m.title, "国家宪法日");
    assert_eq!(m.date.unwrap().to_rfc3339(), "2024-12-04T00:00:00+08:00");
    assert_eq!(m.updated.unwrap().to_rfc3339(), "2024-12-05T10:00:00+08:00");
    assert_eq!(m.author.as_deref(), Some("县司法局"));
    assert_eq!((m.summary, m.description.as_deref()), (None, Some("简介")));
    assert_eq!(m.tags, ["宪法"]);
    assert_eq!(m.audiences, [Audience::Schools, Audience::Internet]);
    assert_eq!((m.weight, m.draft, m.slug.as_deref()), (Some(3), true, Some("xianfa")));
    assert_eq!(m.cover.as_deref(), Some("cover.jpg"));
    assert_eq!(
        m.videos,
        [
            VideoRef { url: "https://v.qq.com/x/page/a1.html".into(), title: Some("片".into()) },
            VideoRef { url: "b.mp4".into(), title: None }
        ]
    );
    assert_eq!((m.quiz.as_deref(), m.template.as_deref()), (Some("q2024"), Some("law.html")));
}

/// Hugo's keys (any letter case, as Hugo reads them) and a theme's own keys, which templates see as `page.extra`.
#[test]
fn hugo_keys_and_theme_parameters_are_read() {
    let m = page(
        "---\nTitle: 民法典\nDate: 2024-05-01T09:00:00+08:00\ncategories: [普法]\ntags: 民法\n\
         keywords: [民法典, 合同]\naliases: [/old/minfadian/]\npublishDate: 2024-05-02\nexpirydate: 2030-01-01\n\
         authors: [甲, 乙]\ncover:\n  image: a.jpg\n  alt: 封面\nShowToc: true\nmenu: main\n\
         params:\n  hero: b.jpg\n---\n",
    )
    .unwrap();
    assert_eq!((m.title.as_str(), m.date.unwrap().to_rfc3339().as_str()), ("民法典", "2024-05-01T09:00:00+08:00"));
    assert_eq!(
        (m.categories, m.tags, m.keywords),
        (vec!["普法".to_string()], vec!["民法".to_string()], vec!["民法典".to_string(), "合同".into()])
    );
    assert_eq!(m.aliases, ["/old/minfadian/"]);
    assert_eq!(m.publish_date.unwrap().to_rfc3339(), "2024-05-02T00:00:00+08:00");
    assert_eq!(m.expiry_date.unwrap().to_rfc3339(), "2030-01-01T00:00:00+08:00");
    assert_eq!((m.author.as_deref(), m.cover.as_deref(), m.menu), (Some("甲、乙"), Some("a.jpg"), true));
    assert_eq!(serde_json::Value::Object(m.extra), serde_json::json!({"ShowToc": true, "hero": "b.jpg"}));
}

/// Zola's TOML front matter: dates as TOML dates, `[taxonomies]` and `[extra]`.
#[test]
fn zola_toml_front_matter_is_read() {
    let m = page(
        "+++\ntitle = \"宪法宣传周\"\ndate = 2024-12-04\nupdated = 2024-12-05T10:00:00+08:00\n\
         description = \"简介\"\nweight = 2\n[taxonomies]\ntags = [\"宪法\"]\ncategories = [\"活动\"]\n\
         [extra]\nlead = \"导语\"\n+++\n正文\n",
    )
    .unwrap();
    assert_eq!(m.title, "宪法宣传周");
    assert_eq!(m.date.unwrap().to_rfc3339(), "2024-12-04T00:00:00+08:00");
    assert_eq!(m.updated.unwrap().to_rfc3339(), "2024-12-05T10:00:00+08:00");
    assert_eq!((m.tags, m.categories, m.weight), (vec!["宪法".to_string()], vec!["活动".to_string()], Some(2)));
    assert_eq!(serde_json::Value::Object(m.extra), serde_json::json!({"lead": "导语"}));
    let s = split(
        Path::new(PATH),
        "+++\ntitle = \"宪法\"\nsort_by = \"update_date\"\ninsert_anchor_links = \"right\"\n+++\n",
    )
    .unwrap();
    let m: SectionMeta = front_matter::section(Path::new(PATH), &s).unwrap();
    assert_eq!((m.title.as_str(), m.sort_by), ("宪法", SortBy::Date));
    assert_eq!(serde_json::Value::Object(m.extra), serde_json::json!({"insert_anchor_links": "right"}));
}

#[test]
fn section_keys_are_read() {
    let s = split(Path::new(PATH), "---\ntitle: 宪法\nsort_by: weight\npaginate_by: 10\nweight: 2\n---\n").unwrap();
    let m: SectionMeta = front_matter::section(Path::new(PATH), &s).unwrap();
    assert_eq!((m.title.as_str(), m.sort_by, m.paginate_by, m.weight), ("宪法", SortBy::Weight, Some(10), Some(2)));
}

#[test]
fn body_starts_after_the_closing_line() {
    let s = split(Path::new(PATH), "\u{feff}---\r\ntitle: a\r\n---\r\n正文\n").unwrap();
    assert_eq!((s.matter, s.body, s.body_line), ("title: a\r\n", "正文\n", 4));
}

#[test_case("正文\n", "content/columns/a.md:1:1: front matter: expected `---` on the first line, then YAML with at least `title:`, then `---` (or TOML between `+++` lines)" ; "no front matter")]
#[test_case("+++\ntitle = \"a\"\ndate = 12\n+++\n", "content/columns/a.md:3:8: expected a date like 2024-12-04, found 12" ; "toml date")]
#[test_case("+++\ntitle = \"a\"\ntags = [\n+++\n", "content/columns/a.md:3:9: unclosed array, expected `]`" ; "toml syntax")]
#[test_case("+++\ntitle = \"a\"\n", "content/columns/a.md:1:1: front matter: the `+++` on line 1 is never closed: expected a line `+++` after it" ; "toml unclosed")]
#[test_case("---\ntitle: a\n正文\n", "content/columns/a.md:1:1: front matter: the `---` on line 1 is never closed: expected a line `---` after it" ; "unclosed")]
#[test_case("---\ntitle: a\ndate: 12月4日\n---\n", "content/columns/a.md:3:7: date: expected a date like 2024-12-04, found \"12月4日\"" ; "chinese date")]
#[test_case("---\ntitle: a\ndate: 2024-13-01\n---\n", "content/columns/a.md:3:7: date: expected a date like 2024-12-04, found \"2024-13-01\"" ; "month 13")]
#[test_case("---\ntitle: a\nupdated: 20241204\n---\n", "content/columns/a.md:3:10: updated: expected a date like 2024-12-04, found 20241204" ; "number date")]
#[test_case("---\ntitle: a\ntitel: b\n---\n", "content/columns/a.md:3:1: unknown key `titel`: did you mean `title`?" ; "misspelt key")]
#[test_case("---\ntitel: a\ndate: 2024-12-04\n---\n", "content/columns/a.md:2:1: unknown key `titel`: did you mean `title`?" ; "misspelt title is not a missing title")]
#[test_case("+++\ntitle = \"a\"\n\nsumary = \"b\"\n+++\n", "content/columns/a.md:4:1: unknown key `sumary`: did you mean `summary`?" ; "misspelt toml key")]
#[test_case("---\nauthor: 县司法局\n---\n", "content/columns/a.md:2:1: missing field `title`" ; "missing title")]
#[test_case("---\n---\n", "content/columns/a.md:2:1: missing field `title`" ; "empty front matter")]
#[test_case("---\ntitle: a\naudiences: [农村]\n---\n", "content/columns/a.md:3:13: audiences[0]: unknown variant `农村`, expected one of `机关`, `乡村`, `社区`, `学校`, `企业`, `单位`, `网络`" ; "unknown audience")]
#[test_case("---\ntitle: a\nweight: 重要\n---\n", "content/columns/a.md:3:9: weight: invalid type: string \"重要\", expected i64" ; "weight not a number")]
#[test_case("---\ntitle: a\nvideos:\n  - url: x.mp4\n    titel: b\n---\n", "content/columns/a.md:5:5: videos[0]: unknown field `titel`, expected `url` or `title`" ; "unknown video key")]
#[test_case("---\ntitle: a: b\n---\n", "content/columns/a.md:2:9: mapping values are not allowed in this context" ; "yaml syntax")]
fn bad_front_matter(text: &str, expected: &str) {
    assert_eq!(page(text).unwrap_err(), expected);
}

#[test_case("2024-12-04", "2024-12-04T00:00:00+08:00" ; "date alone is beijing midnight")]
#[test_case("2024-12-04 09:30", "2024-12-04T09:30:00+08:00" ; "date and minutes")]
#[test_case("2024-12-04 09:30:15", "2024-12-04T09:30:15+08:00" ; "date and seconds")]
#[test_case("2024-12-04T09:30:00", "2024-12-04T09:30:00+08:00" ; "iso without offset")]
#[test_case("2024-12-04T09:30:00Z", "2024-12-04T09:30:00+00:00" ; "rfc3339 utc")]
#[test_case("2024-12-04T09:30:00-05:00", "2024-12-04T09:30:00-05:00" ; "rfc3339 offset kept")]
fn dates(input: &str, expected: &str) {
    assert_eq!(parse_date(input).map(|d| d.to_rfc3339()).as_deref(), Some(expected));
}

#[test_case("12月4日" ; "chinese")]
#[test_case("2024/12/04" ; "slashes")]
#[test_case("2024-02-30" ; "no such day")]
#[test_case("" ; "empty")]
fn not_dates(input: &str) {
    assert_eq!(parse_date(input), None);
}

/// Odd and hostile front matter (control and combining characters, CRLF, tabs, quoted and non-string keys,
/// TOML tables and arrays, half-written lines) is an error or a page, never a panic, and errors name a line.
#[test]
fn hostile_front_matter_never_panics() {
    let pieces = [
        "title: 甲\r\n",
        "Title: 乙\n",
        "\"titel\": x\n",
        "'tags': 宪法\n",
        "\ttitle: t\n",
        "? complex\n: key\n",
        "1: 2\n",
        "date: 2024-02-30\n",
        "cover: {image: }\n",
        "aliases: [\"//x\", \"../\"]\n",
        "é\u{301}: x\n",
        "menu: {main: {weight: 1}}\n",
        "params: [1, 2]\n",
        "extra: null\n",
        "title: \u{202e}evil\n",
        "titlé: x\n",
        "title = \"t\"\n",
        "[extra]\n",
        "tags = [\"a\",\n",
        "date = 1979-05-27T07:32:00Z\n",
        "[[x]]\n",
        "=\n",
        ":\n",
    ];
    let path = Path::new(PATH);
    for (i, a) in pieces.iter().enumerate() {
        for b in pieces.iter().skip(i).take(6) {
            for fence in ["---", "+++"] {
                let text = format!("{fence}\n{a}{b}{fence}\n正文\n");
                let Ok(s) = split(path, &text) else { continue };
                if let Err(d) = front_matter::page(path, &s) {
                    let all = front_matter::every_error(path, &s, d, false);
                    assert!(all.iter().all(|d| d.line <= 4), "{text:?}: {all:?}");
                }
                let _ = front_matter::section(path, &s);
            }
        }
    }
}
