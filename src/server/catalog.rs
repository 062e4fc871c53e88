//! What the server runs on from `quizzes/`: the last good load of banks, organizations, competitions, surveys and
//! the suggestion box's settings, replaced whole when the folder changes (`reload`), with the versions running
//! attempts were started on.
//!
//! A request takes one snapshot (`current`) and reads only it, so a reload in the middle never mixes two versions
//! in one answer. An attempt is shown and graded on the version that was current when it started (`as_of`), for as
//! long as it can still be submitted; a restart forgets the old versions, like the files.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::laws::Laws;
use crate::i18n::Lang;
use crate::quiz::suggestions::SuggestionBox;
use crate::quiz::QuizSet;

/// How long a replaced version stays beyond the longest time limit of its competitions: the submit grace and
/// the sweep's period, with room to spare.
const KEEP_BEYOND_LIMIT: Duration = Duration::from_secs(5 * 60);

/// Most replaced versions kept, whatever their age (a burst of saves from the browser).
const KEEP_MAX: usize = 64;

/// The running quiz set and how it got there.
pub struct Catalog {
    current: ArcSwap<QuizSet>,
    laws: ArcSwap<Laws>,
    /// The suggestion box's settings (`quizzes/suggestions.yaml`), loaded and applied with the rest.
    suggestions: ArcSwap<SuggestionBox>,
    /// Replaced versions with the moment each stopped being current, oldest first.
    replaced: Mutex<VecDeque<(DateTime<Utc>, Arc<QuizSet>)>>,
    status: Mutex<Status>,
    /// Where a reload reads from; None for a catalog made in memory (tests), which never reloads.
    origin: Option<Origin>,
}

struct Origin {
    source: PathBuf,
    lang: Lang,
}

/// The last load of `quizzes/` as the organizer page shows it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Status {
    /// 1 for the set the server started with, one more for each change applied.
    pub revision: u64,
    /// When the running version was loaded.
    pub loaded_at: Option<DateTime<Utc>>,
    /// The errors of the last load that was refused (file:line: message, in the site's language); empty when the
    /// running version is the files' current state.
    pub errors: Vec<String>,
    /// When that refused load happened.
    pub refused_at: Option<DateTime<Utc>>,
    /// Files of this process's folder changed here only, not shared with the other processes on the database
    /// (`catalog_share`), relative to `quizzes/`.
    pub not_shared: Vec<String>,
}

/// What a reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reloaded {
    /// The files hold errors; the last good version keeps running.
    Refused(Vec<String>),
    /// The new version runs, with this revision.
    Applied(u64),
}

impl Catalog {
    /// A catalog of `set`, never reloaded (tests, and a server without a site folder).
    pub fn fixed(set: QuizSet, laws: Laws) -> Catalog {
        Catalog::with_origin(set, laws, None)
    }

    /// The catalog of the site folder `source`, started on `set` (loaded from `source/quizzes` without errors).
    pub fn of_folder(set: QuizSet, laws: Laws, source: &Path, lang: Lang) -> Catalog {
        Catalog::with_origin(set, laws, Some(Origin { source: source.to_path_buf(), lang }))
    }

    fn with_origin(set: QuizSet, laws: Laws, origin: Option<Origin>) -> Catalog {
        let status = Status { revision: 1, loaded_at: Some(Utc::now()), ..Status::default() };
        Catalog {
            current: ArcSwap::from_pointee(set),
            laws: ArcSwap::from_pointee(laws),
            suggestions: ArcSwap::from_pointee(SuggestionBox::default()),
            replaced: Mutex::default(),
            status: Mutex::new(status),
            origin,
        }
    }

    /// The running version.
    pub fn current(&self) -> Arc<QuizSet> {
        self.current.load_full()
    }

    /// The version that was running at `t` (an attempt's start), if still kept; else the running one.
    pub fn as_of(&self, t: DateTime<Utc>) -> Arc<QuizSet> {
        let replaced = self.replaced.lock().unwrap_or_else(|e| e.into_inner());
        match replaced.iter().find(|(until, _)| *until > t) {
            Some((_, set)) => set.clone(),
            None => self.current(),
        }
    }

    /// The site's law texts the running questions cite.
    pub fn laws(&self) -> Arc<Laws> {
        self.laws.load_full()
    }

    /// The suggestion box's settings as they run.
    pub fn suggestions(&self) -> Arc<SuggestionBox> {
        self.suggestions.load_full()
    }

    /// Replaces the suggestion box's settings (the server's at start, a test's).
    pub fn set_suggestions(&self, settings: SuggestionBox) {
        self.suggestions.store(Arc::new(settings));
    }

    /// Replaces the law texts (a test's, or the server's at start).
    pub fn set_laws(&self, laws: Laws) {
        self.laws.store(Arc::new(laws));
    }

    /// Records the files `catalog_share` found not shared.
    pub fn set_not_shared(&self, files: Vec<String>) {
        self.status.lock().unwrap_or_else(|e| e.into_inner()).not_shared = files;
    }

    pub fn status(&self) -> Status {
        self.status.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The folder this catalog reloads from.
    pub fn quizzes_dir(&self) -> Option<PathBuf> {
        self.origin.as_ref().map(|o| o.source.join("quizzes"))
    }

    /// Makes `set` the running version at `now`, keeping the one it replaces for the attempts started on it.
    pub fn replace(&self, set: QuizSet, now: DateTime<Utc>) -> u64 {
        let old = self.current.swap(Arc::new(set));
        let mut replaced = self.replaced.lock().unwrap_or_else(|e| e.into_inner());
        replaced.push_back((now, old));
        // A version is needed while an attempt started on it may still be submitted.
        let needed = |(until, set): &(DateTime<Utc>, Arc<QuizSet>)| {
            let longest = set.competitions.values().map(|c| c.time_limit).max().unwrap_or_default();
            let keep = chrono::Duration::from_std(longest + KEEP_BEYOND_LIMIT).unwrap_or(chrono::Duration::MAX);
            until.checked_add_signed(keep).is_none_or(|end| end > now)
        };
        while replaced.front().is_some_and(|v| !needed(v)) || replaced.len() > KEEP_MAX {
            replaced.pop_front();
        }
        drop(replaced);
        let mut status = self.status.lock().unwrap_or_else(|e| e.into_inner());
        status.revision += 1;
        status.loaded_at = Some(now);
        status.errors.clear();
        status.refused_at = None;
        status.revision
    }

    /// Loads `quizzes/` again: a good load becomes the running version (with the law texts its questions cite),
    /// a load with errors is refused and its errors kept for the organizer page and written to the log.
    /// Blocking (reads files, and the content when laws are cited): call from a blocking thread.
    pub fn reload(&self, now: DateTime<Utc>) -> Option<Reloaded> {
        let origin = self.origin.as_ref()?;
        let dir = origin.source.join("quizzes");
        let (set, mut diags) = crate::quiz::load(&dir);
        let (suggestions, more) = crate::quiz::suggestions::load(&dir);
        diags.extend(more.0);
        if diags.has_errors() {
            let errors: Vec<String> =
                diags.0.iter().filter(|d| d.is_error()).map(|d| crate::localize::diagnostic(origin.lang, d)).collect();
            for e in &errors {
                tracing::warn!("{e}");
            }
            let mut status = self.status.lock().unwrap_or_else(|e| e.into_inner());
            status.errors = errors.clone();
            status.refused_at = Some(now);
            return Some(Reloaded::Refused(errors));
        }
        self.laws.store(Arc::new(Laws::load(&origin.source, &set, origin.lang)));
        self.suggestions.store(Arc::new(suggestions));
        let revision = self.replace(set, now);
        tracing::info!(revision, "quizzes/ reloaded");
        Some(Reloaded::Applied(revision))
    }
}
