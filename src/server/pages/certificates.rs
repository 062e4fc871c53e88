//! The organizer's certificate pages (issue 12): the certificates issued in a competition by organization, a
//! revocation with its reason, and each organization's certificates as one ZIP of PDFs or one multi-page PDF.
//! Signed-in organizers only (`organizer::signed_in`); every response is `no-store`.

use std::io::Write;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use serde::{Deserialize, Serialize};

use super::organizer::{signed_in, to_login};
use super::{error_page, no_store, page, see_other, view};
use crate::server::attempts::status;
use crate::server::certificates::{design, draw, facts, render, verify};
use crate::server::{flow, ApiError, AppState};
use crate::store::certificates::{CertificateRow, Revocation, RevokeOutcome};

/// The longest revocation reason kept.
const MAX_REASON: usize = 200;

#[derive(Debug, Default, Deserialize)]
pub(super) struct RevokeForm {
    #[serde(default)]
    serial: String,
    #[serde(default)]
    reason: String,
}

/// One certificate as the list shows it (full name: the organizer's page).
#[derive(Debug, Serialize)]
struct Row {
    serial: String,
    title: String,
    name: String,
    group: String,
    score: i64,
    max_score: i64,
    issued: String,
    revoked: Option<String>,
    reason: Option<String>,
}

/// An organization's certificates.
#[derive(Debug, Serialize)]
struct OrgCerts {
    id: String,
    name: String,
    valid: usize,
    rows: Vec<Row>,
}

pub(super) async fn list(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    render_list(&state, &id, &headers, None, StatusCode::OK).await
}

async fn render_list(
    state: &AppState,
    id: &str,
    headers: &HeaderMap,
    notice: Option<String>,
    code: StatusCode,
) -> Response {
    if !signed_in(state, headers) {
        return to_login(state, &format!("/quiz/{id}/admin/certificates"));
    }
    let quizzes = state.quizzes();
    let Some(comp) = quizzes.competitions.get(id) else {
        return no_store(error_page(state, ApiError::UnknownCompetition));
    };
    let rows = match state.store.certificates(id).await {
        Ok(r) => r,
        Err(e) => return no_store(error_page(state, e.into())),
    };
    let lang = state.lang;
    let offset = *comp.closes.offset();
    let when = |ms: i64| view::when(lang, &flow::from_millis(ms).with_timezone(&offset));
    let mut orgs: Vec<OrgCerts> = Vec::new();
    for r in rows {
        if orgs.last().is_none_or(|o| o.id != r.organization) {
            let name = quizzes.organization(&r.organization).map_or(r.organization.clone(), |o| o.name.clone());
            orgs.push(OrgCerts { id: r.organization.clone(), name, valid: 0, rows: Vec::new() });
        }
        let org = orgs.last_mut().expect("pushed above");
        org.valid += usize::from(r.revoked_at.is_none());
        org.rows.push(Row {
            issued: when(r.issued_at),
            revoked: r.revoked_at.map(when),
            reason: r.revoked_reason,
            serial: r.serial,
            title: r.title,
            name: r.name,
            group: r.grp,
            score: r.score,
            max_score: r.max_score,
        });
    }
    let mut ctx = state.pages.context(lang);
    ctx.insert("comp", &view::facts(comp, lang, status(state, comp)));
    ctx.insert("offers", &!comp.certificates.is_empty());
    ctx.insert("orgs", &orgs);
    ctx.insert("notice", &notice);
    no_store(page(state, "certificates.html", &ctx, code))
}

pub(super) async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Result<Form<RevokeForm>, FormRejection>,
) -> Response {
    if !signed_in(&state, &headers) {
        return to_login(&state, &format!("/quiz/{id}/admin/certificates"));
    }
    let form = form.map(|f| f.0).unwrap_or_default();
    let reason: String = form.reason.trim().chars().filter(|c| !c.is_control()).take(MAX_REASON).collect();
    let lang = state.lang;
    let known = matches!(state.store.certificate(&form.serial).await, Ok(Some(c)) if c.competition == id);
    let outcome = match (known, reason.is_empty()) {
        (false, _) => Ok(RevokeOutcome::Unknown),
        (true, true) => {
            return render_list(
                &state,
                &id,
                &headers,
                Some(t(lang, "cert.admin.reason_needed")),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        (true, false) => {
            let at = flow::millis(state.clock.now());
            state.store.revoke(Revocation { serial: form.serial.clone(), reason, at }).await
        }
    };
    match outcome {
        Ok(RevokeOutcome::Revoked | RevokeOutcome::AlreadyRevoked) => {
            no_store(see_other(&state, &format!("/quiz/{id}/admin/certificates#{}", form.serial)))
        }
        Ok(RevokeOutcome::Unknown) => {
            let text = t(lang, "cert.admin.unknown_serial");
            render_list(&state, &id, &headers, Some(text), StatusCode::NOT_FOUND).await
        }
        Err(e) => no_store(error_page(&state, e.into())),
    }
}

fn t(lang: crate::i18n::Lang, key: &str) -> String {
    crate::i18n::t(lang, key).to_string()
}

/// `certificates.zip` (one PDF per certificate) or `certificates.pdf` (one page each) of one organization's
/// certificates that are not revoked.
pub(super) async fn download(
    State(state): State<AppState>,
    Path((id, org, file)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    if !signed_in(&state, &headers) {
        return to_login(&state, &format!("/quiz/{id}/admin/certificates"));
    }
    match bundle(&state, &id, &org, &file, &headers).await {
        Ok(resp) => resp,
        Err(e) => no_store(error_page(&state, e)),
    }
}

async fn bundle(state: &AppState, id: &str, org: &str, file: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let quizzes = state.quizzes();
    let comp = flow::competition(&quizzes, id)?;
    let rows: Vec<CertificateRow> = state.store.certificates(id).await?;
    let rows: Vec<CertificateRow> =
        rows.into_iter().filter(|r| r.organization == org && r.revoked_at.is_none()).collect();
    if rows.is_empty() || !matches!(file, "certificates.zip" | "certificates.pdf") {
        return Err(ApiError::NotFound);
    }
    let mut designs = Vec::with_capacity(rows.len());
    for r in &rows {
        designs.push((r.serial.clone(), r.name.clone(), design::svg(&facts(state, headers, r).await?, state.lang)));
    }
    let title = format!("{} {}", comp.title, org);
    let name = format!("{id}-{org}-{file}");
    if file == "certificates.pdf" {
        let pdf = draw(move || render::pdf(&designs.into_iter().map(|d| d.2).collect::<Vec<_>>(), &title)).await?;
        return Ok(verify::file(pdf, "application/pdf", &name));
    }
    let zip = draw(move || zip_of(designs)).await?;
    Ok(verify::file(zip, "application/zip", &name))
}

/// A ZIP of one PDF per certificate, named `serial-name.pdf` (UTF-8 names).
fn zip_of(designs: Vec<(String, String, String)>) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (serial, name, svg) in designs {
        let pdf = render::pdf(&[svg], &serial)?;
        let safe: String = name.chars().filter(|c| !c.is_control() && !"/\\:*?\"<>|".contains(*c)).collect();
        zip.start_file(format!("{serial}-{safe}.pdf"), options).map_err(|e| e.to_string())?;
        zip.write_all(&pdf).map_err(|e| e.to_string())?;
    }
    zip.finish().map(|c| c.into_inner()).map_err(|e| e.to_string())
}
