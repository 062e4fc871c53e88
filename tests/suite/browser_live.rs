//! A watching `pufa serve` in real headless Chromium at 360×740 (issue 17, "`pufa serve` itself"): ten page
//! visits in a row, back and forward included, never stall on live-reload streams left open by earlier pages;
//! a link to a law article lands below the sticky header with the article marked; an edit appears in the open
//! page without a manual reload; a build error's overlay goes once it is fixed.

use crate::common;
use crate::common::chrome;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, Locator};
use pufa::server::live::{self, Live};
use pufa::server::{app, AppState, SiteInfo};
use pufa::site::{BuildOptions, Engine};
use pufa::store::Store;

/// Polls `probe` in the page until it returns true, for at most a minute.
async fn until(c: &Client, what: &str, probe: &str) {
    for _ in 0..600 {
        if let Ok(v) = c.execute(probe, vec![]).await {
            if v.as_bool() == Some(true) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never saw {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_never_stall_and_edits_reload_in_a_real_browser() {
    let Some((chromium, driver)) = chrome::binaries() else { return };
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::absolute(dir.path().join("site")).unwrap();
    common::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites/good"), &root);
    let mut engine = Engine::new(BuildOptions::new(&root, None));
    engine.build(None).unwrap();
    let store = Store::open(&format!("sqlite:{}", root.join("pufa.sqlite").display())).await.unwrap();
    let site = SiteInfo { public_dir: Some(root.join("public")) };
    let live = Live::new(Default::default());
    let state = AppState::new(common::fixture(), store).with_site(site).with_live(live.clone());
    let watching = live::watch(engine, live.clone(), state.pages.clone()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });

    let browser = chrome::Browser::phone(&chromium, &driver).await;
    let c = &browser.client;
    // A stalled page (all six connections held by streams of earlier pages) waited 48–60 s; this fails it.
    c.update_timeouts(TimeoutConfiguration::new(None, Some(Duration::from_secs(30)), None)).await.unwrap();
    let pages = ["/", "/xianfa/", "/xianfa/a/", "/xianfa/b/", "/xianfa/c/", "/minfa/", "/shipin/", "/tags/"];
    for (i, p) in pages.iter().chain(["/xianfa/a/", "/minfa/"].iter()).enumerate() {
        c.goto(&format!("http://{addr}{p}")).await.unwrap_or_else(|e| panic!("visit {} ({p}): {e}", i + 1));
    }
    for _ in 0..3 {
        c.back().await.unwrap();
    }
    c.forward().await.unwrap();
    c.goto(&format!("http://{addr}/xianfa/a/")).await.unwrap();
    until(c, "the page's stream", "return document.readyState === 'complete'").await;
    // Only the page in view keeps a stream: the others closed theirs when they were left.
    for _ in 0..100 {
        if live.open_streams() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(live.open_streams(), 1, "streams of pages no longer shown are closed");

    // Reading (issue 17): a link to an article lands below the sticky header, and the whole article is marked.
    c.goto(&format!("http://{addr}/xianfa/a/#第三十三条")).await.unwrap();
    let probe = "var a = document.getElementById('第三十三条'); var h = document.querySelector('.site-header'); \
                 var r = a.getBoundingClientRect(); \
                 return [r.top - h.getBoundingClientRect().bottom, getComputedStyle(a).backgroundColor, \
                         a.tagName, a.querySelectorAll('p').length];";
    let got = c.execute(probe, vec![]).await.unwrap();
    assert!(got[0].as_f64().unwrap() >= 0.0, "the article starts below the header: {got}");
    assert_eq!(got[1], "rgb(255, 229, 138)", "the article is marked: {got}");
    assert_eq!(got[2], "DIV", "{got}");
    // The menu marks the column; at the largest text size the header is still one line (A− and A+ side by side).
    let current = c.find(Locator::Css(".menu a[aria-current=page]")).await.unwrap().text().await.unwrap();
    assert_eq!(current, "宪法学习");
    for _ in 0..3 {
        c.find(Locator::Css(".ts-up")).await.unwrap().click().await.unwrap();
    }
    let probe = "var b = document.querySelector('.brand'); b.textContent = '清河县司法局普法办法治宣传教育专栏网站'; \
                 var d = document.querySelector('.ts-down').getBoundingClientRect(), \
                     u = document.querySelector('.ts-up').getBoundingClientRect(); \
                 return [document.documentElement.className, b.getClientRects().length, \
                         b.scrollWidth > b.clientWidth, d.top === u.top, u.right <= 360, \
                         document.documentElement.scrollWidth];";
    let got = c.execute(probe, vec![]).await.unwrap();
    assert_eq!(
        got,
        serde_json::json!(["text-xl", 1, true, true, true, 360]),
        "[size, brand lines, ellipsis, side by side, on screen, page width]"
    );
    c.find(Locator::Css(".ts-down")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css(".ts-down")).await.unwrap().click().await.unwrap();
    c.goto(&format!("http://{addr}/xianfa/a/")).await.unwrap();

    // A video page shows its player on the first screen, on a drawn cover when the video has none.
    c.goto(&format!("http://{addr}/shipin/fanzha/")).await.unwrap();
    let probe = "var v = document.querySelector('.video-frame'); var r = v.getBoundingClientRect(); \
                 return [r.bottom <= window.innerHeight, !!v.querySelector('img, .video-placeholder')];";
    assert_eq!(c.execute(probe, vec![]).await.unwrap(), serde_json::json!([true, true]), "player above the fold");

    // The competition list tells each one's state as of now, though the page was built once.
    c.goto(&format!("http://{addr}/competitions/")).await.unwrap();
    let state = c.find(Locator::Css(".competition-item .state")).await.unwrap();
    assert!(state.is_displayed().await.unwrap());
    assert_eq!(state.text().await.unwrap(), "已结束");

    // search.js in the browser (issue 16): a query in the address is looked up in the shards and listed.
    c.goto(&format!("http://{addr}/search/?q=宪法")).await.unwrap();
    let probe = "var a = document.querySelectorAll('#search-results a'); \
                 return a.length > 0 && Array.prototype.some.call(a, function (l) { \
                     return l.getAttribute('href').indexOf('/xianfa/') >= 0; });";
    until(c, "search results for 宪法 linking to the 宪法 column", probe).await;
    // Issue 15: a result's excerpt marks the match, and a match inside an article links to that article.
    c.goto(&format!("http://{addr}/search/?q=国籍")).await.unwrap();
    let probe = "var m = document.querySelector('#search-results .summary mark'); \
                 var a = document.querySelector('#search-results a.title'); \
                 return !!m && m.textContent === '国籍' && !!a && \
                     decodeURIComponent(a.getAttribute('href')).indexOf('#第三十三条') > 0;";
    until(c, "an excerpt marking 国籍 and a link to 第三十三条", probe).await;
    c.goto(&format!("http://{addr}/xianfa/a/")).await.unwrap();

    // An edit reloads the open page by itself: the marker set on this page load is gone, the new text is there.
    c.execute("window.__before_edit = true", vec![]).await.unwrap();
    let file = root.join("content/xianfa/a.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n作者刚刚加上的一段话。\n")).unwrap();
    until(
        c,
        "the edit in the page",
        "return !window.__before_edit && document.body.innerText.indexOf('作者刚刚加上的一段话') >= 0",
    )
    .await;

    // A broken front matter shows the overlay; the fix takes it away with a reload.
    std::fs::write(&file, text.replacen("author:", "titel: 拼错\nauthor:", 1)).unwrap();
    until(
        c,
        "the overlay",
        "var o = document.getElementById('pufa-live-overlay'); return !!o && o.innerText.indexOf('a.md') >= 0",
    )
    .await;
    let overlay = c.find(Locator::Css("#pufa-live-overlay h2")).await.unwrap().text().await.unwrap();
    assert!(overlay.contains("生成失败"), "the overlay speaks Chinese: {overlay}");
    std::fs::write(&file, &text).unwrap();
    until(
        c,
        "the overlay gone",
        "return !document.getElementById('pufa-live-overlay') && document.readyState === 'complete'",
    )
    .await;

    browser.close().await;
    live.close();
    watching.stop();
    server.abort();
}
