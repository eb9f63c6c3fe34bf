//! The legacy `/api/...` family speaks camelCase. Rather than a second set of
//! handlers, this middleware renames JSON keys on the way in (camelCase →
//! snake_case, bodies and query strings) and on the way out (snake_case →
//! camelCase). Error envelopes are rendered after it and stay the same in
//! every family. Legacy routes whose shapes differ by more than case get
//! their own adapters.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, Uri};
use axum::middleware::Next;
use axum::response::Response;
use grove_core::{ApiError, ErrorCode};
use serde_json::Value;

use crate::error::Failure;

pub fn camel_to_snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

pub fn snake_to_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' && !out.is_empty() {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn rename_keys(value: Value, rename: fn(&str) -> String) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (rename(&k), rename_keys(v, rename)))
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| rename_keys(v, rename)).collect())
        }
        other => other,
    }
}

/// A JSON value with its keys in camelCase, for legacy bodies that do not
/// pass through the adapter (event streams).
pub fn to_camel(value: Value) -> Value {
    rename_keys(value, snake_to_camel)
}

fn rename_query(uri: &Uri) -> Option<Uri> {
    let query = uri.query()?;
    let renamed: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (camel_to_snake(&k), v)),
        )
        .finish();
    format!("{}?{}", uri.path(), renamed).parse().ok()
}

/// Renames the keys of a JSON body; a body that is not JSON passes unchanged.
/// `None` when the body is over `limit` bytes.
async fn rewrite_body(body: Body, rename: fn(&str) -> String, limit: usize) -> Option<Body> {
    let bytes = to_bytes(body, limit).await.ok()?;
    Some(match serde_json::from_slice::<Value>(&bytes) {
        Ok(json) => Body::from(rename_keys(json, rename).to_string()),
        Err(_) => Body::from(bytes),
    })
}

/// The adapter; its state is the request body limit in bytes.
pub async fn camel_case(State(limit): State<usize>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    if let Some(uri) = rename_query(&parts.uri) {
        parts.uri = uri;
    }
    let Some(body) = rewrite_body(body, camel_to_snake, limit).await else {
        return axum::response::IntoResponse::into_response(Failure(ApiError::new(
            ErrorCode::PayloadTooLarge,
            "request body is larger than the server accepts",
        )));
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    let response = next.run(Request::from_parts(parts, body)).await;

    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Responses are built by this server, so no limit is needed on the way out.
    let body = rewrite_body(body, snake_to_camel, usize::MAX)
        .await
        .unwrap_or_else(Body::empty);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_convert_both_ways() {
        assert_eq!(camel_to_snake("dataSourceIds"), "data_source_ids");
        assert_eq!(snake_to_camel("data_source_ids"), "dataSourceIds");
        assert_eq!(snake_to_camel("request_id"), "requestId");
        assert_eq!(camel_to_snake("limit"), "limit");
    }

    #[test]
    fn nested_keys_are_renamed() {
        let v = serde_json::json!({"api_keys": [{"org_id": "x", "expires_at": null}]});
        let renamed = rename_keys(v, snake_to_camel);
        assert_eq!(
            renamed,
            serde_json::json!({"apiKeys": [{"orgId": "x", "expiresAt": null}]})
        );
    }
}
