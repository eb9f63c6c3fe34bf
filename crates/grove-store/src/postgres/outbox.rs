//! The event outbox on PostgreSQL: events for webhooks, written in the same
//! transaction as what they report; read back for inspection
//! ([`pending_events`], [`recent_events`]); and claimed by the fan-out
//! ([`claim_pending`], [`mark_fanned_out`]) so that replicas fanning out at
//! once never hand one event on twice.

use deadpool_postgres::GenericClient;
use grove_core::ids::EventId;

use super::{mapped, now_ms, pg_error};
use crate::rows::syncs::{event_from_row, EVENT_COLUMNS};
use crate::{OutboxEvent, StoreError, StoreResult};

/// Appends `event` for organisation `org` inside the caller's transaction.
pub(crate) async fn record_event(
    client: &impl GenericClient,
    org: &str,
    event: &str,
    data: serde_json::Value,
) -> StoreResult<()> {
    client
        .execute(
            "INSERT INTO outbox (id, org_id, event, data, created_at) VALUES ($1, $2, $3, $4, $5)",
            &[
                &EventId::generate().as_str(),
                &org,
                &event,
                &data.to_string(),
                &now_ms(),
            ],
        )
        .await
        .map(|_| ())
        .map_err(pg_error)
}

/// Up to `limit` events not yet fanned out, oldest first. A plain read,
/// claiming nothing: the fan-out takes events with [`claim_pending`].
pub(crate) async fn pending_events(
    client: &impl GenericClient,
    limit: u32,
) -> StoreResult<Vec<OutboxEvent>> {
    let rows = client
        .query(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM outbox WHERE delivered_at IS NULL
                 ORDER BY seq LIMIT $1"
            ),
            &[&i64::from(limit)],
        )
        .await
        .map_err(pg_error)?;
    mapped(rows, |r| event_from_row(r))
}

/// The latest `limit` events named `event`, fanned out or not, oldest first.
pub(crate) async fn recent_events(
    client: &impl GenericClient,
    event: &str,
    limit: u32,
) -> StoreResult<Vec<OutboxEvent>> {
    let rows = client
        .query(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM (SELECT {EVENT_COLUMNS}, seq FROM outbox
                                             WHERE event = $1 ORDER BY seq DESC LIMIT $2) recent
                 ORDER BY seq"
            ),
            &[&event, &i64::from(limit)],
        )
        .await
        .map_err(pg_error)?;
    mapped(rows, |r| event_from_row(r))
}

/// An event the fan-out holds, with its place in the outbox.
#[derive(Debug)]
pub(crate) struct Claimed {
    pub(crate) seq: i64,
    pub(crate) event: OutboxEvent,
}

/// For the fan-out, inside its transaction: up to `limit` events not yet
/// fanned out, oldest first, locked until the transaction ends. Another
/// replica's claim skips them (`SKIP LOCKED`) rather than waiting, and
/// once this transaction commits their marks ([`mark_fanned_out`]) no
/// claim finds them again — so no event is fanned out twice.
pub(crate) async fn claim_pending(
    tx: &impl GenericClient,
    limit: u32,
) -> StoreResult<Vec<Claimed>> {
    let rows = tx
        .query(
            &format!(
                "SELECT {EVENT_COLUMNS}, seq FROM outbox WHERE delivered_at IS NULL
                 ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED"
            ),
            &[&i64::from(limit)],
        )
        .await
        .map_err(pg_error)?;
    rows.iter()
        .map(|r| {
            Ok(Claimed {
                seq: r.try_get(5).map_err(pg_error)?,
                event: event_from_row(r).map_err(StoreError::from)?,
            })
        })
        .collect()
}

/// Marks claimed events fanned out, inside the claiming transaction.
pub(crate) async fn mark_fanned_out(tx: &impl GenericClient, seqs: &[i64]) -> StoreResult<()> {
    tx.execute(
        "UPDATE outbox SET delivered_at = $2 WHERE seq = ANY($1) AND delivered_at IS NULL",
        &[&seqs, &now_ms()],
    )
    .await
    .map(|_| ())
    .map_err(pg_error)
}
