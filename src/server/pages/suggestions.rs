//! The suggestion box's pages, plain HTML forms that work without JavaScript on a 360 px phone: the form (its
//! receipt shows the ticket and code once), the ticket check, the public board (件件有回音), and the organizer's
//! page with the problem list per unit, filters, the actions and the export. The rules are `server::suggestions`.

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use serde::{Deserialize, Serialize};

use super::organizer::{signed_in, to_login};
use super::{no_store, page, see_other};
use crate::i18n::{fill, t};
use crate::server::suggestions::desk::{self, SuggestionRequest};
use crate::server::suggestions::{self as box_, export, views, Filter};
use crate::server::{ApiError, AppState};
use crate::store::suggestions::{Act, Status};

/// The form as posted by a browser: a checkbox is absent when unticked, and every field may be missing.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(super) struct SuggestForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    town: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    public_ok: Option<String>,
}

fn form_page(state: &AppState, form: &SuggestForm, error: Option<String>, status: StatusCode) -> Response {
    let settings = state.catalog.suggestions();
    let mut ctx = state.pages.context(state.lang);
    ctx.insert("categories", &settings.categories);
    ctx.insert("max_chars", &settings.max_chars);
    ctx.insert("text_hint", &fill(t(state.lang, "suggest.text_hint"), &[("max", &settings.max_chars.to_string())]));
    ctx.insert("form", form);
    ctx.insert("error", &error);
    no_store(page(state, "suggest_form.html", &ctx, status))
}

pub(super) async fn form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    // The device cookie is set here already, so the first post of a browser counts against its own limit.
    let (_, cookie) = box_::device(&state, &headers);
    box_::with_cookie(form_page(&state, &SuggestForm::default(), None, StatusCode::OK), cookie)
}

pub(super) async fn send(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<SuggestForm>, FormRejection>,
) -> Response {
    let form = form.map(|f| f.0).unwrap_or_default();
    let (device, cookie) = box_::device(&state, &headers);
    let req = SuggestionRequest {
        category: form.category.clone(),
        text: form.text.clone(),
        town: Some(form.town.clone()),
        contact: Some(form.contact.clone()),
        public_ok: form.public_ok.is_some(),
    };
    let resp = match desk::submit(&state, req, &device).await {
        Ok(receipt) => {
            let mut ctx = state.pages.context(state.lang);
            ctx.insert("receipt", &receipt);
            no_store(page(&state, "suggest_receipt.html", &ctx, StatusCode::CREATED))
        }
        Err(e) => {
            if let ApiError::Internal(cause) = &e {
                tracing::error!(%cause, "internal error on the suggestion form");
            }
            form_page(&state, &form, Some(e.message(state.lang)), e.status())
        }
    };
    box_::with_cookie(resp, cookie)
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct CheckForm {
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    code: String,
}

fn check_page(state: &AppState, ticket: &str, view: Option<views::TicketView>, error: Option<String>) -> Response {
    let mut ctx = state.pages.context(state.lang);
    let status = if error.is_some() { StatusCode::NOT_FOUND } else { StatusCode::OK };
    ctx.insert("ticket", ticket);
    ctx.insert("error", &error);
    if let Some(v) = &view {
        let history: Vec<serde_json::Value> = v
            .history
            .iter()
            .map(|s| {
                serde_json::json!({"at": s.at.format("%Y-%m-%d %H:%M").to_string(), "label": s.label, "unit": s.unit,
                    "due": s.due})
            })
            .collect();
        ctx.insert("history", &history);
    }
    ctx.insert("view", &view);
    no_store(page(state, "suggest_ticket.html", &ctx, status))
}

pub(super) async fn check_form(State(state): State<AppState>) -> Response {
    check_page(&state, "", None, None)
}

/// The check is a POST so that the code stays out of addresses, histories and logs.
pub(super) async fn check(State(state): State<AppState>, form: Result<Form<CheckForm>, FormRejection>) -> Response {
    let form = form.map(|f| f.0).unwrap_or_default();
    let found = match desk::open(&state, &form.ticket, &form.code).await {
        Ok(row) => views::ticket_view(&state, row).await,
        Err(e) => Err(e),
    };
    match found {
        Ok(view) => check_page(&state, &form.ticket, Some(view), None),
        Err(e) => check_page(&state, form.ticket.trim(), None, Some(e.message(state.lang))),
    }
}

pub(super) async fn board(State(state): State<AppState>) -> Response {
    let mut ctx = state.pages.context(state.lang);
    match views::board(&state).await {
        Ok(items) => ctx.insert("items", &items),
        Err(e) => return super::error_page(&state, e),
    }
    page(&state, "suggest_board.html", &ctx, StatusCode::OK)
}

const ADMIN: &str = "/quiz/admin/suggestions";

async fn admin_page(state: &AppState, f: Filter, error: Option<String>, status: StatusCode) -> Response {
    let listing = match box_::listing(state, &f).await {
        Ok(l) => l,
        Err(e) => return no_store(super::error_page(state, e)),
    };
    let lang = state.lang;
    let mut ctx = state.pages.context(lang);
    let statuses: Vec<(&str, String)> = [Status::Submitted, Status::Accepted, Status::Assigned, Status::Closed]
        .into_iter()
        .map(|s| (s.as_str(), views::status_label(lang, s)))
        .collect();
    ctx.insert("statuses", &statuses);
    let settings = state.catalog.suggestions();
    ctx.insert("categories", &settings.categories);
    ctx.insert("units_known", &settings.units);
    ctx.insert("overdue_total", &fill(t(lang, "suggest.overdue_total"), &[("n", &listing.overdue.to_string())]));
    ctx.insert("units", &listing.units);
    // Times as people read them (the API gives RFC 3339).
    let items: Vec<serde_json::Value> = listing
        .items
        .iter()
        .map(|i| {
            let mut v = serde_json::to_value(i).unwrap_or_default();
            v["created_at"] = i.view.created_at.format("%Y-%m-%d %H:%M").to_string().into();
            v
        })
        .collect();
    ctx.insert("items", &items);
    ctx.insert("filter", &f);
    ctx.insert("error", &error);
    no_store(page(state, "suggest_admin.html", &ctx, status))
}

/// The filter form as a browser sends it: empty fields for "all", the checkbox absent when unticked.
#[derive(Debug, Default, Deserialize)]
pub(super) struct FilterForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    town: String,
    #[serde(default)]
    overdue: Option<String>,
}

pub(super) async fn admin(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<FilterForm>, QueryRejection>,
) -> Response {
    if !signed_in(&state, &headers) {
        return to_login(&state, ADMIN);
    }
    let q = query.map(|q| q.0).unwrap_or_default();
    let some = |s: String| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let f = Filter {
        status: Status::parse(&q.status),
        category: some(q.category),
        town: some(q.town),
        overdue: q.overdue.map(|_| true),
    };
    admin_page(&state, f, None, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ActForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    reply: String,
}

pub(super) async fn act(
    State(state): State<AppState>,
    Path(ticket): Path<String>,
    headers: HeaderMap,
    form: Result<Form<ActForm>, FormRejection>,
) -> Response {
    if !signed_in(&state, &headers) {
        return to_login(&state, ADMIN);
    }
    let form = form.map(|f| f.0).unwrap_or_default();
    let act = match form.action.as_str() {
        "accept" => Ok(Act::Accept),
        "assign" => desk::assign(&state, &desk::AssignRequest { unit: form.unit, due: Some(form.due) }),
        "reply" => desk::reply(&state, &desk::ReplyRequest { reply: form.reply }),
        _ => Err(ApiError::BadRequest(StatusCode::BAD_REQUEST)),
    };
    let done = match act {
        Ok(act) => desk::act(&state, &ticket, act).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => no_store(see_other(&state, &format!("{ADMIN}#{ticket}"))),
        Err(e) => {
            admin_page(&state, Filter::default(), Some(format!("{ticket}: {}", e.message(state.lang))), e.status())
                .await
        }
    }
}

pub(super) async fn xlsx(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !signed_in(&state, &headers) {
        return to_login(&state, ADMIN);
    }
    match export::workbook(&state).await {
        Ok(body) => export::download(body),
        Err(e) => no_store(super::error_page(&state, e)),
    }
}
