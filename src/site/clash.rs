//! A site's own static files written at the root (`static_at_root`, as Hugo and Zola serve them) beside what
//! pufa writes there: `static/index.html` would replace the home page, `static/posts/index.html` a list. Such a
//! clash is an error naming both files, found when the files are planned, before anything is written. Only the
//! files a moved site commonly brings its own of replace pufa's, as they do in Hugo.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::incremental::plan::Plan;
use super::output::file_for;
use super::theme::StaticFile;
use crate::content::{shown, Library};
use crate::diag::Diagnostic;

/// Output files a site's own static file replaces without complaint.
pub const REPLACEABLE: [&str; 2] = ["robots.txt", "404.html"];

/// An error for each clash of `plan`, at the static file, naming the file it would replace and what that is
/// made from.
pub fn report(lib: &Library, plan: &Plan, statics: &BTreeMap<String, StaticFile>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (name, rel) in &plan.clashes {
        let path = match statics.get(name) {
            Some(StaticFile::Disk(p)) => p.clone(),
            _ => PathBuf::from("static").join(name.trim_start_matches('/')),
        };
        let msg = match made_from(lib, plan, rel) {
            Some(source) => {
                format!("would replace {rel}, which is made from {}: rename or remove one of them", source.display())
            }
            None => format!("would replace {rel}, which pufa writes itself: rename or remove one of them"),
        };
        out.push(Diagnostic::error(path, 0, 0, msg));
    }
    out
}

/// The content file the output file `rel` is made from: a page, a section's list, an alias's redirect or a
/// copied file; None for pufa's own files (taxonomies, feed, search, …).
fn made_from(lib: &Library, plan: &Plan, rel: &str) -> Option<PathBuf> {
    if let Some(i) = plan.page_files.iter().position(|f| f == rel) {
        return Some(shown(&lib.pages[i].source));
    }
    if let Some(i) = plan.section_files.iter().position(|files| files.iter().any(|f| f == rel)) {
        return Some(shown(&lib.sections[i].source));
    }
    if let Some(p) = lib.pages.iter().find(|p| p.meta.aliases.iter().any(|a| file_for(a) == rel)) {
        return Some(shown(&p.source));
    }
    lib.assets.iter().find(|(_, url)| url.trim_start_matches('/') == rel).map(|(source, _)| shown(source))
}
