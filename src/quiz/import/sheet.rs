//! Excel (.xlsx, .xls) and CSV question sheets: a header row naming the columns in any order (题型, 题干,
//! 选项A…选项H, 答案, 解析, 依据, 标签, 编号), one question per row below it.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader};

use super::{at, one, Field, Raw, Spot};
use crate::diag::Diagnostics;

/// Options a sheet may have: 选项A … 选项H.
const MAX_OPTIONS: usize = 8;

/// The questions of every sheet that has a header row with 题干 (other sheets, such as notes, are skipped).
pub fn xlsx(label: &Path, bytes: &[u8]) -> Result<Vec<Raw>, Diagnostics> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| one(label, &format!("not a readable Excel workbook ({e})")))?;
    let mut out = Vec::new();
    let mut diags = Diagnostics::default();
    let mut found = false;
    for name in book.sheet_names() {
        let Ok(range) = book.worksheet_range(&name) else { continue };
        let (r0, c0) = range.start().map_or((0, 0), |(r, c)| (r as usize, c as usize));
        let grid: Vec<Vec<String>> = range.rows().map(|row| row.iter().map(cell).collect()).collect();
        let sheet = Sheet { label, prefix: format!("{name}!"), grid, r0, c0 };
        if let Some(raws) = sheet.questions(&mut diags) {
            found = true;
            out.extend(raws);
        }
    }
    finish(label, found, out, diags)
}

/// A CSV sheet in UTF-8 (with or without a BOM) or GBK/GB18030, as Excel in China saves it.
pub fn csv(label: &Path, bytes: &[u8]) -> Result<Vec<Raw>, Diagnostics> {
    let grid = grids(label, true, bytes)?.pop().map(|g| g.cells).unwrap_or_default();
    let mut diags = Diagnostics::default();
    let sheet = Sheet { label, prefix: String::new(), grid, r0: 0, c0: 0 };
    let out = sheet.questions(&mut diags);
    let found = out.is_some();
    finish(label, found, out.unwrap_or_default(), diags)
}

/// The cells of every sheet of a workbook (`Sheet1!`) or of a CSV file (no prefix) as text, with where each grid
/// starts in its sheet (0-based row and column), for other tables than questions (`orgs`).
pub fn grids(label: &Path, csv_file: bool, bytes: &[u8]) -> Result<Vec<Grid>, Diagnostics> {
    if csv_file {
        let text = super::decode(label, bytes)?;
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut cells = Vec::new();
        for (i, rec) in reader.records().enumerate() {
            let rec = rec.map_err(|e| one(label, &format!("row {}: not readable as CSV ({e})", i + 1)))?;
            cells.push(rec.iter().map(str::to_string).collect());
        }
        return Ok(vec![Grid { prefix: String::new(), cells, r0: 0, c0: 0 }]);
    }
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| one(label, &format!("not a readable Excel workbook ({e})")))?;
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let Ok(range) = book.worksheet_range(&name) else { continue };
        let (r0, c0) = range.start().map_or((0, 0), |(r, c)| (r as usize, c as usize));
        let cells = range.rows().map(|row| row.iter().map(cell).collect()).collect();
        out.push(Grid { prefix: format!("{name}!"), cells, r0, c0 });
    }
    Ok(out)
}

/// A sheet's cells as text.
pub struct Grid {
    pub prefix: String,
    pub cells: Vec<Vec<String>>,
    pub r0: usize,
    pub c0: usize,
}

impl Grid {
    /// The name of cell (`r`, `c`) of the grid: `Sheet1!D7`, or `D7` in a CSV.
    pub fn spot(&self, r: usize, c: usize) -> Spot {
        Spot::Cell(format!("{}{}{}", self.prefix, column(self.c0 + c), self.r0 + r + 1))
    }
}

/// GB18030 (a superset of GBK) text, if `bytes` is that without errors.
pub fn gbk(bytes: &[u8]) -> Option<String> {
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    (!had_errors).then(|| text.into_owned())
}

fn finish(label: &Path, found: bool, out: Vec<Raw>, diags: Diagnostics) -> Result<Vec<Raw>, Diagnostics> {
    if !found {
        return Err(one(label, "no header row with 题干 and 答案: start from the template (pufa import template)"));
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(out)
    }
}

fn cell(d: &Data) -> String {
    match d {
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Bool(true) => "正确".into(),
        Data::Bool(false) => "错误".into(),
        d => d.to_string(),
    }
}

/// Column letters of a 0-based index: A … Z, AA …
fn column(mut c: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

/// The field a header cell names; `Err` for a name that is no column of the template.
fn field_of(name: &str) -> Result<Option<Field>, ()> {
    let n: String = name.chars().filter(|c| !c.is_whitespace() && !"*＊".contains(*c)).collect();
    let n = n.trim_end_matches("（必填）").trim_end_matches("(必填)");
    Ok(Some(match n {
        "" => return Ok(None),
        "编号" | "题号" | "id" => Field::Id,
        "题型" | "类型" | "type" => Field::Type,
        "题干" | "题目" | "stem" => Field::Stem,
        "答案" | "正确答案" | "answer" => Field::Answer,
        "解析" | "答案解析" | "explanation" => Field::Explanation,
        "依据" | "法律依据" | "法条依据" | "basis" => Field::Basis,
        "标签" | "tags" => Field::Tags,
        _ => {
            let letter = n.strip_prefix("选项").ok_or(())?;
            match letter.as_bytes() {
                [c @ b'A'..=b'H'] | [c @ b'a'..=b'h'] => Field::Option((c.to_ascii_uppercase() - b'A') as usize),
                _ => return Err(()),
            }
        }
    }))
}

struct Sheet<'a> {
    label: &'a Path,
    /// `Sheet1!` for a workbook, empty for a CSV.
    prefix: String,
    grid: Vec<Vec<String>>,
    /// Row and column of the grid's first cell in the sheet (0-based).
    r0: usize,
    c0: usize,
}

impl Sheet<'_> {
    fn spot(&self, r: usize, c: usize) -> Spot {
        Spot::Cell(format!("{}{}{}", self.prefix, column(self.c0 + c), self.r0 + r + 1))
    }

    /// The rows below the first row naming 题干; None when no row does.
    fn questions(&self, diags: &mut Diagnostics) -> Option<Vec<Raw>> {
        let head = self.grid.iter().position(|row| row.iter().any(|c| field_of(c) == Ok(Some(Field::Stem))))?;
        let mut cols = Vec::new();
        for (c, name) in self.grid[head].iter().enumerate() {
            match field_of(name) {
                Ok(Some(f)) if cols.iter().any(|(_, g)| *g == f) => {
                    diags.push(at(self.label, &self.spot(head, c), format!("column {}: named twice", name.trim())))
                }
                Ok(Some(f)) => cols.push((c, f)),
                Ok(None) => {}
                Err(()) => diags.push(at(
                    self.label,
                    &self.spot(head, c),
                    format!(
                        "column {}: unknown; expected 题型, 题干, 选项A…选项H, 答案, 解析, 依据, 标签 or 编号",
                        name.trim()
                    ),
                )),
            }
        }
        for (f, name) in [(Field::Answer, "答案"), (Field::Explanation, "解析"), (Field::Basis, "依据")] {
            if !cols.iter().any(|(_, g)| *g == f) {
                let msg = format!("no column {name}: the bank format requires 答案, 解析 and 依据 for every question");
                diags.push(at(self.label, &self.spot(head, 0), msg));
            }
        }
        let mut out = Vec::new();
        for (r, row) in self.grid.iter().enumerate().skip(head + 1) {
            if row.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            out.push(self.raw(r, row, &cols));
        }
        Some(out)
    }

    fn raw(&self, r: usize, row: &[String], cols: &[(usize, Field)]) -> Raw {
        let mut raw = Raw { options: vec![String::new(); MAX_OPTIONS], ..Raw::default() };
        let mut last_option = 0;
        for &(c, f) in cols {
            let v = row.get(c).cloned().unwrap_or_default();
            raw.spots.insert(f, self.spot(r, c));
            match f {
                Field::Id => raw.id = v,
                Field::Type => raw.kind = v,
                Field::Stem => raw.stem = v,
                Field::Option(i) => {
                    last_option = last_option.max(i + 1);
                    raw.options[i] = v;
                }
                Field::Answer => raw.answer = v,
                Field::Explanation => raw.explanation = v,
                Field::Basis => raw.basis = v,
                Field::Tags => raw.tags = v.split([',', '，', '、', ';', '；']).map(str::to_string).collect(),
            }
        }
        raw.options.truncate(last_option);
        raw.spot = raw.spots.get(&Field::Stem).cloned().or_else(|| Some(self.spot(r, 0)));
        raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_as_in_excel() {
        assert_eq!([column(0), column(3), column(25), column(26), column(27)], ["A", "D", "Z", "AA", "AB"]);
        assert_eq!(field_of("选项C"), Ok(Some(Field::Option(2))));
        assert_eq!(field_of("*法律依据"), Ok(Some(Field::Basis)));
        assert_eq!(field_of("选项I"), Err(()));
    }
}
