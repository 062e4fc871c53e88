//! Issue 10, organizer sign-in: a wrong token is recorded before its delay is awaited, so guesses sent in parallel
//! are slowed like guesses sent one by one; the right token is checked first and answers at once, also after many
//! failures from the same address.
//!
//! The requests are polled by hand, once each: a request that answers on its first poll never waited, and one that
//! does not is waiting for its delay. No clock is read.

use crate::common;
use crate::common::pages as pages_common;

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use common::*;
use pages_common::form;
use pufa::server::security::AuthFailures;
use tower::ServiceExt;

const PEER: &str = "192.0.2.7:40000";

/// Posts the sign-in form from `PEER`; the status.
async fn sign_in(app: axum::Router, token: String) -> StatusCode {
    let mut req = Request::post("/quiz/admin/login")
        .header(header::HOST, "quiz.test")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(&[("token", &token), ("next", "")])))
        .unwrap();
    req.extensions_mut().insert(ConnectInfo(PEER.parse::<SocketAddr>().unwrap()));
    app.oneshot(req).await.unwrap().status()
}

fn peer_ip() -> IpAddr {
    PEER.parse::<SocketAddr>().unwrap().ip()
}

/// Polls `f` once: its output if it answered without waiting.
fn poll_once<F: Future>(f: &mut Pin<Box<F>>) -> Option<F::Output> {
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => Some(out),
        Poll::Pending => None,
    }
}

#[tokio::test]
async fn parallel_wrong_guesses_are_all_recorded_before_any_is_answered() {
    let t = test_app().await;
    let mut guesses: Vec<_> = (0..8).map(|i| Box::pin(sign_in(t.app.clone(), format!("guess-{i}")))).collect();
    for (n, guess) in guesses.iter_mut().enumerate() {
        assert_eq!(poll_once(guess), None, "guess {n} was answered without waiting");
        // Each guess is counted as it arrives, before its wait: the next one waits longer.
        assert_eq!(t.state.auth_failures.failures(peer_ip()), n as u32 + 1);
    }
    let waits: Vec<Duration> = (1..=8).map(AuthFailures::delay_after).collect();
    assert!(waits.windows(2).all(|w| w[0] <= w[1]) && waits[0] < waits[7], "{waits:?}");
}

#[tokio::test]
async fn the_right_token_answers_at_once_after_many_failures() {
    let t = test_app().await;
    // A guesser at the organizer's address has failed 20 times (one more guess is still waiting).
    for _ in 0..20 {
        t.state.auth_failures.record(peer_ip());
    }
    let mut guess = Box::pin(sign_in(t.app.clone(), "guess".to_string()));
    assert_eq!(poll_once(&mut guess), None);
    let mut right = Box::pin(sign_in(t.app.clone(), TOKEN.to_string()));
    assert_eq!(poll_once(&mut right), Some(StatusCode::SEE_OTHER), "the organizer waited for the guesser's delay");
    assert_eq!(t.state.auth_failures.failures(peer_ip()), 0, "a right token forgets the failures");
}
