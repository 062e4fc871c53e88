//! The theme: tera templates and static files, from the built-in default theme or `themes/NAME/`, with the
//! site's own `templates/` and `static/` overriding them by name. Templates are compiled once per build.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::config::SiteConfig;
use crate::diag::{Diagnostic, Diagnostics};
use crate::i18n::{self, Lang};

include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));

/// The path diagnostics show for the built-in theme's files (`themes/default (built in)/templates/page.html`), by
/// which its templates are told from a site's own.
const BUILT_IN: &str = "themes/default (built in)";

/// Where a static file comes from.
#[derive(Debug, Clone)]
pub enum StaticFile {
    Embedded(&'static [u8]),
    Disk(PathBuf),
}

/// Where a static file of the theme map goes in the output: `static/NAME`, or `NAME` for a site's own file
/// written at the root (its key starts with `/`, see `SiteConfig::static_at_root`).
pub fn static_output(name: &str) -> String {
    match name.strip_prefix('/') {
        Some(at_root) => at_root.to_string(),
        None => format!("static/{name}"),
    }
}

/// Templates (name → source, with the path shown in errors) and static files (site path → origin).
#[derive(Debug, Default)]
pub struct Theme {
    pub templates: BTreeMap<String, (PathBuf, String)>,
    pub statics: BTreeMap<String, StaticFile>,
    /// Warnings about the theme that do not stop the build.
    pub notes: Vec<Diagnostic>,
}

impl Theme {
    /// Gathers the theme named in `config` (or the built-in one) and the site's overrides.
    pub fn gather(source: &Path, config: &SiteConfig) -> Result<Theme, Diagnostics> {
        let mut theme = Theme::default();
        let mut diags = Diagnostics::default();
        match &config.theme {
            // `theme: default` without a themes/default/ folder means the built-in one.
            Some(name) if name != "default" || source.join("themes/default").is_dir() => {
                let dir = source.join("themes").join(name);
                if !dir.is_dir() {
                    let (l, c) = crate::diag::locate(
                        &std::fs::read_to_string(source.join("site.yaml")).unwrap_or_default(),
                        "theme",
                        1,
                    )
                    .unwrap_or((0, 0));
                    diags.push(Diagnostic::error(
                        "site.yaml",
                        l,
                        c,
                        format!("theme: expected a folder themes/{name}/, found none"),
                    ));
                    return Err(diags);
                }
                theme.add_dir(&dir, Path::new("themes").join(name).as_path(), "", &mut diags);
            }
            _ => theme.add_built_in(),
        }
        // The site's own static files override the theme's by name, or go to the root (Hugo's and Zola's way).
        let site_statics = if config.static_at_root { "/" } else { "" };
        let themes = theme.templates.clone();
        theme.add_dir(source, Path::new(""), site_statics, &mut diags);
        if config.moved {
            theme.keep_theme_pages(themes);
        }
        if let Some(StaticFile::Disk(path)) = theme.statics.get("search.js") {
            let shown = path.strip_prefix(source).unwrap_or(path);
            theme.notes.extend(outdated_search_js(shown, &std::fs::read_to_string(path).unwrap_or_default()));
        }
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(theme)
        }
    }

    /// A site moved from Zola keeps its own `templates/`, written for Zola: those named like one of the theme's
    /// (base.html, page.html, section.html, index.html…) would call Zola's functions and fail, so the theme's stay,
    /// with one note. The site's other templates (a page's own `template = "x.html"`, `shortcodes/`) are used.
    fn keep_theme_pages(&mut self, themes: BTreeMap<String, (PathBuf, String)>) {
        let mut kept = Vec::new();
        for (name, original) in themes {
            if let Some(site) = self.templates.get(&name).filter(|(_, text)| *text != original.1) {
                if !name.starts_with("shortcodes/") {
                    kept.push(site.0.display().to_string());
                    self.templates.insert(name, original);
                }
            }
        }
        if !kept.is_empty() {
            let msg = format!(
                "{} template(s) written for Zola are not used, the theme's are ({}): add a site.yaml to use the \
                 site's own templates",
                kept.len(),
                kept.join(", ")
            );
            self.notes.push(Diagnostic::warning("templates", 0, 0, msg));
        }
    }

    /// The built-in default theme alone, without any site's overrides (the competition pages of a folder with
    /// only `quizzes/`, and tests).
    pub fn built_in() -> Theme {
        let mut theme = Theme::default();
        theme.add_built_in();
        theme
    }

    fn add_built_in(&mut self) {
        for (rel, bytes) in DEFAULT_THEME {
            let shown = Path::new(BUILT_IN).join(rel);
            if let Some(name) = rel.strip_prefix("templates/") {
                let text = String::from_utf8_lossy(bytes).into_owned();
                self.templates.insert(name.to_string(), (shown, text));
            } else if let Some(name) = rel.strip_prefix("static/") {
                self.statics.insert(name.to_string(), StaticFile::Embedded(bytes));
            }
        }
    }

    /// Adds `dir/templates/**` and `dir/static/**` (named with `static_prefix` before their path), replacing
    /// files of the same name.
    fn add_dir(&mut self, dir: &Path, shown: &Path, static_prefix: &str, diags: &mut Diagnostics) {
        for (kind, is_template) in [("templates", true), ("static", false)] {
            let base = dir.join(kind);
            if !base.is_dir() {
                continue;
            }
            for entry in WalkDir::new(&base).sort_by_file_name() {
                let entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        let p = e.path().map(Path::to_path_buf).unwrap_or_else(|| base.clone());
                        diags.push(Diagnostic::error(p, 0, 0, e.to_string()));
                        continue;
                    }
                };
                if !entry.file_type().is_file() {
                    continue;
                }
                let rel = entry.path().strip_prefix(&base).unwrap_or(entry.path());
                let name = rel.to_string_lossy().replace('\\', "/");
                let shown_path = shown.join(kind).join(rel);
                if is_template {
                    match std::fs::read_to_string(entry.path()) {
                        Ok(text) => {
                            self.templates.insert(name, (shown_path, text));
                        }
                        Err(e) => diags.push(Diagnostic::error(shown_path, 0, 0, e.to_string())),
                    }
                } else {
                    self.statics.insert(format!("{static_prefix}{name}"), StaticFile::Disk(entry.path().to_path_buf()));
                }
            }
        }
    }

    /// Compiles every template once.
    pub fn compile(&self) -> Result<tera::Tera, Diagnostics> {
        self.compile_only(|_, _| true)
    }

    /// Compiles the templates a site build renders with: all but the built-in theme's competition server pages
    /// (its `quiz/` templates), which `pufa serve` compiles on its own; parsing them was a sixth of a cached
    /// build's CPU. A site's own copy of one is compiled, so `pufa build` reports its errors. A site whose
    /// templates need one of the built-in server pages after all gets them all.
    pub fn compile_site(&self) -> Result<tera::Tera, Diagnostics> {
        let built_in_server_page = |name: &str, path: &Path| name.starts_with("quiz/") && path.starts_with(BUILT_IN);
        self.compile_only(|name, path| !built_in_server_page(name, path)).or_else(|_| self.compile())
    }

    fn compile_only(&self, wanted: impl Fn(&str, &Path) -> bool) -> Result<tera::Tera, Diagnostics> {
        let mut tera = tera::Tera::default();
        tera.set_escape_fn(escape);
        let raw: Vec<(&str, &str)> = self
            .templates
            .iter()
            .filter(|(n, (p, _))| wanted(n, p))
            .map(|(n, (_, t))| (n.as_str(), t.as_str()))
            .collect();
        tera.add_raw_templates(raw).map_err(|e| {
            let msg = error_chain(&e);
            // Tera names the template in its message; point at that file when we can.
            let path = self
                .templates
                .iter()
                .find(|(n, _)| msg.contains(&format!("'{n}'")))
                .map(|(_, (p, _))| p.clone())
                .unwrap_or_else(|| PathBuf::from("templates"));
            Diagnostics(vec![Diagnostic::error(path, 0, 0, msg)])
        })?;
        Ok(tera)
    }
}

/// Escapes text for HTML and XML. Unlike tera's default it leaves `/` alone: `&#x2F;` in every URL is valid
/// but makes pages bigger and harder to read, and `/` needs no escaping in text or quoted attributes.
pub fn escape(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A tera error with its causes, on one line.
pub fn error_chain(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        msg.push_str(": ");
        msg.push_str(&c.to_string());
        cause = c.source();
    }
    msg.replace('\n', " ")
}

/// The compiled templates of the site at `source` (theme + the site's overrides), including `quiz/`, for the
/// competition server, which renders its pages with the same `base.html`.
pub fn load_templates(source: &Path) -> Result<tera::Tera, Diagnostics> {
    let config = SiteConfig::load(source)?;
    Theme::gather(source, &config)?.compile()
}

/// The context every template gets: `config`, `t` (the strings of the site language), `lang`, `root`.
pub fn base_context(config: &SiteConfig, lang: Lang) -> tera::Context {
    let mut ctx = tera::Context::new();
    ctx.insert("config", config);
    ctx.insert("t", &i18n::all(lang));
    ctx.insert("lang", lang.tag());
    ctx.insert("root", &config.root());
    ctx
}

/// A warning when a site's or theme's own `search.js` (`text`, at `shown`) reads another layout of the search index
/// than this pufa writes: its search page would only say the index could not be loaded.
fn outdated_search_js(shown: &Path, text: &str) -> Option<Diagnostic> {
    let (line, rest) = text.lines().enumerate().find_map(|(n, l)| Some((n + 1, l.split_once("VERSION = ")?.1)))?;
    let layout: u32 = rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()?;
    let msg = format!(
        "this copy of search.js reads search index layout {layout}, this pufa writes layout {}: the search page \
         will fail to load the index; delete the copy to use the built-in search.js, or update it from there",
        crate::site::search::VERSION
    );
    (layout != crate::site::search::VERSION).then(|| Diagnostic::warning(shown, line, 0, msg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_build_leaves_out_the_competition_servers_pages_unless_a_template_needs_one() {
        let names = |t: &tera::Tera| t.get_template_names().map(str::to_string).collect::<Vec<_>>();
        let mut theme = Theme::built_in();
        let site = names(&theme.compile_site().unwrap());
        assert!(site.iter().any(|n| n == "page.html") && !site.iter().any(|n| n == "quiz/landing.html"), "{site:?}");
        assert!(names(&theme.compile().unwrap()).iter().any(|n| n == "quiz/landing.html"));
        // A site's own template that is not one of the server's pages stays, under quiz/ too (a Zola section).
        let own = "{% extends \"base.html\" %}{% block main %}测验{% endblock %}";
        theme.templates.insert("quiz/section.html".into(), (PathBuf::from("templates/quiz/section.html"), own.into()));
        assert!(names(&theme.compile_site().unwrap()).iter().any(|n| n == "quiz/section.html"));
        // One that extends a server page gets them all.
        let extending = "{% extends \"quiz/layout.html\" %}";
        theme.templates.insert("mine.html".into(), (PathBuf::from("templates/mine.html"), extending.into()));
        let all = names(&theme.compile_site().unwrap());
        assert!(all.iter().any(|n| n == "mine.html") && all.iter().any(|n| n == "quiz/layout.html"));
    }

    #[test]
    fn a_site_build_reports_an_error_in_the_sites_own_copy_of_a_server_page() {
        let mut theme = Theme::built_in();
        let path = PathBuf::from("templates/quiz/landing.html");
        theme.templates.insert("quiz/landing.html".into(), (path, "{% if %}坏了".into()));
        let err = theme.compile_site().expect_err("a broken server page of the site's own");
        assert!(err.0.iter().any(|d| d.to_string().contains("quiz/landing.html")), "{err:?}");
    }

    #[test]
    fn default_theme_is_embedded_and_compiles() {
        let dir = tempfile::tempdir().unwrap();
        let theme = Theme::gather(dir.path(), &SiteConfig::default()).unwrap();
        for name in ["base.html", "page.html", "section.html", "index.html", "search.html", "404.html"] {
            assert!(theme.templates.contains_key(name), "{name} missing");
        }
        for name in ["style.css", "player.js", "search.js", "textsize.js"] {
            assert!(theme.statics.contains_key(name), "{name} missing");
        }
        theme.compile().unwrap();
    }

    #[test]
    fn a_site_s_own_search_js_of_another_index_layout_is_a_warning() {
        let built_in = DEFAULT_THEME.iter().find(|(rel, _)| *rel == "static/search.js").expect("search.js").1;
        let current = String::from_utf8_lossy(built_in);
        assert!(outdated_search_js(Path::new("static/search.js"), &current).is_none());
        let old =
            current.replace(&format!("var VERSION = {}, HITS", crate::site::search::VERSION), "var VERSION = 3, HITS");
        assert_ne!(old, current, "the built-in search.js names its layout as `var VERSION = N`");
        let d = outdated_search_js(Path::new("static/search.js"), &old).expect("a warning");
        assert!(d.message.contains("layout 3") && d.line > 1, "{d:?}");
        // A search of the site's own making, naming no layout: nothing to say.
        assert!(outdated_search_js(Path::new("static/search.js"), "console.log(1)").is_none());

        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("static")).unwrap();
        std::fs::write(dir.path().join("static/search.js"), &old).unwrap();
        let theme = Theme::gather(dir.path(), &SiteConfig::default()).unwrap();
        assert!(theme.notes.iter().any(|n| n.message.contains("layout 3")), "{:?}", theme.notes);
    }

    #[test]
    fn site_templates_override_theme_ones() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(
            dir.path().join("templates/404.html"),
            "{% extends \"base.html\" %}{% block main %}NOPE{% endblock %}",
        )
        .unwrap();
        let tera = load_templates(dir.path()).unwrap();
        let html = tera.render("404.html", &base_context(&SiteConfig::default(), Lang::Zh)).unwrap();
        assert!(html.contains("NOPE"), "{html}");
    }

    #[test]
    fn escape_table() {
        for (raw, escaped) in [("/a/b/", "/a/b/"), ("a&b", "a&amp;b"), ("<x>", "&lt;x&gt;"), ("\"'", "&quot;&#39;")] {
            assert_eq!(escape(raw), escaped);
        }
    }

    #[test]
    fn missing_theme_folder_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("site.yaml"), "title: x\ntheme: fancy\n").unwrap();
        let d = load_templates(dir.path()).unwrap_err();
        assert_eq!(d.0[0].to_string(), "site.yaml:2:1: theme: expected a folder themes/fancy/, found none");
    }

    #[test]
    fn template_syntax_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/page.html"), "{% if %}").unwrap();
        let d = load_templates(dir.path()).unwrap_err();
        assert!(d.0[0].path.ends_with("templates/page.html"), "{d}");
    }
}
