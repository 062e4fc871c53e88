//! Shared helpers of the content and site tests: the fixture library, markdown rendered as a test page, and
//! reading built files.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pufa::content::markdown::{render, RenderContext, Rendered};
use pufa::content::{load, Library};
use pufa::i18n::Lang;

/// `tests/fixtures/content/good`, loaded once.
pub fn library() -> &'static Library {
    static LIB: OnceLock<Library> = OnceLock::new();
    LIB.get_or_init(|| load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/content/good")).0)
}

/// Renders `body` as if it were `content/columns/宪法/test.md` with the body starting on line 5.
pub fn md(body: &str) -> Rendered {
    let ctx = RenderContext {
        library: library(),
        source: "columns/宪法/test.md",
        body_line: 5,
        lang: Lang::Zh,
        shortcodes: None,
        pictures: None,
    };
    render(body, &ctx)
}

/// A fixture site under `tests/fixtures/sites/`.
pub fn site_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites").join(name)
}

/// A copy of the fixture site `name` in a new temporary folder, as `site/` in it (the output can go beside it).
pub fn copied_fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    super::copy_dir(&site_fixture(name), &site);
    (dir, site)
}

/// A built file's text.
pub fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub fn assert_has(text: &str, needles: &[&str]) {
    for n in needles {
        assert!(text.contains(n), "missing {n:?} in:\n{text}");
    }
}
