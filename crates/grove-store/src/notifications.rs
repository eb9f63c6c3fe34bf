//! What became of notifications: a delivery per notification queued for a
//! channel (a finished run, or a test message), with its attempts, for
//! `GET /api/v1/notification-channels/{id}/deliveries`. The delivery row is
//! written in the transaction that queues its `job.notify` item.

use async_trait::async_trait;
use grove_core::ids::{ChannelId, NotificationId, OrgId};
use grove_core::jobs::NotificationDelivery;
use grove_core::page::Page;

use crate::{Listed, StoreResult};

/// The event of a test message.
pub const TEST_NOTIFICATION: &str = "test";

/// How an attempt ended, as the notifier saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered,
    /// Failed; the queue tries again.
    Retrying(String),
    /// Failed, and it was the last attempt.
    Failed(String),
}

#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// Queues a test message to a channel of `org`: its delivery and its
    /// queue item in one transaction. `None` if the channel is absent.
    async fn queue_test_notification(
        &self,
        org: &OrgId,
        channel: &ChannelId,
    ) -> StoreResult<Option<NotificationDelivery>>;
    /// Records attempt number `attempt` and what it means for the delivery.
    async fn record_notification_attempt(
        &self,
        id: &NotificationId,
        attempt: u32,
        latency_ms: u64,
        outcome: AttemptOutcome,
    ) -> StoreResult<()>;
    /// Marks a delivery dropped (its channel, run or topic no longer wants it).
    async fn drop_notification(&self, id: &NotificationId, reason: &str) -> StoreResult<()>;
    /// A channel's deliveries, newest first, with their attempts.
    async fn notification_deliveries(
        &self,
        org: &OrgId,
        channel: &ChannelId,
        page: Page,
    ) -> StoreResult<Listed<NotificationDelivery>>;
    async fn notification_delivery(
        &self,
        org: &OrgId,
        id: &NotificationId,
    ) -> StoreResult<Option<NotificationDelivery>>;
}
