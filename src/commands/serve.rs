//! `pufa serve`: builds the site (unless `--no-build`), checks or migrates the database, loads the competitions
//! and the law texts, then serves `server::app` until Ctrl-C or SIGTERM, with the watchers and the sweeper beside it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use crate::i18n::Lang;
use crate::server::catalog::Catalog;
use crate::server::catalog_watch::CatalogWatch;
use crate::server::{admin_token, app, laws, live, net, pages, sweep, AppState, SiteInfo};
use crate::store::Store;

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

/// `pufa serve`: builds the site (unless `--no-build`), opens the database (running migrations), and serves until Ctrl-C or SIGTERM.
pub async fn serve(opts: ServeOptions) -> anyhow::Result<()> {
    let (quizzes, diags) = crate::quiz::load(&opts.source.join("quizzes"));
    for w in diags.warnings() {
        eprintln!("{w}");
    }
    if diags.has_errors() {
        anyhow::bail!("{diags}");
    }
    let (suggestion_box, diags) = crate::quiz::suggestions::load(&opts.source.join("quizzes"));
    if diags.has_errors() {
        anyhow::bail!("{diags}");
    }
    let source = std::path::absolute(&opts.source).with_context(|| format!("{}", opts.source.display()))?;
    let url = opts.database_url.clone().unwrap_or_else(|| super::default_database_url(&opts.source));
    let lang = super::lang(&source);
    if !opts.migrate {
        super::db::require_current(&url, lang).await?;
    }
    let (token, origin) = admin_token::resolve(opts.admin_token.as_deref(), &source, lang)?;
    if let Some(notice) = admin_token::notice(&token, &origin, lang) {
        eprintln!("{notice}");
    }
    let (site, engine) = match opts.build {
        true => build_site(&source).map(|(site, engine)| (site, Some(engine)))?,
        false => (built_site(&source, lang)?, None),
    };
    let opening = || crate::i18n::fill(crate::i18n::t(lang, "ops.open_failed"), &[("db", &super::db::redact(&url))]);
    let store = Store::open_with(&url, opts.migrate).await.with_context(opening)?;
    let templates = pages::Templates::load(&opts.source).map_err(|d| anyhow::anyhow!("{d}"))?;
    let laws = laws::Laws::load(&source, &quizzes, lang);
    tracing::info!(laws = laws.len(), "law texts the legal bases link to");
    let catalog = std::sync::Arc::new(Catalog::of_folder(quizzes, laws, &source, lang));
    let mut state = AppState::new(crate::quiz::QuizSet::default(), store.clone())
        .with_catalog(catalog.clone())
        .with_site(site)
        .with_templates(templates)
        .with_admin_token(token)
        .with_suggestions(suggestion_box);
    // The certificates' signing secret exists from the first start on, kept in the database (issue 12).
    let now = crate::server::flow::millis(state.clock.now());
    state.certificates.key(&state.store, now).await.map_err(|e| anyhow::anyhow!("certificates secret: {e}"))?;
    // A watching server rebuilds on changes and reloads open pages; one that built without watching saves its
    // build's graph for the next `pufa build`; one started with --no-build built nothing.
    let (live, watching) = match engine {
        Some(engine) if opts.watch => {
            let l = live::Live::new(state.pages.config.language);
            state = state.with_live(l.clone());
            let w = live::watch(engine, l.clone(), state.pages.clone()).context("watching the site folder")?;
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
    // Applies changes to quizzes/ (by hand, by `pufa import`, from the organizer pages) without a restart.
    // Several processes on one database share what is saved (`catalog_share`); this one's files join if new there.
    match crate::server::catalog_share::seed(&catalog, &store).await {
        Ok(n) if n > 0 => tracing::info!(files = n, "quizzes/ files added to the shared copy in the database"),
        Ok(_) => {}
        Err(e) => tracing::warn!("sharing quizzes/ through the database failed: {e}"),
    }
    let reloader = CatalogWatch::spawn(catalog, state.clock.clone(), Some(store.clone()));
    // Run the accept loop as a task on the worker threads, not on the thread that called `block_on`.
    tokio::spawn(net::serve_on(listener, app(state), limits, shutdown)).await??;
    if let Some(w) = watching {
        w.stop();
    }
    sweeper.stop().await;
    reloader.stop().await;
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
        Err(e) => return Err(super::build::localized(e, super::lang(source))),
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

/// The site as the server serves it; fails on a broken site.yaml, naming its line.
fn site_info(source: &std::path::Path, public: PathBuf) -> anyhow::Result<SiteInfo> {
    crate::site::SiteConfig::load(source).map_err(|d| anyhow::anyhow!("{d}"))?;
    Ok(SiteInfo { public_dir: Some(public) })
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
