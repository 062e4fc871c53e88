//! A change to `quizzes/` checked before it is written, as `pufa check` and `pufa serve` will load it: a copy of
//! the folder with the new file in place is loaded whole, so a question id used by another bank, a competition that
//! would draw more than its bank holds, or an organization id used twice is refused before anything is written.
//! Then the file is written atomically (a temporary file renamed over it), so a watching server never reads half.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::diag::Diagnostics;

/// Loads a copy of SOURCE/quizzes with `text` in place of its file `rel` (e.g. `banks/law.yaml`); the
/// diagnostics name the real files, not the copy's. The copy is in SOURCE/.pufa-cache and is removed after.
pub fn check_change(source: &Path, rel: &Path, text: &str) -> std::io::Result<Diagnostics> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let quizzes = source.join("quizzes");
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let scratch = source.join(".pufa-cache").join(format!("check-{}-{n}", std::process::id()));
    let copy = scratch.join("quizzes");
    let result = (|| {
        let _ = fs::remove_dir_all(&scratch);
        copy_dir(&quizzes, &copy)?;
        let target = copy.join(rel);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(target, text)?;
        Ok::<_, std::io::Error>(crate::quiz::load(&copy).1)
    })();
    let _ = fs::remove_dir_all(&scratch);
    let mut diags = result?;
    for d in &mut diags.0 {
        if let Ok(rel) = d.path.strip_prefix(&copy) {
            d.path = quizzes.join(rel);
        }
    }
    Ok(diags)
}

/// Writes `text` to `path` through a temporary file beside it, creating the folder.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    fs::write(&tmp, text).and_then(|()| fs::rename(&tmp, path)).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    if !from.is_dir() {
        return Ok(());
    }
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
