//! The content model: sections and pages as loaded from `content/`, before rendering.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// The seven audiences of 法律七进 (law into organs, villages, communities, schools, enterprises, units, the internet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Audience {
    #[serde(rename = "机关")]
    Organs,
    #[serde(rename = "乡村")]
    Villages,
    #[serde(rename = "社区")]
    Communities,
    #[serde(rename = "学校")]
    Schools,
    #[serde(rename = "企业")]
    Enterprises,
    #[serde(rename = "单位")]
    Units,
    #[serde(rename = "网络")]
    Internet,
}

impl Audience {
    pub const ALL: [Audience; 7] = [
        Audience::Organs,
        Audience::Villages,
        Audience::Communities,
        Audience::Schools,
        Audience::Enterprises,
        Audience::Units,
        Audience::Internet,
    ];

    /// The Chinese name, which is also the taxonomy term and its URL slug.
    pub fn name(self) -> &'static str {
        match self {
            Audience::Organs => "机关",
            Audience::Villages => "乡村",
            Audience::Communities => "社区",
            Audience::Schools => "学校",
            Audience::Enterprises => "企业",
            Audience::Units => "单位",
            Audience::Internet => "网络",
        }
    }
}

/// A video named in front matter (`videos: [{url, title}]`), shown in the page and in the video gallery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VideoRef {
    /// Link to the video: Bilibili, Tencent Video, Youku, YouTube, or a direct .mp4/.webm file.
    pub url: String,
    /// Caption shown under the player and in the gallery.
    #[serde(default)]
    pub title: Option<String>,
}

/// A page's front matter (YAML between `---` lines or TOML between `+++` lines), with Hugo's and Zola's keys.
/// Keys not named here are kept in `extra` (see `keys`); a misspelt one is an error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageMeta {
    /// The page title (required).
    pub title: String,
    /// Publication date: `2024-12-04`, `2024-12-04 09:30`, `2024-12-04T09:30:00` (all UTC+8) or RFC 3339.
    #[serde(default, deserialize_with = "super::front_matter::opt_date")]
    pub date: Option<DateTime<FixedOffset>>,
    /// Last update, same forms as `date` (Hugo's `lastmod` is accepted too).
    #[serde(default, alias = "lastmod", deserialize_with = "super::front_matter::opt_date")]
    pub updated: Option<DateTime<FixedOffset>>,
    /// Author or issuing office, e.g. 县司法局; a list (Zola's `authors`) is shown joined with 、.
    #[serde(default, alias = "authors", deserialize_with = "super::front_matter::opt_names")]
    pub author: Option<String>,
    /// Short summary for lists and feeds; default: `description`, else the opening text.
    #[serde(default)]
    pub summary: Option<String>,
    /// The page's description for search engines and share cards; default: the summary.
    #[serde(default)]
    pub description: Option<String>,
    /// Free tags, each with its own term page.
    #[serde(default, deserialize_with = "super::front_matter::list")]
    pub tags: Vec<String>,
    /// Categories (Hugo's and Zola's second taxonomy), each with its own term page.
    #[serde(default, deserialize_with = "super::front_matter::list")]
    pub categories: Vec<String>,
    /// Words for the page's `<meta name="keywords">`.
    #[serde(default, deserialize_with = "super::front_matter::list")]
    pub keywords: Vec<String>,
    /// Which of the 法律七进 audiences the page is for.
    #[serde(default)]
    pub audiences: Vec<Audience>,
    /// Ordering weight within the section: lower comes first, before date ordering.
    #[serde(default)]
    pub weight: Option<i64>,
    /// A draft is skipped by `pufa build` (shown by `pufa serve --drafts`).
    #[serde(default)]
    pub draft: bool,
    /// The page is built from this time on (`pufa build --future` builds it before).
    #[serde(default, rename = "publishDate", deserialize_with = "super::front_matter::opt_date")]
    pub publish_date: Option<DateTime<FixedOffset>>,
    /// The page is no longer built from this time on.
    #[serde(default, rename = "expiryDate", deserialize_with = "super::front_matter::opt_date")]
    pub expiry_date: Option<DateTime<FixedOffset>>,
    /// The last URL segment; default: the file name, kept readable in Chinese.
    #[serde(default)]
    pub slug: Option<String>,
    /// Other site paths that lead to this page (old addresses of a moved site): each gets a redirect page.
    #[serde(default, deserialize_with = "super::front_matter::list")]
    pub aliases: Vec<String>,
    /// Cover image path or URL, used in lists and as the video poster; a path relative to the page is
    /// rewritten by `load` to the URL of the copied file. Themes' `cover: {image: …}` is read too.
    #[serde(default, deserialize_with = "super::front_matter::opt_cover")]
    pub cover: Option<String>,
    /// Videos shown with the page and gathered in the video gallery (relative file paths rewritten like `cover`).
    #[serde(default)]
    pub videos: Vec<VideoRef>,
    /// The id of a competition (quizzes/competitions/*.yaml) this page promotes.
    #[serde(default)]
    pub quiz: Option<String>,
    /// Template to render with instead of `page.html`.
    #[serde(default)]
    pub template: Option<String>,
    /// Zola's `[taxonomies]`: its `tags` and `categories` join the page's own.
    #[serde(default, skip_serializing)]
    pub taxonomies: BTreeMap<String, Vec<String>>,
    /// Every other key, with `params:` (Hugo) and `[extra]` (Zola) spread in: `page.extra` in templates.
    #[serde(skip)]
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Whether it sets Hugo's `menu` (ignored, with one note per build: the menu is site.yaml's `menus`).
    #[serde(skip)]
    pub menu: bool,
}

impl PageMeta {
    /// Moves Zola's `taxonomies.tags` and `.categories` into `tags` and `categories`.
    pub fn settle(&mut self) {
        for (key, into) in [("tags", &mut self.tags), ("categories", &mut self.categories)] {
            if let Some(terms) = self.taxonomies.remove(key) {
                into.extend(terms);
            }
        }
    }

    /// Whether the page is out at `now`: published (or `future`) and not expired.
    pub fn is_live(&self, now: DateTime<FixedOffset>, future: bool) -> bool {
        (future || self.publish_date.is_none_or(|p| p <= now)) && self.expiry_date.is_none_or(|e| e > now)
    }
}

/// How a section orders its pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Weight first (pages without weight last), then newest first.
    /// Zola's `update_date` and `none` read as the default order.
    #[default]
    #[serde(alias = "update_date", alias = "none")]
    Date,
    Weight,
    /// Zola's `title_bytes` and `slug` read as title order.
    #[serde(alias = "title_bytes", alias = "slug")]
    Title,
}

/// A section's front matter, from its `_index.md`; other keys are kept in `extra`, as for pages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SectionMeta {
    /// The column's name, e.g. 宪法学习 (required).
    pub title: String,
    /// One-line description for the home page and feeds.
    #[serde(default, alias = "description")]
    pub summary: Option<String>,
    /// Ordering weight among sibling sections.
    #[serde(default)]
    pub weight: Option<i64>,
    /// How pages are ordered.
    #[serde(default)]
    pub sort_by: SortBy,
    /// Pages per list page; default from site.yaml (20).
    #[serde(default)]
    pub paginate_by: Option<usize>,
    /// A draft section and all its pages are skipped.
    #[serde(default)]
    pub draft: bool,
    /// Cover image for the home page card.
    #[serde(default, deserialize_with = "super::front_matter::opt_cover")]
    pub cover: Option<String>,
    /// Template to render with instead of `section.html`.
    #[serde(default)]
    pub template: Option<String>,
    /// The last URL segment; default: the folder name.
    #[serde(default)]
    pub slug: Option<String>,
    /// Every other key, with `params:` and `[extra]` spread in: `section.extra` in templates.
    #[serde(skip)]
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Whether it sets Hugo's `menu` (ignored).
    #[serde(skip)]
    pub menu: bool,
}

/// One markdown page.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path relative to `content/`, with `/` separators, e.g. `columns/宪法/a.md`.
    pub source: String,
    /// Index into `Library::sections` of the section it belongs to.
    pub section: usize,
    /// Boxed: the library is put together by moving pages, and the front matter is most of a page's size.
    pub meta: Box<PageMeta>,
    /// Final slug (front matter `slug` or file stem, slugified).
    pub slug: String,
    /// Site-relative URL path, starting and ending with `/`, e.g. `/columns/宪法/a/`.
    pub url: String,
    /// The markdown body after the front matter: whole in [`super::load_with`]'s library, empty in a site
    /// build's (each page's is read from its file as the page renders).
    pub body: std::sync::Arc<str>,
    /// 1-based line in the file where `body` starts, to point body diagnostics at file lines.
    pub body_line: usize,
    /// Characters of text (CJK characters + Latin words), for reading time.
    pub word_count: usize,
    /// Minutes to read at 300 CJK characters (or 200 words) a minute, at least 1.
    pub reading_minutes: usize,
    /// Summary text: front matter `summary`, else the text before `<!-- more -->`, else the first ~120 characters.
    pub summary: String,
}

/// A folder with `_index.md`: a column (专栏). The root `content/_index.md` is section 0 (the home page).
#[derive(Debug, Clone)]
pub struct Section {
    /// Path of its `_index.md` relative to `content/`, e.g. `columns/宪法/_index.md`.
    pub source: String,
    pub meta: SectionMeta,
    /// Site-relative URL path, e.g. `/columns/宪法/`; the root section is `/`.
    pub url: String,
    pub body: String,
    pub body_line: usize,
    /// Parent section index (None for the root).
    pub parent: Option<usize>,
    /// Direct child sections, ordered by weight then title.
    pub subsections: Vec<usize>,
    /// Direct pages, ordered per `meta.sort_by`.
    pub pages: Vec<usize>,
}

/// Where an internal link (`@/columns/a.md` or a relative `.md` link) leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Page(usize),
    Section(usize),
}

/// Everything under `content/`, loaded and ordered, drafts removed.
#[derive(Debug, Clone, Default)]
pub struct Library {
    pub sections: Vec<Section>,
    pub pages: Vec<Page>,
    /// Source path relative to `content/` (e.g. `columns/a.md`) to what it became, for link checking.
    pub by_source: HashMap<String, Target>,
    /// Non-markdown files found under `content/` (images, PDFs), copied as they are: source path → URL path.
    pub assets: BTreeMap<String, String>,
}

impl Library {
    /// Page numbers newest first, undated pages last, equal dates in page order (feeds, term lists).
    pub fn newest_first(&self) -> Vec<usize> {
        // Sorted on keys taken once: comparing the pages' dates (with their offsets) through the library was most
        // of the sort's time on a large site.
        let key = |p: &Page| std::cmp::Reverse(p.meta.date.map(|d| (d.timestamp(), d.timestamp_subsec_nanos())));
        let mut keyed: Vec<_> = self.pages.iter().enumerate().map(|(i, p)| (key(p), i)).collect();
        keyed.sort_unstable();
        keyed.into_iter().map(|(_, i)| i).collect()
    }

    /// The URL of a link target.
    pub fn url_of(&self, t: Target) -> &str {
        match t {
            Target::Page(i) => &self.pages[i].url,
            Target::Section(i) => &self.sections[i].url,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(n: usize, date: Option<&str>) -> Page {
        let date = date.map(|d| DateTime::parse_from_rfc3339(d).unwrap());
        let meta = Box::new(PageMeta { title: format!("第{n}篇"), date, ..Default::default() });
        let (source, url, slug) = (format!("{n}.md"), format!("/{n}/"), n.to_string());
        Page {
            source,
            section: 0,
            meta,
            slug,
            url,
            body: "".into(),
            body_line: 1,
            word_count: 0,
            reading_minutes: 1,
            summary: String::new(),
        }
    }

    #[test]
    fn newest_first_compares_instants_whatever_their_offset_and_keeps_page_order_on_ties() {
        let pages = vec![
            page(0, None),
            page(1, Some("2024-03-01T08:00:00+08:00")),
            page(2, Some("2024-03-01T00:00:00+00:00")), // the same instant as page 1
            page(3, Some("2024-03-01T07:00:00+00:00")), // later than both, though its clock reads earlier
            page(4, Some("2023-12-31T23:59:59.5-01:00")),
            page(5, None),
        ];
        let lib = Library { pages, ..Default::default() };
        assert_eq!(lib.newest_first(), [3, 1, 2, 4, 0, 5]);
    }
}
