//! Authentication, scope checks and rate limits, in one per-route guard.
//!
//! A key arrives as `Authorization: Bearer <key>` or as `X-API-Key` together
//! with `X-Organization-Id`, which must name the key's organisation. Missing,
//! malformed, unknown, revoked or expired keys get 401; a valid key without
//! the route's scope gets 403; past the scope's rate limit, 429. Every
//! authenticated response carries `X-RateLimit-*` headers.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use grove_core::apikey;
use grove_core::ids::OrgId;
use grove_core::model::{ApiKey, Role};
use grove_core::scope::{Requirement, Scope};
use grove_core::ApiError;

use crate::error::{ApiResult, Failure};
use crate::ratelimit::{RateKey, RateStatus};
use crate::state::AppState;

/// The authenticated caller, available to handlers as an extension.
#[derive(Debug, Clone)]
pub struct Caller {
    pub key: ApiKey,
}

impl Caller {
    pub fn org(&self) -> &OrgId {
        &self.key.org_id
    }
}

/// State of one route's guard: the app and what the route requires.
#[derive(Clone)]
pub struct Guard {
    pub state: AppState,
    pub requirement: Requirement,
}

pub async fn guard(State(guard): State<Guard>, req: Request, next: Next) -> Response {
    let key = match authenticate(&guard.state, req.headers()).await {
        Ok(key) => key,
        Err(failure) => return failure.into_response(),
    };
    if !key.grants().satisfies(guard.requirement) {
        let scope = guard.requirement.scope.as_str();
        return Failure(
            ApiError::forbidden(format!("this API key lacks the `{scope}` scope"))
                .with_details(serde_json::json!({ "required_scope": scope })),
        )
        .into_response();
    }
    if let Err(failure) = check_role(&guard.state, &key, guard.requirement.least_role()).await {
        return failure.into_response();
    }
    within_rate_limit(&guard.state, key, guard.requirement.scope, req, next).await
}

/// Runs the request for an authenticated key if the key's rate limit for
/// `scope` allows it (429 otherwise), with the `X-RateLimit-*` headers on
/// the answer either way.
pub(crate) async fn within_rate_limit(
    state: &AppState,
    key: ApiKey,
    scope: Scope,
    mut req: Request,
    next: Next,
) -> Response {
    let status = state.limiters.check(scope, &RateKey::Key(key.id.clone()));
    let mut response = match status.retry_after {
        Some(secs) => Failure(ApiError::rate_limited(secs)).into_response(),
        None => {
            req.extensions_mut().insert(Caller { key });
            next.run(req).await
        }
    };
    add_rate_headers(response.headers_mut(), status);
    response
}

/// Refuses a caller whose key was made for a user below `needed`, for a
/// handler whose need depends on the request (the guard checks the route's).
pub async fn require_role(state: &AppState, caller: &Caller, needed: Role) -> ApiResult<()> {
    check_role(state, &caller.key, needed).await
}

/// A key made for a user does no more than the user's role allows
/// (read now, so a role change applies to the next request).
async fn check_role(state: &AppState, key: &ApiKey, needed: Role) -> ApiResult<()> {
    let Some(user_id) = &key.user_id else {
        return Ok(());
    };
    let user = state.store.get_user(&key.org_id, user_id).await?;
    let Some(user) = user else {
        return Err(Failure(ApiError::forbidden(
            "the user this API key was made for no longer exists",
        )));
    };
    if user.role.includes(needed) {
        return Ok(());
    }
    Err(Failure(
        ApiError::forbidden(format!(
            "the role `{}` of this key's user does not allow this; it needs `{}` or above",
            user.role.as_str(),
            needed.as_str()
        ))
        .with_details(serde_json::json!({
            "role": user.role.as_str(),
            "required_role": needed.as_str(),
        })),
    ))
}

fn add_rate_headers(headers: &mut HeaderMap, status: RateStatus) {
    for (name, value) in [
        ("x-ratelimit-limit", status.limit as u64),
        ("x-ratelimit-remaining", status.remaining as u64),
        ("x-ratelimit-reset", status.reset),
    ] {
        headers.insert(name, HeaderValue::from(value));
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> ApiResult<Option<&'a str>> {
    headers
        .get(name)
        .map(|v| {
            v.to_str()
                .map_err(|_| Failure(ApiError::unauthorized(format!("{name} is not valid text"))))
        })
        .transpose()
}

/// Verified keys by hash, so a request does not read the store to
/// authenticate. Anything that revokes a key in this process calls
/// [`KeyCache::invalidate`], so revocation takes effect on the next request;
/// the time-to-live bounds how long another replica's revocation can take.
pub struct KeyCache {
    ttl: Duration,
    entries: RwLock<HashMap<String, (ApiKey, Instant)>>,
}

/// Entries kept before the cache starts over (each is a few hundred bytes).
const KEY_CACHE_CAPACITY: usize = 10_000;

impl KeyCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: RwLock::new(HashMap::new()),
        }
    }

    fn get(&self, hash: &str) -> Option<ApiKey> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries
            .get(hash)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(key, _)| key.clone())
    }

    fn put(&self, hash: String, key: ApiKey) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= KEY_CACHE_CAPACITY {
            entries.clear();
        }
        entries.insert(hash, (key, Instant::now()));
    }

    /// Forgets every cached key; called after any revocation.
    pub fn invalidate(&self) {
        self.entries
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

async fn find_key(state: &AppState, secret: &str) -> ApiResult<Option<ApiKey>> {
    let hash = apikey::hash(secret);
    if let Some(key) = state.key_cache.get(&hash) {
        return Ok(Some(key));
    }
    let found = state.store.key_by_hash(&hash).await?;
    if let Some(key) = &found {
        state.key_cache.put(hash, key.clone());
    }
    Ok(found)
}

/// Finds the presented key and checks it can be used now.
pub(crate) async fn authenticate(state: &AppState, headers: &HeaderMap) -> ApiResult<ApiKey> {
    let bearer = header(headers, "authorization")?.map(|v| {
        v.strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
            .unwrap_or(v)
            .trim()
    });
    let secret = match (bearer, header(headers, "x-api-key")?) {
        (Some(s), _) | (None, Some(s)) => s,
        (None, None) => {
            return Err(Failure(ApiError::unauthorized(
                "missing API key: send `Authorization: Bearer <key>` or `X-API-Key`",
            )))
        }
    };
    if !apikey::is_well_formed(secret) {
        return Err(Failure(ApiError::unauthorized(
            "malformed API key: expected grove_live_… or grove_test_…",
        )));
    }
    let key = find_key(state, secret)
        .await?
        .ok_or_else(|| Failure(ApiError::unauthorized("invalid API key")))?;
    if key.revoked_at.is_some() {
        return Err(Failure(ApiError::unauthorized(
            "this API key has been revoked",
        )));
    }
    if !key.is_usable_at(jiff::Timestamp::now()) {
        return Err(Failure(ApiError::unauthorized("this API key has expired")));
    }
    if let Some(org) = header(headers, "x-organization-id")? {
        if org != key.org_id.as_str() {
            return Err(Failure(ApiError::unauthorized(
                "X-Organization-Id does not match the API key's organisation",
            )));
        }
    }
    Ok(key)
}
