//! `/api/v1/organization/settings`: what an admin sets for the whole
//! organisation. Today that is `default_model`, the first step of the
//! model precedence (organisation default → the agent's `model` → a
//! component's override): agents that set no model of their own answer
//! with it, and see the change on their next answer.

use axum::extract::State;
use axum::http::Method;
use axum::routing::{get, put};
use axum::{Extension, Json as JsonResponse};
use grove_core::ids::OrgId;
use grove_core::model::OrgSettings;
use grove_core::scope::Scope;
use grove_core::ApiError;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{v1_route, Route, RouteDoc};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::extract::Json;
use crate::state::AppState;

/// The settings as replaced by `PUT`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgSettingsBody {
    /// `extractive` or `<provider>:<model>` (a provider of the server's
    /// config).
    #[schema(pattern = "^(extractive|[^:\\s]+:\\S+)$")]
    pub default_model: String,
}

async fn show(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<JsonResponse<OrgSettings>> {
    Ok(JsonResponse(state.store.org_settings(caller.org()).await?))
}

async fn replace(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<OrgSettingsBody>,
) -> ApiResult<JsonResponse<OrgSettings>> {
    Ok(JsonResponse(
        put_settings(&state, caller.org(), body).await?,
    ))
}

/// Replaces `org`'s settings with `body`, checked: the model must be one
/// the server's providers can answer with.
pub async fn put_settings(
    state: &AppState,
    org: &OrgId,
    body: OrgSettingsBody,
) -> Result<OrgSettings, Failure> {
    let model = body.default_model.trim();
    if model.is_empty() {
        return Err(Failure(ApiError::invalid_field(
            "default_model",
            "is required: `extractive` or `<provider>:<model>`",
        )));
    }
    state
        .answerer
        .providers()
        .check(model)
        .map_err(|e| Failure(ApiError::invalid_field("default_model", e.to_string())))?;
    Ok(state.store.put_org_settings(org, model).await?)
}

fn doc(operation_id: &'static str, summary: &'static str) -> RouteDoc {
    RouteDoc {
        operation_id,
        summary,
        tag: "organization",
        request: None,
        response: (200, Some("OrgSettings")),
        paginated: false,
        camel_case: false,
        required: &[],
        query: None,
    }
}

pub fn routes() -> Vec<Route> {
    const PATH: &str = "/api/v1/organization/settings";
    vec![
        v1_route(
            Method::GET,
            PATH,
            Scope::Admin,
            doc(
                "getOrganizationSettings",
                "The organisation's settings (its default model)",
            ),
            get(show),
        ),
        v1_route(
            Method::PUT,
            PATH,
            Scope::Admin,
            RouteDoc {
                request: Some("OrgSettingsBody"),
                ..doc(
                    "putOrganizationSettings",
                    "Replace the organisation's settings",
                )
            },
            put(replace),
        ),
    ]
}
