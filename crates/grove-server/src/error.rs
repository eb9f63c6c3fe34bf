//! Turning errors into responses. Handlers, extractors and middleware return
//! [`Failure`]; it travels in the response's extensions until the outermost
//! middleware ([`crate::context`]) renders the one envelope,
//! `{"error":{"code","message","details"},"request_id"}`, with the request id.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use grove_core::{ApiError, ErrorCode};
use grove_sql::SqlError;
use grove_store::StoreError;
use serde_json::json;

/// An [`ApiError`] on its way to becoming a response.
#[derive(Debug)]
pub struct Failure(pub ApiError);

pub type ApiResult<T> = Result<T, Failure>;

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure(e)
    }
}

/// What a client is told to wait when the database stayed locked.
const STORE_RETRY_AFTER_SECS: u64 = 1;

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure(match e {
            StoreError::Conflict(what) => ApiError::conflict(what),
            StoreError::Backend(detail) => {
                tracing::error!(error = %detail, "store failure");
                ApiError::internal("internal storage error")
            }
            StoreError::Busy(detail) => {
                tracing::warn!(error = %detail, "store busy");
                ApiError::busy(STORE_RETRY_AFTER_SECS)
            }
            StoreError::Refused(e) => e,
            StoreError::Secret(e) => {
                tracing::error!(error = %e, "stored credential");
                ApiError::internal("a stored credential could not be opened")
            }
        })
    }
}

impl From<SqlError> for Failure {
    fn from(e: SqlError) -> Self {
        Failure(match e {
            SqlError::Invalid { field, reason } => ApiError::invalid_field(&field, reason),
            SqlError::Refused(refusal) => ApiError::new(
                ErrorCode::QueryRefused,
                format!("the query was refused: {}", refusal.detail),
            )
            .with_details(json!({"rule": refusal.rule, "reason": refusal.detail})),
            SqlError::Failed(message) => ApiError::new(ErrorCode::QueryFailed, message),
            SqlError::Unavailable(message) => ApiError::new(
                ErrorCode::DatabaseUnavailable,
                format!("the database could not be reached: {message}"),
            ),
        })
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = status.into_response();
        response.extensions_mut().insert(self.0);
        response
    }
}

/// How an error envelope is drawn: Grove's, or OpenAI's for the
/// OpenAI-compatible face (a handler's middleware marks its responses with
/// the style; the envelope is drawn once, by [`crate::context`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorStyle {
    #[default]
    Grove,
    /// `{"error":{"message","type","param","code"}}`, as OpenAI's SDKs read
    /// it, with Grove's `details` kept beside.
    OpenAi,
}

/// OpenAI's error `type` for a status.
fn openai_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        s if s >= 500 => "server_error",
        _ => "invalid_request_error",
    }
}

/// Renders the error envelope for a response carrying an [`ApiError`].
pub fn render(
    error: &ApiError,
    request_id: &str,
    status: StatusCode,
    style: ErrorStyle,
) -> Response {
    let mut body = match style {
        ErrorStyle::Grove => json!({
            "error": {
                "code": error.code.as_str(),
                "message": error.message,
                "details": error.details,
            },
            "request_id": request_id,
        }),
        ErrorStyle::OpenAi => json!({
            "error": {
                "message": error.message,
                "type": openai_type(status),
                "param": error.details.get("field"),
                "code": error.code.as_str(),
                "details": error.details,
            },
            "request_id": request_id,
        }),
    };
    if let Some(secs) = error.retry_after_secs {
        // The seeds' 429 body also carries `retryAfter` inside `error` (and
        // so does a 503 that says when to retry).
        body["error"]["retryAfter"] = json!(secs);
    }
    let mut response = (status, axum::Json(body)).into_response();
    if let Some(secs) = error.retry_after_secs {
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            response.headers_mut().insert("retry-after", v);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_store_is_a_503_saying_when_to_retry() {
        let Failure(error) = StoreError::Busy("database is locked".into()).into();
        let status = StatusCode::from_u16(error.code.status()).unwrap();
        let response = render(&error, "req_x", status, ErrorStyle::Grove);
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()["retry-after"], "1");
        assert_eq!(error.code.as_str(), "service_unavailable");
        assert_eq!(error.details["retry_after"], 1);
    }

    #[test]
    fn a_failing_store_is_a_500_that_hides_the_detail() {
        let Failure(error) = StoreError::Backend("disk I/O error at page 7".into()).into();
        assert_eq!(error.code.status(), 500);
        assert!(!error.message.contains("page 7"), "{}", error.message);
        assert_eq!(error.retry_after_secs, None);
    }
}
