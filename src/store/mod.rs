//! Store: persistence of attempts and submissions with sqlx; the only module that speaks SQL.
//! SQLite (default, embedded file) and PostgreSQL sit behind one interface: `Store`.
//!
//! Writes go through one writer task per process (`writer`), which groups the starts and submissions that arrive
//! together into shared transactions ("group commit") and answers each caller only after its transaction committed:
//! an acknowledged write is durable, and one fsync is paid per batch instead of per request.

pub mod certificates;
pub mod extra_time;
pub mod migrate;
mod postgres;
pub mod quiz_files;
mod reads;
mod sql;
mod sqlite;
pub mod suggestions;
pub(crate) mod surveys;
pub mod transfer;
mod writer;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};

pub use extra_time::ExtraTimeRow;
pub use surveys::SurveyResponseRow;
pub use writer::MAX_BATCH;

/// The columns of `AttemptRow`, in order.
pub(crate) const COLUMNS: &str = sql::columns!();

/// Errors of the store; the server logs them and answers with a generic 500.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL {0:?}: expected sqlite:PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("write failed and rolled back: {0}")]
    WriteFailed(String),
    #[error("the store writer has stopped")]
    WriterGone,
}

/// One attempt row as stored (and as `transfer` writes it, so unknown keys in an import file are errors).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttemptRow {
    /// Random unguessable id.
    pub id: String,
    pub competition: String,
    pub organization: String,
    pub name: String,
    /// Class or department as entered (trimmed).
    pub grp: String,
    pub participant_key: String,
    /// 1-based attempt number of this participant in this competition.
    pub number: i64,
    pub seed: i64,
    /// JSON of `Vec<quiz::Drawn>`.
    pub drawn: String,
    /// Epoch milliseconds.
    pub started_at: i64,
    /// Epoch milliseconds.
    pub deadline: i64,
    /// Epoch milliseconds; None while the attempt is open.
    pub submitted_at: Option<i64>,
    /// JSON of the graded answers (question id → letters).
    pub answers: Option<String>,
    pub score: Option<i64>,
    pub max_score: i64,
    pub passed: Option<bool>,
    pub duration_ms: Option<i64>,
    /// JSON of the stored `quiz::Grade`, returned unchanged on a repeated submit.
    pub grade: Option<String>,
    /// Departures from the question page (切屏) reported by its script, the highest count reported (issue 12).
    /// Left out of export lines while 0, so those read as before.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub leaves: i64,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// A start request as the writer sees it: the participant, the attempt limit, and a ready drawn attempt.
#[derive(Debug, Clone)]
pub struct NewAttempt {
    pub id: String,
    pub competition: String,
    pub organization: String,
    pub name: String,
    pub grp: String,
    pub participant_key: String,
    /// Attempts allowed per participant.
    pub limit: u32,
    pub seed: i64,
    pub drawn: String,
    pub started_at: i64,
    pub deadline: i64,
    pub max_score: i64,
    /// The daily limit and the start of the participant's day (epoch ms), when the competition has one.
    pub per_day: Option<(u32, i64)>,
}

/// What a start did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartOutcome {
    /// A new attempt was recorded.
    Created(AttemptRow),
    /// The participant has an unsubmitted attempt before its deadline: that one, unchanged.
    Resumed(AttemptRow),
    /// All attempts used.
    Exhausted,
    /// The attempts allowed per day are used for the day of `NewAttempt::per_day`.
    DailyLimit,
}

/// A graded submission to record.
#[derive(Debug, Clone)]
pub struct Submission {
    pub attempt: String,
    pub submitted_at: i64,
    pub answers: String,
    pub score: i64,
    pub passed: bool,
    pub duration_ms: i64,
    pub grade: String,
    /// (question id, correct) for the "most missed" figures.
    pub responses: Vec<(String, bool)>,
    /// Departures from the question page reported with it; the stored count only grows.
    pub leaves: i64,
}

/// What a submit did: the first submission wins, and a later one gets the stored attempt back.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // moved once per submit; StartOutcome is as large
pub enum SubmitOutcome {
    /// This submission is the one stored (the caller has everything it wrote).
    Recorded,
    AlreadySubmitted(AttemptRow),
    UnknownAttempt,
}

/// The part of a submitted attempt the ranking needs (no JSON columns).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Standing {
    pub id: String,
    pub organization: String,
    pub name: String,
    pub grp: String,
    pub participant_key: String,
    pub score: i64,
    pub max_score: i64,
    pub passed: bool,
    pub duration_ms: i64,
    pub submitted_at: i64,
    /// 1-based attempt number: the latest ranks under `score: latest`.
    pub number: i64,
}

/// How often each question was answered and missed in one competition.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct QuestionStat {
    pub question: String,
    pub answered: i64,
    pub missed: i64,
}

/// Answers saved while the attempt runs, graded if the participant never submits in time.
#[derive(Debug, Clone)]
pub struct Draft {
    pub attempt: String,
    /// JSON of question id → letters.
    pub answers: String,
    /// Saves are refused once the attempt's deadline is before this (epoch ms): the grace cut-off.
    pub not_after_deadline_before: i64,
    /// Departures from the question page reported with it; the stored count only grows.
    pub leaves: i64,
}

pub(crate) enum Op {
    Start(Box<NewAttempt>, oneshot::Sender<Result<StartOutcome, StoreError>>),
    Save(Box<Draft>, oneshot::Sender<Result<bool, StoreError>>),
    Submit(Box<Submission>, oneshot::Sender<Result<SubmitOutcome, StoreError>>),
    Respond(Box<SurveyResponseRow>, oneshot::Sender<Result<bool, StoreError>>),
    Suggest(Box<suggestions::NewSuggestion>, oneshot::Sender<Result<String, StoreError>>),
    Act(Box<suggestions::Action>, oneshot::Sender<Result<suggestions::ActOutcome, StoreError>>),
    Certify(Box<certificates::NewCertificate>, oneshot::Sender<Result<String, StoreError>>),
    Revoke(Box<certificates::Revocation>, oneshot::Sender<Result<certificates::RevokeOutcome, StoreError>>),
}

/// Runs one of the shared read queries (`reads`) on whichever pool the store has.
macro_rules! read {
    ($store:expr, $module:ident::$query:ident($($arg:expr),*)) => {
        match &$store.backend {
            Backend::Sqlite(p) => $module::sqlite::$query(p, $($arg),*).await,
            Backend::Postgres(p) => $module::postgres::$query(p, $($arg),*).await,
        }
    };
    ($store:expr, $query:ident($($arg:expr),*)) => {
        match &$store.backend {
            Backend::Sqlite(p) => reads::sqlite::$query(p, $($arg),*).await,
            Backend::Postgres(p) => reads::postgres::$query(p, $($arg),*).await,
        }
    };
}

#[derive(Clone)]
enum Backend {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// The database: a read pool plus the channel to the writer task. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    tx: mpsc::Sender<Op>,
    writer: std::sync::Arc<tokio::sync::Mutex<Option<tokio::task::JoinHandle<()>>>>,
}

impl Store {
    /// Opens (creating if missing) and migrates the database at `url`: `sqlite:PATH` or `postgres://…`.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        Store::open_with(url, true).await
    }

    /// Like `open`; with `migrate` false a PostgreSQL database is used as it is, without DDL (the caller checked
    /// `migrate::status`). SQLite always runs its migrations, a no-op on a current file.
    pub async fn open_with(url: &str, migrate: bool) -> Result<Store, StoreError> {
        if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.trim_start_matches("//");
            let pool = sqlite::open(path).await?;
            let conn = sqlite::writer::connect(path)?;
            let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
            let finished = sqlite::writer::spawn(path, conn, rx)?;
            let handle = tokio::spawn(async move {
                let _ = finished.await;
            });
            Ok(Store {
                backend: Backend::Sqlite(pool),
                tx,
                writer: std::sync::Arc::new(tokio::sync::Mutex::new(Some(handle))),
            })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let (pool, conn) = postgres::open(url, migrate).await?;
            let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
            let handle = tokio::spawn(postgres::writer::run(conn, rx));
            Ok(Store {
                backend: Backend::Postgres(pool),
                tx,
                writer: std::sync::Arc::new(tokio::sync::Mutex::new(Some(handle))),
            })
        } else {
            Err(StoreError::UnsupportedUrl(url.to_string()))
        }
    }

    /// Records a start, or returns the participant's open attempt, or says the attempts are used up.
    pub async fn start(&self, a: NewAttempt) -> Result<StartOutcome, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Op::Start(Box::new(a), reply)).await.map_err(|_| StoreError::WriterGone)?;
        rx.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Records a graded submission unless the attempt was already submitted (then returns the stored one).
    pub async fn submit(&self, s: Submission) -> Result<SubmitOutcome, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Op::Submit(Box::new(s), reply)).await.map_err(|_| StoreError::WriterGone)?;
        rx.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Saves draft answers of a running attempt; false when it is submitted, unknown or past deadline + grace.
    pub async fn save_draft(&self, d: Draft) -> Result<bool, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Op::Save(Box::new(d), reply)).await.map_err(|_| StoreError::WriterGone)?;
        rx.await.map_err(|_| StoreError::WriterGone)?
    }

    /// One attempt by id.
    pub async fn attempt(&self, id: &str) -> Result<Option<AttemptRow>, StoreError> {
        read!(self, attempt(id))
    }

    /// Every attempt of a competition (submitted or not), oldest first.
    pub async fn attempts(&self, competition: &str) -> Result<Vec<AttemptRow>, StoreError> {
        read!(self, attempts(competition, false))
    }

    /// The submitted attempts of a competition, oldest first.
    pub async fn submitted(&self, competition: &str) -> Result<Vec<AttemptRow>, StoreError> {
        read!(self, attempts(competition, true))
    }

    /// Unsubmitted attempts whose deadline is before `before` (epoch ms), at most `limit`, ordered by
    /// (deadline, id) and starting after the key `after`: a caller pages through them by passing the last row's
    /// `(deadline, id)`. Served by the partial index `attempts_open_by_deadline`.
    pub async fn expired(&self, before: i64, after: &(i64, String), limit: i64) -> Result<Vec<AttemptRow>, StoreError> {
        read!(self, expired(before, after, limit))
    }

    /// The submitted attempts of a competition, light rows for the ranking.
    pub async fn standings(&self, competition: &str) -> Result<Vec<Standing>, StoreError> {
        read!(self, standings(competition))
    }

    /// The attempts that left the question page most often, at most `limit`, and how many left it at all.
    pub async fn left_page(&self, competition: &str, limit: i64) -> Result<(Vec<AttemptRow>, i64), StoreError> {
        read!(self, left_page(competition, limit))
    }

    /// Per-question answered/missed counts of a competition, most missed first.
    pub async fn question_stats(&self, competition: &str) -> Result<Vec<QuestionStat>, StoreError> {
        read!(self, question_stats(competition))
    }

    /// The extra minutes of a participant's time limit: their own or their organization's, the larger (issue 12).
    pub async fn extra_minutes(&self, competition: &str, organization: &str, key: &str) -> Result<i64, StoreError> {
        read!(self, extra_time::minutes(competition, organization, key))
    }

    /// Every extra-time setting of a competition.
    pub async fn extra_times(&self, competition: &str) -> Result<Vec<ExtraTimeRow>, StoreError> {
        read!(self, extra_time::all(competition))
    }

    /// Sets an extra-time setting; 0 minutes removes it.
    pub async fn set_extra_time(&self, row: ExtraTimeRow) -> Result<(), StoreError> {
        read!(self, extra_time::set(&row))
    }

    /// How many attempts a participant started since `since` (epoch ms).
    pub async fn started_since(&self, competition: &str, key: &str, since: i64) -> Result<i64, StoreError> {
        read!(self, started_since(competition, key, since))
    }

    /// Records a suggestion under the day's next ticket number, which it returns.
    pub async fn suggest(&self, s: suggestions::NewSuggestion) -> Result<String, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Op::Suggest(Box::new(s), reply)).await.map_err(|_| StoreError::WriterGone)?;
        rx.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Records an organizer's action on a suggestion, when it may follow the suggestion's status.
    pub async fn act(&self, a: suggestions::Action) -> Result<suggestions::ActOutcome, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Op::Act(Box::new(a), reply)).await.map_err(|_| StoreError::WriterGone)?;
        rx.await.map_err(|_| StoreError::WriterGone)?
    }

    /// One suggestion by ticket.
    pub async fn suggestion(&self, ticket: &str) -> Result<Option<suggestions::SuggestionRow>, StoreError> {
        read!(self, suggestions::one(ticket))
    }

    /// Every suggestion, oldest first.
    pub async fn suggestions(&self) -> Result<Vec<suggestions::SuggestionRow>, StoreError> {
        read!(self, suggestions::all())
    }

    /// The latest `limit` closed suggestions whose senders allowed them to be shown, newest first.
    pub async fn answered_suggestions(&self, limit: i64) -> Result<Vec<suggestions::SuggestionRow>, StoreError> {
        read!(self, suggestions::answered(limit))
    }

    /// A suggestion's history, in order.
    pub async fn suggestion_events(&self, ticket: &str) -> Result<Vec<suggestions::EventRow>, StoreError> {
        read!(self, suggestions::events(ticket))
    }

    /// Every suggestion's history, by ticket and in order (the organizer's list reads them in one query).
    pub async fn all_suggestion_events(&self) -> Result<Vec<suggestions::EventRow>, StoreError> {
        read!(self, suggestions::all_events())
    }

    /// Issues a certificate for an attempt, or returns the serial it already has.
    pub async fn certify(&self, c: certificates::NewCertificate) -> Result<String, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Op::Certify(Box::new(c), reply)).await.map_err(|_| StoreError::WriterGone)?;
        rx.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Revokes a certificate (the first revocation stands).
    pub async fn revoke(&self, r: certificates::Revocation) -> Result<certificates::RevokeOutcome, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Op::Revoke(Box::new(r), reply)).await.map_err(|_| StoreError::WriterGone)?;
        rx.await.map_err(|_| StoreError::WriterGone)?
    }

    /// One certificate by serial.
    pub async fn certificate(&self, serial: &str) -> Result<Option<certificates::CertificateRow>, StoreError> {
        read!(self, certificates::one(serial))
    }

    /// The certificate of an attempt, if it has one.
    pub async fn certificate_of(&self, attempt: &str) -> Result<Option<certificates::CertificateRow>, StoreError> {
        read!(self, certificates::of_attempt(attempt))
    }

    /// The certificates of a competition, by organization and serial.
    pub async fn certificates(&self, competition: &str) -> Result<Vec<certificates::CertificateRow>, StoreError> {
        read!(self, certificates::of_competition(competition))
    }

    /// The id of a participant's best submitted attempt (highest score, then the earliest).
    pub async fn best_attempt(&self, competition: &str, key: &str) -> Result<Option<String>, StoreError> {
        read!(self, certificates::best(competition, key))
    }

    /// The secret `name`: the stored one, or `fresh` stored now when this database has none. Every process on
    /// the database gets the same value. The one write outside the writer: it happens once per database, and
    /// `ON CONFLICT DO NOTHING` makes racing first starts agree.
    pub async fn secret(&self, name: &str, fresh: &str, now: i64) -> Result<String, StoreError> {
        read!(self, certificates::secret(name, fresh, now))
    }

    /// Stops accepting writes, lets the writer finish what it has queued, and closes the pool.
    pub async fn close(self, timeout: Duration) {
        let Store { backend, tx, writer } = self;
        drop(tx);
        if let Some(handle) = writer.lock().await.take() {
            // Other clones of the sender (in-flight requests) may still exist; don't wait forever.
            let _ = tokio::time::timeout(timeout, handle).await;
        }
        match backend {
            Backend::Sqlite(p) => p.close().await,
            Backend::Postgres(p) => p.close().await,
        }
    }
}
