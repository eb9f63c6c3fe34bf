//! Outgoing webhooks on PostgreSQL: endpoints, the fan-out of outbox events
//! into deliveries with their queue items, and attempts. As in the embedded
//! store, a delivery's next attempt is always one queue item, named in
//! `queue_item_id`, written in the same transaction as what scheduled it.
//!
//! Several replicas run the fan-out at once: each claims the events it fans
//! out with `FOR UPDATE SKIP LOCKED`, so an event goes to one replica and
//! every delivery is made once. Recording an attempt locks the endpoint's
//! row, then the delivery's (the order a deleted endpoint's cascade takes
//! them), and acts only if the delivery is still pending on that item.

use std::collections::HashMap;

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use grove_core::ids::{DeliveryId, EventId, OrgId, WebhookId};
use grove_core::page::Page;
use grove_core::webhooks::{self, Attempt, Delivery, DeliveryStatus, Webhook};
use jiff::Timestamp;
use serde_json::json;
use tokio_postgres::Row;

use super::queue::insert_item;
use super::{
    delete_in_org, filtered_page, list_in_org, mapped, mapped_opt, now_ms, pg_error, secrets, Arg,
    PgStore,
};
use crate::queue::NewItem;
use crate::rows::webhooks::{
    attempt_from_row, delivery_from_row, events_json, webhook_from_row, ATTEMPT_COLUMNS,
    DELIVERY_COLUMNS, QUEUE_GAVE_UP, WEBHOOK_COLUMNS,
};
use crate::rows::{BadRow, StoredRow};
use crate::webhooks::{AfterFailure, DeliveryWork, NewWebhook, WebhookPatch, DELIVERY_KIND};
use crate::{ts, Listed, StoreError, StoreResult, WebhookStore};

async fn select(
    client: &impl GenericClient,
    org: &OrgId,
    id: &WebhookId,
) -> StoreResult<Option<Webhook>> {
    let row = client
        .query_opt(
            &format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE org_id = $1 AND id = $2"),
            &[&org.as_str(), &id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    mapped_opt(row, webhook_from_row)
}

/// The organisation's enabled endpoints, for the fan-out, held (`FOR KEY
/// SHARE`) so none is deleted under the deliveries made for it.
async fn enabled_webhooks(client: &impl GenericClient, org: &str) -> StoreResult<Vec<Webhook>> {
    let rows = client
        .query(
            &format!(
                "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE org_id = $1 AND enabled
                 FOR KEY SHARE"
            ),
            &[&org],
        )
        .await
        .map_err(pg_error)?;
    mapped(rows, webhook_from_row)
}

/// Fills in the attempts of `deliveries`, in one statement.
async fn attach_attempts(
    client: &impl GenericClient,
    deliveries: &mut [Delivery],
) -> StoreResult<()> {
    if deliveries.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = deliveries.iter().map(|d| d.id.as_str()).collect();
    let rows = client
        .query(
            &format!(
                "SELECT {ATTEMPT_COLUMNS}, delivery_id FROM webhook_attempts
                 WHERE delivery_id = ANY($1) ORDER BY delivery_id, attempt"
            ),
            &[&ids],
        )
        .await
        .map_err(pg_error)?;
    let mut by_delivery: HashMap<String, Vec<Attempt>> = HashMap::new();
    for row in &rows {
        let delivery: String = row.col(5)?;
        by_delivery
            .entry(delivery)
            .or_default()
            .push(attempt_from_row(row)?);
    }
    for delivery in deliveries {
        delivery.attempts = by_delivery.remove(delivery.id.as_str()).unwrap_or_default();
    }
    Ok(())
}

/// A delivery with its attempts, if it matches `condition` (on `id` = $1
/// and the further `args`).
async fn select_delivery(
    client: &impl GenericClient,
    condition: &str,
    args: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> StoreResult<Option<Delivery>> {
    let row = client
        .query_opt(
            &format!("SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE {condition}"),
            args,
        )
        .await
        .map_err(pg_error)?;
    let Some(mut delivery) = mapped_opt(row, delivery_from_row)? else {
        return Ok(None);
    };
    attach_attempts(client, std::slice::from_mut(&mut delivery)).await?;
    Ok(Some(delivery))
}

async fn delivery_by_id(
    client: &impl GenericClient,
    id: &DeliveryId,
) -> StoreResult<Option<Delivery>> {
    select_delivery(client, "id = $1", &[&id.as_str()]).await
}

/// What a new delivery carries.
struct NewDelivery<'a> {
    org: &'a str,
    webhook: &'a str,
    event_id: &'a str,
    event: &'a str,
    payload: &'a str,
    resent_from: Option<&'a str>,
}

/// Inserts a pending delivery and the queue item of its first attempt.
async fn insert_delivery(
    client: &impl GenericClient,
    new: NewDelivery<'_>,
) -> StoreResult<DeliveryId> {
    let id = DeliveryId::generate();
    let item = schedule_attempt(client, new.org, &id, None).await?;
    client
        .execute(
            "INSERT INTO webhook_deliveries (id, org_id, webhook_id, event_id, event, payload,
                 status, next_attempt_at, queue_item_id, resent_from, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9, $7, $7)",
            &[
                &id.as_str(),
                &new.org,
                &new.webhook,
                &new.event_id,
                &new.event,
                &new.payload,
                &now_ms(),
                &item,
                &new.resent_from,
            ],
        )
        .await
        .map_err(pg_error)?;
    Ok(id)
}

/// Queues the attempt of delivery `id` due at `at` (now when `None`).
async fn schedule_attempt(
    client: &impl GenericClient,
    org: &str,
    id: &DeliveryId,
    at: Option<Timestamp>,
) -> StoreResult<String> {
    let mut item = NewItem::new(DELIVERY_KIND, json!({ "delivery_id": id }));
    item.org_id = OrgId::parse(org).ok();
    item.run_at = at;
    Ok(insert_item(client, &item).await?.as_str().to_owned())
}

/// An outbox event not fanned out yet.
struct OutboxEvent {
    seq: i64,
    id: String,
    org: String,
    event: String,
    data: serde_json::Value,
    created_at: i64,
}

fn outbox_event(row: &Row) -> Result<OutboxEvent, BadRow> {
    let data: String = row.col(4)?;
    Ok(OutboxEvent {
        seq: row.col(0)?,
        id: row.col(1)?,
        org: row.col(2)?,
        event: row.col(3)?,
        // As the embedded store: an unreadable event goes out with no data
        // rather than holding up every event after it.
        data: serde_json::from_str(&data).unwrap_or_default(),
        created_at: row.col(5)?,
    })
}

/// Makes the deliveries of one event, to the endpoints that want it.
async fn fan_out(
    client: &impl GenericClient,
    event: &OutboxEvent,
    endpoints: &[Webhook],
) -> StoreResult<()> {
    let event_id = EventId::parse(&event.id).map_err(|e| StoreError::Backend(e.to_string()))?;
    let at = ts(event.created_at);
    let body = webhooks::payload(&event_id, &event.event, at, &event.data).to_string();
    for webhook in endpoints.iter().filter(|w| w.wants(&event.event)) {
        let new = NewDelivery {
            org: &event.org,
            webhook: webhook.id.as_str(),
            event_id: &event.id,
            event: &event.event,
            payload: &body,
            resent_from: None,
        };
        insert_delivery(client, new).await?;
    }
    Ok(())
}

#[async_trait]
impl WebhookStore for PgStore {
    async fn create_webhook(
        &self,
        org: &OrgId,
        new: NewWebhook,
        secret: String,
    ) -> StoreResult<Webhook> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let secret = secrets::seal(&tx, &self.keyring, &secret).await?;
        let row = tx
            .query_one(
                &format!(
                    "INSERT INTO webhooks
                         (id, org_id, url, events, enabled, secret, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
                     RETURNING {WEBHOOK_COLUMNS}"
                ),
                &[
                    &WebhookId::generate().as_str(),
                    &org.as_str(),
                    &new.url,
                    &events_json(&new.events),
                    &new.enabled,
                    &secret,
                    &now_ms(),
                ],
            )
            .await
            .map_err(pg_error)?;
        let webhook = webhook_from_row(&row)?;
        tx.commit().await.map_err(pg_error)?;
        Ok(webhook)
    }

    async fn get_webhook(&self, org: &OrgId, id: &WebhookId) -> StoreResult<Option<Webhook>> {
        select(&self.client().await?, org, id).await
    }

    async fn list_webhooks(&self, org: &OrgId, page: Page) -> StoreResult<Listed<Webhook>> {
        let client = self.client().await?;
        list_in_org(&client, "webhooks", WEBHOOK_COLUMNS, org, None, page, |r| {
            webhook_from_row(r)
        })
        .await
    }

    async fn update_webhook(
        &self,
        org: &OrgId,
        id: &WebhookId,
        patch: WebhookPatch,
    ) -> StoreResult<Option<Webhook>> {
        // One statement: concurrent patches of different fields all land.
        // Enabling a disabled endpoint starts its health afresh.
        let row = self
            .client()
            .await?
            .query_opt(
                &format!(
                    "UPDATE webhooks SET url = COALESCE($3, url), events = COALESCE($4, events),
                         disabled_reason = CASE WHEN $5 THEN NULL ELSE disabled_reason END,
                         consecutive_failures = CASE WHEN $5 AND NOT enabled THEN 0
                                                     ELSE consecutive_failures END,
                         enabled = COALESCE($5, enabled), updated_at = $6
                     WHERE org_id = $1 AND id = $2
                     RETURNING {WEBHOOK_COLUMNS}"
                ),
                &[
                    &org.as_str(),
                    &id.as_str(),
                    &patch.url,
                    &patch.events.as_deref().map(events_json),
                    &patch.enabled,
                    &now_ms(),
                ],
            )
            .await
            .map_err(pg_error)?;
        mapped_opt(row, webhook_from_row)
    }

    async fn delete_webhook(&self, org: &OrgId, id: &WebhookId) -> StoreResult<bool> {
        delete_in_org(self, "webhooks", org, id.as_str()).await
    }

    async fn rotate_webhook_secret(
        &self,
        org: &OrgId,
        id: &WebhookId,
        secret: String,
        previous_until: Timestamp,
    ) -> StoreResult<Option<Webhook>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let secret = secrets::seal(&tx, &self.keyring, &secret).await?;
        let row = tx
            .query_opt(
                &format!(
                    "UPDATE webhooks SET previous_secret = secret, secret = $3,
                         previous_secret_expires_at = $4, updated_at = $5
                     WHERE org_id = $1 AND id = $2
                     RETURNING {WEBHOOK_COLUMNS}"
                ),
                &[
                    &org.as_str(),
                    &id.as_str(),
                    &secret,
                    &previous_until.as_millisecond(),
                    &now_ms(),
                ],
            )
            .await
            .map_err(pg_error)?;
        let webhook = mapped_opt(row, webhook_from_row)?;
        tx.commit().await.map_err(pg_error)?;
        Ok(webhook)
    }

    async fn dispatch_events(&self, limit: u32) -> StoreResult<u32> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        // Events another replica is fanning out are skipped, not waited for;
        // once it commits they are no longer undelivered.
        let rows = tx
            .query(
                "SELECT seq, id, org_id, event, data, created_at FROM outbox
                 WHERE delivered_at IS NULL ORDER BY seq LIMIT $1
                 FOR UPDATE SKIP LOCKED",
                &[&i64::from(limit)],
            )
            .await
            .map_err(pg_error)?;
        if rows.is_empty() {
            return Ok(0);
        }
        let events = mapped(rows, outbox_event)?;
        let mut endpoints: HashMap<&str, Vec<Webhook>> = HashMap::new();
        for event in &events {
            if !endpoints.contains_key(event.org.as_str()) {
                let found = enabled_webhooks(&tx, &event.org).await?;
                endpoints.insert(&event.org, found);
            }
            fan_out(&tx, event, &endpoints[event.org.as_str()]).await?;
        }
        let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
        tx.execute(
            "UPDATE outbox SET delivered_at = $2 WHERE seq = ANY($1)",
            &[&seqs, &now_ms()],
        )
        .await
        .map_err(pg_error)?;
        tx.commit().await.map_err(pg_error)?;
        Ok(u32::try_from(events.len()).unwrap_or(u32::MAX))
    }

    async fn queue_test_delivery(
        &self,
        org: &OrgId,
        id: &WebhookId,
        event: &str,
        data: serde_json::Value,
    ) -> StoreResult<Option<Delivery>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        if !hold_webhook(&tx, org, id).await? {
            return Ok(None);
        }
        let event_id = EventId::generate();
        let body = webhooks::payload(&event_id, event, Timestamp::now(), &data).to_string();
        let new = NewDelivery {
            org: org.as_str(),
            webhook: id.as_str(),
            event_id: event_id.as_str(),
            event,
            payload: &body,
            resent_from: None,
        };
        let delivery = insert_delivery(&tx, new).await?;
        let created = delivery_by_id(&tx, &delivery).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(created)
    }

    async fn resend_delivery(
        &self,
        org: &OrgId,
        webhook: &WebhookId,
        delivery: &DeliveryId,
    ) -> StoreResult<Option<Delivery>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        if !hold_webhook(&tx, org, webhook).await? {
            return Ok(None);
        }
        let original = tx
            .query_opt(
                "SELECT event_id, event, payload FROM webhook_deliveries
                 WHERE id = $1 AND webhook_id = $2 AND org_id = $3",
                &[&delivery.as_str(), &webhook.as_str(), &org.as_str()],
            )
            .await
            .map_err(pg_error)?;
        let Some(original) = original else {
            return Ok(None);
        };
        let (event_id, event, payload): (String, String, String) =
            (original.col(0)?, original.col(1)?, original.col(2)?);
        let new = NewDelivery {
            org: org.as_str(),
            webhook: webhook.as_str(),
            event_id: &event_id,
            event: &event,
            payload: &payload,
            resent_from: Some(delivery.as_str()),
        };
        let id = insert_delivery(&tx, new).await?;
        let created = delivery_by_id(&tx, &id).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(created)
    }

    async fn delivery_work(&self, id: &DeliveryId) -> StoreResult<Option<DeliveryWork>> {
        let client = self.client().await?;
        let Some(delivery) = delivery_by_id(&client, id).await? else {
            return Ok(None);
        };
        let row = client
            .query_opt(
                "SELECT d.org_id, d.queue_item_id, w.secret, w.previous_secret,
                        w.previous_secret_expires_at
                 FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                 WHERE d.id = $1",
                &[&id.as_str()],
            )
            .await
            .map_err(pg_error)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let org = row.parsed(0, |s| OrgId::parse(s).ok())?;
        let Some(webhook) = select(&client, &org, &delivery.webhook_id).await? else {
            return Ok(None);
        };
        let mut secrets = vec![row.col::<String>(2)?];
        let previous: Option<String> = row.col(3)?;
        let until: Option<i64> = row.col(4)?;
        if let (Some(previous), Some(until)) = (previous, until) {
            if until > now_ms() {
                secrets.push(previous);
            }
        }
        Ok(Some(DeliveryWork {
            delivery,
            webhook,
            queue_item_id: row.col(1)?,
            secrets,
        }))
    }

    async fn record_attempt(
        &self,
        id: &DeliveryId,
        item: &str,
        attempt: Attempt,
        after: AfterFailure,
    ) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let Some(current) = current_delivery(&tx, id, item, true).await? else {
            return Ok(false);
        };
        insert_attempt(&tx, id, &attempt).await?;
        let at = attempt.at.as_millisecond();
        // A test event says nothing about the endpoint's health.
        if current.event != webhooks::TEST_EVENT {
            record_health(&tx, &current.webhook, at, attempt.error.as_deref()).await?;
        }
        if attempt.error.is_none() {
            settle(&tx, id, DeliveryStatus::Succeeded, None, None, None).await?;
            tx.commit().await.map_err(pg_error)?;
            return Ok(true);
        }
        match after {
            AfterFailure::RetryAt(next) => {
                let item = schedule_attempt(&tx, &current.org, id, Some(next)).await?;
                let status = DeliveryStatus::Pending;
                settle(&tx, id, status, Some(next), Some(&item), None).await?;
            }
            AfterFailure::Stop => {
                settle(&tx, id, DeliveryStatus::Failed, None, None, None).await?;
            }
            AfterFailure::GiveUp { disable_reason } => {
                settle(&tx, id, DeliveryStatus::Failed, None, None, None).await?;
                disable_unless_succeeded(&tx, &current, &disable_reason).await?;
            }
        }
        tx.commit().await.map_err(pg_error)?;
        Ok(true)
    }

    async fn defer_delivery(
        &self,
        id: &DeliveryId,
        item: &str,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let Some(current) = current_delivery(&tx, id, item, false).await? else {
            return Ok(false);
        };
        let item = schedule_attempt(&tx, &current.org, id, Some(at)).await?;
        let status = DeliveryStatus::Pending;
        settle(&tx, id, status, Some(at), Some(&item), None).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(true)
    }

    async fn abandon_delivery(&self, id: &DeliveryId, reason: &str) -> StoreResult<()> {
        let client = self.client().await?;
        settle(
            &client,
            id,
            DeliveryStatus::Failed,
            None,
            None,
            Some(reason),
        )
        .await
    }

    async fn get_delivery(
        &self,
        org: &OrgId,
        webhook: &WebhookId,
        id: &DeliveryId,
    ) -> StoreResult<Option<Delivery>> {
        let client = self.client().await?;
        let condition = "id = $1 AND webhook_id = $2 AND org_id = $3";
        let args: [&(dyn tokio_postgres::types::ToSql + Sync); 3] =
            [&id.as_str(), &webhook.as_str(), &org.as_str()];
        select_delivery(&client, condition, &args).await
    }

    async fn purge_webhook_history(&self, cutoff: Timestamp) -> StoreResult<u64> {
        let cutoff = cutoff.as_millisecond();
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        // A delivery whose queue item the queue gave up on (its handler
        // kept failing on the store) would otherwise stay pending.
        tx.execute(
            "UPDATE webhook_deliveries d
             SET status = 'failed', next_attempt_at = NULL, updated_at = $1,
                 error = $2::TEXT || COALESCE(q.last_error, 'no error recorded'),
                 queue_item_id = NULL
             FROM queue_items q
             WHERE q.id = d.queue_item_id AND q.status = 'dead' AND d.status = 'pending'",
            &[&now_ms(), &QUEUE_GAVE_UP],
        )
        .await
        .map_err(pg_error)?;
        let deliveries = tx
            .execute(
                "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND updated_at < $1",
                &[&cutoff],
            )
            .await
            .map_err(pg_error)?;
        let events = tx
            .execute(
                "DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < $1",
                &[&cutoff],
            )
            .await
            .map_err(pg_error)?;
        tx.commit().await.map_err(pg_error)?;
        Ok(deliveries + events)
    }

    async fn list_deliveries(
        &self,
        org: &OrgId,
        webhook: &WebhookId,
        page: Page,
    ) -> StoreResult<Listed<Delivery>> {
        let client = self.client().await?;
        let args: Vec<Arg> = vec![
            Box::new(org.as_str().to_owned()),
            Box::new(webhook.as_str().to_owned()),
        ];
        // No rowid here: deliveries made in the same millisecond are ordered
        // by id (stable across pages) rather than by insertion.
        let mut listed = filtered_page(
            &client,
            "webhook_deliveries",
            DELIVERY_COLUMNS,
            "org_id = $1 AND webhook_id = $2",
            args,
            "created_at DESC, id DESC",
            page,
            delivery_from_row,
        )
        .await?;
        attach_attempts(&client, &mut listed.items).await?;
        Ok(listed)
    }
}

/// Holds endpoint `id` of `org` (`FOR KEY SHARE`) so it is not deleted
/// under a delivery being made for it; false if absent.
async fn hold_webhook(
    client: &impl GenericClient,
    org: &OrgId,
    id: &WebhookId,
) -> StoreResult<bool> {
    let row = client
        .query_opt(
            "SELECT 1 FROM webhooks WHERE org_id = $1 AND id = $2 FOR KEY SHARE",
            &[&org.as_str(), &id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    Ok(row.is_some())
}

/// A pending delivery whose next attempt is queue item `item`.
struct Current {
    org: String,
    webhook: String,
    event: String,
    created_at: i64,
}

/// The delivery, locked, if it is pending and `item` is the one due to
/// attempt it; `None` for a settled delivery or a stale item. With
/// `endpoint`, the endpoint's row is locked first (the attempt updates its
/// health), in the order deleting the endpoint takes the two.
async fn current_delivery(
    client: &impl GenericClient,
    id: &DeliveryId,
    item: &str,
    endpoint: bool,
) -> StoreResult<Option<Current>> {
    if endpoint {
        client
            .execute(
                "SELECT 1 FROM webhooks
                 WHERE id = (SELECT webhook_id FROM webhook_deliveries WHERE id = $1)
                 FOR NO KEY UPDATE",
                &[&id.as_str()],
            )
            .await
            .map_err(pg_error)?;
    }
    let row = client
        .query_opt(
            "SELECT org_id, webhook_id, event, created_at FROM webhook_deliveries
             WHERE id = $1 AND status = 'pending' AND queue_item_id = $2
             FOR UPDATE",
            &[&id.as_str(), &item],
        )
        .await
        .map_err(pg_error)?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(Current {
        org: row.col(0)?,
        webhook: row.col(1)?,
        event: row.col(2)?,
        created_at: row.col(3)?,
    }))
}

async fn insert_attempt(
    client: &impl GenericClient,
    id: &DeliveryId,
    attempt: &Attempt,
) -> StoreResult<()> {
    client
        .execute(
            "INSERT INTO webhook_attempts
                 (delivery_id, attempt, at, status_code, latency_ms, error)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &id.as_str(),
                &i64::from(attempt.attempt),
                &attempt.at.as_millisecond(),
                &attempt.status_code.map(i64::from),
                &i64::try_from(attempt.latency_ms).unwrap_or(i64::MAX),
                &attempt.error,
            ],
        )
        .await
        .map(|_| ())
        .map_err(pg_error)
}

/// Counts an attempt towards the endpoint's health: a success clears its
/// failures, a failure adds one with its error.
async fn record_health(
    client: &impl GenericClient,
    webhook: &str,
    at: i64,
    error: Option<&str>,
) -> StoreResult<()> {
    let changed = match error {
        None => {
            client
                .execute(
                    "UPDATE webhooks SET consecutive_failures = 0, last_error = NULL,
                         last_success_at = $2 WHERE id = $1",
                    &[&webhook, &at],
                )
                .await
        }
        Some(error) => {
            client
                .execute(
                    "UPDATE webhooks SET consecutive_failures = consecutive_failures + 1,
                         last_error = $3, last_failure_at = $2 WHERE id = $1",
                    &[&webhook, &at, &error],
                )
                .await
        }
    };
    changed.map(|_| ()).map_err(pg_error)
}

/// Disables the endpoint of a delivery that gave up, unless it has had a
/// success since the delivery began: then one refused event is not the
/// endpoint failing as a whole.
async fn disable_unless_succeeded(
    client: &impl GenericClient,
    current: &Current,
    reason: &str,
) -> StoreResult<()> {
    client
        .execute(
            "UPDATE webhooks SET enabled = FALSE, disabled_reason = $2, updated_at = $3
             WHERE id = $1 AND (last_success_at IS NULL OR last_success_at < $4)",
            &[&current.webhook, &reason, &now_ms(), &current.created_at],
        )
        .await
        .map(|_| ())
        .map_err(pg_error)
}

/// Moves a pending delivery to `status`, with its next attempt (if any).
async fn settle(
    client: &impl GenericClient,
    id: &DeliveryId,
    status: DeliveryStatus,
    next: Option<Timestamp>,
    item: Option<&str>,
    error: Option<&str>,
) -> StoreResult<()> {
    client
        .execute(
            "UPDATE webhook_deliveries SET status = $2, next_attempt_at = $3, queue_item_id = $4,
                 error = COALESCE($5, error),
                 attempts = (SELECT COUNT(*) FROM webhook_attempts WHERE delivery_id = $1),
                 updated_at = $6
             WHERE id = $1 AND status = 'pending'",
            &[
                &id.as_str(),
                &status.as_str(),
                &next.map(|t| t.as_millisecond()),
                &item,
                &error,
                &now_ms(),
            ],
        )
        .await
        .map(|_| ())
        .map_err(pg_error)
}
