//! Issue 11: two `pufa serve` processes on one database (SQLite, and PostgreSQL when `PUFA_TEST_POSTGRES` is set),
//! each with its own `quizzes/` folder. A competition saved in one's browser reaches the other; a file changed by
//! hand in one folder is reported there as not shared, left alone, and shared from the organizer page.

use crate::common::{self, TestApp};

use std::path::Path;
use std::sync::Arc;

use axum::http::StatusCode;
use pufa::i18n::Lang;
use pufa::server::catalog::Catalog;
use pufa::server::catalog_share::{compare, seed};
use pufa::server::laws::Laws;
use pufa::store::Store;

/// An app on `store` whose `quizzes/` is a fresh copy of the server fixture.
async fn process(t: TestApp, store: Option<Store>) -> (tempfile::TempDir, TestApp) {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&common::fixture_dir(), &dir.path().join("quizzes"));
    let mut t = t;
    if let Some(store) = store {
        t.state.store = store;
    }
    let catalog = Arc::new(Catalog::of_folder(common::fixture(), Laws::default(), dir.path(), Lang::Zh));
    t.state = t.state.clone().with_catalog(catalog);
    t.app = pufa::server::app(t.state.clone());
    (dir, t)
}

fn file(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join("quizzes").join(rel)).unwrap()
}

async fn title(t: &TestApp, comp: &str) -> String {
    t.get(&format!("/api/competitions/{comp}")).await.1["title"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_save_in_one_process_reaches_the_other_and_a_hand_edit_is_reported() {
    for db in common::test_dbs().await {
        let url = db.url.clone();
        let (dir_a, a) = process(common::test_app_on(db).await, None).await;
        let (dir_b, b) = process(common::test_app().await, Some(Store::open(&url).await.unwrap())).await;
        let (ca, cb) = (a.state.catalog.clone(), b.state.catalog.clone());
        let files = seed(&ca, &a.state.store).await.unwrap();
        assert!(files >= 6, "{files} files of the fixture, on {url}");
        assert_eq!(seed(&cb, &b.state.store).await.unwrap(), 0, "the same files are there already");
        assert_eq!(compare(&cb, &b.state.store).await.unwrap(), Default::default(), "nothing differs");

        // Saved from A's browser: B takes it and runs it.
        let cookie = a.admin_cookie(common::TOKEN).await;
        let page = a.get_page("/quiz/admin/competition/later", Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK);
        let fields = [
            ("title", "第二轮（已改期）"),
            ("opens", "2031-01-01T08:00"),
            ("closes", "2031-02-01T08:00"),
            ("time_limit", "15"),
            ("attempts", "1"),
            ("pass_score", "10"),
            ("bank_0", "law"),
            ("type_0", "judge"),
            ("count_0", "2"),
            ("points_0", "10"),
        ];
        let page = a.post_form("/quiz/admin/competition/later", Some(&cookie), &fields).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        let done = compare(&cb, &b.state.store).await.unwrap();
        assert_eq!(done.taken, ["competitions/later.yaml"], "on {url}");
        assert_eq!(file(dir_b.path(), "competitions/later.yaml"), file(dir_a.path(), "competitions/later.yaml"));
        cb.reload(b.state.clock.now());
        assert_eq!(title(&b, "later").await, "第二轮（已改期）");

        // Changed by hand in B's folder only: reported there, left alone, A keeps its version.
        let edited =
            file(dir_b.path(), "competitions/open.yaml").replace("title: 全县法治知识竞赛", "title: 手改的标题");
        std::fs::write(dir_b.path().join("quizzes/competitions/open.yaml"), &edited).unwrap();
        let done = compare(&cb, &b.state.store).await.unwrap();
        assert_eq!((done.taken.len(), done.not_shared.clone()), (0, vec!["competitions/open.yaml".to_string()]));
        assert_eq!(compare(&ca, &a.state.store).await.unwrap(), Default::default());
        let b_cookie = b.admin_cookie(common::TOKEN).await;
        let page = b.get_page("/quiz/admin", Some(&b_cookie)).await;
        assert!(
            page.body.contains("没有共享") && page.body.contains("quizzes/competitions/open.yaml"),
            "{}",
            page.body
        );

        // Shared from B's organizer page: A takes it.
        let page = b.post_form("/quiz/admin/share", Some(&b_cookie), &[("path", "competitions/open.yaml")]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        assert!(cb.status().not_shared.is_empty());
        let done = compare(&ca, &a.state.store).await.unwrap();
        assert_eq!(done.taken, ["competitions/open.yaml"]);
        assert!(file(dir_a.path(), "competitions/open.yaml").contains("手改的标题"));
        // A path that was not listed is never shared.
        let page = b.post_form("/quiz/admin/share", Some(&b_cookie), &[("path", "../../etc/passwd")]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
}
