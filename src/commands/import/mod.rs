//! `pufa import questions`, `pufa import organizations` and `pufa import template`: reads question files with
//! `quiz::import`, merges them into SOURCE/quizzes/banks/ID.yaml (organizations into organizations.yaml), checks the
//! result as `pufa check` would, and writes it atomically.

mod orgs;
mod template;

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
    let mut read = Vec::new();
    let mut diags = Diagnostics::default();
    for file in &opts.files {
        let name = file.display().to_string();
        let Some(format) = Format::of(file) else {
            anyhow::bail!(say(lang, "import.unsupported", &[("file", &name)]));
        };
        let bytes = fs::read(file).with_context(|| say(lang, "import.unreadable", &[("file", &name)]))?;
        match import::read(file, format, &bytes) {
            Ok(raws) => read.push((file.clone(), raws)),
            Err(d) => diags.extend(d.0),
        }
    }
    if diags.has_errors() {
        return Err(refuse(lang, &diags));
    }
    let stem = opts.files.first().and_then(|f| f.file_stem()).map(|s| s.to_string_lossy().into_owned());
    let stem = stem.unwrap_or_default();
    let id = opts.bank.clone().unwrap_or_else(|| import::bank_id(&stem));
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        anyhow::bail!(say(lang, "import.bad_bank", &[("id", &id)]));
    }
    let imported = import::check(&id, &read).map_err(|d| refuse(lang, &d))?;
    if imported.is_empty() {
        anyhow::bail!(say(lang, "import.empty", &[("files", &names(&opts.files))]));
    }

    let banks = opts.source.join("quizzes").join("banks");
    let path = banks.join(format!("{id}.yaml"));
    let existing = if opts.replace || !path.exists() { None } else { Some(existing(&path, lang)?) };
    let title = opts.title.clone().or_else(|| existing.as_ref().map(|b| b.title.clone())).unwrap_or(stem);
    let old: Vec<Imported> =
        existing.map(|b| b.questions.into_iter().map(yaml::from_file).collect()).unwrap_or_default();
    let (merged, added, updated) = merge(old, &imported);
    let text = yaml::bank(lang, &id, &title, &names(&opts.files), &merged);

    verify(&opts.source, &Path::new("banks").join(format!("{id}.yaml")), &text, lang)?;
    fs::create_dir_all(&banks)
        .with_context(|| say(lang, "import.write_failed", &[("file", &path.display().to_string())]))?;
    let tmp = banks.join(format!(".{id}.yaml.tmp"));
    fs::write(&tmp, &text)
        .and_then(|()| fs::rename(&tmp, &path))
        .with_context(|| say(lang, "import.write_failed", &[("file", &path.display().to_string())]))?;

    let count = |k| imported.iter().filter(|q| q.kind == k).count().to_string();
    let args = [
        ("files", names(&opts.files)),
        ("n", imported.len().to_string()),
        ("single", count(QuestionType::Single)),
        ("multiple", count(QuestionType::Multiple)),
        ("judge", count(QuestionType::Judge)),
        ("file", path.display().to_string()),
        ("added", added.to_string()),
        ("updated", updated.to_string()),
        ("total", merged.len().to_string()),
    ];
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    eprintln!("{}", say(lang, "import.summary", &args));
    Ok(())
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

/// Loads a copy of SOURCE/quizzes with `text` in place of its file `rel` (a bank, organizations.yaml), as `pufa
/// check` and `pufa serve` will: a question id used by another bank, a competition that would draw more than the
/// bank now holds, an organization id used twice, is refused here.
pub(crate) fn verify(source: &Path, rel: &Path, text: &str, lang: Lang) -> anyhow::Result<()> {
    let quizzes = source.join("quizzes");
    let scratch = source.join(".pufa-cache").join(format!("import-{}", std::process::id()));
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
    let mut diags =
        result.with_context(|| say(lang, "import.write_failed", &[("file", &scratch.display().to_string())]))?;
    if !diags.has_errors() {
        return Ok(());
    }
    for d in &mut diags.0 {
        if let Ok(rel) = d.path.strip_prefix(&copy) {
            d.path = quizzes.join(rel);
        }
    }
    Err(refuse(lang, &diags))
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
