//! The connection loop of `pufa serve`: HTTP/1.1 over hyper with a header (and keep-alive idle) timeout, a cap on
//! open connections below the open-files limit, accept errors backed off instead of spun on, and graceful shutdown.
//!
//! `axum::serve` has none of these limits: idle or half-sent connections stay open for ever, and once the process
//! runs out of file descriptors it cannot accept the students' connections any more.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// A connection that has not sent a whole request head this long after opening, or after its previous response
/// (an idle keep-alive connection), is closed.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request head (request line and headers) hyper reads; beyond it the connection gets a bare 431.
/// `security` answers smaller but still oversized heads with JSON first.
pub const MAX_HEAD_BYTES: usize = 32 * 1024;
/// Open connections at most, whatever the open-files limit allows (each costs memory for its buffers).
pub const MAX_CONNECTIONS: usize = 10_000;
/// File descriptors kept free for the database, the static files, the watcher and logs.
pub const RESERVED_FILES: u64 = 128;
/// How long requests under way at shutdown may take to finish before their connections are dropped.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(15);
/// Pause after an accept error that is not the client's (e.g. EMFILE), so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// The connection limits of a server.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Open connections at most; further clients wait in the listen backlog until one closes.
    pub max_connections: usize,
    /// See `HEADER_TIMEOUT`.
    pub header_timeout: Duration,
}

impl Limits {
    /// The limits for a process allowed `open_files` descriptors: the connection cap leaves `RESERVED_FILES`
    /// (or, for tiny limits, half) to everything else.
    pub fn for_open_files(open_files: u64) -> Limits {
        let room = open_files.saturating_sub(RESERVED_FILES.min(open_files / 2)).max(1);
        Limits {
            max_connections: usize::try_from(room).unwrap_or(MAX_CONNECTIONS).min(MAX_CONNECTIONS),
            header_timeout: HEADER_TIMEOUT,
        }
    }
}

/// Raises the soft limit of open files to the hard limit and returns the soft limit now in force.
#[cfg(unix)]
pub fn raise_open_files() -> io::Result<u64> {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed, which lives on this stack.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return Err(io::Error::last_os_error());
    }
    if lim.rlim_cur < lim.rlim_max {
        let raised = libc::rlimit { rlim_cur: lim.rlim_max, rlim_max: lim.rlim_max };
        // SAFETY: as above.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            lim = raised;
        }
    }
    Ok(lim.rlim_cur)
}

/// Elsewhere the limit is not known; assume a modest one.
#[cfg(not(unix))]
pub fn raise_open_files() -> io::Result<u64> {
    Ok(1024)
}

/// Serves `router` on `listener` within `limits` until `shutdown` completes; then stops accepting, lets requests
/// under way finish (at most `DRAIN_TIMEOUT`) and returns. Handlers see the peer as `ConnectInfo<SocketAddr>`.
pub async fn serve_on(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).max_buf_size(MAX_HEAD_BYTES);
    tokio::pin!(shutdown);
    loop {
        // A free slot first: a full server leaves new clients in the backlog rather than failing them.
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => permit.map_err(io::Error::other)?,
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    if !is_connection_error(&e) {
                        tracing::warn!(error = %e, "accepting a connection failed; pausing");
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = router.clone().map_request(move |mut req: axum::extract::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            req
        });
        let conn = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // A client that goes away or times out is its own business, not an error of the server.
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still under way after {DRAIN_TIMEOUT:?}; closing their connections");
    }
    Ok(())
}

/// Errors of one client's connection (gone before it was accepted), as opposed to the server's (EMFILE, ENOBUFS).
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_cap_leaves_room_for_other_files() {
        assert_eq!(Limits::for_open_files(1024).max_connections, 896);
        assert_eq!(Limits::for_open_files(200).max_connections, 100);
        assert_eq!(Limits::for_open_files(1_048_576).max_connections, MAX_CONNECTIONS);
        assert_eq!(Limits::for_open_files(0).max_connections, 1);
    }
}
