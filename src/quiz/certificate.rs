//! Certificates a competition offers (issue 12): the `certificate:` block of a competition file, one level or a
//! list of levels, checked and turned into `CertificateLevel`s, highest `min_score` first.

use std::path::{Path, PathBuf};

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::{Deserialize, Deserializer};

use super::locate::{Seg, Seg::Index, Seg::Key};
use super::validate::{check_text, Cx};

/// One certificate level as written in `certificate:`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateFile {
    /// What the certificate says it is, e.g. 合格证书 or 优秀奖.
    pub title: String,
    /// The issuing body printed on it, e.g. 清河县司法局.
    pub issuer: String,
    /// The score that earns it; absent means the competition's `pass_score`.
    #[serde(default)]
    pub min_score: Option<u32>,
    /// An image (PNG or JPEG) under `quizzes/`, printed as the seal, e.g. `seals/sifaju.png`.
    #[serde(default)]
    pub seal: Option<String>,
}

/// `certificate:` is one level (a mapping) or several (a list). Read by a visitor rather than as an untagged enum,
/// so a typo inside either form is reported at its own line and column.
#[derive(Debug, Clone, Default)]
pub struct CertificateLevels(pub Vec<CertificateFile>);

impl<'de> Deserialize<'de> for CertificateLevels {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<CertificateLevels, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = CertificateLevels;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a certificate {title, issuer, min_score, seal} or a list of them")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<CertificateLevels, A::Error> {
                CertificateFile::deserialize(MapAccessDeserializer::new(map)).map(|c| CertificateLevels(vec![c]))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<CertificateLevels, A::Error> {
                Vec::deserialize(SeqAccessDeserializer::new(seq)).map(CertificateLevels)
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// A certificate level as validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateLevel {
    pub title: String,
    pub issuer: String,
    /// The score that earns it.
    pub min_score: u32,
    /// The seal image, as a path the server can read (under `quizzes/`).
    pub seal: Option<PathBuf>,
}

/// The level a score earns: the highest `min_score` it reaches (`levels` are sorted highest first).
pub fn level_for(levels: &[CertificateLevel], score: u32) -> Option<&CertificateLevel> {
    levels.iter().find(|l| score >= l.min_score)
}

/// Checks the levels against the competition's scores and the seal files, highest `min_score` first.
pub fn levels(cx: &mut Cx, file: Option<CertificateLevels>, pass_score: u32, max: u32) -> Vec<CertificateLevel> {
    let Some(CertificateLevels(files)) = file else { return Vec::new() };
    let list = files.len() > 1;
    let quizzes = cx.path.parent().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
    let mut out: Vec<CertificateLevel> = Vec::new();
    for (i, f) in files.into_iter().enumerate() {
        let at = |k: &'static str| -> Vec<Seg> {
            if list {
                vec![Key("certificate"), Index(i), Key(k)]
            } else {
                vec![Key("certificate"), Key(k)]
            }
        };
        check_text(cx, &at("title"), "title", &f.title, "");
        check_text(cx, &at("issuer"), "issuer", &f.issuer, "");
        let min_score = f.min_score.unwrap_or(pass_score);
        if min_score > max {
            cx.err(&at("min_score"), format!("min_score: {min_score} is more than the highest possible score {max}"));
        }
        if out.iter().any(|l| l.min_score == min_score) {
            cx.err(&at("min_score"), format!("min_score: another level already starts at {min_score}"));
        }
        let seal = f.seal.as_deref().map(|s| seal(cx, &quizzes, s, &at("seal")));
        out.push(CertificateLevel { title: f.title, issuer: f.issuer, min_score, seal: seal.flatten() });
    }
    out.sort_by_key(|l| std::cmp::Reverse(l.min_score));
    out
}

/// A seal: a PNG or JPEG file inside `quizzes/`.
fn seal(cx: &mut Cx, quizzes: &Path, name: &str, at: &[Seg]) -> Option<PathBuf> {
    let lower = name.to_ascii_lowercase();
    let image = [".png", ".jpg", ".jpeg"].iter().any(|e| lower.ends_with(e));
    let inside = !name.starts_with('/') && !name.split(['/', '\\']).any(|p| p == "..");
    if !image || !inside {
        cx.err(at, format!("seal: expected a .png or .jpg file inside quizzes/, found {name:?}"));
        return None;
    }
    let path = quizzes.join(name);
    if !path.is_file() {
        cx.err(at, format!("seal: no file {}", path.display()));
        return None;
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(min_score: u32) -> CertificateLevel {
        CertificateLevel { title: format!("L{min_score}"), issuer: "司法局".into(), min_score, seal: None }
    }

    #[test]
    fn the_highest_level_reached_wins() {
        let levels = [level(90), level(60)];
        assert_eq!(level_for(&levels, 95).map(|l| l.min_score), Some(90));
        assert_eq!(level_for(&levels, 90).map(|l| l.min_score), Some(90));
        assert_eq!(level_for(&levels, 89).map(|l| l.min_score), Some(60));
        assert_eq!(level_for(&levels, 59), None);
    }

    #[test]
    fn one_level_or_a_list() {
        let one: CertificateLevels = serde_yaml_ng::from_str("{title: 合格证书, issuer: 清河县司法局}").unwrap();
        assert_eq!(one.0.len(), 1);
        let two: CertificateLevels = serde_yaml_ng::from_str(
            "- {title: 优秀奖, issuer: 司法局, min_score: 90}\n- {title: 合格, issuer: 司法局}",
        )
        .unwrap();
        assert_eq!(two.0[0].min_score, Some(90));
        let typo = serde_yaml_ng::from_str::<CertificateLevels>("{title: 合格, isuer: 司法局}").unwrap_err();
        assert!(typo.to_string().contains("unknown field `isuer`"), "{typo}");
    }
}
