//! Taxonomies: `tags` (free) and `audiences` (the seven of 法律七进), each with a list page and paginated
//! term pages, newest first.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use super::output::{file_for, Output};
use super::render::Renderer;
use super::views::{self, Item, Link};
use super::BuildError;
use crate::content::{Audience, Library};
use crate::diag::Diagnostic;
use crate::i18n;

/// One term and its pages (indices into `Library::pages`, newest first).
#[derive(Debug, Clone)]
pub struct Term {
    pub name: String,
    pub url: String,
    pub pages: Vec<usize>,
}

/// A taxonomy: its key (`tags`), title and terms in display order.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub key: &'static str,
    pub terms: Vec<Term>,
}

fn newest_first(lib: &Library, pages: &mut [usize]) {
    pages.sort_by(|&a, &b| lib.pages[b].meta.date.cmp(&lib.pages[a].meta.date).then(a.cmp(&b)));
}

/// Gathers both taxonomies from the library. Tags that slugify alike (`Civil Code`, `civil code`) share a page.
pub fn gather(lib: &Library) -> Vec<Taxonomy> {
    let mut tags: BTreeMap<String, Term> = BTreeMap::new();
    let mut audiences: BTreeMap<Audience, Vec<usize>> = BTreeMap::new();
    for (i, page) in lib.pages.iter().enumerate() {
        for tag in &page.meta.tags {
            let slug = views::term_slug(tag);
            let term = tags.entry(slug.clone()).or_insert_with(|| Term {
                name: tag.trim().to_string(),
                url: format!("/tags/{slug}/"),
                pages: Vec::new(),
            });
            if term.pages.last() != Some(&i) {
                term.pages.push(i);
            }
        }
        for a in &page.meta.audiences {
            let list = audiences.entry(*a).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    let mut tags: Vec<Term> = tags.into_values().collect();
    // Most used tags first: a reader scanning the list sees the big topics.
    tags.sort_by(|a, b| b.pages.len().cmp(&a.pages.len()).then(a.name.cmp(&b.name)));
    let audiences = Audience::ALL
        .iter()
        .filter_map(|a| {
            audiences.remove(a).map(|pages| Term {
                name: a.name().to_string(),
                url: format!("/audiences/{}/", a.name()),
                pages,
            })
        })
        .collect();
    let mut out = vec![Taxonomy { key: "tags", terms: tags }, Taxonomy { key: "audiences", terms: audiences }];
    for tax in &mut out {
        for term in &mut tax.terms {
            newest_first(lib, &mut term.pages);
        }
    }
    out
}

#[derive(Serialize)]
struct TaxView<'a> {
    key: &'a str,
    title: &'a str,
    url: String,
}

#[derive(Serialize)]
struct TermView<'a> {
    name: &'a str,
    url: &'a str,
    count: usize,
}

/// Writes the list page and the term pages of one taxonomy.
pub fn render(r: &Renderer<'_>, tax: &Taxonomy, out: &Output) -> Result<Vec<Diagnostic>, BuildError> {
    let mut diags = Vec::new();
    let key = format!("nav.{}", tax.key);
    let title = i18n::t(r.lang, &key);
    let view = TaxView { key: tax.key, title, url: format!("/{}/", tax.key) };
    let source = Path::new("templates");
    let mut ctx = r.base.clone();
    ctx.insert("taxonomy", &view);
    let terms: Vec<TermView<'_>> =
        tax.terms.iter().map(|t| TermView { name: &t.name, url: &t.url, count: t.pages.len() }).collect();
    ctx.insert("terms", &terms);
    if out.wants(&file_for(&view.url)) {
        match r.render("taxonomy_list.html", &ctx, &source.join("taxonomy_list.html")) {
            Ok(html) => out.write_page(&view.url, &html)?,
            Err(d) => diags.push(d),
        }
    }
    // Term pages are independent: render them on all cores like content pages.
    let per_term: Vec<Vec<Diagnostic>> = tax
        .terms
        .par_iter()
        .filter(|term| list_files(&term.url, term.pages.len(), r.config.paginate_by).any(|f| out.wants(&f)))
        .map(|term| {
            let mut diags = Vec::new();
            let items: Vec<Item> =
                term.pages.iter().map(|&p| views::item(r.library, r.lang, &r.library.pages[p])).collect();
            let mut ctx = r.base.clone();
            ctx.insert("taxonomy", &view);
            ctx.insert("term", &TermView { name: &term.name, url: &term.url, count: items.len() });
            ctx.insert("breadcrumb", &[Link { title: title.to_string(), url: view.url.clone() }]);
            let template = "taxonomy_term.html";
            r.paginated(
                &term.url,
                &items,
                r.config.paginate_by,
                template,
                &source.join(template),
                &mut ctx,
                out,
                &mut diags,
            )?;
            Ok(diags)
        })
        .collect::<Result<_, BuildError>>()?;
    diags.extend(per_term.into_iter().flatten());
    Ok(diags)
}

/// The files of a list of `items` pages at `base`, `per` to a page: `base/index.html`, `base/page/2/index.html`, …
pub fn list_files(base: &str, items: usize, per: usize) -> impl Iterator<Item = String> + '_ {
    (1..=items.div_ceil(per.max(1)).max(1)).map(move |n| file_for(&views::page_url(base, n)))
}
