//! Several `pufa serve` processes on one database run the same `quizzes/`: what the organizer pages save is also
//! kept in the database (`store::quiz_files`), and every process compares its own folder with it every
//! `SHARE_EVERY` (`catalog_watch` calls `compare`).
//!
//! A row newer than the process's own file is written into its folder, which the watcher then applies. A file of
//! the process's own that differs from its row and is newer, or that has no row, was changed by hand on this machine
//! only: it is reported on the organizer page as not shared, never overwritten until a newer save arrives, and the
//! organizer may share it from there. At its start a process adds the files the database does not have yet
//! (`seed`), so the first process's folder is where the others begin. Times are compared as the machines' clocks
//! tell them, so those should agree (NTP) to within the seconds between two edits.

use std::path::{Component, Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use super::catalog::Catalog;
use crate::store::quiz_files::{digest, QuizFileRow};
use crate::store::{Store, StoreError};

/// How often a process compares its folder with the database.
pub const SHARE_EVERY: Duration = Duration::from_secs(2);

/// A path from the database as a path under `quizzes/`: relative, plain names only, a YAML file. Anything else
/// (`../x`, `/etc/x`) is never written.
fn safe(path: &str) -> Option<PathBuf> {
    let p = Path::new(path);
    let plain = p.components().all(|c| matches!(c, Component::Normal(_)));
    let yaml = p.extension().is_some_and(|e| e == "yaml" || e == "yml");
    (plain && yaml && !path.contains('\\')).then(|| p.to_path_buf())
}

/// The YAML files under `dir`, as (path relative to it with `/`, full path).
fn local_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut files: Vec<(String, PathBuf)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?.to_string_lossy().replace('\\', "/");
            safe(&rel)?;
            let hidden = rel.split('/').any(|part| part.starts_with('.'));
            (!hidden).then(|| (rel, e.into_path()))
        })
        .collect();
    files.sort();
    files
}

/// A file's text and modification time (epoch milliseconds), if it can be read.
fn read(path: &Path) -> Option<(String, i64)> {
    let text = std::fs::read_to_string(path).ok()?;
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    let ms = modified.duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default();
    Some((text, ms))
}

/// Adds the files of the folder that the database does not have yet, each with its modification time.
pub async fn seed(catalog: &Catalog, store: &Store) -> Result<usize, StoreError> {
    let Some(dir) = catalog.quizzes_dir() else { return Ok(0) };
    let files = tokio::task::spawn_blocking(move || {
        local_files(&dir).into_iter().filter_map(|(rel, path)| Some((rel, read(&path)?))).collect::<Vec<_>>()
    })
    .await
    .unwrap_or_default();
    let known: Vec<String> = store.quiz_file_stamps().await?.into_iter().map(|s| s.path).collect();
    let mut added = 0;
    for (path, (content, saved_at)) in files.into_iter().filter(|(rel, _)| !known.contains(rel)) {
        let row = QuizFileRow { digest: digest(&content), path, content, saved_at };
        store.put_quiz_file(&row, true).await?;
        added += 1;
    }
    Ok(added)
}

/// Keeps `text` as the shared version of `quizzes/rel` from now on. The time is the system's, as the files'
/// modification times it is compared with (never a test's clock).
pub async fn share(store: &Store, rel: &Path, text: &str) -> Result<(), StoreError> {
    let path = rel.to_string_lossy().replace('\\', "/");
    let now_ms = std::time::SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
    let row = QuizFileRow { digest: digest(text), path, content: text.to_string(), saved_at: now_ms };
    store.put_quiz_file(&row, false).await
}

/// What one comparison did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Compared {
    /// Files written into the folder from newer rows.
    pub taken: Vec<String>,
    /// Files of this folder that are newer than their rows, or have none.
    pub not_shared: Vec<String>,
}

/// Compares the folder with the database once: takes newer rows, and records (in the catalog's status) the files
/// that are not shared.
pub async fn compare(catalog: &Catalog, store: &Store) -> Result<Compared, StoreError> {
    let Some(dir) = catalog.quizzes_dir() else { return Ok(Compared::default()) };
    let stamps = store.quiz_file_stamps().await?;
    let mut done = Compared::default();
    let folder = dir.clone();
    let local = tokio::task::spawn_blocking(move || {
        local_files(&folder).into_iter().filter_map(|(rel, path)| Some((rel, read(&path)?))).collect::<Vec<_>>()
    })
    .await
    .unwrap_or_default();
    for s in &stamps {
        let Some(rel) = safe(&s.path) else {
            tracing::warn!(path = %s.path, "a shared quizzes/ file with an unsafe path is ignored");
            continue;
        };
        let mine = local.iter().find(|(p, _)| *p == s.path).map(|(_, f)| f);
        match mine {
            Some((text, _)) if digest(text) == s.digest => {}
            Some((_, modified)) if *modified >= s.saved_at => done.not_shared.push(s.path.clone()),
            _ => {
                let Some(row) = store.quiz_file(&s.path).await? else { continue };
                let path = dir.join(rel);
                let written =
                    tokio::task::spawn_blocking(move || crate::quiz::scratch::write_atomically(&path, &row.content))
                        .await;
                match written {
                    Ok(Ok(())) => done.taken.push(s.path.clone()),
                    _ => tracing::error!(path = %s.path, "writing a shared quizzes/ file failed"),
                }
            }
        }
    }
    for (rel, _) in &local {
        if !stamps.iter().any(|s| s.path == *rel) {
            done.not_shared.push(rel.clone());
        }
    }
    done.not_shared.sort();
    if !done.taken.is_empty() {
        tracing::info!(files = ?done.taken, "took quizzes/ files saved by another process");
    }
    catalog.set_not_shared(done.not_shared.clone());
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_yaml_paths_are_written() {
        assert!(safe("competitions/open.yaml").is_some());
        assert!(safe("organizations.yml").is_some());
        for bad in ["../x.yaml", "/etc/x.yaml", "a/../../x.yaml", "banks/x.txt", "a\\..\\x.yaml", "./x.yaml", ""] {
            assert!(safe(bad).is_none(), "{bad}");
        }
    }
}
