//! End to end in headless Chromium on a 360×740 phone (issue 3, "Reliability": one test drives the real pages):
//! a student finds the school with the filter box, joins, answers, reloads without losing the answers, submits
//! and reads the result with the legal basis. The site is built into a temp folder and served with `app(state)`
//! on a real local port, so the theme's CSS and JS load exactly as in `pufa serve`.
//!
//! Screenshots of the landing, question and result pages go to `target/screenshots/` for a look by eye.

use crate::common;
use crate::common::chrome;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fantoccini::{Client, Locator};
use pufa::server::pages::Templates;
use pufa::server::{app, AppState, Clock, SiteInfo};
use pufa::store::Store;

/// A site folder holding only `quizzes/` (the server fixture), built; returns the server's address and a hand
/// that moves the server's clock ahead of the real one.
pub(crate) async fn serve_site(dir: &Path) -> (SocketAddr, Arc<Mutex<chrono::Duration>>) {
    serve_site_with(dir, |_| {}).await
}

/// Like `serve_site`, the fixture's competitions changed by `change` (their rules, say) once loaded.
pub(crate) async fn serve_site_with(
    dir: &Path,
    change: impl FnOnce(&mut pufa::quiz::QuizSet),
) -> (SocketAddr, Arc<Mutex<chrono::Duration>>) {
    common::copy_dir(&common::fixture_dir(), &dir.join("quizzes"));
    // A law text the questions cite, so the result's 法条依据 links to its article (issue 17).
    std::fs::create_dir_all(dir.join("content/falv")).unwrap();
    std::fs::write(dir.join("content/falv/_index.md"), "---\ntitle: 法律法规\n---\n").unwrap();
    let law = "---\ntitle: 中华人民共和国宪法\n---\n\n第三十二条　条文。\n\n第三十三条　凡具有中华人民共和国国籍的人都是中华人民共和国公民。\n";
    std::fs::write(dir.join("content/falv/xianfa.md"), law).unwrap();
    pufa::site::build(&pufa::site::BuildOptions::new(dir, None)).expect("the site builds");
    let store = Store::open(&format!("sqlite:{}", dir.join("pufa.sqlite").display())).await.unwrap();
    let site = SiteInfo { public_dir: Some(dir.join("public")) };
    let ahead = Arc::new(Mutex::new(chrono::Duration::zero()));
    let hand = ahead.clone();
    let mut set = common::fixture();
    change(&mut set);
    // The catalog of the folder, so the organizer's form and uploads can write quizzes/ (no watcher runs here).
    let laws = pufa::server::laws::Laws::load(dir, &common::fixture(), pufa::i18n::Lang::Zh);
    let catalog = pufa::server::catalog::Catalog::of_folder(set, laws, dir, pufa::i18n::Lang::Zh);
    let state = AppState::new(Default::default(), store)
        .with_catalog(Arc::new(catalog))
        .with_clock(Clock::from_fn(move || chrono::Utc::now() + *hand.lock().unwrap()))
        .with_site(site)
        .with_templates(Templates::load(dir).expect("templates load"))
        .with_admin_token(TOKEN);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    (addr, ahead)
}

pub(crate) const TOKEN: &str = "browser-organizer-token";

fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    let path = screenshot_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap();
    eprintln!("screenshot: {}", path.display());
}

pub(crate) async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css)).await.unwrap().text().await.unwrap()
}

/// Scrolls an element to the middle of the screen, as a thumb would, then taps it (WebDriver alone would
/// click it where the sticky countdown bar covers it).
async fn tap(c: &Client, e: &fantoccini::elements::Element) {
    let arg = serde_json::to_value(e).unwrap();
    c.execute("arguments[0].scrollIntoView({block: 'center'})", vec![arg]).await.unwrap();
    e.click().await.unwrap();
}

/// Waits until the address bar path matches `pred` and that page has loaded. The address changes when the
/// navigation commits, before the new document is parsed: a lookup right then finds no element (seen under the
/// load of the whole suite, after a meta refresh).
pub(crate) async fn wait_for_path(c: &Client, what: &str, pred: impl Fn(&str) -> bool) -> String {
    for _ in 0..100 {
        let url = c.current_url().await.unwrap();
        let loaded = || async {
            let state = c.execute("return document.readyState", vec![]).await.ok();
            state.as_ref().and_then(|v| v.as_str()) == Some("complete")
        };
        if pred(url.path()) && loaded().await {
            return url.path().to_string();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never reached {what}; at {}", c.current_url().await.unwrap());
}

/// A test that fails drops its browser without closing it: Chromium and its helpers must go with chromedriver.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_dropped_without_closing_leaves_no_chromium_running() {
    let Some((chromium, driver)) = chrome::binaries() else { return };
    let browser = chrome::Browser::phone(&chromium, &driver).await;
    browser.client.goto("about:blank").await.unwrap();
    let started = chrome::descendants(browser.driver_pid());
    assert!(!started.is_empty(), "chromedriver started no browser");
    drop(browser);
    for _ in 0..50 {
        if !started.iter().any(|&p| chrome::running(p)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let left: Vec<&u32> = started.iter().filter(|&&p| chrome::running(p)).collect();
    panic!("browser processes still running 5 s after the drop: {left:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_student_on_a_phone_joins_answers_and_reads_the_legal_basis() {
    let Some((chromium, driver)) = chrome::binaries() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (addr, ahead) = serve_site(dir.path()).await;
    let browser = chrome::Browser::phone(&chromium, &driver).await;
    let c = &browser.client;

    c.goto(&format!("http://{addr}/quiz/open/")).await.unwrap();
    assert_eq!(text(c, "h1").await, "全县法治知识竞赛");
    shot(c, "landing-top").await;
    // quiz.js shows the filter box; typing narrows the select to the one match and picks it.
    let filter = c.find(Locator::Css("#q-org-filter")).await.unwrap();
    assert!(filter.is_displayed().await.unwrap(), "quiz.js did not run: the filter box is still hidden");
    filter.send_keys("新华").await.unwrap();
    let options = c.find_all(Locator::Css("#q-org optgroup option")).await.unwrap();
    assert_eq!(options.len(), 1, "the filter leaves only 新华小学");
    let chosen = c.find(Locator::Css("#q-org")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(chosen.as_deref(), Some("school-b"));
    c.find(Locator::Css("#q-name")).await.unwrap().send_keys("王小明").await.unwrap();
    c.find(Locator::Css("#q-group")).await.unwrap().send_keys("三年级二班").await.unwrap();
    shot(c, "landing").await;
    c.find(Locator::Css(".quiz-join button[type=submit]")).await.unwrap().click().await.unwrap();
    let path = wait_for_path(c, "the question page", |p| p.starts_with("/quiz/a/")).await;

    // The countdown runs from the server's deadline.
    let clock = c.wait().for_element(Locator::Css(".countdown .clock")).await.unwrap();
    let shown = clock.text().await.unwrap();
    assert!(shown == "10:00" || shown.starts_with("9:"), "countdown shows {shown:?}");
    // Tap the first option of every question (and the second too where several may be chosen).
    let questions = c.find_all(Locator::Css("li.question")).await.unwrap();
    assert_eq!(questions.len(), 5);
    for q in &questions {
        let labels = q.find_all(Locator::Css("label.option")).await.unwrap();
        tap(c, &labels[0]).await;
        if q.find(Locator::Css("input[type=checkbox]")).await.is_ok() {
            tap(c, &labels[1]).await;
        }
    }
    // A reload (WeChat does that when switching apps) keeps every answer.
    c.refresh().await.unwrap();
    c.wait().for_element(Locator::Css("#quiz-form")).await.unwrap();
    let checked = c.find_all(Locator::Css("#quiz-form input:checked")).await.unwrap();
    assert_eq!(checked.len(), 6, "answers survive a reload");
    c.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    shot(c, "question").await;
    // Issue 17: 已答 5/5 in the bar; saving is automatic, so the no-JavaScript 保存 button is gone.
    assert_eq!(text(c, ".quiz-bar .answered b").await, "5");
    assert!(!c.find(Locator::Css(".quiz-bar button.save")).await.unwrap().is_displayed().await.unwrap());

    c.find(Locator::Css(".quiz-bar button.big")).await.unwrap().click().await.unwrap();
    wait_for_path(c, "the result page", |p| p == format!("{path}/result")).await;
    let body = text(c, "main").await;
    assert!(body.contains("答题结果") && body.contains("王小明") && body.contains("新华小学"), "{body}");
    assert_eq!(body.matches("法条依据").count(), 5, "{body}");
    assert!(body.contains("BASIS-"), "the legal basis itself is shown");
    shot(c, "result").await;
    let basis = c.find(Locator::Css(".basis")).await.unwrap();
    c.execute("arguments[0].scrollIntoView({block: 'center'})", vec![serde_json::to_value(&basis).unwrap()])
        .await
        .unwrap();
    shot(c, "result-basis").await;
    // The basis of a question citing 宪法第三十三条 links to that article on the site, which a tap opens.
    let link = c.find(Locator::Css(".basis a[href$='#第三十三条']")).await.expect("a basis linked to the article");
    let result_url = c.current_url().await.unwrap();
    tap(c, &link).await;
    wait_for_path(c, "the law text", |p| p == "/falv/xianfa/").await;
    let at = c.execute("return decodeURIComponent(location.hash)", vec![]).await.unwrap();
    assert_eq!(at, "#第三十三条");
    shot(c, "basis-article").await;
    c.goto(result_url.as_str()).await.unwrap();

    // The page is laid out for the phone: nothing wider than the screen.
    let overflow = c.execute("return document.documentElement.scrollWidth", vec![]).await.unwrap();
    assert!(overflow.as_u64().unwrap() <= 360, "result page scrolls sideways: {overflow}");

    // The public ranking and, after signing in with the token, the organizer page.
    c.goto(&format!("http://{addr}/quiz/open/ranking")).await.unwrap();
    assert!(text(c, "main").await.contains("新华小学"));
    shot(c, "ranking").await;
    c.goto(&format!("http://{addr}/quiz/open/admin")).await.unwrap();
    wait_for_path(c, "the sign-in form", |p| p == "/quiz/admin").await;
    c.find(Locator::Css("#q-token")).await.unwrap().send_keys(TOKEN).await.unwrap();
    c.find(Locator::Css(".quiz-join button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_path(c, "the organizer page", |p| p == "/quiz/open/admin").await;
    let admin = text(c, "main").await;
    assert!(admin.contains("王小明") && admin.contains("错误率最高的题目"), "{admin}");
    shot(c, "admin").await;
    // Issue 17: the page says who is signed in and offers 退出 at the top; a wide table scrolls with its names kept.
    assert!(text(c, ".signed-in").await.contains("退出登录"));
    let probe = "var w = document.querySelectorAll('.table-wrap')[1]; w.style.maxWidth = '180px'; w.scrollLeft = 200; \
                 var th = w.querySelector('tbody th'); \
                 return [w.scrollWidth > w.clientWidth, Math.round(th.getBoundingClientRect().left - w.getBoundingClientRect().left)];";
    let got = c.execute(probe, vec![]).await.unwrap();
    assert_eq!(got, serde_json::json!([true, 0]), "[table wider than the phone, name column in place]");
    let weakest = c.find(Locator::Css(".weakest")).await.unwrap();
    c.execute("arguments[0].scrollIntoView()", vec![serde_json::to_value(&weakest).unwrap()]).await.unwrap();
    shot(c, "admin-weakest").await;
    // Issue 17: reached as 127.0.0.1, the poster refuses to print a link no phone can open and asks for one.
    c.goto(&format!("http://{addr}/quiz/open/poster")).await.unwrap();
    let refusal = text(c, "[role=alert]").await;
    assert!(refusal.contains("手机扫码打不开") && refusal.contains("base_url"), "{refusal}");
    shot(c, "poster-refused").await;
    c.find(Locator::Css("#q-address")).await.unwrap().send_keys("http://192.168.1.10:8080").await.unwrap();
    c.find(Locator::Css(".quiz-join button[type=submit]")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css(".quiz-poster .qr img")).await.unwrap();
    assert!(text(c, ".poster-link").await.starts_with("http://192.168.1.10:8080/quiz/open/"));
    shot(c, "poster").await;
    // Printed on A4 as it is, not shrunk to fit, the poster is one page with its QR code.
    let a4 = fantoccini::wd::PrintConfiguration::builder().shrink_to_fit(false).background(true).build().unwrap();
    let pdf = c.print(a4).await.unwrap();
    std::fs::write(screenshot_dir().join("poster.pdf"), &pdf).unwrap();
    let pages = pdf.windows(11).filter(|w| w == b"/Type /Page").count()
        - pdf.windows(12).filter(|w| w == b"/Type /Pages").count();
    assert_eq!(pages, 1, "the poster prints on {pages} A4 pages");
    let qr = c.execute("return document.querySelector('.quiz-poster .qr img').naturalWidth", vec![]).await.unwrap();
    assert!(qr.as_u64().unwrap_or(0) > 0, "the poster's QR code did not load: {qr}");

    // Time running out: a second student's page submits itself at zero, graded on the answers given so far.
    c.goto(&format!("http://{addr}/quiz/open/")).await.unwrap();
    c.find(Locator::Css("#q-name")).await.unwrap().send_keys("李小红").await.unwrap();
    c.find(Locator::Css("#q-org")).await.unwrap().select_by_value("school-a").await.unwrap();
    c.find(Locator::Css("#q-group")).await.unwrap().send_keys("七年级一班").await.unwrap();
    c.find(Locator::Css(".quiz-join button[type=submit]")).await.unwrap().click().await.unwrap();
    let path = wait_for_path(c, "the second question page", |p| p.starts_with("/quiz/a/")).await;
    // Issue 17: 交卷 with questions unanswered asks first; saying no keeps the page.
    let first = c.find(Locator::Css("li.question label.option")).await.unwrap();
    tap(c, &first).await;
    assert_eq!(text(c, ".quiz-bar .answered b").await, "1");
    c.find(Locator::Css(".quiz-bar button.big")).await.unwrap().click().await.unwrap();
    let ask = c.get_alert_text().await.expect("a confirmation before submitting");
    assert!(ask.contains("还有 4 题未答"), "{ask}");
    c.dismiss_alert().await.unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), path, "still answering");
    *ahead.lock().unwrap() = chrono::Duration::seconds(600 - 3);
    c.refresh().await.unwrap();
    wait_for_path(c, "the result after the countdown", |p| p == format!("{path}/result")).await;
    assert!(text(c, "main").await.contains("李小红"));
    browser.close().await;
}

/// A Hugo site moved as it is (issue 14), on a phone: an old address redirects to the page, which shows its
/// category, tags and the shortcode's player without overflowing 360 px; the category leads to its list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moved_hugo_site_reads_on_a_phone() {
    let Some((chromium, driver)) = chrome::binaries() else { return };
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    common::copy_dir(&common::site::site_fixture("hugo"), &site);
    let out = dir.path().join("public");
    pufa::site::build(&pufa::site::BuildOptions::new(&site, Some(&out))).expect("the Hugo site builds");
    let addr = chrome::serve_folder(&out).await;
    let browser = chrome::Browser::phone(&chromium, &driver).await;
    let c = &browser.client;

    c.goto(&format!("http://{addr}/2024/12/xianfa.html")).await.unwrap();
    wait_for_path(c, "the page the alias names", |p| p == "/posts/2024-12-04-xianfa/").await;
    // The address changes when the redirect starts; the page is read once its heading is there.
    let h1 = c.wait().for_element(Locator::Css("h1")).await.expect("the page's heading");
    assert_eq!(h1.text().await.unwrap(), "国家宪法日：弘扬宪法精神");
    let overflow: i64 =
        c.execute("return document.documentElement.scrollWidth", vec![]).await.unwrap().as_i64().unwrap();
    assert!(overflow <= 360, "the page is {overflow} px wide on a 360 px phone");
    assert!(c
        .find(Locator::Css(".video"))
        .await
        .expect("the youtube shortcode's player")
        .is_displayed()
        .await
        .unwrap());
    shot(c, "migrated-page").await;
    let category = c.find(Locator::Css(".terms a.category")).await.unwrap();
    assert_eq!(category.text().await.unwrap(), "普法动态");
    tap(c, &category).await;
    wait_for_path(c, "the category's page", |p| p.starts_with("/categories/")).await;
    assert!(text(c, "main").await.contains("国家宪法日：弘扬宪法精神"));
    browser.close().await;
}

/// A survey (issue 13) on a phone: the form fits 360 px, a tap on each required question and the two lists
/// send it, and the thanks page follows; the device is then told it answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_answers_a_survey_on_a_phone() {
    let Some((chromium, driver)) = chrome::binaries() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (addr, ahead) = serve_site(dir.path()).await;
    // The fixture's survey runs in June 2026: put the server's clock there.
    *ahead.lock().unwrap() = common::t0() - chrono::Utc::now();
    let browser = chrome::Browser::phone(&chromium, &driver).await;
    let c = &browser.client;

    c.goto(&format!("http://{addr}/survey/manyi/")).await.unwrap();
    wait_for_path(c, "the survey", |p| p == "/survey/manyi/").await;
    assert_eq!(text(c, "h1").await, "2026年法治建设群众满意度测评");
    let width: i64 = c.execute("return document.documentElement.scrollWidth", vec![]).await.unwrap().as_i64().unwrap();
    assert!(width <= 360, "the survey is {width} px wide on a 360 px phone");
    shot(c, "survey").await;
    let pick = |css: &'static str, value: &'static str| async move {
        let js = "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'))";
        let e = c.find(Locator::Css(css)).await.unwrap();
        c.execute(js, vec![serde_json::to_value(&e).unwrap(), value.into()]).await.unwrap();
    };
    pick("select[name=organization]", "school-b").await;
    pick("select[name=town]", "新华镇").await;
    for q in c.find_all(Locator::Css("li.question")).await.unwrap() {
        if let Ok(labels) = q.find_all(Locator::Css("label.option")).await {
            if let Some(last) = labels.last() {
                tap(c, last).await;
            }
        }
    }
    let area = c.find(Locator::Css("textarea[name=q_q5]")).await.unwrap();
    area.send_keys("希望多开展法律进乡村活动").await.unwrap();
    let send = c.find(Locator::Css(".survey-form button[type=submit]")).await.unwrap();
    tap(c, &send).await;
    wait_for_path(c, "the thanks page", |p| p == "/survey/manyi/thanks").await;
    assert!(text(c, "main").await.contains("感谢您的参与"));
    c.goto(&format!("http://{addr}/survey/manyi/")).await.unwrap();
    wait_for_path(c, "the survey again", |p| p == "/survey/manyi/").await;
    assert!(text(c, "main").await.contains("本设备已经提交过"));
    browser.close().await;
}

/// A long law text on a phone: its contents show above the articles, chapters with their sections nested, the
/// names as written (an `&` not shown escaped twice); the list fits 360 px, and a tap on a chapter brings it up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_law_texts_contents_lead_to_its_chapters_on_a_phone() {
    let Some((chromium, driver)) = chrome::binaries() else { return };
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("content/falv")).unwrap();
    std::fs::write(site.join("content/falv/_index.md"), "---\ntitle: 法律法规\n---\n").unwrap();
    let article = |n: &str| format!("第{n}条　公民在法律面前一律平等，依法享有权利并履行义务。\n\n").repeat(6);
    let law = format!(
        "---\ntitle: 中华人民共和国示范法\n---\n\n## 第一章　总则\n\n### 第一节　一般规定\n\n{}### 第二节　基本原则\n\n{}\
         ## 第二章　权利&义务\n\n{}## 第三章　附则\n\n{}",
        article("一"),
        article("二"),
        article("三"),
        article("四"),
    );
    std::fs::write(site.join("content/falv/shifan.md"), law).unwrap();
    let out = dir.path().join("public");
    pufa::site::build(&pufa::site::BuildOptions::new(&site, Some(&out))).expect("the site builds");
    let addr = chrome::serve_folder(&out).await;
    let browser = chrome::Browser::phone(&chromium, &driver).await;
    let c = &browser.client;

    c.goto(&format!("http://{addr}/falv/shifan/")).await.unwrap();
    let toc = c.wait().for_element(Locator::Css("nav.toc")).await.expect("the contents");
    assert!(toc.is_displayed().await.unwrap());
    let mut names = Vec::new();
    for a in c.find_all(Locator::Css("nav.toc > details > ol > li > a")).await.unwrap() {
        names.push(a.text().await.unwrap());
    }
    assert_eq!(names, ["第一章　总则", "第二章　权利&义务", "第三章　附则"]);
    let nested = text(c, "nav.toc li ol li a").await;
    assert_eq!(nested, "第一节　一般规定");
    let width: i64 = c.execute("return document.documentElement.scrollWidth", vec![]).await.unwrap().as_i64().unwrap();
    assert!(width <= 360, "the page is {width} px wide on a 360 px phone");
    shot(c, "law-contents").await;

    let last = c.find(Locator::LinkText("第三章　附则")).await.unwrap();
    let target = last.attr("href").await.unwrap().expect("a link to the chapter");
    tap(c, &last).await;
    let script = "var e = document.getElementById(decodeURIComponent(arguments[0].slice(1)));
                  return e ? Math.round(e.getBoundingClientRect().top) : null;";
    let mut top = None;
    for _ in 0..50 {
        top = c.execute(script, vec![target.clone().into()]).await.unwrap().as_i64();
        if top.is_some_and(|t| (-5..200).contains(&t)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(top.is_some_and(|t| (-5..200).contains(&t)), "the chapter {target} is at {top:?} px after the tap");
    assert!(c.current_url().await.unwrap().fragment().is_some(), "the address names the chapter");
    browser.close().await;
}
