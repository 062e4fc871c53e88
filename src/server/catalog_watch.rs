//! Watching `quizzes/`: a change to its files, saved by hand, by `pufa import` or by the organizer pages, is
//! loaded and applied (or refused, keeping the last good version) within about a second, without a restart.
//!
//! The folder is polled (names, sizes and modification times, a few dozen `stat`s) rather than watched through
//! the kernel: polling sees folders created later, files written by another process or over a network share
//! alike, and a load starts only once the files have stopped changing for one period, so a save in pieces is
//! loaded once, whole.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::catalog::{Catalog, Reloaded};
use super::catalog_share::{self, SHARE_EVERY};
use super::Clock;
use crate::store::Store;

/// How often the folder is looked at.
pub const POLL_EVERY: Duration = Duration::from_millis(400);

/// What the files of a folder look like, for telling that they changed: every file's path, size and modification
/// time, in path order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stamp(Vec<(PathBuf, u64, Option<SystemTime>)>);

impl Stamp {
    /// The stamp of `dir` (empty when it does not exist).
    pub fn of(dir: &Path) -> Stamp {
        let mut files: Vec<_> = walkdir::WalkDir::new(dir)
            .follow_links(true)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| {
                let meta = e.metadata().ok()?;
                Some((e.into_path(), meta.len(), meta.modified().ok()))
            })
            .collect();
        files.sort();
        Stamp(files)
    }
}

/// The polling task of a serving process.
pub struct CatalogWatch {
    stop: watch::Sender<bool>,
    reloads: watch::Receiver<u64>,
    task: JoinHandle<()>,
}

impl CatalogWatch {
    /// Starts watching the catalog's folder; a catalog without one is never reloaded (the task just waits). With
    /// a store, the folder is also kept the same as the other processes' on that database (`catalog_share`).
    pub fn spawn(catalog: Arc<Catalog>, clock: Clock, store: Option<Store>) -> CatalogWatch {
        let (stop, mut stopped) = watch::channel(false);
        let (count, reloads) = watch::channel(0u64);
        // The files as loaded: looked at before returning, so a change made right after is seen as one.
        let dir = catalog.quizzes_dir();
        let mut applied = dir.as_deref().map(Stamp::of).unwrap_or_default();
        let task = tokio::spawn(async move {
            let Some(dir) = dir else { return };
            let look = |dir: PathBuf| async move { tokio::task::spawn_blocking(move || Stamp::of(&dir)).await };
            let mut seen = applied.clone();
            let mut tick = tokio::time::interval(POLL_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut last_share: Option<std::time::Instant> = None;
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stopped.changed() => return,
                }
                if let Some(store) = store.as_ref().filter(|_| last_share.is_none_or(|t| t.elapsed() >= SHARE_EVERY)) {
                    last_share = Some(std::time::Instant::now());
                    if let Err(e) = catalog_share::compare(&catalog, store).await {
                        tracing::warn!("comparing quizzes/ with the database failed, tried again shortly: {e}");
                    }
                }
                let Ok(now) = look(dir.clone()).await else { return };
                // Load once the files are as they were one period ago: not in the middle of a save.
                let settled = now == seen;
                seen = now;
                if !settled || seen == applied {
                    continue;
                }
                applied = seen.clone();
                let (catalog, at) = (catalog.clone(), clock.now());
                match tokio::task::spawn_blocking(move || catalog.reload(at)).await {
                    Ok(Some(Reloaded::Refused(errors))) => {
                        tracing::warn!(errors = errors.len(), "quizzes/ has errors; the last good version runs")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!("reloading quizzes/ failed: {e}"),
                }
                count.send_modify(|n| *n += 1);
            }
        });
        CatalogWatch { stop, reloads, task }
    }

    /// Waits until `n` loads (applied or refused) have happened since the start.
    pub async fn reloaded(&mut self, n: u64) {
        let _ = self.reloads.wait_for(|r| *r >= n).await;
    }

    /// Stops watching; a load under way finishes first.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}
