//! A markdown file's parse as `source::Source` keeps it between builds: decoded, or still the bytes of the build
//! cache it came from. A cached build decodes each kept parse once, straight into the library it puts together
//! (on every core), and writes the next cache by copying the bytes of every parse that did not change.

use std::fmt;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use super::load::Parsed;
use super::shown;
use crate::diag::Diagnostic;

/// What parsing a markdown file gave: the page or section, or why it could not be read.
pub(crate) type Outcome = Result<Parsed, Vec<Diagnostic>>;

/// Bytes a parse can be kept in (the build cache's mapping, shared by all its records).
pub type Bytes = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// A markdown file's kept parse.
#[derive(Clone)]
pub(crate) struct Kept {
    /// Decoded: at once for a file parsed now, on first use for one from the cache.
    value: OnceLock<Outcome>,
    /// Where it is encoded, for one from the cache.
    encoded: Option<(Bytes, Range<usize>)>,
}

impl Kept {
    /// A parse made now.
    pub(crate) fn new(outcome: Outcome) -> Kept {
        Kept { value: OnceLock::from(outcome), encoded: None }
    }

    /// A parse kept as `bytes[range]`, as [`Kept::encode`] wrote it.
    pub(crate) fn encoded(bytes: Bytes, range: Range<usize>) -> Kept {
        Kept { value: OnceLock::new(), encoded: Some((bytes, range)) }
    }

    /// The parse of file `rel` (decoded now if it was not yet, and kept decoded).
    pub(crate) fn get(&self, rel: &str) -> &Outcome {
        self.value.get_or_init(|| self.decode(rel))
    }

    /// The parse of file `rel` to own: a copy of the decoded one, or decoded anew from its bytes (which leaves
    /// this record as it was, so putting a library together holds each parse once).
    pub(crate) fn owned(&self, rel: &str) -> Outcome {
        match self.value.get() {
            Some(v) => v.clone(),
            None => self.decode(rel),
        }
    }

    fn decode(&self, rel: &str) -> Outcome {
        let Some((bytes, range)) = &self.encoded else { unreachable!("a kept parse is decoded or encoded") };
        let slice = bytes.as_ref().as_ref().get(range.clone()).unwrap_or_default();
        rmp_serde::from_slice(slice).unwrap_or_else(|e| {
            // The cache was written whole and renamed into place, so this is a damaged file.
            let msg = format!("the build cache's record of this file cannot be read ({e}): delete the folder .pufa-cache or build with --clean");
            Err(vec![Diagnostic::error(shown(rel), 0, 0, msg)])
        })
    }

    /// Its encoding, as the build cache keeps it: the bytes it was read from, or the decoded parse encoded now.
    pub(crate) fn encode(&self) -> std::borrow::Cow<'_, [u8]> {
        match (&self.encoded, self.value.get()) {
            (Some((bytes, range)), _) => std::borrow::Cow::Borrowed(&bytes.as_ref().as_ref()[range.clone()]),
            (None, Some(v)) => std::borrow::Cow::Owned(rmp_serde::to_vec(v).expect("a parse encodes")),
            (None, None) => unreachable!("a kept parse is decoded or encoded"),
        }
    }
}

impl fmt::Debug for Kept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.value.get(), &self.encoded) {
            (Some(v), _) => v.fmt(f),
            (None, Some((_, range))) => write!(f, "encoded at {range:?}"),
            (None, None) => f.write_str("nothing"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parse_kept_in_bytes_decodes_to_what_was_encoded_and_is_written_back_as_the_same_bytes() {
        let parsed = super::super::load::parse("a.md", "---\ntitle: 宪法\ntags: [宪法]\n---\n正文\n".into());
        let fresh = Kept::new(parsed);
        let bytes = fresh.encode().into_owned();
        let mut file = b"header".to_vec();
        file.extend_from_slice(&bytes);
        let range = 6..file.len();
        let kept = Kept::encoded(Arc::new(file), range);
        assert_eq!(kept.encode().as_ref(), bytes.as_slice(), "copied, not encoded again");
        let title = |o: &Outcome| match o {
            Ok(Parsed::Page(p)) => (p.meta.title.clone(), p.meta.tags.clone()),
            other => panic!("{other:?}"),
        };
        assert_eq!(title(&kept.owned("a.md")), ("宪法".to_string(), vec!["宪法".to_string()]));
        assert!(kept.value.get().is_none(), "owned keeps no decoded copy");
        assert_eq!(title(kept.get("a.md")), title(&fresh.owned("a.md")));
        assert!(kept.value.get().is_some());
    }

    #[test]
    fn damaged_bytes_are_an_error_on_the_file_that_says_what_to_do() {
        let kept = Kept::encoded(Arc::new(vec![0xc1u8, 0xc1, 0xc1]), 0..3);
        let Err(d) = kept.get("col/a.md") else { panic!("decoded damaged bytes") };
        assert_eq!(d[0].path, shown("col/a.md"));
        assert!(d[0].message.contains("--clean"), "{}", d[0].message);
    }
}
