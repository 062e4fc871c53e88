//! Internal links and local files: `@/columns/x.md` (relative to `content/`) and relative `.md` links resolve
//! to URLs through the library; relative image and video paths resolve to the URLs of copied assets.

use super::RenderContext;
use crate::content::local::{is_relative, join};

/// What became of a link target.
pub enum Resolved {
    /// Not an internal link: leave it as written.
    External,
    /// An internal link and the URL it leads to.
    Url(String),
    /// An internal link to nothing: the message for the diagnostic.
    Broken(String),
}

/// Resolves a link destination written in the page `ctx.source`; the content path looked up is added to
/// `lookups` (incremental builds re-render the page when what it names changes).
pub fn resolve(dest: &str, ctx: &RenderContext<'_>, lookups: &mut Vec<String>) -> Resolved {
    let (path, anchor) = match dest.find('#') {
        Some(i) => (&dest[..i], &dest[i..]),
        None => (dest, ""),
    };
    let target = if let Some(p) = path.strip_prefix("@/") {
        Some(p.to_string())
    } else if path.ends_with(".md") && is_relative(path) {
        join(ctx.source, path)
    } else {
        return Resolved::External;
    };
    lookups.extend(target.clone());
    let found = target.as_deref().and_then(|t| ctx.library.by_source.get(t));
    match found {
        Some(&t) => Resolved::Url(format!("{}{anchor}", ctx.library.url_of(t))),
        None => Resolved::Broken(format!(
            "broken internal link `{dest}`: no page or section content/{} (expected a path like @/columns/a.md)",
            target.as_deref().unwrap_or(path)
        )),
    }
}

/// The URL of a local file (image, video) written relative to the page or as `@/…`, if it is a copied asset;
/// the content path looked up is added to `lookups`.
pub fn asset(src: &str, ctx: &RenderContext<'_>, lookups: &mut Vec<String>) -> Option<String> {
    let target = match src.strip_prefix("@/") {
        Some(p) => p.to_string(),
        None if is_relative(src) => join(ctx.source, src)?,
        None => return None,
    };
    let url = ctx.library.assets.get(&target).cloned();
    lookups.push(target);
    url
}

/// The URL of an image's `src`: a copied asset's for a local file, else as written. A site-absolute path
/// (a file of `static/`) is added to `lookups` as it is: the page shows the picture made of that file.
pub fn image(src: &str, ctx: &RenderContext<'_>, lookups: &mut Vec<String>) -> String {
    if let Some(url) = asset(src, ctx, lookups) {
        return url;
    }
    if src.starts_with('/') && !src.starts_with("//") {
        lookups.push(src.to_string());
    }
    src.to_string()
}

/// 1-based file line and column of byte `offset` of the body.
pub fn position(body: &str, offset: usize, body_line: usize) -> (usize, usize) {
    let before = &body[..offset.min(body.len())];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = body_line + before.bytes().filter(|&b| b == b'\n').count();
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_normalises_and_refuses_to_leave_content() {
        assert_eq!(join("columns/宪法/a.md", "../b.md").as_deref(), Some("columns/b.md"));
        assert_eq!(join("columns/a.md", "./c/d.md").as_deref(), Some("columns/c/d.md"));
        assert_eq!(join("a.md", "../b.md"), None);
    }

    #[test]
    fn position_counts_lines_from_the_body_start_and_characters() {
        let body = "一行\n第二行 [x](y)\n";
        let off = body.find('[').unwrap();
        assert_eq!(position(body, off, 5), (6, 5));
    }
}
