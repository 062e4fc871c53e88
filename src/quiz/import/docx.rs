//! Word (.docx) documents: the text of each paragraph of word/document.xml, in order, for the text reader.
//! Runs are joined, tabs kept, line breaks (Shift+Enter) become new lines within the paragraph.

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

/// The paragraphs' texts; an error says why the file is no readable Word document.
pub fn paragraphs(bytes: &[u8]) -> Result<Vec<String>, String> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("not a readable Word document (.docx) ({e})"))?;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|e| format!("not a readable Word document (.docx) ({e})"))?
        .read_to_string(&mut xml)
        .map_err(|e| format!("not a readable Word document (.docx) ({e})"))?;
    let mut reader = Reader::from_str(&xml);
    let mut out = Vec::new();
    let mut para: Option<String> = None;
    let mut in_text = false;
    loop {
        let event = reader.read_event().map_err(|e| format!("word/document.xml is malformed ({e})"))?;
        match event {
            Event::Start(e) if e.name().as_ref() == "w:p" => para = Some(String::new()),
            Event::Empty(e) if e.name().as_ref() == "w:p" => out.push(String::new()),
            Event::End(e) if e.name().as_ref() == "w:p" => out.extend(para.take()),
            Event::Start(e) if e.name().as_ref() == "w:t" => in_text = true,
            Event::End(e) if e.name().as_ref() == "w:t" => in_text = false,
            Event::Empty(e) => {
                let add = match e.name().as_ref() {
                    "w:tab" => "\t",
                    "w:br" | "w:cr" => "\n",
                    _ => "",
                };
                if let Some(p) = para.as_mut() {
                    p.push_str(add);
                }
            }
            Event::Text(t) if in_text => {
                if let Some(p) = para.as_mut() {
                    p.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if in_text => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match r.xml10_content().as_ref() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                if let (Some(p), Some(c)) = (para.as_mut(), c) {
                    p.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}
