//! Imports as uploads on the organizer pages: question files (Excel, CSV, Word, text, GIFT) into a bank and a
//! sheet of organizations into organizations.yaml. An upload is read and checked as `pufa import` does it, then
//! shown (counts, the first questions or organizations, every error); only the organizer's "save" writes it, through
//! `server::quiz_files`, which checks it once more against the folder as it is then. And the "share" of a file
//! changed by hand in this process's folder only (`catalog_share`), so the other processes take it too.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Multipart, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::{Deserialize, Serialize};

use super::organizer::{signed_in, to_login};
use super::{error_page, no_store, page, see_other, view};
use crate::commands::import::{orgs, plan_questions, template};
use crate::i18n::t;
use crate::quiz::compose;
use crate::server::quiz_files::{self, SaveError};
use crate::server::{ApiError, AppState};

/// Uploads shown and not yet saved, kept this long.
const KEEP: Duration = Duration::from_secs(30 * 60);
/// Most uploads kept at once (each is one file's text).
const KEEP_MAX: usize = 16;
/// How many questions or organizations the preview lists.
const PREVIEW: usize = 10;

/// Checked uploads waiting for the organizer's "save", by an unguessable token.
#[derive(Default)]
pub struct Staged(Mutex<HashMap<String, (Instant, PathBuf, String)>>);

impl Staged {
    fn put(&self, rel: PathBuf, text: String) -> String {
        let token = format!("{:032x}", rand::random::<u128>());
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, (at, _, _)| at.elapsed() < KEEP);
        if map.len() >= KEEP_MAX {
            let oldest = map.iter().min_by_key(|(_, (at, _, _))| *at).map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                map.remove(&k);
            }
        }
        map.insert(token.clone(), (Instant::now(), rel, text));
        token
    }

    fn take(&self, token: &str) -> Option<(PathBuf, String)> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(token).filter(|(at, _, _)| at.elapsed() < KEEP).map(|(_, rel, text)| (rel, text))
    }
}

/// One line of a preview.
#[derive(Debug, Serialize)]
struct Line {
    label: String,
    text: String,
    detail: String,
}

fn upload_page(state: &AppState, ctx_fill: impl FnOnce(&mut tera::Context), status: StatusCode) -> Response {
    let mut ctx = state.pages.context(state.lang);
    ctx.insert("writable", &state.catalog.quizzes_dir().is_some());
    ctx.insert("errors", &Vec::<String>::new());
    ctx.insert("preview", &false);
    ctx_fill(&mut ctx);
    no_store(page(state, "upload.html", &ctx, status))
}

pub(super) async fn form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !signed_in(&state, &headers) {
        return to_login(&state, "/quiz/admin/import");
    }
    upload_page(&state, |_| {}, StatusCode::OK)
}

/// The fields of an upload form: its files (name, bytes) and its text fields.
async fn fields(mut multipart: Multipart) -> Result<(Vec<(PathBuf, Vec<u8>)>, HashMap<String, String>), ApiError> {
    let (mut files, mut texts) = (Vec::new(), HashMap::new());
    while let Some(field) = multipart.next_field().await.map_err(|_| ApiError::BadRequest(StatusCode::BAD_REQUEST))? {
        let name = field.name().unwrap_or_default().to_string();
        // Only the file's own name (never a path a browser might send) names it in messages.
        let file = field.file_name().map(|f| f.rsplit(['/', '\\']).next().unwrap_or_default().to_string());
        let bytes = field.bytes().await.map_err(|_| ApiError::BadRequest(StatusCode::BAD_REQUEST))?;
        match file {
            Some(f) if !f.is_empty() && !bytes.is_empty() => files.push((PathBuf::from(f), bytes.to_vec())),
            Some(_) => {}
            None => {
                texts.insert(name, String::from_utf8_lossy(&bytes).trim().to_string());
            }
        }
    }
    Ok((files, texts))
}

/// The errors of a refused upload, one a line.
fn errors_of(e: &anyhow::Error) -> Vec<String> {
    format!("{e:#}").lines().map(str::to_string).filter(|l| !l.trim().is_empty()).collect()
}

async fn questions_or_orgs(state: AppState, headers: HeaderMap, multipart: Multipart, orgs_sheet: bool) -> Response {
    if !signed_in(&state, &headers) {
        return to_login(&state, "/quiz/admin/import");
    }
    let (files, texts) = match fields(multipart).await {
        Ok(f) => f,
        Err(e) => return no_store(error_page(&state, e)),
    };
    let lang = state.lang;
    let Some(source) = state.catalog.quizzes_dir().and_then(|d| d.parent().map(PathBuf::from)) else {
        return upload_page(&state, |c| c.insert("errors", &[t(lang, "editor.no_folder")]), StatusCode::CONFLICT);
    };
    if files.is_empty() {
        return upload_page(
            &state,
            |c| c.insert("errors", &[t(lang, "upload.no_file")]),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let text = |k: &str| texts.get(k).filter(|v| !v.is_empty()).cloned();
    let (bank, title, replace) = (text("bank"), text("title"), text("replace").is_some());
    let planned = tokio::task::spawn_blocking(move || {
        if orgs_sheet {
            let (file, bytes) = &files[0];
            orgs::plan(file, bytes, &source, lang).map(|p| {
                let lines = p.list.iter().take(PREVIEW).map(|o| Line {
                    label: o.id.clone(),
                    text: o.name.clone(),
                    detail: format!(
                        "{} · {} · {}",
                        o.town,
                        o.headcount,
                        t(lang, &format!("editor.kind.{}", compose::name_of(&o.kind)))
                    ),
                });
                (p.summary(lang), lines.collect::<Vec<_>>(), p.path, p.text)
            })
        } else {
            plan_questions(&files, &source, bank, title, replace, lang).map(|p| {
                let lines = p.imported.iter().take(PREVIEW).map(|q| Line {
                    label: view::kind_label(lang, q.kind).to_string(),
                    text: q.stem.clone(),
                    detail: q.truth.map_or_else(
                        || q.letters.join(""),
                        |b| t(lang, if b { "quiz.judge.true" } else { "quiz.judge.false" }).to_string(),
                    ),
                });
                (p.summary(lang), lines.collect::<Vec<_>>(), p.path, p.text)
            })
        }
    })
    .await;
    match planned {
        Ok(Ok((summary, lines, path, text))) => {
            let rel = state.catalog.quizzes_dir().and_then(|d| path.strip_prefix(d).ok().map(PathBuf::from));
            let token = state.uploads.put(rel.unwrap_or(path), text);
            upload_page(
                &state,
                |c| {
                    c.insert("preview", &true);
                    c.insert("summary", &summary);
                    c.insert("lines", &lines);
                    c.insert("token", &token);
                },
                StatusCode::OK,
            )
        }
        Ok(Err(e)) => upload_page(&state, |c| c.insert("errors", &errors_of(&e)), StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => no_store(error_page(&state, ApiError::internal(e))),
    }
}

pub(super) async fn questions(State(state): State<AppState>, headers: HeaderMap, multipart: Multipart) -> Response {
    questions_or_orgs(state, headers, multipart, false).await
}

pub(super) async fn organizations(State(state): State<AppState>, headers: HeaderMap, multipart: Multipart) -> Response {
    questions_or_orgs(state, headers, multipart, true).await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct SaveForm {
    #[serde(default)]
    token: String,
}

pub(super) async fn save(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<SaveForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    if !signed_in(&state, &headers) {
        return to_login(&state, "/quiz/admin/import");
    }
    let Some((rel, text)) = form.ok().and_then(|f| state.uploads.take(&f.token)) else {
        let lang = state.lang;
        return upload_page(&state, |c| c.insert("errors", &[t(lang, "upload.expired")]), StatusCode::GONE);
    };
    match quiz_files::save(&state, &rel, text).await {
        Ok(_) => no_store(see_other(&state, "/quiz/admin#catalog")),
        Err(SaveError::Invalid(errors)) => {
            upload_page(&state, |c| c.insert("errors", &errors), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(SaveError::NoFolder) => {
            let lang = state.lang;
            upload_page(&state, |c| c.insert("errors", &[t(lang, "editor.no_folder")]), StatusCode::CONFLICT)
        }
        Err(SaveError::Failed(e)) => no_store(error_page(&state, e)),
    }
}

/// The Excel template of the question columns.
pub(super) async fn template_xlsx(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !signed_in(&state, &headers) {
        return to_login(&state, "/quiz/admin/import");
    }
    match template::workbook(state.lang) {
        Ok(bytes) => {
            let mut resp = bytes.into_response();
            let h = resp.headers_mut();
            let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(xlsx));
            let disposition = "attachment; filename=\"questions-template.xlsx\"; filename*=UTF-8''%E9%A2%98%E5%BA%93%E6%A8%A1%E6%9D%BF.xlsx";
            h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static(disposition));
            no_store(resp)
        }
        Err(e) => no_store(error_page(&state, ApiError::internal(e))),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ShareForm {
    #[serde(default)]
    path: String,
}

/// Shares a file of this folder that is not shared, once the folder with it loads cleanly.
pub(super) async fn share(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<ShareForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    if !signed_in(&state, &headers) {
        return to_login(&state, "/quiz/admin");
    }
    let path = form.map(|f| f.0.path).unwrap_or_default();
    // Only a file the comparison listed: never a path the request makes up.
    if !state.catalog.status().not_shared.contains(&path) {
        return no_store(see_other(&state, "/quiz/admin#catalog"));
    }
    let rel = PathBuf::from(&path);
    let file = match quiz_files::path_of(&state, &rel) {
        Ok(f) => f,
        Err(_) => return no_store(see_other(&state, "/quiz/admin#catalog")),
    };
    let Ok(text) = tokio::fs::read_to_string(&file).await else {
        return no_store(see_other(&state, "/quiz/admin#catalog"));
    };
    match quiz_files::check(&state, &rel, &text).await {
        Ok(errors) if errors.is_empty() => {}
        Ok(errors) => return upload_page(&state, |c| c.insert("errors", &errors), StatusCode::UNPROCESSABLE_ENTITY),
        Err(_) => return no_store(error_page(&state, ApiError::internal("checking a file to share"))),
    }
    if let Err(e) = crate::server::catalog_share::share(&state.store, &rel, &text).await {
        return no_store(error_page(&state, e.into()));
    }
    let _ = crate::server::catalog_share::compare(&state.catalog, &state.store).await;
    no_store(see_other(&state, "/quiz/admin#catalog"))
}
