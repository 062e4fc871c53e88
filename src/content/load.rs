//! Walks `content/` into a `Library`: sections from `_index.md`, pages, assets, URLs, drafts and ordering,
//! with every file's problem collected (and walk errors reported, never skipped).

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{Library, Page, PageMeta, Section, SectionMeta, SortBy, Target};
use super::slug::slugify;
use super::text;
use super::{collate, front_matter};
use super::{local, shown};
use crate::diag::{Diagnostic, Diagnostics};

/// What to load.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Keep pages and sections marked `draft: true` (for previews).
    pub drafts: bool,
    /// Keep pages whose `publishDate` is still to come.
    pub future: bool,
    /// The time `publishDate` and `expiryDate` are compared with; None: the clock's.
    pub now: Option<DateTime<FixedOffset>>,
}

/// One markdown file read and parsed: what an incremental build keeps of a file between builds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum Parsed {
    Section {
        dir: String,
        /// Boxed like the page: front matter with its extra keys is large beside the rest.
        #[serde(with = "super::kept_meta")]
        meta: Box<SectionMeta>,
        body: String,
        body_line: usize,
    },
    Page(Box<RawPage>),
}

/// A page read and parsed, before it gets its URL and section.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RawPage {
    pub rel: String,
    #[serde(with = "super::kept_meta")]
    pub meta: Box<PageMeta>,
    /// The markdown body; not kept in build caches (empty then), and read again when the page is rendered.
    #[serde(skip, default = "no_body")]
    pub body: Arc<str>,
    pub body_line: usize,
    pub facts: text::Facts,
    /// Problems that do not stop the page (unknown video hosts in front matter).
    pub warnings: Vec<Diagnostic>,
}

fn no_body() -> Arc<str> {
    Arc::from("")
}

/// A section's `_index.md` read and parsed: its front matter, body and the line the body starts on.
type RawSection = (SectionMeta, String, usize);

/// Loads every section and page under `content_dir`; see [`LoadOptions`].
/// It reads the folder as an incremental build does, once (`source::Source`), so tests run the build's path.
pub fn load_with(content_dir: &Path, opts: &LoadOptions) -> (Library, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut files = super::Source::default();
    files.refresh(content_dir, None, &mut diags);
    let (mut lib, mut assembled) = files.assemble(opts);
    diags.extend(assembled.0.drain(..));
    // The records keep no bodies (a build reads each as it renders the page); this library is whole.
    lib.pages.par_iter_mut().for_each(|p| p.body = super::source::body(content_dir, &p.source).unwrap_or_default());
    (lib, diags)
}

/// Puts parsed files together into a library: sections, URLs, drafts left out, pages ordered. `markdown` holds
/// every markdown file (relative path, parsed or why not) in walk order, `assets` every other file.
pub(crate) fn assemble(
    markdown: Vec<(String, Result<Parsed, Vec<Diagnostic>>)>,
    assets: Vec<String>,
    opts: &LoadOptions,
    mut diags: Diagnostics,
) -> (Library, Diagnostics) {
    let mut sections: BTreeMap<String, RawSection> = BTreeMap::new();
    // Sized once: a page is large, and growing these vectors page by page copied them whole again and again
    // (a third of putting 14,000 pages together).
    let mut pages = Vec::with_capacity(markdown.len());
    let mut menus: Vec<String> = Vec::new();
    for (rel, p) in markdown {
        match p {
            Ok(Parsed::Section { dir, meta, body, body_line }) => {
                if meta.menu {
                    menus.push(rel);
                }
                sections.insert(dir, (*meta, body, body_line));
            }
            Ok(Parsed::Page(page)) => {
                if page.meta.menu {
                    menus.push(rel);
                }
                pages.push(*page)
            }
            Err(d) => {
                // A broken `_index.md` still makes its folder a section, so its pages do not move elsewhere
                // and cause follow-up errors; the build fails on `d` anyway.
                if let Some(dir) = index_dir(&rel) {
                    let title = dir.rsplit('/').next().unwrap_or_default().to_string();
                    sections.insert(dir, (SectionMeta { title, ..Default::default() }, String::new(), 1));
                }
                diags.extend(d);
            }
        }
    }
    let root_exists = sections.contains_key("");
    sections.entry(String::new()).or_insert_with(|| (SectionMeta::default(), String::new(), 1));
    // Hugo makes every top-level folder of pages a section, `_index.md` or not (but not a leaf bundle, a folder
    // with an `index.md`): its list page is what the site's menu links to.
    let bundles: Vec<&str> = pages.iter().filter_map(|p| p.rel.strip_suffix("/index.md")).collect();
    let tops: Vec<String> = pages
        .iter()
        .filter_map(|p| p.rel.split_once('/').map(|(top, _)| top))
        .filter(|top| !bundles.contains(top) && !sections.contains_key(*top))
        .map(str::to_string)
        .collect();
    for top in tops {
        let meta = SectionMeta { title: top.clone(), ..Default::default() };
        sections.entry(top).or_insert_with(|| (meta, String::new(), 1));
    }

    // Drafted sections hide their whole folder, sub-folders included.
    let hidden: Vec<String> = if opts.drafts {
        Vec::new()
    } else {
        sections.iter().filter(|(d, (m, ..))| m.draft && !d.is_empty()).map(|(d, _)| d.clone()).collect()
    };
    let is_hidden = |rel: &str| {
        hidden.iter().any(|h| rel.strip_prefix(h.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')))
    };
    sections.retain(|d, _| d.is_empty() || !is_hidden(d));

    if let Some(first) = menus.first() {
        let msg = format!(
            "`menu` in front matter is ignored ({} file(s)): the menu comes from `menus:` in site.yaml",
            menus.len()
        );
        diags.push(Diagnostic::warning(shown(first), 0, 0, msg));
    }
    let now = opts.now.unwrap_or_else(|| chrono::Utc::now().with_timezone(&front_matter::china()));
    let mut b = Builder { diags, ..Default::default() };
    b.lib.pages.reserve(pages.len());
    b.lib.by_source.reserve(pages.len() + sections.len());
    b.seen.reserve(pages.len() + sections.len());
    b.add_sections(sections, root_exists);
    for page in pages {
        if (opts.drafts || !page.meta.draft) && page.meta.is_live(now, opts.future) && !is_hidden(&page.rel) {
            b.add_page(page);
        }
    }
    b.claim_aliases();
    for rel in assets {
        if !is_hidden(&rel) {
            let name = rel.rsplit('/').next().unwrap_or(&rel);
            let url = format!("{}{name}", b.urls.of_dir(parent_dir(&rel)));
            b.lib.assets.insert(rel, url);
        }
    }

    let Builder { mut lib, mut diags, .. } = b;
    local::resolve_front_matter_files(&mut lib, &mut diags);
    order(&mut lib);
    diags.sort();
    (lib, diags)
}

/// The library as it is put together, with what is needed to give out URLs once.
#[derive(Default)]
struct Builder {
    lib: Library,
    diags: Diagnostics,
    urls: Urls,
    /// Folder (relative to `content/`, `""` for the root) to its section index.
    index_of: HashMap<String, usize>,
    /// URL to the source that has it, to report duplicates.
    seen: HashMap<String, String>,
}

impl Builder {
    /// Adds the sections in folder order (so the root is section 0), with their URLs, parents and children.
    fn add_sections(&mut self, sections: BTreeMap<String, RawSection>, root_exists: bool) {
        for (dir, (meta, body, body_line)) in sections {
            let i = self.lib.sections.len();
            let source = if dir.is_empty() { "_index.md".to_string() } else { format!("{dir}/_index.md") };
            self.urls.slug_overrides.insert(dir.clone(), meta.slug.clone());
            self.index_of.insert(dir, i);
            let (url, parent, subsections, pages) = (String::new(), None, Vec::new(), Vec::new());
            self.lib.sections.push(Section { source, meta, url, body, body_line, parent, subsections, pages });
        }
        for (dir, &i) in &self.index_of {
            self.lib.sections[i].url = self.urls.of_dir(dir);
            if !dir.is_empty() {
                self.lib.sections[i].parent = Some(nearest_section(parent_dir(dir), &self.index_of));
            }
        }
        for i in 0..self.lib.sections.len() {
            if let Some(p) = self.lib.sections[i].parent {
                self.lib.sections[p].subsections.push(i);
            }
            let s = &self.lib.sections[i];
            // A synthesised root has no file to link to.
            if i != 0 || root_exists {
                self.lib.by_source.insert(s.source.clone(), Target::Section(i));
            }
            claim(&mut self.seen, &s.url, &s.source, &mut self.diags);
        }
    }

    /// Gives a page its URL and section; a page whose URL is taken is reported and left out.
    fn add_page(&mut self, raw: RawPage) {
        let RawPage { rel, meta, body, body_line, facts, warnings, .. } = raw;
        self.diags.extend(warnings);
        let dir = parent_dir(&rel);
        let stem = rel.rsplit('/').next().unwrap_or(&rel).trim_end_matches(".md");
        // Hugo's page bundles (`a/index.md` next to its images) are the page of their folder: `/a/`.
        let bundle = stem == "index" && meta.slug.is_none() && !dir.is_empty();
        let (slug, url) = if bundle {
            let url = self.urls.of_dir(dir);
            (url.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_string(), url)
        } else {
            let slug = slugify(meta.slug.as_deref().unwrap_or(stem));
            let url = format!("{}{slug}/", self.urls.of_dir(dir));
            (slug, url)
        };
        if slug.is_empty() {
            let msg = "slug: the URL segment would be empty: set `slug:` to letters or digits";
            self.diags.push(Diagnostic::error(shown(&rel), 0, 0, msg));
            return;
        }
        if !claim(&mut self.seen, &url, &rel, &mut self.diags) {
            return;
        }
        let section = nearest_section(dir, &self.index_of);
        let i = self.lib.pages.len();
        self.lib.sections[section].pages.push(i);
        self.lib.by_source.insert(rel.clone(), Target::Page(i));
        self.lib.pages.push(Page {
            source: rel,
            section,
            summary: facts.summary,
            word_count: facts.counts.total(),
            reading_minutes: facts.counts.reading_minutes(),
            meta,
            slug,
            url,
            body,
            body_line,
        });
    }
}

impl Builder {
    /// Turns each page's `aliases` into site paths and claims them: an alias that is taken, or not a path of the
    /// site, is reported and dropped.
    fn claim_aliases(&mut self) {
        for i in 0..self.lib.pages.len() {
            let page = &mut self.lib.pages[i];
            let mut kept = Vec::new();
            for alias in std::mem::take(&mut page.meta.aliases) {
                match super::slug::alias_url(&page.url, &alias) {
                    Ok(url) if claim(&mut self.seen, &url, &page.source, &mut self.diags) => kept.push(url),
                    Ok(_) => {}
                    Err(msg) => self.diags.push(Diagnostic::error(shown(&page.source), 0, 0, msg)),
                }
            }
            page.meta.aliases = kept;
        }
    }
}

/// Records that `url` belongs to `source`; a second claimant is an error naming both files.
fn claim(seen: &mut HashMap<String, String>, url: &str, source: &str, diags: &mut Diagnostics) -> bool {
    if let Some(first) = seen.get(url) {
        let msg = format!("duplicate URL {url}: {} has it too (set a different `slug:`)", shown(first).display());
        diags.push(Diagnostic::error(shown(source), 0, 0, msg));
        return false;
    }
    seen.insert(url.to_string(), source.to_string());
    true
}

/// A markdown file parsed, or every error of its front matter.
pub(crate) fn parse(rel: &str, bytes: Vec<u8>) -> Result<Parsed, Vec<Diagnostic>> {
    let path = shown(rel);
    // simdutf8 checks long texts several times faster than the standard library (every page is checked twice
    // in a build: here, and again when it is rendered).
    let text = simdutf8::basic::from_utf8(&bytes)
        .map_err(|_| vec![Diagnostic::error(&path, 0, 0, "expected UTF-8 text: save the file as UTF-8")])?;
    let split = front_matter::split(&path, text).map_err(|d| vec![d])?;
    let (body, body_line) = (split.body, split.body_line);
    let all = |d, section| front_matter::every_error(&path, &split, d, section);
    if let Some(dir) = index_dir(rel) {
        let meta = front_matter::section(&path, &split).map_err(|d| all(d, true))?;
        Ok(Parsed::Section { dir, meta: Box::new(meta), body: body.to_string(), body_line })
    } else {
        let meta = front_matter::page(&path, &split).map_err(|d| all(d, false))?;
        let facts = text::facts(body, meta.summary.as_deref().or(meta.description.as_deref()));
        let warnings = local::check_videos(&path, text, &meta);
        let body = Arc::from(body);
        Ok(Parsed::Page(Box::new(RawPage {
            rel: rel.to_string(),
            meta: Box::new(meta),
            body,
            body_line,
            facts,
            warnings,
        })))
    }
}

/// The body of the page file `rel` (its text after the front matter), without parsing the front matter's fields;
/// None when it is not UTF-8 or has no readable front matter (then the full parse reports why).
pub(crate) fn body(rel: &str, bytes: Vec<u8>) -> Option<Arc<str>> {
    let text = simdutf8::basic::from_utf8(&bytes).ok()?;
    let split = front_matter::split(&shown(rel), text).ok()?;
    Some(Arc::from(split.body))
}

/// The folder of an `_index.md` (`""` for the root), or `None` for a page.
pub(crate) fn index_dir(rel: &str) -> Option<String> {
    if rel == "_index.md" {
        Some(String::new())
    } else {
        rel.strip_suffix("/_index.md").map(str::to_string)
    }
}

fn parent_dir(rel: &str) -> &str {
    rel.rfind('/').map_or("", |i| &rel[..i])
}

/// The section of the nearest folder at or above `dir` that has an `_index.md` (the root always has one).
fn nearest_section(mut dir: &str, index_of: &HashMap<String, usize>) -> usize {
    loop {
        if let Some(&i) = index_of.get(dir) {
            return i;
        }
        if dir.is_empty() {
            return 0;
        }
        dir = parent_dir(dir);
    }
}

/// URLs of folders: each folder adds its slug (a section's `slug:` or its slugified name).
#[derive(Default)]
struct Urls {
    slug_overrides: HashMap<String, Option<String>>,
    cache: HashMap<String, String>,
}

impl Urls {
    fn of_dir(&mut self, dir: &str) -> String {
        if dir.is_empty() {
            return "/".to_string();
        }
        if let Some(u) = self.cache.get(dir) {
            return u.clone();
        }
        let name = dir.rsplit('/').next().unwrap_or(dir);
        let own = self.slug_overrides.get(dir).cloned().flatten();
        let seg = slugify(own.as_deref().unwrap_or(name));
        let parent = self.of_dir(parent_dir(dir));
        let url = if seg.is_empty() { parent } else { format!("{parent}{seg}/") };
        self.cache.insert(dir.to_string(), url.clone());
        url
    }
}

/// Orders pages per their section's `sort_by` and subsections by weight then title.
fn order(lib: &mut Library) {
    let snapshot: Vec<(Option<i64>, String)> =
        lib.sections.iter().map(|s| (s.meta.weight, s.meta.title.clone())).collect();
    for s in lib.sections.iter_mut() {
        s.subsections.sort_by(|&a, &b| {
            let (wa, ta) = &snapshot[a];
            let (wb, tb) = &snapshot[b];
            weight_key(*wa).cmp(&weight_key(*wb)).then_with(|| collate::cmp(ta, tb))
        });
    }
    for i in 0..lib.sections.len() {
        order_pages(lib, i);
    }
}

/// Orders the pages of section `i` per its `sort_by`.
fn order_pages(lib: &mut Library, i: usize) {
    let Library { sections, pages, .. } = lib;
    let s = &mut sections[i];
    let by = s.meta.sort_by;
    if by == SortBy::Title {
        // Pinyin keys are worth computing once per page for a whole section ordered by them.
        let key = |p: &usize| {
            let m = &pages[*p].meta;
            (collate::key(&m.title), m.title.clone(), weight_key(m.weight))
        };
        return s.pages.sort_by_cached_key(key);
    }
    // One key for the sort (taken once a page) and its runs: comparing dates with their offsets through the
    // library was most of a sort's time.
    let key = |p: usize| {
        let m = &pages[p].meta;
        let date = m.date.filter(|_| by == SortBy::Date).map(|d| (d.timestamp(), d.timestamp_subsec_nanos()));
        (weight_key(m.weight), Reverse(date))
    };
    s.pages.sort_by_cached_key(|&p| key(p));
    // Pages alike in that order go by title, with their pinyin keys made once for each run of them (many pages
    // of a large site share a date).
    for run in s.pages.chunk_by_mut(|&a, &b| key(a) == key(b)) {
        if run.len() > 1 {
            run.sort_by_cached_key(|&p| (collate::key(&pages[p].meta.title), pages[p].meta.title.clone()));
        }
    }
}

/// Puts the page `raw` in place of page `i` of a library assembled before, as [`assemble`] would have, when the
/// edit leaves the library's shape alone: the same file, slug and draft flag (so the same URL and section).
/// Its section's pages are ordered again. Returns false, changing nothing, when the edit needs a new assembly.
/// `diags` are the diagnostics of that assembly; this page's are replaced.
pub(crate) fn replace_page(lib: &mut Library, diags: &mut Diagnostics, i: usize, mut raw: RawPage) -> bool {
    let old = &lib.pages[i];
    if old.source != raw.rel || old.meta.slug != raw.meta.slug || old.meta.draft != raw.meta.draft {
        return false;
    }
    // Whether the page is built at all, and the addresses it claims, are the assembly's to decide.
    let window = |m: &PageMeta| (m.publish_date, m.expiry_date);
    let aliases: Result<Vec<String>, String> =
        raw.meta.aliases.iter().map(|a| super::slug::alias_url(&old.url, a)).collect();
    if window(&old.meta) != window(&raw.meta) || aliases.as_ref() != Ok(&old.meta.aliases) {
        return false;
    }
    raw.meta.aliases = old.meta.aliases.clone();
    let path = shown(&raw.rel);
    diags.0.retain(|d| d.path != path);
    let RawPage { meta, body, body_line, facts, warnings, .. } = raw;
    diags.extend(warnings);
    let section = old.section;
    let page = &mut lib.pages[i];
    page.meta = meta;
    page.body = body;
    page.body_line = body_line;
    page.summary = facts.summary;
    page.word_count = facts.counts.total();
    page.reading_minutes = facts.counts.reading_minutes();
    local::resolve_page_files(&mut lib.pages[i], &lib.assets, diags);
    order_pages(lib, section);
    diags.sort();
    true
}

/// Lower weights first, no weight after every weight.
fn weight_key(w: Option<i64>) -> (bool, i64) {
    (w.is_none(), w.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lib_of(files: &[(&str, &str)]) -> (Library, Diagnostics) {
        let markdown =
            files.iter().map(|(rel, text)| (rel.to_string(), parse(rel, text.as_bytes().to_vec()))).collect();
        assemble(markdown, Vec::new(), &LoadOptions::default(), Diagnostics::default())
    }

    fn raw(rel: &str, text: &str) -> RawPage {
        match parse(rel, text.as_bytes().to_vec()) {
            Ok(Parsed::Page(p)) => *p,
            other => panic!("{other:?}"),
        }
    }

    /// Date order after weights, then titles in pinyin order: the titles of pages alike in weight and date are
    /// compared through keys made once per run; the order is that of comparing every pair in full.
    #[test]
    fn pages_alike_in_weight_and_date_go_by_title_as_a_full_comparison_orders_them() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let titles = ["宪法", "民法典", "刑法", "GB/T 标准", "2024 年报告", "安全生产法", "宪法修正案", "先", "香"];
        let mut files = vec![("c/_index.md".to_string(), "---\ntitle: 专栏\n---\n".to_string())];
        for n in 0..300 {
            let title = titles[rng.gen_range(0..titles.len())];
            // The last is the first's instant, written at another offset.
            let date = ["", "date: 2024-01-01\n", "date: 2024-01-02\n", "date: 2023-12-31T16:00:00Z\n"];
            let date = date[rng.gen_range(0..4)];
            let weight = ["", "weight: 1\n", "weight: 2\n"][rng.gen_range(0..3)];
            files.push((format!("c/p{n:03}.md"), format!("---\ntitle: {title}\n{date}{weight}---\n正文\n")));
        }
        let files: Vec<(&str, &str)> = files.iter().map(|(r, t)| (r.as_str(), t.as_str())).collect();
        let (lib, _) = lib_of(&files);
        let section = &lib.sections[lib.pages[0].section];
        let mut want: Vec<usize> = section.pages.clone();
        want.sort();
        want.sort_by(|&a, &b| {
            let (a, b) = (&lib.pages[a].meta, &lib.pages[b].meta);
            let weight = weight_key(a.weight).cmp(&weight_key(b.weight));
            weight.then_with(|| b.date.cmp(&a.date)).then_with(|| collate::cmp(&a.title, &b.title))
        });
        assert_eq!(section.pages, want);
    }

    // Issue 5: a page patched into a kept library reads as if the library had been put together anew.
    #[test]
    fn replacing_a_page_equals_assembling_again() {
        let a = ("c/a.md", "---\ntitle: 甲\ndate: 2024-01-01\n---\n甲的正文。\n");
        let b = ("c/b.md", "---\ntitle: 乙\ndate: 2024-01-02\n---\n乙的正文。\n");
        let index = ("c/_index.md", "---\ntitle: 专栏\n---\n");
        let (mut lib, mut diags) = lib_of(&[index, a, b]);
        let newer = "---\ntitle: 甲改\ndate: 2024-01-03\n---\n新的正文，更长一些。\n";
        let i = match lib.by_source["c/a.md"] {
            Target::Page(i) => i,
            t => panic!("{t:?}"),
        };
        assert!(replace_page(&mut lib, &mut diags, i, raw("c/a.md", newer)));
        let (want, want_diags) = lib_of(&[index, ("c/a.md", newer), b]);
        assert_eq!(format!("{:?}", lib.pages), format!("{:?}", want.pages));
        assert_eq!(lib.sections[1].pages, want.sections[1].pages, "the section is ordered again");
        assert_eq!(diags, want_diags);
        let moved = "---\ntitle: 甲\nslug: elsewhere\n---\n甲。\n";
        assert!(!replace_page(&mut lib, &mut diags, i, raw("c/a.md", moved)), "a new slug is a new URL");
        let drafted = "---\ntitle: 甲\ndraft: true\n---\n甲。\n";
        assert!(!replace_page(&mut lib, &mut diags, i, raw("c/a.md", drafted)), "a draft leaves the site");
    }
}
