//! `pufa import questions`, `pufa import organizations` and `pufa import template`: reads question files with
//! `quiz::import`, merges them into SOURCE/quizzes/banks/ID.yaml (organizations into organizations.yaml), checks the
//! result as `pufa check` would, and writes it atomically.

pub mod orgs;
pub mod template;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::ImportWhat;
use crate::diag::Diagnostics;
use crate::i18n::{fill, t, Lang};
use crate::localize;
use crate::quiz::files::BankFile;
use crate::quiz::import::{self, yaml, Format, Imported};
use crate::quiz::QuestionType;

/// Runs `pufa import questions|template`.
pub fn run(what: ImportWhat) -> anyhow::Result<()> {
    match what {
        ImportWhat::Questions { files, source, bank, title, replace } => {
            let lang = super::lang(&source);
            questions(&Options { files, source, bank, title, replace }, lang)
        }
        ImportWhat::Template { output, source } => template::write(&output, super::lang(&source)),
        ImportWhat::Organizations { file, source } => orgs::run(&file, &source, super::lang(&source)),
    }
}

/// What `pufa import questions` was asked to do.
pub struct Options {
    pub files: Vec<PathBuf>,
    pub source: PathBuf,
    pub bank: Option<String>,
    pub title: Option<String>,
    pub replace: bool,
}

pub(crate) fn say(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    fill(t(lang, key), args)
}

pub(crate) fn refuse(lang: Lang, diags: &Diagnostics) -> anyhow::Error {
    anyhow::anyhow!("{}\n{}", localize::diagnostics(lang, diags), t(lang, "import.nothing_written"))
}

/// `pufa import questions`: all questions of all files are right, and the bank with them loads cleanly, or
/// nothing is written.
pub fn questions(opts: &Options, lang: Lang) -> anyhow::Result<()> {
    let mut inputs = Vec::new();
    for file in &opts.files {
        let name = file.display().to_string();
        let bytes = fs::read(file).with_context(|| say(lang, "import.unreadable", &[("file", &name)]))?;
        inputs.push((file.clone(), bytes));
    }
    let plan = plan_questions(&inputs, &opts.source, opts.bank.clone(), opts.title.clone(), opts.replace, lang)?;
    plan.write(lang)?;
    eprintln!("{}", plan.summary(lang));
    Ok(())
}

/// A bank checked and ready to be written: where, its text, and what the files held.
#[derive(Debug, Clone)]
pub struct BankPlan {
    pub path: PathBuf,
    pub text: String,
    /// The questions read from the files, in their order.
    pub imported: Vec<Imported>,
    /// The files' names as given.
    pub files: String,
    pub added: usize,
    pub updated: usize,
    /// Questions in the bank once written.
    pub total: usize,
}

/// Reads question files (`inputs`: each file's name, which gives its format, and its bytes) into the bank they
/// make, merged with SOURCE/quizzes/banks/ID.yaml unless `replace`, and checks it with the rest of quizzes/; every
/// problem is in the error, in `lang`.
pub fn plan_questions(
    inputs: &[(PathBuf, Vec<u8>)],
    source: &Path,
    bank: Option<String>,
    title: Option<String>,
    replace: bool,
    lang: Lang,
) -> anyhow::Result<BankPlan> {
    let mut read = Vec::new();
    let mut diags = Diagnostics::default();
    for (file, bytes) in inputs {
        let Some(format) = Format::of(file) else {
            anyhow::bail!(say(lang, "import.unsupported", &[("file", &file.display().to_string())]));
        };
        match import::read(file, format, bytes) {
            Ok(raws) => read.push((file.clone(), raws)),
            Err(d) => diags.extend(d.0),
        }
    }
    if diags.has_errors() {
        return Err(refuse(lang, &diags));
    }
    let files: Vec<PathBuf> = inputs.iter().map(|(f, _)| f.clone()).collect();
    let stem = files.first().and_then(|f| f.file_stem()).map(|s| s.to_string_lossy().into_owned());
    let stem = stem.unwrap_or_default();
    let id = bank.unwrap_or_else(|| import::bank_id(&stem));
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        anyhow::bail!(say(lang, "import.bad_bank", &[("id", &id)]));
    }
    let imported = import::check(&id, &read).map_err(|d| refuse(lang, &d))?;
    if imported.is_empty() {
        anyhow::bail!(say(lang, "import.empty", &[("files", &names(&files))]));
    }

    let path = source.join("quizzes").join("banks").join(format!("{id}.yaml"));
    let existing = if replace || !path.exists() { None } else { Some(existing(&path, lang)?) };
    let title = title.or_else(|| existing.as_ref().map(|b| b.title.clone())).unwrap_or(stem);
    let old: Vec<Imported> =
        existing.map(|b| b.questions.into_iter().map(yaml::from_file).collect()).unwrap_or_default();
    let (merged, added, updated) = merge(old, &imported);
    let text = yaml::bank(lang, &id, &title, &names(&files), &merged);
    verify(source, &Path::new("banks").join(format!("{id}.yaml")), &text, lang)?;
    Ok(BankPlan { path, text, imported, files: names(&files), added, updated, total: merged.len() })
}

impl BankPlan {
    /// Writes the bank atomically.
    pub fn write(&self, lang: Lang) -> anyhow::Result<()> {
        crate::quiz::scratch::write_atomically(&self.path, &self.text)
            .with_context(|| say(lang, "import.write_failed", &[("file", &self.path.display().to_string())]))
    }

    /// How many questions of each type were read, and what became of the bank.
    pub fn summary(&self, lang: Lang) -> String {
        let count = |k| self.imported.iter().filter(|q| q.kind == k).count().to_string();
        let args = [
            ("files", self.files.clone()),
            ("n", self.imported.len().to_string()),
            ("single", count(QuestionType::Single)),
            ("multiple", count(QuestionType::Multiple)),
            ("judge", count(QuestionType::Judge)),
            ("file", self.path.display().to_string()),
            ("added", self.added.to_string()),
            ("updated", self.updated.to_string()),
            ("total", self.total.to_string()),
        ];
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        say(lang, "import.summary", &args)
    }
}

fn names(files: &[PathBuf]) -> String {
    files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
}

fn existing(path: &Path, lang: Lang) -> anyhow::Result<BankFile> {
    let text = fs::read_to_string(path)
        .with_context(|| say(lang, "import.unreadable", &[("file", &path.display().to_string())]))?;
    serde_yaml_ng::from_str(&text).map_err(|e| {
        let d = crate::diag::from_yaml(path, 0, &e);
        anyhow::anyhow!("{}\n{}", localize::diagnostic(lang, &d), t(lang, "import.nothing_written"))
    })
}

/// The bank's questions in their order, each imported one replacing the one with its id or added at the end;
/// with the numbers added and replaced.
fn merge(old: Vec<Imported>, new: &[Imported]) -> (Vec<Imported>, usize, usize) {
    let mut merged = old;
    let at: BTreeMap<String, usize> = merged.iter().enumerate().map(|(i, q)| (q.id.clone(), i)).collect();
    let (mut added, mut updated) = (0, 0);
    for q in new {
        match at.get(&q.id) {
            Some(&i) => {
                merged[i] = q.clone();
                updated += 1;
            }
            None => {
                merged.push(q.clone());
                added += 1;
            }
        }
    }
    (merged, added, updated)
}

/// Refuses `text` as SOURCE/quizzes/`rel` (a bank, organizations.yaml) unless the folder with it loads cleanly
/// (`quiz::scratch::check_change`).
pub(crate) fn verify(source: &Path, rel: &Path, text: &str, lang: Lang) -> anyhow::Result<()> {
    let scratch = source.join(".pufa-cache");
    let diags = crate::quiz::scratch::check_change(source, rel, text)
        .with_context(|| say(lang, "import.write_failed", &[("file", &scratch.display().to_string())]))?;
    match diags.has_errors() {
        true => Err(refuse(lang, &diags)),
        false => Ok(()),
    }
}
