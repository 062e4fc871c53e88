//! Server: axum routes for the competition pages, JSON API and organizer pages, over `quiz` and `store`,
//! plus the built static site.
//!
//! Handlers are thin: the logic of starting, resuming and submitting lives once in `flow` and of the ranking in
//! `board`, and both the JSON API and the HTML pages call it.

pub mod admin;
pub mod admin_token;
pub mod attempts;
pub mod board;
pub mod board_cache;
pub mod error;
pub mod extract;
pub mod favicon;
pub mod flow;
pub mod laws;
pub mod limits;
pub mod live;
pub mod names;
pub mod net;
pub mod pages;
pub mod report;
pub mod resume;
pub mod security;
pub mod summary;
pub mod sweep;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use tower_http::services::{ServeDir, ServeFile};

use crate::i18n::Lang;
use crate::quiz::QuizSet;
use crate::store::Store;

pub use error::ApiError;

/// Options of `pufa serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub source: PathBuf,
    pub port: u16,
    pub bind: String,
    pub database_url: Option<String>,
    pub admin_token: Option<String>,
    /// Apply pending migrations at start-up; when false, refuse to start while any are pending.
    pub migrate: bool,
    /// Rebuild on changes and reload open pages (`pufa serve` without `--no-watch`); needs `build`.
    pub watch: bool,
    /// Build SOURCE/public at start-up; when false (`--no-build`) serve it as it is, for the 2nd…Nth process on
    /// one folder (they would otherwise all rebuild it at once).
    pub build: bool,
}

/// The current time; a function so tests can move it.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock(Arc::new(Utc::now))
    }

    /// Any time source, e.g. a shared `Mutex<DateTime<Utc>>` a test advances.
    pub fn from_fn(f: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(f))
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

/// What the server knows about the site it sits in.
#[derive(Debug, Clone, Default)]
pub struct SiteInfo {
    /// Site title for page headers (from site.yaml once the site module is merged).
    pub title: String,
    /// Public URL of the site (for QR codes and links), if configured.
    pub base_url: Option<String>,
    /// The built static site served as the fallback; None serves nothing but the API and pages.
    pub public_dir: Option<PathBuf>,
}

/// Shared state of every handler: one `Arc`, so the copy axum hands each request is one reference count, not
/// one per field. Fields are read through `Deref`; changing one (the builders, a test) copies on write.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl std::ops::DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut Shared {
        Arc::make_mut(&mut self.0)
    }
}

/// What `AppState` shares.
#[derive(Clone)]
pub struct Shared {
    pub quizzes: Arc<QuizSet>,
    pub store: Store,
    /// Organizer token; None disables the admin pages and exports.
    pub admin_token: Option<Arc<str>>,
    pub lang: Lang,
    pub site: Arc<SiteInfo>,
    pub clock: Clock,
    /// Failed organizer logins per address (memory only, bounded).
    pub auth_failures: Arc<security::AuthFailures>,
    /// Wrong resume codes per participant (memory only, bounded).
    pub resume_failures: Arc<resume::Failures>,
    /// Running attempts started here, so submits skip a database read.
    pub open_attempts: Arc<flow::OpenAttempts>,
    /// The site's templates and `site.yaml`, for the competition pages.
    pub pages: Arc<pages::Templates>,
    /// The reload channel of a watching server; None serves the site as built.
    pub live: Option<Arc<live::Live>>,
    /// The public rankings, computed at most once a second each.
    pub boards: Arc<board_cache::BoardCache>,
    /// The site's law texts, which the result page links a question's basis to.
    pub laws: Arc<laws::Laws>,
}

impl AppState {
    /// State with the system clock, Chinese, no admin token and no static site.
    pub fn new(quizzes: QuizSet, store: Store) -> AppState {
        AppState(Arc::new(Shared {
            quizzes: Arc::new(quizzes),
            store,
            admin_token: None,
            lang: Lang::Zh,
            site: Arc::new(SiteInfo::default()),
            clock: Clock::system(),
            auth_failures: Arc::new(security::AuthFailures::default()),
            resume_failures: Arc::new(resume::Failures::default()),
            open_attempts: Arc::new(flow::OpenAttempts::default()),
            pages: pages::Templates::built_in(),
            live: None,
            boards: Arc::new(board_cache::BoardCache::default()),
            laws: Arc::default(),
        }))
    }

    /// Adds the reload script to the static pages and serves its event stream (`live`).
    pub fn with_live(mut self, live: Arc<live::Live>) -> AppState {
        self.live = Some(live);
        self
    }

    /// The templates and settings of a site folder (`pages::Templates::load`).
    pub fn with_templates(mut self, templates: pages::Templates) -> AppState {
        self.pages = Arc::new(templates);
        self
    }

    pub fn with_admin_token(mut self, token: impl Into<Arc<str>>) -> AppState {
        self.admin_token = Some(token.into());
        self
    }

    pub fn with_clock(mut self, clock: Clock) -> AppState {
        self.clock = clock;
        self
    }

    pub fn with_laws(mut self, laws: laws::Laws) -> AppState {
        self.laws = Arc::new(laws);
        self
    }

    pub fn with_site(mut self, site: SiteInfo) -> AppState {
        self.site = Arc::new(site);
        self
    }
}

async fn healthz() -> &'static str {
    "ok"
}

/// The whole application: API, pages, admin, the static site as fallback, wrapped in the security layers.
pub fn app(state: AppState) -> Router {
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .merge(attempts::router())
        .merge(board::router())
        .merge(admin::router())
        .merge(pages::router())
        .merge(live::router())
        .merge(favicon::router());
    if let Some(public) = state.site.public_dir.clone() {
        let not_found = ServeFile::new(public.join("404.html"));
        let site = ServeDir::new(public).not_found_service(not_found);
        router = match state.live {
            Some(_) => {
                let inject = axum::middleware::from_fn_with_state(state.clone(), live::inject);
                router.fallback_service(tower::Layer::layer(&inject, site))
            }
            None => router.fallback_service(site),
        };
    } else {
        router = router.fallback(|| async { ApiError::NotFound });
    }
    security::wrap(router.with_state(state))
}

/// `pufa serve`: builds the site (unless `--no-build`), opens the database (running migrations), and serves until Ctrl-C or SIGTERM.
pub async fn serve(opts: ServeOptions) -> anyhow::Result<()> {
    let (quizzes, diags) = crate::quiz::load(&opts.source.join("quizzes"));
    for w in diags.warnings() {
        eprintln!("{w}");
    }
    if diags.has_errors() {
        anyhow::bail!("{diags}");
    }
    let source = std::path::absolute(&opts.source).with_context(|| format!("{}", opts.source.display()))?;
    let url =
        opts.database_url.clone().unwrap_or_else(|| format!("sqlite:{}", opts.source.join("pufa.sqlite").display()));
    let lang = crate::ops::lang(&source);
    if !opts.migrate {
        crate::ops::require_current(&url, lang).await?;
    }
    let (token, origin) = admin_token::resolve(opts.admin_token.as_deref(), &source, lang)?;
    if let Some(notice) = admin_token::notice(&token, &origin, lang) {
        eprintln!("{notice}");
    }
    let (site, engine) = match opts.build {
        true => build_site(&source).map(|(site, engine)| (site, Some(engine)))?,
        false => (built_site(&source, lang)?, None),
    };
    let opening = || crate::i18n::fill(crate::i18n::t(lang, "ops.open_failed"), &[("db", &crate::ops::redact(&url))]);
    let store = Store::open_with(&url, opts.migrate).await.with_context(opening)?;
    let templates = pages::Templates::load(&opts.source).map_err(|d| anyhow::anyhow!("{d}"))?;
    let laws = laws::Laws::load(&source, &quizzes, lang);
    tracing::info!(laws = laws.len(), "law texts the legal bases link to");
    let mut state = AppState::new(quizzes, store.clone())
        .with_site(site)
        .with_templates(templates)
        .with_admin_token(token)
        .with_laws(laws);
    // A watching server rebuilds on changes and reloads open pages; one that built without watching saves its
    // build's graph for the next `pufa build`; one started with --no-build built nothing.
    let (live, watching) = match engine {
        Some(engine) if opts.watch => {
            let l = live::Live::new(state.pages.config.language);
            state = state.with_live(l.clone());
            let w = live::watch(engine, l.clone()).context("watching the site folder")?;
            (Some(l), Some(w))
        }
        Some(engine) => {
            let _ = engine.save_cache();
            (None, None)
        }
        None => (None, None),
    };
    let addr: SocketAddr = format!("{}:{}", opts.bind, opts.port)
        .parse()
        .with_context(|| format!("invalid address {}:{}", opts.bind, opts.port))?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    let open_files = net::raise_open_files().context("reading the open-files limit")?;
    let limits = net::Limits::for_open_files(open_files);
    tracing::info!(
        open_files,
        max_connections = limits.max_connections,
        "serving on http://{}",
        listener.local_addr()?
    );
    let shutdown = async move {
        shutdown_signal().await;
        // Open event streams would hold the graceful shutdown until its timeout.
        if let Some(l) = live {
            l.close();
        }
    };
    // Grades the attempts that expired unsubmitted, also while the server was down: now, then every 30 s.
    let sweeper = sweep::Sweeper::spawn(state.clone(), sweep::SWEEP_EVERY);
    // Run the accept loop as a task on the worker threads, not on the thread that called `block_on`.
    tokio::spawn(net::serve_on(listener, app(state), limits, shutdown)).await??;
    if let Some(w) = watching {
        w.stop();
    }
    sweeper.stop().await;
    // Requests have drained; let the writer commit what is queued.
    store.close(Duration::from_secs(10)).await;
    Ok(())
}

/// Builds the static site into SOURCE/public (refusing to start on build errors; from the build cache when there
/// is one) and describes it for the pages; the engine then rebuilds incrementally.
/// A folder with only `quizzes/` gets an empty `content/`, so the theme's assets and the competition pages exist.
fn build_site(source: &std::path::Path) -> anyhow::Result<(SiteInfo, crate::site::Engine)> {
    let content = source.join("content");
    if !content.exists() {
        std::fs::create_dir_all(&content).with_context(|| format!("creating {}", content.display()))?;
    }
    let opts = crate::site::BuildOptions::new(source, None);
    let public = source.join("public");
    let mut engine = crate::site::Engine::with_cache(opts);
    match engine.build(None) {
        Ok(report) => tracing::info!(pages = report.pages, "site built into {}", public.display()),
        Err(crate::site::BuildError::Diagnostics(d)) => anyhow::bail!("{d}"),
        Err(e) => return Err(anyhow::anyhow!("{e}")),
    }
    Ok((site_info(source, public)?, engine))
}

/// SOURCE/public as a build left it (`--no-build`); refuses to start, naming the folder, when there is none.
fn built_site(source: &std::path::Path, lang: Lang) -> anyhow::Result<SiteInfo> {
    let public = source.join("public");
    if !public.is_dir() {
        let (path, source) = (public.display().to_string(), source.display().to_string());
        anyhow::bail!(crate::i18n::fill(
            crate::i18n::t(lang, "ops.serve.no_public"),
            &[("path", &path), ("source", &source)]
        ));
    }
    tracing::info!("serving {} as built (--no-build)", public.display());
    site_info(source, public)
}

fn site_info(source: &std::path::Path, public: PathBuf) -> anyhow::Result<SiteInfo> {
    let config = crate::site::SiteConfig::load(source).map_err(|d| anyhow::anyhow!("{d}"))?;
    Ok(SiteInfo {
        title: config.title.clone(),
        base_url: Some(config.base_url.clone()).filter(|u| !u.is_empty()),
        public_dir: Some(public),
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
