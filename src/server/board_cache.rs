//! The public ranking, computed at most once per `LIFETIME` per competition: a big screen and a class of phones
//! polling it cost one read of the submitted attempts a second, not one per request, so the students' starts and
//! submissions keep the database. Organizer pages compute their own, fresh. The public summaries of surveys are
//! kept the same way (`BoardCache<Summary>`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use chrono::{DateTime, TimeDelta, Utc};

use super::board::Leaderboard;
use super::ApiError;

/// How long a computed public board is served before it is computed again (by the app clock).
pub const LIFETIME: TimeDelta = TimeDelta::seconds(1);

/// A computed public board (or survey summary) and its JSON, shared by every request that gets it.
#[derive(Debug)]
pub struct Cached<T = Leaderboard> {
    /// App-clock time the computation started.
    pub at: DateTime<Utc>,
    pub board: Arc<T>,
    pub json: Bytes,
}

impl<T> Clone for Cached<T> {
    fn clone(&self) -> Self {
        Cached { at: self.at, board: self.board.clone(), json: self.json.clone() }
    }
}

/// One competition's board and the token of its single computation in flight.
struct Slot<T> {
    value: Mutex<Option<Cached<T>>>,
    computing: tokio::sync::Mutex<()>,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot { value: Mutex::new(None), computing: tokio::sync::Mutex::new(()) }
    }
}

impl<T> Slot<T> {
    fn current(&self) -> Option<Cached<T>> {
        self.value.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

/// The boards of every competition (keys are known competition ids only, so the map stays small).
pub struct BoardCache<T = Leaderboard> {
    slots: Mutex<HashMap<String, Arc<Slot<T>>>>,
    computations: AtomicU64,
}

impl<T> Default for BoardCache<T> {
    fn default() -> Self {
        BoardCache { slots: Mutex::default(), computations: AtomicU64::new(0) }
    }
}

impl<T: serde::Serialize> BoardCache<T> {
    /// How many boards were computed since start (each one is one read of the store): for tests and diagnostics.
    pub fn computations(&self) -> u64 {
        self.computations.load(Ordering::Relaxed)
    }

    fn slot(&self, id: &str) -> Arc<Slot<T>> {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.entry(id.to_string()).or_default().clone()
    }

    /// The board of `id`: the cached one while younger than `LIFETIME`; otherwise one caller computes it with
    /// `compute` while the others get the previous board, or wait for this one when there is none yet.
    pub async fn get<F, Fut>(
        &self,
        id: &str,
        now: impl Fn() -> DateTime<Utc>,
        compute: F,
    ) -> Result<Cached<T>, ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, ApiError>>,
    {
        let slot = self.slot(id);
        let fresh = |c: &Cached<T>| {
            let age = now() - c.at;
            age >= TimeDelta::zero() && age < LIFETIME
        };
        if let Some(c) = slot.current().filter(fresh) {
            return Ok(c);
        }
        let _token = match slot.computing.try_lock() {
            Ok(token) => token,
            Err(_) => {
                if let Some(previous) = slot.current() {
                    return Ok(previous);
                }
                slot.computing.lock().await
            }
        };
        // The computation this caller waited for (or one that finished just before) may have left a fresh board.
        if let Some(c) = slot.current().filter(fresh) {
            return Ok(c);
        }
        let at = now();
        self.computations.fetch_add(1, Ordering::Relaxed);
        let board = compute().await?;
        let json = Bytes::from(serde_json::to_vec(&board).map_err(ApiError::internal)?);
        let cached = Cached { at, board: Arc::new(board), json };
        *slot.value.lock().unwrap_or_else(PoisonError::into_inner) = Some(cached.clone());
        Ok(cached)
    }
}
