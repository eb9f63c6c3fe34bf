//! The durable queue on PostgreSQL, shared by every replica. A worker claims
//! the oldest due item with `FOR UPDATE SKIP LOCKED` (two replicas never
//! claim the same row, and neither waits on the other's claim), bumping the
//! item's lease epoch; heartbeats, completions and failures name that epoch,
//! so a replica that was paused past its lease cannot finish work another has
//! taken over. Due and expired are judged by the database's clock. An
//! enqueue notifies [`QUEUE_CHANNEL`] with the item's kind (nothing else), so
//! idle workers on every replica lease at once; polling stays the fallback.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use grove_core::ids::{OrgId, QueueItemId};
use tokio::sync::Notify;
use tokio_postgres::types::ToSql;
use tokio_postgres::{AsyncMessage, NoTls, Row};

use super::{pg_error, PgStore};
use crate::queue::DEFAULT_MAX_ATTEMPTS;
use crate::queue::{
    Backoff, FailOutcome, ItemStatus, Leased, NewItem, QueueDepth, QueueItem, QueueStore,
};
use crate::{millis, ts, StoreError, StoreResult};

/// The channel an enqueue notifies, with the item's kind as the payload.
pub const QUEUE_CHANNEL: &str = "grove_queue";

/// Wait before listening again after the listening connection broke.
const RELISTEN_AFTER: Duration = Duration::from_secs(1);
/// How often an idle listening connection is checked.
const PING_EVERY: Duration = Duration::from_secs(30);

fn count(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Inserts a queued item and notifies [`QUEUE_CHANNEL`]; given a
/// transaction, the item is enqueued atomically with the record it belongs
/// to (and the notification goes out at its commit).
pub(crate) async fn insert_item(
    client: &impl GenericClient,
    item: &NewItem,
) -> StoreResult<QueueItemId> {
    let id = QueueItemId::generate();
    let max_attempts = count(item.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS).max(1));
    let run_at = item.run_at.map(|t| t.as_millisecond());
    client
        .execute(
            "WITH item AS (
                 INSERT INTO queue_items (id, org_id, kind, payload, status, max_attempts, run_at)
                 VALUES ($1, $2, $3, $4, 'queued', $5,
                         COALESCE(to_timestamp($6::BIGINT / 1000.0), now()))
                 RETURNING kind)
             SELECT pg_notify('grove_queue', kind) FROM item",
            &[
                &id.as_str(),
                &item.org_id.as_ref().map(OrgId::as_str),
                &item.kind,
                &item.payload,
                &max_attempts,
                &run_at,
            ],
        )
        .await
        .map_err(pg_error)?;
    Ok(id)
}

/// The epoch a lease token carries; a token that is not one holds nothing.
fn epoch(item: &Leased) -> Option<i64> {
    item.lease_token.parse().ok()
}

fn bad_row(what: &str) -> StoreError {
    StoreError::Backend(format!("postgres: unreadable {what} in queue_items"))
}

fn leased(row: &Row) -> StoreResult<Leased> {
    let org: Option<String> = row.get("org_id");
    Ok(Leased {
        id: QueueItemId::parse(row.get("id")).map_err(|_| bad_row("id"))?,
        kind: row.get("kind"),
        payload: row.get("payload"),
        org_id: org.and_then(|s| OrgId::parse(&s).ok()),
        attempts: u32::try_from(row.get::<_, i32>("attempts")).unwrap_or(0),
        max_attempts: u32::try_from(row.get::<_, i32>("max_attempts")).unwrap_or(1),
        lease_token: row.get::<_, i64>("lease_epoch").to_string(),
    })
}

impl PgStore {
    /// A `Notify` woken whenever any replica enqueues an item, for
    /// [`crate::queue::Worker::wake_on`]. One connection outside the pool
    /// listens, and listens again after it breaks; with `poll_only` nothing
    /// listens and the `Notify` is never woken.
    pub fn queue_wakeups(&self) -> Arc<Notify> {
        let wake = Arc::new(Notify::new());
        if !self.poll_only {
            tokio::spawn(listen(self.config.clone(), Arc::clone(&wake)));
        }
        wake
    }
}

impl PgStore {
    /// Runs an update of `item` guarded by its lease: `sql` names the item
    /// as `$1`, its lease epoch as `$2` and `more` after them. Whether the
    /// lease was still held (one row changed).
    async fn fenced(
        &self,
        item: &Leased,
        sql: &str,
        more: &[&(dyn ToSql + Sync)],
    ) -> StoreResult<bool> {
        let Some(epoch) = epoch(item) else {
            return Ok(false);
        };
        let id = item.id.as_str();
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&id, &epoch];
        params.extend_from_slice(more);
        let changed = self
            .client()
            .await?
            .execute(sql, &params)
            .await
            .map_err(pg_error)?;
        Ok(changed == 1)
    }
}

/// Listens on [`QUEUE_CHANNEL`] until the `Notify`'s last holder is gone.
async fn listen(config: tokio_postgres::Config, wake: Arc<Notify>) {
    while Arc::strong_count(&wake) > 1 {
        if let Err(error) = listen_once(&config, &wake).await {
            tracing::warn!(%error, "queue notifications lost; polling until listening again");
        }
        tokio::time::sleep(RELISTEN_AFTER).await;
    }
}

/// One listening connection: `LISTEN`, then wake on every notification
/// until the connection breaks or the `Notify` is no longer wanted.
async fn listen_once(config: &tokio_postgres::Config, wake: &Arc<Notify>) -> StoreResult<()> {
    let (client, mut connection) = config.connect(NoTls).await.map_err(pg_error)?;
    // The connection's own task reads its messages and passes on each
    // notification; it ends when the connection does.
    let (heard, mut notifications) = tokio::sync::mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        while let Some(message) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            match message {
                Ok(AsyncMessage::Notification(_)) => {
                    if heard.send(()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(error) => return Err(pg_error(error)),
            }
        }
        Ok(())
    });
    let listened = async {
        client
            .batch_execute(&format!("LISTEN {QUEUE_CHANNEL}"))
            .await
            .map_err(pg_error)?;
        // Items enqueued while nobody listened: look now.
        wake.notify_one();
        while Arc::strong_count(wake) > 1 {
            tokio::select! {
                heard = notifications.recv() => match heard {
                    Some(()) => wake.notify_one(),
                    None => break,
                },
                // Looks again whether anyone still wants the wake-ups, and
                // that the connection still answers (a half-open one would
                // otherwise go unnoticed until TCP gives up).
                _ = tokio::time::sleep(PING_EVERY) => {
                    tokio::time::timeout(PING_EVERY, client.simple_query("SELECT 1"))
                        .await
                        .map_err(|_| StoreError::Backend("postgres: listener unanswered".into()))?
                        .map_err(pg_error)?;
                }
            }
        }
        Ok(())
    }
    .await;
    drop(client);
    let driven = driver
        .await
        .unwrap_or_else(|e| Err(StoreError::Backend(format!("queue listener: {e}"))));
    listened.and(driven)
}

#[async_trait]
impl QueueStore for PgStore {
    async fn enqueue(&self, item: NewItem) -> StoreResult<QueueItemId> {
        insert_item(&self.client().await?, &item).await
    }

    async fn lease(
        &self,
        kinds: &[String],
        owner: &str,
        lease_for: Duration,
    ) -> StoreResult<Option<Leased>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        // A lease that ran out on the last attempt: the item is given up.
        // Rows another replica is busy with are skipped, not waited for.
        tx.execute(
            "UPDATE queue_items SET status = 'dead', updated_at = now(),
                    last_error = COALESCE(last_error, 'lease expired on the last attempt')
             WHERE seq IN (SELECT seq FROM queue_items
                           WHERE status = 'leased' AND lease_expires_at <= now()
                             AND attempts >= max_attempts
                           FOR UPDATE SKIP LOCKED)",
            &[],
        )
        .await
        .map_err(pg_error)?;
        let row = tx
            .query_opt(
                "WITH next AS (
                     SELECT seq FROM queue_items
                     WHERE kind = ANY($1)
                       AND ((status = 'queued' AND run_at <= now())
                         OR (status = 'leased' AND lease_expires_at <= now()
                             AND attempts < max_attempts))
                     ORDER BY run_at, seq
                     LIMIT 1
                     FOR UPDATE SKIP LOCKED)
                 UPDATE queue_items q
                 SET status = 'leased', lease_owner = $2, lease_epoch = q.lease_epoch + 1,
                     lease_expires_at = now() + $3::BIGINT * interval '1 millisecond',
                     attempts = q.attempts + 1, updated_at = now()
                 FROM next WHERE q.seq = next.seq
                 RETURNING q.id, q.kind, q.payload, q.org_id, q.attempts, q.max_attempts,
                           q.lease_epoch",
                &[&kinds, &owner, &millis(lease_for)],
            )
            .await
            .map_err(pg_error)?;
        tx.commit().await.map_err(pg_error)?;
        row.as_ref().map(leased).transpose()
    }

    async fn heartbeat(&self, item: &Leased, lease_for: Duration) -> StoreResult<bool> {
        self.fenced(
            item,
            "UPDATE queue_items
             SET lease_expires_at = now() + $3::BIGINT * interval '1 millisecond',
                 updated_at = now()
             WHERE id = $1 AND lease_epoch = $2 AND status = 'leased'",
            &[&millis(lease_for)],
        )
        .await
    }

    async fn complete(&self, item: &Leased) -> StoreResult<bool> {
        self.fenced(
            item,
            "UPDATE queue_items SET status = 'done', lease_owner = NULL,
                    lease_expires_at = NULL, updated_at = now()
             WHERE id = $1 AND lease_epoch = $2 AND status = 'leased'",
            &[],
        )
        .await
    }

    async fn fail(
        &self,
        item: &Leased,
        error: &str,
        backoff: Backoff,
    ) -> StoreResult<Option<FailOutcome>> {
        let Some(epoch) = epoch(item) else {
            return Ok(None);
        };
        let dead = item.attempts >= item.max_attempts;
        // A retry waits out the backoff from the database's now.
        let row = self
            .client()
            .await?
            .query_opt(
                "UPDATE queue_items
                 SET status = CASE WHEN $3 THEN 'dead' ELSE 'queued' END,
                     run_at = CASE WHEN $3 THEN run_at
                                   ELSE now() + $4::BIGINT * interval '1 millisecond' END,
                     last_error = $5, lease_owner = NULL, lease_expires_at = NULL,
                     updated_at = now()
                 WHERE id = $1 AND lease_epoch = $2 AND status = 'leased'
                 RETURNING (EXTRACT(EPOCH FROM run_at) * 1000)::BIGINT AS run_at_ms",
                &[
                    &item.id.as_str(),
                    &epoch,
                    &dead,
                    &millis(backoff.delay(item.attempts)),
                    &error,
                ],
            )
            .await
            .map_err(pg_error)?;
        Ok(row.map(|row| {
            if dead {
                FailOutcome::Dead
            } else {
                FailOutcome::RetryAt(ts(row.get("run_at_ms")))
            }
        }))
    }

    async fn release_owner(&self, owner: &str) -> StoreResult<u64> {
        self.client()
            .await?
            .execute(
                "UPDATE queue_items SET status = 'queued', attempts = GREATEST(attempts - 1, 0),
                        lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
                 WHERE lease_owner = $1 AND status = 'leased'",
                &[&owner],
            )
            .await
            .map_err(pg_error)
    }

    async fn queue_item(&self, id: &QueueItemId) -> StoreResult<Option<QueueItem>> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT id, kind, payload, status, attempts, max_attempts, last_error,
                        (EXTRACT(EPOCH FROM run_at) * 1000)::BIGINT AS run_at_ms
                 FROM queue_items WHERE id = $1",
                &[&id.as_str()],
            )
            .await
            .map_err(pg_error)?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(QueueItem {
            id: QueueItemId::parse(row.get("id")).map_err(|_| bad_row("id"))?,
            kind: row.get("kind"),
            payload: row.get("payload"),
            status: ItemStatus::parse(row.get("status")).ok_or_else(|| bad_row("status"))?,
            attempts: u32::try_from(row.get::<_, i32>("attempts")).unwrap_or(0),
            max_attempts: u32::try_from(row.get::<_, i32>("max_attempts")).unwrap_or(1),
            run_at: ts(row.get("run_at_ms")),
            last_error: row.get("last_error"),
        }))
    }

    async fn queue_depth(&self) -> StoreResult<QueueDepth> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT status, COUNT(*) FROM queue_items WHERE status != 'done' GROUP BY status",
                &[],
            )
            .await
            .map_err(pg_error)?;
        let mut depth = QueueDepth::default();
        for row in rows {
            let n = u64::try_from(row.get::<_, i64>(1)).unwrap_or(0);
            match row.get::<_, &str>(0) {
                "queued" => depth.queued = n,
                "leased" => depth.leased = n,
                "dead" => depth.dead = n,
                _ => {}
            }
        }
        Ok(depth)
    }
}
