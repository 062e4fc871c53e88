//! The configuration of a site moved from Hugo or Zola, read while it has no `site.yaml` yet: `hugo.toml`,
//! `hugo.yaml` or `config.toml`/`config.yaml` give the title, base URL, language, description, main menu and page
//! size. Their other settings mean nothing to pufa and are left alone.

use std::path::Path;

use serde_json::Value;

use super::config::{MenuItem, SiteConfig};
use crate::diag::{Diagnostic, Diagnostics};
use crate::i18n::Lang;

/// The files looked for, in order: Hugo's (since 0.110 `hugo.*`, before `config.*`) and Zola's `config.toml`.
pub const FILES: [&str; 6] = ["hugo.toml", "hugo.yaml", "hugo.yml", "config.toml", "config.yaml", "config.yml"];

/// The settings of the first of `FILES` in `source`, or None when there is none.
pub fn load(source: &Path) -> Option<Result<(SiteConfig, &'static str), Diagnostics>> {
    let name = FILES.into_iter().find(|n| source.join(n).is_file())?;
    let fail = |line, column, msg: String| Some(Err(Diagnostics(vec![Diagnostic::error(name, line, column, msg)])));
    let text = match std::fs::read_to_string(source.join(name)) {
        Ok(t) => t,
        Err(e) => return fail(0, 0, format!("cannot read file: {e}")),
    };
    let value = if name.ends_with(".toml") {
        match toml::from_str::<toml::Table>(&text) {
            Ok(t) => serde_json::to_value(t).unwrap_or(Value::Null),
            Err(e) => {
                let at = e.span().map_or(0, |s| s.start);
                let line = text.get(..at).unwrap_or(&text).matches('\n').count() + 1;
                return fail(line, 0, e.message().to_string());
            }
        }
    } else {
        match serde_yaml_ng::from_str::<Value>(&text) {
            Ok(v) => v,
            Err(e) => return fail(e.location().map_or(0, |l| l.line()), 0, e.to_string()),
        }
    };
    Some(Ok((from(&value), name)))
}

/// A key of a mapping in any letter case (Hugo reads `baseURL` and `baseurl` alike).
fn get<'v>(v: &'v Value, keys: &[&str]) -> Option<&'v Value> {
    let map = v.as_object()?;
    keys.iter().find_map(|k| map.iter().find(|(name, _)| name.eq_ignore_ascii_case(k)).map(|(_, v)| v))
}

fn text(v: &Value, keys: &[&str]) -> Option<String> {
    get(v, keys).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn from(v: &Value) -> SiteConfig {
    let mut c = SiteConfig { static_at_root: true, moved: true, ..SiteConfig::default() };
    if let Some(t) = text(v, &["title"]) {
        c.title = t;
    }
    // Hugo allows `baseURL = "/"`; pufa's base_url is an absolute address or nothing.
    if let Some(u) = text(v, &["baseURL", "base_url"]).filter(|u| u.starts_with("http://") || u.starts_with("https://"))
    {
        c.base_url = u;
    }
    if let Some(l) = text(v, &["languageCode", "defaultContentLanguage", "default_language"]) {
        c.language = Lang::parse(&l).unwrap_or_default();
    }
    let params = get(v, &["params", "extra"]).cloned().unwrap_or(Value::Null);
    if let Some(d) = text(v, &["description"]).or_else(|| text(&params, &["description"])) {
        c.description = d;
    }
    let pager = get(v, &["paginate"]).or_else(|| get(v, &["pagination"]).and_then(|p| get(p, &["pagerSize"])));
    if let Some(n) = pager.and_then(Value::as_u64).filter(|n| *n > 0) {
        c.paginate_by = n as usize;
    }
    c.menus = menu(v);
    c
}

/// Hugo's `[[menu.main]]` (or `menus.main`) entries in weight order: their `name` and `url` or `pageRef`.
fn menu(v: &Value) -> Vec<MenuItem> {
    let Some(Value::Array(entries)) = get(v, &["menu", "menus"]).and_then(|m| get(m, &["main"])) else {
        return Vec::new();
    };
    let mut items: Vec<(i64, MenuItem)> = entries
        .iter()
        .filter_map(|e| {
            let name = text(e, &["name"])?;
            let url = text(e, &["url"]).or_else(|| {
                // A page reference (`/posts`, `posts/_index.md`) names a section or page: its folder's address.
                text(e, &["pageRef"]).map(|p| {
                    let p = p.trim_end_matches("_index.md").trim_end_matches("index.md").trim_end_matches(".md");
                    format!("/{}/", p.trim_matches('/')).replace("//", "/")
                })
            })?;
            Some((get(e, &["weight"]).and_then(Value::as_i64).unwrap_or(0), MenuItem { name, url }))
        })
        .collect();
    items.sort_by_key(|(w, _)| *w);
    items.into_iter().map(|(_, m)| m).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hugo_settings_are_read_in_any_case() {
        let t: toml::Table = toml::from_str(
            "baseurl = \"https://pufa.example.cn/\"\ntitle = \"某县普法网\"\nlanguageCode = \"zh-cn\"\npaginate = 8\n\
             [params]\ndescription = \"学法用法\"\n[[menu.main]]\nname = \"关于\"\nurl = \"/about/\"\nweight = 20\n\
             [[menu.main]]\nname = \"文章\"\npageRef = \"/posts\"\nweight = 10\n",
        )
        .unwrap();
        let c = from(&serde_json::to_value(t).unwrap());
        assert_eq!((c.title.as_str(), c.base_url.as_str()), ("某县普法网", "https://pufa.example.cn/"));
        assert_eq!((c.language, c.description.as_str(), c.paginate_by), (Lang::Zh, "学法用法", 8));
        let menu: Vec<(&str, &str)> = c.menus.iter().map(|m| (m.name.as_str(), m.url.as_str())).collect();
        assert_eq!(menu, [("文章", "/posts/"), ("关于", "/about/")]);
    }

    #[test]
    fn zola_settings_and_a_relative_base_url() {
        let t: toml::Table =
            toml::from_str("base_url = \"/\"\ntitle = \"普法\"\ndescription = \"d\"\ndefault_language = \"en\"\n")
                .unwrap();
        let c = from(&serde_json::to_value(t).unwrap());
        assert_eq!((c.base_url.as_str(), c.language, c.description.as_str()), ("", Lang::En, "d"));
    }
}
