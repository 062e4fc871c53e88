//! The participant's flow, written once for the JSON API and the HTML pages: start (or resume), view, submit.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::error::MAX_NAME_CHARS;
use super::{resume, ApiError, AppState};
use crate::quiz::{self, identity, Competition, Drawn, Grade, PublicQuestion, QuizSet, ShowAnswers};
use crate::store::{AttemptRow, Draft, NewAttempt, StartOutcome, Submission, SubmitOutcome};

/// A submission arriving this long after the deadline is still accepted (network delays, a slow phone).
/// Later than that, the answers sent are ignored and the attempt is graded with what was saved in time
/// (`save`), or as empty: late answers are never stored or counted.
pub const GRACE: Duration = Duration::from_secs(30);

/// Attempts started by this process and not yet submitted, so a submit need not read them back: what it uses
/// (draw, deadline, start) never changes, and whether it was already submitted is decided by the store's write.
/// Bounded; a miss just reads the database.
#[derive(Debug, Default)]
pub struct OpenAttempts(std::sync::Mutex<HashMap<String, Arc<Running>>>);

/// A running attempt: its row as started and its draw, parsed.
#[derive(Debug)]
pub struct Running {
    row: AttemptRow,
    drawn: Vec<Drawn>,
}

impl Running {
    fn read(row: AttemptRow) -> Result<Running, ApiError> {
        Ok(Running { drawn: drawn_of(&row)?, row })
    }
}

/// Most attempts kept in `OpenAttempts` (a few hundred bytes each).
const OPEN_ATTEMPTS_MAX: usize = 20_000;

impl OpenAttempts {
    fn get(&self, id: &str) -> Option<Arc<Running>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get(id).cloned()
    }

    fn put(&self, running: Arc<Running>) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= OPEN_ATTEMPTS_MAX {
            map.clear();
        }
        map.insert(running.row.id.clone(), running);
    }

    pub(super) fn remove(&self, id: &str) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
    }
}

/// The join form.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    /// The participant's name as typed (trimmed by the server).
    pub name: String,
    /// Organization id from `organizations.yaml`.
    pub organization: String,
    /// Class or department (班级/部门).
    pub group: String,
    /// The resume code (续答码) shown when a running attempt started, to continue it on another device.
    #[serde(default)]
    pub resume_code: Option<String>,
}

/// A started (or resumed) attempt as the participant sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Started {
    pub attempt: String,
    pub competition: String,
    pub deadline: DateTime<Utc>,
    pub questions: Vec<PublicQuestion>,
    /// True when this is the participant's already running attempt, returned again.
    pub resumed: bool,
    /// 1-based attempt number.
    pub number: u32,
    /// The code that continues this attempt on another device (续答码).
    pub resume_code: String,
}

/// One question's result, shown only once the competition shows results.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ResultView {
    pub id: String,
    pub correct: bool,
    pub given: Vec<String>,
    pub answer: Vec<String>,
    pub explanation: String,
    pub basis: String,
}

/// A graded attempt as shown.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Submitted {
    pub attempt: String,
    pub competition: String,
    pub score: u32,
    pub max_score: u32,
    pub passed: bool,
    /// Whether per-question results (right or wrong, answers, explanations, legal basis) are included: false
    /// until the close for `after_close`, when `results` is empty and only the score is told.
    pub answers_shown: bool,
    /// When the per-question results will be shown, while they are not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answers_at: Option<DateTime<chrono::FixedOffset>>,
    pub submitted_at: DateTime<Utc>,
    pub duration_ms: i64,
    pub results: Vec<ResultView>,
    /// The certificate the participant earned (issue 12), once results are shown; added by
    /// `certificates::attach`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<super::certificates::Link>,
}

/// An attempt looked up by id: questions and deadline, and the result once submitted.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptView {
    pub attempt: String,
    pub competition: String,
    pub organization: String,
    pub name: String,
    pub group: String,
    /// Compared identity (never sent): the result page counts the participant's attempts of the day by it.
    #[serde(skip)]
    pub participant_key: String,
    pub number: u32,
    pub deadline: DateTime<Utc>,
    pub questions: Vec<PublicQuestion>,
    /// Answers saved so far (question id → letters) while the attempt runs.
    pub saved: HashMap<String, Vec<String>>,
    /// The code that continues this attempt on another device, while it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resume_code: Option<String>,
    /// Departures from the question page reported so far (issue 12).
    pub leaves: u32,
    pub result: Option<Submitted>,
}

/// The answer to a draft save.
#[derive(Debug, Clone, Serialize)]
pub struct Saved {
    /// False when the attempt was already submitted or its deadline (plus grace) has passed.
    pub saved: bool,
    pub deadline: DateTime<Utc>,
    /// True when this save reported more departures than `max_leaves` allows: the server submitted the attempt
    /// with the answers sent (issue 12).
    pub submitted: bool,
    /// Departures still allowed before the attempt is submitted; absent without `max_leaves`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaves_left: Option<u32>,
}

pub(crate) fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// The competition by id in a snapshot of `quizzes/` (`AppState::quizzes`), or 404.
pub fn competition<'a>(quizzes: &'a QuizSet, id: &str) -> Result<&'a Competition, ApiError> {
    quizzes.competitions.get(id).ok_or(ApiError::UnknownCompetition)
}

/// The version of `quizzes/` an attempt was started on (`catalog::Catalog::as_of`): it is shown and graded on
/// the questions it drew, whatever was changed since.
pub fn started_on(state: &AppState, row: &AttemptRow) -> Arc<QuizSet> {
    state.catalog.as_of(from_millis(row.started_at))
}

/// Longest resume code accepted as typed (the document's `maxLength`).
pub const MAX_RESUME_CODE_CHARS: usize = 12;

/// Cleans a name or group (`identity::clean`) into what is shown and the key that is compared.
pub(super) fn clean(text: &str, name: bool) -> Result<identity::Cleaned, ApiError> {
    use identity::IdentityError::*;
    identity::clean(text, MAX_NAME_CHARS, name).map_err(|e| match (e, name) {
        (Empty, true) => ApiError::NameEmpty,
        (NoLetters, true) => ApiError::NameNoLetters,
        (TooLong, true) => ApiError::NameTooLong,
        (Empty, false) => ApiError::GroupEmpty,
        (NoLetters, false) => ApiError::GroupNoLetters,
        (TooLong, false) => ApiError::GroupTooLong,
    })
}

/// A name as shown after cleaning (`identity::clean`), or the reason it is refused.
pub fn check_name(text: &str) -> Result<String, ApiError> {
    clean(text, true).map(|c| c.shown)
}

/// Starts an attempt, or returns the participant's running one (same deadline) to the device that started it
/// (`device`: the attempt id its cookie remembers) or to whoever gives its resume code.
pub async fn start(
    state: &AppState,
    comp_id: &str,
    req: StartRequest,
    device: Option<&str>,
) -> Result<Started, ApiError> {
    let quizzes = state.quizzes();
    let comp = competition(&quizzes, comp_id)?;
    // Codes are 6 characters; room for spaces and dashes typed between them, nothing more (found by schemathesis).
    if req.resume_code.as_deref().is_some_and(|c| c.chars().count() > MAX_RESUME_CODE_CHARS) {
        return Err(ApiError::ResumeCodeWrong);
    }
    let name = clean(&req.name, true)?;
    let group = clean(&req.group, false)?;
    let org = quizzes.organization(req.organization.trim()).ok_or(ApiError::UnknownOrganization)?;
    if !comp.admits(org.kind) {
        return Err(ApiError::KindNotAdmitted);
    }
    let now = state.clock.now();
    if now < comp.opens {
        return Err(ApiError::NotOpen);
    }
    if now >= comp.closes {
        return Err(ApiError::Closed);
    }
    let seed: u64 = rand::random();
    let drawn = quiz::draw(&quizzes, comp, seed);
    let participant_key = identity::participant_key(&org.id, &name, &group);
    // Extra time an organizer gave the participant or their organization (issue 12), never past the close.
    let extra = state.store.extra_minutes(&comp.id, &org.id, &participant_key).await?;
    let limit = chrono::Duration::from_std(comp.time_limit).unwrap_or(chrono::Duration::MAX);
    let limit = limit.checked_add(&chrono::Duration::minutes(extra)).unwrap_or(limit);
    let deadline = now.checked_add_signed(limit).unwrap_or(now).min(comp.closes.with_timezone(&Utc));
    let rules = &comp.campaign;
    let new = NewAttempt {
        id: attempt_id(millis(now)),
        competition: comp.id.clone(),
        organization: org.id.clone(),
        participant_key,
        name: name.shown,
        grp: group.shown,
        limit: comp.attempts,
        seed: seed as i64,
        drawn: serde_json::to_string(&drawn).map_err(ApiError::internal)?,
        started_at: millis(now),
        deadline: millis(deadline),
        max_score: i64::from(comp.max_score()),
        per_day: rules.attempts_per_day.map(|n| (n, rules.day_start(now).timestamp_millis())),
    };
    let key = new.participant_key.clone();
    let (row, resumed) = match state.store.start(new).await? {
        StartOutcome::Created(r) => (r, false),
        StartOutcome::Resumed(r) => {
            if device != Some(r.id.as_str()) {
                may_resume(state, &key, &r.id, req.resume_code.as_deref())?;
            }
            (r, true)
        }
        StartOutcome::Exhausted => return Err(ApiError::AttemptsExhausted),
        StartOutcome::DailyLimit => return Err(super::campaign::daily_limit(comp, now)),
    };
    // A resumed attempt shows the questions it was started with, from the version it was started on; a new one
    // those just drawn.
    let running = Arc::new(if resumed { Running::read(row)? } else { Running { row, drawn } });
    let quizzes = if resumed { started_on(state, &running.row) } else { quizzes };
    state.open_attempts.put(running.clone());
    let row = &running.row;
    Ok(Started {
        attempt: row.id.clone(),
        competition: row.competition.clone(),
        deadline: from_millis(row.deadline),
        questions: quiz::present(&quizzes, &running.drawn, state.lang),
        resumed,
        number: row.number as u32,
        resume_code: resume::code(&row.id),
    })
}

/// Whether a start elsewhere may continue running attempt `id` of participant `key` with the code it gave.
fn may_resume(state: &AppState, key: &str, id: &str, code: Option<&str>) -> Result<(), ApiError> {
    let Some(code) = code.filter(|c| !c.trim().is_empty()) else {
        return Err(ApiError::AttemptInProgress);
    };
    // Checked before the code, so guesses past the limit learn nothing, not even a right one.
    if state.resume_failures.locked(key) {
        return Err(ApiError::ResumeLocked);
    }
    if resume::matches(id, code) {
        state.resume_failures.forget(key);
        return Ok(());
    }
    state.resume_failures.record(key);
    Err(ApiError::ResumeCodeWrong)
}

/// Refuses answers to questions the attempt does not hold, or letters naming no option shown.
fn check_answers(drawn: &[Drawn], answers: &HashMap<String, Vec<String>>) -> Result<(), ApiError> {
    for (id, letters) in answers {
        let d = drawn.iter().find(|d| &d.id == id).ok_or(ApiError::InvalidAnswer)?;
        if letters.len() > d.order.len() || quiz::to_file_indices(d, letters).is_none() {
            return Err(ApiError::InvalidAnswer);
        }
    }
    Ok(())
}

/// A new attempt id: 32 hex digits, the start time in milliseconds (48 bits) then 80 random bits from the
/// thread's CSPRNG. Unguessable like a UUID v4, and ids of one moment sort together, so the database's indexes
/// on them grow at one end: a batch of starts touches a few index pages instead of one page per start.
pub fn attempt_id(now_ms: i64) -> String {
    let random: u128 = rand::random::<u128>() >> 48;
    format!("{:012x}{:020x}", (now_ms as u64) & 0xffff_ffff_ffff, random)
}

pub(super) fn drawn_of(row: &AttemptRow) -> Result<Vec<Drawn>, ApiError> {
    serde_json::from_str(&row.drawn).map_err(ApiError::internal)
}

async fn row(state: &AppState, attempt_id: &str) -> Result<AttemptRow, ApiError> {
    // Ids are 32 hex digits; anything else cannot exist, so skip the database.
    if attempt_id.len() != 32 || !attempt_id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::UnknownAttempt);
    }
    state.store.attempt(attempt_id).await?.ok_or(ApiError::UnknownAttempt)
}

/// The attempt by id: questions, deadline and, once submitted, the result.
pub async fn resume(state: &AppState, attempt_id: &str) -> Result<AttemptView, ApiError> {
    let row = row(state, attempt_id).await?;
    let drawn = drawn_of(&row)?;
    let quizzes = started_on(state, &row);
    let result = if row.submitted_at.is_some() { Some(view(state, &row)?) } else { None };
    Ok(AttemptView {
        attempt: row.id.clone(),
        competition: row.competition.clone(),
        organization: row.organization.clone(),
        name: row.name.clone(),
        group: row.grp.clone(),
        participant_key: row.participant_key.clone(),
        number: row.number as u32,
        deadline: from_millis(row.deadline),
        questions: quiz::present(&quizzes, &drawn, state.lang),
        saved: if row.submitted_at.is_none() { saved_answers(&row) } else { HashMap::new() },
        resume_code: row.submitted_at.is_none().then(|| resume::code(&row.id)),
        leaves: row.leaves.clamp(0, i64::from(u32::MAX)) as u32,
        result,
    })
}

/// Grades and records a submission; a repeated (or racing) submit returns the stored result, counted once.
/// After the deadline plus `GRACE` the answers are ignored and the attempt is graded empty.
/// `leaves`: the departures from the question page its script counted (0 without it).
pub async fn submit(
    state: &AppState,
    attempt_id: &str,
    answers: HashMap<String, Vec<String>>,
    leaves: u32,
) -> Result<Submitted, ApiError> {
    super::campaign::check_leaves(leaves)?;
    let now = millis(state.clock.now());
    let grace = GRACE.as_millis() as i64;
    // A late submit needs the saved answers, which only the database has.
    let running = match state.open_attempts.get(attempt_id) {
        Some(r) if now <= r.row.deadline + grace => r,
        _ => {
            let row = row(state, attempt_id).await?;
            if row.submitted_at.is_some() {
                return view(state, &row);
            }
            Arc::new(Running::read(row)?)
        }
    };
    let row = &running.row;
    check_answers(&running.drawn, &answers)?;
    let quizzes = started_on(state, row);
    let comp = competition(&quizzes, &row.competition)?;
    let late = now > row.deadline + grace;
    let answers = if late { saved_answers(row) } else { answers };
    let grade = quiz::grade(&quizzes, comp, &running.drawn, &answers);
    let duration_ms = (now.min(row.deadline) - row.started_at).max(0);
    // Late, it is graded on what was saved by the deadline, as the sweep grades it: submitted then.
    let submitted_at = if late { row.deadline } else { now };
    let submission = Submission {
        attempt: row.id.clone(),
        submitted_at,
        answers: serde_json::to_string(&answers).map_err(ApiError::internal)?,
        score: i64::from(grade.score),
        passed: grade.passed,
        duration_ms,
        grade: serde_json::to_string(&grade).map_err(ApiError::internal)?,
        responses: grade.results.iter().map(|r| (r.id.clone(), r.correct)).collect(),
        leaves: i64::from(leaves),
    };
    let outcome = state.store.submit(submission).await?;
    state.open_attempts.remove(&row.id);
    match outcome {
        // What was stored is what was just graded: shown without reading it back.
        SubmitOutcome::Recorded => shown(state, &quizzes, &row.id, comp, grade, submitted_at, duration_ms),
        SubmitOutcome::AlreadySubmitted(r) => view(state, &r),
        SubmitOutcome::UnknownAttempt => Err(ApiError::UnknownAttempt),
    }
}

pub(super) fn saved_answers(row: &AttemptRow) -> HashMap<String, Vec<String>> {
    row.answers.as_deref().and_then(|a| serde_json::from_str(a).ok()).unwrap_or_default()
}

/// Saves the answers given so far, so that a participant who runs out of time is graded on them, with the
/// departures from the question page counted so far. Departures beyond the competition's `max_leaves` submit the
/// attempt with these answers instead: the server decides, whatever the page's script does.
pub async fn save(
    state: &AppState,
    attempt_id: &str,
    answers: HashMap<String, Vec<String>>,
    leaves: u32,
) -> Result<Saved, ApiError> {
    super::campaign::check_leaves(leaves)?;
    let row = row(state, attempt_id).await?;
    check_answers(&drawn_of(&row)?, &answers)?;
    let rules = &competition(&started_on(state, &row), &row.competition)?.campaign.clone();
    let deadline = from_millis(row.deadline);
    let leaves_left = rules.max_leaves.map(|max| max.saturating_sub(leaves));
    if row.submitted_at.is_none() && rules.too_many_leaves(leaves) {
        submit(state, attempt_id, answers, leaves).await?;
        return Ok(Saved { saved: true, deadline, submitted: true, leaves_left });
    }
    let now = millis(state.clock.now());
    let draft = Draft {
        attempt: row.id.clone(),
        answers: serde_json::to_string(&answers).map_err(ApiError::internal)?,
        not_after_deadline_before: now - GRACE.as_millis() as i64,
        leaves: i64::from(leaves),
    };
    let saved = row.submitted_at.is_none() && state.store.save_draft(draft).await?;
    Ok(Saved { saved, deadline, submitted: false, leaves_left })
}

/// The stored result as the participant may see it now.
pub fn view(state: &AppState, row: &AttemptRow) -> Result<Submitted, ApiError> {
    let grade: Grade = serde_json::from_str(row.grade.as_deref().unwrap_or("null")).map_err(ApiError::internal)?;
    let quizzes = started_on(state, row);
    let comp = competition(&quizzes, &row.competition)?;
    let (submitted_at, duration_ms) = (row.submitted_at.unwrap_or_default(), row.duration_ms.unwrap_or_default());
    shown(state, &quizzes, &row.id, comp, grade, submitted_at, duration_ms)
}

/// A graded attempt as the participant may see it now.
fn shown(
    state: &AppState,
    quizzes: &QuizSet,
    attempt: &str,
    comp: &Competition,
    grade: Grade,
    submitted_at: i64,
    duration_ms: i64,
) -> Result<Submitted, ApiError> {
    let shown = match comp.show_answers {
        ShowAnswers::AfterSubmit => true,
        ShowAnswers::AfterClose => state.clock.now() >= comp.closes,
    };
    // Before results are due not even right/wrong marks go out: a judge question's mark is its answer.
    let results = if shown { grade.results } else { Vec::new() };
    Ok(Submitted {
        attempt: attempt.to_string(),
        competition: comp.id.clone(),
        score: grade.score,
        max_score: grade.max_score,
        passed: grade.passed,
        answers_shown: shown,
        answers_at: (!shown).then_some(comp.closes),
        submitted_at: from_millis(submitted_at),
        duration_ms,
        certificate: None,
        results: results
            .into_iter()
            .map(|r| {
                // Explanation and basis come from the banks (grades stored by earlier versions carry their own).
                let q = quizzes.question(&r.id);
                let from_bank = |stored: String, f: fn(&quiz::Question) -> &String| match q {
                    Some(q) if stored.is_empty() => f(q).clone(),
                    _ => stored,
                };
                ResultView {
                    explanation: from_bank(r.explanation, |q| &q.explanation),
                    basis: from_bank(r.basis, |q| &q.basis),
                    id: r.id,
                    correct: r.correct,
                    given: r.given,
                    answer: r.answer,
                }
            })
            .collect(),
    })
}
