//! Organizations kept in Excel or CSV (名称, 类型 学校/企业/其他, 乡镇, 人数, optional 编号), read into the entries of
//! `quizzes/organizations.yaml` and merged with those already there: an existing organization keeps its id, a new
//! one gets a readable id from the pinyin of its name, made unique.

use std::collections::HashSet;
use std::path::Path;

use super::sheet::{grids, Grid};
use super::{at, bank_id, one, Spot};
use crate::diag::Diagnostics;
use crate::quiz::model::{OrgKind, Organization};

/// One organization as the sheet gives it, with the cell of its name.
#[derive(Debug, Clone)]
pub struct OrgRow {
    pub id: Option<String>,
    pub name: String,
    pub kind: OrgKind,
    pub town: String,
    pub headcount: u32,
    pub spot: Spot,
}

#[derive(Clone, Copy, PartialEq)]
enum Col {
    Id,
    Name,
    Kind,
    Town,
    Headcount,
}

fn col_of(name: &str) -> Option<Col> {
    let n: String = name.chars().filter(|c| !c.is_whitespace() && !"*＊".contains(*c)).collect();
    Some(match n.as_str() {
        "编号" | "id" => Col::Id,
        "名称" | "单位名称" | "学校名称" | "单位" | "name" => Col::Name,
        "类型" | "单位类型" | "kind" => Col::Kind,
        "乡镇" | "乡镇街道" | "乡镇（街道）" | "乡镇(街道)" | "town" => Col::Town,
        "人数" | "应参与人数" | "学生数" | "职工数" | "headcount" => Col::Headcount,
        _ => return None,
    })
}

fn kind_of(s: &str) -> Option<OrgKind> {
    Some(match s.trim() {
        "学校" | "school" | "中学" | "小学" | "中小学" | "职业学校" => OrgKind::School,
        "企业" | "enterprise" | "公司" => OrgKind::Enterprise,
        "其他" | "other" | "机关" | "事业单位" | "村" | "社区" => OrgKind::Other,
        _ => return None,
    })
}

/// The organizations of a `.xlsx`/`.xls`/`.csv` file named `label`: every row below the first row naming 名称;
/// every problem names its cell.
pub fn read(label: &Path, csv: bool, bytes: &[u8]) -> Result<Vec<OrgRow>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut out = Vec::new();
    let mut found = false;
    for g in grids(label, csv, bytes)? {
        let Some(head) = g.cells.iter().position(|row| row.iter().any(|c| col_of(c) == Some(Col::Name))) else {
            continue;
        };
        found = true;
        let cols: Vec<(usize, Col)> =
            g.cells[head].iter().enumerate().filter_map(|(i, c)| col_of(c).map(|k| (i, k))).collect();
        for (k, name) in [(Col::Kind, "类型"), (Col::Headcount, "人数")] {
            if !cols.iter().any(|(_, c)| *c == k) {
                diags.push(at(label, &g.spot(head, 0), format!("no column {name}: expected 名称, 类型, 乡镇, 人数")));
            }
        }
        for (r, row) in g.cells.iter().enumerate().skip(head + 1) {
            if row.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if let Some(o) = org(label, &g, r, row, &cols, &mut diags) {
                out.push(o);
            }
        }
    }
    if !found {
        return Err(one(
            label,
            "no header row with 名称: expected the columns 名称, 类型, 乡镇, 人数 and optionally 编号",
        ));
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(out)
    }
}

fn org(label: &Path, g: &Grid, r: usize, row: &[String], cols: &[(usize, Col)], d: &mut Diagnostics) -> Option<OrgRow> {
    let get = |k: Col| cols.iter().find(|(_, c)| *c == k).map(|(i, _)| (*i, row.get(*i).map_or("", |s| s.trim())));
    let (nc, name) = get(Col::Name)?;
    let errors = d.0.len();
    if name.is_empty() {
        d.push(at(label, &g.spot(r, nc), "名称: must not be empty"));
    }
    let kind = match get(Col::Kind) {
        Some((c, k)) => kind_of(k).or_else(|| {
            d.push(at(label, &g.spot(r, c), format!("类型 {k:?}: expected 学校, 企业 or 其他")));
            None
        }),
        None => None,
    };
    let headcount = match get(Col::Headcount) {
        Some((c, h)) => h.parse::<u32>().ok().filter(|n| *n > 0).or_else(|| {
            d.push(at(label, &g.spot(r, c), format!("人数 {h:?}: expected a whole number of at least 1")));
            None
        }),
        None => None,
    };
    let id = get(Col::Id).map(|(_, s)| s.to_string()).filter(|s| !s.is_empty());
    if let Some((c, id)) = get(Col::Id).filter(|(_, s)| !s.is_empty()) {
        if !id.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_') {
            d.push(at(label, &g.spot(r, c), format!("编号 {id:?}: expected ASCII letters, digits, '-' or '_'")));
        }
    }
    if d.0.len() > errors {
        return None;
    }
    let town = get(Col::Town).map_or(String::new(), |(_, t)| t.to_string());
    Some(OrgRow { id, name: name.to_string(), kind: kind?, town, headcount: headcount?, spot: g.spot(r, nc) })
}

/// `rows` merged into `existing`: matched by 编号 when given, else by name; a match keeps its id and takes the
/// row's kind, town and headcount; the others are added with an id from their name's pinyin, made unique.
/// Returns the list and how many were added and updated.
pub fn merge(existing: Vec<Organization>, rows: &[OrgRow]) -> (Vec<Organization>, usize, usize) {
    let mut list = existing;
    let mut ids: HashSet<String> = list.iter().map(|o| o.id.clone()).collect();
    let (mut added, mut updated) = (0, 0);
    for r in rows {
        let found = list.iter_mut().find(|o| match &r.id {
            Some(id) => o.id == *id,
            None => o.name.trim() == r.name,
        });
        match found {
            Some(o) => {
                let changed = o.name != r.name || o.kind != r.kind || o.town != r.town || o.headcount != r.headcount;
                (o.name, o.kind, o.town, o.headcount) = (r.name.clone(), r.kind, r.town.clone(), r.headcount);
                updated += usize::from(changed);
            }
            None => {
                let base = r.id.clone().unwrap_or_else(|| bank_id(&r.name));
                let id =
                    (1..).map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") }).find(|i| !ids.contains(i));
                let id = id.unwrap_or(base);
                ids.insert(id.clone());
                let o = Organization {
                    id,
                    name: r.name.clone(),
                    kind: r.kind,
                    town: r.town.clone(),
                    headcount: r.headcount,
                };
                list.push(o);
                added += 1;
            }
        }
    }
    (list, added, updated)
}
