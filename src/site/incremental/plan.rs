//! The dependency graph, as fingerprints: every output file gets a hash of everything its content is made
//! from (the page's file, its neighbours' titles, the items of a list page, the templates and `site.yaml`, …).
//! A file whose fingerprint is unchanged since the last build is up to date; the others are rendered again.
//! Rendering is deterministic, so equal fingerprints mean equal bytes.

use foldhash::{HashMap, HashMapExt};
use std::io::Write;

use rayon::prelude::*;
use serde::Serialize;
use xxhash_rust::xxh3::Xxh3;

use super::Built;
use crate::content::{Library, Target};
use crate::site::output::file_for;
use crate::site::search::CHUNK;
use crate::site::taxonomy::{self, list_files};
use crate::site::theme::StaticFile;
use crate::site::{feed, views, SiteConfig};
use chrono::Datelike;

/// A fingerprint being computed: fields are length-prefixed so that no two inputs run together.
pub struct Fp(Xxh3);

impl Fp {
    pub fn new(kind: &str, global: u64) -> Fp {
        let mut f = Fp(Xxh3::new());
        f.str(kind).u64(global);
        f
    }

    pub fn str(&mut self, s: &str) -> &mut Fp {
        self.u64(s.len() as u64);
        self.0.update(s.as_bytes());
        self
    }

    pub fn bytes(&mut self, b: &[u8]) -> &mut Fp {
        self.u64(b.len() as u64);
        self.0.update(b);
        self
    }

    pub fn u64(&mut self, n: u64) -> &mut Fp {
        self.0.update(&n.to_le_bytes());
        self
    }

    /// Any serialisable value, as JSON (the form templates see it in).
    pub fn json(&mut self, v: &impl Serialize) -> &mut Fp {
        serde_json::to_writer(&mut *self, v).expect("views serialise");
        self.0.update(b"\0");
        self
    }

    pub fn finish(&self) -> u64 {
        self.0.digest()
    }
}

impl Write for Fp {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What the fingerprints are computed from.
pub struct Inputs<'a> {
    pub lib: &'a Library,
    pub config: &'a SiteConfig,
    /// Fingerprint of what every output depends on: pufa itself, `site.yaml`, templates, quizzes, options.
    pub global: u64,
    pub positions: &'a [Option<usize>],
    pub statics: &'a std::collections::BTreeMap<String, StaticFile>,
    /// Content hash of a file under `content/`.
    pub hash: &'a (dyn Fn(&str) -> Option<u64> + Sync),
    /// The competitions' ids in list order, when there is a `quizzes/` folder.
    pub competitions: Option<Vec<String>>,
    /// The last build, for the content paths each page and section looked up.
    pub last: Option<&'a Built>,
    /// See [`breadcrumbs`].
    pub breadcrumbs: &'a [u64],
    pub taxonomies: &'a [taxonomy::Taxonomy],
    /// The sizes made of the site's photos: a page showing one changes when the photo does.
    pub pictures: &'a crate::site::pictures::Made,
    /// What can be taken from the last build when its library was patched rather than put together anew.
    pub reuse: Option<Reuse<'a>>,
}

/// See [`Inputs::reuse`].
#[derive(Clone, Copy)]
pub struct Reuse<'a> {
    /// The last build's list-view hashes of the pages, by page number (unchanged numbering).
    pub items: &'a [u64],
    /// Pages whose inputs may have changed; the others' list-view hashes are the last build's.
    pub affected: &'a [bool],
    /// Whether the other pages' fingerprints are the last build's too (its global fingerprint and its pictures
    /// were the same).
    pub fingerprints: bool,
}

/// Every output file (but the video gallery and the search shards, which need the pages rendered first) with
/// its fingerprint, and which files belong to which page and section.
pub struct Plan {
    pub files: HashMap<String, u64>,
    /// Page number → its file.
    pub page_files: Vec<String>,
    /// Section number → its files.
    pub section_files: Vec<Vec<String>>,
    /// The site's own static files written at the root over a file made from the content or by pufa, as
    /// (static file's name, output file): errors (see `site::clash`).
    pub clashes: Vec<(String, String)>,
    /// The fingerprints of the page table's chunks (`search/p/N.json`) so far: the rows without their block
    /// lengths.
    pub chunks: Vec<Fp>,
}

/// Where the content paths a body looked up lead now (a page, a section, an asset, or nothing), and the
/// picture made of an asset or of a static file (looked up by its site path, `/images/a.jpg`).
fn lookups(f: &mut Fp, inp: &Inputs<'_>, keys: &[String]) {
    let lib = inp.lib;
    for key in keys {
        f.str(key);
        match lib.by_source.get(key) {
            Some(&t) => f.str(lib.url_of(t)).u64(matches!(t, Target::Page(_)) as u64),
            None => f.str("\0"),
        };
        let asset = lib.assets.get(key);
        f.str(asset.map_or("\0", String::as_str));
        let url = asset.map(String::as_str).or(key.starts_with('/').then_some(key.as_str()));
        f.u64(url.map_or(0, |u| inp.pictures.pictures.key(u)));
    }
}

/// Page `i`'s file and fingerprint, given the content paths its body looks up.
pub fn page(inp: &Inputs<'_>, i: usize, looked_up: &[String]) -> (String, u64) {
    let lib = inp.lib;
    let page = &lib.pages[i];
    let mut f = Fp::new("page", inp.global);
    // The file's hash stands for its front matter and body; the cover and videos may have been rewritten to
    // the URLs of assets.
    f.str(&page.source).u64((inp.hash)(&page.source).unwrap_or(0)).str(&page.url);
    f.json(&page.meta.cover).json(&page.meta.videos);
    let section = &lib.sections[page.section];
    f.str(&section.meta.title).str(&section.url).u64(inp.breadcrumbs[page.section]);
    let pos = inp.positions.get(i).copied().flatten();
    let neighbours = [pos.and_then(|p| p.checked_sub(1)), pos.map(|p| p + 1)];
    for n in neighbours.into_iter().map(|n| n.and_then(|n| section.pages.get(n))) {
        let (title, url) = n.map_or(("\0", "\0"), |&n| (&lib.pages[n].meta.title, &lib.pages[n].url));
        f.str(title).str(url);
    }
    lookups(&mut f, inp, looked_up);
    (file_for(&page.url), f.finish())
}

/// Section `i`'s files and their fingerprints, given the content paths its body looks up.
pub fn section(inp: &Inputs<'_>, items: &[u64], i: usize, looked_up: &[String]) -> Vec<(String, u64)> {
    let lib = inp.lib;
    let s = &lib.sections[i];
    let mut f = Fp::new("section", inp.global);
    f.str(&s.source).u64((inp.hash)(&s.source).unwrap_or(0)).str(&s.url).json(&s.meta);
    f.u64(inp.breadcrumbs[i]);
    for &c in &s.subsections {
        let c = &lib.sections[c];
        f.str(&c.meta.title).str(&c.url).json(&c.meta.summary).u64(c.pages.len() as u64).json(&c.meta.cover);
    }
    lookups(&mut f, inp, looked_up);
    if i == 0 {
        for &p in lib.newest_first().iter().take(10) {
            f.u64(items[p]);
        }
        return vec![("index.html".to_string(), f.finish())];
    }
    let per = s.meta.paginate_by.unwrap_or(inp.config.paginate_by);
    paginated(&f, list_files(&s.url, s.pages.len(), per).collect(), s.pages.iter().map(|&p| items[p]), per)
}

/// The list-view hash of every page (what `views::item` shows of it; the language is in the global part).
pub fn items(inp: &Inputs<'_>) -> Vec<u64> {
    let lib = inp.lib;
    if let Some(r) = inp.reuse {
        return (0..lib.pages.len()).map(|i| if r.affected[i] { item(lib, i) } else { r.items[i] }).collect();
    }
    (0..lib.pages.len()).into_par_iter().map(|i| item(lib, i)).collect()
}

fn item(lib: &Library, i: usize) -> u64 {
    let p = &lib.pages[i];
    {
        {
            let mut f = Fp::new("item", 0);
            f.str(&p.meta.title).str(&p.url).json(&p.meta.date).str(&p.summary);
            if p.section != 0 {
                let s = &lib.sections[p.section];
                f.str(&s.meta.title).str(&s.url);
            }
            f.finish()
        }
    }
}

/// The hash of each section's breadcrumb.
pub fn breadcrumbs(lib: &Library) -> Vec<u64> {
    (0..lib.sections.len()).map(|i| Fp::new("breadcrumb", 0).json(&views::breadcrumb(lib, i)).finish()).collect()
}

/// Every output file but the video gallery and the search shards, with the content paths pages and sections
/// looked up in the last build.
pub fn plan(inp: &Inputs<'_>, items: &[u64]) -> Plan {
    let lib = inp.lib;
    let kept = |i: usize| {
        inp.reuse.filter(|r| r.fingerprints && !r.affected[i])?;
        let file = file_for(&lib.pages[i].url);
        let fp = *inp.last?.manifest.get(&file)?;
        Some((file, fp))
    };
    let pages = || -> Vec<(String, u64)> {
        (0..lib.pages.len())
            .into_par_iter()
            .map(|i| {
                kept(i).unwrap_or_else(|| {
                    let last = inp.last.and_then(|b| b.pages.get(&lib.pages[i].source));
                    page(inp, i, last_lookups(last.map(|r| &r.lookups)))
                })
            })
            .collect()
    };
    // The files of lists, feeds and the rest are fingerprinted beside the pages' (they override a page's file
    // of the same name, as they always did).
    let (pages, Others { files: others, section_files, chunks }) = rayon::join(pages, || others(inp, items));
    let page_files = pages.iter().map(|(f, _)| f.clone()).collect();
    let more = inp.pictures.files.len() + inp.statics.len() + lib.assets.len();
    let mut files = HashMap::with_capacity(pages.len() + others.len() + more);
    files.extend(pages);
    files.extend(others);

    // Named by a hash of their photo's bytes and the settings: the name is all there is to them.
    for (rel, _) in &inp.pictures.files {
        files.insert(rel.clone(), Fp::new("picture", 0).str(rel).finish());
    }
    let mut clashes = Vec::new();
    for (name, file) in inp.statics {
        let rel = crate::site::theme::static_output(name);
        if name.starts_with('/') && files.contains_key(&rel) && !crate::site::clash::REPLACEABLE.contains(&rel.as_str())
        {
            clashes.push((name.clone(), rel.clone()));
        }
        let mut f = Fp::new("static", 0);
        match file {
            StaticFile::Embedded(bytes) => f.bytes(bytes),
            // An unreadable file gets a fingerprint of its own; the copy then reports the error.
            StaticFile::Disk(path) => f.bytes(&std::fs::read(path).unwrap_or_else(|_| b"\0unreadable".to_vec())),
        };
        files.insert(rel, f.finish());
    }
    for (source, url) in &lib.assets {
        let fp = Fp::new("asset", 0).str(source).u64((inp.hash)(source).unwrap_or(0)).finish();
        files.insert(url.trim_start_matches('/').to_string(), fp);
    }
    Plan { files, page_files, section_files, clashes, chunks }
}

/// The content paths a page or section looked up in the last build (none for a new one).
fn last_lookups(r: Option<&Vec<String>>) -> &[String] {
    r.map_or(&[], Vec::as_slice)
}

/// The fingerprints of every output file but the pages', the statics' and the assets' (in the order they were
/// always put in the plan, so that a later one of the same name wins), with each section's files and the page
/// table's chunks.
struct Others {
    files: Vec<(String, u64)>,
    section_files: Vec<Vec<String>>,
    chunks: Vec<Fp>,
}

fn others(inp: &Inputs<'_>, items: &[u64]) -> Others {
    let lib = inp.lib;
    let g = inp.global;
    let mut files = Vec::new();
    let mut section_files = Vec::with_capacity(lib.sections.len());
    for (i, s) in lib.sections.iter().enumerate() {
        let looked_up = last_lookups(inp.last.and_then(|b| b.sections.get(&s.source)).map(|r| &r.lookups));
        let own = section(inp, items, i, looked_up);
        section_files.push(own.iter().map(|(f, _)| f.clone()).collect());
        files.extend(own);
    }

    let taxonomies = inp.taxonomies;
    for tax in taxonomies {
        let mut f = Fp::new("taxonomy", g);
        f.str(tax.key);
        for t in &tax.terms {
            f.str(&t.name).str(&t.url).u64(t.pages.len() as u64);
        }
        files.push((file_for(&format!("/{}/", tax.key)), f.finish()));
        for t in &tax.terms {
            let mut f = Fp::new("term", g);
            f.str(tax.key).str(&t.name).str(&t.url).u64(t.pages.len() as u64);
            let per = inp.config.paginate_by;
            let own = list_files(&t.url, t.pages.len(), per).collect();
            files.extend(paginated(&f, own, t.pages.iter().map(|&p| items[p]), per));
        }
    }

    for p in &lib.pages {
        for alias in &p.meta.aliases {
            files.push((file_for(alias), Fp::new("alias", g).str(&p.url).str(&p.meta.title).finish()));
        }
    }
    let only_global = Fp::new("global", g).finish();
    for f in ["search/index.html", "404.html"] {
        files.push((f.to_string(), only_global));
    }
    if let Some(ids) = &inp.competitions {
        files.push(("competitions/index.html".to_string(), only_global));
        for id in ids {
            files.push((format!("competitions/{id}/index.html"), only_global));
        }
    }
    let mut f = Fp::new("atom", g);
    for i in feed::latest(lib) {
        let p = &lib.pages[i];
        f.str(&p.meta.title).str(&p.url).json(&p.meta.date).json(&p.meta.updated).json(&p.meta.author);
        f.str(&p.summary);
    }
    files.push(("atom.xml".to_string(), f.finish()));
    let sitemap = sitemap(inp);
    files.push(("sitemap.xml".to_string(), sitemap));
    files.push(("robots.txt".to_string(), sitemap));
    files.push(("search/pages.json".to_string(), Fp::new("pages.json", g).u64(items.len() as u64).finish()));
    // The chunks of the page table also hold the lengths of the pages' text blocks, known once the pages are
    // rendered: their fingerprints are finished then (see `Plan::chunks`).
    let chunks = items
        .chunks(CHUNK)
        .zip(lib.pages.chunks(CHUNK))
        .map(|(chunk, pages)| {
            let mut f = Fp::new("page table", g);
            for (&h, p) in chunk.iter().zip(pages) {
                // The row names the page's text file by its source.
                f.u64(h).str(&p.source);
            }
            f
        })
        .collect();

    Others { files, section_files, chunks }
}

/// The sitemap's fingerprint: what [`crate::site::sitewide::sitemap_urls`] lists, without formatting every page's date.
fn sitemap(inp: &Inputs<'_>) -> u64 {
    let lib = inp.lib;
    let mut f = Fp::new("sitemap", inp.global);
    for s in &lib.sections {
        f.str(&s.url);
    }
    for p in &lib.pages {
        let day = p.meta.updated.or(p.meta.date).map_or(i64::MIN, |d| d.date_naive().num_days_from_ce().into());
        f.str(&p.url).u64(day as u64);
    }
    for tax in inp.taxonomies {
        f.str(tax.key);
        for t in &tax.terms {
            f.str(&t.url);
        }
    }
    f.json(&inp.competitions);
    f.finish()
}

/// Fingerprints of the list pages `own` of a list: the list's own part `base`, then each page's number and the
/// items on it.
fn paginated(base: &Fp, own: Vec<String>, items: impl Iterator<Item = u64>, per: usize) -> Vec<(String, u64)> {
    let items: Vec<u64> = items.collect();
    let per = per.max(1);
    let total = own.len() as u64;
    own.into_iter()
        .enumerate()
        .map(|(n, file)| {
            let mut f = Fp(base.0.clone());
            f.u64(n as u64).u64(total);
            for &h in items.iter().skip(n * per).take(per) {
                f.u64(h);
            }
            (file, f.finish())
        })
        .collect()
}
