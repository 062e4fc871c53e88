//! Headless Chromium for end-to-end tests: finds the Debian `chromium` and `chromium-driver`, starts
//! chromedriver on a free local port and opens a WebDriver session emulating a 360×740 phone.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;

/// A running chromedriver and a browser session; both end when this is dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
    /// One browser at a time in the suite: two Chromiums on a 2-core machine slow each other past their waits.
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

/// Whose turn it is to run a browser.
static TURN: std::sync::LazyLock<std::sync::Arc<tokio::sync::Mutex<()>>> = std::sync::LazyLock::new(Default::default);

fn first_existing(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Ok(p) = std::env::var(env) {
        return Some(PathBuf::from(p)).filter(|p| p.exists());
    }
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

/// The browser and driver binaries, or `None` after reporting their absence: a failure under CI (which installs
/// them), a skip notice on a developer's machine.
pub fn binaries() -> Option<(PathBuf, PathBuf)> {
    let chromium = first_existing("PUFA_CHROMIUM", &["/usr/bin/chromium", "/usr/bin/chromium-browser"]);
    let driver = first_existing("PUFA_CHROMEDRIVER", &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]);
    match (chromium, driver) {
        (Some(c), Some(d)) => Some((c, d)),
        _ => {
            let msg = "headless Chromium is missing: install the Debian packages `chromium` and `chromium-driver` \
                       (apt-get install chromium chromium-driver), or set PUFA_CHROMIUM and PUFA_CHROMEDRIVER";
            if std::env::var_os("CI").is_some() {
                panic!("{msg}");
            }
            eprintln!("SKIPPED: {msg}");
            None
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap().local_addr().unwrap().port()
}

/// Waits for something to listen on `port`; chromedriver needs a moment to start.
fn wait_listening(port: u16, child: &mut Child) {
    let start = Instant::now();
    while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("chromedriver exited early with {status}");
        }
        assert!(start.elapsed() < Duration::from_secs(30), "chromedriver did not listen on {port} within 30 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile, emulating a phone in WeChat.
    pub async fn phone(chromium: &Path, chromedriver: &Path) -> Browser {
        let turn = TURN.clone().lock_owned().await;
        let port = free_port();
        let mut command = Command::new(chromedriver);
        command.arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null());
        // Its own process group, which Chromium and its helpers join: a test that fails kills them all.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut driver = command.spawn().expect("start chromedriver");
        wait_listening(port, &mut driver);
        let profile = tempfile::tempdir().unwrap();
        let caps = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.path().display()),
                    "--window-size=360,740",
                ],
                "mobileEmulation": {
                    "deviceMetrics": {"width": 360, "height": 740, "pixelRatio": 2.0, "touch": true},
                    "userAgent": "Mozilla/5.0 (Linux; Android 12; Phone) AppleWebKit/537.36 (KHTML, like Gecko) \
                                  Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.50"
                }
            }
        });
        let caps = match caps {
            serde_json::Value::Object(m) => m,
            _ => unreachable!(),
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("open a WebDriver session with headless Chromium");
        Browser { client, driver, _profile: profile, _turn: turn }
    }

    /// Ends the session, then the driver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        self.kill_all();
    }

    /// The process id of chromedriver, whose children are the browser's.
    pub fn driver_pid(&self) -> u32 {
        self.driver.id()
    }

    /// Kills chromedriver and, with it, every process of its group: killing chromedriver alone left Chromium
    /// running after a failed test.
    fn kill_all(&mut self) {
        #[cfg(unix)]
        if let Ok(group) = i32::try_from(self.driver.id()) {
            // SAFETY: kill(2) only sends a signal, to the process group this Browser created; no memory is shared.
            unsafe { libc::kill(-group, libc::SIGKILL) };
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // A failed assertion skips `close`; never leave a chromedriver or a Chromium behind.
        self.kill_all();
    }
}

/// The parent and state letter of process `pid`, from `/proc/PID/stat` (its name may hold spaces and parentheses,
/// so the fields are read after the last ')').
#[cfg(target_os = "linux")]
fn stat(pid: u32) -> Option<(u32, char)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut rest = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = rest.next()?.chars().next()?;
    Some((rest.next()?.parse().ok()?, state))
}

/// Whether process `pid` runs (exists and is no zombie).
#[cfg(target_os = "linux")]
pub fn running(pid: u32) -> bool {
    stat(pid).is_some_and(|(_, state)| state != 'Z')
}

/// The running processes below `pid`: children, their children and so on.
#[cfg(target_os = "linux")]
pub fn descendants(pid: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .filter_map(|p| Some((p, stat(p)?.0)))
        .collect();
    let mut found = vec![pid];
    let mut at = 0;
    while at < found.len() {
        let parent = found[at];
        found.extend(parents.iter().filter(|&&(_, pp)| pp == parent).map(|&(p, _)| p));
        at += 1;
    }
    found.retain(|&p| p != pid && running(p));
    found
}

/// Serves the files of `dir` on a free local port, as a plain static server would (byte ranges included), for
/// the browser to read a built site from; the address.
pub async fn serve_folder(dir: &Path) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let files = axum::Router::new().fallback_service(tower_http::services::ServeDir::new(dir));
    tokio::spawn(async move { axum::serve(listener, files).await.unwrap() });
    addr
}
