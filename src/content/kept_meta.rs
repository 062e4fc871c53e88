//! Front matter as the build cache keeps it: `PageMeta` and `SectionMeta` leave out of their own serde form
//! what the front matter's reader sorts out of the other keys (`extra`, with Hugo's `params` and Zola's
//! `[extra]`, and whether a `menu` was set), so a parse kept in the cache carries them beside the rest.
//! Without them, a page rendered again from its kept parse lost `page.extra` (issue 15's review).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::model::{PageMeta, SectionMeta};

type Extra = serde_json::Map<String, serde_json::Value>;

/// Front matter with keys outside its serde form.
pub(crate) trait Rest {
    fn rest(&self) -> (&Extra, bool);
    fn set_rest(&mut self, extra: Extra, menu: bool);
}

macro_rules! rest {
    ($($meta:ty),*) => {$(
        impl Rest for $meta {
            fn rest(&self) -> (&Extra, bool) {
                (&self.extra, self.menu)
            }

            fn set_rest(&mut self, extra: Extra, menu: bool) {
                (self.extra, self.menu) = (extra, menu);
            }
        }
    )*};
}

rest!(PageMeta, SectionMeta);

/// The front matter, then its extra keys, then whether it set a `menu`.
#[allow(clippy::borrowed_box)] // serde's `with` hands the field as it is
pub(crate) fn serialize<M: Serialize + Rest, S: Serializer>(meta: &Box<M>, s: S) -> Result<S::Ok, S::Error> {
    let meta = &**meta;
    let (extra, menu) = meta.rest();
    (meta, extra, menu).serialize(s)
}

pub(crate) fn deserialize<'de, M, D>(d: D) -> Result<Box<M>, D::Error>
where
    M: Deserialize<'de> + Rest,
    D: Deserializer<'de>,
{
    let (mut meta, extra, menu): (M, Extra, bool) = Deserialize::deserialize(d)?;
    meta.set_rest(extra, menu);
    Ok(Box::new(meta))
}

#[cfg(test)]
mod tests {
    use crate::content::load::{parse, Parsed};

    /// A parse through the cache's encoding (see `content::record`) and back.
    fn kept(rel: &str, text: &str) -> Parsed {
        let parsed = parse(rel, text.as_bytes().to_vec()).expect("parses");
        rmp_serde::from_slice(&rmp_serde::to_vec(&parsed).unwrap()).expect("decodes")
    }

    #[test]
    fn a_kept_parse_has_the_front_matters_other_keys() {
        let page = "---\ntitle: 宪法\nparams:\n  hero: a.jpg\n  weight2: 1.0\n  list: [1, 二]\nmenu: main\n---\n正文\n";
        let Parsed::Page(p) = kept("a.md", page) else { panic!("a page") };
        let want = serde_json::json!({"hero": "a.jpg", "weight2": 1.0, "list": [1, "二"]});
        assert_eq!(serde_json::Value::Object(p.meta.extra.clone()), want);
        assert!(p.meta.menu, "the menu note still has its page");
        assert_eq!(p.meta.title, "宪法");

        let section = "+++\ntitle = \"专栏\"\n[extra]\nbanner = \"b.png\"\n+++\n";
        let Parsed::Section { meta, .. } = kept("c/_index.md", section) else { panic!("a section") };
        assert_eq!(serde_json::Value::Object(meta.extra.clone()), serde_json::json!({"banner": "b.png"}));
        assert!(!meta.menu);

        let plain = "---\ntitle: 无\n---\n正文\n";
        let Parsed::Page(p) = kept("b.md", plain) else { panic!("a page") };
        assert!(p.meta.extra.is_empty() && !p.meta.menu);
    }
}
