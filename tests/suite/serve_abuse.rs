//! The server under slow, idle and half-sent connections on a real socket (issue 10): students still start, the
//! server still answers when idle clients outnumber its open-files limit, and stalled connections are closed.

use crate::common;

use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use pufa::server::net::{self, Limits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// More connections than the 1,024 places and the 1,024 file limit the issue was about.
const CROWD: usize = 1100;
/// How long a test waits for the server before it gives up; a bound on the test, not a requirement.
const PATIENCE: Duration = Duration::from_secs(60);

/// The test app served by `net::serve_on` on 127.0.0.1:0 with the limits `pufa serve` derives from this process's
/// (raised) open-files limit; serving stops when the returned sender is dropped.
async fn served() -> (SocketAddr, TestApp, tokio::sync::oneshot::Sender<()>) {
    let open_files = net::raise_open_files().unwrap();
    assert!(open_files as usize > 3 * CROWD, "the test needs {} open files, has {open_files}", 3 * CROWD);
    let t = test_app().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let limits = Limits::for_open_files(open_files);
    tokio::spawn(net::serve_on(listener, t.app.clone(), limits, async move {
        let _ = stopped.await;
    }));
    (addr, t, stop)
}

/// Reads until the server closes the connection; what it sent before closing.
async fn until_closed(s: &mut TcpStream) -> String {
    let mut out = Vec::new();
    match tokio::time::timeout(PATIENCE, s.read_to_end(&mut out)).await {
        Ok(Ok(_)) => {}
        // A reset is a close too.
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Ok(Err(e)) => panic!("reading: {e}"),
        Err(_) => panic!("the server kept the connection open"),
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn start_body() -> serde_json::Value {
    serde_json::json!({"name": "张三", "organization": "school-a", "group": "一班"})
}

// Issue 10: 1,100 slow-body connections made every student's start a 503 while /healthz stayed green.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_student_starts_while_many_clients_trickle_bodies() {
    let (addr, _t, _stop) = served().await;
    let head = "POST /api/competitions/open/attempts HTTP/1.1\r\nHost: pufa\r\n\
        Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\": \"";
    let mut slow = Vec::with_capacity(CROWD);
    for _ in 0..CROWD {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(head.as_bytes()).await.unwrap();
        slow.push(s);
    }
    // Give the server the moment it needs to read the heads it was sent (a pause, not a measurement).
    tokio::time::sleep(Duration::from_secs(1)).await;
    let client = reqwest::Client::new();
    let started = client.post(format!("http://{addr}/api/competitions/open/attempts")).json(&start_body()).send();
    let started = tokio::time::timeout(PATIENCE, started).await.expect("the start is answered").unwrap();
    let status = started.status();
    let body: serde_json::Value = started.json().await.unwrap();
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    assert!(body["attempt"].is_string(), "{body}");
    // The trickling clients get a JSON 408 and are let go.
    let answer = until_closed(&mut slow[0]).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""code":"timeout""#), "{answer}");
}

// Issue 10: a connection that sends half a head, or nothing, or nothing more after its answer, is closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_and_idle_connections_are_closed() {
    let (addr, _t, _stop) = served().await;
    let mut half = TcpStream::connect(addr).await.unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: pufa\r\nX-Slow: ").await.unwrap();
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let mut kept = TcpStream::connect(addr).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: pufa\r\n\r\n").await.unwrap();
    let mut first = [0u8; 12];
    kept.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    let (half, silent, kept) =
        tokio::join!(until_closed(&mut half), until_closed(&mut silent), until_closed(&mut kept));
    assert!(!half.contains("200 OK"), "the half-sent request was answered: {half}");
    assert_eq!(silent, "", "a connection that sent nothing got an answer");
    assert!(!kept.contains("HTTP/1.1 400"), "{kept}");
}

// Issue 10: 1,100 idle connections under a 1,024 file limit stopped the whole server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_answers_when_idle_clients_outnumber_its_file_limit() {
    net::raise_open_files().unwrap();
    let site = tempfile::tempdir().unwrap();
    copy_dir(&fixture_dir(), &site.path().join("quizzes"));
    // An empty built site: the test is about connections, not pages.
    std::fs::create_dir_all(site.path().join("public")).unwrap();
    let db = TestDb::sqlite();
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pufa"));
    cmd.args(["serve", "--no-build", "--source", site.path().to_str().unwrap(), "--port", &port.to_string()])
        .env("DATABASE_URL", &db.url)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: setrlimit is async-signal-safe and touches only the child's own limits.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit { rlim_cur: 1024, rlim_max: 1024 };
            match libc::setrlimit(libc::RLIMIT_NOFILE, &lim) {
                0 => Ok(()),
                _ => Err(std::io::Error::last_os_error()),
            }
        });
    }
    let mut child = cmd.spawn().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    wait_healthy(&client, &base, &mut child).await;
    let mut idle = Vec::with_capacity(CROWD);
    for _ in 0..CROWD {
        idle.push(TcpStream::connect(("127.0.0.1", port)).await.unwrap());
    }
    let fresh = reqwest::Client::new();
    let started = fresh.post(format!("{base}/api/competitions/open/attempts")).json(&start_body()).send();
    let started = tokio::time::timeout(PATIENCE, started).await;
    let alive = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    let started = started.expect("the server answers a new client").unwrap();
    assert!(alive, "the server exited");
    assert_eq!(started.status(), reqwest::StatusCode::CREATED);
}
