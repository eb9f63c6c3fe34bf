//! The review inbox: a reviewer's verdict on an answer
//! (`PATCH /api/v1/interactions/{id}`), and a knowledge-base article made
//! from a corrected answer (`POST /api/v1/interactions/{id}/kb-article`).
//! The inbox itself is `GET /api/v1/interactions?review_status=not_reviewed`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{patch, post};
use axum::{Extension, Json as JsonResponse};
use grove_core::agents::{Interaction, ReviewStatus};
use grove_core::ids::{InteractionId, OrgId};
use grove_core::model::Role;
use grove_core::scope::Scope;
use grove_core::sources::{ArticleStatus, KbArticle};
use grove_core::ApiError;
use grove_store::{ArticleFromReview, KbAuthor, NewKbArticle, ReviewUpdate};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::kb::{author, checked_title, MAX_TITLE};
use super::{v1_route, Route, RouteDoc};
use crate::auth::{require_role, Caller};
use crate::error::{ApiResult, Failure};
use crate::extract::{optional_json, path_id, Json};
use crate::state::AppState;

/// Characters of an edited answer.
pub const MAX_EDITED_ANSWER: usize = 20_000;
/// The tag of articles made from reviews.
pub const REVIEW_TAG: &str = "from-review";

/// A review. Giving `edited_answer` sets the status `edited` (another
/// status with it is a 400); `edited` alone needs an edited answer given
/// before.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// `not_reviewed`, `accurate`, `edited`, `inaccurate` or `no_answer`.
    pub review_status: Option<ReviewStatus>,
    /// The corrected answer, 1 to 20,000 characters.
    #[schema(min_length = 1, max_length = 20000, pattern = "\\S")]
    pub edited_answer: Option<String>,
}

/// An article from an interaction's edited answer. Both fields are
/// optional; the body may be empty.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleFromReviewBody {
    /// `draft` (default) or `published`.
    pub status: Option<ArticleStatus>,
    /// Default: the question asked.
    #[schema(min_length = 1, max_length = 300, pattern = "\\S")]
    pub title: Option<String>,
}

fn interaction_id(raw: &str) -> Result<InteractionId, Failure> {
    path_id(raw, "id", InteractionId::parse)
}

fn not_found(id: &InteractionId) -> Failure {
    Failure(ApiError::not_found("interaction", id.as_str()))
}

/// Applies a reviewer's verdict to an interaction of `org` (checked as the
/// API checks it); the console reviews through this too.
pub async fn apply_review(
    state: &AppState,
    org: &OrgId,
    id: &InteractionId,
    body: ReviewBody,
) -> Result<Interaction, Failure> {
    let edited_answer = body
        .edited_answer
        .map(|answer| {
            let answer = answer.trim().to_owned();
            if answer.is_empty() || answer.chars().count() > MAX_EDITED_ANSWER {
                Err(Failure(ApiError::invalid_field(
                    "edited_answer",
                    format!("must be 1 to {MAX_EDITED_ANSWER} characters"),
                )))
            } else {
                Ok(answer)
            }
        })
        .transpose()?;
    let status = match (body.review_status, &edited_answer) {
        (None | Some(ReviewStatus::Edited), Some(_)) => ReviewStatus::Edited,
        (Some(other), Some(_)) => {
            return Err(Failure(ApiError::invalid_field(
                "review_status",
                format!("must be edited (or left out) with an edited_answer, not {other}"),
            )))
        }
        (Some(status), None) => status,
        (None, None) => {
            return Err(Failure(ApiError::invalid_field(
                "review_status",
                "is required unless edited_answer is given",
            )))
        }
    };
    let existing = state
        .store
        .get_interaction(org, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    if status == ReviewStatus::Edited && edited_answer.is_none() && existing.edited_answer.is_none()
    {
        return Err(Failure(ApiError::invalid_field(
            "edited_answer",
            "is required for review_status edited: this answer has no edited answer yet",
        )));
    }
    state
        .store
        .set_review(
            org,
            id,
            ReviewUpdate {
                status,
                edited_answer,
            },
        )
        .await?
        .ok_or_else(|| not_found(id))
}

async fn review(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(body): Json<ReviewBody>,
) -> ApiResult<JsonResponse<Interaction>> {
    let id = interaction_id(&id)?;
    let reviewed = apply_review(&state, caller.org(), &id, body).await?;
    Ok(JsonResponse(reviewed))
}

async fn kb_article(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, JsonResponse<KbArticle>)> {
    let id = interaction_id(&id)?;
    let body: ArticleFromReviewBody = optional_json(&body)?;
    let title = body.title.as_deref().map(checked_title).transpose()?;
    let status = body.status.unwrap_or(ArticleStatus::Draft);
    // Trainers make drafts; publishing is the configure role's, as for any
    // article.
    if status == ArticleStatus::Published {
        require_role(&state, &caller, Role::Configure).await?;
    }
    let article =
        article_from_review(&state, caller.org(), &id, title, status, author(&caller)).await?;
    Ok((StatusCode::CREATED, JsonResponse(article)))
}

/// Makes a knowledge-base article of interaction `id`'s edited answer,
/// titled `title` or else by the question, tagged as from review; a 409
/// when it has no edited answer or already has an article.
pub async fn article_from_review(
    state: &AppState,
    org: &OrgId,
    id: &InteractionId,
    title: Option<String>,
    status: ArticleStatus,
    author: KbAuthor,
) -> Result<KbArticle, Failure> {
    let interaction = state
        .store
        .get_interaction(org, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let title = match title {
        Some(title) => title,
        None => {
            let question: String = interaction.query.trim().chars().take(MAX_TITLE).collect();
            if question.is_empty() {
                "Untitled answer".to_owned()
            } else {
                question
            }
        }
    };
    let new = NewKbArticle {
        title,
        content: String::new(),
        tags: vec![REVIEW_TAG.to_owned()],
        status,
    };
    match state
        .store
        .create_kb_article_from_review(org, id, new, author)
        .await?
    {
        ArticleFromReview::Created(article) => Ok(article),
        ArticleFromReview::NoInteraction => Err(not_found(id)),
        ArticleFromReview::NoEditedAnswer => Err(Failure(
            ApiError::conflict("this interaction has no edited answer to make an article of")
                .with_details(json!({ "interaction_id": id })),
        )),
        ArticleFromReview::AlreadyHasArticle(article) => Err(Failure(
            ApiError::conflict("this interaction already has a knowledge-base article")
                .with_details(json!({ "interaction_id": id, "kb_article_id": article })),
        )),
    }
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
    vec![
        v1_route(
            Method::PATCH,
            "/api/v1/interactions/{id}",
            Scope::Write,
            RouteDoc {
                request: Some("ReviewBody"),
                required: &["review_status|edited_answer"],
                ..doc(
                    "reviewInteraction",
                    "Review an answer: a status, or an edited answer",
                )
            },
            patch(review),
        )
        .for_role(Role::Train),
        v1_route(
            Method::POST,
            "/api/v1/interactions/{id}/kb-article",
            Scope::Write,
            RouteDoc {
                request: Some("ArticleFromReviewBody"),
                response: (201, Some("KbArticle")),
                ..doc(
                    "kbArticleFromInteraction",
                    "Make a knowledge-base article from an edited answer",
                )
            },
            post(kb_article),
        )
        .for_role(Role::Train),
    ]
}
