//! The build pipeline. [`Engine::build`] runs these stages, each a function below:
//! 1. **load** (`load`): `site.yaml`, the theme and its compiled templates, `quizzes/`, and the content library
//!    (`content::Source` refreshed, then patched from the last build or put together anew: `incremental::kept`);
//! 2. **plan** (`plan`): every output file's fingerprint from its inputs (`incremental::plan`), and so which pages
//!    and sections must be rendered again;
//! 3. **render** (`render`): those pages and sections, in parallel, into the output (`render`, `output`);
//! 4. **fingerprints** (`fingerprint_rendered`): what was rendered, fingerprinted with what it looked up now;
//! 5. **whole-site pages** (`whole_site`): taxonomies, video gallery, feeds, sitemap, search index (`sitewide`);
//! 6. **commit** (`commit`): the new output moved in (a full build swaps the folder, an incremental one moves the
//!    changed files and deletes what nothing produces any more), and the engine keeps what the next build needs.
//!
//! A build without a previous one is a full build; `site::build` is exactly that.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

// foldhash: these maps hold a key per output file and are looked up on every build.
use foldhash::{HashMap, HashSet};
use rayon::prelude::*;

use super::incremental::{cache, kept, plan, results, Built};
use super::output::Output;
use super::progress::Progress;
use super::render::{self, Renderer};
use super::search::{self, IndexBuilder};
use super::taxonomy::Taxonomy;
use super::theme::{self, StaticFile};
use super::{base_context, BuildError, BuildOptions, BuildReport, SiteConfig};
use crate::content::{self, Library, Source};
use crate::diag::Diagnostics;
use crate::quiz::QuizSet;
use plan::Fp;
use whole_site::whole_site;

mod whole_site;

/// Builds a site again and again, each time doing only what changed since the last build.
pub struct Engine {
    pub(super) opts: BuildOptions,
    pub(super) content: Source,
    pub(super) last: Option<Built>,
    /// The last build's results as the build cache holds them, until the next build decodes them into `last`.
    pub(super) encoded: Option<cache::Encoded>,
    /// The cache file this engine's state came from or goes to (`pufa build` without `--clean`, `pufa serve`).
    pub(super) cache: Option<PathBuf>,
    /// The library of the last successful build, for the next one to patch.
    pub(super) kept: Option<kept::Kept>,
    /// The compiled templates and a hash of their sources.
    pub(super) tera: Option<(u64, Arc<tera::Tera>)>,
    /// A look at every content file taken while the cache was read, for the first build to use.
    pub(super) scanned: Option<content::source::Scan>,
    /// What the engine keeps for after a build.
    after: After,
    /// The build cache being written, its content's records written while the library was put together
    /// (`After::Cache`).
    saving: Option<cache::Saving>,
}

/// What an engine keeps when a build is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum After {
    /// Everything the next build in this process patches (`pufa serve`).
    Next,
    /// Nothing: what only a next build would need is let go as soon as this one is done with it
    /// (`pufa build --clean`, `pufa check`).
    Nothing,
    /// The build cache, written by the build itself as it finishes, for the next process (`pufa build`).
    Cache,
}

/// Whether the build renders everything into a fresh folder (full) or only what changed (incremental).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Full,
    Incremental,
}

/// Stage 1's result: what the site folder holds, but the library.
struct Loaded {
    config: SiteConfig,
    statics: BTreeMap<String, StaticFile>,
    tera: Arc<tera::Tera>,
    quizzes: Option<QuizSet>,
    /// The diagnostics of putting the library together, kept with it for the next build.
    lib_diags: Diagnostics,
    patched: Option<kept::Patched>,
    /// Fingerprint of what every output depends on.
    global: u64,
    /// What the pages' fingerprints and views share, computed once from the library.
    positions: Vec<Option<usize>>,
    competitions: Option<Vec<String>>,
    breadcrumbs: Vec<u64>,
    taxonomies: Vec<Taxonomy>,
    /// The sizes made of the site's photos (none for a check, which writes nothing).
    pictures: super::pictures::Made,
}

impl Loaded {
    /// The inputs of the fingerprints: one view over this build's data, for the plan and for the files rendered.
    fn inputs<'a>(
        &'a self,
        lib: &'a Library,
        hash: &'a (dyn Fn(&str) -> Option<u64> + Sync),
        last: Option<&'a Built>,
    ) -> plan::Inputs<'a> {
        plan::Inputs {
            lib,
            config: &self.config,
            global: self.global,
            positions: &self.positions,
            statics: &self.statics,
            hash,
            competitions: self.competitions.clone(),
            last,
            breadcrumbs: &self.breadcrumbs,
            taxonomies: &self.taxonomies,
            pictures: &self.pictures,
            reuse: self.patched.as_ref().map(|p| plan::Reuse {
                items: &p.items,
                affected: &p.affected,
                fingerprints: p.global == self.global && p.pictures == self.pictures.digest() && last.is_some(),
            }),
        }
    }
}

/// Stage 2's result: the planned files and what must be rendered again.
struct Todo {
    plan: plan::Plan,
    /// The list-view hash of every page.
    items: Vec<u64>,
    /// Output files whose fingerprint differs from the last build's.
    dirty: HashSet<String>,
    pages: Vec<usize>,
    sections: Vec<usize>,
}

type Rendered = (Vec<(usize, render::PageOutcome)>, Vec<(usize, render::SectionOutcome)>);

impl Engine {
    /// An engine with no previous build: its first build is a full one.
    pub fn new(opts: BuildOptions) -> Engine {
        Engine {
            opts,
            content: Source::default(),
            last: None,
            encoded: None,
            cache: None,
            kept: None,
            tera: None,
            scanned: None,
            after: After::Next,
            saving: None,
        }
    }

    /// An engine for a single build (`pufa build --clean`, [`super::build`]): the content's parsed records go as
    /// soon as the library is put together from them, instead of being kept for a next build.
    pub fn once(opts: BuildOptions) -> Engine {
        Engine { after: After::Nothing, ..Engine::new(opts) }
    }

    /// This engine builds once and writes the build cache as the build finishes (instead of
    /// [`Engine::save_cache`] after it): the content's records are written while the library is put together,
    /// the build's results while the output is moved in, each on the other core.
    pub fn saving_cache(self) -> Engine {
        Engine { after: After::Cache, ..self }
    }

    /// The options it builds with.
    /// How long until a page's publication window opens or closes (a `publishDate` arrives, an `expiryDate`
    /// passes): a watching server builds again then, though no file changed.
    pub fn until_next_window(&self) -> Option<std::time::Duration> {
        let now = chrono::Utc::now().fixed_offset();
        let next = self.content.next_window(now)?;
        (next - now).to_std().ok()
    }

    pub fn options(&self) -> &BuildOptions {
        &self.opts
    }

    /// Builds: incrementally when there is a previous build whose output is still in place, else in full.
    /// `changed` names the files and folders changed since (as a watcher reports them); None looks at all.
    /// An incremental build that cannot read what the previous one wrote falls back to a full build.
    pub fn build(&mut self, changed: Option<&[PathBuf]>) -> Result<BuildReport, BuildError> {
        let incremental = (self.last.is_some() || self.encoded.is_some())
            && self.opts.output.as_deref().is_some_and(|o| o.join("index.html").is_file());
        if !incremental {
            return self.run(None, Mode::Full);
        }
        match self.run(changed, Mode::Incremental) {
            Err(BuildError::Io { path, source }) => {
                tracing::warn!("incremental build failed ({}: {source}); building everything", path.display());
                (self.last, self.encoded) = (None, None);
                // Dropped before the full build starts the cache anew under the same temporary name.
                self.saving = None;
                self.run(None, Mode::Full)
            }
            r => r,
        }
    }

    fn run(&mut self, changed: Option<&[PathBuf]>, mode: Mode) -> Result<BuildReport, BuildError> {
        let start = Instant::now();
        let source = self.opts.source.clone();
        let mut diags = Diagnostics::default();
        let (loaded, library) = self.load(changed, mode, &mut diags)?;
        tracing::debug!(elapsed = ?start.elapsed(), "content loaded");

        let last = if mode == Mode::Incremental { self.last.as_ref() } else { None };
        let hash = |rel: &str| self.content.hash(rel);
        let inputs = loaded.inputs(&library, &hash, last);
        let mut todo = plan(&inputs, last);
        tracing::debug!(elapsed = ?start.elapsed(), files = todo.dirty.len(), "planned");
        diags.extend(super::clash::report(&library, &todo.plan, &loaded.statics));

        let lang = loaded.config.language;
        let r = Renderer {
            source: &source,
            statics: &loaded.statics,
            config: &loaded.config,
            lang,
            tera: &loaded.tera,
            library: &library,
            quizzes: loaded.quizzes.as_ref(),
            base: base_context(&loaded.config, lang),
            root: loaded.config.root(),
            positions: &loaded.positions,
            pictures: &loaded.pictures,
            digests: mode == Mode::Incremental && todo.pages.len() < library.pages.len(),
        };
        let mut out = match (&self.opts.output, mode) {
            (Some(dir), Mode::Full) => Output::beside(dir)?,
            (Some(dir), Mode::Incremental) => Output::staging(dir, std::mem::take(&mut todo.dirty))?,
            (None, _) => Output::dry(),
        };
        // Postings past a few MB wait in a file beside the output (not in the system's temporary folder, which
        // may be memory).
        let index = match self.opts.output.as_deref() {
            Some(output) => IndexBuilder::spilling_in(super::output::beside(output)),
            None => IndexBuilder::default(),
        };
        let (pages, sections) = render(&r, &todo, &out, &index, self.opts.progress)?;
        tracing::debug!(elapsed = ?start.elapsed(), pages = pages.len(), "pages and sections rendered");

        let block_bytes: u64 = pages.iter().map(|(_, o)| o.block_bytes).sum();
        let pages_search_cpu: std::time::Duration = pages.iter().map(|(_, o)| o.search_cpu).sum();
        let planned = std::mem::take(&mut todo.plan.files);
        let mut files = fingerprint_rendered(&inputs, planned, &todo.items, &pages, &sections);
        let again: HashSet<usize> = todo.pages.iter().copied().collect();
        let built = results(&library, pages, sections, last);
        let dir = self.opts.output.as_deref().filter(|_| mode == Mode::Incremental);
        let chunks = std::mem::take(&mut todo.plan.chunks);
        let extra = whole_site(&r, &loaded, &built, last, &again, dir, index, chunks, &mut out, &mut files)?;
        for p in &built.order {
            diags.extend(built.pages[p].diagnostics.iter().cloned());
        }
        for s in built.sections.values() {
            diags.extend(s.diagnostics.iter().cloned());
        }
        diags.extend(extra.diagnostics);
        tracing::debug!(elapsed = ?start.elapsed(), "lists, feeds, search index written");
        let diags = match finish_diagnostics(diags, &source) {
            BuildError::Diagnostics(d) if !d.has_errors() => d,
            e => return Err(e),
        };

        tracing::debug!(pages = ?pages_search_cpu, shards = ?extra.search_cpu, "search index CPU time");
        let (written, bytes) = out.totals();
        let built = Built { manifest: files, ..built };
        match self.saving.take() {
            Some(mut saving) if self.opts.output.is_some() => {
                // The results are written while the output is moved in, and the cache named only once it is.
                let (committed, written) =
                    rayon::join(|| self.commit(out, last, &built.manifest), || saving.results(&built));
                committed?;
                match written.and_then(|()| saving.finish(&self.opts)) {
                    Ok(()) => tracing::debug!(elapsed = ?start.elapsed(), "build cache written"),
                    Err(e) => tracing::warn!("could not save the build cache: {e}"),
                }
            }
            _ => self.commit(out, last, &built.manifest)?,
        }
        tracing::debug!(elapsed = ?start.elapsed(), files = written, "output updated");
        let (page_count, section_count) = (library.pages.len(), library.sections.len());
        let old = std::mem::replace(&mut self.last, self.opts.output.is_some().then_some(built));
        // Freeing the last build's results (tens of thousands of allocations on a large site) is left to the pool,
        // not waited for.
        rayon::spawn(move || drop(old));
        let pictures = loaded.pictures.digest();
        let (lib_diags, items, global) = (loaded.lib_diags, todo.items, loaded.global);
        self.kept = Some(kept::Kept { lib: library, diags: lib_diags, items, global, pictures });
        Ok(BuildReport {
            pages: page_count,
            sections: section_count,
            files: written,
            bytes,
            search_bytes: extra.search_bytes + block_bytes,
            search_shards: extra.search_shards,
            search_cpu: pages_search_cpu + extra.search_cpu,
            pictures_encoded: loaded.pictures.encoded,
            elapsed: start.elapsed(),
            warnings: diags,
        })
    }

    /// Stage 1: reads `site.yaml`, the theme, `quizzes/` and the content (patching the last library when only
    /// pages changed). Fails only when the templates do not compile; every other problem is in `diags`.
    fn load(
        &mut self,
        changed: Option<&[PathBuf]>,
        mode: Mode,
        diags: &mut Diagnostics,
    ) -> Result<(Loaded, Library), BuildError> {
        let source = self.opts.source.clone();
        let config = SiteConfig::load(&source).unwrap_or_else(|d| {
            diags.extend(d.0);
            SiteConfig::default()
        });
        let theme = theme::Theme::gather(&source, &config);
        if let Ok(t) = &theme {
            diags.extend(t.notes.iter().cloned());
        }
        let tera = theme.as_ref().map_err(Clone::clone).and_then(|t| self.compiled(t));
        let quizzes_dir = source.join("quizzes");
        let quizzes = quizzes_dir.is_dir().then(|| {
            let (set, d) = crate::quiz::load(&quizzes_dir);
            diags.extend(d.0);
            diags.extend(crate::quiz::suggestions::load(&quizzes_dir).1 .0);
            set
        });
        let content_dir = source.join("content");
        let changed_files = match (self.scanned.take(), changed) {
            (Some(scan), None) => self.content.refresh_scanned(&content_dir, scan, diags),
            _ => self.content.refresh(&content_dir, changed, diags),
        };
        let load_opts = content::LoadOptions { drafts: self.opts.drafts, future: self.opts.future, now: None };
        // Taken now: a build that fails leaves nothing to patch (the next one puts the library together anew).
        let kept = self.kept.take().filter(|_| mode == Mode::Incremental);
        // The last build's results, when still encoded in the build cache, are decoded while the library is put
        // together in one thread, after its parses were decoded on every core.
        let encoded = self.encoded.take().filter(|_| mode == Mode::Incremental);
        let decode = || encoded.map(|e| e.decode());
        let assemble = || kept::library(kept, &self.content, &changed_files, &load_opts, decode);
        let ((kept::Assembled { lib: library, diags: lib_diags, patched }, decoded), saving) = match self.after {
            After::Cache => {
                let start = |path: &Path| cache::Saving::start(path, &self.content);
                rayon::join(assemble, || self.cache.as_deref().map(start))
            }
            _ => (assemble(), None),
        };
        if let Some(saving) = saving {
            self.saving = saving.map_err(|e| tracing::warn!("could not write the build cache: {e}")).ok();
        }
        match decoded {
            Some(Ok(built)) => self.last = Some(built),
            Some(Err(e)) => {
                let path = self.cache.clone().unwrap_or_default();
                let source = std::io::Error::other(format!("the build cache cannot be read: {e}"));
                return Err(BuildError::Io { path, source });
            }
            None => {}
        }
        if self.after == After::Nothing {
            self.content.forget_records();
        }
        diags.extend(lib_diags.0.iter().cloned());
        diags.extend(search::too_many_pages(library.pages.len()));
        let tera = match tera {
            Ok(t) => t,
            Err(d) => {
                diags.extend(d.0);
                return Err(finish_diagnostics(std::mem::take(diags), &source));
            }
        };
        let theme = theme.unwrap_or_default();
        let pictures = match self.opts.output {
            Some(_) => {
                let hash = |rel: &str| self.content.hash(rel);
                super::pictures::make(&source, &library, &theme.statics, &hash, self.opts.progress)?
            }
            None => super::pictures::Made::default(),
        };
        diags.extend(pictures.diagnostics.iter().cloned());
        let loaded = Loaded {
            global: global_fingerprint(&self.opts, &config, &theme.templates, &quizzes_dir),
            positions: render::positions(&library),
            competitions: quizzes.as_ref().map(super::competitions::ids),
            breadcrumbs: plan::breadcrumbs(&library),
            taxonomies: super::taxonomy::gather(&library),
            pictures,
            config,
            statics: theme.statics,
            tera,
            quizzes,
            lib_diags,
            patched,
        };
        Ok((loaded, library))
    }

    /// Stage 6: moves the new output in. From here the output changes: a cache saved before no longer
    /// describes it, so it goes first.
    fn commit(&self, out: Output, last: Option<&Built>, files: &HashMap<String, u64>) -> Result<(), BuildError> {
        let Some(dir) = &self.opts.output else { return Ok(()) };
        if let Some(cache) = &self.cache {
            cache::invalidate(cache);
        }
        match last {
            Some(b) => {
                let removed: Vec<String> = b.manifest.keys().filter(|f| !files.contains_key(*f)).cloned().collect();
                out.apply(dir, &removed)
            }
            None => out.commit(dir),
        }
    }

    /// The templates of `theme` compiled, or the last build's when their sources are the same.
    fn compiled(&mut self, theme: &theme::Theme) -> Result<Arc<tera::Tera>, Diagnostics> {
        let hash = templates_hash(theme);
        if let Some((h, tera)) = &self.tera {
            if *h == hash {
                return Ok(tera.clone());
            }
        }
        let tera = Arc::new(theme.compile_site()?);
        self.tera = Some((hash, tera.clone()));
        Ok(tera)
    }

    /// The site's templates compiled, as the next build will want them (None when they do not compile: that
    /// build reports why).
    pub(super) fn templates(&self) -> Option<(u64, Arc<tera::Tera>)> {
        let config = SiteConfig::load(&self.opts.source).ok()?;
        let theme = theme::Theme::gather(&self.opts.source, &config).ok()?;
        Some((templates_hash(&theme), Arc::new(theme.compile_site().ok()?)))
    }
}

/// A hash of the theme's templates: names, paths and texts.
fn templates_hash(theme: &theme::Theme) -> u64 {
    let mut f = Fp::new("templates", 0);
    for (name, (path, text)) in &theme.templates {
        f.str(name).str(&path.to_string_lossy()).str(text);
    }
    f.finish()
}

/// Stage 2: every output file's fingerprint, and the pages and sections whose files differ from the last build's.
fn plan(inputs: &plan::Inputs<'_>, last: Option<&Built>) -> Todo {
    let items = plan::items(inputs);
    let plan = plan::plan(inputs, &items);
    // Two lookups of a name a file, for tens of thousands of files on a large site: on every core.
    let stale = |f: &String| last.is_none_or(|b| b.manifest.get(f) != plan.files.get(f));
    let dirty: HashSet<String> = plan.files.par_iter().filter(|(f, _)| stale(f)).map(|(f, _)| f.clone()).collect();
    tracing::debug!(some = ?dirty.iter().take(8).collect::<Vec<_>>(), "to write");
    let lib = inputs.lib;
    let pages: Vec<usize> = (0..lib.pages.len()).into_par_iter().filter(|&i| stale(&plan.page_files[i])).collect();
    let sections: Vec<usize> = (0..lib.sections.len()).filter(|&i| plan.section_files[i].iter().any(stale)).collect();
    Todo { plan, items, dirty, pages, sections }
}

/// Stage 3: renders the pages and sections to do, in parallel, into `out`, their text into `index`. The
/// content's records keep no bodies: each page's is read from its file as it is rendered and dropped once the
/// page is written, so the pages' text is never all held at once while the search postings grow.
fn render(
    r: &Renderer<'_>,
    todo: &Todo,
    out: &Output,
    index: &IndexBuilder,
    progress: bool,
) -> Result<Rendered, BuildError> {
    let progress = Progress::new(progress, (todo.pages.len() + todo.sections.len()) as u64);
    let content_dir = r.source.join("content");
    let pages = todo
        .pages
        .par_iter()
        .map_init(
            || r.base.clone(),
            |ctx, &i| {
                let source = &r.library.pages[i].source;
                let body = content::source::body(&content_dir, source);
                let o = r.page(i, body.as_deref().unwrap_or_default(), ctx, out, index);
                progress.tick();
                o.map(|mut o| {
                    // Read when the content was loaded, gone or broken now: an error, not an empty page.
                    o.diagnostics.extend(body.is_none().then(|| unreadable(source)));
                    (i, o)
                })
            },
        )
        .collect::<Result<_, _>>()?;
    let sections = todo
        .sections
        .par_iter()
        .map(|&i| {
            let o = r.section(i, out);
            progress.tick();
            o.map(|o| (i, o))
        })
        .collect::<Result<_, _>>()?;
    progress.finish();
    Ok((pages, sections))
}

/// Stage 4: the planned files, with what was rendered now fingerprinted with the content paths it looked up now.
fn fingerprint_rendered(
    inputs: &plan::Inputs<'_>,
    mut files: HashMap<String, u64>,
    items: &[u64],
    pages: &[(usize, render::PageOutcome)],
    sections: &[(usize, render::SectionOutcome)],
) -> HashMap<String, u64> {
    files.extend(pages.iter().map(|(i, o)| plan::page(inputs, *i, &o.lookups)));
    for (i, o) in sections {
        files.extend(plan::section(inputs, items, *i, &o.lookups));
    }
    files
}

/// The error of a page whose file was read when the content was loaded but cannot be read when it is rendered.
fn unreadable(source: &str) -> crate::diag::Diagnostic {
    let text = "changed or removed while the site was being built, and cannot be read again: build again";
    crate::diag::Diagnostic::error(render::content_path(source), 0, 0, text)
}

/// What every output depends on: this pufa program, the options, `site.yaml`, the templates, the quizzes.
fn global_fingerprint(
    opts: &BuildOptions,
    config: &SiteConfig,
    templates: &BTreeMap<String, (PathBuf, String)>,
    quizzes: &Path,
) -> u64 {
    let mut f = Fp::new("global", cache::program_id());
    f.u64(opts.drafts as u64).u64(opts.future as u64).json(config);
    for (name, (_, text)) in templates {
        f.str(name).str(text);
    }
    for entry in walkdir::WalkDir::new(quizzes).sort_by_file_name().into_iter().flatten() {
        if entry.file_type().is_file() {
            f.str(&entry.path().to_string_lossy()).bytes(&std::fs::read(entry.path()).unwrap_or_default());
        }
    }
    f.finish()
}

/// Diagnostics with paths relative to the site folder, sorted; an error value either way (the caller keeps a
/// list without errors as the build's warnings).
fn finish_diagnostics(mut diags: Diagnostics, source: &Path) -> BuildError {
    super::relative_to_source(&mut diags, source);
    diags.sort();
    BuildError::Diagnostics(diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_build_lets_the_content_records_go_and_a_kept_engine_keeps_them() {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites/good");
        let dir = tempfile::tempdir().expect("dir");
        let opts = |name: &str| BuildOptions::new(&fixture, Some(&dir.path().join(name)));
        let mut once = Engine::once(opts("once"));
        let mut kept = Engine::new(opts("kept"));
        let (a, b) = (once.build(None).expect("once"), kept.build(None).expect("kept"));
        assert_eq!((a.pages, a.files), (b.pages, b.files));
        assert!(a.pages > 0);
        assert_eq!(once.content.records(), 0);
        assert!(kept.content.records() > a.pages);
    }
}
