//! `/api/v1/users`: the organisation's users (admin scope).

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{delete, get, post, put};
use axum::{Extension, Json as JsonResponse};
use grove_core::ids::{OrgId, UserId};
use grove_core::model::{Role, User};
use grove_core::scope::Scope;
use grove_core::ApiError;
use grove_store::{NewUser, UserPatch};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{both_families, Route, RouteDoc};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::extract::{path_id, trimmed_text, Json, ListParams, Query};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    #[schema(max_length = 254, format = "email")]
    pub email: String,
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    pub role: Role,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[schema(max_length = 254, format = "email")]
    pub email: Option<String>,
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    pub role: Option<Role>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub users: Vec<User>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

const MAX_NAME: usize = 200;
const MAX_EMAIL: usize = 254;

fn check_email(email: &str) -> Result<String, Failure> {
    let email = email.trim();
    let valid = email.len() <= MAX_EMAIL
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        })
        && !email.chars().any(char::is_whitespace);
    if valid {
        Ok(email.to_owned())
    } else {
        Err(Failure(ApiError::invalid_field(
            "email",
            "must be an email address like name@example.com",
        )))
    }
}

fn check_name(name: &str) -> Result<String, Failure> {
    trimmed_text("name", name, MAX_NAME, true)
}

fn user_id(raw: &str) -> Result<UserId, Failure> {
    path_id(raw, "id", UserId::parse)
}

/// Creates a user in `org` (checked as the API checks it); the console
/// invites through this too.
pub async fn create(state: &AppState, org: &OrgId, body: CreateUser) -> Result<User, Failure> {
    let user = NewUser {
        email: check_email(&body.email)?,
        name: check_name(&body.name)?,
        role: body.role,
    };
    Ok(state.store.create_user(org, user).await?)
}

async fn create_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<CreateUser>,
) -> ApiResult<(StatusCode, JsonResponse<User>)> {
    let user = create(&state, caller.org(), body).await?;
    Ok((StatusCode::CREATED, JsonResponse(user)))
}

async fn list_users(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListParams>,
) -> ApiResult<JsonResponse<UserList>> {
    let page = params.page()?;
    let listed = state.store.list_users(caller.org(), page).await?;
    Ok(JsonResponse(UserList {
        users: listed.items,
        total: listed.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

async fn get_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<User>> {
    let id = user_id(&id)?;
    state
        .store
        .get_user(caller.org(), &id)
        .await?
        .map(JsonResponse)
        .ok_or_else(|| Failure(ApiError::not_found("user", id.as_str())))
}

/// Changes a user of `org`; `None` if absent. The store refuses a change
/// that would leave the organisation without an admin.
pub async fn update(
    state: &AppState,
    org: &OrgId,
    id: &UserId,
    body: UpdateUser,
) -> Result<Option<User>, Failure> {
    let patch = UserPatch {
        email: body.email.as_deref().map(check_email).transpose()?,
        name: body.name.as_deref().map(check_name).transpose()?,
        role: body.role,
    };
    Ok(state.store.update_user(org, id, patch).await?)
}

/// Deletes a user of `org` with their keys, sessions and links; false if
/// absent.
pub async fn remove(state: &AppState, org: &OrgId, id: &UserId) -> Result<bool, Failure> {
    let deleted = state.store.delete_user(org, id).await?;
    if deleted {
        // The user's keys were revoked with them.
        state.key_cache.invalidate();
    }
    Ok(deleted)
}

async fn update_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(body): Json<UpdateUser>,
) -> ApiResult<JsonResponse<User>> {
    let id = user_id(&id)?;
    update(&state, caller.org(), &id, body)
        .await?
        .map(JsonResponse)
        .ok_or_else(|| Failure(ApiError::not_found("user", id.as_str())))
}

async fn delete_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = user_id(&id)?;
    if remove(&state, caller.org(), &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Failure(ApiError::not_found("user", id.as_str())))
    }
}

fn doc(operation_id: &'static str, summary: &'static str) -> RouteDoc {
    RouteDoc {
        operation_id,
        summary,
        tag: "users",
        request: None,
        response: (200, Some("User")),
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
        "/api/v1/users",
        "/api/users",
        Scope::Admin,
        RouteDoc {
            response: (200, Some("UserList")),
            paginated: true,
            ..doc("listUsers", "List users")
        },
        || get(list_users),
    ));
    routes.extend(both_families(
        Method::POST,
        "/api/v1/users",
        "/api/users",
        Scope::Admin,
        RouteDoc {
            request: Some("CreateUser"),
            response: (201, Some("User")),
            ..doc("createUser", "Create a user")
        },
        || post(create_user),
    ));
    routes.extend(both_families(
        Method::GET,
        "/api/v1/users/{id}",
        "/api/users/{id}",
        Scope::Admin,
        doc("getUser", "Get a user"),
        || get(get_user),
    ));
    routes.extend(both_families(
        Method::PUT,
        "/api/v1/users/{id}",
        "/api/users/{id}",
        Scope::Admin,
        RouteDoc {
            request: Some("UpdateUser"),
            ..doc("updateUser", "Update a user (fields optional)")
        },
        || put(update_user),
    ));
    routes.extend(both_families(
        Method::DELETE,
        "/api/v1/users/{id}",
        "/api/users/{id}",
        Scope::Admin,
        RouteDoc {
            response: (204, None),
            ..doc("deleteUser", "Delete a user and revoke their keys")
        },
        || delete(delete_user),
    ));
    routes
}
