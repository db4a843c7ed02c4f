//! Prospector's HTTP face: the JSON API under `/api/v1` (with its OpenAPI document), the
//! server-rendered pages, embedded assets, health and metrics. Authentication establishes who is
//! calling; what they may do is decided in `app`.

pub mod api;
mod assets;
pub mod auth;
pub mod context;
pub mod csrf;
pub mod error;
mod health;
pub mod inbound_forms;
mod nul_guard;
pub mod open_pixel;
pub mod pages;
pub mod state;
pub mod unsubscribe;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router, middleware};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use prospector_app::App;
use tower_http::catch_panic::CatchPanicLayer;

pub use state::{AppState, WebSettings};

/// The process-wide metrics recorder (installed once; every app in the process shares it).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".into()),
                    &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5],
                )
                .unwrap_or_else(|_| PrometheusBuilder::new());
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder was installed first, in which case we still render ours.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        error::json_error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("no API route {}", uri.path()),
            None,
        )
    } else {
        pages::error_page(&prospector_app::AppError::NotFound("page".into()))
    }
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    error::json_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "something went wrong on our side",
        None,
    )
}

/// The whole router for `app`.
pub fn router(app: App, settings: WebSettings) -> Router {
    let state = AppState {
        app,
        settings: Arc::new(settings),
        metrics: metrics_handle(),
    };
    let (api, openapi) = api::router().split_for_parts();
    let openapi = Arc::new(openapi);
    let api = api.method_not_allowed_fallback(|| async {
        error::json_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this route does not accept that method",
            None,
        )
    });
    Router::new()
        .merge(api)
        .merge(pages::router())
        .merge(inbound_forms::router())
        .merge(unsubscribe::router())
        .merge(open_pixel::router())
        .route(
            "/api/openapi.json",
            get(move || async move { Json(openapi.as_ref().clone()).into_response() }),
        )
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
        .route("/assets/{file}", get(assets::serve))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            nul_guard::refuse_nul,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), csrf::csrf))
        .layer(DefaultBodyLimit::max(state.settings.max_body_bytes))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            context::request_context,
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` resolves, then finishes requests in flight.
pub async fn launch_with_listener(
    app: App,
    settings: WebSettings,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = router(app, settings);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
