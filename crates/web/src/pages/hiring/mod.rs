//! Hiring pages: the team's (`/hiring/…`, logged in) and the public careers pages (`/jobs…`).

pub mod candidate;
pub mod offer;
pub mod public;
pub mod staff;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::state::AppState;

/// The hiring routes.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/hiring", get(staff::jobs))
        .route("/hiring/jobs", post(staff::create))
        .route("/hiring/jobs/{id}", get(staff::board))
        .route("/hiring/jobs/{id}/edit", get(staff::edit).post(staff::save))
        .route("/hiring/jobs/{id}/report", get(staff::report))
        .route("/hiring/applications/{id}", get(candidate::application))
        .route("/hiring/applications/{id}/resume", get(candidate::resume))
        .route("/hiring/applications/{id}/interviews", post(candidate::schedule))
        .route(
            "/hiring/applications/{id}/interviews/{interview}/scorecard",
            post(candidate::scorecard),
        )
        .route("/hiring/applications/{id}/offers", post(candidate::draft_offer))
        .route(
            "/hiring/applications/{id}/offers/{offer}/{action}",
            post(candidate::offer_action),
        )
        .route("/hiring/applications/{id}/tags", post(candidate::tags))
        .route("/hiring/applications/{id}/time-zone", post(candidate::time_zone))
        .route("/hiring/offers/{id}", get(offer::show))
        .route("/hiring/offers/{id}/{action}", post(offer::decide))
        .route("/hiring/applications/{id}/export", post(candidate::export))
        .route(
            "/hiring/applications/{id}/erase",
            get(candidate::erase_confirm).post(candidate::erase),
        )
        .route("/hiring/applications/{id}/move", post(staff::move_to))
        .route("/hiring/applications/{id}/decline", post(staff::decline))
        .route(
            "/hiring/applications/{id}/cancel-email",
            post(staff::cancel_email),
        )
        .route("/hiring/applications/{id}/withdraw", post(staff::withdraw))
        .route("/jobs", get(public::list))
        .route("/jobs/{slug}", get(public::show))
        .route(
            "/jobs/{slug}/apply",
            post(public::apply).layer(DefaultBodyLimit::max(public::APPLY_BODY_LIMIT)),
        )
        .route("/jobs/offers/{token}", get(public::offer))
        .route("/jobs/offers/{token}/accept", post(public::accept))
        .route("/jobs/offers/{token}/decline", post(public::decline))
}
