//! Helpers of the page tests: form posts and page fetches through `app(state).oneshot`, following redirects by
//! hand and carrying cookies the way a browser would (only name=value goes back).
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};

use crate::common::TestApp;

/// One response of a page request.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// The `Location` of a redirect.
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// `Set-Cookie` values.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).map(String::from).collect()
    }

    /// The `name=value` part of the cookie `name`, as a browser sends it back.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(|c| c.split(';').next().unwrap_or("").to_string())
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

/// Percent-encodes a form value (application/x-www-form-urlencoded).
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub fn form(fields: &[(&str, &str)]) -> String {
    fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

impl TestApp {
    pub async fn page(&self, method: Method, uri: &str, cookie: Option<&str>, body: Option<String>) -> Page {
        let mut req = Request::builder().method(method).uri(uri).header(header::HOST, "quiz.test");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        let body = match body {
            Some(b) => {
                req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(b)
            }
            None => Body::empty(),
        };
        let (status, headers, bytes) = self.raw(req.body(body).unwrap()).await;
        Page { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn get_page(&self, uri: &str, cookie: Option<&str>) -> Page {
        self.page(Method::GET, uri, cookie, None).await
    }

    pub async fn post_form(&self, uri: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> Page {
        self.page(Method::POST, uri, cookie, Some(form(fields))).await
    }

    /// Joins `comp` through the landing form; returns the redirect response (303 to the questions on success).
    pub async fn join(&self, comp: &str, name: &str, org: &str, group: &str) -> Page {
        self.post_form(&format!("/quiz/{comp}/join"), None, &[("name", name), ("organization", org), ("group", group)])
            .await
    }

    /// Joins and returns the attempt id and the attempt cookie.
    pub async fn joined(&self, comp: &str, name: &str, org: &str, group: &str) -> (String, String) {
        let p = self.join(comp, name, org, group).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let attempt = p.location().strip_prefix("/quiz/a/").expect("redirect to the questions").to_string();
        let cookie = p.cookie(&format!("pufa_attempt_{comp}")).expect("attempt cookie");
        (attempt, cookie)
    }

    /// Signs in as organizer; returns the session cookie.
    pub async fn admin_cookie(&self, token: &str) -> String {
        let p = self.post_form("/quiz/admin/login", None, &[("token", token), ("next", "")]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        p.cookie("pufa_admin").expect("session cookie")
    }
}

/// Question ids and their option letters, read from the question page's form.
pub fn form_questions(html: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for part in html.split("name=\"q_").skip(1) {
        let id = part.split('"').next().unwrap().to_string();
        let value = part.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        match out.iter_mut().find(|(q, _)| *q == id) {
            Some((_, letters)) => letters.push(value),
            None => out.push((id, vec![value])),
        }
    }
    out
}
