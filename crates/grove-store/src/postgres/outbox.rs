//! The event outbox on PostgreSQL: events for webhooks, written in the same
//! transaction as what they report, and read back ([`pending_events`],
//! [`recent_events`]). Reading claims nothing: the fan-out
//! (`WebhookStore::dispatch_events`, in `webhooks`) takes events with
//! `FOR UPDATE SKIP LOCKED`, so replicas never hand one on twice.

use deadpool_postgres::GenericClient;
use grove_core::ids::EventId;

use super::{mapped, now_ms, pg_error};
use crate::rows::syncs::{event_from_row, EVENT_COLUMNS};
use crate::{OutboxEvent, StoreResult};

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

/// Up to `limit` events not yet fanned out, oldest first.
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
    mapped(rows, event_from_row)
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
    mapped(rows, event_from_row)
}
