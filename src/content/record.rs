//! A markdown file's parse as `source::Source` keeps it between builds: decoded, or still the bytes of the build
//! cache it came from. A cached build decodes each kept parse once, straight into the library it puts together
//! (on every core), and writes the next cache by copying the bytes of every parse that did not change.

use std::borrow::Cow;
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
pub(crate) enum Parse {
    /// Parsed in this process.
    Decoded(Outcome),
    /// Read from the cache: `bytes[range]`, decoded on first use into `decoded`.
    Encoded { bytes: Bytes, range: Range<usize>, decoded: OnceLock<Outcome> },
}

impl Parse {
    /// A parse kept as `bytes[range]`, as [`Parse::encode`] wrote it.
    pub(crate) fn encoded(bytes: Bytes, range: Range<usize>) -> Parse {
        Parse::Encoded { bytes, range, decoded: OnceLock::new() }
    }

    /// The parse of file `rel` (decoded now if it was not yet, and kept decoded).
    pub(crate) fn get(&self, rel: &str) -> &Outcome {
        match self {
            Parse::Decoded(v) => v,
            Parse::Encoded { decoded, .. } => decoded.get_or_init(|| self.decode(rel)),
        }
    }

    /// The parse of file `rel` to own: a copy of the decoded one, or decoded anew from its bytes (which leaves
    /// this record as it was, so putting a library together holds each parse once).
    pub(crate) fn owned(&self, rel: &str) -> Outcome {
        match self {
            Parse::Decoded(v) => v.clone(),
            Parse::Encoded { decoded, .. } => decoded.get().cloned().unwrap_or_else(|| self.decode(rel)),
        }
    }

    /// The encoded bytes (empty for a parse decoded in this process).
    fn bytes(&self) -> &[u8] {
        match self {
            Parse::Decoded(_) => &[],
            Parse::Encoded { bytes, range, .. } => bytes.as_ref().as_ref().get(range.clone()).unwrap_or_default(),
        }
    }

    fn decode(&self, rel: &str) -> Outcome {
        rmp_serde::from_slice(self.bytes()).unwrap_or_else(|e| {
            // The cache checks every parse's checksum as it is read (see [`checksum`]): this is past that.
            let msg = format!(
                "the build cache's record of this file cannot be read ({e}): delete the folder .pufa-cache or \
                 build with --clean"
            );
            Err(vec![Diagnostic::error(shown(rel), 0, 0, msg)])
        })
    }

    /// Its encoding, as the build cache keeps it: the bytes it was read from, or the decoded parse encoded now.
    pub(crate) fn encode(&self) -> Cow<'_, [u8]> {
        match self {
            Parse::Decoded(v) => Cow::Owned(rmp_serde::to_vec(v).expect("a parse encodes")),
            Parse::Encoded { .. } => Cow::Borrowed(self.bytes()),
        }
    }
}

/// Where `part`, borrowed from `all` (a value read from the cache's mapping), lies in it; None when it is not
/// inside it.
pub(crate) fn range_in(all: &[u8], part: &[u8]) -> Option<Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(all.as_ptr() as usize)?;
    (start + part.len() <= all.len()).then(|| start..start + part.len())
}

/// The checksum the build cache keeps beside a parse's bytes, so that a damaged cache is not used.
pub(crate) fn checksum(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

impl fmt::Debug for Parse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Parse::Decoded(v) => v.fmt(f),
            Parse::Encoded { range, decoded, .. } => match decoded.get() {
                Some(v) => v.fmt(f),
                None => write!(f, "encoded at {range:?}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parse_kept_in_bytes_decodes_to_what_was_encoded_and_is_written_back_as_the_same_bytes() {
        let parsed = super::super::load::parse("a.md", "---\ntitle: 宪法\ntags: [宪法]\n---\n正文\n".into());
        let fresh = Parse::Decoded(parsed);
        let bytes = fresh.encode().into_owned();
        let mut file = b"header".to_vec();
        file.extend_from_slice(&bytes);
        let range = 6..file.len();
        let kept = Parse::encoded(Arc::new(file), range);
        assert_eq!(kept.encode().as_ref(), bytes.as_slice(), "copied, not encoded again");
        let title = |o: &Outcome| match o {
            Ok(Parsed::Page(p)) => (p.meta.title.clone(), p.meta.tags.clone()),
            other => panic!("{other:?}"),
        };
        assert_eq!(title(&kept.owned("a.md")), ("宪法".to_string(), vec!["宪法".to_string()]));
        let decoded = |p: &Parse| matches!(p, Parse::Encoded { decoded, .. } if decoded.get().is_some());
        assert!(!decoded(&kept), "owned keeps no decoded copy");
        assert_eq!(title(kept.get("a.md")), title(&fresh.owned("a.md")));
        assert!(decoded(&kept));
    }

    #[test]
    fn damaged_bytes_are_an_error_on_the_file_that_says_what_to_do() {
        let kept = Parse::encoded(Arc::new(vec![0xc1u8, 0xc1, 0xc1]), 0..3);
        let Err(d) = kept.get("col/a.md") else { panic!("decoded damaged bytes") };
        assert_eq!(d[0].path, shown("col/a.md"));
        assert!(d[0].message.contains("--clean"), "{}", d[0].message);
        let zh = crate::localize::message(crate::i18n::Lang::Zh, &d[0].message);
        assert!(zh.starts_with("构建缓存中此文件的记录无法读取"), "{zh}");
    }
}
