//! Everything after the pages: taxonomies, the video gallery, search page and index, feed, sitemap, 404,
//! competition pages, theme static files, content assets and the sizes made of photos.

use std::path::Path;

use rayon::prelude::*;

use super::output::file_for;
use super::output::Output;
use super::render::{GalleryVideo, Renderer};
use super::search::{self, IndexBuilder, PageEntry, PageTable, ShardLists, CHUNK, SHARDS};
use super::taxonomy::Taxonomy;
use super::theme::StaticFile;
use super::{competitions, feed, taxonomy, views, BuildError};
use crate::content::Library;
use crate::diag::Diagnostic;

/// Where the search shards come from: this build's postings alone (every page was rendered), or this build's
/// postings merged into the shards of the previous build (an incremental build rendered some pages).
#[derive(Debug, Clone, Copy)]
pub enum ShardBase<'a> {
    Fresh,
    /// The previous build's output folder, and for each of its page numbers the new number of that page when it
    /// was not rendered again (its postings are unchanged), else None.
    Previous {
        dir: &'a Path,
        remap: &'a [Option<u32>],
    },
}

/// What the later stages produced.
#[derive(Debug, Default)]
pub struct Extra {
    pub diagnostics: Vec<Diagnostic>,
    pub search_bytes: u64,
    pub search_shards: usize,
    /// CPU time of the shards and the page table (the whole process's: nothing else runs meanwhile).
    pub search_cpu: std::time::Duration,
    /// The shard files written, with their fingerprints (of their bytes).
    pub shards: Vec<(String, u64)>,
}

fn page(
    r: &Renderer<'_>,
    template: &str,
    url: &str,
    ctx: &tera::Context,
    out: &Output,
) -> Result<Vec<Diagnostic>, BuildError> {
    if !out.wants(&file_for(url)) {
        return Ok(Vec::new());
    }
    match r.render(template, ctx, &Path::new("templates").join(template)) {
        Ok(html) => {
            out.write_page(url, &html)?;
            Ok(Vec::new())
        }
        Err(d) => Ok(vec![d]),
    }
}

/// Renders and writes every page that is not a content page or section.
pub fn render_all(
    r: &Renderer<'_>,
    taxonomies: &[Taxonomy],
    mut videos: Vec<GalleryVideo>,
    index: IndexBuilder,
    shards: ShardBase<'_>,
    blocks: &[&[u32]],
    out: &Output,
) -> Result<Extra, BuildError> {
    let lib = r.library;
    let mut extra = Extra::default();
    for tax in taxonomies {
        extra.diagnostics.extend(taxonomy::render(r, tax, out)?);
    }

    tracing::debug!("taxonomies rendered");
    videos.sort_by(|a, b| b.sort_key.0.cmp(&a.sort_key.0).then(a.sort_key.1.cmp(&b.sort_key.1)));
    let mut ctx = r.base.clone();
    ctx.insert("videos", &videos);
    extra.diagnostics.extend(page(r, "videos.html", "/videos/", &ctx, out)?);

    extra.diagnostics.extend(page(r, "search.html", "/search/", &r.base, out)?);
    extra.diagnostics.extend(page(r, "404.html", "/404.html", &r.base, out)?);

    let competition_ids = r.quizzes.map(competitions::ids);
    if let Some(set) = r.quizzes {
        extra.diagnostics.extend(competitions::render(r, set, out)?);
    }
    if out.wants("atom.xml") {
        extra.diagnostics.extend(feed::atom(r, out)?);
    }
    if out.wants("sitemap.xml") || out.wants("robots.txt") {
        let sitemap = sitemap_urls(lib, taxonomies, competition_ids.as_deref());
        extra.diagnostics.extend(feed::sitemap(r, &sitemap, out)?);
    }

    tracing::debug!("feed and sitemap written");
    let (_, before_bytes) = out.totals();
    let cpu = super::cpu::process();
    extra.shards = write_search(r, index, shards, blocks, out)?;
    extra.search_cpu = super::cpu::process().saturating_sub(cpu);
    extra.search_shards = extra.shards.len();
    let (_, after_bytes) = out.totals();
    extra.search_bytes = after_bytes - before_bytes;

    write_aliases(r, out)?;
    copy_static(r, out)?;
    for (source, url) in &lib.assets {
        out.copy(&r.source.join("content").join(source), url.trim_start_matches('/'))?;
    }
    for (rel, cached) in &r.pictures.files {
        out.copy(cached, rel)?;
    }
    Ok(extra)
}

/// Every URL of the sitemap (site path, last modification date): sections, pages, taxonomies and their terms,
/// the video gallery, and the competition pages when there is a `quizzes/` folder (`competitions`).
pub fn sitemap_urls(
    lib: &Library,
    taxonomies: &[Taxonomy],
    competitions: Option<&[String]>,
) -> Vec<(String, Option<String>)> {
    let mut sitemap: Vec<(String, Option<String>)> = Vec::new();
    for s in &lib.sections {
        sitemap.push((s.url.clone(), None));
    }
    for p in &lib.pages {
        let lastmod = p.meta.updated.or(p.meta.date).map(|d| d.format("%Y-%m-%d").to_string());
        sitemap.push((p.url.clone(), lastmod));
    }
    for tax in taxonomies {
        sitemap.push((format!("/{}/", tax.key), None));
        sitemap.extend(tax.terms.iter().map(|t| (t.url.clone(), None)));
    }
    sitemap.push(("/videos/".into(), None));
    if let Some(ids) = competitions {
        sitemap.push(("/competitions/".into(), None));
        sitemap.extend(ids.iter().map(|id| (format!("/competitions/{id}/"), None)));
    }
    sitemap
}

/// Writes `search/pages.json`, the page table's chunks and the shard files wanted; returns the shard files
/// written with the fingerprints of their bytes. A shard no page has postings in is no file.
fn write_search(
    r: &Renderer<'_>,
    index: IndexBuilder,
    base: ShardBase<'_>,
    blocks: &[&[u32]],
    out: &Output,
) -> Result<Vec<(String, u64)>, BuildError> {
    write_page_table(r, blocks, out)?;
    let spill_dir = index.spill_dir().map(Path::to_path_buf).unwrap_or_default();
    let spill_err = |source| BuildError::Io { path: spill_dir.clone(), source };
    let write = |rel: String, bytes: &[u8]| -> Result<Option<(String, u64)>, BuildError> {
        out.write(&rel, bytes)?;
        Ok(Some((rel, xxhash_rust::xxh3::xxh3_64(bytes))))
    };
    let written: Vec<Option<(String, u64)>> = match base {
        ShardBase::Fresh => index
            .into_files()
            .map(|shard| {
                let (n, file) = shard.map_err(spill_err)?;
                let rel = search::shard_file(n);
                match file.filter(|_| out.wants(&rel)) {
                    Some(file) => write(rel, &file),
                    None => Ok(None),
                }
            })
            .collect::<Result<_, _>>()?,
        ShardBase::Previous { dir, remap } => index
            .into_lists()
            .map(|shard| {
                let (n, lists) = shard.map_err(spill_err)?;
                let rel = search::shard_file(n);
                if !out.wants(&rel) {
                    return Ok(None);
                }
                let lists = merge(&dir.join(&rel), remap, lists)?;
                match lists.is_empty() {
                    true => Ok(None),
                    false => write(rel, &search::write_shard(&lists)),
                }
            })
            .collect::<Result<_, _>>()?,
    };
    Ok(written.into_iter().flatten().collect())
}

/// The previous build's shard file at `path` with its pages renumbered by `remap` (dropped where None), and
/// the postings of the pages rendered now added.
fn merge(path: &Path, remap: &[Option<u32>], fresh: ShardLists) -> Result<ShardLists, BuildError> {
    let io = |source| BuildError::Io { path: path.to_path_buf(), source };
    let mut lists = match std::fs::read(path) {
        Ok(bytes) => search::read_shard(&bytes).map_err(|e| io(std::io::Error::other(e)))?,
        // A shard that held no postings until now.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Default::default(),
        Err(e) => return Err(io(e)),
    };
    for list in lists.values_mut() {
        list.retain_mut(|(page, _)| match remap.get(*page as usize).copied().flatten() {
            Some(new) => {
                *page = new;
                true
            }
            None => false,
        });
    }
    for (tok, list) in fresh {
        lists.entry(tok).or_default().extend(list);
    }
    lists.retain(|_, list| {
        list.sort_unstable();
        !list.is_empty()
    });
    Ok(lists)
}

/// Writes `search/pages.json` and the chunks of the page table the shards refer to by number (those wanted);
/// `blocks`: the lengths of each page's text blocks, by page number.
fn write_page_table(r: &Renderer<'_>, blocks: &[&[u32]], out: &Output) -> Result<(), BuildError> {
    let lib = r.library;
    if out.wants("search/pages.json") {
        let table =
            PageTable { shards: SHARDS, chunk: CHUNK as u32, pages: lib.pages.len() as u32, version: search::VERSION };
        out.write("search/pages.json", &serde_json::to_vec(&table).expect("page table serialises"))?;
    }
    lib.pages.par_chunks(CHUNK).enumerate().try_for_each(|(n, pages)| {
        let rel = search::chunk_file(n);
        if !out.wants(&rel) {
            return Ok(());
        }
        let rows: Vec<PageEntry> = pages
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let item = views::item(lib, r.lang, p);
                PageEntry {
                    url: item.url,
                    title: item.title,
                    section: item.section_title,
                    date: item.date,
                    key: search::blocks::page_key(&p.source),
                    blocks: blocks.get(n * CHUNK + i).map_or_else(Vec::new, |b| b.to_vec()),
                }
            })
            .collect();
        out.write(&rel, &serde_json::to_vec(&rows).expect("page table serialises"))
    })
}

/// Writes a redirect page at each alias of a page (the old addresses of a moved site), as Hugo and Zola do:
/// a refresh for browsers, a canonical link for search engines, and a link for the rest.
fn write_aliases(r: &Renderer<'_>, out: &Output) -> Result<(), BuildError> {
    for p in &r.library.pages {
        for alias in &p.meta.aliases {
            let rel = file_for(alias);
            if out.wants(&rel) {
                let to = super::theme::escape(&format!("{}{}", r.root, p.url));
                let html = format!(
                    "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title>\
                     <link rel=\"canonical\" href=\"{to}\"><meta name=\"robots\" content=\"noindex\">\
                     <meta http-equiv=\"refresh\" content=\"0; url={to}\"></head>\
                     <body><p>{moved}<a href=\"{to}\">{title}</a></p></body></html>\n",
                    lang = r.lang.tag(),
                    title = super::theme::escape(&p.meta.title),
                    moved = crate::i18n::t(r.lang, "site.moved"),
                );
                out.write(&rel, html.as_bytes())?;
            }
        }
    }
    Ok(())
}

/// Copies the theme's static files (site overrides included) to `/static/`.
fn copy_static(r: &Renderer<'_>, out: &Output) -> Result<(), BuildError> {
    for (name, file) in r.statics {
        let rel = super::theme::static_output(name);
        match file {
            StaticFile::Embedded(bytes) => out.write(&rel, bytes)?,
            StaticFile::Disk(path) => out.copy(path, &rel)?,
        }
    }
    Ok(())
}
