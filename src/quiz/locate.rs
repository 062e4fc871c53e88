//! Finds the line and column of a node in a YAML text by its path (`questions[3].answer`), for errors found
//! after parsing. serde_yaml_ng keeps no positions in parsed values, but it stamps every error with the mark of
//! the node being read; so we walk to the node and fail there on purpose, and read the mark off the error.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// One step of a path: a mapping key or a sequence index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// Line and column (1-based) where the node at `path` starts, or None when the path does not exist
/// (or the text is not valid YAML).
pub fn locate_path(text: &str, path: &[Seg]) -> Option<(usize, usize)> {
    let found = Cell::new(false);
    let seed = Walk { path, found: &found };
    let err = seed.deserialize(serde_yaml_ng::Deserializer::from_str(text)).err()?;
    if !found.get() {
        return None;
    }
    err.location().map(|l| (l.line(), l.column()))
}

/// Like `locate_path`, falling back to the nearest existing ancestor (e.g. the question when its `options` key
/// is absent), then to line 1.
pub fn locate_near(text: &str, path: &[Seg]) -> (usize, usize) {
    (0..=path.len()).rev().find_map(|n| locate_path(text, &path[..n])).unwrap_or((1, 1))
}

struct Walk<'p, 'a> {
    path: &'p [Seg<'a>],
    found: &'p Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        match self.path.first() {
            None => {
                self.found.set(true);
                d.deserialize_any(Here)
            }
            Some(Seg::Key(_)) => d.deserialize_map(self),
            Some(Seg::Index(_)) => d.deserialize_seq(self),
        }
    }
}

impl<'de> Visitor<'de> for Walk<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping or a sequence")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some(Seg::Key(want)) = self.path.first() else { return Ok(()) };
        while let Some(key) = map.next_key::<KeyText>()? {
            if key.0.as_deref() == Some(*want) {
                return map.next_value_seed(Walk { path: &self.path[1..], found: self.found });
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some(Seg::Index(want)) = self.path.first() else { return Ok(()) };
        for _ in 0..*want {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
        }
        seq.next_element_seed(Walk { path: &self.path[1..], found: self.found }).map(|_| ())
    }

    // A path through a scalar does not exist: say so without failing.
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// A mapping key read as text when it is a string, skipped otherwise.
struct KeyText(Option<String>);

impl<'de> de::Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = <serde_yaml_ng::Value as de::Deserialize>::deserialize(d)?;
        Ok(KeyText(v.as_str().map(str::to_string)))
    }
}

/// Fails on whatever node it is given, so that the error carries that node's mark.
struct Here;

impl Visitor<'_> for Here {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("nothing (position probe)")
    }
}

#[cfg(test)]
mod tests {
    use super::Seg::{Index, Key};
    use super::*;

    const TEXT: &str = "id: xianfa\ntitle: 宪法\nquestions:\n  - id: q1\n    answer: A\n  - id: q2\n    options: [甲, 乙]\n    answer: [A, B]\n";

    #[test]
    // Columns count characters, not bytes: 乙 after 甲 is column 18.
    fn finds_nodes_by_path() {
        type Case<'a> = (&'a [Seg<'a>], Option<(usize, usize)>);
        let cases: &[Case] = &[
            (&[Key("id")], Some((1, 5))),
            (&[Key("title")], Some((2, 8))),
            (&[Key("questions"), Index(0)], Some((4, 5))),
            (&[Key("questions"), Index(1), Key("id")], Some((6, 9))),
            (&[Key("questions"), Index(1), Key("answer")], Some((8, 13))),
            (&[Key("questions"), Index(1), Key("answer"), Index(1)], Some((8, 17))),
            (&[Key("questions"), Index(1), Key("options"), Index(1)], Some((7, 18))),
            (&[Key("questions"), Index(2)], None),
            (&[Key("nope")], None),
            (&[Key("id"), Key("deeper")], None),
        ];
        for (path, want) in cases {
            assert_eq!(locate_path(TEXT, path), *want, "{path:?}");
        }
    }

    #[test]
    fn near_falls_back_to_the_closest_ancestor() {
        assert_eq!(locate_near(TEXT, &[Key("questions"), Index(0), Key("options")]), (4, 5));
        assert_eq!(locate_near("- a\n- b\n", &[Index(1)]), (2, 3));
        assert_eq!(locate_near(": : bad", &[Key("x")]), (1, 1));
    }
}
