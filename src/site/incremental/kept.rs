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
}

/// The library of `content`, patched from `kept` for the `changed` files when it can be, else put together anew.
pub fn library(kept: Option<Kept>, content: &Source, changed: &[String], opts: &LoadOptions) -> Assembled {
    if let Some(k) = kept {
        if let Some(a) = patch(k, content, changed) {
            return a;
        }
    }
    let (lib, diags) = content.assemble(opts);
    Assembled { lib, diags, patched: None }
}

fn patch(kept: Kept, content: &Source, changed: &[String]) -> Option<Assembled> {
    let Kept { mut lib, mut diags, items, global } = kept;
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
    Some(Assembled { lib, diags, patched: Some(Patched { items, affected, global }) })
}
