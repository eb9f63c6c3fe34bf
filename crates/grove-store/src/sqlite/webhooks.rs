//! Outgoing webhooks in SQLite: endpoints, the fan-out of outbox events into
//! deliveries with their queue items, and attempts. A delivery's next attempt
//! is always one queue item, named in `queue_item_id`, written in the same
//! transaction as the attempt that scheduled it.

use std::collections::HashMap;

use async_trait::async_trait;
use grove_core::ids::{DeliveryId, EventId, OrgId, WebhookId};
use grove_core::page::Page;
use grove_core::webhooks::{self, Attempt, Delivery, DeliveryStatus, Webhook};
use jiff::Timestamp;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde_json::json;

use super::queue::insert_item;
use super::{backend, delete_in_org, filtered_page, list_in_org, now_ms, secrets, ts, SqliteStore};
use crate::queue::NewItem;
use crate::rows::webhooks::{
    attempt_from_row, delivery_from_row, events_json, webhook_from_row, ATTEMPT_COLUMNS,
    DELIVERY_COLUMNS, QUEUE_GAVE_UP, WEBHOOK_COLUMNS,
};
use crate::webhooks::{AfterFailure, DeliveryWork, NewWebhook, WebhookPatch, DELIVERY_KIND};
use crate::{Listed, StoreResult, WebhookStore};

fn select(conn: &Connection, org: &OrgId, id: &WebhookId) -> StoreResult<Option<Webhook>> {
    conn.query_row(
        &format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE org_id = ?1 AND id = ?2"),
        params![org.as_str(), id.as_str()],
        |r| Ok(webhook_from_row(r)?),
    )
    .optional()
    .map_err(backend)
}

fn attempts_of(conn: &Connection, id: &DeliveryId) -> StoreResult<Vec<Attempt>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {ATTEMPT_COLUMNS} FROM webhook_attempts WHERE delivery_id = ?1 ORDER BY attempt"
        ))
        .map_err(backend)?;
    let rows = stmt
        .query_map([id.as_str()], |r| Ok(attempt_from_row(r)?))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(backend);
    rows
}

fn select_delivery(conn: &Connection, id: &DeliveryId) -> StoreResult<Option<Delivery>> {
    let delivery = conn
        .query_row(
            &format!("SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?1"),
            [id.as_str()],
            |r| Ok(delivery_from_row(r)?),
        )
        .optional()
        .map_err(backend)?;
    match delivery {
        Some(mut d) => {
            d.attempts = attempts_of(conn, &d.id)?;
            Ok(Some(d))
        }
        None => Ok(None),
    }
}

/// Inserts a pending delivery and the queue item of its first attempt.
fn insert_delivery(
    tx: &Transaction,
    org: &str,
    webhook: &str,
    event_id: &str,
    event: &str,
    payload: &str,
    resent_from: Option<&str>,
) -> StoreResult<DeliveryId> {
    let id = DeliveryId::generate();
    let now = now_ms();
    let item = schedule_attempt(tx, org, &id, None)?;
    tx.execute(
        "INSERT INTO webhook_deliveries (id, org_id, webhook_id, event_id, event, payload, status,
             next_attempt_at, queue_item_id, resent_from, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8, ?9, ?7, ?7)",
        params![
            id.as_str(),
            org,
            webhook,
            event_id,
            event,
            payload,
            now,
            item,
            resent_from
        ],
    )
    .map_err(backend)?;
    Ok(id)
}

/// Queues the attempt of delivery `id` due at `at` (now when `None`).
fn schedule_attempt(
    tx: &Transaction,
    org: &str,
    id: &DeliveryId,
    at: Option<Timestamp>,
) -> StoreResult<String> {
    let mut item = NewItem::new(DELIVERY_KIND, json!({ "delivery_id": id }));
    item.org_id = OrgId::parse(org).ok();
    item.run_at = at;
    insert_item(tx, &item)
        .map(|id| id.as_str().to_owned())
        .map_err(backend)
}

/// The organisation's enabled endpoints, for the fan-out.
fn enabled_webhooks(conn: &Connection, org: &str) -> StoreResult<Vec<Webhook>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE org_id = ?1 AND enabled = 1"
        ))
        .map_err(backend)?;
    let rows = stmt
        .query_map([org], |r| Ok(webhook_from_row(r)?))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(backend);
    rows
}

fn immediate(conn: &mut Connection) -> StoreResult<Transaction<'_>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(backend)
}

#[async_trait]
impl WebhookStore for SqliteStore {
    async fn create_webhook(
        &self,
        org: &OrgId,
        new: NewWebhook,
        secret: String,
    ) -> StoreResult<Webhook> {
        let (org, ring) = (org.clone(), self.keyring.clone());
        self.write(move |conn| {
            let id = WebhookId::generate();
            let secret = secrets::seal(conn, &ring, &secret)?;
            conn.execute(
                "INSERT INTO webhooks (id, org_id, url, events, enabled, secret, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                params![
                    id.as_str(),
                    org.as_str(),
                    new.url,
                    events_json(&new.events),
                    new.enabled,
                    secret,
                    now_ms()
                ],
            )
            .map_err(backend)?;
            select(conn, &org, &id)?.ok_or_else(|| backend("webhook vanished after insert"))
        })
        .await
    }

    async fn get_webhook(&self, org: &OrgId, id: &WebhookId) -> StoreResult<Option<Webhook>> {
        self.read(|conn| select(conn, org, id))
    }

    async fn list_webhooks(&self, org: &OrgId, page: Page) -> StoreResult<Listed<Webhook>> {
        self.read(|conn| {
            list_in_org(conn, "webhooks", WEBHOOK_COLUMNS, org, None, page, |r| {
                webhook_from_row(r)
            })
        })
    }

    async fn update_webhook(
        &self,
        org: &OrgId,
        id: &WebhookId,
        patch: WebhookPatch,
    ) -> StoreResult<Option<Webhook>> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            // Enabling a disabled endpoint starts its health afresh.
            let changed = conn
                .execute(
                    "UPDATE webhooks SET url = COALESCE(?3, url), events = COALESCE(?4, events),
                         disabled_reason = CASE WHEN ?5 THEN NULL ELSE disabled_reason END,
                         consecutive_failures = CASE WHEN ?5 AND enabled = 0 THEN 0
                                                     ELSE consecutive_failures END,
                         enabled = COALESCE(?5, enabled), updated_at = ?6
                     WHERE org_id = ?1 AND id = ?2",
                    params![
                        org.as_str(),
                        id.as_str(),
                        patch.url,
                        patch.events.as_deref().map(events_json),
                        patch.enabled,
                        now_ms()
                    ],
                )
                .map_err(backend)?;
            if changed == 0 {
                return Ok(None);
            }
            select(conn, &org, &id)
        })
        .await
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
        let (org, id, ring) = (org.clone(), id.clone(), self.keyring.clone());
        self.write(move |conn| {
            let secret = secrets::seal(conn, &ring, &secret)?;
            let changed = conn
                .execute(
                    "UPDATE webhooks SET previous_secret = secret, secret = ?3,
                         previous_secret_expires_at = ?4, updated_at = ?5
                     WHERE org_id = ?1 AND id = ?2",
                    params![
                        org.as_str(),
                        id.as_str(),
                        secret,
                        previous_until.as_millisecond(),
                        now_ms()
                    ],
                )
                .map_err(backend)?;
            if changed == 0 {
                return Ok(None);
            }
            select(conn, &org, &id)
        })
        .await
    }

    async fn dispatch_events(&self, limit: u32) -> StoreResult<u32> {
        // A read first: an idle poll takes no write lock.
        let waiting = self.read(|conn| {
            conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM outbox WHERE delivered_at IS NULL)",
                [],
                |r| r.get::<_, bool>(0),
            )
            .map_err(backend)
        })?;
        if !waiting {
            return Ok(0);
        }
        self.write(move |conn| {
            let tx = immediate(conn)?;
            let events: Vec<(i64, String, String, String, String, i64)> = {
                let mut stmt = tx
                    .prepare_cached(
                        "SELECT seq, id, org_id, event, data, created_at FROM outbox
                         WHERE delivered_at IS NULL ORDER BY seq LIMIT ?1",
                    )
                    .map_err(backend)?;
                let rows = stmt
                    .query_map([limit], |r| {
                        Ok((
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                        ))
                    })
                    .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                    .map_err(backend)?;
                rows
            };
            let mut endpoints: HashMap<String, Vec<Webhook>> = HashMap::new();
            let now = now_ms();
            for (seq, id, org, event, data, created_at) in &events {
                if !endpoints.contains_key(org) {
                    endpoints.insert(org.clone(), enabled_webhooks(&tx, org)?);
                }
                let wanting = endpoints[org].iter().filter(|w| w.wants(event));
                let data = serde_json::from_str(data).unwrap_or_default();
                let event_id = EventId::parse(id).map_err(backend)?;
                let body = webhooks::payload(&event_id, event, ts(*created_at), &data).to_string();
                for webhook in wanting {
                    insert_delivery(&tx, org, webhook.id.as_str(), id, event, &body, None)?;
                }
                tx.execute(
                    "UPDATE outbox SET delivered_at = ?2 WHERE seq = ?1",
                    params![seq, now],
                )
                .map_err(backend)?;
            }
            tx.commit().map_err(backend)?;
            Ok(events.len() as u32)
        })
        .await
    }

    async fn queue_test_delivery(
        &self,
        org: &OrgId,
        id: &WebhookId,
        event: &str,
        data: serde_json::Value,
    ) -> StoreResult<Option<Delivery>> {
        let (org, id, event) = (org.clone(), id.clone(), event.to_owned());
        self.write(move |conn| {
            let tx = immediate(conn)?;
            if select(&tx, &org, &id)?.is_none() {
                return Ok(None);
            }
            let event_id = EventId::generate();
            let body = webhooks::payload(&event_id, &event, Timestamp::now(), &data).to_string();
            let delivery = insert_delivery(
                &tx,
                org.as_str(),
                id.as_str(),
                event_id.as_str(),
                &event,
                &body,
                None,
            )?;
            let created = select_delivery(&tx, &delivery)?;
            tx.commit().map_err(backend)?;
            Ok(created)
        })
        .await
    }

    async fn resend_delivery(
        &self,
        org: &OrgId,
        webhook: &WebhookId,
        delivery: &DeliveryId,
    ) -> StoreResult<Option<Delivery>> {
        let (org, webhook, delivery) = (org.clone(), webhook.clone(), delivery.clone());
        self.write(move |conn| {
            let tx = immediate(conn)?;
            let original: Option<(String, String, String)> = tx
                .query_row(
                    "SELECT event_id, event, payload FROM webhook_deliveries
                     WHERE id = ?1 AND webhook_id = ?2 AND org_id = ?3",
                    params![delivery.as_str(), webhook.as_str(), org.as_str()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()
                .map_err(backend)?;
            let Some((event_id, event, payload)) = original else {
                return Ok(None);
            };
            let id = insert_delivery(
                &tx,
                org.as_str(),
                webhook.as_str(),
                &event_id,
                &event,
                &payload,
                Some(delivery.as_str()),
            )?;
            let created = select_delivery(&tx, &id)?;
            tx.commit().map_err(backend)?;
            Ok(created)
        })
        .await
    }

    async fn delivery_work(&self, id: &DeliveryId) -> StoreResult<Option<DeliveryWork>> {
        self.read(|conn| {
            let Some(delivery) = select_delivery(conn, id)? else {
                return Ok(None);
            };
            let row: Option<(String, Option<String>, String, Option<String>, Option<i64>)> = conn
                .query_row(
                    "SELECT d.org_id, d.queue_item_id, w.secret, w.previous_secret,
                            w.previous_secret_expires_at
                     FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                     WHERE d.id = ?1",
                    [id.as_str()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()
                .map_err(backend)?;
            let Some((org, queue_item_id, secret, previous, previous_until)) = row else {
                return Ok(None);
            };
            let org = OrgId::parse(&org).map_err(backend)?;
            let Some(webhook) = select(conn, &org, &delivery.webhook_id)? else {
                return Ok(None);
            };
            let mut secrets = vec![secret];
            if let (Some(previous), Some(until)) = (previous, previous_until) {
                if until > now_ms() {
                    secrets.push(previous);
                }
            }
            Ok(Some(DeliveryWork {
                delivery,
                webhook,
                queue_item_id,
                secrets,
            }))
        })
    }

    async fn record_attempt(
        &self,
        id: &DeliveryId,
        item: &str,
        attempt: Attempt,
        after: AfterFailure,
    ) -> StoreResult<bool> {
        let (id, item) = (id.clone(), item.to_owned());
        self.write(move |conn| {
            let tx = immediate(conn)?;
            let Some(current) = current_delivery(&tx, &id, &item)? else {
                return Ok(false);
            };
            let at = attempt.at.as_millisecond();
            tx.execute(
                "INSERT INTO webhook_attempts
                     (delivery_id, attempt, at, status_code, latency_ms, error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    id.as_str(),
                    attempt.attempt,
                    at,
                    attempt.status_code,
                    attempt.latency_ms.min(i64::MAX as u64) as i64,
                    attempt.error
                ],
            )
            .map_err(backend)?;
            // A test event says nothing about the endpoint's health.
            if current.event != webhooks::TEST_EVENT {
                record_health(&tx, &current.webhook, at, attempt.error.as_deref())?;
            }
            if attempt.error.is_none() {
                settle(&tx, &id, DeliveryStatus::Succeeded, None, None, None)?;
                tx.commit().map_err(backend)?;
                return Ok(true);
            }
            match after {
                AfterFailure::RetryAt(next) => {
                    let item = schedule_attempt(&tx, &current.org, &id, Some(next))?;
                    settle(
                        &tx,
                        &id,
                        DeliveryStatus::Pending,
                        Some(next),
                        Some(&item),
                        None,
                    )?;
                }
                AfterFailure::Stop => {
                    settle(&tx, &id, DeliveryStatus::Failed, None, None, None)?;
                }
                AfterFailure::GiveUp { disable_reason } => {
                    settle(&tx, &id, DeliveryStatus::Failed, None, None, None)?;
                    // Only an endpoint with no success since this delivery
                    // began is failing as a whole; one refused event is not.
                    tx.execute(
                        "UPDATE webhooks SET enabled = 0, disabled_reason = ?2, updated_at = ?3
                         WHERE id = ?1
                           AND (last_success_at IS NULL OR last_success_at < ?4)",
                        params![
                            current.webhook,
                            disable_reason,
                            now_ms(),
                            current.created_at
                        ],
                    )
                    .map_err(backend)?;
                }
            }
            tx.commit().map_err(backend)?;
            Ok(true)
        })
        .await
    }

    async fn defer_delivery(
        &self,
        id: &DeliveryId,
        item: &str,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let (id, item) = (id.clone(), item.to_owned());
        self.write(move |conn| {
            let tx = immediate(conn)?;
            let Some(current) = current_delivery(&tx, &id, &item)? else {
                return Ok(false);
            };
            let item = schedule_attempt(&tx, &current.org, &id, Some(at))?;
            settle(
                &tx,
                &id,
                DeliveryStatus::Pending,
                Some(at),
                Some(&item),
                None,
            )?;
            tx.commit().map_err(backend)?;
            Ok(true)
        })
        .await
    }

    async fn abandon_delivery(&self, id: &DeliveryId, reason: &str) -> StoreResult<()> {
        let (id, reason) = (id.clone(), reason.to_owned());
        self.write(move |conn| {
            let tx = immediate(conn)?;
            settle(&tx, &id, DeliveryStatus::Failed, None, None, Some(&reason))?;
            tx.commit().map_err(backend)
        })
        .await
    }

    async fn get_delivery(
        &self,
        org: &OrgId,
        webhook: &WebhookId,
        id: &DeliveryId,
    ) -> StoreResult<Option<Delivery>> {
        self.read(|conn| {
            let delivery = select_delivery(conn, id)?;
            let owned: bool = conn
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM webhook_deliveries
                     WHERE id = ?1 AND webhook_id = ?2 AND org_id = ?3)",
                    params![id.as_str(), webhook.as_str(), org.as_str()],
                    |r| r.get(0),
                )
                .map_err(backend)?;
            Ok(delivery.filter(|_| owned))
        })
    }

    async fn purge_webhook_history(&self, cutoff: Timestamp) -> StoreResult<u64> {
        let cutoff = cutoff.as_millisecond();
        self.write(move |conn| {
            let tx = immediate(conn)?;
            // A delivery whose queue item the queue gave up on (its handler
            // kept failing on the store) would otherwise stay pending.
            tx.execute(
                "UPDATE webhook_deliveries
                 SET status = 'failed', next_attempt_at = NULL, updated_at = ?1,
                     error = ?2 || COALESCE(
                         (SELECT last_error FROM queue_items q
                          WHERE q.id = webhook_deliveries.queue_item_id), 'no error recorded'),
                     queue_item_id = NULL
                 WHERE status = 'pending' AND queue_item_id IN
                     (SELECT id FROM queue_items WHERE status = 'dead')",
                params![now_ms(), QUEUE_GAVE_UP],
            )
            .map_err(backend)?;
            let deliveries = tx
                .execute(
                    "DELETE FROM webhook_deliveries WHERE status != 'pending' AND updated_at < ?1",
                    [cutoff],
                )
                .map_err(backend)?;
            let events = tx
                .execute(
                    "DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?1",
                    [cutoff],
                )
                .map_err(backend)?;
            tx.commit().map_err(backend)?;
            Ok((deliveries + events) as u64)
        })
        .await
    }

    async fn list_deliveries(
        &self,
        org: &OrgId,
        webhook: &WebhookId,
        page: Page,
    ) -> StoreResult<Listed<Delivery>> {
        self.read(|conn| {
            let args = vec![
                SqlValue::Text(org.as_str().to_owned()),
                SqlValue::Text(webhook.as_str().to_owned()),
            ];
            let mut listed = filtered_page(
                conn,
                "webhook_deliveries",
                DELIVERY_COLUMNS,
                "org_id = ?1 AND webhook_id = ?2",
                args,
                "created_at DESC, rowid DESC",
                page,
                |r| Ok(delivery_from_row(r)?),
            )?;
            for delivery in &mut listed.items {
                delivery.attempts = attempts_of(conn, &delivery.id)?;
            }
            Ok(listed)
        })
    }
}

/// A pending delivery whose next attempt is queue item `item`.
struct Current {
    org: String,
    webhook: String,
    event: String,
    created_at: i64,
}

/// The delivery if it is pending and `item` is the one due to attempt it;
/// `None` for a settled delivery or a stale item.
fn current_delivery(tx: &Transaction, id: &DeliveryId, item: &str) -> StoreResult<Option<Current>> {
    tx.query_row(
        "SELECT org_id, webhook_id, event, created_at FROM webhook_deliveries
         WHERE id = ?1 AND status = 'pending' AND queue_item_id = ?2",
        params![id.as_str(), item],
        |r| {
            Ok(Current {
                org: r.get(0)?,
                webhook: r.get(1)?,
                event: r.get(2)?,
                created_at: r.get(3)?,
            })
        },
    )
    .optional()
    .map_err(backend)
}

/// Counts an attempt towards the endpoint's health: a success clears its
/// failures, a failure adds one with its error.
fn record_health(tx: &Transaction, webhook: &str, at: i64, error: Option<&str>) -> StoreResult<()> {
    let changed = match error {
        None => tx.execute(
            "UPDATE webhooks SET consecutive_failures = 0, last_error = NULL,
                 last_success_at = ?2 WHERE id = ?1",
            params![webhook, at],
        ),
        Some(error) => tx.execute(
            "UPDATE webhooks SET consecutive_failures = consecutive_failures + 1,
                 last_error = ?3, last_failure_at = ?2 WHERE id = ?1",
            params![webhook, at, error],
        ),
    };
    changed.map(|_| ()).map_err(backend)
}

/// Moves a pending delivery to `status`, with its next attempt (if any).
fn settle(
    tx: &Transaction,
    id: &DeliveryId,
    status: DeliveryStatus,
    next: Option<Timestamp>,
    item: Option<&str>,
    error: Option<&str>,
) -> StoreResult<()> {
    tx.execute(
        "UPDATE webhook_deliveries SET status = ?2, next_attempt_at = ?3, queue_item_id = ?4,
             error = COALESCE(?5, error),
             attempts = (SELECT COUNT(*) FROM webhook_attempts WHERE delivery_id = ?1),
             updated_at = ?6
         WHERE id = ?1 AND status = 'pending'",
        params![
            id.as_str(),
            status.as_str(),
            next.map(|t| t.as_millisecond()),
            item,
            error,
            now_ms()
        ],
    )
    .map(|_| ())
    .map_err(backend)
}
