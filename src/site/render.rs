//! Rendering pages and sections with the compiled templates: each page is rendered and written inside the
//! parallel loop, and only small per-page results (videos, diagnostics, search postings) are kept.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::config::SiteConfig;
use super::output::Output;
use super::search::{self, IndexBuilder};
use super::theme::error_chain;
use super::views::{self, Item, Link, TermLink};
use super::BuildError;
use crate::content::markdown::{self, Heading, RenderContext, Rendered};
use crate::content::{video, Library};
use crate::diag::Diagnostic;
use crate::i18n::Lang;
use crate::quiz::QuizSet;

/// Everything a render needs, shared read-only by the worker threads.
pub struct Renderer<'a> {
    /// The site folder.
    pub source: &'a Path,
    /// The theme's static files, site overrides included.
    pub statics: &'a std::collections::BTreeMap<String, super::theme::StaticFile>,
    pub config: &'a SiteConfig,
    pub lang: Lang,
    pub tera: &'a tera::Tera,
    pub library: &'a Library,
    pub quizzes: Option<&'a QuizSet>,
    /// The base context (config, t, lang, root), cloned per page.
    pub base: tera::Context,
    /// The link prefix (see [`SiteConfig::root`]).
    pub root: String,
    /// Each page's position in its section's list, for prev/next links.
    pub positions: &'a [Option<usize>],
    /// The sizes made of the site's photos, and their files.
    pub pictures: &'a super::pictures::Made,
    /// Whether pages keep the digests of their search postings: an incremental build compares them with the
    /// last build's to find the shards to write again.
    pub digests: bool,
}

/// Each page's position in its section's ordered page list (None for a page no section lists).
pub fn positions(lib: &Library) -> Vec<Option<usize>> {
    let mut pos = vec![None; lib.pages.len()];
    for s in &lib.sections {
        for (n, &p) in s.pages.iter().enumerate() {
            pos[p] = Some(n);
        }
    }
    pos
}

/// A video for the gallery.
#[derive(Debug, Clone, Serialize)]
pub struct GalleryVideo {
    pub player: String,
    pub title: Option<String>,
    pub page_title: String,
    pub page_url: String,
    /// For ordering the gallery: newest first.
    #[serde(skip)]
    pub sort_key: (Option<chrono::DateTime<chrono::FixedOffset>>, usize),
}

/// What rendering one page leaves behind.
#[derive(Debug, Default)]
pub struct PageOutcome {
    pub videos: Vec<GalleryVideo>,
    pub diagnostics: Vec<Diagnostic>,
    /// Content paths its body looked up (see `markdown::Rendered::lookups`).
    pub lookups: Vec<String>,
    /// Digest of its search postings per shard it has postings in (see [`search::shard_digests`]), when
    /// [`Renderer::digests`] asks for them.
    pub shard_digests: Option<std::sync::Arc<[search::ShardDigest]>>,
    /// Its search text file (`search/t/K/EY.json`, written with the page): the fingerprint and the length of
    /// each block in bytes (see [`search::block_range`]).
    pub text: search::TextFile,
    /// Bytes of that file, for the build's summary.
    pub block_bytes: u64,
    /// CPU time its postings and text blocks took.
    pub search_cpu: std::time::Duration,
}

/// What rendering one section leaves behind.
#[derive(Debug, Default)]
pub struct SectionOutcome {
    pub diagnostics: Vec<Diagnostic>,
    pub lookups: Vec<String>,
}

#[derive(Serialize)]
struct VideoView {
    player: String,
    title: Option<String>,
}

#[derive(Serialize)]
struct PageView<'p> {
    title: &'p str,
    url: &'p str,
    date: String,
    date_iso: String,
    updated: String,
    author: Option<&'p str>,
    summary: &'p str,
    reading: String,
    tags: Vec<TermLink>,
    categories: Vec<TermLink>,
    audiences: Vec<TermLink>,
    /// For `<meta name="description">` and share cards: `description`, else the summary.
    description: &'p str,
    keywords: &'p [String],
    /// The front matter's other keys (Hugo's params, Zola's extra).
    extra: &'p serde_json::Map<String, serde_json::Value>,
    /// Absolute URLs for share cards (`og:url`, `og:image`): the page, and its cover or the site's picture.
    permalink: String,
    share_image: Option<String>,
    /// The cover as a `<picture>` (or an `<img>`), shown above a page without videos; empty without a cover.
    cover_picture: String,
    content: &'p str,
    toc: &'p [Heading],
    show_toc: bool,
    /// `toc` as the built-in theme lists it ([`views::toc_html`]), when `show_toc`.
    toc_html: String,
    videos: Vec<VideoView>,
    prev: Option<Link>,
    next: Option<Link>,
    quiz: Option<Link>,
    section: Link,
}

impl Renderer<'_> {
    /// The page's cover as a `<picture>` of the sizes made of it (a plain `<img>` for other files), with the
    /// link prefix; empty without a cover. Decorative: the title above it says what the page is.
    fn cover_picture(&self, cover: Option<&str>) -> String {
        let Some(src) = cover else { return String::new() };
        let picture = self.pictures.pictures.get(src);
        views::with_root(&crate::content::picture::html(src, picture, "", "", [None; 2]), &self.root).into_owned()
    }

    /// An absolute URL for a picture of a share card: a full URL as it is, a site path under `base_url`.
    fn share_url(&self, image: &str) -> String {
        if image.contains("://") {
            image.to_string()
        } else {
            super::feed::absolute(self, &format!("/{}", image.trim_start_matches('/')))
        }
    }
}

/// A site's own shortcodes: `templates/shortcodes/NAME.html`, given the arguments by name (and as `args`) and
/// the inner text as `body`.
impl crate::content::markdown::shortcodes::Templates for Renderer<'_> {
    fn shortcode(
        &self,
        name: &str,
        args: &serde_json::Map<String, serde_json::Value>,
        body: Option<&str>,
    ) -> Option<Result<String, String>> {
        let template = format!("shortcodes/{name}.html");
        if !self.tera.get_template_names().any(|n| n == template) {
            return None;
        }
        let mut ctx = tera::Context::new();
        for (k, v) in args {
            ctx.insert(k.as_str(), v);
        }
        ctx.insert("args", args);
        ctx.insert("body", body.unwrap_or(""));
        ctx.insert("lang", &self.lang);
        Some(self.tera.render(&template, &ctx).map_err(|e| {
            let mut msg = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                msg = format!("{msg}: {s}");
                source = s.source();
            }
            msg
        }))
    }
}

fn term_links(key: &str, terms: &[String]) -> Vec<TermLink> {
    terms.iter().map(|t| TermLink { name: t.clone(), url: format!("/{key}/{}/", views::term_slug(t)) }).collect()
}

/// Tables of contents are for long pages: law texts with chapters, not a three-paragraph note.
fn wants_toc(toc: &[Heading]) -> bool {
    fn count(h: &[Heading]) -> usize {
        h.iter().map(|x| 1 + count(&x.children)).sum()
    }
    count(toc) >= 3
}

/// Articles in a law text without chapter headings from which its contents lists the articles instead.
const ARTICLES_FOR_CONTENTS: usize = 8;

/// The page's contents: its headings, or its articles when it has many articles and few headings.
fn contents(rendered: &Rendered) -> &[Heading] {
    if !wants_toc(&rendered.toc) && rendered.articles.len() >= ARTICLES_FOR_CONTENTS {
        &rendered.articles
    } else {
        &rendered.toc
    }
}

pub(super) fn content_path(source: &str) -> PathBuf {
    Path::new("content").join(source)
}

impl Renderer<'_> {
    /// Renders template `name` with `ctx`; a failure becomes a diagnostic about `source`.
    pub fn render(&self, name: &str, ctx: &tera::Context, source: &Path) -> Result<String, Diagnostic> {
        self.tera
            .render(name, ctx)
            .map_err(|e| Diagnostic::error(source, 0, 0, format!("template {name}: {}", error_chain(&e))))
    }

    /// [`Renderer::render`] as bytes: written straight to the output, a page needs no UTF-8 check of its whole
    /// text (which `tera::Tera::render` makes of every page it returns as a `String`). `size` is a guess of its
    /// length.
    pub fn render_bytes(
        &self,
        name: &str,
        ctx: &tera::Context,
        source: &Path,
        size: usize,
    ) -> Result<Vec<u8>, Diagnostic> {
        let mut buf = Vec::with_capacity(size);
        self.tera
            .render_to(name, ctx, &mut buf)
            .map_err(|e| Diagnostic::error(source, 0, 0, format!("template {name}: {}", error_chain(&e))))?;
        Ok(buf)
    }

    /// The player markup of a recognised video.
    pub fn player(&self, v: &video::Video, poster: Option<&str>) -> String {
        video::player_html(v, poster, self.lang)
    }

    /// The link for a page's `quiz:` key: the landing page when the competition is known, else the server.
    fn quiz_link(&self, id: &str, source: &str) -> Result<Link, Diagnostic> {
        match self.quizzes {
            Some(set) => match set.competitions.get(id) {
                Some(c) => Ok(Link { title: c.title.clone(), url: format!("/competitions/{id}/") }),
                None => {
                    // Only read the file again on this rare error, to point at the key.
                    let text = std::fs::read_to_string(self.source.join("content").join(source)).unwrap_or_default();
                    let (line, col) = crate::diag::locate(&text, "quiz:", 1).unwrap_or((0, 0));
                    Err(Diagnostic::error(
                        content_path(source),
                        line,
                        col,
                        format!("quiz: expected the id of a competition in quizzes/competitions/, found \"{id}\""),
                    ))
                }
            },
            None => Ok(Link { title: id.to_string(), url: format!("{}/quiz/{id}/", self.config.quiz_base()) }),
        }
    }

    /// Renders page `i` of markdown `body`, writes it, and adds its text to the search index.
    /// `ctx` is a copy of the base context reused from page to page by one worker (cloning the translation map
    /// for every page was a large share of the build); every page sets the same keys, so nothing leaks over.
    pub fn page(
        &self,
        i: usize,
        body: &str,
        ctx: &mut tera::Context,
        out: &Output,
        index: &IndexBuilder,
    ) -> Result<PageOutcome, BuildError> {
        let lib = self.library;
        let page = &lib.pages[i];
        let mut outcome = PageOutcome::default();
        let rendered = markdown::render(
            body,
            &RenderContext {
                library: lib,
                source: &page.source,
                body_line: page.body_line,
                lang: self.lang,
                shortcodes: Some(self),
                pictures: Some(&self.pictures.pictures),
            },
        );
        outcome.diagnostics.extend(rendered.diagnostics.iter().cloned());
        outcome.lookups.clone_from(&rendered.lookups);
        let cpu = super::cpu::thread();
        let starts = search::blocks::starts(&rendered.text);
        let postings = search::page_postings(&page.meta.title, &rendered.text, &starts);
        if self.digests {
            outcome.shard_digests = Some(search::shard_digests(&postings).into());
        }
        index.add(i as u32, postings);
        let key = search::blocks::page_key(&page.source);
        let (json, lens) =
            search::blocks::text_json(&search::blocks::blocks(&rendered.text, &starts, &rendered.anchors));
        outcome.text = search::TextFile { fingerprint: xxhash_rust::xxh3::xxh3_64(&json), blocks: lens };
        outcome.block_bytes = json.len() as u64;
        // Written whenever the page is: an incremental build plans only the page, its text follows it.
        out.write_always(&search::text_file(&key), &json)?;
        outcome.search_cpu = super::cpu::thread().saturating_sub(cpu);

        // The cover as a poster: the phone-sized file the build made of it, when it is a photo.
        let poster =
            page.meta.cover.as_deref().map(|c| self.pictures.pictures.get(c).map_or(c.to_string(), |p| p.src()));
        let poster = poster.as_deref();
        let mut videos = Vec::new();
        for r in &page.meta.videos {
            // Unknown hosts in front matter are reported by content::load; here they are left out.
            if let Some(mut v) = video::parse(&r.url) {
                v.title = r.title.clone();
                videos.push(VideoView { player: self.player(&v, poster), title: r.title.clone() });
            }
        }
        let sort_key = (page.meta.date, i);
        for v in &videos {
            outcome.videos.push(GalleryVideo {
                player: v.player.clone(),
                title: v.title.clone(),
                page_title: page.meta.title.clone(),
                page_url: page.url.clone(),
                sort_key,
            });
        }
        // A video both in front matter and in the body is one video in the gallery.
        for v in rendered.videos.iter().filter(|v| !page.meta.videos.iter().any(|r| r.url == v.url)) {
            outcome.videos.push(GalleryVideo {
                player: self.player(v, poster),
                title: v.title.clone(),
                page_title: page.meta.title.clone(),
                page_url: page.url.clone(),
                sort_key,
            });
        }

        let section = &lib.sections[page.section];
        let pos = self.positions.get(i).copied().flatten();
        let link = |p: usize| Link { title: lib.pages[p].meta.title.clone(), url: lib.pages[p].url.clone() };
        let quiz = match page.meta.quiz.as_deref().map(|id| self.quiz_link(id, &page.source)).transpose() {
            Ok(q) => q,
            Err(d) => {
                outcome.diagnostics.push(d);
                None
            }
        };
        let toc = contents(&rendered);
        let show_toc = wants_toc(toc);
        let view = PageView {
            title: &page.meta.title,
            url: &page.url,
            date: page.meta.date.as_ref().map(|d| views::date_text(self.lang, d)).unwrap_or_default(),
            date_iso: page.meta.date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
            updated: page.meta.updated.as_ref().map(|d| views::date_text(self.lang, d)).unwrap_or_default(),
            author: page.meta.author.as_deref(),
            summary: &page.summary,
            reading: views::reading_text(self.lang, page.reading_minutes),
            tags: term_links("tags", &page.meta.tags),
            categories: term_links("categories", &page.meta.categories),
            description: page.meta.description.as_deref().unwrap_or(&page.summary),
            keywords: &page.meta.keywords,
            extra: &page.meta.extra,
            permalink: super::feed::absolute(self, &page.url),
            share_image: page.meta.cover.as_deref().or(self.config.share_image.as_deref()).map(|c| self.share_url(c)),
            audiences: page
                .meta
                .audiences
                .iter()
                .map(|a| TermLink { name: a.name().into(), url: format!("/audiences/{}/", a.name()) })
                .collect(),
            cover_picture: self.cover_picture(page.meta.cover.as_deref()),
            content: &views::with_root(&rendered.html, &self.root),
            toc,
            show_toc,
            toc_html: if show_toc { views::toc_html(toc) } else { String::new() },
            videos,
            prev: pos.and_then(|p| p.checked_sub(1)).map(|p| link(section.pages[p])),
            next: pos.and_then(|p| section.pages.get(p + 1)).map(|&p| link(p)),
            quiz,
            section: Link { title: section.meta.title.clone(), url: section.url.clone() },
        };
        ctx.insert("page", &view);
        ctx.insert("breadcrumb", &views::breadcrumb(lib, page.section));
        let template = page.meta.template.as_deref().unwrap_or("page.html");
        // The page is its body's HTML and some 10 KB of layout around it.
        let size = rendered.html.len() + 16 * 1024;
        match self.render_bytes(template, ctx, &content_path(&page.source), size) {
            Ok(html) => out.write(&super::output::file_for(&page.url), &html)?,
            Err(d) => outcome.diagnostics.push(d),
        }
        Ok(outcome)
    }

    /// Renders section `i`'s list pages (the root section is the home page) and writes them.
    pub fn section(&self, i: usize, out: &Output) -> Result<SectionOutcome, BuildError> {
        let lib = self.library;
        let section = &lib.sections[i];
        let rendered = markdown::render(
            &section.body,
            &RenderContext {
                library: lib,
                source: &section.source,
                body_line: section.body_line,
                lang: self.lang,
                shortcodes: Some(self),
                pictures: Some(&self.pictures.pictures),
            },
        );
        let mut diags = rendered.diagnostics.clone();
        let lookups = rendered.lookups.clone();
        let source = content_path(&section.source);
        #[derive(Serialize)]
        struct Card<'s> {
            title: &'s str,
            url: &'s str,
            summary: &'s str,
            count: usize,
            cover: Option<&'s str>,
        }
        let cards: Vec<Card<'_>> = section
            .subsections
            .iter()
            .map(|&s| {
                let s = &lib.sections[s];
                Card {
                    title: &s.meta.title,
                    url: &s.url,
                    summary: s.meta.summary.as_deref().unwrap_or(""),
                    count: s.pages.len(),
                    cover: s.meta.cover.as_deref(),
                }
            })
            .collect();
        let mut ctx = self.base.clone();
        ctx.insert(
            "section",
            &serde_json::json!({
                "title": section.meta.title, "url": section.url, "content": views::with_root(&rendered.html, &self.root),
                "summary": section.meta.summary, "extra": section.meta.extra,
            }),
        );
        ctx.insert("subsections", &cards);
        ctx.insert("breadcrumb", &views::breadcrumb(lib, i));
        if i == 0 {
            if !out.wants("index.html") {
                return Ok(SectionOutcome { diagnostics: diags, lookups });
            }
            let items: Vec<Item> =
                lib.newest_first().iter().take(10).map(|&p| views::item(lib, self.lang, &lib.pages[p])).collect();
            ctx.insert("latest", &items);
            let template = section.meta.template.as_deref().unwrap_or("index.html");
            match self.render(template, &ctx, &source) {
                Ok(html) => out.write_page("/", &html)?,
                Err(d) => diags.push(d),
            }
            return Ok(SectionOutcome { diagnostics: diags, lookups });
        }
        let items: Vec<Item> = section.pages.iter().map(|&p| views::item(lib, self.lang, &lib.pages[p])).collect();
        let per = section.meta.paginate_by.unwrap_or(self.config.paginate_by);
        let template = section.meta.template.as_deref().unwrap_or("section.html");
        self.paginated(&section.url, &items, per, template, &source, &mut ctx, out, &mut diags)?;
        Ok(SectionOutcome { diagnostics: diags, lookups })
    }

    /// Renders a list (a section or a taxonomy term) as pages `base`, `base/page/2/`, …, writing each one the
    /// output wants; template errors are collected in `diags`, write errors end the build.
    #[allow(clippy::too_many_arguments)]
    pub fn paginated(
        &self,
        base: &str,
        items: &[Item],
        per: usize,
        template: &str,
        source: &Path,
        ctx: &mut tera::Context,
        out: &Output,
        diags: &mut Vec<Diagnostic>,
    ) -> Result<(), BuildError> {
        views::paginate(base, items, per, |url, paginator, slice| {
            if !out.wants(&super::output::file_for(url)) {
                return Ok(());
            }
            ctx.insert("pages", slice);
            ctx.insert("paginator", paginator);
            match self.render(template, ctx, source) {
                Ok(html) => out.write_page(url, &html),
                Err(d) => {
                    diags.push(d);
                    Ok(())
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(id: &str) -> Heading {
        Heading { level: 2, id: id.into(), title: id.into(), children: Vec::new() }
    }

    // Issue 17: a 16-article text had no contents.
    #[test]
    fn contents_are_headings_or_else_many_articles() {
        let articles: Vec<Heading> = (1..=16).map(|i| h(&format!("第{i}条"))).collect();
        let r = Rendered { articles: articles.clone(), ..Default::default() };
        assert_eq!(contents(&r).len(), 16);
        assert!(wants_toc(contents(&r)));
        let few = Rendered { articles: articles[..5].to_vec(), ..Default::default() };
        assert!(!wants_toc(contents(&few)), "five articles need no contents");
        let chapters = Rendered { toc: vec![h("a"), h("b"), h("c")], articles, ..Default::default() };
        assert_eq!(contents(&chapters)[0].id, "a", "chapter headings win");
    }
}
