//! `pufa serve` for authors (issue 5): the reload script is added to static pages only by a watching server,
//! the event stream carries reloads and build failures, and a real file change goes through the watcher, an
//! incremental rebuild and a reload event to a client on a real port. No timing thresholds: waits are generous
//! timeouts only.

use crate::common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use pufa::server::live::{self, Live, SCRIPT_TAG};
use pufa::server::{app, AppState, SiteInfo};
use pufa::site::{BuildOptions, Engine};
use pufa::store::Store;
use tower::ServiceExt;

const WAIT: Duration = Duration::from_secs(60);

/// The good fixture site copied into a temporary folder (an absolute path) and built.
fn site() -> (tempfile::TempDir, PathBuf, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::absolute(dir.path().join("site")).unwrap();
    common::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites/good"), &root);
    let mut engine = Engine::new(BuildOptions::new(&root, None));
    engine.build(None).unwrap();
    (dir, root, engine)
}

async fn state(root: &Path, live: Option<Arc<Live>>) -> AppState {
    let store = Store::open(&format!("sqlite:{}", root.join("pufa.sqlite").display())).await.unwrap();
    let site = SiteInfo { public_dir: Some(root.join("public")) };
    let state = AppState::new(common::fixture(), store).with_site(site);
    match live {
        Some(l) => state.with_live(l),
        None => state,
    }
}

async fn get(state: &AppState, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let resp = app(state.clone()).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn reload_script_only_in_watching_servers() {
    let (_dir, root, _) = site();
    let plain = state(&root, None).await;
    let (status, _, html) = get(&plain, "/xianfa/a/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("_pufa"), "a server that does not watch adds no script");
    assert_eq!(get(&plain, "/_pufa/live.js").await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(&plain, "/_pufa/live").await.0, StatusCode::NOT_FOUND);

    let watching = state(&root, Some(Live::new(Default::default()))).await;
    let (status, headers, html) = get(&watching, "/xianfa/a/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("{}</body>", live::script_tag(0))), "script before </body>");
    assert_eq!(html.matches("<script").count(), get(&plain, "/xianfa/a/").await.2.matches("<script").count() + 1);
    // The script is a file from the site itself, so the page's CSP needs no inline script.
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    let (status, headers, js) = get(&watching, "/_pufa/live.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/javascript"));
    assert!(js.contains("EventSource(\"/_pufa/live\")"));
    // Not HTML: left as it is.
    let (_, _, css) = get(&watching, "/static/style.css").await;
    assert!(!css.contains("_pufa"));
    // On disk the pages stay as `pufa build` writes them.
    assert!(!std::fs::read_to_string(root.join("public/xianfa/a/index.html")).unwrap().contains("_pufa"));
}

/// The events an `EventSource` dispatches from `stream`, as (type, data), following the HTML standard's
/// "interpreting an event stream": a block without data is dispatched as nothing.
fn dispatched(stream: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let (mut kind, mut data) = (String::new(), String::new());
    for line in stream.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)) {
        if line.is_empty() {
            if !data.is_empty() {
                data.pop();
                out.push((if kind.is_empty() { "message".into() } else { kind.clone() }, data.clone()));
            }
            (kind, data) = (String::new(), String::new());
            continue;
        }
        if line.starts_with(':') {
            continue;
        }
        let (field, value) = line.split_once(':').map_or((line, ""), |(f, v)| (f, v.strip_prefix(' ').unwrap_or(v)));
        match field {
            "event" => kind = value.to_string(),
            "data" => {
                data.push_str(value);
                data.push('\n');
            }
            _ => {}
        }
    }
    out
}

#[test]
fn the_parser_follows_the_standard() {
    let events = dispatched("event: a\n\nevent: b\ndata: x\ndata: y\n\n: comment\ndata\n\n");
    assert_eq!(events, [("b".to_string(), "x\ny".to_string()), ("message".to_string(), String::new())]);
}

// Issue 17: HEAD answered another Content-Length than GET for pages with the reload script.
#[tokio::test]
async fn head_answers_the_length_that_get_sends() {
    let (_dir, root, _) = site();
    for live in [None, Some(Live::new(Default::default()))] {
        let state = state(&root, live).await;
        for uri in ["/xianfa/a/", "/", "/static/style.css", "/quiz/open/", "/api/competitions"] {
            let get = app(state.clone()).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(get.status(), StatusCode::OK, "{uri}");
            let sent = get.into_body().collect().await.unwrap().to_bytes().len();
            let head = app(state.clone()).oneshot(Request::head(uri).body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(head.status(), StatusCode::OK, "{uri}");
            let length = head.headers().get(header::CONTENT_LENGTH).map(|v| v.to_str().unwrap().to_string());
            assert_eq!(length, Some(sent.to_string()), "{uri}");
            assert!(head.into_body().collect().await.unwrap().to_bytes().is_empty(), "{uri}: HEAD has no body");
        }
    }
}

// Issue 17: every page 404ed `/favicon.ico`.
#[tokio::test]
async fn pages_have_an_icon_and_favicon_ico_answers() {
    let (_dir, root, _) = site();
    let state = state(&root, None).await;
    let (_, _, html) = get(&state, "/xianfa/a/").await;
    assert!(html.contains("<link rel=\"icon\" type=\"image/svg+xml\" href=\"/static/favicon.svg\">"), "{html}");
    let (status, headers, svg) = get(&state, "/static/favicon.svg").await;
    assert_eq!(status, StatusCode::OK);
    assert!(svg.starts_with("<svg") && headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("image/svg"));
    let (status, headers, body) = get(&state, "/favicon.ico").await;
    assert_eq!((status, headers[header::CONTENT_TYPE].to_str().unwrap()), (StatusCode::OK, "image/svg+xml"));
    assert_eq!(body, svg);
    // A site with an icon of its own keeps it.
    std::fs::write(root.join("public/favicon.ico"), b"\0\0\x01\0own").unwrap();
    let (_, headers, body) = get(&state, "/favicon.ico").await;
    assert_eq!((headers[header::CONTENT_TYPE].to_str().unwrap(), body.as_str()), ("image/x-icon", "\0\0\u{1}\0own"));
}

/// Reads the event stream until it holds `needle`, returning all read so far.
async fn until(body: &mut Body, seen: &mut String, needle: &str) {
    tokio::time::timeout(WAIT, async {
        while !seen.contains(needle) {
            let frame = body.frame().await.expect("stream open").unwrap();
            if let Ok(data) = frame.into_data() {
                seen.push_str(&String::from_utf8_lossy(&data));
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {needle:?} in {seen:?}"));
}

#[tokio::test]
async fn event_stream_carries_reloads_and_failures() {
    let (_dir, root, _) = site();
    let live = Live::new(Default::default());
    let state = state(&root, Some(live.clone())).await;
    let resp = app(state.clone()).oneshot(Request::get("/_pufa/live").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()[header::CONTENT_TYPE], "text/event-stream");
    let mut body = resp.into_body();
    let mut seen = String::new();
    live.reloaded();
    until(&mut body, &mut seen, "event: reload").await;
    live.failed(vec!["content/xianfa/a.md:3:1: unknown field `titel`".into()]);
    until(&mut body, &mut seen, "event: failed").await;
    until(&mut body, &mut seen, "content/xianfa/a.md:3:1").await;
    assert!(seen.contains("生成失败"), "{seen}");
    // As a browser's EventSource reads them (issue 17: a reload without a `data:` line was never dispatched).
    let events = dispatched(&seen);
    assert_eq!(events[0], ("hello".to_string(), "0".to_string()), "the build the pages are at comes first");
    assert_eq!(events[1].0, "reload");
    assert_eq!(events[2].0, "failed");
    assert!(events[2].1.contains("content/xianfa/a.md:3:1"));
    assert_eq!(events.len(), 3, "{events:?}");

    // A page opened while the failure lasts is shown it at once.
    let resp = app(state).oneshot(Request::get("/_pufa/live").body(Body::empty()).unwrap()).await.unwrap();
    let (mut late, mut seen) = (resp.into_body(), String::new());
    until(&mut late, &mut seen, "content/xianfa/a.md:3:1").await;

    // Closing ends the streams (the server's graceful shutdown waits for them).
    live.close();
    tokio::time::timeout(WAIT, async { while late.frame().await.is_some() {} }).await.expect("stream ends");
}

/// A client on a real port reading the event stream.
struct Client {
    resp: reqwest::Response,
    seen: String,
}

impl Client {
    async fn wait_for(&mut self, needle: &str) -> String {
        tokio::time::timeout(WAIT, async {
            while !self.seen.contains(needle) {
                let chunk = self.resp.chunk().await.unwrap().expect("stream open");
                self.seen.push_str(&String::from_utf8_lossy(&chunk));
            }
        })
        .await
        .unwrap_or_else(|_| panic!("no {needle:?} in {:?}", self.seen));
        std::mem::take(&mut self.seen)
    }
}

/// A watching server of `root` on a real local port: its reload channel, the watcher, the address and the task.
async fn watched_server(
    root: &Path,
    engine: Engine,
) -> (Arc<Live>, live::Watching, SocketAddr, tokio::task::JoinHandle<()>) {
    let live = Live::new(Default::default());
    let state = state(root, Some(live.clone())).await;
    let watching = live::watch(engine, live.clone(), state.pages.clone()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    (live, watching, addr, server)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_file_is_rebuilt_and_reloads_open_pages() {
    let (_dir, root, engine) = site();
    let (live, watching, addr, server) = watched_server(&root, engine).await;
    let http = reqwest::Client::new();
    let page = |p: &str| format!("http://{addr}{p}");
    let resp = http.get(page("/_pufa/live")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let mut client = Client { resp, seen: String::new() };

    let file = root.join("content/xianfa/a.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n刚刚写好的一段话。\n")).unwrap();
    client.wait_for("event: reload").await;
    let html = http.get(page("/xianfa/a/")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("刚刚写好的一段话") && html.contains(SCRIPT_TAG), "{html}");

    // A broken front matter: the overlay names the file and line, the last good page stays served.
    std::fs::write(&file, text.replacen("author:", "titel: 拼错\nauthor:", 1)).unwrap();
    let failed = client.wait_for("event: failed").await;
    assert!(failed.contains("content/xianfa/a.md:4"), "{failed}");
    let html = http.get(page("/xianfa/a/")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("刚刚写好的一段话"), "the last good page is served");

    // Fixed: the overlay goes with a reload; a new page appears, a deleted one is gone.
    std::fs::write(&file, &text).unwrap();
    std::fs::write(root.join("content/xianfa/new.md"), "---\ntitle: 新的一篇\n---\n正文。\n").unwrap();
    client.wait_for("event: reload").await;
    std::fs::remove_file(root.join("content/xianfa/b.md")).unwrap();
    client.wait_for("event: reload").await;
    let status = |p: &str| {
        let url = page(p);
        let http = http.clone();
        async move { http.get(url).send().await.unwrap().status() }
    };
    assert_eq!(status("/xianfa/new/").await, 200);
    assert_eq!(status("/xianfa/b/").await, 404);
    assert!(!root.join("public/xianfa/b/index.html").exists());

    live.close();
    drop(client);
    watching.stop();
    server.abort();
}

// Issue 16: a watching server rebuilt the static pages after a template edit, but its competition pages kept the
// templates of its start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_template_shows_on_the_competition_pages_too() {
    let (_dir, root, engine) = site();
    std::fs::create_dir_all(root.join("templates/quiz")).unwrap();
    let live = Live::new(Default::default());
    let templates = pufa::server::pages::Templates::load(&root).unwrap();
    let state = state(&root, Some(live.clone())).await.with_templates(templates);
    let watching = live::watch(engine, live.clone(), state.pages.clone()).unwrap();
    let (status, _, before) = get(&state, "/quiz/open/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!before.contains("EDITED-LANDING"));

    let theme = pufa::site::theme::Theme::built_in();
    let landing = &theme.templates["quiz/landing.html"].1;
    let edited = landing.replacen("{% block main %}", "{% block main %}<p>EDITED-LANDING</p>", 1);
    assert_ne!(&edited, landing);
    std::fs::write(root.join("templates/quiz/landing.html"), edited).unwrap();
    tokio::time::timeout(WAIT, async {
        while !get(&state, "/quiz/open/").await.2.contains("EDITED-LANDING") {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("the competition page shows the edited template");
    watching.stop();
}

/// Issue 14: a watching server publishes a page when its `publishDate` arrives, with no file changed (the engine
/// sleeps until the next publication boundary, then builds again).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_appears_when_its_publish_date_arrives() {
    let (_dir, root, engine) = site();
    let (live, watching, addr, server) = watched_server(&root, engine).await;
    let http = reqwest::Client::new();
    let resp = http.get(format!("http://{addr}/_pufa/live")).send().await.unwrap();
    let mut client = Client { resp, seen: String::new() };

    let soon = (chrono::Utc::now() + chrono::Duration::seconds(3))
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    let text = format!(
        "---\ntitle: 定时发布\npublishDate: {}\n---\n正文。\n",
        soon.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    );
    std::fs::write(root.join("content/xianfa/later.md"), text).unwrap();
    let status = || async { http.get(format!("http://{addr}/xianfa/later/")).send().await.unwrap().status() };
    assert_eq!(status().await, 404, "not before its date");
    // The saved file changes no output (nothing to reload for); the reload comes from the clock alone.
    client.wait_for("event: reload").await;
    assert_eq!(status().await, 200, "published when its date came");

    live.close();
    drop(client);
    watching.stop();
    server.abort();
}

/// The search page fetches a result's block of text by byte range (issue 15): `pufa serve` answers a range of a
/// page's text file with those bytes only, whether it watches the site or not.
#[tokio::test]
async fn search_text_files_are_served_by_byte_range() {
    let (_dir, root, _) = site();
    let row: pufa::site::search::PageEntry = {
        let chunk = std::fs::read(root.join("public/search/p/0.json")).unwrap();
        let rows: Vec<pufa::site::search::PageEntry> = serde_json::from_slice(&chunk).unwrap();
        rows.into_iter().max_by_key(|r| r.blocks.len()).unwrap()
    };
    let file = pufa::site::search::text_file(&row.key);
    let whole = std::fs::read(root.join("public").join(&file)).unwrap();
    let range = pufa::site::search::block_range(&row.blocks, row.blocks.len() - 1).unwrap();
    for state in [state(&root, None).await, state(&root, Some(Live::new(Default::default()))).await] {
        let req = Request::get(format!("/{file}"))
            .header(header::RANGE, format!("bytes={}-{}", range.start, range.end - 1))
            .body(Body::empty())
            .unwrap();
        let resp = app(state).oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], &whole[range.clone()]);
        let block: pufa::site::search::Block<'_> = serde_json::from_slice(&body).unwrap();
        assert!(!block.t.is_empty() || row.blocks.len() == 1);
    }
}
