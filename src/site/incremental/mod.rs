//! Incremental builds: an [`Engine`] keeps the parsed content and the dependency graph of the last build (see
//! `plan`), and the next build renders only the output files whose inputs changed, writes them beside the
//! output and moves them in, and deletes the files nothing produces any more. A build without a previous one is
//! a full build that swaps the whole output folder in; `site::build` is exactly that.

pub mod cache;
mod kept;
mod plan;

use std::collections::BTreeMap;

// foldhash: these maps hold a key per output file and are looked up on every build.
use foldhash::{HashMap, HashMapExt, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::output::Output;
use super::progress::Progress;
use super::render::{self, GalleryVideo, Renderer};
use super::search::IndexBuilder;
use super::special::{self, ShardBase};
use super::{base_context, theme, BuildError, BuildOptions, BuildReport, SiteConfig};
use crate::content::Source;
use crate::content::{self, Library};
use crate::diag::{Diagnostic, Diagnostics};
use plan::Fp;

/// A video of a page as the gallery lists it, kept for pages not rendered again.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeptVideo {
    player: String,
    title: Option<String>,
}

/// What rendering a page left that later builds need when they do not render it again.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PageResult {
    lookups: Vec<String>,
    videos: Vec<KeptVideo>,
    diagnostics: Vec<Diagnostic>,
    /// Digest of its search postings per shard; kept in the cache's binary side file.
    #[serde(skip)]
    digests: Arc<[u64]>,
}

/// The same for a section.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SectionResult {
    lookups: Vec<String>,
    diagnostics: Vec<Diagnostic>,
}

/// The state of the output folder after a successful build.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Built {
    /// Every file in the output and its fingerprint.
    manifest: HashMap<String, u64>,
    /// Page sources by page number (search postings refer to pages by number).
    order: Vec<String>,
    pages: HashMap<String, PageResult>,
    sections: HashMap<String, SectionResult>,
}

/// Builds a site again and again, each time doing only what changed since the last build.
pub struct Engine {
    opts: BuildOptions,
    content: Source,
    last: Option<Built>,
    /// The cache file this engine's state came from or goes to (`pufa build` without `--clean`, `pufa serve`).
    cache: Option<PathBuf>,
    /// The library of the last successful build, for the next one to patch.
    kept: Option<kept::Kept>,
    /// The compiled templates and a hash of their sources.
    tera: Option<(u64, Arc<tera::Tera>)>,
}

pub(crate) fn now_nanos() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

/// Whether the build renders everything into a fresh folder (full) or only what changed (incremental).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Full,
    Incremental,
}

impl Engine {
    /// An engine with no previous build: its first build is a full one.
    pub fn new(opts: BuildOptions) -> Engine {
        Engine { opts, content: Source::default(), last: None, cache: None, kept: None, tera: None }
    }

    /// The options it builds with.
    pub fn options(&self) -> &BuildOptions {
        &self.opts
    }

    /// Builds: incrementally when there is a previous build whose output is still in place, else in full.
    /// `changed` names the files and folders changed since (as a watcher reports them); None looks at all.
    /// An incremental build that cannot read what the previous one wrote falls back to a full build.
    pub fn build(&mut self, changed: Option<&[PathBuf]>) -> Result<BuildReport, BuildError> {
        let incremental =
            self.last.is_some() && self.opts.output.as_deref().is_some_and(|o| o.join("index.html").is_file());
        if !incremental {
            return self.run(None, Mode::Full);
        }
        match self.run(changed, Mode::Incremental) {
            Err(BuildError::Io { path, source }) => {
                tracing::warn!("incremental build failed ({}: {source}); building everything", path.display());
                self.last = None;
                self.run(None, Mode::Full)
            }
            r => r,
        }
    }

    fn run(&mut self, changed: Option<&[PathBuf]>, mode: Mode) -> Result<BuildReport, BuildError> {
        let start = Instant::now();
        let source = self.opts.source.clone();
        let mut diags = Diagnostics::default();
        let config = SiteConfig::load(&source).unwrap_or_else(|d| {
            diags.extend(d.0);
            SiteConfig::default()
        });
        let theme = theme::Theme::gather(&source, &config);
        let tera = theme.as_ref().map_err(Clone::clone).and_then(|t| self.compiled(t));
        let quizzes_dir = source.join("quizzes");
        let quizzes = quizzes_dir.is_dir().then(|| {
            let (set, d) = crate::quiz::load(&quizzes_dir);
            diags.extend(d.0);
            set
        });
        let changed_files = self.content.refresh(&source.join("content"), changed, &mut diags);
        let load_opts = content::LoadOptions { drafts: self.opts.drafts };
        // Taken now: a build that fails leaves nothing to patch (the next one puts the library together anew).
        let kept = self.kept.take().filter(|_| mode == Mode::Incremental);
        let kept::Assembled { lib: mut library, diags: lib_diags, patched } =
            kept::library(kept, &self.content, &changed_files, &load_opts);
        diags.extend(lib_diags.0.iter().cloned());
        tracing::debug!(elapsed = ?start.elapsed(), "content loaded");
        let tera = match tera {
            Ok(t) => t,
            Err(d) => {
                diags.extend(d.0);
                return Err(finish_diagnostics(diags, &source));
            }
        };
        let theme = theme.unwrap_or_default();
        let global = global_fingerprint(&self.opts, &config, &theme.templates, &quizzes_dir);
        let statics = theme.statics;
        let lang = config.language;
        let positions = render::positions(&library);
        let last = if mode == Mode::Incremental { self.last.as_ref() } else { None };
        let competitions = quizzes.as_ref().map(super::competitions::ids);
        let breadcrumbs = plan::breadcrumbs(&library);
        let taxonomies = super::taxonomy::gather(&library);
        let reuse = patched.as_ref().map(|p| plan::Reuse {
            items: &p.items,
            affected: &p.affected,
            fingerprints: p.global == global && last.is_some(),
        });
        let (plan, items) = {
            let hash = |rel: &str| self.content.hash(rel);
            let inputs = plan::Inputs {
                lib: &library,
                config: &config,
                global,
                positions: &positions,
                statics: &statics,
                hash: &hash,
                competitions: competitions.clone(),
                last,
                breadcrumbs: &breadcrumbs,
                taxonomies: &taxonomies,
                reuse,
            };
            let items = plan::items(&inputs);
            (plan::plan(&inputs, &items), items)
        };
        tracing::debug!(elapsed = ?start.elapsed(), "planned");
        let stale = |f: &String| last.is_none_or(|b| b.manifest.get(f) != plan.files.get(f));
        let dirty: HashSet<String> = plan.files.keys().filter(|f| stale(f)).cloned().collect();
        tracing::debug!(files = dirty.len(), some = ?dirty.iter().take(8).collect::<Vec<_>>(), "to write");
        let pages: Vec<usize> = (0..library.pages.len()).filter(|&i| stale(&plan.page_files[i])).collect();
        let sections: Vec<usize> =
            (0..library.sections.len()).filter(|&i| plan.section_files[i].iter().any(stale)).collect();
        self.content.fill_bodies(&source.join("content"), &mut library, &pages);

        let mut out = match (&self.opts.output, mode) {
            (Some(dir), Mode::Full) => Output::beside(dir)?,
            (Some(dir), Mode::Incremental) => Output::staging(dir, dirty)?,
            (None, _) => Output::dry(),
        };
        let r = Renderer {
            source: &source,
            statics: &statics,
            config: &config,
            lang,
            tera: &tera,
            library: &library,
            quizzes: quizzes.as_ref(),
            base: base_context(&config, lang),
            root: config.root(),
            positions,
        };
        let progress = Progress::new(self.opts.progress, (pages.len() + sections.len()) as u64);
        let index = IndexBuilder::default();
        let rendered: Vec<(usize, render::PageOutcome)> = pages
            .par_iter()
            .map_init(
                || r.base.clone(),
                |ctx, &i| {
                    let o = r.page(i, ctx, &out, &index);
                    progress.tick();
                    o.map(|o| (i, o))
                },
            )
            .collect::<Result<_, _>>()?;
        let sections_done: Vec<(usize, render::SectionOutcome)> = sections
            .par_iter()
            .map(|&i| {
                let o = r.section(i, &out);
                progress.tick();
                o.map(|o| (i, o))
            })
            .collect::<Result<_, _>>()?;
        progress.finish();
        tracing::debug!(elapsed = ?start.elapsed(), pages = rendered.len(), "pages and sections rendered");

        let mut files = plan.files;
        {
            // What was rendered now is fingerprinted with the content paths it looked up now.
            let hash = |rel: &str| self.content.hash(rel);
            let inputs = plan::Inputs {
                lib: &library,
                config: &config,
                global,
                positions: &r.positions,
                statics: &statics,
                hash: &hash,
                competitions,
                last,
                breadcrumbs: &breadcrumbs,
                taxonomies: &taxonomies,
                reuse,
            };
            files.extend(rendered.iter().map(|(i, o)| plan::page(&inputs, *i, &o.lookups)));
            for (i, o) in &sections_done {
                files.extend(plan::section(&inputs, &items, *i, &o.lookups));
            }
        }
        let built = self.results(&library, rendered, sections_done, last);
        let videos = gallery(&library, &built);
        let video_fp = Fp::new("videos", global).json(&videos).finish();
        let digests: Vec<&[u64]> = built.order.iter().map(|s| &*built.pages[s].digests).collect();
        let later = plan::shards(global, &digests).into_iter().chain([("videos/index.html".to_string(), video_fp)]);
        for (file, fp) in later {
            if last.is_none_or(|b| b.manifest.get(&file) != Some(&fp)) {
                tracing::debug!(file, "to write");
                out.want(&file);
            }
            files.insert(file, fp);
        }
        let remap: Vec<Option<u32>> = last.map_or_else(Vec::new, |b| {
            let number: HashMap<&str, u32> =
                built.order.iter().enumerate().map(|(i, s)| (s.as_str(), i as u32)).collect();
            let again: HashSet<usize> = pages.iter().copied().collect();
            b.order
                .iter()
                .map(|s| number.get(s.as_str()).copied().filter(|&n| !again.contains(&(n as usize))))
                .collect()
        });
        let shard_base = match (&self.opts.output, mode) {
            (Some(dir), Mode::Incremental) => ShardBase::Previous { dir: dir.as_path(), remap: &remap },
            _ => ShardBase::Fresh,
        };
        let extra = special::render_all(&r, &taxonomies, videos, index, shard_base, &out)?;
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
        let (written, bytes) = out.totals();
        if let Some(dir) = &self.opts.output {
            // From here the output changes: a cache saved before no longer describes it.
            if let Some(cache) = &self.cache {
                cache::invalidate(cache);
            }
            match last {
                Some(b) => {
                    let removed: Vec<String> = b.manifest.keys().filter(|f| !files.contains_key(*f)).cloned().collect();
                    out.apply(dir, &removed)?;
                }
                None => out.commit(dir)?,
            }
        }
        tracing::debug!(elapsed = ?start.elapsed(), files = written, "output updated");
        self.last = self.opts.output.is_some().then_some(Built { manifest: files, ..built });
        let (page_count, section_count) = (library.pages.len(), library.sections.len());
        self.kept = Some(kept::Kept { lib: library, diags: lib_diags, items, global });
        Ok(BuildReport {
            pages: page_count,
            sections: section_count,
            files: written,
            bytes,
            search_bytes: extra.search_bytes,
            search_shards: extra.search_shards,
            elapsed: start.elapsed(),
            warnings: diags,
        })
    }

    /// The per-page and per-section results of this build: fresh for what was rendered, kept from the last
    /// build for the rest.
    fn results(
        &self,
        lib: &Library,
        rendered: Vec<(usize, render::PageOutcome)>,
        sections: Vec<(usize, render::SectionOutcome)>,
        last: Option<&Built>,
    ) -> Built {
        let mut fresh: HashMap<usize, render::PageOutcome> = rendered.into_iter().collect();
        let mut pages = HashMap::with_capacity(lib.pages.len());
        for (i, p) in lib.pages.iter().enumerate() {
            let result = match fresh.remove(&i) {
                Some(o) => PageResult {
                    lookups: o.lookups,
                    videos: o.videos.into_iter().map(|v| KeptVideo { player: v.player, title: v.title }).collect(),
                    diagnostics: o.diagnostics,
                    digests: o.shard_digests.into(),
                },
                None => last.and_then(|b| b.pages.get(&p.source)).cloned().unwrap_or_default(),
            };
            pages.insert(p.source.clone(), result);
        }
        let mut fresh: HashMap<usize, render::SectionOutcome> = sections.into_iter().collect();
        let mut done = HashMap::with_capacity(lib.sections.len());
        for (i, s) in lib.sections.iter().enumerate() {
            let result = match fresh.remove(&i) {
                Some(o) => SectionResult { lookups: o.lookups, diagnostics: o.diagnostics },
                None => last.and_then(|b| b.sections.get(&s.source)).cloned().unwrap_or_default(),
            };
            done.insert(s.source.clone(), result);
        }
        let order = lib.pages.iter().map(|p| p.source.clone()).collect();
        Built { manifest: HashMap::new(), order, pages, sections: done }
    }
}

impl Engine {
    /// The templates of `theme` compiled, or the last build's when their sources are the same.
    fn compiled(&mut self, theme: &theme::Theme) -> Result<Arc<tera::Tera>, Diagnostics> {
        let mut f = Fp::new("templates", 0);
        for (name, (path, text)) in &theme.templates {
            f.str(name).str(&path.to_string_lossy()).str(text);
        }
        let hash = f.finish();
        if let Some((h, tera)) = &self.tera {
            if *h == hash {
                return Ok(tera.clone());
            }
        }
        let tera = Arc::new(theme.compile()?);
        self.tera = Some((hash, tera.clone()));
        Ok(tera)
    }
}

/// Every page's videos for the gallery, as a full build gathers them.
fn gallery(lib: &Library, built: &Built) -> Vec<GalleryVideo> {
    let mut videos = Vec::new();
    for (i, p) in lib.pages.iter().enumerate() {
        for v in &built.pages[&p.source].videos {
            videos.push(GalleryVideo {
                player: v.player.clone(),
                title: v.title.clone(),
                page_title: p.meta.title.clone(),
                page_url: p.url.clone(),
                sort_key: (p.meta.date, i),
            });
        }
    }
    videos.sort_by(|a, b| b.sort_key.0.cmp(&a.sort_key.0).then(a.sort_key.1.cmp(&b.sort_key.1)));
    videos
}

/// What every output depends on: this pufa program, the options, `site.yaml`, the templates, the quizzes.
fn global_fingerprint(
    opts: &BuildOptions,
    config: &SiteConfig,
    templates: &BTreeMap<String, (PathBuf, String)>,
    quizzes: &Path,
) -> u64 {
    let mut f = Fp::new("global", cache::program_id());
    f.u64(opts.drafts as u64).json(config);
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
