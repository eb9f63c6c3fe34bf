//! `/api/v1/api-keys`: create (secret shown once), list, get, revoke.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{delete, get, post};
use axum::{Extension, Json as JsonResponse};
use grove_core::apikey::KeyEnvironment;
use grove_core::ids::{KeyId, OrgId, UserId};
use grove_core::model::ApiKey;
use grove_core::scope::{Scope, KNOWN_PERMISSIONS};
use grove_core::ApiError;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{both_families, Route, RouteDoc};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::extract::{path_id, Json, ListParams, Query};
use crate::provision::{mint, KeySpec};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    /// Any of `read`, `write`, `execute`, `admin`.
    #[serde(default)]
    #[schema(min_items = 1)]
    pub scopes: Vec<Scope>,
    /// Fine permissions, such as `agent_jobs_trigger`.
    #[serde(default)]
    #[schema(schema_with = permissions_schema)]
    pub permissions: Vec<String>,
    /// RFC 3339 time after which the key stops working.
    #[schema(format = DateTime)]
    pub expires_at: Option<String>,
    /// `live` (default) or `test`.
    pub environment: Option<KeyEnvironment>,
    /// The user the key acts for.
    #[schema(value_type = Option<String>)]
    pub user_id: Option<UserId>,
}

/// `permissions`: one or more of [`KNOWN_PERMISSIONS`].
fn permissions_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(KNOWN_PERMISSIONS.iter().copied())),
        )
        .min_items(Some(1))
        .description(Some("Fine permissions, such as `agent_jobs_trigger`."))
        .build()
}

/// A new key: the record plus the secret, which is never shown again.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub record: ApiKey,
    /// The full key. Store it now: only its hash is kept.
    pub key: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyList {
    pub api_keys: Vec<ApiKey>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

fn check_spec(org: &OrgId, body: CreateApiKey) -> Result<KeySpec, Failure> {
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Failure(ApiError::invalid_field(
            "name",
            "must be 1 to 200 characters",
        )));
    }
    if body.scopes.is_empty() && body.permissions.is_empty() {
        return Err(Failure(ApiError::invalid_field(
            "scopes",
            "give at least one scope or permission",
        )));
    }
    if let Some((i, unknown)) = body
        .permissions
        .iter()
        .enumerate()
        .find(|(_, p)| !KNOWN_PERMISSIONS.contains(&p.as_str()))
    {
        return Err(Failure(ApiError::invalid_field(
            &format!("permissions[{i}]"),
            format!(
                "unknown permission `{unknown}`; known: {}",
                KNOWN_PERMISSIONS.join(", ")
            ),
        )));
    }
    let expires_at = match body.expires_at.as_deref() {
        None => None,
        Some(raw) => {
            let at: Timestamp = raw.parse().map_err(|_| {
                Failure(ApiError::invalid_field(
                    "expires_at",
                    "must be an RFC 3339 timestamp",
                ))
            })?;
            if at <= Timestamp::now() {
                return Err(Failure(ApiError::invalid_field(
                    "expires_at",
                    "must be in the future",
                )));
            }
            Some(at)
        }
    };
    let mut scopes = body.scopes;
    scopes.dedup();
    Ok(KeySpec {
        org_id: org.clone(),
        user_id: body.user_id,
        name: name.to_owned(),
        environment: body.environment.unwrap_or(KeyEnvironment::Live),
        scopes,
        permissions: body.permissions,
        expires_at,
    })
}

/// Creates a key in `org` (checked as the API checks it); the record and
/// its secret, shown once. The console creates keys through this too.
pub async fn create(
    state: &AppState,
    org: &OrgId,
    body: CreateApiKey,
) -> Result<CreatedApiKey, Failure> {
    let spec = check_spec(org, body)?;
    if let Some(user) = &spec.user_id {
        if state.store.get_user(org, user).await?.is_none() {
            return Err(Failure(ApiError::invalid_field(
                "user_id",
                "no such user in this organisation",
            )));
        }
    }
    let (secret, record) = mint(spec);
    let record = state.store.create_key(record).await?;
    tracing::info!(key_id = %record.id, prefix = %record.prefix, "api key created");
    Ok(CreatedApiKey {
        record,
        key: secret,
    })
}

async fn create_key(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<CreateApiKey>,
) -> ApiResult<(StatusCode, JsonResponse<CreatedApiKey>)> {
    let created = create(&state, caller.org(), body).await?;
    Ok((StatusCode::CREATED, JsonResponse(created)))
}

async fn list_keys(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListParams>,
) -> ApiResult<JsonResponse<ApiKeyList>> {
    let page = params.page()?;
    let listed = state.store.list_keys(caller.org(), page).await?;
    Ok(JsonResponse(ApiKeyList {
        api_keys: listed.items,
        total: listed.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

async fn get_key(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<ApiKey>> {
    let id = path_id(&id, "id", KeyId::parse)?;
    state
        .store
        .get_key(caller.org(), &id)
        .await?
        .map(JsonResponse)
        .ok_or_else(|| Failure(ApiError::not_found("api key", id.as_str())))
}

/// Revokes a key of `org`, effective on the next request; false if absent.
pub async fn revoke(state: &AppState, org: &OrgId, id: &KeyId) -> Result<bool, Failure> {
    let revoked = state.store.revoke_key(org, id).await?.is_some();
    if revoked {
        state.key_cache.invalidate();
        tracing::info!(key_id = %id, "api key revoked");
    }
    Ok(revoked)
}

async fn revoke_key(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = path_id(&id, "id", KeyId::parse)?;
    if revoke(&state, caller.org(), &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Failure(ApiError::not_found("api key", id.as_str())))
    }
}

fn doc(operation_id: &'static str, summary: &'static str) -> RouteDoc {
    RouteDoc {
        operation_id,
        summary,
        tag: "api-keys",
        request: None,
        response: (200, Some("ApiKey")),
        paginated: false,
        camel_case: false,
        required: &[],
        query: None,
    }
}

pub fn routes() -> Vec<Route> {
    let mut routes = Vec::new();
    routes.extend(both_families(
        Method::GET,
        "/api/v1/api-keys",
        "/api/api-keys",
        Scope::Admin,
        RouteDoc {
            response: (200, Some("ApiKeyList")),
            paginated: true,
            ..doc("listApiKeys", "List API keys (never the secrets)")
        },
        || get(list_keys),
    ));
    routes.extend(both_families(
        Method::POST,
        "/api/v1/api-keys",
        "/api/api-keys",
        Scope::Admin,
        RouteDoc {
            request: Some("CreateApiKey"),
            required: &["scopes|permissions"],
            response: (201, Some("CreatedApiKey")),
            ..doc(
                "createApiKey",
                "Create an API key; the secret is returned once",
            )
        },
        || post(create_key),
    ));
    routes.extend(both_families(
        Method::GET,
        "/api/v1/api-keys/{id}",
        "/api/api-keys/{id}",
        Scope::Admin,
        doc("getApiKey", "Get an API key's record"),
        || get(get_key),
    ));
    routes.extend(both_families(
        Method::DELETE,
        "/api/v1/api-keys/{id}",
        "/api/api-keys/{id}",
        Scope::Admin,
        RouteDoc {
            response: (204, None),
            ..doc(
                "revokeApiKey",
                "Revoke an API key, effective on the next request",
            )
        },
        || delete(revoke_key),
    ));
    routes
}
