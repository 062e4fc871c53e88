//! Every file of a folder tree with its stamp, as a build's first look at `content/` needs it on every build: each
//! file's stamp is taken relative to its open folder (a path walked from the root for every file was most of the
//! look at a large site), a folder's files on every core, hidden names left out, symbolic links followed.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::shown;
use super::source::Stamp;
use crate::diag::{Diagnostic, Diagnostics};

/// What one folder held: its files' stamps, its problems, and the folders under it to look at next.
#[derive(Default)]
struct Listed {
    found: Vec<(String, Stamp)>,
    diags: Vec<Diagnostic>,
    folders: Vec<Folder>,
}

/// A folder to list: where it is as walked (the walk's top joined with the names below it, links' included), and
/// its path relative to the root.
struct Folder {
    path: PathBuf,
    rel: String,
}

/// Adds every file at or under `path` whose name does not start with `.` (the path itself may), with its stamp,
/// named relative to `root`; what cannot be read becomes an error naming it. A link is followed, to a file or a
/// folder; a link back to a folder it is in is reported as a loop, not followed for ever.
pub(super) fn files(root: &Path, path: &Path, found: &mut Vec<(String, Stamp)>, diags: &mut Diagnostics) {
    let rel = path.strip_prefix(root).map(super::source::rel_str).unwrap_or_default();
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            let mut next = vec![Folder { path: path.to_path_buf(), rel }];
            // A level of folders at a time, each listed on a core of its own (a site of page bundles has a folder
            // a page); a folder's entries are let go before the next level, so no more folders are open at once
            // than there are cores.
            while !next.is_empty() {
                let listed: Vec<Listed> = next.into_par_iter().map(|f| list(f, path)).collect();
                next = Vec::new();
                for l in listed {
                    found.extend(l.found);
                    diags.extend(l.diags);
                    next.extend(l.folders);
                }
            }
        }
        Ok(meta) => found.push((rel, Stamp::of(&meta))),
        Err(e) => diags.push(cannot_read(&rel, e)),
    }
}

/// The error of a content file or folder that cannot be read, naming it.
pub(super) fn cannot_read(rel: &str, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(shown(rel), 0, 0, format!("cannot read: {e}"))
}

/// The files and folders directly in `folder`, a folder at or under the walk's `top`.
fn list(folder: Folder, top: &Path) -> Listed {
    let mut out = Listed::default();
    let entries = match std::fs::read_dir(&folder.path) {
        Ok(entries) => entries,
        Err(e) => {
            out.diags.push(cannot_read(&folder.rel, e));
            return out;
        }
    };
    let child = |name: &str| match folder.rel.as_str() {
        "" => name.to_string(),
        rel => format!("{rel}/{name}"),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                out.diags.push(cannot_read(&folder.rel, e));
                continue;
            }
        };
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_dir() => out.folders.push(Folder { path: entry.path(), rel: child(&name) }),
            Ok(t) if t.is_symlink() => out.follow(&folder, top, entry.path(), child(&name)),
            Ok(_) => files.push((entry, child(&name))),
            Err(e) => out.diags.push(cannot_read(&child(&name), e)),
        }
    }
    // Taken relative to the folder, which `files` hold open.
    let stamped: Vec<Result<(String, Stamp), Diagnostic>> = files
        .into_par_iter()
        .map(|(entry, rel)| match entry.metadata() {
            Ok(meta) => Ok((rel, Stamp::of(&meta))),
            Err(e) => Err(cannot_read(&rel, e)),
        })
        .collect();
    for s in stamped {
        match s {
            Ok(f) => out.found.push(f),
            Err(d) => out.diags.push(d),
        }
    }
    out
}

impl Listed {
    /// Follows the link `path` (relative `rel`) in `folder`: to a file, stamped as that file; to a folder, listed
    /// next unless it is one of the folders the walk is in.
    fn follow(&mut self, folder: &Folder, top: &Path, path: PathBuf, rel: String) {
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => match looped(&folder.path, top, &path) {
                Some(up) => {
                    let text = format!("file system loop found: it links to {}, a folder it is in", up.display());
                    self.diags.push(cannot_read(&rel, text));
                }
                None => self.folders.push(Folder { path, rel }),
            },
            Ok(meta) => self.found.push((rel, Stamp::of(&meta))),
            Err(e) => self.diags.push(cannot_read(&rel, e)),
        }
    }
}

/// The folder, among `folder` and those above it as walked up to the walk's `top`, that the link `link` leads to.
/// Looked up only when a link to a folder is met: a content folder seldom holds one.
fn looped<'a>(folder: &'a Path, top: &Path, link: &Path) -> Option<&'a Path> {
    let target = std::fs::canonicalize(link).ok()?;
    let mut walked = folder.ancestors().take_while(|p| p.starts_with(top));
    walked.find(|p| std::fs::canonicalize(p).is_ok_and(|p| p == target))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn walk(root: &Path, path: &Path) -> (Vec<String>, Vec<String>) {
        let (mut found, mut diags) = (Vec::new(), Diagnostics::default());
        files(root, path, &mut found, &mut diags);
        let mut names: Vec<String> = found.into_iter().map(|(rel, _)| rel).collect();
        names.sort();
        (names, diags.0.into_iter().map(|d| format!("{}: {}", d.path.display(), d.message)).collect())
    }

    #[test]
    fn every_visible_file_is_found_with_its_stamp_links_followed() {
        let dir = tempfile::tempdir().expect("dir");
        let (root, elsewhere) = (dir.path().join("content"), dir.path().join("elsewhere"));
        for folder in ["a/b/c", ".hidden", "a/.git"] {
            std::fs::create_dir_all(root.join(folder)).expect("folder");
        }
        std::fs::create_dir_all(&elsewhere).expect("elsewhere");
        for file in ["_index.md", "a/x.md", "a/b/c/deep.md", ".hidden/no.md", "a/.git/no", "a/.dot.md"] {
            std::fs::write(root.join(file), "text").expect("file");
        }
        std::fs::write(elsewhere.join("linked.md"), "linked text").expect("linked");
        symlink(&elsewhere, root.join("a/shared")).expect("link to a folder");
        symlink(elsewhere.join("linked.md"), root.join("one.md")).expect("link to a file");
        symlink(dir.path().join("nowhere"), root.join("broken.md")).expect("broken link");

        let (names, diags) = walk(&root, &root);
        assert_eq!(names, ["_index.md", "a/b/c/deep.md", "a/shared/linked.md", "a/x.md", "one.md"]);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(diags[0].contains("broken.md") && diags[0].contains("cannot read"), "{diags:?}");

        let (mut found, mut d) = (Vec::new(), Diagnostics::default());
        files(&root, &root.join("one.md"), &mut found, &mut d);
        assert_eq!(found[0].1.len, "linked text".len() as u64);
        // A subfolder is named from the root; a path that is gone finds nothing and says so.
        assert_eq!(walk(&root, &root.join("a/b")).0, ["a/b/c/deep.md"]);
        assert!(walk(&root, &root.join("gone")).1[0].contains("gone"));
    }

    #[test]
    fn a_link_back_to_a_folder_above_is_a_loop_wherever_the_walk_went() {
        let dir = tempfile::tempdir().expect("dir");
        let (root, elsewhere) = (dir.path().join("content"), dir.path().join("elsewhere"));
        std::fs::create_dir_all(root.join("a/b")).expect("folders");
        std::fs::create_dir_all(elsewhere.join("m")).expect("elsewhere");
        std::fs::write(root.join("a/b/page.md"), "text").expect("page");
        // content/a/b/l → elsewhere, whose m/back → content/a: a loop only through the link, not on disk.
        symlink(&elsewhere, root.join("a/b/l")).expect("link out");
        symlink(root.join("a"), elsewhere.join("m/back")).expect("link back");
        symlink(&root, root.join("a/self")).expect("link to the root");
        let (names, diags) = walk(&root, &root);
        assert_eq!(names, ["a/b/page.md"]);
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert!(diags.iter().any(|d| d.contains("a/b/l/m/back") && d.contains("loop")), "{diags:?}");
        assert!(diags.iter().any(|d| d.contains("a/self") && d.contains("loop")), "{diags:?}");
    }
}
