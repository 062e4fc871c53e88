//! `pufa import organizations`: a sheet of schools and enterprises merged into SOURCE/quizzes/organizations.yaml
//! (ids kept, new ones readable), checked with the rest of quizzes/ as `pufa check` would, written atomically.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{refuse, say, verify};
use crate::i18n::Lang;
use crate::quiz::import::orgs;
use crate::quiz::model::{OrgKind, Organization};

/// `pufa import organizations FILE`.
pub fn run(file: &Path, source: &Path, lang: Lang) -> anyhow::Result<()> {
    let name = file.display().to_string();
    let bytes = fs::read(file).with_context(|| say(lang, "import.unreadable", &[("file", &name)]))?;
    let plan = plan(file, &bytes, source, lang)?;
    plan.write(lang)?;
    eprintln!("{}", plan.summary(lang));
    Ok(())
}

/// organizations.yaml checked and ready to be written: where, its text, and what the sheet held.
#[derive(Debug, Clone)]
pub struct OrgPlan {
    pub path: PathBuf,
    pub text: String,
    /// The sheet's name as given.
    pub file: String,
    /// The organizations as they will be, in order.
    pub list: Vec<Organization>,
    /// Rows read from the sheet.
    pub rows: usize,
    pub added: usize,
    pub updated: usize,
}

/// Reads a sheet (`file` gives its name and format) merged into SOURCE/quizzes/organizations.yaml, checked with
/// the rest of quizzes/; every problem is in the error, in `lang`.
pub fn plan(file: &Path, bytes: &[u8], source: &Path, lang: Lang) -> anyhow::Result<OrgPlan> {
    let name = file.display().to_string();
    let ext = file.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    let csv = match ext.as_str() {
        "csv" => true,
        "xlsx" | "xls" | "xlsm" => false,
        _ => anyhow::bail!(say(lang, "import.orgs_unsupported", &[("file", &name)])),
    };
    let rows = orgs::read(file, csv, bytes).map_err(|d| refuse(lang, &d))?;
    let path = source.join("quizzes").join("organizations.yaml");
    let existing: Vec<Organization> = match fs::read_to_string(&path) {
        Ok(text) => serde_yaml_ng::from_str(&text).map_err(|e| {
            let file = path.display().to_string();
            anyhow::anyhow!(say(lang, "import.orgs_existing", &[("file", &file), ("error", &e.to_string())]))
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            return Err(e).with_context(|| say(lang, "import.unreadable", &[("file", &path.display().to_string())]))
        }
    };
    let (list, added, updated) = orgs::merge(existing, &rows);
    let text = yaml(lang, &name, &list);
    verify(source, Path::new("organizations.yaml"), &text, lang)?;
    Ok(OrgPlan { path, text, file: name, list, rows: rows.len(), added, updated })
}

impl OrgPlan {
    /// Writes organizations.yaml atomically.
    pub fn write(&self, lang: Lang) -> anyhow::Result<()> {
        let failed = || say(lang, "import.write_failed", &[("file", &self.path.display().to_string())]);
        crate::quiz::scratch::write_atomically(&self.path, &self.text).with_context(failed)
    }

    /// How many rows were read and what became of the list.
    pub fn summary(&self, lang: Lang) -> String {
        let args = [
            ("file", self.file.as_str()),
            ("n", &self.rows.to_string()),
            ("added", &self.added.to_string()),
            ("updated", &self.updated.to_string()),
            ("total", &self.list.len().to_string()),
        ];
        say(lang, "import.orgs_summary", &args)
    }
}

/// The file as a person would write it: a comment, then one organization a line.
fn yaml(lang: Lang, from: &str, list: &[Organization]) -> String {
    let mut out = format!("# {}\n", say(lang, "import.orgs_comment", &[("file", from)]));
    for o in list {
        let kind = match o.kind {
            OrgKind::School => "school",
            OrgKind::Enterprise => "enterprise",
            OrgKind::Other => "other",
        };
        let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
        out.push_str(&format!(
            "- {{id: {}, name: {}, kind: {kind}, town: {}, headcount: {}}}\n",
            q(&o.id),
            q(&o.name),
            q(&o.town),
            o.headcount
        ));
    }
    out
}
