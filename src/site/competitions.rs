//! Competition landing pages (`/competitions/` and `/competitions/{id}/`): what the contest is, when it runs,
//! and a link "进入竞赛" to the competition server, which does the rest; the list also links the surveys (民意测评).

use std::path::Path;

use serde::Serialize;

use super::output::Output;
use super::render::Renderer;
use super::views;
use super::BuildError;
use crate::diag::Diagnostic;
use crate::i18n;
use crate::quiz::survey::Survey;
use crate::quiz::{Competition, OrgKind, QuizSet};

#[derive(Serialize)]
struct CompetitionView<'a> {
    id: &'a str,
    title: &'a str,
    description: &'a str,
    url: String,
    opens: String,
    closes: String,
    time_limit: String,
    questions: usize,
    enter_url: String,
    /// RFC 3339, for the script that tells 未开始 / 进行中 / 已结束 when the page is read (the page is built once).
    opens_at: String,
    closes_at: String,
    /// Who may take part: 学校、企业, or 所有单位.
    who: String,
    attempts: u32,
}

fn kind_key(k: OrgKind) -> &'static str {
    match k {
        OrgKind::School => "quiz.org_kind.school",
        OrgKind::Enterprise => "quiz.org_kind.enterprise",
        OrgKind::Other => "quiz.org_kind.other",
    }
}

/// Who may take part in `c`, in words.
fn who(r: &Renderer<'_>, c: &Competition) -> String {
    match &c.kinds {
        None => i18n::t(r.lang, "site.who_all").to_string(),
        Some(kinds) => {
            let names: Vec<&str> = kinds.iter().map(|k| i18n::t(r.lang, kind_key(*k))).collect();
            names.join(i18n::t(r.lang, "site.list_sep"))
        }
    }
}

fn when(r: &Renderer<'_>, d: &chrono::DateTime<chrono::FixedOffset>) -> String {
    format!("{} {}", views::date_text(r.lang, d), d.format("%H:%M"))
}

fn view<'a>(r: &Renderer<'_>, c: &'a Competition) -> CompetitionView<'a> {
    let minutes = c.time_limit.as_secs().div_ceil(60);
    CompetitionView {
        id: &c.id,
        title: &c.title,
        description: &c.description,
        url: format!("/competitions/{}/", c.id),
        opens: when(r, &c.opens),
        closes: when(r, &c.closes),
        time_limit: i18n::fill(i18n::t(r.lang, "site.minutes"), &[("n", &minutes.to_string())]),
        questions: c.draw.iter().map(|d| d.count).sum(),
        enter_url: format!("{}/quiz/{}/", r.config.quiz_base(), c.id),
        opens_at: c.opens.to_rfc3339(),
        closes_at: c.closes.to_rfc3339(),
        who: who(r, c),
        attempts: c.attempts,
    }
}

/// A survey (民意测评) in the list: its page is on the competition server.
#[derive(Serialize)]
struct SurveyView<'a> {
    title: &'a str,
    url: String,
    opens: String,
    closes: String,
    opens_at: String,
    closes_at: String,
}

/// The surveys, latest opening first.
fn surveys<'a>(r: &Renderer<'_>, set: &'a QuizSet) -> Vec<SurveyView<'a>> {
    let mut list: Vec<&Survey> = set.surveys.values().collect();
    list.sort_by(|a, b| b.opens.cmp(&a.opens).then(a.id.cmp(&b.id)));
    list.into_iter()
        .map(|s| SurveyView {
            title: &s.title,
            url: format!("{}/survey/{}/", r.config.quiz_base(), s.id),
            opens: when(r, &s.opens),
            closes: when(r, &s.closes),
            opens_at: s.opens.to_rfc3339(),
            closes_at: s.closes.to_rfc3339(),
        })
        .collect()
}

/// The competitions in the order of the list page: latest opening first.
fn ordered(set: &QuizSet) -> Vec<&Competition> {
    let mut comps: Vec<&Competition> = set.competitions.values().collect();
    comps.sort_by(|a, b| b.opens.cmp(&a.opens).then(a.id.cmp(&b.id)));
    comps
}

/// The ids of the competitions in the order of the list page.
pub fn ids(set: &QuizSet) -> Vec<String> {
    ordered(set).into_iter().map(|c| c.id.clone()).collect()
}

/// Writes the competition list and one landing page per competition.
pub fn render(r: &Renderer<'_>, set: &QuizSet, out: &Output) -> Result<Vec<Diagnostic>, BuildError> {
    let mut diags = Vec::new();
    let comps = ordered(set);
    let list: Vec<CompetitionView<'_>> = comps.into_iter().map(|c| view(r, c)).collect();
    let source = Path::new("templates");
    for c in list.iter().filter(|c| out.wants(&super::output::file_for(&c.url))) {
        let mut ctx = r.base.clone();
        ctx.insert("competition", c);
        match r.render("competition.html", &ctx, &source.join("competition.html")) {
            Ok(html) => out.write_page(&c.url, &html)?,
            Err(d) => diags.push(d),
        }
    }
    if !out.wants("competitions/index.html") {
        return Ok(diags);
    }
    let mut ctx = r.base.clone();
    ctx.insert("competitions", &list);
    ctx.insert("surveys", &surveys(r, set));
    // The suggestion box lives on the competition server too.
    ctx.insert("quiz_base", &r.config.quiz_base());
    match r.render("competitions.html", &ctx, &source.join("competitions.html")) {
        Ok(html) => out.write_page("/competitions/", &html)?,
        Err(d) => diags.push(d),
    }
    Ok(diags)
}
