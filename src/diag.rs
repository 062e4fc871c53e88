//! Diagnostics that name the file, line and column they are about, collected so that one run reports all of them.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is: errors fail the build, warnings are printed and the build goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Severity {
    Warning,
    Error,
}

/// One problem in one input file. `line` and `column` are 1-based; 0 means "the whole file".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Diagnostic {
    pub fn error(path: impl AsRef<Path>, line: usize, column: usize, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, path, line, column, message)
    }

    pub fn warning(path: impl AsRef<Path>, line: usize, column: usize, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, path, line, column, message)
    }

    fn new(severity: Severity, path: impl AsRef<Path>, line: usize, column: usize, message: impl Into<String>) -> Self {
        Self { severity, path: path.as_ref().to_path_buf(), line, column, message: message.into() }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Warning => "warning: ",
            Severity::Error => "",
        };
        match (self.line, self.column) {
            (0, _) => write!(f, "{}: {kind}{}", self.path.display(), self.message),
            (l, 0) => write!(f, "{}:{l}: {kind}{}", self.path.display(), self.message),
            (l, c) => write!(f, "{}:{l}:{c}: {kind}{}", self.path.display(), self.message),
        }
    }
}

/// All diagnostics of one run, errors and warnings together, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| !d.is_error())
    }

    /// Sorts by file, line and column so reports read top to bottom whatever order threads finished in.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        let n = self.errors().count();
        if n > 0 {
            write!(f, "{n} error(s)")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Turns a serde_yaml_ng error into a diagnostic, shifting its line by `line_offset`
/// (front matter starts after the opening `---`, so its line 1 is the file's line 2).
pub fn from_yaml(path: &Path, line_offset: usize, err: &serde_yaml_ng::Error) -> Diagnostic {
    let (line, column) =
        err.location().map(|l| (l.line() + line_offset, l.column())).unwrap_or((line_offset.max(1), 0));
    // serde_yaml_ng appends " at line L column C" to its message; we print the position ourselves.
    let msg = err.to_string();
    let msg = match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    };
    Diagnostic::error(path, line, column, msg)
}

/// Line and column (1-based) of the first occurrence of `needle` in `text` at or after line `from_line`,
/// used to point validation errors (found after parsing) at the key they are about.
pub fn locate(text: &str, needle: &str, from_line: usize) -> Option<(usize, usize)> {
    for (i, l) in text.lines().enumerate().skip(from_line.saturating_sub(1)) {
        if let Some(c) = l.find(needle) {
            return Some((i + 1, l[..c].chars().count() + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_and_column() {
        let d = Diagnostic::error("content/a.md", 3, 7, "date: expected 2024-12-04, found \"12月4日\"");
        assert_eq!(d.to_string(), "content/a.md:3:7: date: expected 2024-12-04, found \"12月4日\"");
        let w = Diagnostic::warning("content/a.md", 9, 0, "unknown video host");
        assert_eq!(w.to_string(), "content/a.md:9: warning: unknown video host");
    }

    #[test]
    fn locate_counts_characters_not_bytes() {
        let text = "a: 1\n题目: 宪法\n  id: q2\n";
        assert_eq!(locate(text, "id: q2", 1), Some((3, 3)));
        assert_eq!(locate(text, "宪法", 1), Some((2, 5)));
        assert_eq!(locate(text, "a: 1", 2), None);
    }

    #[test]
    fn yaml_errors_are_shifted_to_file_lines() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct T {
            title: String,
        }
        let err = serde_yaml_ng::from_str::<T>("title: a\ntitel: b\n").unwrap_err();
        let d = from_yaml(Path::new("x.md"), 1, &err);
        assert_eq!((d.line, d.column), (3, 1));
        assert!(d.message.contains("titel"), "{}", d.message);
    }
}
