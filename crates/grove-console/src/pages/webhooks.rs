//! `/webhooks` and `/webhooks/{id}` (admin): the organisation's webhook
//! endpoints — add one (its signing secret shown once), see why one is
//! failing, its deliveries with every attempt, send a test event and see
//! what the endpoint answered, re-send a delivery, switch it off or on,
//! rotate its secret and delete it. Every change goes through the API's
//! own functions (`routes::webhooks`), so a URL or event the API refuses
//! is refused here with the same reason.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use grove_core::ids::{DeliveryId, WebhookId};
use grove_core::scope::{Requirement, Scope};
use grove_core::webhooks::{Delivery, Webhook};
use grove_server::routes::webhooks::{
    checked_patch, create_endpoint, rotate, send_test_event, TestOutcome, WebhookBody,
};
use grove_server::state::AppState;
use serde::Deserialize;

use super::{
    page_at, render, render_form, see_other, CsrfForm, Layout, OffsetParam, PageError, Pager, Time,
};
use crate::session::Viewer;

/// Webhooks are the API's admin scope.
const ADMIN: Requirement = Requirement::scope(Scope::Admin);

pub struct EndpointRow {
    pub id: String,
    pub url: String,
    pub events: String,
    pub status: &'static str,
    pub message: String,
    pub last_success_at: Option<Time>,
}

fn endpoint_row(w: &Webhook) -> EndpointRow {
    EndpointRow {
        id: w.id.to_string(),
        url: w.url.clone(),
        events: w.events.join(", "),
        status: w.status.as_str(),
        message: w.status_message.clone().unwrap_or_default(),
        last_success_at: w.last_success_at.map(Time::from),
    }
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<EndpointRow>,
    pager: Pager,
    url: String,
    events: String,
    error: Option<String>,
}

async fn list_page(
    state: &AppState,
    viewer: &Viewer,
    offset: u64,
    form: (String, String),
    error: Option<String>,
) -> Result<Response, PageError> {
    let listed = state
        .store
        .list_webhooks(&viewer.user.org_id, page_at(offset))
        .await?;
    let rows: Vec<EndpointRow> = listed.items.iter().map(endpoint_row).collect();
    let pager = Pager::new(offset, rows.len(), listed.total, |offset| {
        format!("/webhooks?offset={offset}")
    });
    let refused = error.is_some();
    let page = ListPage {
        layout: Layout::signed_in("Webhooks", viewer, "/webhooks"),
        rows,
        pager,
        url: form.0,
        events: form.1,
        error,
    };
    Ok(render_form(&page, refused))
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<OffsetParam>,
) -> Result<Response, PageError> {
    viewer.require(ADMIN)?;
    let form = (String::new(), "*".to_owned());
    list_page(&state, &viewer, params.offset, form, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct EndpointForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    url: String,
    /// Event names separated by commas or spaces; `*` for all.
    #[serde(default)]
    events: String,
}

fn event_list(raw: &str) -> Vec<String> {
    raw.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
        .collect()
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<EndpointForm>,
) -> Result<Response, PageError> {
    viewer.require(ADMIN)?;
    viewer.check_csrf(&form.csrf)?;
    let body = WebhookBody {
        url: Some(form.url.trim().to_owned()),
        events: Some(event_list(&form.events)),
        enabled: Some(true),
    };
    match create_endpoint(&state, &viewer.user.org_id, body).await {
        Ok(created) => {
            let page = endpoint_page(
                &state,
                &viewer,
                &created.webhook,
                0,
                Shown::secret(created.secret),
            )
            .await?;
            Ok((StatusCode::CREATED, page).into_response())
        }
        Err(failure) => {
            let kept = (form.url, form.events);
            list_page(&state, &viewer, 0, kept, Some(failure.0.message)).await
        }
    }
}

pub struct AttemptRow {
    pub number: u32,
    pub at: Time,
    pub status_code: String,
    pub latency_ms: u64,
    pub error: String,
}

pub struct DeliveryRow {
    pub id: String,
    pub event: String,
    pub status: &'static str,
    pub created_at: Time,
    pub error: String,
    pub attempts: Vec<AttemptRow>,
}

fn delivery_row(d: &Delivery) -> DeliveryRow {
    DeliveryRow {
        id: d.id.to_string(),
        event: d.event.clone(),
        status: d.status.as_str(),
        created_at: Time::from(d.created_at),
        error: d.error.clone().unwrap_or_default(),
        attempts: d
            .attempts
            .iter()
            .map(|a| AttemptRow {
                number: a.attempt,
                at: Time::from(a.at),
                status_code: a
                    .status_code
                    .map_or_else(|| "no answer".to_owned(), |c| c.to_string()),
                latency_ms: a.latency_ms,
                error: a.error.clone().unwrap_or_default(),
            })
            .collect(),
    }
}

/// What the endpoint page says on top after an action.
#[derive(Default)]
struct Shown {
    /// A new signing secret, shown this once.
    secret: Option<String>,
    notice: Option<String>,
}

impl Shown {
    fn secret(secret: String) -> Self {
        Shown {
            secret: Some(secret),
            notice: None,
        }
    }
}

#[derive(Template)]
#[template(path = "webhook.html")]
struct EndpointPage {
    layout: Layout,
    endpoint: EndpointRow,
    enabled: bool,
    failures: u32,
    secret: Option<String>,
    notice: Option<String>,
    deliveries: Vec<DeliveryRow>,
    pager: Pager,
}

async fn endpoint_page(
    state: &AppState,
    viewer: &Viewer,
    webhook: &Webhook,
    offset: u64,
    shown: Shown,
) -> Result<Response, PageError> {
    let listed = state
        .store
        .list_deliveries(&viewer.user.org_id, &webhook.id, page_at(offset))
        .await?;
    let deliveries: Vec<DeliveryRow> = listed.items.iter().map(delivery_row).collect();
    let id = webhook.id.to_string();
    let pager = Pager::new(offset, deliveries.len(), listed.total, |offset| {
        format!("/webhooks/{id}?offset={offset}")
    });
    let page = EndpointPage {
        layout: Layout::signed_in("A webhook endpoint", viewer, "/webhooks"),
        endpoint: endpoint_row(webhook),
        enabled: webhook.enabled,
        failures: webhook.consecutive_failures,
        secret: shown.secret,
        notice: shown.notice,
        deliveries,
        pager,
    };
    Ok(render(&page))
}

async fn find(state: &AppState, viewer: &Viewer, id: &str) -> Result<Webhook, PageError> {
    let missing = || PageError::NotFound(format!("There is no webhook endpoint {id}."));
    let webhook_id = WebhookId::parse(id).map_err(|_| missing())?;
    state
        .store
        .get_webhook(&viewer.user.org_id, &webhook_id)
        .await?
        .ok_or_else(missing)
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(params): Query<OffsetParam>,
) -> Result<Response, PageError> {
    viewer.require(ADMIN)?;
    let webhook = find(&state, &viewer, &id).await?;
    endpoint_page(&state, &viewer, &webhook, params.offset, Shown::default()).await
}

/// `POST /webhooks/{id}/test`: a test event, and what the endpoint
/// answered (or that it is still pending).
pub async fn test(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.require(ADMIN)?;
    viewer.check_csrf(&form.csrf)?;
    let webhook = find(&state, &viewer, &id).await?;
    let outcome = send_test_event(&state, &viewer.user.org_id, &webhook.id).await?;
    let notice = match outcome {
        TestOutcome::Settled(delivery) => {
            let last = delivery.attempts.last();
            match (delivery.status.as_str(), last) {
                ("succeeded", Some(a)) => format!(
                    "The test event was delivered: HTTP {} in {} ms.",
                    a.status_code.unwrap_or_default(),
                    a.latency_ms
                ),
                (_, Some(a)) => format!(
                    "The test event failed: {}.",
                    a.error.as_deref().unwrap_or("no reason given")
                ),
                (_, None) => format!(
                    "The test event failed: {}.",
                    delivery.error.as_deref().unwrap_or("it was not attempted")
                ),
            }
        }
        TestOutcome::Pending(_) => {
            "The test event is still on its way; its delivery below updates when it lands.".into()
        }
    };
    let webhook = find(&state, &viewer, &id).await?;
    let shown = Shown {
        secret: None,
        notice: Some(notice),
    };
    endpoint_page(&state, &viewer, &webhook, 0, shown).await
}

#[derive(Debug, Deserialize)]
pub struct EnabledForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    enabled: bool,
}

/// `POST /webhooks/{id}/enabled`: switches deliveries off or on (on
/// clears the failures, as in the API).
pub async fn set_enabled(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<EnabledForm>,
) -> Result<Response, PageError> {
    viewer.require(ADMIN)?;
    viewer.check_csrf(&form.csrf)?;
    let webhook = find(&state, &viewer, &id).await?;
    let body = WebhookBody {
        enabled: Some(form.enabled),
        ..WebhookBody::default()
    };
    let patch = checked_patch(&state, body)?;
    state
        .store
        .update_webhook(&viewer.user.org_id, &webhook.id, patch)
        .await?;
    Ok(see_other(&format!("/webhooks/{}", webhook.id)))
}

pub async fn rotate_secret(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.require(ADMIN)?;
    viewer.check_csrf(&form.csrf)?;
    let webhook = find(&state, &viewer, &id).await?;
    let rotated = rotate(&state, &viewer.user.org_id, &webhook.id).await?;
    endpoint_page(
        &state,
        &viewer,
        &rotated.webhook,
        0,
        Shown::secret(rotated.secret),
    )
    .await
}

pub async fn resend(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, delivery)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.require(ADMIN)?;
    viewer.check_csrf(&form.csrf)?;
    let webhook = find(&state, &viewer, &id).await?;
    let missing = || PageError::NotFound(format!("There is no delivery {delivery}."));
    let delivery_id = DeliveryId::parse(&delivery).map_err(|_| missing())?;
    state
        .store
        .resend_delivery(&viewer.user.org_id, &webhook.id, &delivery_id)
        .await?
        .ok_or_else(missing)?;
    state.deliveries_queued.notify_one();
    Ok(see_other(&format!("/webhooks/{}", webhook.id)))
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.require(ADMIN)?;
    viewer.check_csrf(&form.csrf)?;
    let webhook = find(&state, &viewer, &id).await?;
    state
        .store
        .delete_webhook(&viewer.user.org_id, &webhook.id)
        .await?;
    Ok(see_other("/webhooks"))
}
