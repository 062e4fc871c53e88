//! A page's text cut into blocks of about 3 KB for search excerpts: a posting names the block where its token
//! first occurs, so a shown result fetches that one block, not the page's whole text (a law such as the 民法典
//! has 300 KB of it). A block knows the anchors (第X条, headings) in it and the one in effect where it starts, so
//! a result links to the article nearest its match.
//!
//! A page's blocks are one file, `search/t/K/EY.json`, a JSON array of them (see [`text_file`]); the page table
//! gives each block's length in bytes, and the search page fetches a block by byte range (an HTTP `Range`
//! request, which static servers answer with only those bytes). A server that ignores ranges sends the whole
//! file, from which the block is taken. A file a page instead of one a block: 3,500 long law texts made 22,681
//! block files, whose opening and closing were a tenth of the build's CPU time.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// A block ends at the first line end after this many bytes (about 1,000 Chinese characters); a longer line is
/// cut at a character boundary.
pub const BLOCK_BYTES: usize = 3000;

/// Characters shown before the first match (fewer when a paragraph starts closer to it).
const LEAD: usize = 20;

/// Characters an excerpt shows in all.
const LENGTH: usize = 100;

/// One block of a page's text file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block<'a> {
    /// The text; paragraphs end with `\n`. Borrowed from the page's text while the build writes it.
    pub t: Cow<'a, str>,
    /// Anchors in it as (character offset in `t`, id), in order; one at 0 is the anchor in effect where the
    /// block starts (an article begun in an earlier block).
    pub a: Vec<(usize, String)>,
}

/// The text file of the page whose key is `key` ([`super::PageEntry::key`]): in one of 16 folders by the key's
/// first digit, since thousands of files created in one folder wait on its lock.
pub fn text_file(key: &str) -> String {
    let (folder, rest) = key.split_at(1.min(key.len()));
    format!("search/t/{folder}/{rest}.json")
}

/// A page's text file: its blocks as a JSON array, `[b0,b1,…]`, and the length in bytes of each block's JSON.
pub fn text_json(blocks: &[Block<'_>]) -> (Vec<u8>, Vec<u32>) {
    let mut out = Vec::with_capacity(blocks.iter().map(|b| b.t.len() + 16).sum::<usize>() + 2);
    let mut lens = Vec::with_capacity(blocks.len());
    out.push(b'[');
    for (n, block) in blocks.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        let start = out.len();
        serde_json::to_writer(&mut out, block).expect("a search block serialises");
        lens.push((out.len() - start) as u32);
    }
    out.push(b']');
    (out, lens)
}

/// The bytes of block `n` in a text file whose blocks are `lens` bytes long ([`text_json`]); None past the last.
pub fn block_range(lens: &[u32], n: usize) -> Option<std::ops::Range<usize>> {
    let len = *lens.get(n)? as usize;
    let start = 1 + n + lens[..n].iter().map(|&l| l as usize).sum::<usize>();
    Some(start..start + len)
}

/// The key of the page read from content path `source`.
pub fn page_key(source: &str) -> String {
    format!("{:012x}", xxhash_rust::xxh3::xxh3_64(source.as_bytes()) >> 16)
}

/// The byte offsets in `text` where its blocks start; the first is 0, so even an empty text has one block. A
/// block ends after the first line end at least [`BLOCK_BYTES`] into it, or where a line runs on for twice as
/// many. Lines are found with `memchr` (a loop over every byte of every page was a percent of the build).
pub fn starts(text: &str) -> Vec<usize> {
    let len = text.len();
    let mut out = vec![0];
    let mut block_start = 0;
    let mut pos = 0;
    while pos < len {
        let end = memchr::memchr(b'\n', &text.as_bytes()[pos..]).map_or(len, |k| pos + k);
        // One very long line: cut it where the block is full, at the next character.
        let mut cut = (block_start + 2 * BLOCK_BYTES).max(pos);
        while let Some(at) = (cut..end).find(|&i| text.is_char_boundary(i)) {
            out.push(at);
            block_start = at;
            cut = at + 2 * BLOCK_BYTES;
        }
        let next = end + 1;
        if next < len && next - block_start >= BLOCK_BYTES {
            out.push(next);
            block_start = next;
        }
        pos = next;
    }
    out
}

/// The block of byte offset `at`, given the [`starts`] of the text.
pub fn block_of(starts: &[usize], at: usize) -> usize {
    starts.partition_point(|&s| s <= at).saturating_sub(1)
}

/// The blocks of `text`, cut at `starts`, with `anchors` given as (byte offset in `text`, id) in order.
pub fn blocks<'a>(text: &'a str, starts: &[usize], anchors: &[(usize, String)]) -> Vec<Block<'a>> {
    let mut out = Vec::with_capacity(starts.len());
    let mut next = 0;
    let mut last: Option<&str> = None;
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(text.len());
        let mut a = Vec::new();
        if let Some(id) = last.filter(|_| anchors.get(next).is_none_or(|(at, _)| *at > start)) {
            a.push((0, id.to_string()));
        }
        // Character offsets, counted on from the last anchor's.
        let mut counted = (start, 0);
        while let Some((at, id)) = anchors.get(next).filter(|(at, _)| *at < end) {
            let at = (*at).max(start);
            counted = (at, counted.1 + text[counted.0..at].chars().count());
            a.push((counted.1, id.clone()));
            last = Some(id);
            next += 1;
        }
        out.push(Block { t: Cow::Borrowed(&text[start..end]), a });
    }
    out
}

/// What a result shows of its page: the text around the first match, the matches marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excerpt {
    /// (text, marked) in order; an ellipsis stands where text was cut.
    pub parts: Vec<(String, bool)>,
    /// The anchor in effect at the first match, for the result's link.
    pub anchor: Option<String>,
}

/// A character as matching compares it: lowercase when that is one character.
fn fold(c: char) -> char {
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(one), None) => one,
        _ => c,
    }
}

/// The excerpt of `block` for a query's `tokens`: from a little before the first match (or the block's start
/// when none is in it), every occurrence of a token marked.
pub fn excerpt(block: &Block<'_>, tokens: &[String]) -> Excerpt {
    let chars: Vec<char> = block.t.chars().collect();
    let folded: Vec<char> = chars.iter().map(|&c| fold(c)).collect();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for tok in tokens {
        let tok: Vec<char> = tok.chars().collect();
        if tok.is_empty() || tok.len() > folded.len() {
            continue;
        }
        for i in 0..=folded.len() - tok.len() {
            if folded[i..i + tok.len()] == tok[..] {
                spans.push((i, i + tok.len()));
            }
        }
    }
    spans.sort_unstable();
    let first = spans.first().map_or(0, |s| s.0);
    let mut start = first.saturating_sub(LEAD);
    if let Some(p) = chars[start..first].iter().rposition(|&c| c == '\n') {
        start += p + 1;
    }
    let end = (start + LENGTH).min(chars.len());
    let shown = |from: usize, to: usize| -> String {
        chars[from..to].iter().map(|&c| if c == '\n' { ' ' } else { c }).collect()
    };
    let mut parts = Vec::new();
    if start > 0 && chars[start - 1] != '\n' {
        parts.push(("…".to_string(), false));
    }
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let mut pos = start;
    for (s, e) in merged {
        let (s, e) = (s.max(pos), e.min(end));
        if s >= e {
            continue;
        }
        if pos < s {
            parts.push((shown(pos, s), false));
        }
        parts.push((shown(s, e), true));
        pos = e;
    }
    if pos < end {
        parts.push((shown(pos, end), false));
    }
    if end < chars.len() {
        parts.push(("…".to_string(), false));
    }
    let anchor = block.a.iter().take_while(|(at, _)| *at <= first).last().map(|(_, id)| id.clone());
    Excerpt { parts, anchor }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    /// [`starts`] as a walk over every byte.
    fn starts_byte_by_byte(text: &str) -> Vec<usize> {
        let mut out = vec![0];
        let mut block_start = 0;
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                let next = i + 1;
                if next - block_start >= BLOCK_BYTES && next < text.len() {
                    out.push(next);
                    block_start = next;
                }
            } else if i - block_start >= 2 * BLOCK_BYTES && text.is_char_boundary(i) {
                out.push(i);
                block_start = i;
            }
        }
        out
    }

    #[test]
    fn starts_agree_with_a_walk_over_every_byte() {
        let pieces = ["宪法", "第一条　", "a", "\n", "\n\n", "𠀀", "é", &"法".repeat(700), &"x".repeat(2999)];
        let mut seed = 0x9e37_79b9_u64;
        for _ in 0..300 {
            let mut text = String::new();
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            for _ in 0..(seed >> 58) * 4 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            assert_eq!(starts(&text), starts_byte_by_byte(&text), "{} bytes", text.len());
        }
        for text in ["", "\n", "一\n", &"一".repeat(2001), &("一".repeat(1000) + "\n").repeat(9)] {
            assert_eq!(starts(text), starts_byte_by_byte(text), "{} bytes", text.len());
        }
    }

    #[test]
    fn blocks_end_at_line_ends_and_long_lines_are_cut() {
        let line = "一".repeat(400) + "\n"; // 1,201 bytes
        let text = line.repeat(6);
        let s = starts(&text);
        assert_eq!(
            s,
            vec![0, 3 * line.len(), 6 * line.len()].into_iter().filter(|&o| o < text.len()).collect::<Vec<_>>()
        );
        let long = "法".repeat(5000);
        let s = starts(&long);
        assert!(s.len() >= 2, "{s:?}");
        assert!(s.iter().all(|&o| long.is_char_boundary(o)));
        assert_eq!(starts(""), vec![0]);
        assert_eq!(block_of(&[0, 10, 20], 0), 0);
        assert_eq!(block_of(&[0, 10, 20], 10), 1);
        assert_eq!(block_of(&[0, 10, 20], 25), 2);
    }

    #[test]
    fn a_text_file_is_a_json_array_whose_blocks_are_found_by_their_lengths() {
        let text = "第一条　甲。\n第二条　\"引号\"与\\。\n丙。\n";
        let starts = [0, text.find("第二条").unwrap(), text.find("丙").unwrap()];
        let anchors = vec![(0, "第一条".to_string()), (starts[1], "第二条".to_string())];
        let blocks = blocks(text, &starts, &anchors);
        let (json, lens) = text_json(&blocks);
        let whole: Vec<Block<'_>> = serde_json::from_slice(&json).unwrap();
        assert_eq!(whole, blocks);
        for (n, block) in blocks.iter().enumerate() {
            let range = block_range(&lens, n).unwrap();
            assert_eq!(&serde_json::from_slice::<Block<'_>>(&json[range]).unwrap(), block, "block {n}");
        }
        assert_eq!(block_range(&lens, 3), None);
        assert_eq!(text_json(&[]), (b"[]".to_vec(), vec![]));
        assert_eq!(text_file("0123456789ab"), "search/t/0/123456789ab.json");
    }

    #[test]
    fn a_block_carries_the_article_in_effect_at_its_start() {
        let text = "第一条　甲。\n第二条　乙乙。\n丙丙丙。\n第三条　丁。\n";
        let second = text.find("丙").unwrap();
        let third = text.find("第三条").unwrap();
        let anchors = vec![
            (0, "第一条".to_string()),
            (text.find("第二条").unwrap(), "第二条".to_string()),
            (third, "第三条".to_string()),
        ];
        let b = blocks(text, &[0, second], &anchors);
        assert_eq!(b[0].a, vec![(0, "第一条".to_string()), (7, "第二条".to_string())]);
        assert_eq!(b[1].a, vec![(0, "第二条".to_string()), (5, "第三条".to_string())]);
        assert_eq!(b[0].t.len() + b[1].t.len(), text.len());
        // Nothing anchored: no anchors.
        assert_eq!(blocks("甲\n", &[0], &[])[0].a, vec![]);
    }

    #[test]
    fn an_excerpt_starts_near_the_first_match_and_marks_every_token() {
        let t = format!("{}第三十三条　凡具有中华人民共和国国籍的人都是中华人民共和国公民。\n", "前文".repeat(30));
        let at = t.chars().position(|c| c == '第').unwrap();
        let block =
            Block { t: t.clone().into(), a: vec![(0, "第三十二条".into()), (at, "第三十三条".into())] };
        let e = excerpt(&block, &toks(&["公民", "国籍"]));
        assert_eq!(e.anchor.as_deref(), Some("第三十三条"));
        assert_eq!(e.parts[0], ("…".to_string(), false));
        let marked: Vec<&str> = e.parts.iter().filter(|p| p.1).map(|p| p.0.as_str()).collect();
        assert_eq!(marked, ["国籍", "公民"]);
        let shown: String = e.parts.iter().map(|p| p.0.as_str()).collect();
        assert!(shown.contains("国籍的人"), "{shown}");
        // Overlapping bigrams of one phrase are one mark.
        let e = excerpt(&block, &toks(&["中华", "华人", "人民"]));
        assert!(e.parts.iter().any(|p| p == &("中华人民".to_string(), true)), "{:?}", e.parts);
        // No match in the block: its start, no anchor beyond the first.
        let e = excerpt(&block, &toks(&["刑法"]));
        assert_eq!(e.anchor.as_deref(), Some("第三十二条"));
        assert!(!e.parts.iter().any(|p| p.1));
        // Words match whatever their case.
        let e = excerpt(&Block { t: "Use the APP.\n".into(), a: vec![] }, &toks(&["app"]));
        assert!(e.parts.contains(&("APP".to_string(), true)), "{:?}", e.parts);
    }
}
