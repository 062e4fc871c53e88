//! Reads `quizzes/` (banks, organizations, competitions), parses and validates every file, and checks the ids
//! that must be unique across files. All problems of all files are collected in one `Diagnostics`.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::files::{BankFile, CompetitionFile, OrganizationsFile};
use super::locate::{locate_near, Seg, Seg::Index, Seg::Key};
use super::model::QuizSet;
use super::validate::{self, Cx};
use crate::diag::{self, Diagnostic, Diagnostics};

/// Loads and validates a quizzes folder; see [`super::load`].
pub fn load(dir: &Path) -> (QuizSet, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut set = QuizSet::default();
    let mut ids = Ids::default();

    for (path, text) in read_dir(&dir.join("banks"), &mut diags) {
        let Some(file) = parse::<BankFile>(&path, &text, &mut diags) else { continue };
        let mut cx = Cx { path: &path, text: &text, diags: &mut diags };
        let bank = validate::bank(&mut cx, file);
        ids.claim(&mut cx, "bank", &bank.id, &[Key("id")]);
        for (i, q) in bank.questions.iter().enumerate() {
            ids.claim(&mut cx, "question", &q.id, &[Key("questions"), Index(i), Key("id")]);
            set.questions.entry(q.id.clone()).or_insert_with(|| (bank.id.clone(), i));
        }
        set.banks.entry(bank.id.clone()).or_insert(bank);
    }

    let orgs_path = dir.join("organizations.yaml");
    if let Some(text) = read(&orgs_path, &mut diags) {
        if let Some(orgs) = parse::<OrganizationsFile>(&orgs_path, &text, &mut diags) {
            let mut cx = Cx { path: &orgs_path, text: &text, diags: &mut diags };
            for (i, o) in orgs.iter().enumerate() {
                validate::organization(&mut cx, i, o);
                ids.claim(&mut cx, "organization", &o.id, &[Index(i), Key("id")]);
            }
            set.organizations = orgs;
        }
    }

    for (path, text) in read_dir(&dir.join("competitions"), &mut diags) {
        let Some(file) = parse::<CompetitionFile>(&path, &text, &mut diags) else { continue };
        let mut cx = Cx { path: &path, text: &text, diags: &mut diags };
        let comp = validate::competition(&mut cx, file, &set.banks);
        ids.claim(&mut cx, "competition", &comp.id, &[Key("id")]);
        set.competitions.entry(comp.id.clone()).or_insert(comp);
    }

    diags.sort();
    (set, diags)
}

/// First place each id of each kind was seen, to name both places of a duplicate.
#[derive(Default)]
struct Ids(HashMap<(&'static str, String), (PathBuf, usize, usize)>);

impl Ids {
    fn claim(&mut self, cx: &mut Cx, kind: &'static str, id: &str, at: &[Seg]) {
        let (line, col) = locate_near(cx.text, at);
        match self.0.get(&(kind, id.to_string())) {
            Some((p, l, c)) => {
                let msg = format!("id: duplicate {kind} id {id:?}, already used at {}:{l}:{c}", p.display());
                cx.diags.push(Diagnostic::error(cx.path, line, col, msg));
            }
            None => {
                self.0.insert((kind, id.to_string()), (cx.path.to_path_buf(), line, col));
            }
        }
    }
}

/// The `.yaml`/`.yml` files of a folder, sorted by name, with their text; a missing folder is empty.
fn read_dir(dir: &Path, diags: &mut Diagnostics) -> Vec<(PathBuf, String)> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return vec![],
        Err(e) => {
            diags.push(Diagnostic::error(dir, 0, 0, format!("cannot read folder: {e}")));
            return vec![];
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    paths.sort();
    paths.into_iter().filter_map(|p| read(&p, diags).map(|t| (p, t))).collect()
}

/// A file's text; None (and no error) when it does not exist, None and an error when it cannot be read.
fn read(path: &Path, diags: &mut Diagnostics) -> Option<String> {
    match fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            diags.push(Diagnostic::error(path, 0, 0, format!("cannot read file: {e}")));
            None
        }
    }
}

fn parse<T: DeserializeOwned>(path: &Path, text: &str, diags: &mut Diagnostics) -> Option<T> {
    serde_yaml_ng::from_str(text).map_err(|e| diags.push(diag::from_yaml(path, 0, &e))).ok()
}
