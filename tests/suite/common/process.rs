//! The real `pufa` binary in tests: free ports, `pufa serve` as a child process, and waiting for it to answer.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `pufa serve` on `db` and `port` with the test organizer token, plus `extra` arguments; output discarded.
pub fn spawn_server(source: &Path, db: &str, port: u16, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_pufa"))
        .args(["serve", "--source", source.to_str().unwrap(), "--port", &port.to_string()])
        .args(extra)
        .env("DATABASE_URL", db)
        .env("PUFA_ADMIN_TOKEN", super::TOKEN)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the pufa binary starts")
}

/// Waits until `base`/healthz answers; panics if the child exits first or nothing answers within 30 s.
pub async fn wait_healthy(client: &reqwest::Client, base: &str, child: &mut Child) {
    for _ in 0..600 {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("server exited early: {status}");
        }
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not become healthy");
}

/// Runs `pufa ARGS…` to completion; returns success and stderr.
pub fn run_pufa(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pufa"))
        .args(args)
        .env_remove("DATABASE_URL")
        .envs(env.iter().copied())
        .output()
        .expect("the pufa binary runs");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}
