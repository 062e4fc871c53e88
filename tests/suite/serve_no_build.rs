//! `pufa serve --no-build` (issue 4): the 2nd…Nth process on one site folder serves SOURCE/public as the first
//! process or `pufa build` left it, instead of every process rebuilding it at start-up at the same time.

use crate::common;

use common::*;

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture_dir(), &dir.path().join("quizzes"));
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::write(dir.path().join("content/_index.md"), "---\ntitle: 首页\n---\n").unwrap();
    dir
}

#[test]
fn no_build_without_a_built_site_refuses_and_names_the_folder() {
    let site = site();
    let db = TestDb::sqlite();
    let port = free_port().to_string();
    let args = ["serve", "--no-build", "--source", site.path().to_str().unwrap(), "--port", &port];
    let (ok, err) = run_pufa(&args, &[("DATABASE_URL", &db.url)]);
    assert!(!ok, "served a site that was never built");
    let public = site.path().join("public");
    assert!(err.contains(&format!("{} 不存在：--no-build 只提供已生成的网站", public.display())), "{err}");
    assert!(err.contains("pufa build --source"), "{err}");
    assert!(!public.exists(), "--no-build built the site");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_build_serves_public_as_it_is_beside_a_building_process() {
    let site = site();
    let db = TestDb::sqlite();
    let client = reqwest::Client::new();
    let (p1, p2) = (free_port(), free_port());
    let (b1, b2) = (format!("http://127.0.0.1:{p1}"), format!("http://127.0.0.1:{p2}"));
    let mut first = spawn_server(site.path(), &db.url, p1, &["--no-watch"]);
    wait_healthy(&client, &b1, &mut first).await;
    // A file only this test wrote, and a page changed after the first build: a rebuild would drop the one and
    // render the other.
    let public = site.path().join("public");
    std::fs::write(public.join("marker.txt"), "left alone").unwrap();
    std::fs::write(site.path().join("content/_index.md"), "---\ntitle: 改过的首页\n---\n").unwrap();
    let index_before = std::fs::read_to_string(public.join("index.html")).unwrap();

    let mut second = spawn_server(site.path(), &db.url, p2, &["--no-build"]);
    wait_healthy(&client, &b2, &mut second).await;
    let marker = client.get(format!("{b2}/marker.txt")).send().await.unwrap().text().await.unwrap();
    let index = client.get(format!("{b2}/")).send().await.unwrap().text().await.unwrap();
    let start = serde_json::json!({"name": "张三", "organization": "school-a", "group": "一班"});
    let started = client.post(format!("{b2}/api/competitions/open/attempts")).json(&start).send().await.unwrap();
    for child in [&mut first, &mut second] {
        child.kill().unwrap();
        child.wait().unwrap();
    }
    assert_eq!(marker, "left alone");
    assert!(!index.contains("改过的首页") && !index.contains("/_pufa/live.js"), "rebuilt or watching: {index}");
    assert_eq!(std::fs::read_to_string(public.join("index.html")).unwrap(), index_before);
    assert!(started.status().is_success(), "the competition server runs: {}", started.status());
}
