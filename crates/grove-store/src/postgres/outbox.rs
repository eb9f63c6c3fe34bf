//! The event outbox on PostgreSQL: events for webhooks, written in the same
//! transaction as what they report.

use deadpool_postgres::GenericClient;
use grove_core::ids::EventId;

use super::{now_ms, pg_error};
use crate::StoreResult;

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
