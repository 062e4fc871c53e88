//! Broken sites: every error of every file is reported with its file, line and column, the exit code is
//! non-zero, and the previous output stays untouched (issue 2, "Bad input").

use std::path::{Path, PathBuf};
use std::process::Command;

use pufa::site::{build, BuildError, BuildOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites").join(name)
}

#[test]
fn failed_build_reports_all_errors_and_keeps_previous_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&BuildOptions::new(&fixture("bare"), Some(&out))).unwrap_or_else(|e| panic!("{e}"));
    let before = std::fs::read(out.join("index.html")).unwrap();

    let err = build(&BuildOptions::new(&fixture("broken"), Some(&out))).unwrap_err();
    let BuildError::Diagnostics(diags) = err else { panic!("expected diagnostics, got {err}") };
    let errors: Vec<String> = diags.errors().map(|d| d.to_string()).collect();
    let text = errors.join("\n");
    assert!(text.contains("content/col/bad-date.md:3:"), "{text}");
    assert!(text.contains("content/col/bad-key.md:3:"), "{text}");
    assert!(text.contains("titel"), "{text}");
    assert!(text.contains("content/col/bad-link.md:4:"), "{text}");
    // Quiz files are validated in the same run, and a page's quiz: must name a known competition.
    assert!(text.contains("quizzes/competitions/bad.yaml:5:1: unknown field `time_limt`"), "{text}");
    assert!(text.contains("content/col/bad-quiz.md:3:1: quiz: expected the id of a competition"), "{text}");
    assert_eq!(errors.len(), 5, "{text}");

    assert_eq!(std::fs::read(out.join("index.html")).unwrap(), before, "previous output was changed");
    assert!(!out.join("col/bad-link").exists());
    assert!(out.join("col/one/index.html").exists());
    // Only the output, the spare folder kept for the next build and the build lock (see site::output).
    let mut names: Vec<_> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, [".public.pufa-lock", ".public.pufa-spare", "public"], "unexpected folders");
}

#[test]
fn cli_exits_non_zero_and_prints_path_line_col() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pufa"))
        .args(["build", "--source"])
        .arg(fixture("broken"))
        .arg("--output")
        .arg(dir.path().join("public"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for file in ["bad-date.md:3:", "bad-key.md:3:", "bad-link.md:4:"] {
        assert!(stderr.lines().any(|l| l.starts_with("content/col/") && l.contains(file)), "{file} in:\n{stderr}");
    }
    assert!(!dir.path().join("public").exists());
    assert!(!dir.path().join(".public.pufa-building").exists());
}

#[test]
fn check_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("site");
    std::fs::create_dir_all(src.join("content")).unwrap();
    std::fs::write(src.join("content/p.md"), "---\ntitle: 一页\n---\n正文\n").unwrap();
    let report = build(&BuildOptions { output: None, ..BuildOptions::new(&src, None) }).unwrap();
    assert!(report.files > 0);
    assert_eq!(std::fs::read_dir(&src).unwrap().count(), 1, "check wrote something");
    let status = Command::new(env!("CARGO_BIN_EXE_pufa")).args(["check", "--source"]).arg(&src).status().unwrap();
    assert!(status.success());
    assert!(!src.join("public").exists());
}

#[test]
fn bad_site_yaml_is_reported_with_content_errors() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("site");
    std::fs::create_dir_all(src.join("content")).unwrap();
    std::fs::write(src.join("site.yaml"), "title: x\npaginate: 3\n").unwrap();
    std::fs::write(src.join("content/p.md"), "---\ntitle: 一页\ndraft: maybe\n---\n").unwrap();
    let Err(BuildError::Diagnostics(d)) = build(&BuildOptions::new(&src, None)) else { panic!("should fail") };
    let text = d.to_string();
    assert!(text.contains("site.yaml:2:1: unknown field `paginate`"), "{text}");
    assert!(text.contains("content/p.md:3:"), "{text}");
}
