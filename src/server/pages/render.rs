//! The compiled site templates and site settings the competition pages render with, so they share the site's
//! `base.html`, menus and language.

use std::path::Path;

use axum::response::Html;
use chrono::Utc;

use crate::diag::Diagnostics;
use crate::i18n::{t, Lang};
use crate::site::config::SiteConfig;
use crate::site::theme::{base_context, error_chain, load_templates};

/// The theme (with the site's overrides) and `site.yaml`, loaded once at start.
#[derive(Debug)]
pub struct Templates {
    pub tera: tera::Tera,
    pub config: SiteConfig,
}

impl Templates {
    /// Loads `site.yaml` and the templates of the site at `source` (the built-in theme when it has none).
    pub fn load(source: &Path) -> Result<Templates, Diagnostics> {
        let config = SiteConfig::load(source)?;
        let tera = load_templates(source)?;
        Ok(Templates { tera, config })
    }

    pub fn lang(&self) -> Lang {
        self.config.language
    }

    /// The path prefix of every link (from `base_url`), "" at the domain root.
    pub fn root(&self) -> String {
        self.config.root()
    }

    /// A context with `config`, `t`, `lang`, `root` and `now`.
    pub fn context(&self) -> tera::Context {
        let mut ctx = base_context(&self.config, self.lang());
        ctx.insert("now", &Utc::now().to_rfc3339());
        ctx
    }

    /// Renders `quiz/{name}`; a template error is logged with its cause and the participant sees a generic text.
    pub fn render(&self, name: &str, ctx: &tera::Context) -> Result<Html<String>, String> {
        self.tera.render(&format!("quiz/{name}"), ctx).map(Html).map_err(|e| {
            tracing::error!(template = name, error = %error_chain(&e), "rendering a competition page failed");
            t(self.lang(), "error.internal").to_string()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_theme_has_every_competition_page() {
        let dir = tempfile::tempdir().unwrap();
        let t = Templates::load(dir.path()).unwrap();
        let names: Vec<&str> = t.tera.get_template_names().collect();
        for page in ["landing", "attempt", "result", "ranking", "admin_login", "admin", "poster", "message"] {
            assert!(names.contains(&format!("quiz/{page}.html").as_str()), "quiz/{page}.html missing: {names:?}");
        }
    }
}
