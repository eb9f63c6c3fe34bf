//! `/api/v1/notification-channels`: where job notifications go (email,
//! Slack, Teams). The config is checked by the notifier's own reader
//! ([`grove_jobs::notify::check_config`]); webhook URLs are credentials, so
//! responses show only their scheme and host, and a PUT that sends the
//! masked URL back keeps the stored one. Each channel's deliveries (one
//! per notification, with its attempts) are listed, and a test message can
//! be sent.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{delete, get, post, put};
use axum::{Extension, Json as JsonResponse};
use grove_core::ids::{ChannelId, OrgId};
use grove_core::jobs::{
    Channel, ChannelKind, NotificationDelivery, NotificationStatus, NotifyLevel, NotifyTopic,
};
use grove_core::scope::Scope;
use grove_core::ApiError;
use grove_jobs::notify::{check_config, mask_url, masked_config};
use grove_store::NewChannel;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::{v1_route, Route, RouteDoc};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::extract::{path_id, trimmed_text, Json, ListParams, Query};
use crate::state::AppState;

const MAX_NAME: usize = 200;

/// A channel as created or updated. On create, `name`, `kind` and
/// `config` are required; on update every field is optional (a new
/// `kind` needs its `config`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelBody {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    /// `email`, `slack` or `teams`.
    pub kind: Option<ChannelKind>,
    /// `{"to": ["ann@example.com"]}` for email (1 to 50 addresses);
    /// `{"webhook_url": "https://…"}` for Slack and Teams.
    #[schema(value_type = Option<Object>)]
    pub config: Option<Value>,
    /// The lowest level sent (default `info`: every notification).
    pub min_level: Option<NotifyLevel>,
    /// What is sent (default both `completed_run` and `failed_run`).
    pub topics: Option<Vec<NotifyTopic>>,
    /// Default true; a disabled channel gets nothing.
    pub enabled: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelList {
    pub channels: Vec<Channel>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

/// A page of a channel's deliveries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDeliveryList {
    pub deliveries: Vec<NotificationDelivery>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

fn channel_id(raw: &str) -> Result<ChannelId, Failure> {
    path_id(raw, "id", ChannelId::parse)
}

/// The channel with its config opened (the webhook URL is sealed at rest).
async fn find(state: &AppState, org: &OrgId, id: &ChannelId) -> Result<Channel, Failure> {
    let mut channel = state
        .store
        .get_channel(org, id)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("notification channel", id.as_str())))?;
    channel.config = state.store.reveal_config(&channel.config).await?;
    Ok(channel)
}

/// A stored channel as shown: the webhook URL opened, then masked to its
/// scheme and host.
pub async fn shown(state: &AppState, mut channel: Channel) -> Result<Channel, Failure> {
    let config = state.store.reveal_config(&channel.config).await?;
    channel.config = masked_config(channel.kind, &config);
    Ok(channel)
}

fn checked_config(kind: ChannelKind, config: Value) -> Result<Value, Failure> {
    check_config(kind, &config)
        .map(|_| config)
        .map_err(|e| Failure(ApiError::invalid_field(&e.field, e.reason)))
}

fn checked_topics(topics: Vec<NotifyTopic>) -> Result<Vec<NotifyTopic>, Failure> {
    let mut unique = Vec::new();
    for topic in topics {
        if !unique.contains(&topic) {
            unique.push(topic);
        }
    }
    if unique.is_empty() {
        return Err(Failure(ApiError::invalid_field(
            "topics",
            format!("must list at least one of {}", NotifyTopic::names()),
        )));
    }
    Ok(unique)
}

/// Applies `body` over `base` (the stored channel, or defaults) and checks
/// the result.
fn merge(base: NewChannel, body: ChannelBody) -> Result<NewChannel, Failure> {
    let name = match body.name {
        Some(name) => trimmed_text("name", &name, MAX_NAME, true)?,
        None => base.name,
    };
    let kind = body.kind.unwrap_or(base.kind);
    let config = match body.config {
        // The masked URL sent back as it was shown: keep the stored one.
        Some(config) if kind == base.kind && sends_back_mask(&config, &base.config) => base.config,
        Some(config) => checked_config(kind, config)?,
        None if kind != base.kind => {
            return Err(Failure(ApiError::invalid_field(
                "config",
                format!("is required when the kind changes to {kind}"),
            )))
        }
        None => base.config,
    };
    Ok(NewChannel {
        name,
        kind,
        config,
        min_level: body.min_level.unwrap_or(base.min_level),
        topics: match body.topics {
            Some(topics) => checked_topics(topics)?,
            None => base.topics,
        },
        enabled: body.enabled.unwrap_or(base.enabled),
    })
}

/// Whether `config` is `stored` as shown: the same keys, with the webhook
/// URL masked.
fn sends_back_mask(config: &Value, stored: &Value) -> bool {
    let (Some(sent), Some(kept)) = (
        config.get("webhook_url").and_then(Value::as_str),
        stored.get("webhook_url").and_then(Value::as_str),
    ) else {
        return false;
    };
    sent != kept
        && sent == mask_url(kept)
        && config.as_object().map(|m| m.len()) == stored.as_object().map(|m| m.len())
}

async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<ChannelBody>,
) -> ApiResult<(StatusCode, JsonResponse<Channel>)> {
    let channel = create_channel(&state, caller.org(), body).await?;
    Ok((StatusCode::CREATED, JsonResponse(channel)))
}

/// Checks and stores a new channel, shown with its webhook URL masked;
/// the console adds channels through this too.
pub async fn create_channel(
    state: &AppState,
    org: &OrgId,
    body: ChannelBody,
) -> Result<Channel, Failure> {
    let required = |field: &str| Failure(ApiError::invalid_field(field, "is required"));
    if body.name.is_none() {
        return Err(required("name"));
    }
    let kind = body.kind.ok_or_else(|| required("kind"))?;
    if body.config.is_none() {
        return Err(required("config"));
    }
    let base = NewChannel {
        name: String::new(),
        kind,
        config: Value::Null,
        min_level: NotifyLevel::Info,
        topics: NotifyTopic::ALL.to_vec(),
        enabled: true,
    };
    let new = merge(base, body)?;
    let channel = state.store.create_channel(org, new).await?;
    shown(state, channel).await
}

async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListParams>,
) -> ApiResult<JsonResponse<ChannelList>> {
    let page = params.page()?;
    let listed = state.store.list_channels(caller.org(), page).await?;
    let mut channels = Vec::with_capacity(listed.items.len());
    for channel in listed.items {
        channels.push(shown(&state, channel).await?);
    }
    Ok(JsonResponse(ChannelList {
        channels,
        total: listed.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

async fn get_one(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<Channel>> {
    let channel = find_channel(&state, caller.org(), &channel_id(&id)?).await?;
    Ok(JsonResponse(channel))
}

/// The channel `id` of `org` as shown (webhook URL masked), or the 404.
pub async fn find_channel(
    state: &AppState,
    org: &OrgId,
    id: &ChannelId,
) -> Result<Channel, Failure> {
    let mut channel = find(state, org, id).await?;
    channel.config = masked_config(channel.kind, &channel.config);
    Ok(channel)
}

async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(body): Json<ChannelBody>,
) -> ApiResult<JsonResponse<Channel>> {
    let id = channel_id(&id)?;
    Ok(JsonResponse(
        update_channel(&state, caller.org(), &id, body).await?,
    ))
}

/// Applies the fields `body` sets over the channel as stored at the
/// moment of the write (its config opened by the store), so concurrent
/// updates all land; a masked URL sent back keeps the stored one.
pub async fn update_channel(
    state: &AppState,
    org: &OrgId,
    id: &ChannelId,
    body: ChannelBody,
) -> Result<Channel, Failure> {
    let change = Box::new(move |base| merge(base, body).map_err(|Failure(e)| e));
    let channel = state
        .store
        .change_channel(org, id, change)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("notification channel", id.as_str())))?;
    shown(state, channel).await
}

async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    delete_channel(&state, caller.org(), &channel_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a channel; jobs stop sending to it.
pub async fn delete_channel(state: &AppState, org: &OrgId, id: &ChannelId) -> Result<(), Failure> {
    if state.store.delete_channel(org, id).await? {
        Ok(())
    } else {
        Err(Failure(ApiError::not_found(
            "notification channel",
            id.as_str(),
        )))
    }
}

async fn deliveries(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(params): Query<ListParams>,
) -> ApiResult<JsonResponse<NotificationDeliveryList>> {
    let id = channel_id(&id)?;
    let page = params.page()?;
    find(&state, caller.org(), &id).await?;
    let listed = state
        .store
        .notification_deliveries(caller.org(), &id, page)
        .await?;
    Ok(JsonResponse(NotificationDeliveryList {
        deliveries: listed.items,
        total: listed.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

/// How long `POST …/test` waits for the first attempt before answering 202.
const TEST_WAIT: Duration = Duration::from_secs(30);

/// Queues a test message and answers with its delivery once the first
/// attempt is made (200), or still pending after [`TEST_WAIT`] (202).
async fn send_test(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, JsonResponse<NotificationDelivery>)> {
    let id = channel_id(&id)?;
    Ok(match send_test_message(&state, caller.org(), &id).await? {
        TestMessage::Attempted(d) => (StatusCode::OK, JsonResponse(d)),
        TestMessage::Pending(d) => (StatusCode::ACCEPTED, JsonResponse(d)),
    })
}

/// A test message's delivery: attempted (delivered or not), or still
/// waiting for its first attempt after [`TEST_WAIT`].
pub enum TestMessage {
    Attempted(NotificationDelivery),
    Pending(NotificationDelivery),
}

/// Queues a test message to channel `id` and waits for its first attempt.
pub async fn send_test_message(
    state: &AppState,
    org: &OrgId,
    id: &ChannelId,
) -> Result<TestMessage, Failure> {
    let queued = state
        .store
        .queue_test_notification(org, id)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("notification channel", id.as_str())))?;
    state.jobs.runs_queued().notify_one();
    let deadline = tokio::time::Instant::now() + TEST_WAIT;
    while tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let now = state.store.notification_delivery(org, &queued.id).await?;
        if let Some(d) =
            now.filter(|d| !d.attempts.is_empty() || d.status != NotificationStatus::Pending)
        {
            return Ok(TestMessage::Attempted(d));
        }
    }
    Ok(TestMessage::Pending(queued))
}

fn doc(operation_id: &'static str, summary: &'static str) -> RouteDoc {
    RouteDoc {
        operation_id,
        summary,
        tag: "notification-channels",
        request: None,
        response: (200, Some("Channel")),
        paginated: false,
        camel_case: false,
        required: &[],
        query: None,
    }
}

pub fn routes() -> Vec<Route> {
    const ALL: &str = "/api/v1/notification-channels";
    const ONE: &str = "/api/v1/notification-channels/{id}";
    vec![
        v1_route(
            Method::GET,
            ALL,
            Scope::Read,
            RouteDoc {
                response: (200, Some("ChannelList")),
                paginated: true,
                ..doc("listNotificationChannels", "List notification channels")
            },
            get(list),
        ),
        v1_route(
            Method::POST,
            ALL,
            Scope::Write,
            RouteDoc {
                request: Some("ChannelBody"),
                required: &["name", "kind", "config"],
                response: (201, Some("Channel")),
                ..doc(
                    "createNotificationChannel",
                    "Create a notification channel (email, Slack or Teams)",
                )
            },
            post(create),
        ),
        v1_route(
            Method::GET,
            ONE,
            Scope::Read,
            doc("getNotificationChannel", "Get a notification channel"),
            get(get_one),
        ),
        v1_route(
            Method::PUT,
            ONE,
            Scope::Write,
            RouteDoc {
                request: Some("ChannelBody"),
                ..doc(
                    "updateNotificationChannel",
                    "Update a notification channel (fields optional)",
                )
            },
            put(update),
        ),
        v1_route(
            Method::DELETE,
            ONE,
            Scope::Write,
            RouteDoc {
                response: (204, None),
                ..doc(
                    "deleteNotificationChannel",
                    "Delete a notification channel; jobs stop sending to it",
                )
            },
            delete(remove),
        ),
        v1_route(
            Method::GET,
            "/api/v1/notification-channels/{id}/deliveries",
            Scope::Read,
            RouteDoc {
                response: (200, Some("NotificationDeliveryList")),
                paginated: true,
                ..doc(
                    "listNotificationDeliveries",
                    "A channel's deliveries, newest first, with their attempts",
                )
            },
            get(deliveries),
        ),
        v1_route(
            Method::POST,
            "/api/v1/notification-channels/{id}/test",
            Scope::Write,
            RouteDoc {
                response: (200, Some("NotificationDelivery")),
                ..doc(
                    "testNotificationChannel",
                    "Send a test message; 200 after the first attempt, 202 if still pending",
                )
            },
            post(send_test),
        ),
    ]
}
