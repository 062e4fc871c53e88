//! Paths written in content: relative links read from the file's folder, and local files named in front matter
//! (`cover`, `videos`) turned into the URLs of copied assets so templates can use them as they are.

use std::collections::BTreeMap;
use std::path::Path;

use super::model::{Library, Page, PageMeta};
use super::shown;
use super::video;
use crate::diag::{self, Diagnostic, Diagnostics};

/// No scheme, not site-absolute, not a fragment: a path read from the file's folder.
pub(crate) fn is_relative(p: &str) -> bool {
    !p.is_empty() && !p.starts_with(['/', '#', '?']) && !p.split('/').next().unwrap_or("").contains(':')
}

/// `rel` read from the folder of `source`, normalised; `None` when it climbs above `content/`.
pub(crate) fn join(source: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = source.split('/').collect();
    parts.pop();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Warnings for `videos:` entries that no player knows, at their line in the file.
pub(crate) fn check_videos(path: &Path, text: &str, meta: &PageMeta) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for v in &meta.videos {
        if video::parse(&v.url).is_none() {
            let host = url::Url::parse(&v.url).ok().and_then(|u| u.host_str().map(str::to_string));
            let (line, col) = diag::locate(text, &v.url, 1).unwrap_or((0, 0));
            let msg = format!(
                "videos: unknown video host {}: left out of the players (known: {})",
                host.as_deref().unwrap_or(&v.url),
                video::KNOWN
            );
            out.push(Diagnostic::warning(path, line, col, msg));
        }
    }
    out
}

/// Rewrites relative `cover` and `videos[].url` of pages (and `cover` of sections) to the URLs of the assets they
/// name; a relative path to no file is a warning and stays as written.
pub(crate) fn resolve_front_matter_files(lib: &mut Library, diags: &mut Diagnostics) {
    let Library { pages, sections, assets, .. } = lib;
    for p in pages.iter_mut() {
        resolve_page_files(p, assets, diags);
    }
    for s in sections.iter_mut() {
        if let Some(c) = s.meta.cover.as_mut() {
            fix(&s.source, assets, "cover", c, diags);
        }
    }
}

/// The same for one page.
pub(crate) fn resolve_page_files(p: &mut Page, assets: &BTreeMap<String, String>, diags: &mut Diagnostics) {
    if let Some(c) = p.meta.cover.as_mut() {
        fix(&p.source, assets, "cover", c, diags);
    }
    for v in &mut p.meta.videos {
        fix(&p.source, assets, "videos", &mut v.url, diags);
    }
}

/// Points `value` (a path relative to `source`) at the URL of the asset it names, or warns.
fn fix(source: &str, assets: &BTreeMap<String, String>, key: &str, value: &mut String, diags: &mut Diagnostics) {
    if !is_relative(value) {
        return;
    }
    match join(source, value).and_then(|p| assets.get(&p)) {
        Some(url) => *value = url.clone(),
        None => {
            let msg = format!("{key}: no file {value} next to this file (expected a path relative to it)");
            diags.push(Diagnostic::warning(shown(source), 0, 0, msg));
        }
    }
}
