//! Survey pages: the form (works without JavaScript, 360 px wide), its thanks page, the QR code, the public
//! summary when the survey allows it, and the organizer's summary with bar charts and exports. Thin handlers over
//! `server::surveys`, which the JSON API shares.

use std::collections::BTreeMap;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Serialize;
use serde_json::Value;

use super::organizer::{signed_in, to_login};
use super::{cookies, error_page, no_store, page, qr, see_other, view};
use crate::i18n::{t, Lang};
use crate::quiz::survey::{summary::Summary, Survey, SurveyQuestionType, MAX_TEXT_CHARS};
use crate::server::attempts::Status;
use crate::server::survey_report::{self, file_name};
use crate::server::surveys::{self as service, ResponseRequest};
use crate::server::{ApiError, AppState};

/// The form's fields as sent: `organization`, `town`, `name`, `receipt` and `q_<question id>` (repeated for
/// multiple choice).
type Fields = Vec<(String, String)>;

/// One question as the form shows it, with what this browser sent last time (after a refusal).
#[derive(Debug, Serialize)]
struct QuestionView {
    id: String,
    kind: SurveyQuestionType,
    /// 单选, 多选, 评分, 填写.
    kind_label: String,
    stem: String,
    required: bool,
    /// Choices: (value, label, checked). Scale: the points with their labels.
    choices: Vec<(String, String, bool)>,
    text: String,
}

fn questions(s: &Survey, sent: &BTreeMap<String, Vec<String>>, lang: Lang) -> Vec<QuestionView> {
    s.questions
        .iter()
        .map(|q| {
            let mine = sent.get(&q.id).cloned().unwrap_or_default();
            let choices = match q.kind {
                SurveyQuestionType::Single | SurveyQuestionType::Multiple => {
                    q.options.iter().enumerate().map(|(i, o)| (view::letter(i), o.clone())).collect()
                }
                SurveyQuestionType::Scale => (1..=q.scale)
                    .map(|p| (p.to_string(), q.labels.get(p as usize - 1).cloned().unwrap_or_else(|| p.to_string())))
                    .collect(),
                SurveyQuestionType::Text => Vec::new(),
            };
            QuestionView {
                id: q.id.clone(),
                kind: q.kind,
                kind_label: t(lang, &format!("survey.kind.{}", kind_key(q.kind))).to_string(),
                stem: q.stem.clone(),
                required: q.required,
                choices: choices.into_iter().map(|(v, l)| (v.clone(), l, mine.contains(&v))).collect(),
                text: if q.kind == SurveyQuestionType::Text { mine.concat() } else { String::new() },
            }
        })
        .collect()
}

fn kind_key(kind: SurveyQuestionType) -> &'static str {
    match kind {
        SurveyQuestionType::Single => "single",
        SurveyQuestionType::Multiple => "multiple",
        SurveyQuestionType::Scale => "scale",
        SurveyQuestionType::Text => "text",
    }
}

/// The form, empty or with what was sent and why it was refused.
fn form_page(state: &AppState, s: &Survey, fields: &Fields, error: Option<String>, status: StatusCode) -> Response {
    let mut sent: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut one = BTreeMap::new();
    for (k, v) in fields {
        match k.strip_prefix("q_") {
            Some(id) => sent.entry(id.to_string()).or_default().push(v.clone()),
            None => drop(one.insert(k.as_str(), v.as_str())),
        }
    }
    let lang = state.lang;
    let mut ctx = state.pages.context(lang);
    ctx.insert("survey", s);
    ctx.insert("description", &s.description.lines().filter(|l| !l.trim().is_empty()).collect::<Vec<_>>());
    ctx.insert("state", &service::status(state, s));
    ctx.insert("closes", &view::when(lang, &s.closes));
    ctx.insert("opens", &view::when(lang, &s.opens));
    ctx.insert("questions", &questions(s, &sent, lang));
    ctx.insert("organizations", &org_groups(state));
    ctx.insert("form", &one);
    // A receipt chosen now: a form sent twice (a double tap, a retry on a bad line) is stored once.
    let receipt = one.get("receipt").filter(|r| service::is_receipt(r)).map(|r| r.to_string());
    ctx.insert("receipt", &receipt.unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string()));
    ctx.insert("error", &error);
    ctx.insert("max_text", &MAX_TEXT_CHARS);
    no_store(page(state, "survey.html", &ctx, status))
}

/// Organizations grouped by town, for the select.
fn org_groups(state: &AppState) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for o in &state.quizzes().organizations {
        let item = (o.id.clone(), o.name.clone());
        match out.iter_mut().find(|(town, _)| *town == o.town) {
            Some((_, list)) => list.push(item),
            None => out.push((o.town.clone(), vec![item])),
        }
    }
    out
}

pub(super) async fn add_slash(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    see_other(&state, &format!("/survey/{id}/"))
}

pub(super) async fn form(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let s = &match service::survey(&state, &id) {
        Ok(s) => s,
        Err(e) => return error_page(&state, e),
    };
    if cookies::get(&headers, &service::cookie_name(&s.id)).is_some() {
        return thanks_page(&state, s, true);
    }
    form_page(&state, s, &Vec::new(), None, StatusCode::OK)
}

pub(super) async fn submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let s = &match service::survey(&state, &id) {
        Ok(s) => s,
        Err(e) => return error_page(&state, e),
    };
    let fields = form.map(|f| f.0).unwrap_or_default();
    let req = request(s, &fields);
    let receipt = fields.iter().find(|(k, _)| k == "receipt").map(|(_, v)| v.clone());
    let device = cookies::get(&headers, &service::cookie_name(&s.id));
    match service::respond(&state, &id, req, device.as_deref(), receipt).await {
        Ok(receipt) => {
            let mut resp = see_other(&state, &format!("/survey/{}/thanks", s.id));
            if let Some(v) = service::device_cookie(&state, &headers, s, &receipt) {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
            no_store(resp)
        }
        Err(ApiError::AlreadyResponded) => thanks_page(&state, s, true),
        Err(e @ ApiError::Internal(_)) => error_page(&state, e),
        Err(e) => form_page(&state, s, &fields, Some(e.message(state.lang)), e.status()),
    }
}

/// The form's fields as the API's request: one string per single or text question, a list per multiple, a
/// number per scale point (text that is not a number is passed on and refused as an invalid answer).
fn request(s: &Survey, fields: &Fields) -> ResponseRequest {
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let mut answers = BTreeMap::new();
    for (k, v) in fields {
        let Some(id) = k.strip_prefix("q_") else { continue };
        let kind = s.question(id).map(|q| q.kind);
        let value = match kind {
            Some(SurveyQuestionType::Scale) => v.trim().parse::<u64>().map_or(Value::from(v.as_str()), Value::from),
            Some(SurveyQuestionType::Multiple) => {
                let mut list = match answers.remove(id) {
                    Some(Value::Array(a)) => a,
                    _ => Vec::new(),
                };
                list.push(Value::from(v.as_str()));
                Value::Array(list)
            }
            _ => Value::from(v.as_str()),
        };
        answers.insert(id.to_string(), value);
    }
    ResponseRequest { organization: get("organization"), town: get("town"), name: get("name"), answers }
}

pub(super) async fn thanks(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match service::survey(&state, &id) {
        Ok(s) => thanks_page(&state, &s, false),
        Err(e) => error_page(&state, e),
    }
}

fn thanks_page(state: &AppState, s: &Survey, again: bool) -> Response {
    let mut ctx = state.pages.context(state.lang);
    ctx.insert("survey", s);
    ctx.insert("again", &again);
    no_store(page(state, "survey_thanks.html", &ctx, StatusCode::OK))
}

/// One bar of a chart: its label, count, share as text and length in the chart's units (0–100).
#[derive(Debug, Serialize)]
struct Bar {
    label: String,
    count: usize,
    share: String,
    width: u32,
}

#[derive(Debug, Serialize)]
struct Chart {
    no: usize,
    stem: String,
    answered: usize,
    mean: Option<String>,
    satisfied: Option<String>,
    /// The chart's height in its units: 44 a bar.
    height: usize,
    bars: Vec<Bar>,
    texts: Vec<String>,
}

fn charts(s: &Survey, sum: &Summary) -> Vec<Chart> {
    s.questions
        .iter()
        .zip(&sum.questions)
        .enumerate()
        .map(|(i, (q, qs))| {
            let n = qs.answered as f64;
            let label = |k: usize, key: &str| match q.kind {
                SurveyQuestionType::Scale => q.labels.get(k).map_or(key.to_string(), |l| format!("{key} {l}")),
                _ => format!("{key}. {}", q.options.get(k).map_or("", String::as_str)),
            };
            let bars = qs
                .counts
                .iter()
                .enumerate()
                .map(|(k, (key, c))| Bar {
                    label: label(k, key),
                    count: *c,
                    share: view::percent(*c as f64, n),
                    width: view::bar_width(*c as f64, n),
                })
                .collect();
            Chart {
                no: i + 1,
                stem: q.stem.clone(),
                answered: qs.answered,
                mean: qs.mean.map(|m| format!("{m:.2}")),
                satisfied: qs.satisfied_share.map(|x| view::percent(x, 1.0)),
                height: 44 * qs.counts.len(),
                bars,
                texts: qs.texts.clone(),
            }
        })
        .collect()
}

/// A town's or organization's figures as the page shows them.
#[derive(Debug, Serialize)]
struct GroupView {
    name: String,
    responses: usize,
    mean: String,
    satisfied: String,
}

fn groups(list: &[crate::quiz::survey::summary::Group], name: impl Fn(&str) -> String) -> Vec<GroupView> {
    list.iter()
        .map(|g| GroupView {
            name: name(&g.key),
            responses: g.responses,
            mean: g.index.mean.map_or_else(|| "—".into(), |m| format!("{m:.2}")),
            satisfied: g.index.satisfied_share.map_or_else(|| "—".into(), |x| view::percent(x, 1.0)),
        })
        .collect()
}

async fn summary_page(state: &AppState, s: &Survey, headers: &HeaderMap, organizer: bool) -> Response {
    let sum = match organizer {
        true => service::summarize(state, s, false).await,
        false => service::public_summary(state, s).await.map(|c| Summary::clone(&c.board)),
    };
    let sum = match sum {
        Ok(sum) => sum,
        Err(e) => return error_page(state, e),
    };
    let org_name = |id: &str| state.quizzes().organization(id).map_or_else(|| id.to_string(), |o| o.name.clone());
    let mut ctx = state.pages.context(state.lang);
    ctx.insert("survey", s);
    ctx.insert("organizer", &organizer);
    ctx.insert("responses", &sum.responses);
    ctx.insert("index_mean", &sum.index.mean.map(|m| format!("{m:.2}")));
    ctx.insert("index_satisfied", &sum.index.satisfied_share.map(|x| view::percent(x, 1.0)));
    ctx.insert("charts", &charts(s, &sum));
    ctx.insert("towns", &groups(&sum.by_town, str::to_string));
    ctx.insert("organizations", &groups(&sum.by_organization, org_name));
    ctx.insert("link", &qr::address(&state.pages.config, headers, &format!("/survey/{}/", s.id)));
    ctx.insert("open", &(service::status(state, s) == Status::Open));
    no_store(page(state, "survey_summary.html", &ctx, StatusCode::OK))
}

/// The public summary, when the survey says so (without the free texts).
pub(super) async fn public_summary(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    match service::survey(&state, &id) {
        Ok(s) if s.public_summary => summary_page(&state, &s, &headers, false).await,
        Ok(_) => error_page(&state, ApiError::NotFound),
        Err(e) => error_page(&state, e),
    }
}

pub(super) async fn admin(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if !signed_in(&state, &headers) {
        return to_login(&state, &format!("/quiz/admin/survey/{id}"));
    }
    match service::survey(&state, &id) {
        Ok(s) => summary_page(&state, &s, &headers, true).await,
        Err(e) => error_page(&state, e),
    }
}

/// `responses.csv`, `summary.csv` or `survey.xlsx` of a survey, for a signed-in organizer.
pub(super) async fn export(
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if !signed_in(&state, &headers) {
        return to_login(&state, &format!("/quiz/admin/survey/{id}"));
    }
    let s = &match service::survey(&state, &id) {
        Ok(s) => s,
        Err(e) => return error_page(&state, e),
    };
    const CSV: &str = "text/csv; charset=utf-8";
    const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let (body, kind, name) = match file.as_str() {
        "responses.csv" => (survey_report::responses_csv(&state, s).await, CSV, file_name(&s.id, "responses", "csv")),
        "summary.csv" => (survey_report::summary_csv(&state, s).await, CSV, file_name(&s.id, "summary", "csv")),
        "survey.xlsx" => (survey_report::xlsx(&state, s).await, XLSX, file_name(&s.id, "all", "xlsx")),
        _ => return error_page(&state, ApiError::NotFound),
    };
    match body {
        Ok(body) => {
            let mut resp = ([(header::CONTENT_TYPE, kind)], body).into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
                resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
            }
            no_store(resp)
        }
        Err(e) => error_page(&state, e),
    }
}

/// The address phones open for a survey: the organizer's typed `?address=` on the poster, else as `qr::address`.
fn survey_link(state: &AppState, headers: &HeaderMap, s: &Survey, query: &qr::PosterQuery) -> String {
    match qr::typed_address(query) {
        Some(origin) => format!("{origin}{}/survey/{}/", state.pages.root(), s.id),
        None => qr::address(&state.pages.config, headers, &format!("/survey/{}/", s.id)),
    }
}

/// The QR code of the survey's address.
pub(super) async fn qr_svg(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<qr::PosterQuery>,
    headers: HeaderMap,
) -> Response {
    let Ok(s) = &service::survey(&state, &id) else {
        return error_page(&state, ApiError::UnknownSurvey);
    };
    qr::svg_response(&state, &survey_link(&state, &headers, s, &query))
}

/// A printable A4 poster of the survey: title, QR code, dates, how to answer. Refused, with what to do, when phones
/// could not open the link.
pub(super) async fn poster(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<qr::PosterQuery>,
    headers: HeaderMap,
) -> Response {
    let s = &match service::survey(&state, &id) {
        Ok(s) => s,
        Err(e) => return error_page(&state, e),
    };
    let link = survey_link(&state, &headers, s, &query);
    let typed = qr::typed_address(&query);
    let mut ctx = state.pages.context(state.lang);
    ctx.insert("survey", s);
    ctx.insert("opens", &view::when(state.lang, &s.opens));
    ctx.insert("closes", &view::when(state.lang, &s.closes));
    ctx.insert("link", &link);
    ctx.insert("local_only", &qr::local_only(&link));
    let qr = match &typed {
        Some(a) => format!("{}/survey/{}/qr.svg?address={}", state.pages.root(), s.id, qr::percent(a)),
        None => format!("{}/survey/{}/qr.svg", state.pages.root(), s.id),
    };
    ctx.insert("address", &typed.unwrap_or_default());
    ctx.insert("qr", &qr);
    page(&state, "survey_poster.html", &ctx, StatusCode::OK)
}
