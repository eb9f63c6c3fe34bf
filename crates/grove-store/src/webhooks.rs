//! What outgoing webhooks need from persistence: endpoints, the fan-out of
//! outbox events into deliveries (each with a durable queue item), and the
//! record of every attempt.

use async_trait::async_trait;
use grove_core::ids::{DeliveryId, OrgId, WebhookId};
use grove_core::page::Page;
use grove_core::webhooks::{Attempt, Delivery, Webhook};
use jiff::Timestamp;

use crate::{Listed, StoreResult};

/// The queue kind of one delivery attempt (payload `{delivery_id}`).
pub const DELIVERY_KIND: &str = "webhook.deliver";

/// An endpoint as created.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub url: String,
    pub events: Vec<String>,
    pub enabled: bool,
}

/// Changes to an endpoint: the fields given replace the stored ones, in one
/// statement, so concurrent updates of different fields all land.
#[derive(Debug, Clone, Default)]
pub struct WebhookPatch {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

/// What the deliverer needs for the next attempt of a delivery.
#[derive(Debug, Clone)]
pub struct DeliveryWork {
    pub delivery: Delivery,
    pub webhook: Webhook,
    /// The queue item due to make the next attempt; any other is stale.
    pub queue_item_id: Option<String>,
    /// The secrets that sign, as stored (sealed: open each with
    /// [`crate::SecretStore::reveal`]): the current one, then the previous
    /// one while it is still valid after a rotation.
    pub secrets: Vec<String>,
}

/// What follows a failed attempt.
#[derive(Debug, Clone)]
pub enum AfterFailure {
    /// No retry, and the endpoint stays enabled (test events; also given,
    /// and ignored, after a success).
    Stop,
    /// Try again at this time.
    RetryAt(Timestamp),
    /// The schedule is spent: the delivery fails and the endpoint is
    /// disabled with this reason.
    GiveUp { disable_reason: String },
}

#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Creates an endpoint signing with `secret`.
    async fn create_webhook(
        &self,
        org: &OrgId,
        new: NewWebhook,
        secret: String,
    ) -> StoreResult<Webhook>;
    async fn get_webhook(&self, org: &OrgId, id: &WebhookId) -> StoreResult<Option<Webhook>>;
    async fn list_webhooks(&self, org: &OrgId, page: Page) -> StoreResult<Listed<Webhook>>;
    /// Applies `patch`; `None` if absent. Enabling a disabled endpoint
    /// clears why it was disabled and its failure count.
    async fn update_webhook(
        &self,
        org: &OrgId,
        id: &WebhookId,
        patch: WebhookPatch,
    ) -> StoreResult<Option<Webhook>>;
    /// False if absent; its deliveries go with it.
    async fn delete_webhook(&self, org: &OrgId, id: &WebhookId) -> StoreResult<bool>;
    /// Signs with `secret` from now on; the replaced one keeps signing
    /// until `previous_until`. `None` if absent.
    async fn rotate_webhook_secret(
        &self,
        org: &OrgId,
        id: &WebhookId,
        secret: String,
        previous_until: Timestamp,
    ) -> StoreResult<Option<Webhook>>;

    /// Fans out up to `limit` outbox events not yet fanned out, oldest
    /// first: a delivery and its queue item for every endpoint of the
    /// event's organisation that wants it, and the event marked, all in one
    /// transaction. Returns how many events were handled.
    async fn dispatch_events(&self, limit: u32) -> StoreResult<u32>;
    /// Queues a one-off delivery of `event` with `data` to one endpoint
    /// (the test event). `None` if the endpoint is absent.
    async fn queue_test_delivery(
        &self,
        org: &OrgId,
        id: &WebhookId,
        event: &str,
        data: serde_json::Value,
    ) -> StoreResult<Option<Delivery>>;
    /// Queues a new delivery of the same event and body as `delivery`.
    /// `None` if either is absent.
    async fn resend_delivery(
        &self,
        org: &OrgId,
        webhook: &WebhookId,
        delivery: &DeliveryId,
    ) -> StoreResult<Option<Delivery>>;
    /// The delivery, its endpoint and signing secrets.
    async fn delivery_work(&self, id: &DeliveryId) -> StoreResult<Option<DeliveryWork>>;
    /// Records an attempt of a pending delivery made by queue item `item`,
    /// and what follows: success, a retry (with its queue item) or giving
    /// up (which disables the endpoint unless it has had a success since the
    /// delivery began). `after` is ignored when the attempt succeeded. A test
    /// event's attempt leaves the endpoint's health as it is. False if the
    /// delivery is settled or `item` is not the one due to attempt it.
    async fn record_attempt(
        &self,
        id: &DeliveryId,
        item: &str,
        attempt: Attempt,
        after: AfterFailure,
    ) -> StoreResult<bool>;
    /// Moves a pending delivery's next attempt to `at` without counting
    /// one (its endpoint had as many attempts in flight as it may). False
    /// if the delivery is settled or `item` is not the one due to attempt it.
    async fn defer_delivery(&self, id: &DeliveryId, item: &str, at: Timestamp)
        -> StoreResult<bool>;
    /// Fails a pending delivery without an attempt (its endpoint was
    /// disabled meanwhile).
    async fn abandon_delivery(&self, id: &DeliveryId, reason: &str) -> StoreResult<()>;
    /// One delivery of an endpoint, with its attempts.
    async fn get_delivery(
        &self,
        org: &OrgId,
        webhook: &WebhookId,
        id: &DeliveryId,
    ) -> StoreResult<Option<Delivery>>;
    /// Fails pending deliveries whose queue item is dead, then deletes
    /// settled deliveries (with their attempts) and fanned-out outbox events
    /// last touched before `cutoff`; returns how many rows were deleted.
    async fn purge_webhook_history(&self, cutoff: Timestamp) -> StoreResult<u64>;
    /// An endpoint's deliveries, newest first, with their attempts.
    async fn list_deliveries(
        &self,
        org: &OrgId,
        webhook: &WebhookId,
        page: Page,
    ) -> StoreResult<Listed<Delivery>>;
}
