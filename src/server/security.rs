//! Security layers around every response: headers (CSP and friends), no-store on API and admin responses, JSON
//! errors under `/api/`, the request limits of `limits` and a request timeout; and the in-memory counter that
//! slows repeated wrong organizer tokens from one address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::set_header::SetResponseHeaderLayer;

use super::limits::{self, InFlight};

pub use limits::{BODY_LIMIT, MAX_IN_FLIGHT};

/// A request whose handler takes longer than this (its body already read) is answered 408 and dropped.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// Addresses remembered for failed organizer logins (memory is capped).
pub const MAX_TRACKED_ADDRESSES: usize = 10_000;

/// The Content-Security-Policy: nothing from outside the site except the embedded video players.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    frame-src https://player.bilibili.com https://v.qq.com https://player.youku.com https://www.youtube-nocookie.com; \
    frame-ancestors 'self'; base-uri 'self'; form-action 'self'; object-src 'none'";

/// Wraps the router in every security layer. Pages may set their own CSP (with a nonce); it is kept.
pub fn wrap(router: Router) -> Router {
    let headers = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN")))
        .layer(middleware::from_fn(no_store));
    let in_flight = InFlight::new(MAX_IN_FLIGHT);
    let limits = ServiceBuilder::new()
        .layer(middleware::from_fn(super::error::api_json))
        .layer(middleware::from_fn(limits::head))
        .layer(middleware::from_fn(limits::body))
        .layer(middleware::from_fn(move |req, next| in_flight.clone().shed(req, next)))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ));
    router.layer(DefaultBodyLimit::max(limits::UPLOAD_LIMIT)).layer(limits).layer(headers)
}

/// API, admin and export responses are personal or live: never stored by a browser or proxy.
async fn no_store(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let private = path.starts_with("/api/") || path.starts_with("/admin") || path.ends_with("/admin");
    let mut resp = next.run(req).await;
    if private {
        resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        resp.headers_mut().insert(HeaderName::from_static("pragma"), HeaderValue::from_static("no-cache"));
    }
    resp
}

/// Failed organizer token attempts per address, in memory only.
#[derive(Debug, Default)]
pub struct AuthFailures {
    map: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

/// Failures are forgotten after this long without a new one.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);

impl AuthFailures {
    /// Recent failures recorded for `ip` (0 once forgotten).
    pub fn failures(&self, ip: IpAddr) -> u32 {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(&ip) {
            Some((n, last)) if last.elapsed() <= FORGET_AFTER => *n,
            _ => 0,
        }
    }

    /// How long a wrong token from `ip` waits after `n` recent failures: 0.25 s doubled per failure, at most 8 s.
    pub fn delay_after(n: u32) -> Duration {
        Duration::from_millis(250u64 << n.saturating_sub(1).min(5))
    }

    /// Records a failure from `ip` and returns how long its answer waits.
    pub fn record(&self, ip: IpAddr) -> Duration {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_TRACKED_ADDRESSES && !map.contains_key(&ip) {
            map.retain(|_, (_, last)| last.elapsed() <= FORGET_AFTER);
            if map.len() >= MAX_TRACKED_ADDRESSES {
                // Still full of recent failures: drop the oldest to stay within the cap.
                if let Some(oldest) = map.iter().min_by_key(|(_, (_, last))| *last).map(|(ip, _)| *ip) {
                    map.remove(&oldest);
                }
            }
        }
        let e = map.entry(ip).or_insert((0, Instant::now()));
        if e.1.elapsed() > FORGET_AFTER {
            e.0 = 0;
        }
        e.0 = e.0.saturating_add(1);
        e.1 = Instant::now();
        AuthFailures::delay_after(e.0)
    }

    pub fn forget(&self, ip: IpAddr) {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).remove(&ip);
    }

    /// Addresses currently tracked.
    pub fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_with_failures_and_is_capped() {
        let f = AuthFailures::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        assert_eq!(f.failures(ip), 0);
        let first = f.record(ip);
        let second = f.record(ip);
        assert_eq!((first, f.failures(ip)), (Duration::from_millis(250), 2));
        assert!(second > first);
        for _ in 0..40 {
            assert!(f.record(ip) <= Duration::from_secs(8));
        }
        f.forget(ip);
        assert_eq!(f.failures(ip), 0);
    }

    #[test]
    fn memory_is_capped() {
        let f = AuthFailures::default();
        for i in 0..(MAX_TRACKED_ADDRESSES as u32 + 50) {
            f.record(IpAddr::from(i.to_be_bytes()));
        }
        assert!(f.len() <= MAX_TRACKED_ADDRESSES);
    }
}
