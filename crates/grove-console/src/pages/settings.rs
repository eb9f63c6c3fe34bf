//! `/settings` (admin): what an admin sets for the whole organisation —
//! today the default model that agents without a model of their own
//! answer with — through the API's own check (`routes::organization`).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::Form;
use grove_core::scope::{Requirement, Scope};
use grove_server::routes::organization::{put_settings, OrgSettingsBody};
use grove_server::state::AppState;
use serde::Deserialize;

use super::{render_form, Layout, PageError, Time};
use crate::session::Viewer;

/// Organisation settings are the API's admin scope.
const ADMIN: Requirement = Requirement::scope(Scope::Admin);

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    layout: Layout,
    default_model: String,
    updated_at: Option<Time>,
    providers: String,
    error: Option<String>,
    saved: bool,
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    typed: Option<String>,
    error: Option<String>,
    saved: bool,
) -> Result<Response, PageError> {
    let stored = state.store.org_settings(&viewer.user.org_id).await?;
    let providers: Vec<&str> = state.answerer.providers().names().collect();
    let refused = error.is_some();
    let page = SettingsPage {
        layout: Layout::signed_in("Settings", viewer, "/settings"),
        default_model: typed.unwrap_or(stored.default_model),
        updated_at: stored.updated_at.map(Time::from),
        providers: if providers.is_empty() {
            "none configured".to_owned()
        } else {
            providers.join(", ")
        },
        error,
        saved,
    };
    Ok(render_form(&page, refused))
}

pub async fn show(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    viewer.require(ADMIN)?;
    page(&state, &viewer, None, None, false).await
}

#[derive(Debug, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    default_model: String,
}

pub async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<SettingsForm>,
) -> Result<Response, PageError> {
    viewer.require(ADMIN)?;
    viewer.check_csrf(&form.csrf)?;
    let body = OrgSettingsBody {
        default_model: form.default_model.clone(),
    };
    match put_settings(&state, &viewer.user.org_id, body).await {
        Ok(_) => page(&state, &viewer, None, None, true).await,
        Err(failure) => {
            page(
                &state,
                &viewer,
                Some(form.default_model),
                Some(failure.0.message),
                false,
            )
            .await
        }
    }
}
