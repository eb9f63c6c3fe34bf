//! The durable queue in SQLite. Leasing is one `UPDATE … RETURNING` on the
//! oldest due row, so two workers never hold the same item; every completion
//! or failure is checked against the lease token so a worker whose lease ran
//! out cannot overwrite the work of the next one.

use std::time::Duration;

use async_trait::async_trait;
use grove_core::ids::{OrgId, QueueItemId};
use rand::distr::{Alphanumeric, SampleString};
use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::{backend, now_ms, parsed, ts, SqliteStore};
use crate::queue::DEFAULT_MAX_ATTEMPTS;
use crate::queue::{
    Backoff, FailOutcome, ItemStatus, Leased, NewItem, QueueDepth, QueueItem, QueueStore,
};
use crate::{millis, StoreResult};

/// Inserts a queued item; also used inside other writes' transactions, so
/// work is enqueued atomically with the record it belongs to.
pub(super) fn insert_item(
    conn: &rusqlite::Connection,
    item: &NewItem,
) -> rusqlite::Result<QueueItemId> {
    let id = QueueItemId::generate();
    let now = now_ms();
    conn.execute(
        "INSERT INTO queue_items (id, org_id, kind, payload, status, max_attempts,
                                  run_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?6, ?7, ?7)",
        params![
            id.as_str(),
            item.org_id.as_ref().map(OrgId::as_str),
            item.kind,
            item.payload.to_string(),
            item.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS).max(1),
            item.run_at.map_or(now, |t| t.as_millisecond()),
            now,
        ],
    )?;
    Ok(id)
}

#[async_trait]
impl QueueStore for SqliteStore {
    async fn enqueue(&self, item: NewItem) -> StoreResult<QueueItemId> {
        self.write(move |conn| insert_item(conn, &item).map_err(backend))
            .await
    }

    async fn lease(
        &self,
        kinds: &[String],
        owner: &str,
        lease_for: Duration,
    ) -> StoreResult<Option<Leased>> {
        let kinds = serde_json::to_string(kinds).map_err(backend)?;
        let owner = owner.to_owned();
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let now = now_ms();
            // A lease that ran out on the last attempt: the item is given up.
            tx.execute(
                "UPDATE queue_items SET status = 'dead', updated_at = ?1,
                        last_error = COALESCE(last_error, 'lease expired on the last attempt')
                 WHERE status = 'leased' AND lease_expires_at <= ?1 AND attempts >= max_attempts",
                [now],
            )
            .map_err(backend)?;
            let token = Alphanumeric.sample_string(&mut rand::rng(), 24);
            let leased = tx
                .query_row(
                    "UPDATE queue_items
                     SET status = 'leased', lease_owner = ?2, lease_token = ?3,
                         lease_expires_at = ?4, attempts = attempts + 1, updated_at = ?1
                     WHERE seq = (
                         SELECT seq FROM queue_items
                         WHERE kind IN (SELECT value FROM json_each(?5))
                           AND ((status = 'queued' AND run_at <= ?1)
                             OR (status = 'leased' AND lease_expires_at <= ?1))
                         ORDER BY run_at, seq LIMIT 1)
                     RETURNING id, kind, payload, org_id, attempts, max_attempts",
                    params![now, owner, token, now + millis(lease_for), kinds],
                    |row| {
                        let payload: String = row.get(2)?;
                        let org: Option<String> = row.get(3)?;
                        Ok(Leased {
                            id: parsed(row.get(0)?, |s| QueueItemId::parse(s).ok())?,
                            kind: row.get(1)?,
                            payload: serde_json::from_str(&payload).unwrap_or_default(),
                            org_id: org.and_then(|s| OrgId::parse(&s).ok()),
                            attempts: row.get(4)?,
                            max_attempts: row.get(5)?,
                            lease_token: token.clone(),
                        })
                    },
                )
                .optional()
                .map_err(backend)?;
            tx.commit().map_err(backend)?;
            Ok(leased)
        })
        .await
    }

    async fn heartbeat(&self, item: &Leased, lease_for: Duration) -> StoreResult<bool> {
        let (id, token) = (item.id.clone(), item.lease_token.clone());
        self.write(move |conn| {
            let now = now_ms();
            conn.execute(
                "UPDATE queue_items SET lease_expires_at = ?3, updated_at = ?4
                 WHERE id = ?1 AND lease_token = ?2 AND status = 'leased'",
                params![id.as_str(), token, now + millis(lease_for), now],
            )
            .map(|n| n == 1)
            .map_err(backend)
        })
        .await
    }

    async fn complete(&self, item: &Leased) -> StoreResult<bool> {
        let (id, token) = (item.id.clone(), item.lease_token.clone());
        self.write(move |conn| {
            conn.execute(
                "UPDATE queue_items SET status = 'done', lease_owner = NULL, lease_token = NULL,
                        lease_expires_at = NULL, updated_at = ?3
                 WHERE id = ?1 AND lease_token = ?2 AND status = 'leased'",
                params![id.as_str(), token, now_ms()],
            )
            .map(|n| n == 1)
            .map_err(backend)
        })
        .await
    }

    async fn fail(
        &self,
        item: &Leased,
        error: &str,
        backoff: Backoff,
    ) -> StoreResult<Option<FailOutcome>> {
        let (id, token, error) = (item.id.clone(), item.lease_token.clone(), error.to_owned());
        let outcome = if item.attempts >= item.max_attempts {
            FailOutcome::Dead
        } else {
            let at = jiff::Timestamp::now().as_millisecond() + millis(backoff.delay(item.attempts));
            FailOutcome::RetryAt(ts(at))
        };
        self.write(move |conn| {
            let (status, run_at) = match outcome {
                FailOutcome::Dead => ("dead", None),
                FailOutcome::RetryAt(at) => ("queued", Some(at.as_millisecond())),
            };
            let changed = conn
                .execute(
                    "UPDATE queue_items SET status = ?3, run_at = COALESCE(?4, run_at),
                            last_error = ?5, lease_owner = NULL, lease_token = NULL,
                            lease_expires_at = NULL, updated_at = ?6
                     WHERE id = ?1 AND lease_token = ?2 AND status = 'leased'",
                    params![id.as_str(), token, status, run_at, error, now_ms()],
                )
                .map_err(backend)?;
            Ok((changed == 1).then_some(outcome))
        })
        .await
    }

    async fn release_owner(&self, owner: &str) -> StoreResult<u64> {
        let owner = owner.to_owned();
        self.write(move |conn| {
            conn.execute(
                "UPDATE queue_items SET status = 'queued', attempts = MAX(attempts - 1, 0),
                        lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL,
                        updated_at = ?2
                 WHERE lease_owner = ?1 AND status = 'leased'",
                params![owner, now_ms()],
            )
            .map(|n| n as u64)
            .map_err(backend)
        })
        .await
    }

    async fn queue_item(&self, id: &QueueItemId) -> StoreResult<Option<QueueItem>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT id, kind, payload, status, attempts, max_attempts, run_at, last_error
                 FROM queue_items WHERE id = ?1",
                [id.as_str()],
                |row| {
                    let payload: String = row.get(2)?;
                    Ok(QueueItem {
                        id: parsed(row.get(0)?, |s| QueueItemId::parse(s).ok())?,
                        kind: row.get(1)?,
                        payload: serde_json::from_str(&payload).unwrap_or_default(),
                        status: parsed(row.get(3)?, ItemStatus::parse)?,
                        attempts: row.get(4)?,
                        max_attempts: row.get(5)?,
                        run_at: ts(row.get(6)?),
                        last_error: row.get(7)?,
                    })
                },
            )
            .optional()
            .map_err(backend)
        })
    }

    async fn queue_depth(&self) -> StoreResult<QueueDepth> {
        self.read(|conn| {
            let mut depth = QueueDepth::default();
            let mut stmt = conn
                .prepare_cached(
                    "SELECT status, COUNT(*) FROM queue_items
                     WHERE status != 'done' GROUP BY status",
                )
                .map_err(backend)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
                })
                .map_err(backend)?;
            for row in rows {
                let (status, n) = row.map_err(backend)?;
                match status.as_str() {
                    "queued" => depth.queued = n,
                    "leased" => depth.leased = n,
                    "dead" => depth.dead = n,
                    _ => {}
                }
            }
            Ok(depth)
        })
    }
}
