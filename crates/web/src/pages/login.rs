//! The login page, logging in and logging out.

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use prospector_app::auth::LoginContext;
use prospector_app::{Actor, AppError};
use serde::Deserialize;

use crate::auth::{SESSION_COOKIE, session_cookie};
use crate::context::RequestContext;
use crate::csrf::CsrfToken;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    email: String,
    error: Option<String>,
    asset_version: &'static str,
}

/// Where to go after logging in.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths: an open redirect would let a phishing link use our login page.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n.to_owned(),
        _ => "/today".to_owned(),
    }
}

/// `GET /login`.
pub async fn show(Extension(csrf): Extension<CsrfToken>, Query(q): Query<NextQuery>) -> impl IntoResponse {
    LoginPage {
        csrf: csrf.0,
        next: safe_next(q.next.as_deref()),
        email: String::new(),
        error: None,
        asset_version: crate::assets::version(),
    }
}

/// The login form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// `POST /login`.
pub async fn submit(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Extension(ctx): Extension<RequestContext>,
    jar: CookieJar,
    headers: axum::http::HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let login = LoginContext {
        ip: ctx.ip.clone(),
        user_agent: headers
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(300).collect()),
        request_id: Some(ctx.request_id.clone()),
    };
    let next = safe_next(form.next.as_deref());
    match state.app.login(&form.email, &form.password, &login).await {
        Ok(session) => {
            let cookie = session_cookie(
                session.token,
                state.settings.secure_cookies,
                state.app.settings().session_ttl,
            );
            (jar.add(cookie), Redirect::to(&next)).into_response()
        }
        Err(err) => {
            let status = match &err {
                AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
                AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => return crate::pages::error_page(&err),
            };
            let page = LoginPage {
                csrf: csrf.0,
                next,
                email: form.email,
                error: Some(err.to_string()),
                asset_version: crate::assets::version(),
            };
            let mut response = (status, page).into_response();
            crate::error::add_auth_headers(&err, &mut response);
            response
        }
    }
}

/// `POST /logout`.
pub async fn logout(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    jar: CookieJar,
) -> Response {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        let actor = match state.app.authenticate_session(cookie.value()).await {
            Ok(a) => a,
            Err(_) => Actor::system(),
        }
        .with_request(Some(ctx.request_id), ctx.ip);
        if let Err(err) = state.app.logout(cookie.value(), &actor).await {
            return crate::pages::error_page(&err);
        }
    }
    let mut removal = Cookie::from(SESSION_COOKIE);
    removal.set_path("/");
    (jar.remove(removal), Redirect::to("/login")).into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn login_never_redirects_off_site() {
        assert_eq!(safe_next(Some("/admin?x=1")), "/admin?x=1");
        assert_eq!(safe_next(Some("//evil.example")), "/today");
        assert_eq!(safe_next(Some("https://evil.example")), "/today");
        assert_eq!(safe_next(None), "/today");
    }
}
