//! The search page on a 360×740 phone in headless Chromium (issue 15): what a reader sees of the binary index
//! (layout 4) read by `search.js` from a plain static server that answers byte ranges — results with the terms
//! marked in their excerpts and links to the nearest article, partial matches tagged, one character answered with
//! the hint to type two, and nothing wider than the screen. Screenshots go to `target/screenshots/`.

use std::time::Duration;

use fantoccini::{Client, Locator};

use crate::browser::shot;
use crate::common::chrome;

/// A result as the page shows it.
#[derive(Debug, PartialEq, serde::Deserialize)]
struct Shown {
    title: String,
    href: String,
    marks: Vec<String>,
    partial: Option<String>,
}

/// The status line and the results once `search.js` has shown them: read in one script, so that nothing the
/// script replaces in between is read half, and taken once two reads in a row agree.
async fn shown(c: &Client) -> (String, Vec<Shown>) {
    const READ: &str = r#"
        const status = document.querySelector('#search-results > p');
        const items = [...document.querySelectorAll('#search-results li')].map(li => ({
            title: li.querySelector('a')?.textContent ?? '',
            href: li.querySelector('a')?.getAttribute('href') ?? '',
            marks: [...li.querySelectorAll('.summary mark')].map(m => m.textContent),
            partial: li.querySelector('.partial')?.textContent ?? null,
        }));
        return [status ? status.textContent : '', items];"#;
    let mut last = None;
    for _ in 0..100 {
        let read =
            c.execute(READ, vec![]).await.ok().and_then(|v| serde_json::from_value::<(String, Vec<Shown>)>(v).ok());
        if let Some((status, items)) = read {
            let results = status.starts_with("找到") || status.starts_with("没有文章包含全部");
            let done = !status.is_empty() && !status.starts_with("正在搜索") && (!results || !items.is_empty());
            let now = (status, items);
            if done && last.as_ref() == Some(&now) {
                return now;
            }
            last = Some(now);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no search results shown: {last:?}");
}

async fn search(c: &Client, query: &str) -> (String, Vec<Shown>) {
    let input = c.find(Locator::Css("#search-q")).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys(query).await.unwrap();
    c.find(Locator::Css("#search-form button")).await.unwrap().click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    shown(c).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_searches_the_laws_on_a_phone() {
    let Some((chromium, driver)) = chrome::binaries() else { return };
    let (_dir, out) = crate::site_search::law_site();
    assert!(out.join(pufa::site::search::shard_file(pufa::site::search::shard_of("宪法"))).is_file());
    let addr = chrome::serve_folder(&out).await;
    let browser = chrome::Browser::phone(&chromium, &driver).await;
    let c = &browser.client;

    c.goto(&format!("http://{addr}/search/?q={}", "侵权责任")).await.unwrap();
    let (status, items) = shown(c).await;
    assert!(status.starts_with("找到") && !items.is_empty(), "{status}");
    let first = &items[0];
    assert_eq!(first.title, "中华人民共和国民法典（节选）");
    assert!(first.href.contains('#'), "a result links to the article nearest its match: {}", first.href);
    assert!(!first.marks.is_empty(), "the excerpt marks the terms");
    for m in &first.marks {
        assert!(["侵权", "责任", "侵权责任"].contains(&m.as_str()), "{m}");
    }
    let width = c.execute("return document.documentElement.scrollWidth", vec![]).await.unwrap();
    assert!(width.as_i64().unwrap() <= 360, "the search page is {width} px wide on a 360 px phone");
    shot(c, "search-results").await;

    // 电信诈骗: the page says 电信网络诈骗, so it is found as a partial match, tagged as such.
    let (status, items) = search(c, "电信诈骗").await;
    assert!(status.contains("部分"), "{status}");
    assert_eq!(items[0].title, "防范电信网络诈骗");
    assert_eq!(items[0].partial.as_deref(), Some("部分匹配"));
    shot(c, "search-partial").await;

    let (status, items) = search(c, "法").await;
    assert!(items.is_empty() && status.contains("至少输入两个字"), "{status}");
    browser.close().await;
}
