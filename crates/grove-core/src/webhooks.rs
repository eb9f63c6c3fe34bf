//! Outgoing webhooks: the events an endpoint can subscribe to, the endpoint
//! record with its delivery health, and deliveries with their attempts.
//! Signing secrets never appear in these records; the store hands them to
//! the deliverer separately.

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::ids::{DeliveryId, EventId, OrgId, WebhookId};

/// Every event an endpoint can subscribe to.
pub const EVENTS: &[&str] = &[
    "interaction.completed",
    "interaction.feedback",
    "agent.created",
    "agent.updated",
    "agent.deleted",
    "data_source.synced",
    "data_source.failed",
    "job.run.completed",
    "job.run.failed",
    "user.created",
    "eval.completed",
];

/// Subscribes an endpoint to every event, present and future.
pub const ALL_EVENTS: &str = "*";

/// The event `POST /webhooks/{id}/test` sends; never fanned out.
pub const TEST_EVENT: &str = "webhook.test";

/// The canonical name of a subscribable event: known names as they are, the
/// seed's `interaction.created` as `interaction.completed`; `None` if unknown.
pub fn canonical_event(name: &str) -> Option<&'static str> {
    if name == ALL_EVENTS {
        return Some(ALL_EVENTS);
    }
    if name == "interaction.created" {
        return Some("interaction.completed");
    }
    EVENTS.iter().copied().find(|e| *e == name)
}

/// The body of a delivery: `{id, event, timestamp, data}`.
pub fn payload(id: &EventId, event: &str, at: Timestamp, data: &Value) -> Value {
    serde_json::json!({
        "id": id,
        "event": event,
        "timestamp": at.to_string(),
        "data": data,
    })
}

wire_enum!(
    /// An endpoint's health: `failing` while its latest attempts failed,
    /// `disabled` when switched off by a user or after a delivery gave up.
    WebhookStatus {
        Active = "active",
        Failing = "failing",
        Disabled = "disabled",
    }
);

/// An outgoing webhook endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Webhook {
    pub id: WebhookId,
    pub org_id: OrgId,
    pub url: String,
    /// Event names, or `["*"]` for all.
    pub events: Vec<String>,
    pub enabled: bool,
    pub status: WebhookStatus,
    /// Why the endpoint is failing or disabled.
    pub status_message: Option<String>,
    /// Failed attempts since the last successful one.
    pub consecutive_failures: u32,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_success_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_failure_at: Option<Timestamp>,
    /// Until when the secret replaced by the last rotation still signs.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub previous_secret_expires_at: Option<Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl Webhook {
    /// Whether an event of this name goes to the endpoint.
    pub fn wants(&self, event: &str) -> bool {
        self.enabled && self.events.iter().any(|e| e == ALL_EVENTS || e == event)
    }
}

wire_enum!(
    /// Where a delivery stands: `pending` until an attempt succeeds
    /// (`succeeded`) or the retry schedule is spent (`failed`).
    DeliveryStatus {
        Pending = "pending",
        Succeeded = "succeeded",
        Failed = "failed",
    }
);

/// One HTTP attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Attempt {
    /// 1 for the first attempt.
    pub attempt: u32,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// The endpoint's HTTP status; `None` when no response came.
    pub status_code: Option<u16>,
    pub latency_ms: u64,
    /// Why the attempt failed (connection error, non-2xx status and body).
    pub error: Option<String>,
}

/// One event's delivery to one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Delivery {
    pub id: DeliveryId,
    pub webhook_id: WebhookId,
    pub event_id: EventId,
    pub event: String,
    pub status: DeliveryStatus,
    /// When the next attempt is due, while pending.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_attempt_at: Option<Timestamp>,
    /// The delivery this one re-sends, if any.
    pub resent_from: Option<DeliveryId>,
    pub attempts: Vec<Attempt>,
    /// Why the delivery failed when no attempt says it (the endpoint was
    /// disabled before its turn).
    pub error: Option<String>,
    /// The exact JSON body sent.
    #[schema(value_type = Object)]
    pub payload: Value,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}
