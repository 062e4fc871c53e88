//! The participant's pages: landing with the join form, the questions, the submit, the result.
//! Every rule (eligibility, attempts, deadlines, grading) lives in `server::flow`; these only translate forms
//! to its calls and its answers to pages and redirects.

use std::collections::HashMap;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Form;
use serde::{Deserialize, Serialize};

use super::{cookies, error_page, no_store, page, qr, see_other, view};
use crate::i18n::{fill, t};
use crate::quiz::Competition;
use crate::server::attempts;
use crate::server::flow::{self, StartRequest};
use crate::server::{ApiError, AppState};

/// The join form, echoed back (escaped by the template) when it is refused.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct JoinForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    organization: String,
    #[serde(default)]
    group: String,
    /// 续答码, to continue on this device an attempt started on another.
    #[serde(default)]
    resume_code: String,
}

/// A link back to this browser's attempt at a competition: still running, or its result.
#[derive(Debug, Serialize)]
struct Resume {
    url: String,
    done: bool,
}

pub(super) async fn add_slash(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    if !state.quizzes().competitions.contains_key(&id) {
        return error_page(&state, ApiError::UnknownCompetition);
    }
    see_other(&state, &format!("/quiz/{id}/"))
}

/// The attempt remembered in this browser's cookie, when it belongs to `comp` and is still worth returning to.
async fn remembered(state: &AppState, headers: &HeaderMap, comp: &Competition) -> Option<Resume> {
    let id = cookies::get(headers, &cookies::attempt_name(&comp.id))?;
    let v = flow::resume(state, &id).await.ok()?;
    if v.competition != comp.id {
        return None;
    }
    if v.result.is_some() {
        return Some(Resume { url: format!("{}/quiz/a/{}/result", state.pages.root(), v.attempt), done: true });
    }
    let open = state.clock.now() <= v.deadline + chrono::Duration::from_std(flow::GRACE).unwrap_or_default();
    open.then(|| Resume { url: format!("{}/quiz/a/{}", state.pages.root(), v.attempt), done: false })
}

fn landing_page(
    state: &AppState,
    comp: &Competition,
    form: &JoinForm,
    error: Option<(bool, String)>,
    resume: Option<Resume>,
    status: StatusCode,
) -> Response {
    let mut ctx = state.pages.context(state.lang);
    ctx.insert("comp", &view::facts(comp, state.lang, attempts::status(state, comp)));
    ctx.insert("towns", &view::org_groups(&state.quizzes(), comp, state.lang));
    ctx.insert("form", form);
    ctx.insert("ask_code", &(!form.resume_code.is_empty() || error.as_ref().is_some_and(|(code, _)| *code)));
    ctx.insert("error", &error.map(|(_, message)| message));
    ctx.insert("resume", &resume);
    // The resume link depends on this browser's cookie: private to it.
    let mut resp = page(state, "landing.html", &ctx, status);
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    resp
}

pub(super) async fn landing(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let quizzes = state.quizzes();
    let Some(comp) = quizzes.competitions.get(&id) else {
        return error_page(&state, ApiError::UnknownCompetition);
    };
    let resume = remembered(&state, &headers, comp).await;
    landing_page(&state, comp, &JoinForm::default(), None, resume, StatusCode::OK)
}

pub(super) async fn join(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Result<Form<JoinForm>, FormRejection>,
) -> Response {
    let quizzes = state.quizzes();
    let Some(comp) = quizzes.competitions.get(&id) else {
        return error_page(&state, ApiError::UnknownCompetition);
    };
    // A form that cannot be read is treated as an empty one: the participant gets the form back with a message.
    let form = form.map(|f| f.0).unwrap_or_default();
    let req = StartRequest {
        name: form.name.clone(),
        organization: form.organization.clone(),
        group: form.group.clone(),
        resume_code: Some(form.resume_code.clone()),
    };
    let device = cookies::get(&headers, &cookies::attempt_name(&comp.id));
    match flow::start(&state, &id, req, device.as_deref()).await {
        Ok(started) => {
            let secure = cookies::is_https(&headers, &state.pages.config.base_url);
            let cookie = cookies::attempt(&state.pages.root(), &comp.id, &started.attempt, secure);
            let mut resp = see_other(&state, &format!("/quiz/a/{}", started.attempt));
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
            no_store(resp)
        }
        Err(e @ ApiError::Internal(_)) => error_page(&state, e),
        Err(e) => {
            let status = e.status();
            // Attempts used up: this device's earlier result, if it remembers one.
            let resume = match e {
                ApiError::AttemptsExhausted | ApiError::DailyLimit { .. } => remembered(&state, &headers, comp).await,
                _ => None,
            };
            // Refusals about a running attempt open the resume-code field.
            let about_code =
                matches!(e, ApiError::AttemptInProgress | ApiError::ResumeCodeWrong | ApiError::ResumeLocked);
            landing_page(&state, comp, &form, Some((about_code, e.message(state.lang))), resume, status)
        }
    }
}

/// Who is answering, as the question and result pages show it.
#[derive(Debug, Serialize)]
struct Who {
    name: String,
    organization: String,
    group: String,
}

fn who(state: &AppState, v: &flow::AttemptView) -> Who {
    let organization =
        state.quizzes().organization(&v.organization).map(|o| o.name.clone()).unwrap_or_else(|| v.organization.clone());
    Who { name: v.name.clone(), organization, group: v.group.clone() }
}

/// `?saved=1` after the no-JavaScript 保存 button.
#[derive(Debug, Default, Deserialize)]
pub(super) struct QuestionsQuery {
    #[serde(default)]
    saved: Option<String>,
}

pub(super) async fn questions(
    State(state): State<AppState>,
    Path(attempt): Path<String>,
    Query(query): Query<QuestionsQuery>,
) -> Response {
    let v = match flow::resume(&state, &attempt).await {
        Ok(v) => v,
        Err(e) => return error_page(&state, e),
    };
    if v.result.is_some() {
        return no_store(see_other(&state, &format!("/quiz/a/{}/result", v.attempt)));
    }
    let quizzes = state.quizzes();
    let comp = match flow::competition(&quizzes, &v.competition) {
        Ok(c) => c,
        Err(e) => return error_page(&state, e),
    };
    let lang = state.lang;
    let remaining = (v.deadline - state.clock.now()).num_seconds().max(0);
    let deadline_local = v.deadline.with_timezone(comp.opens.offset());
    let mut ctx = state.pages.context(lang);
    ctx.insert("comp", &view::facts(comp, lang, attempts::status(&state, comp)));
    ctx.insert("who", &who(&state, &v));
    ctx.insert("attempt", &v.attempt);
    ctx.insert("deadline", &v.deadline.to_rfc3339());
    ctx.insert("remaining", &remaining);
    ctx.insert("deadline_note", &fill(t(lang, "quiz.deadline_note"), &[("time", &view::when(lang, &deadline_local))]));
    ctx.insert("questions", &view::questions(&v.questions, &v.saved, lang));
    ctx.insert("resume_code", &v.resume_code);
    ctx.insert("saved", &query.saved.is_some());
    ctx.insert("total", &v.questions.len());
    ctx.insert("leaves", &super::campaign::leave_texts(lang, comp, v.leaves));
    no_store(page(&state, "attempt.html", &ctx, StatusCode::OK))
}

/// Form fields `q_<question id>` = letter, repeated for multiple choice; and `leaves`, the departures from the
/// page its script counted (0 without the script or when it does not read as a number).
fn answers(fields: Vec<(String, String)>) -> (HashMap<String, Vec<String>>, u32) {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    let mut leaves = 0;
    for (k, v) in fields {
        if let Some(id) = k.strip_prefix("q_") {
            out.entry(id.to_string()).or_default().push(v);
        } else if k == "leaves" {
            leaves = v.trim().parse().unwrap_or(0);
        }
    }
    (out, leaves)
}

pub(super) async fn submit(
    State(state): State<AppState>,
    Path(attempt): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let (answers, leaves) = answers(form.map(|f| f.0).unwrap_or_default());
    match flow::submit(&state, &attempt, answers, leaves).await {
        Ok(done) => no_store(see_other(&state, &format!("/quiz/a/{}/result", done.attempt))),
        Err(e) => error_page(&state, e),
    }
}

/// The 保存 button of the question page without JavaScript: saves what is ticked, back to the questions.
pub(super) async fn save(
    State(state): State<AppState>,
    Path(attempt): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let (answers, leaves) = answers(form.map(|f| f.0).unwrap_or_default());
    match flow::save(&state, &attempt, answers, leaves).await {
        Ok(s) if s.submitted => no_store(see_other(&state, &format!("/quiz/a/{attempt}/result"))),
        Ok(s) if s.saved => no_store(see_other(&state, &format!("/quiz/a/{attempt}?saved=1"))),
        // Submitted or past the deadline: the question page leads on to the result.
        Ok(_) => no_store(see_other(&state, &format!("/quiz/a/{attempt}"))),
        Err(e) => error_page(&state, e),
    }
}

pub(super) async fn result(State(state): State<AppState>, Path(attempt): Path<String>, headers: HeaderMap) -> Response {
    let mut v = match flow::resume(&state, &attempt).await {
        Ok(v) => v,
        Err(e) => return error_page(&state, e),
    };
    let Some(mut done) = v.result.take() else {
        return no_store(see_other(&state, &format!("/quiz/a/{}", v.attempt)));
    };
    crate::server::certificates::attach(&state, &headers, &mut done).await;
    let done = &done;
    let quizzes = state.quizzes();
    let comp = match flow::competition(&quizzes, &v.competition) {
        Ok(c) => c,
        Err(e) => return error_page(&state, e),
    };
    let lang = state.lang;
    let mut ctx = state.pages.context(lang);
    ctx.insert("comp", &view::facts(comp, lang, attempts::status(&state, comp)));
    ctx.insert("who", &who(&state, &v));
    ctx.insert("score", &done.score);
    ctx.insert("max_score", &done.max_score);
    ctx.insert("passed", &done.passed);
    ctx.insert("pass_score", &comp.pass_score);
    ctx.insert("certificate", &done.certificate);
    let root = state.pages.root();
    ctx.insert("results", &view::results(&v.questions, done, lang, |b| state.catalog.laws().link(b, &root)));
    let closes = view::when(lang, &comp.closes);
    ctx.insert("answers_later", &fill(t(lang, "quiz.answers_later"), &[("time", &closes)]));
    // The page's own address, to keep or print: the way back without the cookie.
    ctx.insert("result_url", &qr::address(&state.pages.config, &headers, &format!("/quiz/a/{}/result", v.attempt)));
    let open = attempts::status(&state, comp) == attempts::Status::Open;
    let today = super::campaign::result_note(&state, comp, &v).await;
    ctx.insert("again", &(open && v.number < comp.attempts && today.again));
    ctx.insert("campaign", &today);
    no_store(page(&state, "result.html", &ctx, StatusCode::OK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_become_answers_and_other_fields_are_ignored() {
        let f = |k: &str, v: &str| (k.to_string(), v.to_string());
        let (a, leaves) =
            answers(vec![f("q_m1", "A"), f("q_m1", "C"), f("q_s1", "B"), f("csrf", "x"), f("leaves", "2")]);
        assert_eq!(leaves, 2);
        assert_eq!(a["m1"], ["A", "C"]);
        assert_eq!(a["s1"], ["B"]);
        assert_eq!(a.len(), 2);
    }
}
