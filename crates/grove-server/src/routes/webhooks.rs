//! `/api/v1/webhooks`: outgoing webhook endpoints (admin scope), their
//! secrets (shown once, rotatable with an overlap), test events, and the
//! deliveries with their attempts, which can be re-sent. Legacy
//! `POST /api/webhooks` takes the seed's `{url, events, secret}`. URL and
//! event rules live in [`grove_webhooks::endpoint`]; delivery in
//! [`grove_webhooks::deliverer`].

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{delete, get, post, put};
use axum::{Extension, Json as JsonResponse};
use grove_core::ids::{DeliveryId, OrgId, WebhookId};
use grove_core::scope::{Requirement, Scope};
use grove_core::webhooks::{Delivery, DeliveryStatus, Webhook, TEST_EVENT};
use grove_core::ApiError;
use grove_store::webhooks::{NewWebhook, WebhookPatch};
use grove_webhooks::endpoint::{check_events, check_url, generate_secret, FieldError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{route_in, v1_route, Family, Route, RouteDoc};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::extract::{path_id, Json, ListParams, Query};
use crate::state::AppState;

/// Shortest secret the legacy route accepts from a caller.
const MIN_LEGACY_SECRET: usize = 16;
const MAX_LEGACY_SECRET: usize = 256;

/// An endpoint as created or updated. On create, `url` and `events` are
/// required; on update every field is optional.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookBody {
    /// `https://…` (plain `http` only when `webhooks.allow_http` is set).
    #[schema(max_length = 2048, pattern = "^https?://[^\\s/@]+")]
    pub url: Option<String>,
    /// Event names, or `["*"]` for every event.
    #[schema(min_items = 1)]
    pub events: Option<Vec<String>>,
    /// Default true. Enabling a disabled endpoint clears its failures.
    pub enabled: Option<bool>,
}

/// The seed's `POST /api/webhooks` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegacyWebhookBody {
    #[schema(max_length = 2048, pattern = "^https?://[^\\s/@]+")]
    pub url: String,
    #[schema(min_items = 1)]
    pub events: Vec<String>,
    /// The signing secret, chosen by the caller (16 to 256 characters).
    #[schema(min_length = 16, max_length = 256)]
    pub secret: String,
    /// Default true (not in the seed).
    pub enabled: Option<bool>,
}

/// An endpoint with its signing secret: the answer to create and rotate,
/// the only times the secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: Webhook,
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub webhooks: Vec<Webhook>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    pub deliveries: Vec<Delivery>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

fn field(e: FieldError) -> Failure {
    Failure(ApiError::invalid_field(&e.field, e.reason))
}

fn webhook_id(raw: &str) -> Result<WebhookId, Failure> {
    path_id(raw, "webhook_id", WebhookId::parse)
}

async fn find(state: &AppState, org: &OrgId, id: &WebhookId) -> Result<Webhook, Failure> {
    state
        .store
        .get_webhook(org, id)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("webhook", id.as_str())))
}

/// The fields `body` gives, each checked.
pub fn checked_patch(state: &AppState, body: WebhookBody) -> Result<WebhookPatch, Failure> {
    let url = body.url.map(|url| check_url(&url, &state.config));
    let events = body.events.map(|events| check_events(&events));
    Ok(WebhookPatch {
        url: url.transpose().map_err(field)?.map(|u| u.to_string()),
        events: events.transpose().map_err(field)?,
        enabled: body.enabled,
    })
}

async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<WebhookBody>,
) -> ApiResult<(StatusCode, JsonResponse<WebhookWithSecret>)> {
    let created = create_endpoint(&state, caller.org(), body).await?;
    Ok((StatusCode::CREATED, JsonResponse(created)))
}

/// Creates an endpoint of `org` from `body` (url and events required,
/// each checked) with a new signing secret, returned this once.
pub async fn create_endpoint(
    state: &AppState,
    org: &OrgId,
    body: WebhookBody,
) -> Result<WebhookWithSecret, Failure> {
    let required = |name: &str| Failure(ApiError::invalid_field(name, "is required"));
    if body.url.is_none() {
        return Err(required("url"));
    }
    if body.events.is_none() {
        return Err(required("events"));
    }
    let patch = checked_patch(state, body)?;
    let new = NewWebhook {
        url: patch.url.unwrap_or_default(),
        events: patch.events.unwrap_or_default(),
        enabled: patch.enabled.unwrap_or(true),
    };
    let secret = generate_secret();
    let webhook = state.store.create_webhook(org, new, secret.clone()).await?;
    Ok(WebhookWithSecret { webhook, secret })
}

async fn create_legacy(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<LegacyWebhookBody>,
) -> ApiResult<(StatusCode, JsonResponse<Webhook>)> {
    let url = check_url(&body.url, &state.config).map_err(field)?;
    let events = check_events(&body.events).map_err(field)?;
    let length = body.secret.chars().count();
    if !(MIN_LEGACY_SECRET..=MAX_LEGACY_SECRET).contains(&length) {
        return Err(Failure(ApiError::invalid_field(
            "secret",
            format!("must be {MIN_LEGACY_SECRET} to {MAX_LEGACY_SECRET} characters"),
        )));
    }
    let new = NewWebhook {
        url: url.to_string(),
        events,
        enabled: body.enabled.unwrap_or(true),
    };
    let webhook = state
        .store
        .create_webhook(caller.org(), new, body.secret)
        .await?;
    Ok((StatusCode::CREATED, JsonResponse(webhook)))
}

async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListParams>,
) -> ApiResult<JsonResponse<WebhookList>> {
    let page = params.page()?;
    let listed = state.store.list_webhooks(caller.org(), page).await?;
    Ok(JsonResponse(WebhookList {
        webhooks: listed.items,
        total: listed.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

async fn get_one(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<Webhook>> {
    Ok(JsonResponse(
        find(&state, caller.org(), &webhook_id(&id)?).await?,
    ))
}

async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(body): Json<WebhookBody>,
) -> ApiResult<JsonResponse<Webhook>> {
    let id = webhook_id(&id)?;
    let patch = checked_patch(&state, body)?;
    state
        .store
        .update_webhook(caller.org(), &id, patch)
        .await?
        .map(JsonResponse)
        .ok_or_else(|| Failure(ApiError::not_found("webhook", id.as_str())))
}

async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = webhook_id(&id)?;
    if state.store.delete_webhook(caller.org(), &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Failure(ApiError::not_found("webhook", id.as_str())))
    }
}

async fn rotate_secret(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<WebhookWithSecret>> {
    let id = webhook_id(&id)?;
    Ok(JsonResponse(rotate(&state, caller.org(), &id).await?))
}

/// Gives endpoint `id` a new signing secret, returned this once; the old
/// one keeps signing for `webhooks.previous_secret_hours`.
pub async fn rotate(
    state: &AppState,
    org: &OrgId,
    id: &WebhookId,
) -> Result<WebhookWithSecret, Failure> {
    let secret = generate_secret();
    let hours = state.config.webhooks.previous_secret_hours;
    let overlap = jiff::SignedDuration::from_hours(hours.min(i64::MAX as u64) as i64);
    let previous_until = jiff::Timestamp::now()
        .saturating_add(overlap)
        .unwrap_or(jiff::Timestamp::MAX);
    let webhook = state
        .store
        .rotate_webhook_secret(org, id, secret.clone(), previous_until)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("webhook", id.as_str())))?;
    Ok(WebhookWithSecret { webhook, secret })
}

/// Sends a `webhook.test` event (one attempt, no retries) and waits for
/// its outcome up to the delivery timeout: 200 with the settled delivery,
/// or 202 if it is still pending.
async fn send_test(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, JsonResponse<Delivery>)> {
    let id = webhook_id(&id)?;
    Ok(match send_test_event(&state, caller.org(), &id).await? {
        TestOutcome::Settled(done) => (StatusCode::OK, JsonResponse(done)),
        TestOutcome::Pending(queued) => (StatusCode::ACCEPTED, JsonResponse(queued)),
    })
}

/// What became of a test event within the delivery timeout.
pub enum TestOutcome {
    Settled(Delivery),
    Pending(Delivery),
}

/// Sends a `webhook.test` event to endpoint `id` of `org` (one attempt,
/// no retries) and waits for its outcome up to the delivery timeout.
pub async fn send_test_event(
    state: &AppState,
    org: &OrgId,
    id: &WebhookId,
) -> Result<TestOutcome, Failure> {
    let data = json!({
        "webhook_id": id,
        "message": "A test event from Grove: this endpoint receives webhooks.",
    });
    let delivery = state
        .store
        .queue_test_delivery(org, id, TEST_EVENT, data)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("webhook", id.as_str())))?;
    state.deliveries_queued.notify_one();
    let wait = Duration::from_secs(state.config.webhooks.timeout_seconds + 2);
    Ok(
        match wait_settled(state, org, id, &delivery.id, wait).await? {
            Some(done) => TestOutcome::Settled(done),
            None => TestOutcome::Pending(delivery),
        },
    )
}

/// The delivery once it is no longer pending, or `None` after `wait`.
async fn wait_settled(
    state: &AppState,
    org: &OrgId,
    webhook: &WebhookId,
    id: &DeliveryId,
    wait: Duration,
) -> Result<Option<Delivery>, Failure> {
    let deadline = tokio::time::Instant::now() + wait;
    while tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let found = state.store.get_delivery(org, webhook, id).await?;
        if let Some(d) = found.filter(|d| d.status != DeliveryStatus::Pending) {
            return Ok(Some(d));
        }
    }
    Ok(None)
}

async fn deliveries(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(params): Query<ListParams>,
) -> ApiResult<JsonResponse<DeliveryList>> {
    let id = webhook_id(&id)?;
    let page = params.page()?;
    find(&state, caller.org(), &id).await?;
    let listed = state.store.list_deliveries(caller.org(), &id, page).await?;
    Ok(JsonResponse(DeliveryList {
        deliveries: listed.items,
        total: listed.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

/// Queues the same event again as a new delivery (same event id, so
/// receivers that processed it can tell).
async fn resend(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, delivery)): Path<(String, String)>,
) -> ApiResult<(StatusCode, JsonResponse<Delivery>)> {
    let id = webhook_id(&id)?;
    let delivery = path_id(&delivery, "delivery_id", DeliveryId::parse)?;
    let queued = state
        .store
        .resend_delivery(caller.org(), &id, &delivery)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("delivery", delivery.as_str())))?;
    state.deliveries_queued.notify_one();
    Ok((StatusCode::ACCEPTED, JsonResponse(queued)))
}

fn doc(operation_id: &'static str, summary: &'static str) -> RouteDoc {
    RouteDoc {
        operation_id,
        summary,
        tag: "webhooks",
        request: None,
        response: (200, Some("Webhook")),
        paginated: false,
        camel_case: false,
        required: &[],
        query: None,
    }
}

pub fn routes() -> Vec<Route> {
    const ALL: &str = "/api/v1/webhooks";
    const ONE: &str = "/api/v1/webhooks/{webhook_id}";
    vec![
        v1_route(
            Method::GET,
            ALL,
            Scope::Admin,
            RouteDoc {
                response: (200, Some("WebhookList")),
                paginated: true,
                ..doc("listWebhooks", "List webhook endpoints")
            },
            get(list),
        ),
        v1_route(
            Method::POST,
            ALL,
            Scope::Admin,
            RouteDoc {
                request: Some("WebhookBody"),
                required: &["url", "events"],
                response: (201, Some("WebhookWithSecret")),
                ..doc(
                    "createWebhook",
                    "Create a webhook endpoint; the answer shows its signing secret once",
                )
            },
            post(create),
        ),
        route_in(
            Family::Legacy,
            Method::POST,
            "/api/webhooks",
            Requirement::scope(Scope::Admin),
            RouteDoc {
                request: Some("LegacyWebhookBody"),
                response: (201, Some("Webhook")),
                ..doc(
                    "createWebhookLegacy",
                    "Create a webhook endpoint with a secret of your own",
                )
            },
            post(create_legacy),
        ),
        v1_route(
            Method::GET,
            ONE,
            Scope::Admin,
            doc("getWebhook", "Get a webhook endpoint and its status"),
            get(get_one),
        ),
        v1_route(
            Method::PUT,
            ONE,
            Scope::Admin,
            RouteDoc {
                request: Some("WebhookBody"),
                ..doc(
                    "updateWebhook",
                    "Update a webhook endpoint (fields optional)",
                )
            },
            put(update),
        ),
        v1_route(
            Method::DELETE,
            ONE,
            Scope::Admin,
            RouteDoc {
                response: (204, None),
                ..doc(
                    "deleteWebhook",
                    "Delete a webhook endpoint and its deliveries",
                )
            },
            delete(remove),
        ),
        v1_route(
            Method::POST,
            "/api/v1/webhooks/{webhook_id}/rotate-secret",
            Scope::Admin,
            RouteDoc {
                response: (200, Some("WebhookWithSecret")),
                ..doc(
                    "rotateWebhookSecret",
                    "Replace the signing secret; the old one keeps signing for a while",
                )
            },
            post(rotate_secret),
        ),
        v1_route(
            Method::POST,
            "/api/v1/webhooks/{webhook_id}/test",
            Scope::Admin,
            RouteDoc {
                response: (200, Some("Delivery")),
                ..doc("testWebhook", "Send a test event and report the attempt")
            },
            post(send_test),
        ),
        v1_route(
            Method::GET,
            "/api/v1/webhooks/{webhook_id}/deliveries",
            Scope::Admin,
            RouteDoc {
                response: (200, Some("DeliveryList")),
                paginated: true,
                ..doc(
                    "listWebhookDeliveries",
                    "List an endpoint's deliveries, newest first, with their attempts",
                )
            },
            get(deliveries),
        ),
        v1_route(
            Method::POST,
            "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/resend",
            Scope::Admin,
            RouteDoc {
                response: (202, Some("Delivery")),
                ..doc("resendWebhookDelivery", "Send a delivery's event again")
            },
            post(resend),
        ),
    ]
}
