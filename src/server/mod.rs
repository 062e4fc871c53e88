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
pub mod campaign;
pub mod catalog;
pub mod catalog_share;
pub mod catalog_watch;
pub mod certificates;
pub mod error;
pub mod extract;
pub mod favicon;
pub mod flow;
pub mod items;
pub mod laws;
pub mod limits;
pub mod live;
pub mod names;
pub mod net;
pub mod pages;
pub mod quiz_files;
pub mod report;
pub mod resume;
pub mod security;
pub mod suggestions;
pub mod summary;
pub mod survey_report;
pub mod surveys;
pub mod sweep;

use std::path::PathBuf;
use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use tower_http::services::{ServeDir, ServeFile};

use crate::i18n::Lang;
use crate::quiz::QuizSet;
use crate::store::Store;

pub use error::ApiError;

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

/// What the server knows about the site it sits in (its settings are `pages::Templates::config`).
#[derive(Debug, Clone, Default)]
pub struct SiteInfo {
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
    /// `quizzes/` as it runs, reloaded when it changes.
    pub catalog: Arc<catalog::Catalog>,
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
    /// The public summaries of surveys (`public_summary`), likewise.
    pub summaries: Arc<board_cache::BoardCache<crate::quiz::survey::summary::Summary>>,
    /// The suggestion box's submission limits (its settings are the catalog's).
    pub suggestions: Arc<suggestions::Desk>,
    /// Uploads checked and shown on the organizer pages, waiting for "save".
    pub uploads: Arc<pages::upload::Staged>,
    /// The key of the certificates' verification codes, read from the database on first use.
    pub certificates: Arc<certificates::Keys>,
}

impl AppState {
    /// State with the system clock, Chinese, no admin token and no static site.
    pub fn new(quizzes: QuizSet, store: Store) -> AppState {
        AppState(Arc::new(Shared {
            catalog: Arc::new(catalog::Catalog::fixed(quizzes, laws::Laws::default())),
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
            summaries: Arc::default(),
            suggestions: Arc::default(),
            uploads: Arc::default(),
            certificates: Arc::default(),
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

    /// The site's law texts, which the result page links a question's basis to.
    pub fn with_laws(self, laws: laws::Laws) -> AppState {
        self.catalog.set_laws(laws);
        self
    }

    /// The catalog of a site folder, which `catalog_watch` reloads.
    pub fn with_catalog(mut self, catalog: Arc<catalog::Catalog>) -> AppState {
        self.catalog = catalog;
        self
    }

    /// The running version of `quizzes/`: one snapshot per request.
    pub fn quizzes(&self) -> Arc<QuizSet> {
        self.catalog.current()
    }

    /// The suggestion box's settings, with fresh submission limits.
    pub fn with_suggestions(mut self, settings: crate::quiz::suggestions::SuggestionBox) -> AppState {
        self.catalog.set_suggestions(settings);
        self.suggestions = Arc::new(suggestions::Desk::default());
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
        .merge(campaign::router())
        .merge(surveys::router())
        .merge(suggestions::router())
        .merge(certificates::router())
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
