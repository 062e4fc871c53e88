//! The two cookies of the competition pages: the attempt a participant is working on (per competition, so a
//! reload or a lost connection resumes it) and the organizer session (an HMAC of its expiry under the token,
//! so the token itself never sits in a browser and nothing needs to be stored on the server).

use axum::http::header::{COOKIE, HOST};
use axum::http::HeaderMap;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cookie::{Cookie, SameSite};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long an organizer stays signed in.
pub const SESSION_SECS: i64 = 12 * 3600;
pub const ADMIN_COOKIE: &str = "pufa_admin";

/// The value of cookie `name` in the request, if any.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse_encoded)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// The cookie name remembering the attempt at competition `id`; ids are checked by the quiz loader, but a
/// character a cookie name cannot hold is mapped to `_` rather than trusted.
pub fn attempt_name(id: &str) -> String {
    let safe: String = id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    format!("pufa_attempt_{safe}")
}

/// `Set-Cookie` for the attempt cookie: readable by every page under `{root}/quiz/`, sent on top-level links
/// (a participant coming back from WeChat's share card), never to scripts.
pub fn attempt(root: &str, id: &str, attempt: &str, secure: bool) -> String {
    Cookie::build((attempt_name(id), attempt.to_string()))
        .path(format!("{root}/quiz/"))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::days(30))
        .build()
        .encoded()
        .to_string()
}

/// `Set-Cookie` for a fresh organizer session valid until `now + SESSION_SECS`.
pub fn admin(root: &str, token: &str, now: i64, secure: bool) -> String {
    Cookie::build((ADMIN_COOKIE, session_value(token, now + SESSION_SECS)))
        .path(format!("{root}/quiz/"))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(SESSION_SECS))
        .build()
        .encoded()
        .to_string()
}

/// `Set-Cookie` that ends the organizer session.
pub fn admin_logout(root: &str, secure: bool) -> String {
    Cookie::build((ADMIN_COOKIE, ""))
        .path(format!("{root}/quiz/"))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .encoded()
        .to_string()
}

fn mac(token: &str, expires: i64) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(token.as_bytes()).expect("HMAC takes keys of any length");
    m.update(b"pufa organizer session until ");
    m.update(expires.to_string().as_bytes());
    m
}

/// `EXPIRES.MAC`: anyone can read the expiry, only the token holder can make the MAC.
pub fn session_value(token: &str, expires: i64) -> String {
    format!("{expires}.{}", URL_SAFE_NO_PAD.encode(mac(token, expires).finalize().into_bytes()))
}

/// Whether `value` is an unexpired session made with `token`; the MAC is compared in constant time.
pub fn session_valid(token: &str, value: &str, now: i64) -> bool {
    let Some((expires, tag)) = value.split_once('.') else { return false };
    let (Ok(expires), Ok(tag)) = (expires.parse::<i64>(), URL_SAFE_NO_PAD.decode(tag)) else { return false };
    expires > now && expires <= now + SESSION_SECS && mac(token, expires).verify_slice(&tag).is_ok()
}

/// Whether the browser reached us over https (directly or through a proxy that says so), so cookies get
/// `Secure`; a county intranet often runs plain http, where `Secure` cookies would never come back.
pub fn is_https(headers: &HeaderMap, base_url: &str) -> bool {
    let forwarded = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|p| p == "https");
    forwarded || (base_url.starts_with("https://") && headers.get(HOST).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_and_are_bound_to_the_token() {
        let v = session_value("secret", 1_000 + SESSION_SECS);
        assert!(session_valid("secret", &v, 1_000));
        assert!(!session_valid("other", &v, 1_000), "a changed token ends old sessions");
        assert!(!session_valid("secret", &v, 1_000 + SESSION_SECS), "expired");
        let forged = v.replacen(&(1_000 + SESSION_SECS).to_string(), &(2_000 + SESSION_SECS).to_string(), 1);
        assert!(!session_valid("secret", &forged, 1_500), "the expiry cannot be moved");
        for junk in ["", ".", "x.y", "123", "123.!!"] {
            assert!(!session_valid("secret", junk, 0), "{junk:?}");
        }
    }

    #[test]
    fn cookies_carry_the_protective_attributes() {
        let a = attempt("", "good", "abc", false);
        assert!(a.starts_with("pufa_attempt_good=abc;"), "{a}");
        for part in ["HttpOnly", "SameSite=Lax", "Path=/quiz/"] {
            assert!(a.contains(part), "{a} lacks {part}");
        }
        assert!(!a.contains("Secure"));
        let s = admin("/site", "t", 0, true);
        for part in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/site/quiz/", "pufa_admin="] {
            assert!(s.contains(part), "{s} lacks {part}");
        }
        assert!(!s.contains("=t;"), "the token itself is not the cookie");
    }

    #[test]
    fn reads_a_cookie_among_others() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, "a=1; pufa_attempt_good=xyz; b=2".parse().unwrap());
        assert_eq!(get(&h, "pufa_attempt_good").as_deref(), Some("xyz"));
        assert_eq!(get(&h, "missing"), None);
        assert_eq!(attempt_name("a b"), "pufa_attempt_a_b");
    }
}
