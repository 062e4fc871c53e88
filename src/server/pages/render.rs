//! The compiled site templates and site settings the competition pages render with, so they share the site's
//! `base.html`, menus and language. A watching server reloads the templates after a rebuild that touched them.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

use axum::response::Html;

use crate::diag::Diagnostics;
use crate::i18n::{t, Lang};
use crate::site::config::SiteConfig;
use crate::site::theme::{base_context, error_chain, load_templates, Theme};

/// The theme (with the site's overrides) and `site.yaml`, loaded at start; the templates again by `reload`.
#[derive(Debug)]
pub struct Templates {
    tera: RwLock<Arc<tera::Tera>>,
    pub config: SiteConfig,
    /// The site folder they come from; None for the built-in theme.
    source: Option<PathBuf>,
}

impl Templates {
    /// Loads `site.yaml` and the templates of the site at `source` (the built-in theme when it has none).
    pub fn load(source: &Path) -> Result<Templates, Diagnostics> {
        let config = SiteConfig::load(source)?;
        let tera = load_templates(source)?;
        Ok(Templates { tera: RwLock::new(Arc::new(tera)), config, source: Some(source.to_path_buf()) })
    }

    /// The built-in theme with default settings (a folder with only `quizzes/`, and tests); compiled once.
    pub fn built_in() -> Arc<Templates> {
        static BUILT_IN: OnceLock<Arc<Templates>> = OnceLock::new();
        BUILT_IN
            .get_or_init(|| {
                let tera = Theme::built_in().compile().expect("the built-in theme compiles (covered by a test)");
                Arc::new(Templates { tera: RwLock::new(Arc::new(tera)), config: SiteConfig::default(), source: None })
            })
            .clone()
    }

    /// Compiles the site's templates again (after an author changed them); on an error the pages keep the ones
    /// they have, and the error is the build's too.
    pub fn reload(&self) -> Result<(), Diagnostics> {
        let Some(source) = &self.source else { return Ok(()) };
        let tera = Arc::new(load_templates(source)?);
        *self.tera.write().unwrap_or_else(|e| e.into_inner()) = tera;
        Ok(())
    }

    /// The templates as they are now.
    pub fn tera(&self) -> Arc<tera::Tera> {
        self.tera.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The path prefix of every link (from `base_url`), "" at the domain root.
    pub fn root(&self) -> String {
        self.config.root()
    }

    /// A context with `config`, `t`, `lang` and `root`.
    pub fn context(&self, lang: Lang) -> tera::Context {
        base_context(&self.config, lang)
    }

    /// Renders `quiz/{name}`; a template error is logged with its cause and the participant sees a generic text.
    pub fn render(&self, name: &str, ctx: &tera::Context, lang: Lang) -> Result<Html<String>, String> {
        self.tera().render(&format!("quiz/{name}"), ctx).map(Html).map_err(|e| {
            tracing::error!(template = name, error = %error_chain(&e), "rendering a competition page failed");
            t(lang, "error.internal").to_string()
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
        let tera = t.tera();
        let names: Vec<&str> = tera.get_template_names().collect();
        for page in ["landing", "attempt", "result", "ranking", "admin_login", "admin", "poster", "message"] {
            assert!(names.contains(&format!("quiz/{page}.html").as_str()), "quiz/{page}.html missing: {names:?}");
        }
    }
}
