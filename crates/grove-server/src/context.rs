//! The outermost middleware: gives every request an id (`X-Request-Id`),
//! renders errors into the envelope, records Prometheus metrics by route and
//! status, and logs one structured line per request. Headers, and so keys,
//! are never logged.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use grove_core::{ApiError, ErrorCode};
use rand::distr::{Alphanumeric, SampleString};

use crate::error;

/// `scheme://host` the client reached this server by (the `Host` header,
/// and `X-Forwarded-Proto` behind a proxy), for links given back to it.
pub fn base_url(headers: &axum::http::HeaderMap) -> String {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let scheme = header("x-forwarded-proto").unwrap_or("http");
    format!("{scheme}://{}", header("host").unwrap_or("127.0.0.1"))
}

/// A 405 naming the method refused. (The router adds the `Allow` header
/// listing the methods the path takes after this middleware has run, since
/// `Router::layer` wraps each route, so the message points at it.)
fn method_not_allowed(method: &Method) -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!(
            "{method} is not allowed on this path; the Allow header lists the methods it takes"
        ),
    )
    .with_details(serde_json::json!({ "method": method.as_str() }))
}

/// The request's id, available to handlers as an extension.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub async fn request_context(mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = format!("req_{}", Alphanumeric.sample_string(&mut rand::rng(), 20));
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    req.extensions_mut().insert(RequestId(id.clone()));

    let mut response = next.run(req).await;
    if response.status() == StatusCode::METHOD_NOT_ALLOWED
        && response.extensions().get::<ApiError>().is_none()
    {
        // The router's own 405 has no body: it gets the envelope too.
        let error = method_not_allowed(&method);
        response.extensions_mut().insert(error);
    }
    if let Some(err) = response.extensions_mut().remove::<ApiError>() {
        let status = response.status();
        let style = response
            .extensions()
            .get::<error::ErrorStyle>()
            .copied()
            .unwrap_or_default();
        let headers = std::mem::take(response.headers_mut());
        response = error::render(&err, &id, status, style);
        for (name, value) in headers.iter() {
            if !response.headers().contains_key(name) {
                response.headers_mut().insert(name.clone(), value.clone());
            }
        }
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", v);
    }

    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    crate::metrics::record_request(method.as_str(), &route, status, elapsed);
    tracing::info!(
        request_id = %id,
        method = %method,
        route = %route,
        status,
        latency_ms = elapsed.as_secs_f64() * 1e3,
        "request"
    );
    response
}
