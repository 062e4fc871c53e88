//! Content: reads `content/` (sections, pages, YAML or TOML front matter) into a `Library` and renders markdown to HTML.
//! Pure: files in, model out; it never writes.

pub mod collate;
pub mod front_matter;
mod kept_meta;
pub mod keys;
pub(crate) mod load;
mod local;
pub mod markdown;
pub mod model;
pub mod picture;
pub mod record;
pub mod slug;
pub mod source;
pub mod text;
pub mod video;
mod walk;

pub use load::{load_with, LoadOptions};
pub use model::*;
pub use source::Source;

use std::path::Path;

use crate::diag::Diagnostics;

/// Loads every section and page under `content_dir`, skipping drafts, with every problem of every file collected.
/// Diagnostics carry paths as `content/<relative path>`.
pub fn load(content_dir: &Path) -> (Library, Diagnostics) {
    load_with(content_dir, &LoadOptions::default())
}

/// The path diagnostics show for a file under `content/`.
pub fn shown(rel: &str) -> std::path::PathBuf {
    Path::new("content").join(rel)
}
