//! `site.yaml`: the optional site configuration, parsed strictly (unknown keys are errors) with defaults for
//! everything, so a folder holding only `content/` builds.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diag::{self, Diagnostic, Diagnostics};
use crate::i18n::Lang;

/// One entry of the header menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MenuItem {
    /// The label shown, e.g. 宪法学习.
    pub name: String,
    /// Where it leads: a site path such as `/columns/宪法/` or a full URL.
    pub url: String,
}

/// The contents of `site.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    /// The site name shown in the header, the title bar and the feed.
    pub title: String,
    /// Absolute URL the site is served from, e.g. `https://pufa.example.gov.cn/`; used in the feed and sitemap.
    /// Its path (if any) prefixes every link, so the site may live in a sub-folder.
    pub base_url: String,
    /// Language of the interface strings: `zh-CN` (default) or `en`.
    pub language: Lang,
    /// One-line description for the home page, `<meta name=description>` and the feed subtitle.
    pub description: String,
    /// Header menu entries, in order.
    pub menus: Vec<MenuItem>,
    /// Theme folder under `themes/`; default: the built-in default theme.
    pub theme: Option<String>,
    /// Pages per list page for sections and taxonomy terms.
    pub paginate_by: usize,
    /// Base URL of the competition server (e.g. `https://quiz.example.gov.cn`); empty means the same origin.
    pub quiz_server: String,
    /// The picture of share cards (WeChat, Weibo, …) for pages without a cover: a site path such as
    /// `/static/share.png`, or a full URL.
    pub share_image: Option<String>,
    /// Write the site's own `static/` files at the site root (`static/images/a.jpg` → `/images/a.jpg`), as Hugo
    /// and Zola do; the theme's stay under `/static/`. On when the settings come from a Hugo or Zola file.
    pub static_at_root: bool,
    /// The settings came from a Hugo or Zola file (no `site.yaml` yet): the site's own templates that would
    /// replace the theme's page templates are written for the other generator and are not used (`theme`).
    pub moved: bool,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            title: "法治宣传".into(),
            base_url: String::new(),
            language: Lang::Zh,
            description: String::new(),
            menus: Vec::new(),
            theme: None,
            paginate_by: 20,
            quiz_server: String::new(),
            share_image: None,
            static_at_root: false,
            moved: false,
        }
    }
}

impl SiteConfig {
    /// Reads `SOURCE/site.yaml` if present; without it, a Hugo or Zola configuration file (see `foreign`), else
    /// the defaults. Every problem is a diagnostic.
    pub fn load(source: &Path) -> Result<SiteConfig, Diagnostics> {
        let path = source.join("site.yaml");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return super::foreign::load(source).map_or(Ok(SiteConfig::default()), |r| r.map(|(c, _)| c));
            }
            Err(e) => return Err(Diagnostics(vec![Diagnostic::error("site.yaml", 0, 0, e.to_string())])),
        };
        Self::parse(&text)
    }

    /// Parses then validates the text of `site.yaml`.
    pub fn parse(text: &str) -> Result<SiteConfig, Diagnostics> {
        let rel = Path::new("site.yaml");
        if text.trim().is_empty() {
            return Ok(SiteConfig::default());
        }
        let config: SiteConfig =
            serde_yaml_ng::from_str(text).map_err(|e| Diagnostics(vec![diag::from_yaml(rel, 0, &e)]))?;
        let mut diags = Diagnostics::default();
        let at = |key: &str| diag::locate(text, key, 1).unwrap_or((0, 0));
        if config.paginate_by == 0 {
            let (l, c) = at("paginate_by");
            diags.push(Diagnostic::error(rel, l, c, "paginate_by: expected a number of pages of at least 1"));
        }
        for (key, value) in [("base_url", &config.base_url), ("quiz_server", &config.quiz_server)] {
            if !value.is_empty() && !value.starts_with("http://") && !value.starts_with("https://") {
                let (l, c) = at(key);
                diags.push(Diagnostic::error(
                    rel,
                    l,
                    c,
                    format!("{key}: expected an absolute URL such as https://example.org/, found \"{value}\""),
                ));
            }
        }
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(config)
        }
    }

    /// The path prefix of every link: the path of `base_url` without its trailing slash ("" at the domain root).
    pub fn root(&self) -> String {
        let rest = self.base_url.split_once("://").map(|(_, r)| r).unwrap_or("");
        match rest.find('/') {
            Some(i) => rest[i..].trim_end_matches('/').to_string(),
            None => String::new(),
        }
    }

    /// An absolute URL for a site path (for the feed and sitemap); the path alone when no `base_url` is set.
    pub fn permalink(&self, path: &str) -> String {
        // `base_url` already ends with the root path, and `path` is relative to the site root.
        format!("{}{path}", self.base_url.trim_end_matches('/'))
    }

    /// The competition server's base without a trailing slash, for `{quiz_server}/quiz/{id}/`.
    pub fn quiz_base(&self) -> &str {
        self.quiz_server.trim_end_matches('/')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        let c = SiteConfig::parse("").unwrap();
        assert_eq!(c, SiteConfig::default());
        assert_eq!(c.paginate_by, 20);
        assert_eq!(c.language, Lang::Zh);
    }

    #[test]
    fn full_file_parses() {
        let c = SiteConfig::parse(
            "title: 某县普法网\nbase_url: https://pufa.example.cn/site/\nlanguage: en\nmenus:\n  - {name: 宪法, url: /xf/}\n\
             paginate_by: 5\nquiz_server: https://quiz.example.cn/\n",
        )
        .unwrap();
        assert_eq!(c.title, "某县普法网");
        assert_eq!(c.language, Lang::En);
        assert_eq!(c.menus[0].url, "/xf/");
        assert_eq!(c.root(), "/site");
        assert_eq!(c.permalink("/a/"), "https://pufa.example.cn/site/a/");
        assert_eq!(c.quiz_base(), "https://quiz.example.cn");
    }

    #[test]
    fn errors_name_line_and_column() {
        let cases = [
            ("title: a\ntitel: b\n", 2, "titel"),
            ("paginate_by: 0\n", 1, "paginate_by"),
            ("base_url: example.org\n", 1, "base_url"),
            ("language: fr\n", 1, "language"),
        ];
        for (text, line, needle) in cases {
            let d = SiteConfig::parse(text).unwrap_err();
            assert_eq!(d.0[0].line, line, "{text}: {d}");
            assert!(d.0[0].message.contains(needle) || d.0[0].message.contains("unknown variant"), "{text}: {d}");
        }
    }

    #[test]
    fn root_is_empty_at_domain_root() {
        let c = SiteConfig { base_url: "https://a.cn".into(), ..SiteConfig::default() };
        assert_eq!(c.root(), "");
        assert_eq!(SiteConfig::default().root(), "");
    }
}
