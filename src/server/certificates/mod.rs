//! Certificates (issue 12): a participant whose best attempt reaches a level of the competition's `certificate:`
//! gets a PDF/PNG certificate with a serial and a QR code of its verification address; anyone can verify it at
//! `/verify/{code}`; the organizer lists, revokes and downloads them by organization (`pages::certificates`).
//!
//! Issuing is idempotent: one certificate per attempt (the store's UNIQUE attempt), always for the participant's
//! best submitted attempt, so asking again gives the same serial. Codes are HMACs under a secret the database
//! keeps (`code`), shared by every process on it.

pub mod code;
pub mod design;
pub mod render;
pub mod verify;

use axum::http::HeaderMap;
use axum::routing::get;
use axum::Router;
use chrono::Datelike;
use serde::Serialize;

use super::flow::{self, Submitted};
use super::pages::qr;
use super::{ApiError, AppState};
use crate::quiz::certificate::level_for;
use crate::quiz::Competition;
use crate::store::certificates::{CertificateRow, NewCertificate};
use crate::store::Store;

/// The name of the secret that signs verification codes.
const SECRET: &str = "certificates";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/verify", get(verify::ask))
        .route("/verify/{code}", get(verify::page))
        .route("/api/certificates/{code}", get(verify::json))
        .route("/api/attempts/{attempt}/certificate.pdf", get(verify::holder_pdf))
        .route("/api/attempts/{attempt}/certificate.png", get(verify::holder_png))
}

/// The key of the verification codes, read from the database once per process.
#[derive(Default)]
pub struct Keys(tokio::sync::OnceCell<Vec<u8>>);

impl Keys {
    /// The database's certificate secret, made (32 random bytes) when it has none yet. `pufa serve` asks at start,
    /// so the secret exists from the first start on; its value is never logged.
    pub async fn key(&self, store: &Store, now_ms: i64) -> Result<&[u8], ApiError> {
        let key = self
            .0
            .get_or_try_init(|| async {
                let fresh: String = rand::random::<[u8; 32]>().iter().map(|b| format!("{b:02x}")).collect();
                let hex = store.secret(SECRET, &fresh, now_ms).await?;
                unhex(&hex).ok_or_else(|| ApiError::internal("the certificates secret is not 64 hex digits"))
            })
            .await?;
        Ok(key.as_slice())
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    (s.len() == 64).then_some(())?;
    (0..32).map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()).collect()
}

/// A certificate as the submit result and the result page offer it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Link {
    pub serial: String,
    /// The level: 合格证书, 优秀奖.
    pub title: String,
    /// The PDF (A4 landscape).
    pub url: String,
    /// The same as a PNG, for sharing in WeChat.
    pub png_url: String,
    /// The public verification page, also in the QR code.
    pub verify_url: String,
}

/// Adds the certificate the participant holds to a shown result. A fault is logged and leaves it out: the
/// submission itself is recorded, and the next look at the result issues the certificate.
pub async fn attach(state: &AppState, headers: &HeaderMap, s: &mut Submitted) {
    if !s.answers_shown {
        return;
    }
    let quizzes = state.quizzes();
    let Ok(comp) = flow::competition(&quizzes, &s.competition) else { return };
    if comp.certificates.is_empty() {
        return;
    }
    let link = match earned(state, comp, &s.attempt).await {
        Ok(Some(row)) => link(state, headers, &row).await,
        Ok(None) => return,
        Err(e) => Err(e),
    };
    match link {
        Ok(l) => s.certificate = Some(l),
        Err(e) => tracing::error!(error = %e, attempt = %s.attempt, "certificate not issued"),
    }
}

/// The certificate of the participant of `attempt`: that of their best submitted attempt, issued now when it
/// reaches a level and has none yet. None below every level, and when it was revoked.
pub async fn earned(state: &AppState, comp: &Competition, attempt: &str) -> Result<Option<CertificateRow>, ApiError> {
    let row = state.store.attempt(attempt).await?.ok_or(ApiError::UnknownAttempt)?;
    let best = state.store.best_attempt(&comp.id, &row.participant_key).await?.unwrap_or_else(|| row.id.clone());
    if let Some(issued) = state.store.certificate_of(&best).await? {
        return Ok(issued.revoked_at.is_none().then_some(issued));
    }
    let best = if best == row.id { row } else { state.store.attempt(&best).await?.ok_or(ApiError::UnknownAttempt)? };
    let score = u32::try_from(best.score.unwrap_or(0)).unwrap_or(0);
    let Some(level) = level_for(&comp.certificates, score).filter(|_| best.submitted_at.is_some()) else {
        return Ok(None);
    };
    let now = state.clock.now();
    let serial = state
        .store
        .certify(NewCertificate {
            attempt: best.id.clone(),
            competition: comp.id.clone(),
            organization: best.organization.clone(),
            year: now.with_timezone(comp.closes.offset()).year(),
            title: level.title.clone(),
            issuer: level.issuer.clone(),
            issued_at: flow::millis(now),
        })
        .await?;
    let issued = state.store.certificate(&serial).await?;
    Ok(issued.filter(|c| c.revoked_at.is_none()))
}

/// The links of an issued certificate.
pub async fn link(state: &AppState, headers: &HeaderMap, row: &CertificateRow) -> Result<Link, ApiError> {
    let root = state.pages.root();
    Ok(Link {
        serial: row.serial.clone(),
        title: row.title.clone(),
        url: format!("{root}/api/attempts/{}/certificate.pdf", row.attempt),
        png_url: format!("{root}/api/attempts/{}/certificate.png", row.attempt),
        verify_url: verify_url(state, headers, row).await?,
    })
}

/// The full verification address of a certificate (the QR code's content).
pub async fn verify_url(state: &AppState, headers: &HeaderMap, row: &CertificateRow) -> Result<String, ApiError> {
    let key = state.certificates.key(&state.store, flow::millis(state.clock.now())).await?;
    Ok(qr::address(&state.pages.config, headers, &format!("/verify/{}", code::make(key, &row.serial))))
}

/// What an issued certificate states, for its design.
pub async fn facts(state: &AppState, headers: &HeaderMap, row: &CertificateRow) -> Result<design::Facts, ApiError> {
    let quizzes = state.quizzes();
    let comp = quizzes.competitions.get(&row.competition);
    let named = named(state, row);
    let issued = flow::from_millis(row.issued_at).with_timezone(&named.offset);
    let seal = comp.and_then(|c| c.certificates.iter().find(|l| l.title == row.title)).and_then(|l| l.seal.clone());
    let seal = match seal {
        Some(path) => {
            Some(tokio::fs::read(&path).await.map_err(|e| ApiError::internal(format!("{}: {e}", path.display())))?)
        }
        None => None,
    };
    Ok(design::Facts {
        title: row.title.clone(),
        issuer: row.issuer.clone(),
        name: row.name.clone(),
        organization: named.organization,
        competition: named.competition,
        score: row.score,
        max_score: row.max_score,
        date: crate::site::views::date_text(state.lang, &issued),
        serial: row.serial.clone(),
        verify_url: verify_url(state, headers, row).await?,
        seal,
    })
}

/// What the quiz files say of an issued certificate's ids (the ids themselves when the files no longer have them).
pub(crate) struct Named {
    /// The competition's time zone (China's when the competition is gone), for dates.
    pub offset: chrono::FixedOffset,
    pub organization: String,
    pub competition: String,
}

pub(crate) fn named(state: &AppState, row: &CertificateRow) -> Named {
    let quizzes = state.quizzes();
    let comp = quizzes.competitions.get(&row.competition);
    let china = crate::content::front_matter::china();
    Named {
        offset: comp.map_or(china, |c| *c.closes.offset()),
        organization: quizzes.organization(&row.organization).map_or(row.organization.clone(), |o| o.name.clone()),
        competition: comp.map_or(row.competition.clone(), |c| c.title.clone()),
    }
}

/// Runs the (CPU-bound) drawing off the async workers.
pub async fn draw<T: Send + 'static>(f: impl FnOnce() -> Result<T, String> + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(ApiError::internal)?.map_err(ApiError::internal)
}
