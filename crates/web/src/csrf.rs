//! Cross-site request forgery protection for everything a browser can submit.
//!
//! Each browser gets a random token in an HttpOnly, SameSite=Lax cookie; pages put the same token
//! in every form (`csrf_token`) and in a `<meta>` tag for our script's `X-CSRF-Token` header. A
//! state-changing request that rides on a session cookie — or is the login form itself — must
//! carry the matching token. Requests with an API token are not exposed to CSRF (a browser never
//! adds that header by itself) and skip the check.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use prospector_app::secrets::{constant_time_eq, new_secret};

use crate::auth::{SESSION_COOKIE, bearer};
use crate::error::{json_error, payload_too_large};
use crate::state::AppState;

/// The CSRF cookie's name.
pub const CSRF_COOKIE: &str = "prospector_csrf";
/// The form field and query parameter that carry the token.
pub const CSRF_FIELD: &str = "csrf_token";

/// This browser's CSRF token, for templates.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

fn needs_check(req: &Request, jar: &CookieJar) -> bool {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let path = req.uri().path();
    // Public endpoints that strangers post to by design (forms on other sites) opt out by prefix.
    let public = path.starts_with("/inbound/") || path.starts_with("/jobs/") || path.starts_with("/u/");
    unsafe_method
        && !public
        && bearer(req.headers()).is_none()
        && (jar.get(SESSION_COOKIE).is_some() || path == "/login")
}

fn token_from_query(req: &Request) -> Option<String> {
    let query = req.uri().query()?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.into_owned())
}

fn forbidden() -> Response {
    json_error(
        StatusCode::FORBIDDEN,
        "csrf_failed",
        "the form has expired or did not come from this site; reload the page and try again",
        None,
    )
}

/// Ensures the cookie exists and checks the token on state-changing requests.
pub async fn csrf(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let jar = CookieJar::from_headers(req.headers());
    let existing = jar
        .get(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() >= 32);

    if needs_check(&req, &jar) {
        let Some(expected) = existing.clone() else {
            return forbidden();
        };
        let mut presented = req
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| token_from_query(&req));
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if presented.is_none() && is_form {
            let (parts, body) = req.into_parts();
            let bytes = match axum::body::to_bytes(body, state.settings.max_body_bytes).await {
                Ok(b) => b,
                Err(_) => return payload_too_large(),
            };
            presented = form_urlencoded::parse(&bytes)
                .find(|(k, _)| k == CSRF_FIELD)
                .map(|(_, v)| v.into_owned());
            req = Request::from_parts(parts, Body::from(bytes));
        }
        if !presented.is_some_and(|p| constant_time_eq(&p, &expected)) {
            return forbidden();
        }
    }

    let token = existing.clone().unwrap_or_else(|| new_secret(""));
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let response = next.run(req).await;
    if existing.is_none() {
        let mut cookie = Cookie::new(CSRF_COOKIE, token);
        cookie.set_http_only(true);
        cookie.set_same_site(SameSite::Lax);
        cookie.set_secure(state.settings.secure_cookies);
        cookie.set_path("/");
        return (CookieJar::new().add(cookie), response).into_response();
    }
    response
}
