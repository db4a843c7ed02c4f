//! `/o/{token}.gif`: the open-tracking pixel of sequences that track opens. Public (mail clients
//! fetch it with no login; the unguessable token is the credential) and idempotent: only the
//! first open of an email is recorded. A token nobody was given is a plain 404; a failure on our
//! side is logged and still answered with the image, because a reader's mail client is no place
//! for our errors.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prospector_app::sequences::opens::OpenRecorded;

use crate::state::AppState;

/// A transparent 1×1 GIF.
const PIXEL: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff,
    0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
    0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
];

/// The public pixel route.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/o/{file}", get(pixel))
}

fn gif() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/gif"),
            (header::CACHE_CONTROL, "no-store, max-age=0"),
        ],
        PIXEL,
    )
        .into_response()
}

async fn pixel(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(token) = file.strip_suffix(".gif") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match state.app.record_email_open(token).await {
        Ok(OpenRecorded::Unknown) => StatusCode::NOT_FOUND.into_response(),
        Ok(OpenRecorded::First | OpenRecorded::Again) => gif(),
        Err(e) => {
            tracing::error!(error = %e, "recording an email open failed");
            gif()
        }
    }
}
