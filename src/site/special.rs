//! Everything after the pages: taxonomies, the video gallery, search page and index, feed, sitemap, 404,
//! competition pages, theme static files and content assets.

use std::path::Path;

use rayon::prelude::*;

use super::output::Output;
use super::render::{GalleryVideo, Renderer};
use super::search::{IndexBuilder, PageEntry, PageTable, SHARDS};
use super::theme::StaticFile;
use super::{competitions, feed, taxonomy, views, BuildError};
use crate::diag::Diagnostic;

/// What the later stages produced.
#[derive(Debug, Default)]
pub struct Extra {
    pub diagnostics: Vec<Diagnostic>,
    pub search_bytes: u64,
    pub search_shards: usize,
}

fn page(
    r: &Renderer<'_>,
    template: &str,
    url: &str,
    ctx: &tera::Context,
    out: &Output,
) -> Result<Vec<Diagnostic>, BuildError> {
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
    mut videos: Vec<GalleryVideo>,
    index: IndexBuilder,
    out: &Output,
) -> Result<Extra, BuildError> {
    let lib = r.library;
    let mut extra = Extra::default();
    let mut sitemap: Vec<(String, Option<String>)> = Vec::new();
    for s in &lib.sections {
        sitemap.push((s.url.clone(), None));
    }
    for p in &lib.pages {
        let lastmod = p.meta.updated.or(p.meta.date).map(|d| d.format("%Y-%m-%d").to_string());
        sitemap.push((p.url.clone(), lastmod));
    }

    for tax in taxonomy::gather(lib) {
        extra.diagnostics.extend(taxonomy::render(r, &tax, out)?);
        sitemap.push((format!("/{}/", tax.key), None));
        sitemap.extend(tax.terms.iter().map(|t| (t.url.clone(), None)));
    }

    tracing::debug!("taxonomies rendered");
    videos.sort_by(|a, b| b.sort_key.0.cmp(&a.sort_key.0).then(a.sort_key.1.cmp(&b.sort_key.1)));
    let mut ctx = r.base.clone();
    ctx.insert("videos", &videos);
    extra.diagnostics.extend(page(r, "videos.html", "/videos/", &ctx, out)?);
    sitemap.push(("/videos/".into(), None));

    extra.diagnostics.extend(page(r, "search.html", "/search/", &r.base, out)?);
    extra.diagnostics.extend(page(r, "404.html", "/404.html", &r.base, out)?);

    if let Some(set) = r.quizzes {
        let (urls, diags) = competitions::render(r, set, out)?;
        extra.diagnostics.extend(diags);
        sitemap.extend(urls.into_iter().map(|u| (u, None)));
    }

    extra.diagnostics.extend(feed::atom(r, out)?);
    extra.diagnostics.extend(feed::sitemap(r, &sitemap, out)?);

    tracing::debug!("feed and sitemap written");
    let (before_files, before_bytes) = out.totals();
    write_search(r, index, out)?;
    let (after_files, after_bytes) = out.totals();
    extra.search_bytes = after_bytes - before_bytes;
    extra.search_shards = (after_files - before_files).saturating_sub(1) as usize;

    copy_static(r, out)?;
    for (source, url) in &lib.assets {
        out.copy(&r.source.join("content").join(source), url.trim_start_matches('/'))?;
    }
    Ok(extra)
}

/// Writes `search/pages.json` and the shard files.
fn write_search(r: &Renderer<'_>, index: IndexBuilder, out: &Output) -> Result<(), BuildError> {
    let lib = r.library;
    let pages = lib
        .pages
        .iter()
        .map(|p| {
            let item = views::item(lib, r.lang, p);
            PageEntry {
                url: item.url,
                title: item.title,
                section: item.section_title,
                date: item.date,
                summary: item.summary,
            }
        })
        .collect();
    let table = PageTable { shards: SHARDS, pages };
    out.write("search/pages.json", &serde_json::to_vec(&table).expect("page table serialises"))?;
    index.into_shards().into_par_iter().enumerate().try_for_each(|(n, shard)| {
        let bytes = serde_json::to_vec(&shard).expect("shard serialises");
        out.write(&format!("search/s/{n:02x}.json"), &bytes)
    })
}

/// Copies the theme's static files (site overrides included) to `/static/`.
fn copy_static(r: &Renderer<'_>, out: &Output) -> Result<(), BuildError> {
    for (name, file) in r.statics {
        let rel = format!("static/{name}");
        match file {
            StaticFile::Embedded(bytes) => out.write(&rel, bytes)?,
            StaticFile::Disk(path) => out.copy(path, &rel)?,
        }
    }
    Ok(())
}
