//! Incremental builds equal full builds (issue 5): random sequences of edits, additions, deletions and renames
//! of pages, sections, assets, templates (the base one included), `quizzes/` and `site.yaml`, and of the keys that
//! name other files (`slug`, `template`, `cover`, `videos`, `quiz`), including errors and their fixes, applied
//! to a fixture site; after every step the output of each incremental engine is compared byte for byte with a
//! fresh full build (and failed builds must fail alike).

use crate::common;

mod edits;
mod picture_edits;
mod quiz_edits;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use edits::Site;
use pufa::site::{build, BuildError, BuildOptions, Engine};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use walkdir::WalkDir;

/// Every file of an output folder and its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

fn assert_same_tree(got: &Path, want: &Path, what: &str) {
    let (got, want) = (tree(got), tree(want));
    let missing: Vec<&String> = want.keys().filter(|k| !got.contains_key(*k)).collect();
    let extra: Vec<&String> = got.keys().filter(|k| !want.contains_key(*k)).collect();
    assert!(missing.is_empty() && extra.is_empty(), "{what}: missing {missing:?}, extra {extra:?}");
    for (rel, bytes) in &want {
        if &got[rel] != bytes {
            let (g, w) = (String::from_utf8_lossy(&got[rel]), String::from_utf8_lossy(bytes));
            let at = g.chars().zip(w.chars()).take_while(|(a, b)| a == b).count();
            let show = |s: &str| s.chars().skip(at.saturating_sub(80)).take(240).collect::<String>();
            panic!("{what}: {rel} differs at char {at}:\n got: {}\nwant: {}", show(&g), show(&w));
        }
    }
}

/// The outcome of a build, comparable across engines: the warnings, or the errors.
fn outcome(r: Result<pufa::site::BuildReport, BuildError>) -> Result<String, String> {
    match r {
        Ok(report) => Ok(report.warnings.to_string()),
        Err(BuildError::Diagnostics(d)) => Err(d.to_string()),
        Err(e) => panic!("build failed: {e}"),
    }
}

/// Random sequences on the fixture site; after each step, incremental builds (one looking at every file, one told
/// what changed like a watcher, one through the build cache) must equal a fresh full build.
#[test]
fn incremental_builds_equal_full_builds() {
    let mut written_incremental = 0;
    let mut written_full = 0;
    // Widen with PUFA_INCREMENTAL_SEEDS (how many seeds, from 1) and PUFA_INCREMENTAL_STEPS (edits per seed).
    let widen = |name: &str, default: u64| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let (seeds, steps) = (widen("PUFA_INCREMENTAL_SEEDS", 4), widen("PUFA_INCREMENTAL_STEPS", 40));
    for seed in 1..=seeds {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        common::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites/good"), &root);
        let mut site =
            Site { root: root.clone(), rng: ChaCha8Rng::seed_from_u64(seed), touched: Vec::new(), serial: 0 };
        for i in 0..8 {
            let title = site.words(3);
            let mut text = site.new_page_text(&title);
            // Two pages show a picture from the start: the page bundle's and a static one (issue 14).
            text += ["\n![图](img0.png)\n", "\n![封面](/static/cover.png)\n", ""][i.min(2)];
            site.write(&format!("xianfa/g{i}.md"), &text);
        }
        // Pictures the pages may show, there from the start, so that a later edit of one is an edit (issue 14).
        for (rel, n) in
            [("content/xianfa/img0.png", 1000), ("content/xianfa/img1.png", 1001), ("static/cover.png", 1002)]
        {
            site.put(root.join(rel), &picture_edits::png(n));
        }
        let opts = |name: &str| BuildOptions::new(&root, Some(&dir.path().join(name)));
        let mut scanning = Engine::new(opts("scan"));
        let mut told = Engine::new(opts("told"));
        let mut log = Vec::new();
        let mut failed = false;
        for step in 0..steps {
            let what = match step {
                0 => "first build".to_string(),
                // A failed build is usually fixed next, as an author would.
                _ if failed && site.rng.gen_bool(0.6) => {
                    site.repair();
                    "repair".to_string()
                }
                _ => site.step(),
            };
            log.push(what);
            let fresh = tempfile::tempdir().unwrap();
            let full = outcome(build(&BuildOptions::new(&root, Some(&fresh.path().join("out")))));
            failed = full.is_err();
            let ctx = || format!("seed {seed}, step {step}; steps so far:\n{}", log.join("\n"));

            let r = scanning.build(None);
            if let Ok(report) = &r {
                written_incremental += report.files;
            }
            assert_eq!(outcome(r), full, "scanning engine, {}", ctx());
            let hint = std::mem::take(&mut site.touched);
            assert_eq!(outcome(told.build(Some(&hint))), full, "told engine, {}", ctx());
            // Saved after the build as `pufa serve` does as it stops, or by the build as it finishes, as
            // `pufa build` does, in turns.
            let saving = step % 2 == 1;
            let mut cached = Engine::with_cache(opts("cached"));
            if saving {
                cached = cached.saving_cache();
            }
            assert_eq!(outcome(cached.build(None)), full, "cached engine, {}", ctx());
            if !saving {
                cached.save_cache().unwrap();
            }
            if full.is_ok() {
                written_full += tree(&fresh.path().join("out")).len() as u64;
                for name in ["scan", "told", "cached"] {
                    assert_same_tree(&dir.path().join(name), &fresh.path().join("out"), &format!("{name}, {}", ctx()));
                }
            }
        }
    }
    // Incremental builds write only what changed (template and site.yaml steps still rewrite everything).
    assert!(written_incremental * 2 < written_full, "{written_incremental} of {written_full} files written");
}

/// The good fixture copied into a temporary folder.
fn fixture_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    common::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites/good"), &root);
    (dir, root)
}

fn cache_files(root: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(root.join(".pufa-cache")).unwrap().map(|e| e.unwrap().path()).collect()
}

/// A cached build after an edit writes only what changed and equals a clean build; a corrupt, truncated or
/// foreign cache, or one whose output was replaced since, is ignored, not fatal. The builds write the cache as
/// they finish, as `pufa build` does (a full build's cache names the output folder it swapped in).
#[test]
fn the_build_cache_is_used_only_when_it_describes_the_output() {
    let (dir, root) = fixture_copy();
    let out = dir.path().join("out");
    let opts = BuildOptions::new(&root, Some(&out));
    let cached_build = || Engine::with_cache(opts.clone()).saving_cache().build(None).unwrap().files;
    // Checks the output against a fresh full build; returns how many files that one wrote.
    let clean = |what: &str| {
        let fresh = tempfile::tempdir().unwrap();
        let report = build(&BuildOptions::new(&root, Some(&fresh.path().join("out")))).unwrap();
        assert_same_tree(&out, &fresh.path().join("out"), what);
        report.files
    };
    let all = cached_build();
    // Side files left by an older pufa (the digests of cache version 3, the JSON cache up to version 4) go when
    // the cache is saved again.
    let saved = cache_files(&root).into_iter().next().unwrap();
    assert_eq!(saved.extension().unwrap(), "msgpack");
    std::fs::write(saved.with_extension("bin"), b"old digests").unwrap();
    std::fs::write(saved.with_extension("json"), b"{}").unwrap();
    assert_eq!(cached_build(), 0, "nothing changed, nothing written");
    assert_eq!(cache_files(&root), std::slice::from_ref(&saved), "the engine's state, no side file");
    std::fs::write(root.join("content/xianfa/b.md"), "---\ntitle: 改过的标题\ndate: 2024-01-02\n---\n改过。\n")
        .unwrap();
    let some = cached_build();
    assert!(some > 0 && some < all / 2, "{some} of {all}");
    clean("after an edit");

    for (what, damage) in [
        ("garbage", b"{not msgpack".to_vec()),
        ("another version", Vec::new()),
        ("truncated", Vec::new()),
        ("empty", Vec::new()),
    ] {
        let bytes = std::fs::read(&saved).unwrap();
        match what {
            "garbage" => std::fs::write(&saved, &damage).unwrap(),
            "another version" => {
                // MessagePack: the key "version" (a string of 7 bytes), then the number as one byte.
                let key = b"\xa7version";
                let at = bytes.windows(key.len()).position(|w| w == key).unwrap() + key.len();
                let mut bytes = bytes.clone();
                assert!(bytes[at] < 0x7f, "the version is a small number");
                bytes[at] = 0x7f;
                std::fs::write(&saved, &bytes).unwrap();
            }
            // A file of no bytes cannot even be mapped.
            "empty" => std::fs::write(&saved, b"").unwrap(),
            _ => std::fs::write(&saved, &bytes[..bytes.len() / 2]).unwrap(),
        }
        std::fs::write(root.join("content/xianfa/c.md"), format!("---\ntitle: {what}\n---\n{what}\n")).unwrap();
        // A full build: as many files as a fresh one (the search shards in use depend on the content).
        let written = cached_build();
        assert_eq!(written, clean(what), "{what}: a full build");
        assert!(written > all / 2, "{what}: {written} of {all}");
    }

    // The output replaced by a build that did not use the cache: the cache no longer describes it.
    build(&opts).unwrap();
    std::fs::write(root.join("content/xianfa/c.md"), "---\ntitle: 又改了\n---\n又改了。\n").unwrap();
    std::fs::remove_dir_all(out.join("tags")).unwrap();
    let written = cached_build();
    assert_eq!(written, clean("after a build without the cache"), "a full build");
}

/// A page rendered again from its parse in the build cache (its neighbour was retitled) still has the front
/// matter's other keys: a Zola site's own template shows `page.extra.lead`, which a cached build lost.
#[test]
fn a_page_rendered_again_from_the_cache_keeps_its_extra_keys() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    common::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites/zola"), &root);
    let out = dir.path().join("out");
    let opts = BuildOptions::new(&root, Some(&out));
    let cached_build = || outcome(Engine::with_cache(opts.clone()).saving_cache().build(None)).unwrap();
    cached_build();
    let second = root.join("content/blog/second.md");
    let text = std::fs::read_to_string(&second).unwrap();
    std::fs::write(&second, text.replace("未成年人保护法进校园", "未成年人保护法进校园（续）")).unwrap();
    cached_build();
    let first = std::fs::read_to_string(out.join("blog/first/index.html")).unwrap();
    assert!(first.contains("未成年人保护法进校园（续）"), "the neighbour's new title: rendered again");
    assert!(first.contains(r#"<meta name="lead" content="宪法宣传周导语">"#), "page.extra.lead");
    let fresh = tempfile::tempdir().unwrap();
    build(&BuildOptions::new(&root, Some(&fresh.path().join("out")))).unwrap();
    assert_same_tree(&out, &fresh.path().join("out"), "after a retitle, through the cache");
}

/// A static photo changed, which changes no content file: a kept engine (`pufa serve`) renders again the
/// pages showing it (they kept the last build's fingerprints, and showed the removed sizes of the old photo).
#[test]
fn a_static_picture_changed_is_shown_anew_by_a_kept_engine() {
    let (dir, root) = fixture_copy();
    std::fs::create_dir_all(root.join("static")).unwrap();
    std::fs::write(root.join("static/cover.png"), picture_edits::png(1)).unwrap();
    std::fs::write(root.join("content/xianfa/pic.md"), "---\ntitle: 图\n---\n![封面](/static/cover.png)\n").unwrap();
    let out = dir.path().join("out");
    let mut engine = Engine::new(BuildOptions::new(&root, Some(&out)));
    engine.build(None).unwrap();
    std::fs::write(root.join("static/cover.png"), picture_edits::png(4)).unwrap();
    engine.build(None).unwrap();
    let fresh = tempfile::tempdir().unwrap();
    build(&BuildOptions::new(&root, Some(&fresh.path().join("out")))).unwrap();
    assert_same_tree(&out, &fresh.path().join("out"), "static picture");
}
