//! Markdown to HTML with pulldown-cmark: tables, footnotes, heading anchors, a table of contents, 第X条 anchors,
//! video embeds for links alone on a line, internal links checked against the library, and Hugo's and Zola's
//! shortcodes.

mod anchors;
mod links;
pub mod shortcodes;

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, TextMergeWithOffset};
use serde::Serialize;

use super::text;
use super::video::{self, Video};
use super::Library;
use crate::diag::Diagnostic;
use crate::i18n::Lang;
pub use anchors::article_number;
use anchors::Ids;
use links::{position, Resolved};

/// What a page's markdown is rendered against.
pub struct RenderContext<'a> {
    pub library: &'a Library,
    /// Source path relative to `content/` of the page or section being rendered (for relative links and diagnostics).
    pub source: &'a str,
    /// 1-based file line where the body starts, to shift diagnostics.
    pub body_line: usize,
    /// Language of the player labels written into the page.
    pub lang: Lang,
    /// The site's own shortcode templates (`templates/shortcodes/`), when there is a theme to render them.
    pub shortcodes: Option<&'a dyn shortcodes::Templates>,
    /// The sizes the build made of the site's photos, by site path: images are shown as `<picture>`s.
    pub pictures: Option<&'a super::picture::Pictures>,
}

/// One heading in the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    /// 2, 3 or 4.
    pub level: u8,
    /// The anchor id (unique in the page), readable Chinese kept.
    pub id: String,
    /// The heading's plain text.
    pub title: String,
    /// Headings of a lower rank that follow it, before the next one of its rank or higher.
    pub children: Vec<Heading>,
}

/// The rendered body of one page.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The body as HTML, to be placed inside the page template.
    pub html: String,
    /// Nested table of contents (h2 to h4).
    pub toc: Vec<Heading>,
    /// The law articles at the top level (`第X条`), in order, titled with their number and first words: the
    /// contents of a law text that has articles but no chapter headings.
    pub articles: Vec<Heading>,
    /// Plain text of the body, for the search index.
    pub text: String,
    /// The anchors of headings and law articles as (byte offset in `text` where they start, id), in order: a
    /// search result links to the one nearest its match.
    pub anchors: Vec<(usize, String)>,
    /// Videos embedded from links alone on a line.
    pub videos: Vec<Video>,
    /// Broken internal links (errors) and unknown video hosts (warnings).
    pub diagnostics: Vec<Diagnostic>,
    /// Content paths looked up in the library (pages, sections, assets), found or not: what the body depends on
    /// besides its own text.
    pub lookups: Vec<String>,
}

/// The markdown extensions every page gets.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

type Spanned<'a> = (Event<'a>, Range<usize>);

/// Renders one body in a single pass over its events (plus one look for author-written ids).
pub fn render(body: &str, ctx: &RenderContext<'_>) -> Rendered {
    let mut lookups = Vec::new();
    let (body, shortcode_warnings) = shortcodes::expand(body, ctx, &mut lookups);
    let body: &str = &body;
    let mut events: Vec<Spanned<'_>> =
        TextMergeWithOffset::new(Parser::new_ext(body, options()).into_offset_iter()).collect();
    let mut r = Renderer {
        ctx,
        body,
        out: Vec::with_capacity(events.len() + 8),
        ids: Ids::default(),
        flat_toc: Vec::new(),
        done: Rendered { text: String::with_capacity(body.len()), lookups, ..Default::default() },
        in_article: false,
        depth: 0,
    };
    for (ev, _) in &events {
        if let Event::Start(Tag::Heading { id: Some(id), .. }) = ev {
            r.ids.reserve(id);
        }
    }
    let mut i = 0;
    while i < events.len() {
        i = r.step(&mut events, i);
    }
    r.close_article();
    let mut done = r.done;
    done.diagnostics.extend(shortcode_warnings);
    done.html.reserve(body.len() + body.len() / 2);
    pulldown_cmark::html::push_html(&mut done.html, r.out.into_iter());
    done.toc = anchors::nest(r.flat_toc);
    done
}

struct Renderer<'c, 'a> {
    ctx: &'c RenderContext<'c>,
    body: &'a str,
    out: Vec<Event<'a>>,
    ids: Ids,
    flat_toc: Vec<Heading>,
    done: Rendered,
    /// A law article's `<div>` is open.
    in_article: bool,
    /// Block containers (lists, quotes, tables, footnotes) the current event is inside.
    depth: usize,
}

fn take<'a>(ev: &mut Event<'a>) -> Event<'a> {
    std::mem::replace(ev, Event::SoftBreak)
}

/// Index of the first event at or after `from` that is `end`.
fn find_end(events: &[Spanned<'_>], from: usize, end: TagEnd) -> usize {
    events[from..].iter().position(|(e, _)| *e == Event::End(end)).map_or(events.len(), |p| from + p)
}

/// Words of an article's text shown after its number in the contents.
const ARTICLE_WORDS: usize = 16;

/// A contents entry for an article: `第三条　国家机构实行民主集中制…`.
fn article_entry(id: &str, text: &str) -> Heading {
    let mut title: String = text.chars().take(ARTICLE_WORDS).collect();
    if text.chars().nth(ARTICLE_WORDS).is_some() {
        title.push('…');
    }
    Heading { level: 2, id: id.to_string(), title, children: Vec::new() }
}

/// The visible text of some inline events (a heading's title, a link's or image's text).
fn plain(events: &[Spanned<'_>]) -> String {
    let mut s = String::new();
    for (e, _) in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s
}

impl<'a> Renderer<'_, 'a> {
    /// Handles the event at `i` (and any it looks ahead at); returns the index of the next one to handle.
    fn step(&mut self, events: &mut [Spanned<'a>], i: usize) -> usize {
        let span = events[i].1.clone();
        match take(&mut events[i].0) {
            Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                if self.depth == 0 {
                    self.close_article();
                }
                let j = find_end(events, i + 1, TagEnd::Heading(level));
                let title = plain(&events[i + 1..j]);
                let id = if (HeadingLevel::H2..=HeadingLevel::H4).contains(&level) {
                    let id = id.map_or_else(|| self.ids.unique(&title, "section"), |s| s.to_string());
                    self.flat_toc.push(Heading { level: level as u8, id: id.clone(), title, children: Vec::new() });
                    Some(CowStr::from(id))
                } else {
                    id
                };
                if let Some(id) = &id {
                    self.done.anchors.push((self.done.text.len(), id.to_string()));
                }
                self.out.push(Event::Start(Tag::Heading { level, id, classes, attrs }));
            }
            Event::Start(Tag::Paragraph) => return self.paragraph(events, i),
            ev @ Event::Start(Tag::BlockQuote(_) | Tag::List(_) | Tag::Table(_) | Tag::FootnoteDefinition(_)) => {
                self.depth += 1;
                self.out.push(ev);
            }
            ev @ Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Table | TagEnd::FootnoteDefinition) => {
                self.depth = self.depth.saturating_sub(1);
                self.out.push(ev);
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let dest_url = self.link_dest(dest_url, span.start);
                self.out.push(Event::Start(Tag::Link { link_type, dest_url, title, id }));
            }
            Event::Start(Tag::Image { dest_url, title, .. }) => {
                let j = find_end(events, i + 1, TagEnd::Image);
                let alt = plain(&events[i + 1..j]);
                let src = links::image(&dest_url, self.ctx, &mut self.done.lookups);
                let picture = self.ctx.pictures.and_then(|p| p.get(&src));
                self.out.push(Event::InlineHtml(super::picture::html(&src, picture, &alt, &title, [None; 2]).into()));
                return j + 1;
            }
            Event::Text(t) => {
                self.done.text.push_str(&t);
                self.out.push(Event::Text(t));
            }
            Event::Code(t) => {
                self.done.text.push_str(&t);
                self.out.push(Event::Code(t));
            }
            Event::SoftBreak if self.joins_cjk(&events[i + 1..]) => {}
            ev @ (Event::SoftBreak | Event::HardBreak) => {
                self.done.text.push(' ');
                self.out.push(ev);
            }
            ev @ Event::End(TagEnd::TableCell) => {
                self.done.text.push(' ');
                self.out.push(ev);
            }
            ev @ Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::CodeBlock) => {
                self.done.text.push('\n');
                self.out.push(ev);
            }
            ev => self.out.push(ev),
        }
        i + 1
    }

    /// Opens the `<div class="article" id=…>` of a law article (closing the one before): the article is its
    /// numbered paragraph and what follows up to the next article or heading, so a link to it highlights all
    /// of it. Articles start only at the top level; the returned HTML goes before the paragraph.
    /// Inside a list or a quote the paragraph itself carries the id (`<p id=…`, to be completed by the caller).
    fn open_article(&mut self, id: &str) -> String {
        self.done.anchors.push((self.done.text.len(), id.to_string()));
        let mut h = String::with_capacity(2 * id.len() + 40);
        if self.depth > 0 {
            h.push_str("<p id=\"");
            video::attr(&mut h, id, false);
            h.push('"');
            return h;
        }
        if self.in_article {
            h.push_str("</div>\n");
        }
        h.push_str("<div class=\"article\" id=\"");
        video::attr(&mut h, id, false);
        h.push_str("\"><p");
        self.in_article = true;
        h
    }

    /// Closes the open article, if any (a heading or the end of the body follows).
    fn close_article(&mut self) {
        if std::mem::take(&mut self.in_article) {
            self.out.push(Event::Html("</div>\n".into()));
        }
    }

    /// Whether a soft line break before `next` sits between two Chinese (wide) characters, where a browser
    /// would show it as a space in the middle of a sentence: such a break is dropped (CSS Text's segment break
    /// rule, which browsers do not apply yet).
    fn joins_cjk(&self, after: &[Spanned<'_>]) -> bool {
        // Emphasis around a word does not change that the break sits between two characters.
        let inline = |e: &Event<'_>| {
            matches!(
                e,
                Event::Start(Tag::Strong | Tag::Emphasis | Tag::Strikethrough)
                    | Event::End(TagEnd::Strong | TagEnd::Emphasis | TagEnd::Strikethrough)
            )
        };
        let before = match self.out.iter().rev().find(|e| !inline(e)) {
            Some(Event::Text(t)) => t.chars().next_back(),
            _ => None,
        };
        let after = match after.iter().map(|(e, _)| e).find(|e| !inline(e)) {
            Some(Event::Text(t)) => t.chars().next(),
            _ => None,
        };
        matches!((before, after), (Some(b), Some(a)) if text::is_wide(b) && text::is_wide(a))
    }

    /// A paragraph: a lone video link becomes a player, a law article gets its anchor, others pass through.
    fn paragraph(&mut self, events: &mut [Spanned<'a>], i: usize) -> usize {
        if let Some(next) = self.lone_link(events, i) {
            return next;
        }
        let article = match events.get(i + 1) {
            Some((Event::Text(t), _)) => article_number(t),
            _ => None,
        };
        if let Some(n) = article {
            let Event::Text(t) = take(&mut events[i + 1].0) else { unreachable!("matched above") };
            // Borrowed text (the usual case) is cut without copying the paragraph.
            let rest: CowStr<'a> = match &t {
                CowStr::Borrowed(b) => {
                    let b: &'a str = b;
                    CowStr::Borrowed(&b[n..])
                }
                other => other[n..].to_string().into(),
            };
            let no = &t[..n];
            let id = self.ids.unique_slug(no.to_string());
            if self.depth == 0 {
                self.done.articles.push(article_entry(&id, &t));
            }
            let mut h = self.open_article(&id);
            h.push_str("><strong class=\"article-no\">");
            h.push_str(no);
            h.push_str("</strong>");
            self.out.push(Event::InlineHtml(h.into()));
            self.done.text.push_str(&t);
            self.out.push(Event::Text(rest));
            return i + 2;
        }
        match events.get(i + 1).map(|e| &e.0) {
            // `**第一条**　…`: the author marked the number already; the paragraph only needs its anchor.
            Some(Event::Start(Tag::Strong)) => match events.get(i + 2).map(|e| &e.0) {
                Some(Event::Text(t)) if article_number(t) == Some(t.len()) => {
                    let id = self.ids.unique(t, "article");
                    let mut h = self.open_article(&id);
                    h.push('>');
                    self.out.push(Event::InlineHtml(h.into()));
                }
                _ => self.out.push(Event::Start(Tag::Paragraph)),
            },
            _ => self.out.push(Event::Start(Tag::Paragraph)),
        }
        i + 1
    }

    /// A paragraph holding only a link or a bare URL: a known video becomes a player; an unknown web link stays
    /// a link and is reported, since the author most likely meant a video.
    fn lone_link(&mut self, events: &mut [Spanned<'a>], i: usize) -> Option<usize> {
        let mut poster = None;
        let (dest, text, start, end) = match events.get(i + 1)? {
            (Event::Start(Tag::Link { dest_url, .. }), r) => {
                let k = find_end(events, i + 2, TagEnd::Link);
                if !matches!(events.get(k + 1), Some((Event::End(TagEnd::Paragraph), _))) {
                    return None;
                }
                let lookups = &mut self.done.lookups;
                poster = events[i + 2..k].iter().find_map(|(e, _)| match e {
                    Event::Start(Tag::Image { dest_url, .. }) => {
                        Some(links::asset(dest_url, self.ctx, lookups).unwrap_or_else(|| dest_url.to_string()))
                    }
                    _ => None,
                });
                (dest_url.to_string(), plain(&events[i + 2..k]), r.start, k + 1)
            }
            (Event::Text(t), r) if is_web_url(t.trim()) => {
                if !matches!(events.get(i + 2), Some((Event::End(TagEnd::Paragraph), _))) {
                    return None;
                }
                let t = t.trim().to_string();
                (t.clone(), t, r.start, i + 2)
            }
            _ => return None,
        };
        if !matches!(links::resolve(&dest, self.ctx, &mut self.done.lookups), Resolved::External) {
            return None;
        }
        let local = links::asset(&dest, self.ctx, &mut self.done.lookups);
        if let Some(mut v) = video::parse(local.as_deref().unwrap_or(&dest)) {
            v.url = local.unwrap_or(dest.clone());
            // A photo the build made sizes of is a poster a phone can afford.
            v.poster = poster.map(|p| self.ctx.pictures.and_then(|ps| ps.get(&p)).map_or(p, |pic| pic.src()));
            let title = text.trim();
            if !title.is_empty() && title != dest {
                v.title = Some(title.to_string());
            }
            self.out.push(Event::Html(video::player_html(&v, None, self.ctx.lang).into()));
            self.out.push(Event::Html("\n".into()));
            self.done.text.push_str(v.title.as_deref().unwrap_or_default());
            self.done.text.push('\n');
            self.done.videos.push(v);
            return Some(end + 1);
        }
        if !is_web_url(&dest) {
            return None;
        }
        // A lone link to a law on www.gov.cn is just a link; one to a video site no player knows is worth a word.
        if video::looks_like_video(&dest) {
            let host = url::Url::parse(&dest).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default();
            let (line, col) = position(self.body, start, self.ctx.body_line);
            self.done.diagnostics.push(Diagnostic::warning(
                super::shown(self.ctx.source),
                line,
                col,
                format!("unknown video host {host}: shown as a plain link (known: {})", video::KNOWN),
            ));
        }
        if let (Event::Text(_), _) = &events[i + 1] {
            // A bare URL is not a link in CommonMark; make it one so the reader can still follow it.
            self.out.push(Event::Start(Tag::Paragraph));
            self.out.push(Event::Start(Tag::Link {
                link_type: LinkType::Autolink,
                dest_url: dest.clone().into(),
                title: "".into(),
                id: "".into(),
            }));
            self.out.push(Event::Text(dest.clone().into()));
            self.out.push(Event::End(TagEnd::Link));
            self.out.push(Event::End(TagEnd::Paragraph));
            self.done.text.push_str(&dest);
            self.done.text.push('\n');
            return Some(end + 1);
        }
        self.out.push(Event::Start(Tag::Paragraph));
        Some(i + 1)
    }

    /// Rewrites an internal link to its URL, or reports it broken at its file position.
    fn link_dest(&mut self, dest: CowStr<'a>, offset: usize) -> CowStr<'a> {
        match links::resolve(&dest, self.ctx, &mut self.done.lookups) {
            Resolved::External => links::asset(&dest, self.ctx, &mut self.done.lookups).map_or(dest, CowStr::from),
            Resolved::Url(u) => u.into(),
            Resolved::Broken(msg) => {
                let (line, col) = position(self.body, offset, self.ctx.body_line);
                self.done.diagnostics.push(Diagnostic::error(super::shown(self.ctx.source), line, col, msg));
                dest
            }
        }
    }
}

fn is_web_url(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://")) && !s.contains(char::is_whitespace)
}
