//! Notification deliveries and their attempts on PostgreSQL. A delivery
//! row is written in the transaction that queues its `job.notify` item;
//! while it is pending, its next attempt is that item's `run_at` (a
//! `TIMESTAMPTZ` in the queue table, read back as Unix milliseconds).

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use grove_core::ids::{ChannelId, NotificationId, OrgId, RunId};
use grove_core::jobs::{NotificationAttempt, NotificationDelivery};
use grove_core::page::Page;
use serde_json::json;

use super::queue::insert_item;
use super::{filtered_page, mapped, mapped_opt, now_ms, pg_error, Arg, PgStore};
use crate::notifications::{AttemptOutcome, NotificationStore, TEST_NOTIFICATION};
use crate::queue::NewItem;
use crate::rows::notifications::{
    attempt_effect, attempt_from_row, delivery_from_row, ATTEMPT_COLUMNS, DELIVERY_COLUMNS,
};
use crate::{Listed, StoreResult, NOTIFY_KIND};

/// The time of a delivery's next attempt: its queue item's, while queued.
const NEXT_ATTEMPT: &str = "(SELECT (EXTRACT(EPOCH FROM q.run_at) * 1000)::BIGINT
     FROM queue_items q WHERE q.id = d.queue_item_id AND q.status = 'queued')";
const FROM: &str = "notification_deliveries d";

async fn attempts(
    client: &impl GenericClient,
    id: &NotificationId,
) -> StoreResult<Vec<NotificationAttempt>> {
    let rows = client
        .query(
            &format!(
                "SELECT {ATTEMPT_COLUMNS} FROM notification_attempts
                 WHERE delivery_id = $1 ORDER BY attempt"
            ),
            &[&id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    mapped(rows, attempt_from_row)
}

async fn with_attempts(
    client: &impl GenericClient,
    mut delivery: NotificationDelivery,
) -> StoreResult<NotificationDelivery> {
    delivery.attempts = attempts(client, &delivery.id).await?;
    Ok(delivery)
}

async fn select(
    client: &impl GenericClient,
    org: &OrgId,
    id: &NotificationId,
) -> StoreResult<Option<NotificationDelivery>> {
    let row = client
        .query_opt(
            &format!(
                "SELECT {DELIVERY_COLUMNS}, {NEXT_ATTEMPT} FROM {FROM}
                 WHERE d.org_id = $1 AND d.id = $2"
            ),
            &[&org.as_str(), &id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    match mapped_opt(row, delivery_from_row)? {
        Some(delivery) => Ok(Some(with_attempts(client, delivery).await?)),
        None => Ok(None),
    }
}

/// Queues a notification to `channel`: its delivery row and its
/// `job.notify` item (whose payload names the delivery), in `client`'s
/// transaction.
pub(super) async fn queue_notification(
    client: &impl GenericClient,
    org: &OrgId,
    channel: &str,
    run: Option<&RunId>,
    event: &str,
    mut payload: serde_json::Value,
) -> StoreResult<NotificationId> {
    let id = NotificationId::generate();
    payload["delivery_id"] = json!(id);
    payload["channel_id"] = json!(channel);
    let mut item = NewItem::new(NOTIFY_KIND, payload);
    item.org_id = Some(org.clone());
    let item_id = insert_item(client, &item).await?;
    client
        .execute(
            "INSERT INTO notification_deliveries (id, org_id, channel_id, run_id, event, status,
                                                  queue_item_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $7)",
            &[
                &id.as_str(),
                &org.as_str(),
                &channel,
                &run.map(RunId::as_str),
                &event,
                &item_id.as_str(),
                &now_ms(),
            ],
        )
        .await
        .map_err(pg_error)?;
    Ok(id)
}

#[async_trait]
impl NotificationStore for PgStore {
    async fn queue_test_notification(
        &self,
        org: &OrgId,
        channel: &ChannelId,
    ) -> StoreResult<Option<NotificationDelivery>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        // Held until commit: a deletion of the channel waits for the
        // delivery instead of breaking its foreign key.
        let exists = tx
            .query_opt(
                "SELECT 1 FROM notification_channels WHERE org_id = $1 AND id = $2
                 FOR KEY SHARE",
                &[&org.as_str(), &channel.as_str()],
            )
            .await
            .map_err(pg_error)?;
        if exists.is_none() {
            return Ok(None);
        }
        let payload = json!({"test": true});
        let id = queue_notification(&tx, org, channel.as_str(), None, TEST_NOTIFICATION, payload)
            .await?;
        let delivery = select(&tx, org, &id).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(delivery)
    }

    async fn record_notification_attempt(
        &self,
        id: &NotificationId,
        attempt: u32,
        latency_ms: u64,
        outcome: AttemptOutcome,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let (ok, error, status) = attempt_effect(&outcome);
        let now = now_ms();
        tx.execute(
            "INSERT INTO notification_attempts (delivery_id, attempt, at, ok, latency_ms, error)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (delivery_id, attempt) DO UPDATE
             SET at = EXCLUDED.at, ok = EXCLUDED.ok, latency_ms = EXCLUDED.latency_ms,
                 error = EXCLUDED.error",
            &[
                &id.as_str(),
                &i64::from(attempt),
                &now,
                &ok,
                &i64::try_from(latency_ms).unwrap_or(i64::MAX),
                &error,
            ],
        )
        .await
        .map_err(pg_error)?;
        tx.execute(
            "UPDATE notification_deliveries SET status = $2, updated_at = $3 WHERE id = $1",
            &[&id.as_str(), &status, &now],
        )
        .await
        .map_err(pg_error)?;
        tx.commit().await.map_err(pg_error)
    }

    async fn drop_notification(&self, id: &NotificationId, reason: &str) -> StoreResult<()> {
        self.client()
            .await?
            .execute(
                "UPDATE notification_deliveries SET status = 'dropped', error = $2, updated_at = $3
                 WHERE id = $1",
                &[&id.as_str(), &reason, &now_ms()],
            )
            .await
            .map(drop)
            .map_err(pg_error)
    }

    async fn notification_deliveries(
        &self,
        org: &OrgId,
        channel: &ChannelId,
        page: Page,
    ) -> StoreResult<Listed<NotificationDelivery>> {
        let client = self.client().await?;
        let args: Vec<Arg> = vec![
            Box::new(org.as_str().to_owned()),
            Box::new(channel.as_str().to_owned()),
        ];
        let listed = filtered_page(
            &client,
            FROM,
            &format!("{DELIVERY_COLUMNS}, {NEXT_ATTEMPT}"),
            "d.org_id = $1 AND d.channel_id = $2",
            args,
            "d.created_at DESC, d.id DESC",
            page,
            delivery_from_row,
        )
        .await?;
        let mut items = Vec::with_capacity(listed.items.len());
        for delivery in listed.items {
            items.push(with_attempts(&client, delivery).await?);
        }
        Ok(Listed {
            items,
            total: listed.total,
        })
    }

    async fn notification_delivery(
        &self,
        org: &OrgId,
        id: &NotificationId,
    ) -> StoreResult<Option<NotificationDelivery>> {
        select(&self.client().await?, org, id).await
    }
}
