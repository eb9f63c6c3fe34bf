//! `/users` (admin): the organisation's users — invite one (a one-time
//! link, shown once, where they choose a password), change a role, give a
//! user a new password link, delete a user. Users are created, changed and
//! deleted by the API's own functions, so the same checks apply (the last
//! admin cannot be demoted or deleted).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;
use grove_core::ids::UserId;
use grove_core::model::{LinkPurpose, Role, User};
use grove_core::scope::{Requirement, Scope};
use grove_server::routes::users::{self, CreateUser, UpdateUser};
use grove_server::state::AppState;
use serde::Deserialize;

use super::{page_at, render, see_other, CsrfForm, Layout, OffsetParam, PageError, Pager};
use crate::session::Viewer;

const ADMIN: Requirement = Requirement::scope(Scope::Admin);

pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: &'static str,
    pub has_password: bool,
    pub is_you: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Layout,
    rows: Vec<UserRow>,
    pager: Pager,
    roles: Vec<&'static str>,
    error: Option<String>,
    /// A link just made: (for whom, the link).
    link: Option<(String, String)>,
}

/// What the page shows besides the list.
#[derive(Default)]
struct Shown {
    error: Option<String>,
    link: Option<(String, String)>,
}

impl Shown {
    /// The API's reason for refusing a change.
    fn refusal(failure: grove_server::error::Failure) -> Self {
        Shown {
            error: Some(failure.0.message),
            ..Shown::default()
        }
    }
}

async fn users_page(
    state: &AppState,
    viewer: &Viewer,
    offset: u64,
    shown: Shown,
) -> Result<Response, PageError> {
    let page = page_at(offset);
    let listed = state.store.list_users(&viewer.user.org_id, page).await?;
    let mut rows = Vec::with_capacity(listed.items.len());
    for user in listed.items {
        rows.push(UserRow {
            has_password: state.store.has_password(&user.id).await?,
            is_you: user.id == viewer.user.id,
            id: user.id.to_string(),
            email: user.email,
            name: user.name,
            role: user.role.as_str(),
        });
    }
    let pager = Pager::new(offset, rows.len(), listed.total, |offset| {
        format!("/users?offset={offset}")
    });
    let page = UsersPage {
        layout: Layout::signed_in("Users", viewer, "/users"),
        rows,
        pager,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        error: shown.error,
        link: shown.link,
    };
    Ok(render(&page))
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<OffsetParam>,
) -> Result<Response, PageError> {
    viewer.require(ADMIN)?;
    users_page(&state, &viewer, params.offset, Shown::default()).await
}

/// `http://host` of this request, for links to give to people.
fn base(headers: &HeaderMap) -> String {
    grove_server::context::base_url(headers)
}

/// A one-time link for `user` (an invitation when they have no password).
async fn link_for(
    state: &AppState,
    headers: &HeaderMap,
    user: &User,
) -> Result<(String, String), PageError> {
    let purpose = if state.store.has_password(&user.id).await? {
        LinkPurpose::Reset
    } else {
        LinkPurpose::Invite
    };
    let link = crate::setup_link(state.store.as_ref(), user, purpose, &base(headers)).await?;
    Ok((user.email.clone(), link))
}

#[derive(Debug, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

pub async fn invite(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(form): Form<InviteForm>,
) -> Result<Response, PageError> {
    viewer.require(ADMIN)?;
    viewer.check_csrf(&form.csrf)?;
    let Some(role) = Role::parse(&form.role) else {
        let shown = Shown {
            error: Some(format!(
                "Choose a role: {}.",
                Role::ALL.map(|r| r.as_str()).join(", ")
            )),
            ..Shown::default()
        };
        return users_page(&state, &viewer, 0, shown).await;
    };
    let body = CreateUser {
        email: form.email,
        name: form.name,
        role,
    };
    let shown = match users::create(&state, &viewer.user.org_id, body).await {
        Ok(user) => Shown {
            link: Some(link_for(&state, &headers, &user).await?),
            ..Shown::default()
        },
        Err(failure) => Shown::refusal(failure),
    };
    users_page(&state, &viewer, 0, shown).await
}

async fn find_user(state: &AppState, viewer: &Viewer, id: &str) -> Result<User, PageError> {
    let missing = || PageError::NotFound(format!("There is no user {id}."));
    let user_id = UserId::parse(id).map_err(|_| missing())?;
    state
        .store
        .get_user(&viewer.user.org_id, &user_id)
        .await?
        .ok_or_else(missing)
}

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    role: String,
}

pub async fn change_role(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<RoleForm>,
) -> Result<Response, PageError> {
    viewer.require(ADMIN)?;
    viewer.check_csrf(&form.csrf)?;
    let user = find_user(&state, &viewer, &id).await?;
    let role = Role::parse(&form.role);
    let body = UpdateUser {
        email: None,
        name: None,
        role,
    };
    match users::update(&state, &viewer.user.org_id, &user.id, body).await {
        Ok(_) => Ok(see_other("/users")),
        Err(failure) => users_page(&state, &viewer, 0, Shown::refusal(failure)).await,
    }
}

pub async fn new_link(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.require(ADMIN)?;
    viewer.check_csrf(&form.csrf)?;
    let user = find_user(&state, &viewer, &id).await?;
    let shown = Shown {
        link: Some(link_for(&state, &headers, &user).await?),
        ..Shown::default()
    };
    users_page(&state, &viewer, 0, shown).await
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.require(ADMIN)?;
    viewer.check_csrf(&form.csrf)?;
    let user = find_user(&state, &viewer, &id).await?;
    match users::remove(&state, &viewer.user.org_id, &user.id).await {
        Ok(_) => Ok(see_other("/users")),
        Err(failure) => users_page(&state, &viewer, 0, Shown::refusal(failure)).await,
    }
}
