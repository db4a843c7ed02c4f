//! Who is calling: an API token (`Authorization: Bearer …`) or a browser session cookie.
//! Permission checks are not here — they live in `app`; this only establishes the actor.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use prospector_app::{Actor, AppError};

use crate::context::RequestContext;
use crate::error::ApiError;
use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "prospector_session";

/// An authenticated actor for the JSON API (401 as JSON otherwise).
#[derive(Debug, Clone)]
pub struct ApiActor(pub Actor);

/// An authenticated actor for pages (redirect to the login page otherwise).
#[derive(Debug, Clone)]
pub struct PageActor(pub Actor);

pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Actor, AppError> {
    let ctx = parts.extensions.get::<RequestContext>().cloned();
    let actor = if let Some(token) = bearer(&parts.headers) {
        state.app.authenticate_token(token).await?
    } else {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(cookie) = jar.get(SESSION_COOKIE) else {
            return Err(AppError::Unauthenticated(
                "log in, or send an API token as Authorization: Bearer".into(),
            ));
        };
        state.app.authenticate_session(cookie.value()).await?
    };
    Ok(match ctx {
        Some(c) => actor.with_request(Some(c.request_id), c.ip),
        None => actor,
    })
}

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        resolve(parts, state).await.map(ApiActor).map_err(ApiError)
    }
}

impl FromRequestParts<AppState> for PageActor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match resolve(parts, state).await {
            Ok(actor) => Ok(PageActor(actor)),
            Err(AppError::Unauthenticated(_)) => {
                let next = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                let target = format!("/login?next={}", urlencode(next));
                Err(Redirect::to(&target).into_response())
            }
            Err(other) => Err(crate::pages::error_page(&other)),
        }
    }
}

/// Percent-encodes a value for a query string.
pub(crate) fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure when configured.
pub(crate) fn session_cookie(token: String, secure: bool, max_age: chrono::Duration) -> Cookie<'static> {
    let mut cookie = Cookie::new(SESSION_COOKIE, token);
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_secure(secure);
    cookie.set_path("/");
    cookie.set_max_age(cookie::time::Duration::seconds(max_age.num_seconds()));
    cookie
}
