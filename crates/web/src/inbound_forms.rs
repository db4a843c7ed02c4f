//! `POST /inbound/forms/{form}`: the public capture endpoint that forms on other sites post to.
//! It takes HTML form posts (`application/x-www-form-urlencoded`) and JSON objects; it is under
//! the CSRF-exempt `/inbound/` prefix and needs no login. It answers with as little as possible
//! (no person id, no score) because anyone can call it.
//!
//! Only this endpoint lives under `/inbound/`: logged-in pages that post (rules, hand-offs) are
//! elsewhere, so the CSRF exemption never covers them.

use std::collections::BTreeMap;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::post;
use prospector_app::AppError;
use prospector_app::inbound::capture::CaptureInput;

use crate::context::RequestContext;
use crate::error::ApiError;
use crate::state::AppState;

/// The public capture routes.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/inbound/forms/{form}", post(submit))
}

fn flatten_json(value: serde_json::Value, out: &mut BTreeMap<String, String>) -> Result<(), AppError> {
    let serde_json::Value::Object(map) = value else {
        return Err(AppError::BadRequest {
            code: "invalid_body",
            message: "send the form's fields as one JSON object".into(),
        });
    };
    for (k, v) in map {
        match v {
            serde_json::Value::Null => {}
            serde_json::Value::String(s) => {
                out.insert(k, s);
            }
            // `"utm": {"source": …}` is accepted as `utm_source`.
            serde_json::Value::Object(inner) if k == "utm" => {
                for (ik, iv) in inner {
                    if let Some(s) = iv.as_str() {
                        out.insert(format!("utm_{ik}"), s.to_owned());
                    }
                }
            }
            other => {
                out.insert(k, other.to_string());
            }
        }
    }
    Ok(())
}

/// Takes one form post.
pub async fn submit(
    State(state): State<AppState>,
    Path(form): Path<String>,
    Extension(ctx): Extension<RequestContext>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let is_json = content_type.starts_with("application/json");
    let mut fields = BTreeMap::new();
    if is_json {
        let parsed = serde_json::from_slice::<serde_json::Value>(&body)
            .map_err(|e| AppError::BadRequest {
                code: "malformed_json",
                message: format!("the body is not valid JSON: {e}"),
            })
            .and_then(|v| flatten_json(v, &mut fields));
        if let Err(e) = parsed {
            return ApiError(e).into_response();
        }
    } else {
        for (k, v) in form_urlencoded::parse(&body) {
            fields.insert(k.into_owned(), v.into_owned());
        }
    }
    let wants_html = !is_json
        && headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
    let input = CaptureInput {
        form,
        fields,
        ip: ctx.ip.clone(),
    };
    match state.app.capture_form(input).await {
        Ok(captured) => {
            if wants_html {
                (
                    StatusCode::CREATED,
                    Html("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Thank you</title></head>\
                          <body><h1>Thank you</h1><p>We received your request and will be in touch soon.</p></body></html>"),
                )
                    .into_response()
            } else {
                (
                    StatusCode::CREATED,
                    axum::Json(serde_json::json!({
                        "status": "received",
                        "submission_id": captured.submission_id.to_string(),
                    })),
                )
                    .into_response()
            }
        }
        Err(e) => ApiError(e).into_response(),
    }
}
