//! `/api/v1/interactions`: the log of questions and answers, filtered by
//! agent, date range and feedback, and feedback on one answer. Legacy
//! `GET /api/interactions` lists; legacy `POST /api/interactions/feedback`
//! takes a 1–5 `rating`: 4 and 5 are positive, 1 to 3 negative.

use axum::extract::{Path, State};
use axum::http::Method;
use axum::routing::{get, post};
use axum::{Extension, Json as JsonResponse};
use grove_core::agents::{Feedback, Interaction, ReviewStatus};
use grove_core::ids::{AgentId, InteractionId, OrgId};
use grove_core::model::Role;
use grove_core::scope::{Requirement, Scope};
use grove_core::ApiError;
use grove_store::{FeedbackUpdate, InteractionFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{both_families, Family, Route, RouteDoc};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::extract::{one_of, path_id, DateRange, Json, ListParams, Query};
use crate::state::AppState;

const MAX_COMMENT: usize = 2000;

#[derive(Debug, Deserialize)]
pub struct ListInteractions {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    pub agent_id: Option<String>,
    /// YYYY-MM-DD, inclusive (UTC).
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// `positive`, `negative`, or `null` for interactions without feedback.
    pub feedback: Option<String>,
    /// `not_reviewed`, `accurate`, `edited`, `inaccurate` or `no_answer`.
    pub review_status: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InteractionList {
    pub interactions: Vec<Interaction>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// `positive` or `negative`.
    pub feedback: Feedback,
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegacyFeedbackRequest {
    #[schema(pattern = "^int_[A-Za-z0-9]{1,64}$")]
    pub interaction_id: String,
    /// 1 to 5: 4 and 5 count as positive, 1 to 3 as negative.
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i64,
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
}

/// The store filter for the log's query parameters (shared with the
/// console's `/interactions`), or a 400 naming the field at fault.
pub fn filter(params: &ListInteractions) -> Result<InteractionFilter, Failure> {
    let agent_id = params
        .agent_id
        .as_deref()
        .map(|raw| {
            AgentId::parse(raw)
                .map_err(|e| Failure(ApiError::invalid_field("agent_id", e.to_string())))
        })
        .transpose()?;
    let range = DateRange::parse(params.start_date.as_deref(), params.end_date.as_deref())?;
    let feedback = params
        .feedback
        .as_deref()
        .map(|raw| match raw {
            "null" | "none" => Ok(None),
            other => Feedback::parse(other).map(Some).ok_or_else(|| {
                Failure(ApiError::invalid_field(
                    "feedback",
                    "must be positive, negative or null",
                ))
            }),
        })
        .transpose()?;
    let review_status = one_of(
        "review_status",
        params.review_status.as_deref(),
        ReviewStatus::parse,
        &ReviewStatus::names(),
    )?;
    Ok(InteractionFilter {
        agent_id,
        since: range.since,
        until: range.until,
        feedback,
        review_status,
    })
}

async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListInteractions>,
) -> ApiResult<JsonResponse<InteractionList>> {
    let page = ListParams {
        limit: params.limit,
        offset: params.offset,
    }
    .page()?;
    let listed = state
        .store
        .list_interactions(caller.org(), filter(&params)?, page)
        .await?;
    Ok(JsonResponse(InteractionList {
        interactions: listed.items,
        total: listed.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

async fn get_one(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<Interaction>> {
    let id = path_id(&id, "id", InteractionId::parse)?;
    state
        .store
        .get_interaction(caller.org(), &id)
        .await?
        .map(JsonResponse)
        .ok_or_else(|| Failure(ApiError::not_found("interaction", id.as_str())))
}

fn check_comment(comment: Option<String>) -> Result<Option<String>, Failure> {
    match comment.map(|c| c.trim().to_owned()) {
        Some(c) if c.chars().count() > MAX_COMMENT => Err(Failure(ApiError::invalid_field(
            "comment",
            format!("must be at most {MAX_COMMENT} characters"),
        ))),
        Some(c) if c.is_empty() => Ok(None),
        other => Ok(other),
    }
}

/// Records feedback on an answer of `org`; the console records through
/// this too.
pub async fn record_feedback(
    state: &AppState,
    org: &OrgId,
    id: &InteractionId,
    update: FeedbackUpdate,
) -> Result<Interaction, Failure> {
    state
        .store
        .set_feedback(org, id, update)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("interaction", id.as_str())))
}

async fn feedback(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(body): Json<FeedbackRequest>,
) -> ApiResult<JsonResponse<Interaction>> {
    let id = path_id(&id, "id", InteractionId::parse)?;
    let update = FeedbackUpdate {
        feedback: body.feedback,
        comment: check_comment(body.comment)?,
        rating: None,
    };
    Ok(JsonResponse(
        record_feedback(&state, caller.org(), &id, update).await?,
    ))
}

async fn legacy_feedback(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<LegacyFeedbackRequest>,
) -> ApiResult<JsonResponse<Interaction>> {
    let id = InteractionId::parse(&body.interaction_id)
        .map_err(|e| Failure(ApiError::invalid_field("interaction_id", e.to_string())))?;
    let rating = u8::try_from(body.rating)
        .ok()
        .filter(|r| (1..=5).contains(r))
        .ok_or_else(|| Failure(ApiError::invalid_field("rating", "must be 1 to 5")))?;
    let update = FeedbackUpdate {
        feedback: if rating >= 4 {
            Feedback::Positive
        } else {
            Feedback::Negative
        },
        comment: check_comment(body.comment)?,
        rating: Some(rating),
    };
    Ok(JsonResponse(
        record_feedback(&state, caller.org(), &id, update).await?,
    ))
}

fn doc(operation_id: &'static str, summary: &'static str) -> RouteDoc {
    RouteDoc {
        operation_id,
        summary,
        tag: "interactions",
        request: None,
        response: (200, Some("Interaction")),
        paginated: false,
        camel_case: false,
        required: &[],
        query: None,
    }
}

pub fn routes() -> Vec<Route> {
    let mut routes: Vec<Route> = both_families(
        Method::GET,
        "/api/v1/interactions",
        "/api/interactions",
        Scope::Read,
        RouteDoc {
            response: (200, Some("InteractionList")),
            paginated: true,
            ..doc(
                "listInteractions",
                "The interaction log (filters: agent_id, start_date, end_date, feedback, review_status)",
            )
        },
        || get(list),
    )
    .into();
    routes.push(Route {
        family: Family::V1,
        method: Method::GET,
        path: "/api/v1/interactions/{id}",
        requirement: Requirement::scope(Scope::Read),
        doc: doc("getInteraction", "One interaction"),
        handler: get(get_one),
    });
    routes.push(Route {
        family: Family::V1,
        method: Method::POST,
        path: "/api/v1/interactions/{id}/feedback",
        requirement: Requirement::scope(Scope::Execute).with_role(Role::Train),
        doc: RouteDoc {
            request: Some("FeedbackRequest"),
            ..doc("interactionFeedback", "Feedback on an answer")
        },
        handler: post(feedback),
    });
    routes.push(Route {
        family: Family::Legacy,
        method: Method::POST,
        path: "/api/interactions/feedback",
        requirement: Requirement::scope(Scope::Execute).with_role(Role::Train),
        doc: RouteDoc {
            request: Some("LegacyFeedbackRequest"),
            ..doc(
                "legacyInteractionFeedback",
                "Feedback as a 1–5 rating (legacy)",
            )
        },
        handler: post(legacy_feedback),
    });
    routes
}
