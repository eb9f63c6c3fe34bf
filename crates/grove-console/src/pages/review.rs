//! `/review` and `/interactions/{id}`: the review inbox — answers by
//! review status (`not_reviewed` first), newest first — and one answer
//! with its question, sources and feedback, where a reviewer marks it
//! accurate, inaccurate or unanswerable, or corrects it. Verdicts go
//! through the API's own review function; like the API, reviewing needs
//! the `train` role.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form;
use grove_core::agents::{Feedback, Interaction, ReviewStatus};
use grove_core::ids::InteractionId;
use grove_core::model::Role;
use grove_core::scope::{Requirement, Scope};
use grove_server::routes::interactions::record_feedback;
use grove_server::routes::review::{apply_review, ReviewBody};
use grove_server::state::AppState;
use grove_store::{FeedbackUpdate, InteractionFilter};
use serde::Deserialize;

use super::agents::{turn_view, TurnView};
use super::{page_at, render, see_other, Layout, PageError, Pager, Time};
use crate::session::Viewer;

const READ: Requirement = Requirement::scope(Scope::Read);
/// The API's review routes: write scope, open to `train` and above.
pub const REVIEW: Requirement = Requirement::scope(Scope::Write).with_role(Role::Train);

#[derive(Debug, Default, Deserialize)]
pub struct InboxParams {
    #[serde(default)]
    offset: u64,
    #[serde(default)]
    status: String,
}

pub struct InboxRow {
    pub id: String,
    pub question: String,
    pub outcome: &'static str,
    pub feedback: &'static str,
    pub at: Time,
}

pub struct StatusTab {
    pub value: &'static str,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "review.html")]
struct InboxPage {
    layout: Layout,
    tabs: Vec<StatusTab>,
    rows: Vec<InboxRow>,
    pager: Pager,
}

pub async fn inbox(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<InboxParams>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let status = ReviewStatus::parse(&params.status).unwrap_or(ReviewStatus::NotReviewed);
    let filter = InteractionFilter {
        review_status: Some(status),
        ..InteractionFilter::default()
    };
    let page = page_at(params.offset);
    let listed = state
        .store
        .list_interactions(&viewer.user.org_id, filter, page)
        .await?;
    let rows: Vec<InboxRow> = listed
        .items
        .iter()
        .map(|i| InboxRow {
            id: i.id.to_string(),
            question: i.query.chars().take(160).collect(),
            outcome: i.outcome.as_str(),
            feedback: i.feedback.map(|f| f.as_str()).unwrap_or(""),
            at: Time::from(i.created_at),
        })
        .collect();
    let pager = Pager::new(params.offset, rows.len(), listed.total, |offset| {
        format!("/review?status={status}&offset={offset}")
    });
    let page = InboxPage {
        layout: Layout::signed_in("Review inbox", &viewer, "/review"),
        tabs: ReviewStatus::ALL
            .iter()
            .map(|s| StatusTab {
                value: s.as_str(),
                current: *s == status,
            })
            .collect(),
        rows,
        pager,
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "interaction.html")]
struct InteractionPage {
    layout: Layout,
    id: String,
    turn: TurnView,
    model: String,
    feedback: String,
    status: &'static str,
    edited_answer: String,
    can_review: bool,
    error: Option<String>,
}

async fn find(state: &AppState, viewer: &Viewer, id: &str) -> Result<Interaction, PageError> {
    let missing = || PageError::NotFound(format!("There is no answer {id}."));
    let interaction_id = InteractionId::parse(id).map_err(|_| missing())?;
    state
        .store
        .get_interaction(&viewer.user.org_id, &interaction_id)
        .await?
        .ok_or_else(missing)
}

fn interaction_page(viewer: &Viewer, interaction: &Interaction, error: Option<String>) -> Response {
    let feedback = match (&interaction.feedback, &interaction.feedback_comment) {
        (Some(f), Some(comment)) => format!("{f}: {comment}"),
        (Some(f), None) => f.to_string(),
        (None, _) => String::new(),
    };
    let page = InteractionPage {
        layout: Layout::signed_in("An answer", viewer, "/review"),
        id: interaction.id.to_string(),
        turn: turn_view(
            interaction,
            viewer,
            &format!("/interactions/{}", interaction.id),
        ),
        model: interaction.model.clone(),
        feedback,
        status: interaction.review_status.as_str(),
        edited_answer: interaction.edited_answer.clone().unwrap_or_default(),
        can_review: viewer.can(REVIEW),
        error,
    };
    render(&page)
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let interaction = find(&state, &viewer, &id).await?;
    Ok(interaction_page(&viewer, &interaction, None))
}

#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    csrf: String,
    /// A verdict button's value, or `edited` with the corrected answer.
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    edited_answer: String,
}

pub async fn review(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, PageError> {
    viewer.require(REVIEW)?;
    viewer.check_csrf(&form.csrf)?;
    let interaction = find(&state, &viewer, &id).await?;
    let body = if form.verdict == "edited" {
        ReviewBody {
            review_status: None,
            edited_answer: Some(form.edited_answer.clone()),
        }
    } else {
        ReviewBody {
            review_status: ReviewStatus::parse(&form.verdict),
            edited_answer: None,
        }
    };
    match apply_review(&state, &viewer.user.org_id, &interaction.id, body).await {
        Ok(_) => Ok(see_other("/review")),
        Err(failure) => Ok(interaction_page(
            &viewer,
            &interaction,
            Some(failure.0.message),
        )),
    }
}

#[derive(Debug, Deserialize)]
pub struct FeedbackFormData {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    feedback: String,
    #[serde(default)]
    back: String,
}

/// `POST /interactions/{id}/feedback`: thumbs up or down on an answer,
/// through the API's own function; back to the page it came from.
pub async fn feedback(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<FeedbackFormData>,
) -> Result<Response, PageError> {
    viewer.require(super::agents::FEEDBACK)?;
    viewer.check_csrf(&form.csrf)?;
    let interaction = find(&state, &viewer, &id).await?;
    let Some(verdict) = Feedback::parse(&form.feedback) else {
        return Err(PageError::NotFound(format!(
            "There is no feedback `{}`; it is positive or negative.",
            form.feedback
        )));
    };
    let update = FeedbackUpdate {
        feedback: verdict,
        comment: None,
        rating: None,
    };
    record_feedback(&state, &viewer.user.org_id, &interaction.id, update)
        .await
        .map_err(|f| PageError::Internal(f.0.message))?;
    Ok(see_other(super::local_path(&form.back)))
}
