//! Issue 11 in headless Chromium at 360 px: the organizer signs in, reads how `quizzes/` runs, edits a competition
//! with the form and finds it changed on the dashboard, and opens the import page; none of these pages scrolls
//! sideways on a phone. Screenshots go to `target/screenshots/` for a look by eye.

use crate::browser::{serve_site, shot, text, wait_for_path, TOKEN};
use crate::common::chrome;

use fantoccini::{Client, Locator};

/// Fails when the page is wider than the phone's screen.
async fn fits(c: &Client, what: &str) {
    let width = c.execute("return document.documentElement.scrollWidth", vec![]).await.unwrap();
    assert!(width.as_u64().unwrap() <= 360, "{what} scrolls sideways: {width}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_edits_a_competition_and_opens_the_imports_on_a_phone() {
    let Some((chromium, driver)) = chrome::binaries() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (addr, _) = serve_site(dir.path()).await;
    let browser = chrome::Browser::phone(&chromium, &driver).await;
    let c = &browser.client;

    c.goto(&format!("http://{addr}/quiz/admin")).await.unwrap();
    c.find(Locator::Css("#q-token")).await.unwrap().send_keys(TOKEN).await.unwrap();
    c.find(Locator::Css(".quiz-join button[type=submit]")).await.unwrap().click().await.unwrap();
    // The sign-in's answer (a signed-in page) before the next page is asked for: going on at once could leave
    // the form's request unanswered, and the next page unsigned.
    c.wait().for_element(Locator::Css("form.signed-in")).await.expect("signed in after the form was sent");
    c.goto(&format!("http://{addr}/quiz/admin")).await.unwrap();
    let home = text(c, "main").await;
    assert!(home.contains("题库与竞赛文件") && home.contains("正在运行第 1 版"), "{home}");
    assert!(home.contains("新建竞赛") && home.contains("导入题库与单位"), "{home}");
    // Signed in, the page says so and offers to sign out, not the sign-in form again.
    assert!(home.contains("已以组织者身份登录") && home.contains("退出登录"), "{home}");
    assert!(c.find(Locator::Css("#q-token")).await.is_err(), "the token field is still shown when signed in");
    fits(c, "the organizer's home").await;
    shot(c, "organizer-home").await;

    c.goto(&format!("http://{addr}/quiz/admin/competition/open")).await.unwrap();
    let form = text(c, "main").await;
    assert!(form.contains("抽题规则") && form.contains("检查并保存"), "{form}");
    fits(c, "the competition form").await;
    shot(c, "competition-form").await;
    let title = c.find(Locator::Css("#e-title")).await.unwrap();
    title.clear().await.unwrap();
    title.send_keys("全县法治知识竞赛（网页修改）").await.unwrap();
    let save = c.find(Locator::Css(".editor-form button[type=submit]")).await.unwrap();
    c.execute("arguments[0].scrollIntoView({block: 'center'})", vec![serde_json::to_value(&save).unwrap()])
        .await
        .unwrap();
    save.click().await.unwrap();
    wait_for_path(c, "the dashboard after saving", |p| p == "/quiz/open/admin").await;
    assert!(text(c, "main").await.contains("全县法治知识竞赛（网页修改）"));
    let file = std::fs::read_to_string(dir.path().join("quizzes/competitions/open.yaml")).unwrap();
    assert!(file.contains("title: 全县法治知识竞赛（网页修改）"), "{file}");

    c.goto(&format!("http://{addr}/quiz/admin/import")).await.unwrap();
    let import = text(c, "main").await;
    assert!(import.contains("导入题目") && import.contains("下载 Excel 模板"), "{import}");
    fits(c, "the import page").await;
    shot(c, "import").await;
    browser.close().await;
}
