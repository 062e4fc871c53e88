//! Durability beside SQLite's writer: the log's fsync and the checkpoints run on threads of their own.
//!
//! The writer commits with `synchronous=NORMAL`, which writes a batch's log frames to the OS without waiting for
//! the disk, and hands the batch's answers to the sync thread. That thread fsyncs the log file and only then
//! answers: an acknowledged write has reached the disk, as with `synchronous=FULL`. Meanwhile new ops gather in
//! the writer's channel, and when the sync thread says the log is free (`LogFree`) the writer commits them all at
//! once, so each fsync covers one large commit (PostgreSQL's WAL writer groups the same way). After a power cut
//! SQLite's recovery keeps the log up to its last complete commit, which includes every acknowledged one.

use std::fs::File;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use rusqlite::Connection;

use crate::store::writer::Reply;

/// How often the checkpoint thread copies the log into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// Starts the sync thread for the log of the database at `path`; the writer sends each committed batch's answers.
/// The thread ends once the writer has dropped the sender and everything queued is synced and answered.
pub(crate) fn spawn_syncer(
    path: &str,
    free: Arc<LogFree>,
) -> std::io::Result<(Sender<Vec<Reply>>, std::thread::JoinHandle<()>)> {
    let wal = format!("{path}-wal");
    let (tx, rx) = std::sync::mpsc::channel::<Vec<Reply>>();
    let handle =
        std::thread::Builder::new().name("pufa-sqlite-sync".into()).spawn(move || sync_loop(&wal, &rx, &free))?;
    Ok((tx, handle))
}

/// The sync thread telling the writer that the log is on disk and free for its next commit.
#[derive(Debug, Default)]
pub(crate) struct LogFree {
    free: Mutex<bool>,
    changed: Condvar,
}

impl LogFree {
    fn open(&self) {
        *self.free.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.changed.notify_one();
    }

    /// Waits until the log is free (returns at once if it became free since the last wait).
    pub(super) fn wait(&self) {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while !*free {
            free = self.changed.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free = false;
    }
}

fn sync_loop(wal: &str, rx: &Receiver<Vec<Reply>>, free: &LogFree) {
    // Opened at the first commit, when the log surely exists; it is never deleted while the writer is open.
    let mut file: Option<File> = None;
    while let Ok(first) = rx.recv() {
        let mut waiting = vec![first];
        waiting.extend(rx.try_iter());
        let synced = match &file {
            Some(f) => f.sync_data(),
            None => File::options().write(true).open(wal).and_then(|f| {
                let r = f.sync_data();
                file = Some(f);
                r
            }),
        };
        match synced {
            Ok(()) => waiting.into_iter().flatten().for_each(Reply::send),
            Err(e) => {
                // Committed but maybe not on disk: say so. A retried start resumes, a retried submit reads back.
                tracing::error!(error = %e, "syncing the log failed");
                let msg = format!("syncing the log: {e}");
                waiting.into_iter().flatten().for_each(|r| r.fail(&msg));
                file = None;
            }
        }
        free.open();
    }
}

/// Starts the checkpoint thread on its own connection; it stops when `stop`'s sender is dropped.
pub(crate) fn spawn_checkpointer(conn: Connection, stop: Receiver<()>) -> std::io::Result<()> {
    std::thread::Builder::new().name("pufa-sqlite-checkpoint".into()).spawn(move || checkpoints(&conn, &stop))?;
    Ok(())
}

/// Copies committed log pages into the database file every `CHECKPOINT_EVERY`, beside the writer rather than
/// inside one of its commits, where SQLite's automatic checkpoint would make a batch wait for the copy and an fsync
/// of the database file. PASSIVE never blocks the writer or readers. The log only starts over from its beginning
/// when a checkpoint finds nothing left to copy, which under constant writes happens at the writer's own backstop
/// checkpoint; by then these passes have copied nearly everything, so that one is short.
fn checkpoints(conn: &Connection, stop: &Receiver<()>) {
    while let Err(RecvTimeoutError::Timeout) = stop.recv_timeout(CHECKPOINT_EVERY) {
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(error = %e, "checkpoint failed");
        }
    }
}
