//! Taxonomies: `tags` and `categories` (free) and `audiences` (the seven of 法律七进), each with a list page and paginated
//! term pages, newest first.

use std::collections::BTreeMap;
use std::path::Path;

// foldhash: every page's terms are looked up in these maps.
use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;
use serde::Serialize;

use super::output::{file_for, Output};
use super::render::Renderer;
use super::views::{self, Item, Link};
use super::BuildError;
use crate::content::{collate, Audience, Library, PageMeta};
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

/// The terms a page has in one taxonomy.
pub type TermsOf = fn(&PageMeta) -> &[String];

/// The free taxonomies: their key (also their URL folder) and each page's terms in it.
pub const FREE: [(&str, TermsOf); 2] = [("tags", |m| &m.tags), ("categories", |m| &m.categories)];

/// Gathers the taxonomies from the library: tags, categories (when a page has one) and audiences. Terms that
/// slugify alike (`Civil Code`, `civil code`) share a page.
pub fn gather(lib: &Library) -> Vec<Taxonomy> {
    let mut out = Vec::new();
    for (key, terms_of) in FREE {
        let terms = free(lib, key, terms_of);
        // Tags have their list page even when empty (the footer links it); categories only when used.
        if key == "tags" || !terms.is_empty() {
            out.push(Taxonomy { key, terms });
        }
    }
    let mut audiences: BTreeMap<Audience, Vec<usize>> = BTreeMap::new();
    for (i, page) in lib.pages.iter().enumerate() {
        for a in &page.meta.audiences {
            let list = audiences.entry(*a).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
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
    out.push(Taxonomy { key: "audiences", terms: audiences });
    // Newest first, then in page order: every term sorted by one rank computed once.
    let by_date = lib.newest_first();
    let mut rank = vec![0u32; lib.pages.len()];
    for (r, &p) in by_date.iter().enumerate() {
        rank[p] = r as u32;
    }
    for tax in &mut out {
        for term in &mut tax.terms {
            term.pages.sort_unstable_by_key(|&p| rank[p]);
        }
    }
    out
}

/// The terms of one free taxonomy, in pinyin order.
fn free(lib: &Library, key: &str, terms_of: TermsOf) -> Vec<Term> {
    let mut tags: Vec<Term> = Vec::new();
    let mut tag_of_slug: HashMap<String, usize> = HashMap::new();
    // Terms by name as written: most pages share their terms with many others.
    let mut tag_of_name: HashMap<&str, usize> = HashMap::new();
    for (i, page) in lib.pages.iter().enumerate() {
        for tag in terms_of(&page.meta) {
            let t = *tag_of_name.entry(tag.as_str()).or_insert_with(|| {
                let slug = views::term_slug(tag);
                *tag_of_slug.entry(slug.clone()).or_insert_with(|| {
                    tags.push(Term { name: tag.trim().to_string(), url: format!("/{key}/{slug}/"), pages: Vec::new() });
                    tags.len() - 1
                })
            });
            let term = &mut tags[t];
            if term.pages.last() != Some(&i) {
                term.pages.push(i);
            }
        }
    }
    // The first page of a term in page order names it; the names of distinct slugs differ, so this order is
    // total. In pinyin order, as a reader looks a word up (each term shows its count).
    tags.sort_by_cached_key(|t| (collate::key(&t.name), t.name.clone()));
    tags
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
            // Only the list pages written show items; the others' are left empty (an incremental build writes
            // one or two pages of a long list).
            let per = r.config.paginate_by.max(1);
            let wanted: Vec<bool> = list_files(&term.url, term.pages.len(), per).map(|f| out.wants(&f)).collect();
            let items: Vec<Item> = term
                .pages
                .iter()
                .enumerate()
                .map(|(n, &p)| {
                    if wanted[n / per] {
                        views::item(r.library, r.lang, &r.library.pages[p])
                    } else {
                        Item::default()
                    }
                })
                .collect();
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
