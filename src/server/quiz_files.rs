//! Saving a file of `quizzes/` from the organizer pages (a competition from its form, an uploaded bank or list of
//! organizations): checked with the rest of the folder as `pufa check` would, kept in the database for the other
//! processes (`catalog_share`), written atomically, and applied at once, without waiting for the folder's watcher.

use std::path::{Path, PathBuf};

use super::catalog::Reloaded;
use super::{ApiError, AppState};

/// Why a save did not happen.
#[derive(Debug)]
pub enum SaveError {
    /// The folder with the new file has errors (file:line: message, in the site's language); nothing was written.
    Invalid(Vec<String>),
    /// This server has no `quizzes/` folder to write to (a server made in memory).
    NoFolder,
    /// Reading or writing failed (logged).
    Failed(ApiError),
}

/// The errors of `quizzes/` with `text` as its file `rel`, in the site's language; empty when it loads cleanly.
pub async fn check(state: &AppState, rel: &Path, text: &str) -> Result<Vec<String>, SaveError> {
    let dir = state.catalog.quizzes_dir().ok_or(SaveError::NoFolder)?;
    let source = dir.parent().map(Path::to_path_buf).unwrap_or_default();
    let (rel, text, lang) = (rel.to_path_buf(), text.to_string(), state.lang);
    let diags = tokio::task::spawn_blocking(move || crate::quiz::scratch::check_change(&source, &rel, &text))
        .await
        .map_err(|e| SaveError::Failed(ApiError::internal(e)))?
        .map_err(|e| SaveError::Failed(ApiError::internal(e)))?;
    Ok(diags.0.iter().filter(|d| d.is_error()).map(|d| crate::localize::diagnostic(lang, d)).collect())
}

/// Checks `text` as `quizzes/rel`, writes it and applies the folder; returns the running revision.
pub async fn save(state: &AppState, rel: &Path, text: String) -> Result<u64, SaveError> {
    let errors = check(state, rel, &text).await?;
    if !errors.is_empty() {
        return Err(SaveError::Invalid(errors));
    }
    let path = path_of(state, rel)?;
    // The database first: once it has the file, every process takes it, this one too if its write fails.
    super::catalog_share::share(&state.store, rel, &text).await.map_err(|e| SaveError::Failed(e.into()))?;
    let (catalog, now) = (state.catalog.clone(), state.clock.now());
    let reloaded = tokio::task::spawn_blocking(move || {
        crate::quiz::scratch::write_atomically(&path, &text)?;
        tracing::info!(file = %path.display(), "saved from the organizer pages");
        Ok::<_, std::io::Error>(catalog.reload(now))
    })
    .await
    .map_err(|e| SaveError::Failed(ApiError::internal(e)))?
    .map_err(|e| SaveError::Failed(ApiError::internal(e)))?;
    match reloaded {
        Some(Reloaded::Applied(revision)) => Ok(revision),
        // Another file went wrong between the check and the write (edited by hand meanwhile).
        Some(Reloaded::Refused(errors)) => Err(SaveError::Invalid(errors)),
        None => Err(SaveError::NoFolder),
    }
}

/// Where `rel` is under this server's `quizzes/`.
pub fn path_of(state: &AppState, rel: &Path) -> Result<PathBuf, SaveError> {
    Ok(state.catalog.quizzes_dir().ok_or(SaveError::NoFolder)?.join(rel))
}
