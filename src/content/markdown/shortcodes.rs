//! Shortcodes of sites moved from Hugo and Zola, expanded in the markdown before it is parsed: Hugo's
//! `{{< youtube ID >}}`, `{{< bilibili ID >}}`, `{{< vimeo ID >}}`, `{{< figure src=… caption=… >}}`,
//! `{{< ref "a.md" >}}`/`relref`, `highlight` and `details`, and Zola's `{{ youtube(id="…") }}` and
//! `{{ vimeo(id="…") }}`. A site's own shortcodes are tera templates in `templates/shortcodes/`; an unknown one is
//! a warning naming its line, and its inner text is kept. Fenced code and inline code are left alone.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::RenderContext;
use crate::diag::Diagnostic;

/// Renders a site's own shortcode (`templates/shortcodes/NAME.html`) with its arguments and inner text; None
/// when the site has no such template, Err with the reason when rendering failed.
pub trait Templates: Sync {
    fn shortcode(&self, name: &str, args: &Map<String, Value>, body: Option<&str>) -> Option<Result<String, String>>;
}

/// One shortcode as written: its name, arguments (positional ones under `"0"`, `"1"`, …) and where it is.
#[derive(Debug, Clone, PartialEq)]
struct Call {
    name: String,
    args: Map<String, Value>,
    /// `{{< /name >}}` or Zola's `{% end %}`.
    closing: bool,
    /// Zola's `{% name() %}` and Hugo's shortcodes may have a body up to their closing tag.
    may_have_body: bool,
    /// Bytes of the whole tag in the text.
    span: std::ops::Range<usize>,
}

/// The body with every shortcode expanded, and warnings about the unknown ones.
pub fn expand<'b>(
    body: &'b str,
    ctx: &RenderContext<'_>,
    lookups: &mut Vec<String>,
) -> (Cow<'b, str>, Vec<Diagnostic>) {
    if !body.contains("{{") && !body.contains("{%") {
        return (Cow::Borrowed(body), Vec::new());
    }
    let calls = scan(body);
    if calls.is_empty() {
        return match body.contains("/*") {
            true => (Cow::Owned(uncomment(body.to_string())), Vec::new()),
            false => (Cow::Borrowed(body), Vec::new()),
        };
    }
    let mut out = String::with_capacity(body.len());
    let mut diags = Vec::new();
    let mut at = 0;
    let mut i = 0;
    while i < calls.len() {
        let c = &calls[i];
        out.push_str(&body[at..c.span.start]);
        // A body runs to the next closing tag of the same name (Zola's `{% end %}` closes any).
        let close = (c.may_have_body && !c.closing)
            .then(|| calls[i + 1..].iter().position(|e| e.closing && (e.name == c.name || e.name.is_empty())))
            .flatten()
            .map(|n| i + 1 + n);
        let (inner, end) = match close {
            Some(j) => (Some(&body[c.span.end..calls[j].span.start]), calls[j].span.end),
            None => (None, c.span.end),
        };
        if c.closing {
            // A closing tag with no opening one: drop it.
        } else {
            let line = ctx.body_line + body[..c.span.start].matches('\n').count();
            match one(c, inner, ctx, lookups) {
                Ok(html) => out.push_str(&html),
                Err(msg) => {
                    diags.push(Diagnostic::warning(super::super::shown(ctx.source), line, 0, msg));
                    out.push_str(inner.unwrap_or(""));
                }
            }
        }
        // Keep the line count, so that later diagnostics point at the file's lines.
        let lost = body[c.span.start..end].matches('\n').count() - inner.map_or(0, |t| t.matches('\n').count());
        out.extend(std::iter::repeat_n('\n', lost));
        at = end;
        i = close.map_or(i + 1, |j| j + 1);
    }
    out.push_str(&body[at..]);
    (Cow::Owned(uncomment(out)), diags)
}

/// Hugo's `{{</* name */>}}` and Zola's `{{/* name() */}}` write the tag itself, for pages about shortcodes.
fn uncomment(text: String) -> String {
    if !text.contains("/*") {
        return text;
    }
    let mut text = text;
    for (from, to) in
        [("{{</*", "{{<"), ("*/>}}", ">}}"), ("{{%/*", "{{%"), ("*/%}}", "%}}"), ("{{/*", "{{"), ("*/}}", "}}")]
    {
        text = text.replace(from, to);
    }
    text
}

/// What one shortcode becomes, or the warning for one pufa cannot write.
fn one(c: &Call, inner: Option<&str>, ctx: &RenderContext<'_>, lookups: &mut Vec<String>) -> Result<String, String> {
    let arg = |names: &[&str]| names.iter().find_map(|n| c.args.get(*n)).map(text);
    let id = || arg(&["id", "0", "bvid", "vid"]).filter(|s| !s.is_empty()).ok_or_else(|| missing(&c.name, "id"));
    if let Some(t) = ctx.shortcodes.and_then(|t| t.shortcode(&c.name, &c.args, inner)) {
        return t.map_err(|e| format!("shortcode `{}`: {e}", c.name));
    }
    match c.name.as_str() {
        // A video link alone on a line is a player; one in a sentence stays a link.
        "youtube" => Ok(format!("https://www.youtube.com/watch?v={}", id()?)),
        "vimeo" => Ok(format!("https://vimeo.com/{}", id()?)),
        "bilibili" => {
            let id = id()?;
            let id = if id.chars().all(|ch| ch.is_ascii_digit()) { format!("av{id}") } else { id };
            let page = arg(&["p", "page", "1"]).map(|p| format!("?p={p}")).unwrap_or_default();
            Ok(format!("https://www.bilibili.com/video/{id}{page}"))
        }
        "figure" => figure(c, ctx, lookups),
        "ref" | "relref" => Ok(reference(&arg(&["0", "path"]).ok_or_else(|| missing(&c.name, "path"))?, ctx)),
        "highlight" => Ok(format!("```{}{}```", arg(&["0", "lang"]).unwrap_or_default(), inner.unwrap_or(""))),
        "details" => {
            let summary = esc(&arg(&["summary", "0"]).unwrap_or_default());
            Ok(format!("<details><summary>{summary}</summary>{}</details>", inner.unwrap_or("")))
        }
        name => Err(format!(
            "unknown shortcode `{name}`: its inner text is kept; write templates/shortcodes/{name}.html to render it"
        )),
    }
}

fn missing(name: &str, what: &str) -> String {
    format!("shortcode `{name}`: expected its {what}, like {{{{< {name} ABC123 >}}}}")
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Text escaped for HTML and its attributes, as the video players are (content does not reach into `site`).
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    super::super::video::attr(&mut out, s, false);
    out
}

/// Hugo's `figure`: an image with its caption; a path relative to the page is the copied file's URL, and a
/// photo the build made sizes of is a `<picture>` (an author's `width`/`height` win over its own).
fn figure(c: &Call, ctx: &RenderContext<'_>, lookups: &mut Vec<String>) -> Result<String, String> {
    let get = |k: &str| c.args.get(k).map(text).filter(|s| !s.is_empty());
    let src = get("src").or_else(|| get("0")).ok_or_else(|| missing("figure", "src"))?;
    let src = super::links::image(&src, ctx, lookups);
    let alt = get("alt").or_else(|| get("caption")).or_else(|| get("title")).unwrap_or_default();
    let (width, height) = (get("width"), get("height"));
    let picture = ctx.pictures.and_then(|p| p.get(&src));
    let mut img = crate::content::picture::html(&src, picture, &alt, "", [width.as_deref(), height.as_deref()]);
    if let Some(link) = get("link") {
        img = format!(r#"<a href="{}">{img}</a>"#, esc(&link));
    }
    let caption = [get("title").map(|t| format!("<strong>{}</strong>", esc(&t))), get("caption").map(|t| esc(&t))]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let caption = if caption.is_empty() { String::new() } else { format!("<figcaption>{caption}</figcaption>") };
    Ok(format!("<figure>{img}{caption}</figure>"))
}

/// Hugo's `ref`: a page by its path (`posts/a.md`, `/posts/a`, `posts/a/`) or file name (`a`), as an `@/` link
/// that the link check then resolves (and reports when broken).
fn reference(path: &str, ctx: &RenderContext<'_>) -> String {
    let (path, anchor) = path.split_once('#').map_or((path, ""), |(p, a)| (p, a));
    let anchor = if anchor.is_empty() { String::new() } else { format!("#{anchor}") };
    let p = path.trim_start_matches('/').trim_end_matches('/');
    let lib = &ctx.library.by_source;
    let candidates = [p.to_string(), format!("{p}.md"), format!("{p}/index.md"), format!("{p}/_index.md")];
    if let Some(found) = candidates.iter().find(|c| lib.contains_key(c.as_str())) {
        return format!("@/{found}{anchor}");
    }
    if !p.contains('/') {
        let name = if p.ends_with(".md") { p.to_string() } else { format!("{p}.md") };
        let mut hits = lib.keys().filter(|k| k.rsplit('/').next() == Some(name.as_str()));
        if let (Some(one), None) = (hits.next(), hits.next()) {
            return format!("@/{one}{anchor}");
        }
    }
    format!("@/{}{anchor}", if p.ends_with(".md") { p.to_string() } else { format!("{p}.md") })
}

/// Every shortcode tag of the text outside code (fenced blocks, inline code spans), in order.
fn scan(body: &str) -> Vec<Call> {
    let mut calls = Vec::new();
    let mut fence: Option<&str> = None;
    let mut line_start = true;
    let mut i = 0;
    while i < body.len() {
        if line_start {
            let line_end = body[i..].find('\n').map_or(body.len(), |n| i + n + 1);
            let t = body[i..line_end].trim_start();
            match fence {
                Some(f) => {
                    if t.starts_with(f) {
                        fence = None;
                    }
                    i = line_end;
                    continue;
                }
                None if t.starts_with("```") || t.starts_with("~~~") => {
                    fence = Some(&t[..3]);
                    i = line_end;
                    continue;
                }
                None => line_start = false,
            }
        }
        let rest = &body[i..];
        let c = rest.chars().next().unwrap_or('\n');
        match c {
            '\n' => line_start = true,
            '`' => {
                // An inline code span: to the closing run of as many backticks on the line, if any.
                let n = rest.len() - rest.trim_start_matches('`').len();
                let line_end = rest.find('\n').unwrap_or(rest.len());
                i += rest[n..line_end].find(&rest[..n]).map_or(n, |e| 2 * n + e);
                continue;
            }
            '{' => {
                if let Some(call) = tag(body, i) {
                    i = call.span.end;
                    calls.push(call);
                    continue;
                }
            }
            _ => {}
        }
        i += c.len_utf8();
    }
    calls
}

/// The longest shortcode tag looked for, arguments included.
const MAX_TAG: usize = 4096;

/// The shortcode tag starting at byte `at`, if there is one.
fn tag(body: &str, at: usize) -> Option<Call> {
    let rest = &body[at..];
    let (open, close, zola) = if rest.starts_with("{{<") {
        ("{{<", ">}}", false)
    } else if rest.starts_with("{{%") {
        ("{{%", "%}}", false)
    } else if rest.starts_with("{{") {
        ("{{", "}}", true)
    } else if rest.starts_with("{%") {
        ("{%", "%}", true)
    } else {
        return None;
    };
    // The closing mark is looked for after the opening one (in `{%}` or `{{%}}` they overlap), and within
    // MAX_TAG bytes, so that a text full of `{{` costs a bounded look each.
    let window = &rest[open.len()..];
    let mut limit = window.len().min(MAX_TAG);
    while !window.is_char_boundary(limit) {
        limit -= 1;
    }
    let end = open.len() + window[..limit].find(close)?;
    let inside = rest[open.len()..end].trim();
    let span = at..at + end + close.len();
    if zola {
        let body_tag = open == "{%";
        if body_tag && inside == "end" {
            return Some(Call { name: String::new(), args: Map::new(), closing: true, may_have_body: false, span });
        }
        let (name, args) = inside.split_once('(')?;
        let name = name.trim();
        let args = args.strip_suffix(')')?;
        if !is_name(name) {
            return None;
        }
        let args = parse_args(args, true)?;
        return Some(Call { name: name.to_string(), args, closing: false, may_have_body: body_tag, span });
    }
    // Hugo's comment form `{{</* figure */>}}` writes the tag itself.
    if inside.starts_with("/*") && inside.ends_with("*/") {
        return None;
    }
    let (closing, inside) = match inside.strip_prefix('/') {
        Some(r) => (true, r.trim_start()),
        None => (false, inside),
    };
    let self_closing = inside.ends_with('/');
    let inside = inside.trim_end_matches('/').trim_end();
    let (name, args) = inside.split_once(char::is_whitespace).unwrap_or((inside, ""));
    if !is_name(name) {
        return None;
    }
    let args = parse_args(args, false)?;
    Some(Call { name: name.to_string(), args, closing, may_have_body: !self_closing, span })
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Hugo's `a "b c" key="v"` or Zola's `key="v", n=3, on=true` into named arguments (positional ones by index).
fn parse_args(s: &str, zola: bool) -> Option<Map<String, Value>> {
    let mut args = Map::new();
    let mut rest = s.trim();
    let mut n = 0;
    while !rest.is_empty() {
        let key_end = rest.find(|c: char| c == '=' || c.is_whitespace() || c == ',' || "\"'`".contains(c));
        let (key, after) = match key_end {
            Some(k) if rest[k..].trim_start().starts_with('=') && k > 0 => {
                (Some(rest[..k].to_string()), rest[k..].trim_start()[1..].trim_start())
            }
            _ => (None, rest),
        };
        if zola && key.is_none() {
            return None;
        }
        let (value, next) = value(after)?;
        args.insert(key.unwrap_or_else(|| n.to_string()), value);
        n += 1;
        rest = next.trim_start().trim_start_matches(',').trim_start();
    }
    Some(args)
}

/// One argument value and what follows it: a quoted string, a number, a boolean or a bare word.
fn value(s: &str) -> Option<(Value, &str)> {
    let q = s.chars().next()?;
    if "\"'`".contains(q) {
        let end = s[1..].find(q)? + 1;
        return Some((Value::String(s[1..end].replace("\\\"", "\"")), &s[end + 1..]));
    }
    let end = s.find(|c: char| c.is_whitespace() || c == ',').unwrap_or(s.len());
    let word = &s[..end];
    let v = match word {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        w => w.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::String(w.to_string())),
    };
    Some((v, &s[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_positional_named_and_quoted() {
        let a = parse_args(r#"w7Ft2ymGmfc title="宪法 宣传" autoplay=true n=3"#, false).unwrap();
        assert_eq!(
            Value::Object(a),
            serde_json::json!({"0": "w7Ft2ymGmfc", "title": "宪法 宣传", "autoplay": true, "n": 3})
        );
        let z = parse_args(r#"id="abc", class='x', n=2"#, true).unwrap();
        assert_eq!(Value::Object(z), serde_json::json!({"id": "abc", "class": "x", "n": 2}));
        assert!(parse_args("abc", true).is_none(), "Zola has no positional arguments");
    }

    #[test]
    fn tags_are_found_outside_code_only() {
        let body = "a {{< youtube x >}} b\n```\n{{< youtube y >}}\n```\n`{{< youtube z >}}` {{</* figure */>}}\n{{ f(a=1) }} {{ not tera }}\n";
        let names: Vec<(String, Option<Value>)> =
            scan(body).into_iter().map(|c| (c.name, c.args.get("0").or(c.args.get("a")).cloned())).collect();
        assert_eq!(names, [("youtube".to_string(), Some("x".into())), ("f".to_string(), Some(1.into()))]);
    }

    /// Broken and hostile text is left as it is, never a panic.
    #[test]
    fn odd_braces_are_text() {
        for body in [
            "{%}",
            "{{%}}",
            "{{<",
            "{{< >}}",
            "{{<>}}",
            "{{ }}",
            "{% end",
            "{{< 宪法 >}}",
            "{{ f(a=\"x) }}",
            "`",
            "```",
            "{{</* */>}}",
        ] {
            let calls = scan(body);
            assert!(calls.iter().all(|c| c.span.end <= body.len()), "{body}");
        }
        assert!(scan("{%}").is_empty() && scan("{{%}}").is_empty());
        // a long text of openings without a close costs a bounded look per opening, not one to the end each
        let many = "{{ 宪".repeat(200_000);
        assert!(scan(&many).is_empty());
    }

    #[test]
    fn a_tag_over_several_lines_is_one_tag() {
        let body = "{{< figure\n  src=\"a.jpg\"\n  caption=\"图\" >}}\n后文 {{< youtube q >}}\n";
        let calls = scan(body);
        assert_eq!(calls.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["figure", "youtube"]);
        assert_eq!(calls[0].args.get("caption"), Some(&Value::from("图")));
    }
}
