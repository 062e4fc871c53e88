//! `pufa import organizations`: a sheet of schools and enterprises merged into SOURCE/quizzes/organizations.yaml
//! (ids kept, new ones readable), checked with the rest of quizzes/ as `pufa check` would, written atomically.

use std::fs;
use std::path::Path;

use anyhow::Context;

use super::{refuse, say, verify};
use crate::i18n::Lang;
use crate::quiz::import::orgs;
use crate::quiz::model::{OrgKind, Organization};

pub fn run(file: &Path, source: &Path, lang: Lang) -> anyhow::Result<()> {
    let name = file.display().to_string();
    let ext = file.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    let csv = match ext.as_str() {
        "csv" => true,
        "xlsx" | "xls" | "xlsm" => false,
        _ => anyhow::bail!(say(lang, "import.orgs_unsupported", &[("file", &name)])),
    };
    let bytes = fs::read(file).with_context(|| say(lang, "import.unreadable", &[("file", &name)]))?;
    let rows = orgs::read(file, csv, &bytes).map_err(|d| refuse(lang, &d))?;
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
    let dir = source.join("quizzes");
    let failed = || say(lang, "import.write_failed", &[("file", &path.display().to_string())]);
    fs::create_dir_all(&dir).with_context(failed)?;
    let tmp = dir.join(".organizations.yaml.tmp");
    fs::write(&tmp, &text).and_then(|()| fs::rename(&tmp, &path)).with_context(failed)?;
    let args = [
        ("file", name.as_str()),
        ("n", &rows.len().to_string()),
        ("added", &added.to_string()),
        ("updated", &updated.to_string()),
        ("total", &list.len().to_string()),
    ];
    eprintln!("{}", say(lang, "import.orgs_summary", &args));
    Ok(())
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
