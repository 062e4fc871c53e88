//! The Atom feed (`/atom.xml`: the latest 20 dated pages), `sitemap.xml` and `robots.txt`. Escaping is done by
//! tera's autoescape of `.xml` templates; non-ASCII URLs are percent-encoded as the sitemap protocol asks.

use std::path::Path;

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::Serialize;

use super::output::Output;
use super::render::Renderer;
use super::BuildError;
use crate::diag::Diagnostic;

/// Characters encoded in absolute URLs besides non-ASCII ones (which are always encoded).
const URL_ESCAPES: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'<').add(b'>').add(b'`').add(b'{').add(b'}');

/// An absolute, percent-encoded URL for a site path.
pub fn absolute(r: &Renderer<'_>, path: &str) -> String {
    utf8_percent_encode(&r.config.permalink(path), URL_ESCAPES).to_string()
}

/// How many pages the feed carries.
pub const FEED_LEN: usize = 20;

#[derive(Serialize)]
struct Entry<'a> {
    title: &'a str,
    link: String,
    updated: String,
    published: Option<String>,
    author: &'a str,
    summary: &'a str,
}

/// The pages the feed carries: the latest [`FEED_LEN`] dated ones, newest first.
pub fn latest(lib: &crate::content::Library) -> Vec<usize> {
    let newest = lib.newest_first().into_iter();
    newest.take_while(|&i| lib.pages[i].meta.date.is_some()).take(FEED_LEN).collect()
}

/// Writes `/atom.xml`.
pub fn atom(r: &Renderer<'_>, out: &Output) -> Result<Option<Diagnostic>, BuildError> {
    let lib = r.library;
    let entries: Vec<Entry<'_>> = latest(lib)
        .iter()
        .map(|&i| {
            let p = &lib.pages[i];
            let published = p.meta.date.map(|d| d.to_rfc3339());
            Entry {
                title: &p.meta.title,
                link: absolute(r, &p.url),
                updated: p.meta.updated.map(|d| d.to_rfc3339()).or(published.clone()).unwrap_or_default(),
                published,
                author: p.meta.author.as_deref().unwrap_or(&r.config.title),
                summary: &p.summary,
            }
        })
        .collect();
    let updated = entries.iter().map(|e| e.updated.clone()).max().unwrap_or_else(|| "1970-01-01T00:00:00+00:00".into());
    let mut ctx = r.base.clone();
    ctx.insert("entries", &entries);
    ctx.insert("updated", &updated);
    ctx.insert("feed_url", &absolute(r, "/atom.xml"));
    ctx.insert("site_url", &absolute(r, "/"));
    write(r, out, "atom.xml", &ctx)
}

#[derive(Serialize)]
struct SitemapUrl {
    loc: String,
    lastmod: Option<String>,
}

/// Writes `sitemap.xml` listing `urls` (site path, last modification date) and `robots.txt` pointing at it.
pub fn sitemap(
    r: &Renderer<'_>,
    urls: &[(String, Option<String>)],
    out: &Output,
) -> Result<Vec<Diagnostic>, BuildError> {
    let list: Vec<SitemapUrl> =
        urls.iter().map(|(u, m)| SitemapUrl { loc: absolute(r, u), lastmod: m.clone() }).collect();
    let mut ctx = r.base.clone();
    ctx.insert("urls", &list);
    ctx.insert("sitemap_url", &absolute(r, "/sitemap.xml"));
    let mut diags = Vec::new();
    diags.extend(write(r, out, "sitemap.xml", &ctx)?);
    diags.extend(write(r, out, "robots.txt", &ctx)?);
    Ok(diags)
}

fn write(r: &Renderer<'_>, out: &Output, name: &str, ctx: &tera::Context) -> Result<Option<Diagnostic>, BuildError> {
    match r.render(name, ctx, &Path::new("templates").join(name)) {
        Ok(text) => {
            out.write(name, text.as_bytes())?;
            Ok(None)
        }
        Err(d) => Ok(Some(d)),
    }
}
