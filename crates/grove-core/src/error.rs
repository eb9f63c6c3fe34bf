//! The error-code table: every error Grove returns has one of these codes, and
//! each code has exactly one HTTP status. Handlers build an [`ApiError`]; the
//! server turns it into the `{"error":{code,message,details},"request_id"}`
//! envelope.

use serde_json::{json, Value};

/// Every error code Grove can answer with, and its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    RateLimitExceeded,
    AgentInactive,
    JobAlreadyRunning,
    InternalError,
    GenerationFailed,
    ServiceUnavailable,
    QueryRefused,
    QueryFailed,
    DatabaseUnavailable,
}

impl ErrorCode {
    /// The table: code → (wire name, HTTP status).
    const TABLE: [(ErrorCode, &'static str, u16); 16] = [
        (ErrorCode::InvalidRequest, "invalid_request", 400),
        (ErrorCode::Unauthorized, "unauthorized", 401),
        (ErrorCode::Forbidden, "forbidden", 403),
        (ErrorCode::NotFound, "not_found", 404),
        (ErrorCode::MethodNotAllowed, "method_not_allowed", 405),
        (ErrorCode::Conflict, "conflict", 409),
        (ErrorCode::PayloadTooLarge, "payload_too_large", 413),
        (ErrorCode::RateLimitExceeded, "rate_limit_exceeded", 429),
        (ErrorCode::AgentInactive, "agent_inactive", 409),
        (ErrorCode::JobAlreadyRunning, "job_already_running", 409),
        (ErrorCode::InternalError, "internal_error", 500),
        (ErrorCode::GenerationFailed, "generation_failed", 502),
        (ErrorCode::ServiceUnavailable, "service_unavailable", 503),
        (ErrorCode::QueryRefused, "query_refused", 400),
        (ErrorCode::QueryFailed, "query_failed", 422),
        (ErrorCode::DatabaseUnavailable, "database_unavailable", 502),
    ];

    fn row(self) -> (ErrorCode, &'static str, u16) {
        // The table lists every variant, so the lookup always succeeds.
        Self::TABLE
            .into_iter()
            .find(|(code, _, _)| *code == self)
            .unwrap_or((ErrorCode::InternalError, "internal_error", 500))
    }

    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        self.row().1
    }

    /// The HTTP status that goes with the code.
    pub fn status(self) -> u16 {
        self.row().2
    }

    /// Every code with its status, for documentation and tests.
    pub fn all() -> impl Iterator<Item = (&'static str, u16)> {
        Self::TABLE
            .into_iter()
            .map(|(_, name, status)| (name, status))
    }
}

/// An error as the API reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Value,
    /// Seconds until a retry can succeed; set for `rate_limit_exceeded` and
    /// for a busy store's `service_unavailable`.
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: json!({}),
            retry_after_secs: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// A 400 naming the offending field and the reason.
    pub fn invalid_field(field: &str, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        Self::new(ErrorCode::InvalidRequest, format!("{field}: {reason}"))
            .with_details(json!({ "field": field, "reason": reason }))
    }

    /// A 404 for a resource kind and id. Also used for resources of another
    /// organisation, so ids never leak across tenants.
    pub fn not_found(kind: &str, id: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{kind} not found"))
            .with_details(json!({ "id": id }))
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InternalError, message)
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ServiceUnavailable, message)
    }

    /// A 503 for a moment of contention that a retry after
    /// `retry_after_secs` is expected to get past.
    pub fn busy(retry_after_secs: u64) -> Self {
        Self::unavailable(format!(
            "the database is busy; retry after {retry_after_secs} s"
        ))
        .with_retry_after(retry_after_secs)
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self::new(
            ErrorCode::RateLimitExceeded,
            format!("rate limit exceeded; retry after {retry_after_secs} s"),
        )
        .with_retry_after(retry_after_secs)
    }

    /// Says when a retry can succeed: in `details.retry_after`, and so in
    /// the `Retry-After` header the server adds.
    fn with_retry_after(mut self, secs: u64) -> Self {
        self.details = json!({ "retry_after": secs });
        self.retry_after_secs = Some(secs);
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_the_documented_status() {
        let table: Vec<_> = ErrorCode::all().collect();
        assert_eq!(
            table,
            vec![
                ("invalid_request", 400),
                ("unauthorized", 401),
                ("forbidden", 403),
                ("not_found", 404),
                ("method_not_allowed", 405),
                ("conflict", 409),
                ("payload_too_large", 413),
                ("rate_limit_exceeded", 429),
                ("agent_inactive", 409),
                ("job_already_running", 409),
                ("internal_error", 500),
                ("generation_failed", 502),
                ("service_unavailable", 503),
                ("query_refused", 400),
                ("query_failed", 422),
                ("database_unavailable", 502),
            ]
        );
        assert_eq!(ErrorCode::Conflict.status(), 409);
        assert_eq!(ErrorCode::PayloadTooLarge.as_str(), "payload_too_large");
    }

    #[test]
    fn invalid_field_names_the_field() {
        let err = ApiError::invalid_field("limit", "must be between 1 and 200");
        assert_eq!(err.details["field"], "limit");
        assert_eq!(err.code.status(), 400);
    }
}
