//! The commands of the `pufa` binary, each a thin shell over the library: `build` (`pufa build`, `pufa check`),
//! `serve` (`pufa serve`), `db` (`pufa migrate`, `pufa export`, `pufa import`) and `import` (`pufa import questions`,
//! `pufa import template`). What they share: the site folder's default database and its language.

pub mod build;
pub mod db;
pub mod import;
pub mod serve;

use std::path::Path;

use crate::i18n::Lang;

/// The database of a site folder when none is given: `SOURCE/pufa.sqlite`.
pub fn default_database_url(source: &Path) -> String {
    format!("sqlite:{}", source.join("pufa.sqlite").display())
}

/// The language of the site in `source`, as `pufa build` and `pufa serve` use it; zh-CN when site.yaml is
/// missing or broken (the command at hand is about the database, not the site).
pub fn lang(source: &Path) -> Lang {
    crate::site::SiteConfig::load(source).map(|c| c.language).unwrap_or_default()
}
