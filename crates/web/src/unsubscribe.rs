//! `/u/{token}`: the unsubscribe link in every automatic email. A `POST` is RFC 8058's one-click
//! unsubscribe (mail providers send it with no page and no login); a `GET` shows a page with a
//! button, because link scanners open every URL in an email and must not unsubscribe anyone.
//! Under the CSRF-exempt public prefix: the unguessable token is the credential.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use prospector_app::AppError;

use crate::state::AppState;

/// The public unsubscribe routes.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/u/{token}", get(confirm_page).post(unsubscribe))
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{title}</title><style>body{{font-family:system-ui,\
         sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2933}}button{{font-size:1rem;\
         padding:.6rem 1.2rem;border-radius:6px;border:1px solid #1f6feb;background:#1f6feb;color:#fff;\
         cursor:pointer}}</style></head><body><h1>{title}</h1>{body}</body></html>"
    );
    (status, Html(html)).into_response()
}

fn token_ok(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= 200
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

async fn confirm_page(Path(token): Path<String>) -> Response {
    if !token_ok(&token) {
        return page(
            StatusCode::NOT_FOUND,
            "Link not recognised",
            "<p>This unsubscribe link is not valid.</p>",
        );
    }
    page(
        StatusCode::OK,
        "Unsubscribe",
        &format!(
            "<p>Stop receiving emails from us at this address?</p><form method=\"post\" action=\"/u/{token}\">\
             <button type=\"submit\">Unsubscribe</button></form>"
        ),
    )
}

async fn unsubscribe(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    if !token_ok(&token) {
        return page(
            StatusCode::NOT_FOUND,
            "Link not recognised",
            "<p>This unsubscribe link is not valid.</p>",
        );
    }
    match state.app.unsubscribe_by_token(&token).await {
        Ok(()) => page(
            StatusCode::OK,
            "You are unsubscribed",
            "<p>We will not email this address again.</p>",
        ),
        Err(AppError::NotFound(_)) => page(
            StatusCode::NOT_FOUND,
            "Link not recognised",
            "<p>This unsubscribe link is not valid.</p>",
        ),
        Err(e) => {
            tracing::error!(error = %e, "unsubscribe failed");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Please try again",
                "<p>We could not record your request just now. Please try again in a minute.</p>",
            )
        }
    }
}
