//! `pufa import template`: the Excel template for questions, with its header row, one example per type that
//! imports as it is, a note on each column's header and a sheet explaining the columns.

use std::path::Path;

use anyhow::Context;
use rust_xlsxwriter::{Format, Note, Workbook};

use crate::i18n::{fill, t, Lang};

/// The columns of the template, in order, with the key of the note explaining each.
pub const COLUMNS: [(&str, &str); 15] = [
    ("题型", "import.template.type"),
    ("题干", "import.template.stem"),
    ("选项A", "import.template.option"),
    ("选项B", "import.template.option"),
    ("选项C", "import.template.option"),
    ("选项D", "import.template.option"),
    ("选项E", "import.template.option"),
    ("选项F", "import.template.option"),
    ("选项G", "import.template.option"),
    ("选项H", "import.template.option"),
    ("答案", "import.template.answer"),
    ("解析", "import.template.explanation"),
    ("依据", "import.template.basis"),
    ("标签", "import.template.tags"),
    ("编号", "import.template.id"),
];

/// One example per type: 题型, 题干, options A–D, 答案, 解析, 依据, 标签 (the sample data of the format, as in
/// quizzes/README.md).
const EXAMPLES: [[&str; 9]; 3] = [
    [
        "单选",
        "我国的根本制度是（ ）。",
        "人民代表大会制度",
        "社会主义制度",
        "民族区域自治制度",
        "",
        "B",
        "宪法第一条第二款规定：社会主义制度是中华人民共和国的根本制度。",
        "《中华人民共和国宪法》第一条",
    ],
    [
        "多选",
        "下列属于公民基本权利的有（ ）。",
        "选举权和被选举权",
        "言论自由",
        "受教育的权利",
        "依法纳税",
        "ABC",
        "依法纳税是公民的基本义务，不是权利。",
        "《中华人民共和国宪法》第三十四条、第三十五条、第四十六条",
    ],
    [
        "判断",
        "中华人民共和国公民在法律面前一律平等。",
        "",
        "",
        "",
        "",
        "正确",
        "宪法第三十三条第二款规定：中华人民共和国公民在法律面前一律平等。",
        "《中华人民共和国宪法》第三十三条",
    ],
];

/// Writes the template to `output`.
pub fn write(output: &Path, lang: Lang) -> anyhow::Result<()> {
    let name = output.display().to_string();
    let failed = || fill(t(lang, "import.write_failed"), &[("file", &name)]);
    std::fs::write(output, workbook(lang)?).with_context(failed)?;
    eprintln!("{}", fill(t(lang, "import.template.written"), &[("file", &name)]));
    Ok(())
}

/// The template as an .xlsx file's bytes (also offered for download on the organizer pages).
pub fn workbook(lang: Lang) -> anyhow::Result<Vec<u8>> {
    let failed = || t(lang, "error.internal").to_string();
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name(t(lang, "import.template.sheet")).with_context(failed)?;
    for (c, (title, key)) in COLUMNS.iter().enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(0, c, *title, &bold).with_context(failed)?;
        let note = Note::new(fill(t(lang, key), &[("column", title)])).set_author("pufa");
        sheet.insert_note(0, c, &note).with_context(failed)?;
        let width = match *title {
            "题干" | "解析" | "依据" => 40.0,
            "题型" | "答案" => 8.0,
            _ => 16.0,
        };
        sheet.set_column_width(c, width).with_context(failed)?;
    }
    for (r, row) in EXAMPLES.iter().enumerate() {
        let r = r as u32 + 1;
        // Columns: 题型 题干 A B C D … 答案 (10) 解析 (11) 依据 (12) 标签 (13).
        let cols = [0u16, 1, 2, 3, 4, 5, 10, 11, 12];
        for (value, c) in row.iter().zip(cols) {
            if !value.is_empty() {
                sheet.write_string(r, c, *value).with_context(failed)?;
            }
        }
        sheet.write_string(r, 13, "宪法").with_context(failed)?;
    }
    sheet.set_freeze_panes(1, 0).with_context(failed)?;

    let help = book.add_worksheet();
    help.set_name(t(lang, "import.template.help_sheet")).with_context(failed)?;
    help.set_column_width(0, 100.0).with_context(failed)?;
    help.write_string_with_format(0, 0, t(lang, "import.template.help_title"), &bold).with_context(failed)?;
    let mut seen = Vec::new();
    for (title, key) in COLUMNS {
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let column = if key == "import.template.option" { "选项A … 选项H" } else { title };
        let line = format!("{column} — {}", fill(t(lang, key), &[("column", column)]));
        help.write_string(seen.len() as u32, 0, line).with_context(failed)?;
    }
    book.save_to_buffer().with_context(failed)
}
