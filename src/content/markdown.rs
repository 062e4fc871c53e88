//! Markdown to HTML with pulldown-cmark: tables, footnotes, heading anchors, a table of contents, 第X条 anchors,
//! video embeds for links alone on a line, and internal links checked against the library.

use serde::Serialize;

use super::{video::Video, Library};
use crate::diag::Diagnostic;

/// What a page's markdown is rendered against.
pub struct RenderContext<'a> {
    pub library: &'a Library,
    /// Source path relative to `content/` of the page or section being rendered (for relative links and diagnostics).
    pub source: &'a str,
    /// 1-based file line where the body starts, to shift diagnostics.
    pub body_line: usize,
}

/// One heading in the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    pub level: u8,
    /// The anchor id (unique in the page), readable Chinese kept.
    pub id: String,
    pub title: String,
    pub children: Vec<Heading>,
}

/// The rendered body of one page.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    /// Nested table of contents (h2 and below).
    pub toc: Vec<Heading>,
    /// Plain text of the body, for the search index.
    pub text: String,
    /// Videos embedded from links alone on a line.
    pub videos: Vec<Video>,
    /// Broken internal links (errors) and unknown video hosts (warnings).
    pub diagnostics: Vec<Diagnostic>,
}

/// Renders one body.
pub fn render(body: &str, ctx: &RenderContext<'_>) -> Rendered {
    let _ = (body, ctx);
    todo!("content helper implements")
}
