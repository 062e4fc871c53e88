//! Finds the line and column of a node in a YAML text by its path (`questions[3].answer`), for errors found
//! after parsing. serde_yaml_ng keeps no positions in parsed values, but it stamps every error with the mark of
//! the node being read; so we walk to the node and fail there on purpose, and read the mark off the error.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

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
    let seed = Walk { path, leaf: Probe(&found) };
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

/// Deserializes only the node at `path`, so that one faulty question does not hide the errors of the others.
/// Errors carry positions in the whole text. None when the path does not exist.
pub fn parse_at<T: DeserializeOwned>(text: &str, path: &[Seg]) -> Option<Result<T, serde_yaml_ng::Error>> {
    let seed = Walk { path, leaf: Parse(PhantomData::<T>) };
    seed.deserialize(serde_yaml_ng::Deserializer::from_str(text)).transpose()
}

/// What to do on reaching the end of the path.
trait Leaf<'de> {
    type Out;
    fn at<D: Deserializer<'de>>(self, d: D) -> Result<Self::Out, D::Error>;
}

/// Fails on whatever node it reaches, so that the error carries that node's mark.
struct Probe<'p>(&'p Cell<bool>);

impl<'de> Leaf<'de> for Probe<'_> {
    type Out = ();
    fn at<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0.set(true);
        d.deserialize_any(Here)
    }
}

struct Parse<T>(PhantomData<T>);

impl<'de, T: de::Deserialize<'de>> Leaf<'de> for Parse<T> {
    type Out = T;
    fn at<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        T::deserialize(d)
    }
}

struct Walk<'p, 'a, L> {
    path: &'p [Seg<'a>],
    leaf: L,
}

impl<'de, L: Leaf<'de>> DeserializeSeed<'de> for Walk<'_, '_, L> {
    /// None when the path does not exist.
    type Value = Option<L::Out>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        match self.path.first() {
            None => self.leaf.at(d).map(Some),
            // Not deserialize_map/seq: they fail on a scalar (`draw: 3`), and a path through a scalar must
            // read as absent, else `one_by_one` would ask for index after index of it forever.
            Some(_) => d.deserialize_any(self),
        }
    }
}

impl<'de, L: Leaf<'de>> Visitor<'de> for Walk<'_, '_, L> {
    type Value = Option<L::Out>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping or a sequence")
    }

    // serde_yaml_ng insists that every entry of a mapping or sequence be read: the rest is skipped, not left.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some(Seg::Key(want)) = self.path.first() else { return Ok(None) };
        let mut out = None;
        let mut leaf = Some(self.leaf);
        while let Some(key) = map.next_key::<KeyText>()? {
            if let Some(leaf) = leaf.take_if(|_| key.0.as_deref() == Some(*want)) {
                out = map.next_value_seed(Walk { path: &self.path[1..], leaf })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(out)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let Some(Seg::Index(want)) = self.path.first() else { return Ok(None) };
        for _ in 0..*want {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(None);
            }
        }
        let out = seq.next_element_seed(Walk { path: &self.path[1..], leaf: self.leaf })?.flatten();
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(out)
    }

    // A path through a scalar does not exist: say so without failing.
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
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

/// The visitor of `Probe`: accepts nothing.
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
    fn parse_at_reads_one_node_and_reports_positions_in_the_whole_text() {
        let ok: Vec<String> = parse_at(TEXT, &[Key("questions"), Index(1), Key("options")]).unwrap().unwrap();
        assert_eq!(ok, ["甲", "乙"]);
        let err = parse_at::<u32>(TEXT, &[Key("questions"), Index(0), Key("answer")]).unwrap().unwrap_err();
        let at = err.location().unwrap();
        assert_eq!((at.line(), at.column()), (5, 13));
        assert!(parse_at::<u32>(TEXT, &[Key("missing")]).is_none());
    }

    #[test]
    fn near_falls_back_to_the_closest_ancestor() {
        assert_eq!(locate_near(TEXT, &[Key("questions"), Index(0), Key("options")]), (4, 5));
        assert_eq!(locate_near("- a\n- b\n", &[Index(1)]), (2, 3));
        assert_eq!(locate_near(": : bad", &[Key("x")]), (1, 1));
    }
}
