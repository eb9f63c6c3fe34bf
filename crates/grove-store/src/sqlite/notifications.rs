//! Notification deliveries and their attempts in SQLite. While a delivery
//! is pending, its next attempt is its queue item's `run_at`.

use async_trait::async_trait;
use grove_core::ids::{ChannelId, NotificationId, OrgId, RunId};
use grove_core::jobs::{NotificationAttempt, NotificationDelivery};
use grove_core::page::Page;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::json;

use super::queue::insert_item;
use super::{backend, filtered_page, now_ms, SqliteStore};
use crate::notifications::{AttemptOutcome, NotificationStore, TEST_NOTIFICATION};
use crate::queue::NewItem;
use crate::rows::notifications::{
    attempt_effect, attempt_from_row, delivery_from_row, ATTEMPT_COLUMNS, DELIVERY_COLUMNS,
};
use crate::{Listed, StoreResult, NOTIFY_KIND};

/// The time of a delivery's next attempt: its queue item's, while queued.
const NEXT_ATTEMPT: &str =
    "(SELECT q.run_at FROM queue_items q WHERE q.id = d.queue_item_id AND q.status = 'queued')";
const FROM: &str = "notification_deliveries d";

fn attempts(conn: &Connection, id: &NotificationId) -> StoreResult<Vec<NotificationAttempt>> {
    conn.prepare_cached(&format!(
        "SELECT {ATTEMPT_COLUMNS} FROM notification_attempts
         WHERE delivery_id = ?1 ORDER BY attempt"
    ))
    .and_then(|mut stmt| {
        stmt.query_map([id.as_str()], |r| Ok(attempt_from_row(r)?))?
            .collect::<rusqlite::Result<Vec<_>>>()
    })
    .map_err(backend)
}

fn with_attempts(
    conn: &Connection,
    mut d: NotificationDelivery,
) -> StoreResult<NotificationDelivery> {
    d.attempts = attempts(conn, &d.id)?;
    Ok(d)
}

fn select(
    conn: &Connection,
    org: &OrgId,
    id: &NotificationId,
) -> StoreResult<Option<NotificationDelivery>> {
    let found = conn
        .query_row(
            &format!(
                "SELECT {DELIVERY_COLUMNS}, {NEXT_ATTEMPT} FROM {FROM}
                 WHERE d.org_id = ?1 AND d.id = ?2"
            ),
            params![org.as_str(), id.as_str()],
            |r| Ok(delivery_from_row(r)?),
        )
        .optional()
        .map_err(backend)?;
    found.map(|d| with_attempts(conn, d)).transpose()
}

/// Queues a notification to `channel`: its delivery row and its
/// `job.notify` item (whose payload names the delivery), in `conn`'s
/// transaction.
pub(super) fn queue_notification(
    conn: &Connection,
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
    let item_id = insert_item(conn, &item).map_err(backend)?;
    let now = now_ms();
    conn.execute(
        "INSERT INTO notification_deliveries (id, org_id, channel_id, run_id, event, status,
                                              queue_item_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7, ?7)",
        params![
            id.as_str(),
            org.as_str(),
            channel,
            run.map(RunId::as_str),
            event,
            item_id.as_str(),
            now
        ],
    )
    .map_err(backend)?;
    Ok(id)
}

#[async_trait]
impl NotificationStore for SqliteStore {
    async fn queue_test_notification(
        &self,
        org: &OrgId,
        channel: &ChannelId,
    ) -> StoreResult<Option<NotificationDelivery>> {
        let (org, channel) = (org.clone(), channel.clone());
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let exists = tx
                .query_row(
                    "SELECT 1 FROM notification_channels WHERE org_id = ?1 AND id = ?2",
                    params![org.as_str(), channel.as_str()],
                    |_| Ok(()),
                )
                .optional()
                .map_err(backend)?;
            if exists.is_none() {
                return Ok(None);
            }
            let payload = json!({"test": true});
            let id = queue_notification(
                &tx,
                &org,
                channel.as_str(),
                None,
                TEST_NOTIFICATION,
                payload,
            )?;
            let delivery = select(&tx, &org, &id)?;
            tx.commit().map_err(backend)?;
            Ok(delivery)
        })
        .await
    }

    async fn record_notification_attempt(
        &self,
        id: &NotificationId,
        attempt: u32,
        latency_ms: u64,
        outcome: AttemptOutcome,
    ) -> StoreResult<()> {
        let id = id.clone();
        self.write(move |conn| {
            let tx = conn.transaction().map_err(backend)?;
            let (ok, error, status) = attempt_effect(&outcome);
            let now = now_ms();
            tx.execute(
                "INSERT OR REPLACE INTO notification_attempts
                     (delivery_id, attempt, at, ok, latency_ms, error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id.as_str(), attempt, now, ok, latency_ms as i64, error],
            )
            .map_err(backend)?;
            tx.execute(
                "UPDATE notification_deliveries SET status = ?2, updated_at = ?3 WHERE id = ?1",
                params![id.as_str(), status, now],
            )
            .map_err(backend)?;
            tx.commit().map_err(backend)
        })
        .await
    }

    async fn drop_notification(&self, id: &NotificationId, reason: &str) -> StoreResult<()> {
        let (id, reason) = (id.clone(), reason.to_owned());
        self.write(move |conn| {
            conn.execute(
                "UPDATE notification_deliveries SET status = 'dropped', error = ?2, updated_at = ?3
                 WHERE id = ?1",
                params![id.as_str(), reason, now_ms()],
            )
            .map(drop)
            .map_err(backend)
        })
        .await
    }

    async fn notification_deliveries(
        &self,
        org: &OrgId,
        channel: &ChannelId,
        page: Page,
    ) -> StoreResult<Listed<NotificationDelivery>> {
        use rusqlite::types::Value;
        self.read(|conn| {
            let args = vec![
                Value::Text(org.as_str().to_owned()),
                Value::Text(channel.as_str().to_owned()),
            ];
            let listed = filtered_page(
                conn,
                FROM,
                &format!("{DELIVERY_COLUMNS}, {NEXT_ATTEMPT}"),
                "d.org_id = ?1 AND d.channel_id = ?2",
                args,
                "d.created_at DESC, d.id DESC",
                page,
                |r| Ok(delivery_from_row(r)?),
            )?;
            let items = listed
                .items
                .into_iter()
                .map(|d| with_attempts(conn, d))
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(Listed {
                items,
                total: listed.total,
            })
        })
    }

    async fn notification_delivery(
        &self,
        org: &OrgId,
        id: &NotificationId,
    ) -> StoreResult<Option<NotificationDelivery>> {
        self.read(|conn| select(conn, org, id))
    }
}
