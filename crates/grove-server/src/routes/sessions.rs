//! `/api/v1/sessions/{id}`: a conversation's turns, and deleting it. Turns
//! stay in the interaction log after the session is deleted, detached.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{delete, get};
use axum::{Extension, Json as JsonResponse};
use grove_core::agents::{CitedSource, Outcome};
use grove_core::ids::{AgentId, InteractionId, SessionId};
use grove_core::scope::{Requirement, Scope};
use grove_core::ApiError;
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Family, Route, RouteDoc};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::extract::path_id;
use crate::state::AppState;

/// Turns shown by `GET /api/v1/sessions/{id}`, the latest ones.
const TURNS_SHOWN: u32 = 1000;

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionTurn {
    pub interaction_id: InteractionId,
    pub query: String,
    pub response: String,
    pub sources: Vec<CitedSource>,
    pub outcome: Outcome,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: SessionId,
    pub agent_id: AgentId,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub last_active_at: Timestamp,
    /// Oldest first.
    pub turns: Vec<SessionTurn>,
}

fn session_id(raw: &str) -> Result<SessionId, Failure> {
    path_id(raw, "id", SessionId::parse)
}

async fn get_one(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<SessionView>> {
    let id = session_id(&id)?;
    let session = state
        .store
        .get_session(caller.org(), &id)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("session", id.as_str())))?;
    let turns = state
        .store
        .session_turns(caller.org(), &id, TURNS_SHOWN)
        .await?
        .into_iter()
        .map(|i| SessionTurn {
            interaction_id: i.id,
            query: i.query,
            response: i.response,
            sources: i.sources,
            outcome: i.outcome,
            created_at: i.created_at,
        })
        .collect();
    Ok(JsonResponse(SessionView {
        id: session.id,
        agent_id: session.agent_id,
        created_at: session.created_at,
        last_active_at: session.last_active_at,
        turns,
    }))
}

async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = session_id(&id)?;
    if state.store.delete_session(caller.org(), &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Failure(ApiError::not_found("session", id.as_str())))
    }
}

pub fn routes() -> Vec<Route> {
    let doc = |operation_id, summary, response| RouteDoc {
        operation_id,
        summary,
        tag: "sessions",
        request: None,
        response,
        paginated: false,
        camel_case: false,
        required: &[],
        query: None,
    };
    vec![
        Route {
            family: Family::V1,
            method: Method::GET,
            path: "/api/v1/sessions/{id}",
            requirement: Requirement::scope(Scope::Read),
            doc: doc(
                "getSession",
                "A session with its turns",
                (200, Some("SessionView")),
            ),
            handler: get(get_one),
        },
        Route {
            family: Family::V1,
            method: Method::DELETE,
            path: "/api/v1/sessions/{id}",
            requirement: Requirement::scope(Scope::Execute),
            doc: doc(
                "deleteSession",
                "Delete a session (its turns stay in the interaction log)",
                (204, None),
            ),
            handler: delete(remove),
        },
    ]
}
