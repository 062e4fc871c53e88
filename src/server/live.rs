//! `pufa serve` for authors: a watcher rebuilds the site incrementally when `content/`, `themes/`, `quizzes/`,
//! `templates/`, `static/`, `site.yaml` (or the Hugo/Zola configuration read in its place) change, and open
//! pages reload through a server-sent event stream (`/_pufa/live`) that a small script (`/_pufa/live.js`, from
//! 'self' as the CSP asks) listens to. The script is added to the static site's pages only by this server, never
//! written into `public/`. A failed build shows its errors over the page, and the last good pages stay served.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use notify::{RecursiveMode, Watcher};
use tokio::sync::{broadcast, watch};
use tokio_stream::wrappers::{BroadcastStream, WatchStream};
use tokio_stream::StreamExt;

use super::pages::Templates;
use super::AppState;
use crate::diag::Diagnostics;
use crate::i18n::{self, Lang};
use crate::site::{BuildError, Engine};

/// The start of the tag added before `</body>` of every static page; `data-build` follows, the number of the
/// build the page comes from, so a page coming back from the back/forward cache knows whether it is stale.
pub const SCRIPT_TAG: &str = "<script src=\"/_pufa/live.js\" defer data-build=\"";

const SCRIPT: &str = include_str!("live.js");

/// The folders and file of the site folder a rebuild depends on.
const WATCHED_DIRS: [&str; 5] = ["content", "themes", "quizzes", "templates", "static"];
const WATCHED_FILE: &str = "site.yaml";

/// Changes closer together than this are one rebuild (an editor's save is often several file events).
const QUIET: Duration = Duration::from_millis(10);
/// A rebuild starts at the latest this long after the first change, even if changes keep coming.
const MAX_WAIT: Duration = Duration::from_millis(300);

/// What open pages are told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The site was rebuilt: reload.
    Reload,
    /// A rebuild failed: the overlay's contents as JSON (`{title, close, errors: ["file:line:col: …"]}`).
    Failed(String),
}

impl Notice {
    fn event(&self) -> Event {
        // Browsers dispatch no event without a `data:` line (the HTML spec's "dispatch the event" step skips an
        // empty data buffer), so a reload carries one.
        match self {
            Notice::Reload => Event::default().event("reload").data("reload"),
            Notice::Failed(json) => Event::default().event("failed").data(json),
        }
    }
}

/// Counts an open event stream while it lives.
struct Open(Arc<Live>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.streams.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The reload channel between the watcher and the open pages.
pub struct Live {
    tx: broadcast::Sender<Notice>,
    /// The failure shown now, for pages opened while it lasts.
    failure: Mutex<Option<String>>,
    closed: watch::Sender<bool>,
    lang: Lang,
    /// Builds since the start: pages carry the number they were built by.
    generation: AtomicU64,
    /// Event streams open now.
    streams: AtomicUsize,
}

impl Live {
    pub fn new(lang: Lang) -> Arc<Live> {
        Arc::new(Live {
            tx: broadcast::channel(16).0,
            failure: Mutex::default(),
            closed: watch::channel(false).0,
            lang,
            generation: AtomicU64::new(0),
            streams: AtomicUsize::new(0),
        })
    }

    /// Event streams open now (a page that was left or hidden has closed its own).
    pub fn open_streams(&self) -> usize {
        self.streams.load(Ordering::Relaxed)
    }

    /// The number of the last good build.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Relaxed)
    }

    /// Notices from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.tx.subscribe()
    }

    /// The site was rebuilt.
    pub fn reloaded(&self) {
        self.generation.fetch_add(1, Ordering::Relaxed);
        *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let _ = self.tx.send(Notice::Reload);
    }

    /// A rebuild failed with `errors` (each naming file and line).
    pub fn failed(&self, errors: Vec<String>) {
        let json = serde_json::json!({
            "title": i18n::t(self.lang, "live.build_failed"),
            "close": i18n::t(self.lang, "live.close"),
            "errors": errors,
        })
        .to_string();
        *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(json.clone());
        let _ = self.tx.send(Notice::Failed(json));
    }

    fn failing(&self) -> bool {
        self.failure.lock().unwrap_or_else(|e| e.into_inner()).is_some()
    }

    /// Ends every event stream (the server is shutting down and waits for open connections).
    pub fn close(&self) {
        let _ = self.closed.send(true);
    }
}

/// `/_pufa/live` and `/_pufa/live.js`; both 404 when the server does not watch.
pub fn router() -> Router<AppState> {
    Router::new().route("/_pufa/live", get(events)).route("/_pufa/live.js", get(script))
}

async fn events(State(state): State<AppState>) -> Response {
    let Some(live) = state.live.clone() else { return StatusCode::NOT_FOUND.into_response() };
    let now = live.failure.lock().unwrap_or_else(|e| e.into_inner()).clone().map(Notice::Failed);
    // First the build the pages are at: a page that kept an older number (it sat hidden, or in the
    // back/forward cache, while a rebuild happened) reloads.
    let hello = Event::default().event("hello").data(live.generation().to_string());
    // A stream that fell behind missed a notice; reloading is always right.
    let notices = BroadcastStream::new(live.subscribe()).map(|n| Some(n.unwrap_or(Notice::Reload)));
    let closing = WatchStream::new(live.closed.subscribe()).filter(|c| *c).map(|_| None);
    live.streams.fetch_add(1, Ordering::Relaxed);
    let open = Open(live.clone());
    let stream =
        tokio_stream::iter(now.map(Some)).chain(notices).merge(closing).take_while(Option::is_some).map(move |n| {
            let _counted = &open;
            Ok::<_, Infallible>(n.map(|n| n.event()).unwrap_or_default())
        });
    let stream = tokio_stream::once(Ok(hello)).chain(stream);
    // Keep-alive comments every 15 s also find streams whose page is gone without a goodbye: the write fails
    // and the stream is dropped.
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}

async fn script(State(state): State<AppState>) -> Response {
    if state.live.is_none() {
        return StatusCode::NOT_FOUND.into_response();
    }
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], SCRIPT)
        .into_response()
}

/// The reload script's tag for pages of build `generation`.
pub fn script_tag(generation: u64) -> String {
    format!("{SCRIPT_TAG}{generation}\"></script>")
}

/// `html` with the script tag of build `generation` before its last `</body>` (or at the end).
pub fn with_script(html: &[u8], generation: u64) -> Vec<u8> {
    let at = html.windows(7).rposition(|w| w.eq_ignore_ascii_case(b"</body>")).unwrap_or(html.len());
    [&html[..at], script_tag(generation).as_bytes(), &html[at..]].concat()
}

/// Middleware over the static site: adds the reload script to HTML pages. `HEAD` answers the length `GET` would.
pub async fn inject(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let generation = state.live.as_ref().map_or(0, |l| l.generation());
    let head = req.method() == axum::http::Method::HEAD;
    let resp = next.run(req).await;
    let html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !html {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    parts.headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if head {
        let length = parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
        if let Some(n) = length {
            parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(n + script_tag(generation).len()));
        }
        return Response::from_parts(parts, Body::empty());
    }
    let Ok(bytes) = axum::body::to_bytes(body, 256 << 20).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(with_script(&bytes, generation)))
}

/// A running watcher: stop it to end rebuilding and save the build cache.
pub struct Watching {
    watcher: Arc<Mutex<Option<notify::RecommendedWatcher>>>,
    thread: std::thread::JoinHandle<Engine>,
}

impl Watching {
    /// Stops watching, waits for a rebuild under way, and saves the engine's build cache.
    pub fn stop(self) {
        self.watcher.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Ok(engine) = self.thread.join() {
            if let Err(e) = engine.save_cache() {
                tracing::warn!("could not save the build cache: {e}");
            }
        }
    }
}

/// Starts watching the site folder of `engine` (its source must be an absolute path), rebuilding on every change
/// and telling `live`; after a good build that may have changed templates, the competition pages' `templates`
/// are compiled again, so they show the author's edit as the static pages do.
pub fn watch(mut engine: Engine, live: Arc<Live>, templates: Arc<Templates>) -> notify::Result<Watching> {
    let source = engine.options().source.clone();
    let (tx, rx) = std::sync::mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(tx)?;
    watcher.watch(&source, RecursiveMode::NonRecursive)?;
    for dir in WATCHED_DIRS.map(|d| source.join(d)).iter().filter(|d| d.is_dir()) {
        watcher.watch(dir, RecursiveMode::Recursive)?;
    }
    let watcher = Arc::new(Mutex::new(Some(watcher)));
    let adder = Arc::downgrade(&watcher);
    let thread = std::thread::spawn(move || {
        // A rebuild with no changed file when a page's publication window opens or closes.
        while let Some(batch) = next_batch(&rx, engine.until_next_window()) {
            if batch.is_empty() {
                rebuild(&mut engine, Some(&[]), &live);
                continue;
            }
            let Some(changes) = relevant(&source, batch) else { continue };
            if let Some(w) = adder.upgrade() {
                // A watched folder created after the start (a first template, a quizzes/ folder) is watched too.
                if let Some(w) = w.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
                    for dir in WATCHED_DIRS.map(|d| source.join(d)) {
                        if changes.as_ref().is_none_or(|c| c.contains(&dir)) && dir.is_dir() {
                            let _ = w.watch(&dir, RecursiveMode::Recursive);
                        }
                    }
                }
            }
            let themed = changes.as_ref().is_none_or(|c| c.iter().any(|p| shapes_pages(&source, p)));
            if rebuild(&mut engine, changes.as_deref(), &live) && themed {
                if let Err(d) = templates.reload() {
                    eprintln!("{d}");
                }
            }
        }
        engine
    });
    Ok(Watching { watcher, thread })
}

/// Waits for a change, then for the changes right after it; an empty batch when `until` passed first (a second
/// late, so the boundary is behind); None when the watcher is gone.
fn next_batch(
    rx: &std::sync::mpsc::Receiver<notify::Result<notify::Event>>,
    until: Option<Duration>,
) -> Option<Vec<notify::Result<notify::Event>>> {
    let first = match until {
        Some(d) => match rx.recv_timeout(d + Duration::from_secs(1)) {
            Ok(e) => e,
            Err(RecvTimeoutError::Timeout) => return Some(Vec::new()),
            Err(RecvTimeoutError::Disconnected) => return None,
        },
        None => rx.recv().ok()?,
    };
    let start = Instant::now();
    let mut batch = vec![first];
    while start.elapsed() < MAX_WAIT {
        match rx.recv_timeout(QUIET) {
            Ok(e) => batch.push(e),
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    Some(batch)
}

/// The changed paths that matter to the build; `Some(None)` asks for a full look (the watcher lost track).
fn relevant(source: &Path, batch: Vec<notify::Result<notify::Event>>) -> Option<Option<Vec<PathBuf>>> {
    let mut paths = Vec::new();
    for event in batch {
        let Ok(event) = event else { return Some(None) };
        if event.need_rescan() {
            return Some(None);
        }
        // Reading a file is no change (and the build itself reads the files it watches).
        if matches!(event.kind, notify::EventKind::Access(_)) {
            continue;
        }
        paths.extend(event.paths.into_iter().filter(|p| matters(source, p)));
    }
    paths.sort();
    paths.dedup();
    (!paths.is_empty()).then_some(Some(paths))
}

fn matters(source: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(source) else { return false };
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    match parts.next() {
        // site.yaml, or the Hugo or Zola configuration read in its place
        Some(first) if first == WATCHED_FILE || crate::site::foreign::FILES.contains(&first.as_ref()) => {
            parts.next().is_none()
        }
        Some(first) => WATCHED_DIRS.contains(&first.as_ref()),
        None => false,
    }
}

/// Whether a changed path may change the competition pages' templates: the theme, the site's templates.
fn shapes_pages(source: &Path, path: &Path) -> bool {
    let rel = path.strip_prefix(source).unwrap_or(path);
    let config = |name: &str| rel == Path::new(name);
    rel.starts_with("themes")
        || rel.starts_with("templates")
        || config(WATCHED_FILE)
        || crate::site::foreign::FILES.iter().any(|f| config(f))
}

/// Rebuilds and tells the open pages: reload when something was written (or a failure is over), else the errors.
/// Whether the build succeeded.
fn rebuild(engine: &mut Engine, changes: Option<&[PathBuf]>, live: &Live) -> bool {
    match engine.build(changes) {
        Ok(report) => {
            let (files, ms) = (report.files.to_string(), report.elapsed.as_millis().to_string());
            tracing::info!("{}", i18n::fill(i18n::t(live.lang, "live.rebuilt"), &[("files", &files), ("ms", &ms)]));
            if report.files > 0 || live.failing() {
                live.reloaded();
            }
            true
        }
        Err(BuildError::Diagnostics(d)) => {
            eprintln!("{}", crate::localize::diagnostics(live.lang, &d));
            live.failed(errors(&d, live.lang));
            false
        }
        Err(e) => {
            eprintln!("{e}");
            live.failed(vec![e.to_string()]);
            false
        }
    }
}

fn errors(d: &Diagnostics, lang: crate::i18n::Lang) -> Vec<String> {
    d.0.iter().filter(|d| d.is_error()).map(|d| crate::localize::diagnostic(lang, d)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_that_matter_to_a_rebuild() {
        let src = Path::new("/site");
        for p in
            ["content/a.md", "site.yaml", "hugo.toml", "config.toml", "templates/page.html", "quizzes/banks/x.yaml"]
        {
            assert!(matters(src, &src.join(p)), "{p}");
        }
        for p in ["public/index.html", "README.md", "notes/site.yaml", ".pufa-cache/build.json", "hugo.toml.swp"] {
            assert!(!matters(src, &src.join(p)), "{p}");
        }
        assert!(shapes_pages(src, &src.join("hugo.toml")) && !shapes_pages(src, &src.join("content/a.md")));
    }
}
