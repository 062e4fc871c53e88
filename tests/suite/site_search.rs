//! The static search index finds Chinese terms (issue 2) and shows what a reader needs on a phone (issue 15): a
//! two-character query returns exactly the pages holding it, title matches first; a result shows the text
//! around its first match with the terms marked and links to the nearest 第X条; a query no page holds whole
//! shows the pages holding most of it, marked partial; one character asks for two. `static/search.js` must give
//! the same results, links and excerpts as the Rust lookup, and fetch only what it shows.

use std::path::{Path, PathBuf};

use pufa::site::search::{search_dir, Shown};
use pufa::site::{build, BuildOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites").join(name)
}

/// Titles of the fixture pages whose title or body contains `term`, read from the markdown sources.
fn pages_containing(site: &Path, term: &str) -> Vec<String> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(site.join("content")) {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy();
        if !name.ends_with(".md") || name == "_index.md" {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let (front, body) = text.trim_start_matches("---\n").split_once("\n---\n").unwrap();
        let title = front.lines().find_map(|l| l.strip_prefix("title: ")).unwrap().to_string();
        if title.contains(term) || body.contains(term) {
            out.push(title);
        }
    }
    out.sort();
    out
}

fn found(out: &Path, query: &str) -> Vec<Shown> {
    search_dir(out, query).unwrap().unwrap_or_else(|| panic!("{query}: asked for a longer query"))
}

fn titles(shown: &[Shown]) -> Vec<String> {
    shown.iter().map(|s| s.entry.title.clone()).collect()
}

/// The good fixture with law texts added: a long one (articles over several blocks), one about fraud, one
/// citing a standard, and an English one.
pub(crate) fn law_site() -> (tempfile::TempDir, PathBuf) {
    let (dir, site) = crate::common::site::copied_fixture("good");
    let mut law =
        String::from("---\ntitle: 中华人民共和国民法典（节选）\ndate: 2024-05-01\n---\n## 第七编　侵权责任\n\n");
    for n in 1..=60 {
        let words = "行为人因过错侵害他人民事权益造成损害的，应当承担侵权责任。".repeat(3);
        law += &format!("第{}条　{words}\n\n", numeral(n));
    }
    law += "第一千二百五十四条　禁止从建筑物中抛掷物品（高空抛物）。从建筑物中抛掷物品或者从建筑物上坠落的物品造成他人损害的，由侵权人依法承担侵权责任。\n";
    std::fs::write(site.join("content/minfa/minfadian.md"), law).unwrap();
    std::fs::write(
        site.join("content/xianfa/fanzha.md"),
        "---\ntitle: 防范电信网络诈骗\n---\n电信网络诈骗是指以非法占有为目的，利用电信网络技术手段骗取公私财物的行为。\n",
    )
    .unwrap();
    std::fs::write(
        site.join("content/xianfa/biaozhun.md"),
        "---\ntitle: 网络安全等级保护\n---\n依照 GB/T 22239-2019《信息安全技术》，2024 年起开展测评。\n",
    )
    .unwrap();
    std::fs::write(
        site.join("content/xianfa/english.md"),
        "---\ntitle: The Constitution in English\n---\nThe People's Republic of China is a socialist state.\n",
    )
    .unwrap();
    // Enough short pages on one subject for more results than one screen shows.
    for n in 0..12 {
        let text = format!("---\ntitle: 法治宣传短文{n}\n---\n第{n}篇法治宣传短文。\n");
        std::fs::write(site.join(format!("content/xianfa/duanwen{n}.md")), text).unwrap();
    }
    let out = dir.path().join("public");
    build(&BuildOptions::new(&site, Some(&out))).unwrap_or_else(|e| panic!("{e}"));
    (dir, out)
}

/// 1 to 99 in Chinese numerals, as law texts number their articles.
fn numeral(n: u32) -> String {
    const DIGITS: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => DIGITS[n as usize].to_string(),
        10..=19 => format!("十{}", DIGITS[n as usize % 10]),
        _ => format!("{}十{}", DIGITS[n as usize / 10], DIGITS[n as usize % 10]),
    }
}

#[test]
fn two_character_queries_find_exactly_the_pages_holding_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let site = fixture("good");
    build(&BuildOptions::new(&site, Some(&out))).unwrap_or_else(|e| panic!("{e}"));
    // 宪法 is in titles and bodies; 彩礼 only in one body; 宣誓 in a title.
    for term in ["宪法", "彩礼", "宣誓", "婚姻"] {
        let mut got = titles(&found(&out, term));
        got.sort();
        assert_eq!(got, pages_containing(&site, term), "query {term}");
    }
    assert_eq!(pages_containing(&site, "彩礼").len(), 1);
    assert!(pages_containing(&site, "宪法").len() >= 3);
    assert!(found(&out, "刑法").is_empty());
}

#[test]
fn title_hits_rank_first_and_rows_carry_section_and_date() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&BuildOptions::new(&fixture("good"), Some(&out))).unwrap_or_else(|e| panic!("{e}"));
    let hits = found(&out, "宪法");
    // Pages with 宪法 in the title come before the page that only mentions it in its body.
    let first_body_only = hits.iter().position(|p| !p.entry.title.contains("宪法")).unwrap_or(hits.len());
    assert!(hits[..first_body_only].iter().all(|p| p.entry.title.contains("宪法")));
    assert!(hits[first_body_only..].iter().all(|p| !p.entry.title.contains("宪法")));
    let root = hits.iter().find(|p| p.entry.url == "/xianfa/a/").unwrap();
    assert_eq!((root.entry.section.as_str(), root.entry.date.as_str()), ("宪法学习", "2024年12月4日"));
    // A multi-bigram query needs all of its bigrams.
    let phrase = found(&out, "彩礼返还");
    assert_eq!(titles(&phrase).len(), 1);
    assert_eq!(phrase[0].entry.url, "/minfa/婚姻家庭/");
    assert!(!phrase[0].partial);
}

#[test]
fn a_result_shows_its_match_marked_and_links_to_the_nearest_article() {
    let (_dir, out) = law_site();
    let hits = found(&out, "抛掷物品");
    assert_eq!(titles(&hits), ["中华人民共和国民法典（节选）"]);
    let hit = &hits[0];
    // The article is deep in a long text: the excerpt comes from its block, the link goes to it.
    assert_eq!(hit.url, "/minfa/minfadian/#第一千二百五十四条");
    let marked: Vec<&str> = hit.excerpt.parts.iter().filter(|p| p.1).map(|p| p.0.as_str()).collect();
    // 物品 alone is one of the query's bigrams too.
    assert_eq!(marked, ["抛掷物品", "抛掷物品", "物品"], "{:?}", hit.excerpt.parts);
    let shown: String = hit.excerpt.parts.iter().map(|p| p.0.as_str()).collect();
    assert!(shown.starts_with("第一千二百五十四条　禁止从建筑物中"), "{shown}");
    assert!(shown.chars().count() <= 102, "{shown}");
    // One text file a page, a JSON array of small blocks (a result fetches one); the long text has several.
    let table: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("search/pages.json")).unwrap()).unwrap();
    let (mut files, mut most) = (0, 0);
    for e in walkdir::WalkDir::new(out.join("search/t")).into_iter().map(Result::unwrap) {
        if e.file_type().is_file() {
            files += 1;
            let blocks: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap();
            assert!(blocks.iter().all(|b| b.to_string().len() < 8_000), "{:?}", e.path());
            most = most.max(blocks.len());
        }
    }
    assert_eq!(files, table["pages"].as_u64().unwrap(), "a file a page");
    assert!(most >= 4, "{most}");
}

#[test]
fn a_query_no_page_holds_whole_shows_the_pages_holding_most_of_it() {
    let (_dir, out) = law_site();
    // The articles say 电信网络诈骗.
    let hits = found(&out, "电信诈骗");
    assert_eq!(titles(&hits), ["防范电信网络诈骗"]);
    assert!(hits[0].partial);
    let hits = found(&out, "高空抛物谁来赔");
    assert_eq!(titles(&hits), ["中华人民共和国民法典（节选）"]);
    assert!(hits[0].partial);
    let hits = found(&out, "从建筑物中抛掷物品谁来赔");
    assert_eq!(titles(&hits), ["中华人民共和国民法典（节选）"]);
    assert!(hits[0].partial);
    // A whole match is never marked partial.
    assert!(found(&out, "电信网络诈骗").iter().all(|h| !h.partial));
}

#[test]
fn single_characters_ask_for_two_and_words_digits_and_codes_are_found() {
    let (_dir, out) = law_site();
    for q in ["法", " 法 ", "a"] {
        assert!(search_dir(&out, q).unwrap().is_none(), "{q:?}");
    }
    assert_eq!(titles(&found(&out, "GB/T")), ["网络安全等级保护"]);
    assert_eq!(titles(&found(&out, "2024 测评")), ["网络安全等级保护"]);
    assert_eq!(titles(&found(&out, "22239")), ["网络安全等级保护"]);
    assert_eq!(titles(&found(&out, "SOCIALIST state")), ["The Constitution in English"]);
    let hits = found(&out, "constitution");
    assert_eq!(hits[0].entry.title, "The Constitution in English");
    assert!(hits[0].excerpt.parts.is_empty() || hits[0].excerpt.parts.iter().all(|p| !p.0.is_empty()));
}

/// Runs the browser's `search.js` under Node against the index of `out`.
fn search_js(out: &Path, query: &str) -> serde_json::Value {
    search_js_with(out, query, &[])
}

/// The same with the harness's options in `env`: `OLD_TEMPLATE`, as in a site's own search.html without the
/// attributes of partial matches and paging; `IGNORE_RANGES`, as served by a server that ignores ranges.
fn search_js_with(out: &Path, query: &str, env: &[&str]) -> serde_json::Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut node = std::process::Command::new("node");
    for name in env {
        node.env(name, "1");
    }
    let run = node
        .arg(root.join("tests/fixtures/sites/search_harness.js"))
        .arg(root.join("themes/default/static/search.js"))
        .arg(out)
        .arg(query)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    serde_json::from_slice(&run.stdout).unwrap()
}

/// `search.js` under Node must show the same pages in the same order as the Rust lookup, with the same links,
/// excerpts and partial marks, so the two stay a faithful port of each other; and it fetches only the shards of
/// the query and the rows and blocks of what it shows.
#[test]
fn search_js_agrees_with_the_rust_lookup() {
    if std::process::Command::new("node").arg("--version").output().is_err() {
        // No silent skips: CI installs Node (issue 16).
        assert!(std::env::var_os("CI").is_none(), "CI is set but node is not installed");
        eprintln!("node not installed: skipping the search.js comparison");
        return;
    }
    let (_dir, out) = law_site();
    let queries = [
        "宪法",
        "彩礼返还",
        "宣誓 宪法",
        "刑法",
        "BV1xx411c7mD 诈骗",
        "抛掷物品",
        "电信诈骗",
        "从建筑物中抛掷物品谁来赔",
        "侵权责任",
        "法治宣传",
        "GB/T",
        "Socialist STATE",
        "法",
        "constructor",
    ];
    for query in queries {
        let js = search_js(&out, query);
        let Some(rust) = search_dir(&out, query).unwrap() else {
            assert_eq!(js["status"], "SHORT", "query {query}");
            continue;
        };
        let shown: Vec<serde_json::Value> = rust
            .iter()
            .take(10)
            .map(|s| {
                serde_json::json!({"title": s.entry.title, "url": s.url, "parts": s.excerpt.parts, "partial": s.partial})
            })
            .collect();
        assert_eq!(js["shown"], serde_json::Value::Array(shown), "query {query}");
        assert_eq!(js["more"], rust.len() > 10, "query {query}");
        let status = match (rust.is_empty(), rust.first().is_some_and(|s| s.partial)) {
            (true, _) => "NONE".to_string(),
            (false, true) => format!("PARTIAL {}", rust.len()),
            (false, false) => rust.len().to_string(),
        };
        assert_eq!(js["status"], status, "query {query}");
        // Only the query's own shards, and one block per shown result, by byte range.
        let fetched: Vec<&str> = js["fetched"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
        let blocks: Vec<&&str> = fetched.iter().filter(|f| f.starts_with("/search/t/")).collect();
        assert_eq!(blocks.len(), rust.len().min(10), "query {query}: {fetched:?}");
        assert!(blocks.iter().all(|f| f.contains(".json bytes=")), "query {query}: {fetched:?}");
        // A server that ignores ranges sends whole text files: the same results.
        let whole = search_js_with(&out, query, &["IGNORE_RANGES"]);
        assert_eq!((&whole["shown"], &whole["status"]), (&js["shown"], &js["status"]), "query {query}, no ranges");
        let shards = fetched.iter().filter(|f| f.starts_with("/search/s/")).count();
        assert!(shards <= pufa::site::search::query_tokens(query).len(), "query {query}: {fetched:?}");
    }
    // A site's own older search.html still shows partial matches and more results, with the plain count.
    let old = search_js_with(&out, "电信诈骗", &["OLD_TEMPLATE"]);
    assert_eq!((&old["status"], old["shown"].as_array().unwrap().len()), (&serde_json::json!("1"), 1), "{old}");
    let old = search_js_with(&out, "法治宣传", &["OLD_TEMPLATE"]);
    assert_eq!((old["shown"].as_array().unwrap().len(), &old["more"]), (10, &serde_json::json!(true)));
    // Twelve results: ten shown, and a button for the rest.
    let many = search_js(&out, "法治宣传");
    assert_eq!((many["shown"].as_array().unwrap().len(), &many["more"]), (10, &serde_json::json!(true)));
}
