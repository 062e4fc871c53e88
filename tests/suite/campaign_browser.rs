//! Issue 12 in headless Chromium: the question page's script counts each time the page is hidden, reports it to
//! the server at once, warns on the way back how many departures remain, and past `max_leaves` submits. Chromium
//! cannot be sent to the background by WebDriver, so the test makes `document.hidden` say so and fires the
//! `visibilitychange` event the browser would fire.

use crate::browser::{serve_site_with, shot, text, wait_for_path};
use crate::common::chrome;

use fantoccini::{Client, Locator};

/// The page hidden and shown again, as switching to another app and back does.
async fn leave_and_return(c: &Client) {
    let js = "if (!window.__away) { window.__away = { hidden: false }; \
              Object.defineProperty(document, 'hidden', { configurable: true, get: function () { return window.__away.hidden; } }); } \
              window.__away.hidden = true; document.dispatchEvent(new Event('visibilitychange')); \
              setTimeout(function () { window.__away.hidden = false; document.dispatchEvent(new Event('visibilitychange')); }, 50);";
    c.execute(js, vec![]).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
}

/// The attempt as the API tells it, fetched from the page itself.
async fn leaves_stored(c: &Client, attempt: &str) -> u64 {
    let js = format!(
        "var x = new XMLHttpRequest(); x.open('GET', '/api/attempts/{attempt}', false); x.send(); \
         return JSON.parse(x.responseText).leaves;"
    );
    c.execute(&js, vec![]).await.unwrap().as_u64().unwrap()
}

// See: issue 12 — counted, warned, submitted past the maximum.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_the_question_page_is_counted_warned_and_past_the_maximum_submits() {
    let Some((chromium, driver)) = chrome::binaries() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (addr, _) = serve_site_with(dir.path(), |set| {
        set.competitions.get_mut("open").unwrap().campaign.max_leaves = Some(2);
    })
    .await;
    let browser = chrome::Browser::phone(&chromium, &driver).await;
    let c = &browser.client;
    c.goto(&format!("http://{addr}/quiz/open/")).await.unwrap();
    c.find(Locator::Css("#q-name")).await.unwrap().send_keys("林小雨").await.unwrap();
    c.find(Locator::Css("#q-org")).await.unwrap().select_by_value("school-a").await.unwrap();
    c.find(Locator::Css("#q-group")).await.unwrap().send_keys("五年级一班").await.unwrap();
    c.find(Locator::Css(".quiz-join button[type=submit]")).await.unwrap().click().await.unwrap();
    let path = wait_for_path(c, "the question page", |p| p.starts_with("/quiz/a/")).await;
    let attempt = path.trim_start_matches("/quiz/a/").to_string();
    assert!(text(c, ".quiz-leaves-note").await.contains("离开超过 2 次将自动交卷"));

    leave_and_return(c).await;
    assert_eq!(text(c, ".quiz-leave-warning").await, "您已离开答题页面 1 次，再离开 1 次将自动交卷。");
    assert_eq!(leaves_stored(c, &attempt).await, 1, "reported at once, not only with the submit");
    // A reload keeps the count (WeChat reloads pages brought back from the background).
    c.refresh().await.unwrap();
    c.wait().for_element(Locator::Css("#quiz-form")).await.unwrap();
    leave_and_return(c).await;
    assert_eq!(text(c, ".quiz-leave-warning").await, "您已离开答题页面 2 次，再离开一次将自动交卷！");
    c.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    shot(c, "question-leave-warning").await;

    leave_and_return(c).await;
    wait_for_path(c, "the result page", |p| p == format!("{path}/result")).await;
    let body = text(c, "main").await;
    assert!(body.contains("本次作答离开答题页面 3 次，超过了允许的次数，已自动交卷。"), "{body}");
    browser.close().await;
}
