//! The JSON API under `/api/v1`, with its OpenAPI document generated from the handlers.

pub mod audit;
pub mod dashboards;
pub mod dto;
pub mod handbook;
pub mod hiring;
pub mod inbound;
pub mod inbound_setup;
pub mod mailboxes;
pub mod records;
pub mod sequences;
pub mod stories;
pub mod tokens;
pub mod users;

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Prospector API", description = "Sales development: records, sequences, inbound, hiring.",
         license(name = "AGPL-3.0-or-later")),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        openapi.security = Some(vec![SecurityRequirement::new("bearer", Vec::<String>::new())]);
    }
}

/// The API routes and the OpenAPI document describing them.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(users::me))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::get_user, users::update_user))
        .routes(routes!(users::list_teams))
        .routes(routes!(tokens::list_tokens, tokens::create_token))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(audit::list_audit))
        .merge(hiring::router())
        .routes(routes!(mailboxes::list_mailboxes, mailboxes::create_mailbox))
        .routes(routes!(mailboxes::get_mailbox, mailboxes::update_mailbox))
        .routes(routes!(mailboxes::sync_mailbox))
        .routes(routes!(mailboxes::list_inbound))
        .routes(routes!(handbook::list_pages))
        .routes(routes!(handbook::get_page))
        .routes(routes!(handbook::get_section))
        .routes(routes!(handbook::set_owners))
        .routes(routes!(handbook::list_revisions))
        .routes(routes!(handbook::restore_revision))
        .routes(routes!(handbook::search))
        .routes(routes!(handbook::list_links, handbook::set_links))
        .routes(routes!(handbook::list_proposals, handbook::create_proposal))
        .routes(routes!(handbook::get_proposal, handbook::update_proposal))
        .routes(routes!(handbook::submit_proposal))
        .routes(routes!(handbook::approve_proposal))
        .routes(routes!(handbook::close_proposal))
        .routes(routes!(handbook::merge_proposal))
        .routes(routes!(handbook::add_comment))
        .routes(routes!(stories::list_stories, stories::nominate))
        .routes(routes!(stories::top_nominators))
        .routes(routes!(stories::get_story))
        .routes(routes!(stories::move_story))
        .routes(routes!(stories::consent_file))
        // A consent file may be up to 5 MB, base64 in JSON: this one route takes larger bodies.
        .merge(
            OpenApiRouter::new()
                .routes(routes!(stories::record_consent))
                .layer(axum::extract::DefaultBodyLimit::max(8 * 1024 * 1024)),
        )
        .merge(records::router())
        .merge(inbound::router())
        .merge(sequences::router())
        .merge(inbound_setup::router())
        .merge(dashboards::router())
}
