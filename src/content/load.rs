//! Walks `content/` into a `Library`: sections from `_index.md`, pages, assets, URLs, drafts and ordering,
//! with every file's problem collected (and walk errors reported, never skipped).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use super::front_matter;
use super::model::{Library, Page, PageMeta, Section, SectionMeta, SortBy, Target};
use super::slug::slugify;
use super::text;
use crate::diag::{Diagnostic, Diagnostics};

/// What to load.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Keep pages and sections marked `draft: true` (for previews).
    pub drafts: bool,
}

/// The path diagnostics show for a file under `content/`.
pub fn shown(rel: &str) -> PathBuf {
    Path::new("content").join(rel)
}

/// One markdown file read and parsed.
enum Parsed {
    Section { dir: String, meta: SectionMeta, body: String, body_line: usize },
    Page { rel: String, meta: PageMeta, body: String, body_line: usize, facts: text::Facts },
}

/// Loads every section and page under `content_dir`; see [`LoadOptions`].
pub fn load_with(content_dir: &Path, opts: &LoadOptions) -> (Library, Diagnostics) {
    let mut diags = Diagnostics::default();
    let (markdown, assets) = walk(content_dir, &mut diags);

    let parsed: Vec<Result<Parsed, Diagnostic>> = markdown.par_iter().map(|rel| read(content_dir, rel)).collect();
    let mut sections_by_dir: BTreeMap<String, (SectionMeta, String, usize)> = BTreeMap::new();
    let mut pages = Vec::new();
    for (rel, p) in markdown.iter().zip(parsed) {
        match p {
            Ok(Parsed::Section { dir, meta, body, body_line }) => {
                sections_by_dir.insert(dir, (meta, body, body_line));
            }
            Ok(Parsed::Page { rel, meta, body, body_line, facts }) => pages.push((rel, meta, body, body_line, facts)),
            Err(d) => {
                // A broken `_index.md` still makes its folder a section, so its pages do not move elsewhere
                // and cause follow-up errors; the build fails on `d` anyway.
                if let Some(dir) = index_dir(rel) {
                    let title = dir.rsplit('/').next().unwrap_or_default().to_string();
                    sections_by_dir.insert(dir, (SectionMeta { title, ..Default::default() }, String::new(), 1));
                }
                diags.push(d);
            }
        }
    }
    let root_exists = sections_by_dir.contains_key("");
    sections_by_dir.entry(String::new()).or_insert_with(|| (SectionMeta::default(), String::new(), 1));

    // Drafted sections hide their whole folder, sub-folders included.
    let hidden: Vec<String> = if opts.drafts {
        Vec::new()
    } else {
        sections_by_dir.iter().filter(|(d, (m, ..))| m.draft && !d.is_empty()).map(|(d, _)| d.clone()).collect()
    };
    let is_hidden = |rel: &str| {
        hidden.iter().any(|h| rel.strip_prefix(h.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')))
    };
    sections_by_dir.retain(|d, _| d.is_empty() || !is_hidden(d));

    let mut lib = Library::default();
    let mut urls = Urls::default();
    let mut index_of: HashMap<String, usize> = HashMap::new();
    for (dir, (meta, body, body_line)) in sections_by_dir {
        let i = lib.sections.len();
        let source = if dir.is_empty() { "_index.md".to_string() } else { format!("{dir}/_index.md") };
        urls.slug_overrides.insert(dir.clone(), meta.slug.clone());
        index_of.insert(dir.clone(), i);
        lib.sections.push(Section {
            source,
            meta,
            url: String::new(),
            body,
            body_line,
            parent: None,
            subsections: Vec::new(),
            pages: Vec::new(),
        });
    }
    let mut seen: HashMap<String, String> = HashMap::new();
    let dirs: Vec<String> = index_of.keys().cloned().collect();
    for dir in dirs {
        let i = index_of[&dir];
        lib.sections[i].url = urls.of_dir(&dir);
        if !dir.is_empty() {
            let parent = nearest_section(parent_dir(&dir), &index_of);
            lib.sections[i].parent = Some(parent);
        }
    }
    for i in 0..lib.sections.len() {
        if let Some(p) = lib.sections[i].parent {
            lib.sections[p].subsections.push(i);
        }
        let s = &lib.sections[i];
        if i != 0 || root_exists {
            lib.by_source.insert(s.source.clone(), Target::Section(i));
        }
        claim(&mut seen, &s.url, &s.source, &mut diags);
    }

    for (rel, meta, body, body_line, facts) in pages {
        if (meta.draft && !opts.drafts) || is_hidden(&rel) {
            continue;
        }
        let dir = parent_dir(&rel);
        let stem = rel.rsplit('/').next().unwrap_or(&rel).trim_end_matches(".md");
        let slug = slugify(meta.slug.as_deref().unwrap_or(stem));
        if slug.is_empty() {
            diags.push(Diagnostic::error(
                shown(&rel),
                0,
                0,
                "slug: the URL segment would be empty: set `slug:` to letters or digits",
            ));
            continue;
        }
        let url = format!("{}{slug}/", urls.of_dir(dir));
        if !claim(&mut seen, &url, &rel, &mut diags) {
            continue;
        }
        let section = nearest_section(dir, &index_of);
        let i = lib.pages.len();
        lib.sections[section].pages.push(i);
        lib.by_source.insert(rel.clone(), Target::Page(i));
        lib.pages.push(Page {
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

    for rel in assets {
        if !is_hidden(&rel) {
            let name = rel.rsplit('/').next().unwrap_or(&rel);
            let url = format!("{}{name}", urls.of_dir(parent_dir(&rel)));
            lib.assets.insert(rel, url);
        }
    }

    order(&mut lib);
    diags.sort();
    (lib, diags)
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

/// Lists markdown files and other files (assets) under `root`, relative with `/`, in name order.
fn walk(root: &Path, diags: &mut Diagnostics) -> (Vec<String>, Vec<String>) {
    let (mut markdown, mut assets) = (Vec::new(), Vec::new());
    let visible = |e: &walkdir::DirEntry| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.');
    for entry in WalkDir::new(root).sort_by_file_name().into_iter().filter_entry(visible) {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let rel = e.path().and_then(|p| p.strip_prefix(root).ok()).map(rel_str).unwrap_or_default();
                diags.push(Diagnostic::error(shown(&rel), 0, 0, format!("cannot read: {e}")));
                continue;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = rel_str(entry.path().strip_prefix(root).unwrap_or(entry.path()));
        if rel.ends_with(".md") {
            markdown.push(rel);
        } else {
            assets.push(rel);
        }
    }
    (markdown, assets)
}

fn rel_str(p: &Path) -> String {
    p.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn read(root: &Path, rel: &str) -> Result<Parsed, Diagnostic> {
    let path = shown(rel);
    let bytes =
        std::fs::read(root.join(rel)).map_err(|e| Diagnostic::error(&path, 0, 0, format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Diagnostic::error(&path, 0, 0, "expected UTF-8 text: save the file as UTF-8"))?;
    let split = front_matter::split(&path, &text)?;
    let (body, body_line) = (split.body.to_string(), split.body_line);
    if let Some(dir) = index_dir(rel) {
        let meta: SectionMeta = front_matter::parse(&path, split.yaml)?;
        Ok(Parsed::Section { dir, meta, body, body_line })
    } else {
        let meta: PageMeta = front_matter::parse(&path, split.yaml)?;
        let facts = text::facts(&body, meta.summary.as_deref());
        Ok(Parsed::Page { rel: rel.to_string(), meta, body, body_line, facts })
    }
}

/// The folder of an `_index.md` (`""` for the root), or `None` for a page.
fn index_dir(rel: &str) -> Option<String> {
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
    let Library { sections, pages, .. } = lib;
    let snapshot: Vec<(Option<i64>, String)> = sections.iter().map(|s| (s.meta.weight, s.meta.title.clone())).collect();
    for s in sections.iter_mut() {
        s.subsections.sort_by(|&a, &b| {
            let (wa, ta) = &snapshot[a];
            let (wb, tb) = &snapshot[b];
            weight_key(*wa).cmp(&weight_key(*wb)).then_with(|| ta.cmp(tb))
        });
        let by = s.meta.sort_by;
        s.pages.sort_by(|&a, &b| {
            let (a, b) = (&pages[a].meta, &pages[b].meta);
            let weight = || weight_key(a.weight).cmp(&weight_key(b.weight));
            let newest = || b.date.cmp(&a.date);
            let title = || a.title.cmp(&b.title);
            match by {
                SortBy::Date => weight().then_with(newest).then_with(title),
                SortBy::Weight => weight().then_with(title),
                SortBy::Title => title().then_with(weight),
            }
        });
    }
}

/// Lower weights first, no weight after every weight.
fn weight_key(w: Option<i64>) -> (bool, i64) {
    (w.is_none(), w.unwrap_or(0))
}
