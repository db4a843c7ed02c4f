//! NUL characters refused at the door.
//!
//! PostgreSQL cannot store U+0000 in text or jsonb, so a NUL that reached a write would fail it
//! with a server error there and be stored on SQLite. Every query string, form post and JSON body
//! is checked here instead and answered 422 with the field the NUL is in, the same on both
//! backends. Two kinds of request are left alone: public form captures, which keep the refused
//! submission and check for themselves, and file uploads (multipart), where NUL bytes are the
//! import's business (it refuses binary files with their line).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::{json_error, payload_too_large};
use crate::state::AppState;

/// Checks the request for NUL characters; see the module documentation.
pub async fn refuse_nul(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/inbound/forms/") {
        return next.run(req).await;
    }
    if let Some(field) = req.uri().query().and_then(|q| nul_in_form(q.as_bytes())) {
        return refuse(&field);
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let is_json = content_type.starts_with("application/json");
    if !is_form && !is_json {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, state.settings.max_body_bytes).await else {
        return payload_too_large();
    };
    let found = if is_form {
        nul_in_form(&bytes)
    } else {
        nul_in_json(&bytes)
    };
    if let Some(field) = found {
        return refuse(&field);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn refuse(field: &str) -> Response {
    json_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "nul_character",
        &format!("{field} contains a NUL character (U+0000), which cannot be stored; remove it"),
        Some(field.to_owned()),
    )
}

/// The first field of an URL-encoded form (or query) whose name or value holds a NUL.
fn nul_in_form(encoded: &[u8]) -> Option<String> {
    form_urlencoded::parse(encoded)
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| k.replace('\0', "\u{fffd}"))
}

/// The path (`a.b.2`) of the first name or string in a JSON body that holds a NUL. Only a body
/// with the `\u0000` escape is parsed (raw NUL bytes are not JSON, and its parser refuses them);
/// a body that does not parse is left for the handler to report.
fn nul_in_json(body: &[u8]) -> Option<String> {
    if !body.windows(6).any(|w| w == b"\\u0000") {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    path_to_nul(&value, "")
}

fn path_to_nul(value: &serde_json::Value, at: &str) -> Option<String> {
    let join = |key: &str| {
        if at.is_empty() {
            key.to_owned()
        } else {
            format!("{at}.{key}")
        }
    };
    match value {
        serde_json::Value::String(s) if s.contains('\0') => Some(if at.is_empty() {
            "body".to_owned()
        } else {
            at.to_owned()
        }),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| path_to_nul(v, &join(&i.to_string()))),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                Some(join(&k.replace('\0', "\u{fffd}")))
            } else {
                path_to_nul(v, &join(k))
            }
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_field_holding_a_nul_in_forms_and_json() {
        assert_eq!(nul_in_form(b"a=1&name=x%00y"), Some("name".to_owned()));
        assert_eq!(nul_in_form(b"a=1&b=2"), None);
        assert_eq!(
            nul_in_json(br#"{"a": "ok", "tags": ["x", "y\u0000"]}"#),
            Some("tags.1".to_owned())
        );
        assert_eq!(
            nul_in_json(br#"{"a": {"b\u0000": 1}}"#),
            Some("a.b\u{fffd}".to_owned())
        );
        assert_eq!(
            nul_in_json(br#"{"a": "a backslash then u0000: \\u0000"}"#),
            None,
            "an escaped backslash is not a NUL"
        );
    }
}
