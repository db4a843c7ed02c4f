//! Mapping every refusal to one JSON shape, once: `{"error":{"code","message","field"}}`.

use axum::extract::FromRequest;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use prospector_app::AppError;
use serde::Serialize;

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(value: AppError) -> Self {
        ApiError(value)
    }
}

impl From<prospector_core::Invalid> for ApiError {
    fn from(value: prospector_core::Invalid) -> Self {
        ApiError(AppError::Invalid(value))
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorBody {
    error: ErrorDetail,
}

/// The body of every error response.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorDetail {
    /// Stable machine code, e.g. `invalid_email`, `email_taken`, `unauthenticated`.
    code: String,
    /// What went wrong, for people.
    message: String,
    /// The input field concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
}

/// Status, code, message and field for an application error.
pub(crate) fn classify(err: &AppError) -> (StatusCode, String, String, Option<String>) {
    match err {
        AppError::Invalid(inv) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            inv.code.to_owned(),
            inv.message.clone(),
            Some(inv.field.clone()),
        ),
        AppError::BadRequest { code, message } => {
            (StatusCode::BAD_REQUEST, (*code).to_owned(), message.clone(), None)
        }
        AppError::Unauthenticated(m) => (
            StatusCode::UNAUTHORIZED,
            "unauthenticated".into(),
            m.clone(),
            None,
        ),
        AppError::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden".into(), m.clone(), None),
        AppError::NotFound(what) => (
            StatusCode::NOT_FOUND,
            "not_found".into(),
            format!("{what} not found"),
            None,
        ),
        AppError::Conflict { code, message, field } => (
            StatusCode::CONFLICT,
            (*code).to_owned(),
            message.clone(),
            field.clone(),
        ),
        AppError::TooManyRequests { .. } => (
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests".into(),
            err.to_string(),
            None,
        ),
        AppError::Unavailable(m) => {
            tracing::error!(error = %m, "database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable".into(),
                "the database is not answering".into(),
                None,
            )
        }
        AppError::Internal(m) => {
            // Logged with the request's span (which carries the request id); never shown.
            tracing::error!(error = %m, "internal error");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal".into(),
                "something went wrong on our side; the server log has the details".into(),
                None,
            )
        }
    }
}

/// Builds the JSON error response.
pub(crate) fn json_error(status: StatusCode, code: &str, message: &str, field: Option<String>) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.to_owned(),
            message: message.to_owned(),
            field,
        },
    };
    (status, axum::Json(body)).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, field) = classify(&self.0);
        let mut response = json_error(status, &code, &message, field);
        add_auth_headers(&self.0, &mut response);
        response
    }
}

/// `Retry-After` on 429 and `WWW-Authenticate` on 401.
pub(crate) fn add_auth_headers(err: &AppError, response: &mut Response) {
    match err {
        AppError::TooManyRequests { retry_after_secs } => {
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        AppError::Unauthenticated(_) => {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"prospector\""),
            );
        }
        _ => {}
    }
}

/// A JSON body whose rejections speak our error shape: malformed JSON is a 400 with the parser's
/// line and column, a body of the wrong shape a 422, an oversized one a 413.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> Response {
    use std::error::Error;
    let detail = rejection
        .source()
        .map(ToString::to_string)
        .unwrap_or_else(|| rejection.body_text());
    match rejection {
        JsonRejection::JsonSyntaxError(_) => json_error(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            &format!("the body is not valid JSON: {detail}"),
            None,
        ),
        JsonRejection::JsonDataError(_) => {
            let field = field_from_serde_message(&detail);
            json_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                &format!("the body does not fit: {detail}"),
                field,
            )
        }
        JsonRejection::MissingJsonContentType(_) => json_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as JSON with Content-Type: application/json",
            None,
        ),
        JsonRejection::BytesRejection(_) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            payload_too_large()
        }
        other => json_error(other.status(), "bad_request", &detail, None),
    }
}

/// The 413 answer.
pub(crate) fn payload_too_large() -> Response {
    json_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "the request body is larger than the server accepts",
        None,
    )
}

/// serde names the offending field as "missing field `email`" or "unknown field `x`"; pass it on.
fn field_from_serde_message(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(message[start..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::field_from_serde_message;

    #[test]
    fn serde_messages_name_their_field() {
        assert_eq!(
            field_from_serde_message("missing field `email` at line 1 column 2").as_deref(),
            Some("email")
        );
        assert_eq!(field_from_serde_message("invalid type: integer"), None);
    }
}
