//! Issue 10, the organizer token of the real `pufa serve`: one shorter than 24 characters is refused with a clear
//! message; with none set, a fresh one is generated, printed with where to put it, kept beside the database and
//! accepted, and the next start uses the same one without printing it again.

use crate::common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;

use common::*;

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture_dir(), &dir.path().join("quizzes"));
    dir
}

#[test]
fn a_short_token_is_refused() {
    let site = site();
    let port = free_port().to_string();
    let args = ["serve", "--no-watch", "--source", site.path().to_str().unwrap(), "--port", &port];
    let (ok, err) = run_pufa(&args, &[("PUFA_ADMIN_TOKEN", "only-twenty-characters")]);
    assert!(!ok, "serve started with a 22-character token");
    assert!(err.contains("组织者令牌太短") && err.contains("只有 22 个字符，至少需要 24 个"), "{err}");
    assert!(!site.path().join("public").exists(), "refused before building anything");
}

/// `pufa serve` without a token on `site`; the child and its stderr, line by line.
fn serve_without_token(site: &Path, port: u16) -> (Child, mpsc::Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pufa"))
        .args(["serve", "--no-watch", "--source", site.to_str().unwrap(), "--port", &port.to_string()])
        .env_remove("PUFA_ADMIN_TOKEN")
        .env("DATABASE_URL", format!("sqlite:{}", site.join("pufa.sqlite").display()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (child, rx)
}

async fn export_status(client: &reqwest::Client, base: &str, token: &str) -> u16 {
    let url = format!("{base}/api/competitions/open/results.csv");
    client.get(url).bearer_auth(token).send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_token_one_is_generated_printed_kept_and_accepted() {
    let site = site();
    let client = reqwest::Client::new();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let (mut child, lines) = serve_without_token(site.path(), port);
    wait_healthy(&client, &base, &mut child).await;
    child.kill().unwrap();
    child.wait().unwrap();
    let printed: Vec<String> = lines.iter().collect();
    let text = printed.join("\n");
    assert!(text.contains("未设置组织者令牌（PUFA_ADMIN_TOKEN），已生成一个"), "{text}");
    assert!(text.contains("export PUFA_ADMIN_TOKEN=") && text.contains("EnvironmentFile"), "{text}");
    let kept = std::fs::read_to_string(site.path().join(".pufa-admin-token")).unwrap().trim().to_string();
    assert!(kept.len() >= 32, "{kept}");
    assert!(printed.iter().any(|l| l.trim() == kept), "the token is printed on a line of its own:\n{text}");

    // The next start uses the kept token, says where it is, and does not print it again.
    let (mut child, lines) = serve_without_token(site.path(), port);
    wait_healthy(&client, &base, &mut child).await;
    assert_eq!(export_status(&client, &base, &kept).await, 200);
    assert_eq!(export_status(&client, &base, "not-the-token-at-all-000000").await, 401);
    child.kill().unwrap();
    child.wait().unwrap();
    let text = lines.iter().collect::<Vec<_>>().join("\n");
    assert!(text.contains("组织者令牌读自") && !text.contains(&kept), "{text}");
}
