//! The library of the last successful build, kept in memory and patched for the next one when only pages'
//! files changed and none of them moved, appeared, disappeared or changed its slug or draft flag (a body edit, a
//! retitle, new tags): putting the whole library together again is work proportional to the site.

use crate::content::load::{self, Parsed};
use crate::content::{Library, LoadOptions, Target};
use crate::diag::Diagnostics;

use crate::content::Source;

/// What a build leaves for the next one to patch.
pub struct Kept {
    pub lib: Library,
    /// The diagnostics of putting it together.
    pub diags: Diagnostics,
    /// The list-view hash of every page (see `plan::items`).
    pub items: Vec<u64>,
    /// The fingerprint of what every output depends on, when it was built.
    pub global: u64,
    /// The digest of the pictures made then (`pictures::Made::digest`): a static photo changes no content file.
    pub pictures: u64,
}

/// The library for a build, with its diagnostics, and when it is the last one patched: the last build's page
/// list-view hashes, which pages may look different now (`affected`, by page number), and its global fingerprint.
pub struct Assembled {
    pub lib: Library,
    pub diags: Diagnostics,
    pub patched: Option<Patched>,
}

/// See [`Assembled`].
pub struct Patched {
    pub items: Vec<u64>,
    /// Pages whose own inputs changed, or whose neighbours may have (every page of a touched section).
    pub affected: Vec<bool>,
    pub global: u64,
    pub pictures: u64,
}

/// The library of `content`, patched from `kept` for the `changed` files when it can be, else put together anew;
/// with what `beside` returns, run on another core meanwhile.
pub fn library<R: Send>(
    kept: Option<Kept>,
    content: &Source,
    changed: &[String],
    opts: &LoadOptions,
    beside: impl FnOnce() -> R + Send,
) -> (Assembled, R) {
    // A publication window that opened or closed since is a change no file shows: the library is put together anew.
    if let Some(k) = kept.filter(|k| !content.windows_moved(&k.lib, opts)) {
        if let Some(a) = patch(k, content, changed) {
            return (a, beside());
        }
    }
    let ((lib, diags), r) = content.assemble_beside(opts, beside);
    (Assembled { lib, diags, patched: None }, r)
}

fn patch(kept: Kept, content: &Source, changed: &[String]) -> Option<Assembled> {
    let Kept { mut lib, mut diags, items, global, pictures } = kept;
    let mut affected = vec![false; lib.pages.len()];
    for rel in changed {
        let Some(&Target::Page(i)) = lib.by_source.get(rel) else { return None };
        let Some(Parsed::Page(raw)) = content.parsed(rel) else { return None };
        // A page half patched is no use: the caller puts the library together anew.
        if !load::replace_page(&mut lib, &mut diags, i, (**raw).clone()) {
            return None;
        }
        for &p in &lib.sections[lib.pages[i].section].pages {
            affected[p] = true;
        }
    }
    tracing::debug!(pages = changed.len(), "library patched");
    Some(Assembled { lib, diags, patched: Some(Patched { items, affected, global, pictures }) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(year: i32) -> LoadOptions {
        let now = chrono::DateTime::parse_from_rfc3339(&format!("{year}-06-01T00:00:00+08:00")).ok();
        LoadOptions { drafts: false, future: false, now }
    }

    fn kept(a: Assembled) -> Kept {
        Kept { lib: a.lib, diags: a.diags, items: vec![], global: 0, pictures: 0 }
    }

    #[test]
    fn a_publication_window_opening_or_closing_puts_the_library_together_anew() {
        let dir = tempfile::tempdir().unwrap();
        let c = dir.path().join("content");
        std::fs::create_dir_all(&c).unwrap();
        std::fs::write(c.join("_index.md"), "---\ntitle: 首页\n---\n").unwrap();
        std::fs::write(c.join("soon.md"), "---\ntitle: 将发布\npublishDate: 2030-01-01\n---\n正文\n").unwrap();
        std::fs::write(c.join("gone.md"), "---\ntitle: 将下线\nexpiryDate: 2030-01-01\n---\n正文\n").unwrap();
        std::fs::write(c.join("plain.md"), "---\ntitle: 普通\n---\n正文\n").unwrap();
        let mut src = Source::default();
        src.refresh(&c, None, &mut Diagnostics::default());
        let first = library(None, &src, &[], &at(2029), || ()).0;
        let has = |a: &Assembled, rel: &str| a.lib.by_source.contains_key(rel);
        assert!(!has(&first, "soon.md") && has(&first, "gone.md") && has(&first, "plain.md"));

        // No file changed and no window moved: the kept library is used as it is.
        let same = library(Some(kept(first)), &src, &[], &at(2029), || ()).0;
        assert!(same.patched.is_some(), "kept");
        // No file changed, but 2030 came: one page is published, the other expired.
        let later = library(Some(kept(same)), &src, &[], &at(2031), || ()).0;
        assert!(later.patched.is_none(), "put together anew");
        assert!(has(&later, "soon.md") && !has(&later, "gone.md") && has(&later, "plain.md"));
    }
}
