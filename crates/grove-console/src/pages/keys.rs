//! `/keys` (admin): the organisation's API keys — create one with its
//! scopes and an optional expiry (the secret is shown on the next page
//! only), and revoke one, effective on the next request. Keys are created
//! and revoked by the API's own functions, for the signed-in admin's user,
//! so a key never does more than its user's role allows.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form;
use grove_core::ids::KeyId;
use grove_core::model::ApiKey;
use grove_core::scope::{Requirement, Scope};
use grove_server::routes::api_keys::{self, CreateApiKey};
use grove_server::state::AppState;

use super::{page_at, render, see_other, CsrfForm, Layout, OffsetParam, PageError, Pager, Time};
use crate::session::Viewer;

const ADMIN: Requirement = Requirement::scope(Scope::Admin);

pub struct KeyRow {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub scopes: String,
    pub created_at: Time,
    pub expires_at: Option<Time>,
    pub revoked: bool,
}

pub struct ScopeOption {
    pub value: &'static str,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "keys.html")]
struct KeysPage {
    layout: Layout,
    rows: Vec<KeyRow>,
    pager: Pager,
    scopes: Vec<ScopeOption>,
    name: String,
    error: Option<String>,
    /// The secret of the key just created, shown this once.
    created: Option<(String, String)>,
}

fn row(key: ApiKey) -> KeyRow {
    KeyRow {
        id: key.id.to_string(),
        revoked: key.revoked_at.is_some(),
        name: key.name,
        prefix: key.prefix,
        scopes: key
            .scopes
            .iter()
            .map(|s| s.as_str())
            .chain(key.permissions.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(", "),
        created_at: Time::from(key.created_at),
        expires_at: key.expires_at.map(Time::from),
    }
}

/// What the page shows besides the list.
#[derive(Default)]
struct Shown {
    name: String,
    scopes: Vec<String>,
    error: Option<String>,
    created: Option<(String, String)>,
}

async fn keys_page(
    state: &AppState,
    viewer: &Viewer,
    offset: u64,
    shown: Shown,
) -> Result<Response, PageError> {
    let page = page_at(offset);
    let listed = state.store.list_keys(&viewer.user.org_id, page).await?;
    let rows: Vec<KeyRow> = listed.items.into_iter().map(row).collect();
    let pager = Pager::new(offset, rows.len(), listed.total, |offset| {
        format!("/keys?offset={offset}")
    });
    let page = KeysPage {
        layout: Layout::signed_in("API keys", viewer, "/keys"),
        rows,
        pager,
        scopes: Scope::ALL
            .iter()
            .map(|s| ScopeOption {
                value: s.as_str(),
                checked: shown.scopes.iter().any(|c| c == s.as_str()),
            })
            .collect(),
        name: shown.name,
        error: shown.error,
        created: shown.created,
    };
    Ok(render(&page))
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<OffsetParam>,
) -> Result<Response, PageError> {
    viewer.require(ADMIN)?;
    keys_page(&state, &viewer, params.offset, Shown::default()).await
}

/// The form's fields; `scope` repeats, one per ticked box.
fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    viewer.require(ADMIN)?;
    viewer.check_csrf(field(&form, "csrf"))?;
    let name = field(&form, "name").trim().to_owned();
    let ticked: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "scope")
        .map(|(_, v)| v.clone())
        .collect();
    let scopes = ticked.iter().filter_map(|s| Scope::parse(s)).collect();
    let expires = field(&form, "expires_on").trim();
    let body = CreateApiKey {
        name: name.clone(),
        scopes,
        permissions: Vec::new(),
        // A date from the form: the key works until that day begins (UTC).
        expires_at: (!expires.is_empty()).then(|| format!("{expires}T00:00:00Z")),
        environment: None,
        user_id: Some(viewer.user.id.clone()),
    };
    let shown = match api_keys::create(&state, &viewer.user.org_id, body).await {
        Ok(created) => Shown {
            created: Some((created.record.name.clone(), created.key)),
            ..Shown::default()
        },
        Err(failure) => Shown {
            name,
            scopes: ticked,
            error: Some(describe(&failure.0)),
            created: None,
        },
    };
    keys_page(&state, &viewer, 0, shown).await
}

/// An API refusal as a sentence for the form.
fn describe(error: &grove_core::ApiError) -> String {
    match error.details.get("field").and_then(|f| f.as_str()) {
        Some("scopes") => "Tick at least one scope.".into(),
        Some("expires_at") => "The expiry date must be in the future.".into(),
        Some("name") => "The name must be 1 to 200 characters.".into(),
        _ => error.message.clone(),
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.require(ADMIN)?;
    viewer.check_csrf(&form.csrf)?;
    let missing = || PageError::NotFound(format!("There is no API key {id}."));
    let key = KeyId::parse(&id).map_err(|_| missing())?;
    if !api_keys::revoke(&state, &viewer.user.org_id, &key)
        .await
        .map_err(|f| PageError::Internal(f.0.message))?
    {
        return Err(missing());
    }
    Ok(see_other("/keys"))
}
