//! Reads `quizzes/` (banks, organizations, surveys, competitions), parses and validates every file, and checks the ids
//! that must be unique across files. All problems of all files are collected in one `Diagnostics`.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde::de::{DeserializeOwned, IgnoredAny};

use super::files::{BankFile, CompetitionFile, DrawRuleFile, OrganizationsFile, QuestionFile};
use super::locate::{locate_near, parse_at, Seg, Seg::Index, Seg::Key};
use super::model::{Organization, QuizSet};
use super::survey;
use super::validate::{self, Cx};
use crate::diag::{self, Diagnostic, Diagnostics};

/// Loads and validates a quizzes folder; see [`super::load`].
pub fn load(dir: &Path) -> (QuizSet, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut set = QuizSet::default();
    let mut ids = Ids::default();

    let mut partial = HashSet::new();
    for (path, text) in read_dir(&dir.join("banks"), &mut diags) {
        let Some((file, questions, complete)) = parse_bank(&path, &text, &mut diags) else { continue };
        let index: Vec<usize> = questions.iter().map(|(i, _)| *i).collect();
        let mut cx = Cx { path: &path, text: &text, diags: &mut diags };
        let bank = validate::bank(&mut cx, file, questions);
        ids.claim(&mut cx, &text, "bank", &bank.id, &[Key("id")]);
        for (k, q) in bank.questions.iter().enumerate() {
            ids.claim(&mut cx, &text, "question", &q.id, &[Key("questions"), Index(index[k]), Key("id")]);
            set.questions.entry(q.id.clone()).or_insert_with(|| (bank.id.clone(), k));
        }
        if !complete {
            partial.insert(bank.id.clone());
        }
        set.banks.entry(bank.id.clone()).or_insert(bank);
    }

    let orgs_path = dir.join("organizations.yaml");
    if let Some(text) = read(&orgs_path, &mut diags) {
        let orgs = parse_organizations(&orgs_path, &text, &mut diags);
        let mut cx = Cx { path: &orgs_path, text: &text, diags: &mut diags };
        for (i, o) in orgs {
            validate::organization(&mut cx, i, &o);
            ids.claim(&mut cx, &text, "organization", &o.id, &[Index(i), Key("id")]);
            set.organizations.push(o);
        }
    }

    for (path, text) in read_dir(&dir.join("surveys"), &mut diags) {
        let Some(file) = parse_survey(&path, &text, &mut diags) else { continue };
        let mut cx = Cx { path: &path, text: &text, diags: &mut diags };
        let survey = survey::validate(&mut cx, file, &set.organizations);
        ids.claim(&mut cx, &text, "survey", &survey.id, &[Key("id")]);
        set.surveys.entry(survey.id.clone()).or_insert(survey);
    }

    for (path, text) in read_dir(&dir.join("competitions"), &mut diags) {
        let Some(file) = parse_competition(&path, &text, &mut diags) else { continue };
        let mut cx = Cx { path: &path, text: &text, diags: &mut diags };
        let comp = validate::competition(&mut cx, file, &set.banks, &partial);
        ids.claim(&mut cx, &text, "competition", &comp.id, &[Key("id")]);
        set.competitions.entry(comp.id.clone()).or_insert(comp);
    }

    diags.sort();
    (set, diags)
}

/// First place each id of each kind was seen, to name both places of a duplicate. Positions are only worked
/// out for duplicates: locating a node re-reads its file, too slow to do for every question of a large bank.
#[derive(Default)]
struct Ids(HashMap<(&'static str, String), Place>);

/// Where an id was first seen: the file, its text and the path to the id inside it.
type Place = (PathBuf, Rc<str>, Vec<Seg<'static>>);

impl Ids {
    fn claim(&mut self, cx: &mut Cx, text: &Rc<str>, kind: &'static str, id: &str, at: &[Seg<'static>]) {
        match self.0.get(&(kind, id.to_string())) {
            Some((path, first_text, first_at)) => {
                let (l, c) = locate_near(first_text, first_at);
                cx.err(at, format!("id: duplicate {kind} id {id:?}, already used at {}:{l}:{c}", path.display()));
            }
            None => {
                self.0.insert((kind, id.to_string()), (cx.path.to_path_buf(), text.clone(), at.to_vec()));
            }
        }
    }
}

/// The `.yaml`/`.yml` files of a folder, sorted by name, with their text; a missing folder is empty.
fn read_dir(dir: &Path, diags: &mut Diagnostics) -> Vec<(PathBuf, Rc<str>)> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return vec![],
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            diags.push(Diagnostic::error(
                dir,
                0,
                0,
                "cannot read folder: this is a file; expected a folder of .yaml files",
            ));
            return vec![];
        }
        Err(e) => {
            diags.push(Diagnostic::error(dir, 0, 0, format!("cannot read folder: {e}")));
            return vec![];
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        // Editors leave hidden files (`.xianfa.yaml.swp`, `.#xianfa.yaml`) next to the ones being edited.
        .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    paths.sort();
    paths.into_iter().filter_map(|p| read(&p, diags).map(|t| (p, t))).collect()
}

/// A file's text; None (and no error) when it does not exist, None and an error when it cannot be read.
fn read(path: &Path, diags: &mut Diagnostics) -> Option<Rc<str>> {
    match fs::read_to_string(path) {
        Ok(t) => Some(t.into()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            diags.push(Diagnostic::error(path, 0, 0, "cannot read file: it is not UTF-8 text; save it as UTF-8"));
            None
        }
        Err(e) => {
            diags.push(Diagnostic::error(path, 0, 0, format!("cannot read file: {e}")));
            None
        }
    }
}

/// A bank with its questions and their indices in the file, and whether every question parsed.
type ParsedBank = (BankFile<IgnoredAny>, Vec<(usize, QuestionFile)>, bool);

/// Parses a bank in one go; when that fails, reads its head and each question on its own so that every
/// faulty question is reported and the good ones are still checked.
fn parse_bank(path: &Path, text: &str, diags: &mut Diagnostics) -> Option<ParsedBank> {
    let err = match serde_yaml_ng::from_str::<BankFile>(text) {
        Ok(f) => {
            let head = BankFile { id: f.id, title: f.title, questions: IgnoredAny };
            return Some((head, f.questions.into_iter().enumerate().collect(), true));
        }
        Err(e) => e,
    };
    let (questions, failed) = one_by_one::<QuestionFile>(path, text, &[Key("questions")], diags)?;
    match serde_yaml_ng::from_str::<BankFile<IgnoredAny>>(text) {
        Ok(head) => {
            if !failed {
                diags.push(yaml_error(path, text, &err));
            }
            Some((head, questions, false))
        }
        Err(e) => {
            diags.push(yaml_error(path, text, &e));
            None
        }
    }
}

/// Parses a competition; when that fails, reports the head's error and every faulty draw rule.
/// A competition with any such error is not checked further: its totals would be wrong.
fn parse_competition(path: &Path, text: &str, diags: &mut Diagnostics) -> Option<CompetitionFile> {
    let err = match serde_yaml_ng::from_str::<CompetitionFile>(text) {
        Ok(f) => return Some(f),
        Err(e) => e,
    };
    let (_, failed) = one_by_one::<DrawRuleFile>(path, text, &[Key("draw")], diags)?;
    match serde_yaml_ng::from_str::<CompetitionFile<IgnoredAny>>(text) {
        Err(e) => diags.push(yaml_error(path, text, &e)),
        Ok(_) if !failed => diags.push(yaml_error(path, text, &err)),
        Ok(_) => {}
    }
    None
}

/// Parses a survey; its first error is reported (a survey is short: one fix at a time costs little).
fn parse_survey(path: &Path, text: &str, diags: &mut Diagnostics) -> Option<survey::SurveyFile> {
    serde_yaml_ng::from_str(text).map_err(|e| diags.push(yaml_error(path, text, &e))).ok()
}

/// Organizations; when the list does not parse, each faulty entry is reported and the good ones kept.
fn parse_organizations(path: &Path, text: &str, diags: &mut Diagnostics) -> Vec<(usize, Organization)> {
    let err = match serde_yaml_ng::from_str::<OrganizationsFile>(text) {
        Ok(orgs) => return orgs.into_iter().enumerate().collect(),
        Err(e) => e,
    };
    match one_by_one::<Organization>(path, text, &[], diags) {
        Some((orgs, true)) => orgs,
        Some((_, false)) => {
            diags.push(yaml_error(path, text, &err));
            vec![]
        }
        None => vec![],
    }
}

/// After a whole-file parse failed: parses each item of the sequence at `list` on its own, reporting each
/// failure. Returns the items that parsed with their file indices and whether any failed; None on a YAML
/// syntax error (reported once).
fn one_by_one<T: DeserializeOwned>(
    path: &Path,
    text: &str,
    list: &[Seg],
    diags: &mut Diagnostics,
) -> Option<(Vec<(usize, T)>, bool)> {
    if let Err(e) = serde_yaml_ng::from_str::<IgnoredAny>(text) {
        diags.push(yaml_error(path, text, &e));
        return None;
    }
    let mut ok = Vec::new();
    let mut failed = false;
    for i in 0.. {
        let at: Vec<Seg> = list.iter().copied().chain([Index(i)]).collect();
        match parse_at::<T>(text, &at) {
            None => break,
            Some(Ok(v)) => ok.push((i, v)),
            Some(Err(e)) => {
                diags.push(yaml_error(path, text, &e));
                failed = true;
            }
        }
    }
    Some((ok, failed))
}

/// A YAML error as a diagnostic. Unlike `diag::from_yaml`, keeps libyaml's context ("while parsing a flow
/// sequence at line 6 column 11"), which points at the opening of what was left unclosed; and drops the `.` that
/// serde_yaml_ng puts before paths into a top-level list (`.[1].kind`).
///
/// serde puts a duplicate key at the start of its mapping; we move it to the second occurrence of the key.
fn yaml_error(path: &Path, text: &str, e: &serde_yaml_ng::Error) -> Diagnostic {
    let mut d = diag::from_yaml(path, 0, e);
    if let Some(key) = d.message.split("duplicate field `").nth(1).and_then(|r| r.split('`').next()) {
        let needle = format!("{key}:");
        let second = diag::locate(text, &needle, d.line).and_then(|(l, _)| diag::locate(text, &needle, l + 1));
        if let Some((l, c)) = second {
            (d.line, d.column) = (l, c);
        }
    }
    let full = e.to_string();
    if let Some(i) = full.find(", while ") {
        d.message.push_str(&full[i..]);
    }
    if d.message.starts_with(".[") {
        d.message.remove(0);
    }
    d
}
