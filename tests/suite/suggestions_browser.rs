//! The suggestion box on a 360 px phone in headless Chromium with WeChat's user agent (issue 13): the form fits the
//! screen, sending it shows the ticket and code, and the check page finds the ticket with them.

use crate::common;
use crate::suggestions::with_box;

use std::net::SocketAddr;
use std::time::Duration;

use common::chrome;
use fantoccini::{Client, Locator};

async fn width(c: &Client) -> i64 {
    c.execute("return document.documentElement.scrollWidth", vec![]).await.unwrap().as_i64().unwrap()
}

/// The element once it is there (the page after a form post may still be loading).
async fn find(c: &Client, css: &str) -> fantoccini::elements::Element {
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            return e;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never appeared on {}", c.current_url().await.unwrap());
}

async fn press(c: &Client, css: &str) {
    let e = find(c, css).await;
    let arg = serde_json::to_value(&e).unwrap();
    c.execute("arguments[0].scrollIntoView({block: 'center'})", vec![arg]).await.unwrap();
    e.click().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_sends_a_suggestion_and_checks_it_on_a_phone() {
    let Some((chromium, driver)) = chrome::binaries() else { return };
    let t = with_box(common::test_app().await, 100, 1000);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = t.app.clone();
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    let browser = chrome::Browser::phone(&chromium, &driver).await;
    let c = &browser.client;

    c.goto(&format!("http://{addr}/suggestions/")).await.unwrap();
    find(c, "#s-category").await.select_by_value("公共法律服务").await.unwrap();
    find(c, "#s-text").await.send_keys("村里的法律顾问多久来一次？希望公布时间。").await.unwrap();
    find(c, "#s-town").await.send_keys("城关镇").await.unwrap();
    assert!(width(c).await <= 360, "the form is {} px wide on a 360 px phone", width(c).await);
    press(c, ".suggest-form button[type=submit]").await;
    let ticket = find(c, ".suggest-ticket").await.text().await.unwrap();
    let code = find(c, ".suggest-code").await.text().await.unwrap();
    assert_eq!((ticket.as_str(), code.len()), ("YJ-20260601-0001", 12));
    assert!(width(c).await <= 360, "the receipt is {} px wide", width(c).await);

    c.goto(&format!("http://{addr}/suggestions/check")).await.unwrap();
    find(c, "#c-ticket").await.send_keys(&ticket).await.unwrap();
    find(c, "#c-code").await.send_keys(&code).await.unwrap();
    press(c, "form.quiz-join button[type=submit]").await;
    assert_eq!(find(c, ".suggest-status").await.text().await.unwrap(), "待受理");
    assert!(find(c, ".suggest-text").await.text().await.unwrap().contains("法律顾问"));
    assert!(width(c).await <= 360, "the ticket page is {} px wide", width(c).await);
    browser.close().await;
}
