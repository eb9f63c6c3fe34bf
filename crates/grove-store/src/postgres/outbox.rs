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

// The fan-out itself (`WebhookStore::dispatch_events`) is ported with the
// webhooks; until then only the tests below claim.

/// An event the fan-out holds, with its place in the outbox.
#[allow(dead_code)]
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
#[allow(dead_code)]
pub(crate) async fn mark_fanned_out(tx: &impl GenericClient, seqs: &[i64]) -> StoreResult<()> {
    tx.execute(
        "UPDATE outbox SET delivered_at = $2 WHERE seq = ANY($1) AND delivered_at IS NULL",
        &[&seqs, &now_ms()],
    )
    .await
    .map(|_| ())
    .map_err(pg_error)
}

#[cfg(test)]
mod tests {
    use tokio_postgres::NoTls;

    use super::super::{PgOptions, PgStore};
    use super::*;
    use crate::secrets::MasterKey;

    const ADMIN: &str = "host=127.0.0.1 port=5432 user=postgres dbname=postgres";

    async fn admin() -> tokio_postgres::Client {
        let (client, connection) = tokio_postgres::connect(ADMIN, NoTls)
            .await
            .expect("PostgreSQL on 127.0.0.1:5432");
        tokio::spawn(connection);
        client
    }

    /// A database of the test's own, dropped when this is.
    struct Scratch(String);

    impl Drop for Scratch {
        fn drop(&mut self) {
            let name = self.0.clone();
            let _ = std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map(|rt| {
                        rt.block_on(async {
                            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                            admin().await.batch_execute(&drop).await
                        })
                    })
            })
            .join();
        }
    }

    async fn scratch() -> (Scratch, PgStore) {
        let name = format!("grove_outbox_{:016x}", rand::random::<u64>());
        let scratch = Scratch(name.clone());
        admin()
            .await
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
        let store = PgStore::open(&PgOptions::new(url), MasterKey::generate(), None)
            .await
            .unwrap();
        (scratch, store)
    }

    fn seqs(claimed: &[Claimed]) -> Vec<i64> {
        claimed.iter().map(|c| c.seq).collect()
    }

    /// Two fan-outs at once take disjoint events, oldest first, and once
    /// both commit nothing is left to take: no event goes out twice.
    #[tokio::test]
    async fn concurrent_claims_take_each_event_once() {
        let (_scratch, store) = scratch().await;
        let client = store.client().await.unwrap();
        for n in 0..5 {
            record_event(
                &client,
                "org_a",
                "test.event",
                serde_json::json!({ "n": n }),
            )
            .await
            .unwrap();
        }
        let (mut one, mut two) = (store.client().await.unwrap(), store.client().await.unwrap());
        let (first, second) = (
            one.transaction().await.unwrap(),
            two.transaction().await.unwrap(),
        );
        let taken_first = claim_pending(&first, 3).await.unwrap();
        let taken_second = claim_pending(&second, 10).await.unwrap();
        assert_eq!(taken_first.len(), 3);
        assert_eq!(taken_first[0].event.data["n"], 0, "oldest first");
        assert_eq!(taken_second.len(), 2, "the other's events are skipped");
        assert!(seqs(&taken_first)
            .iter()
            .all(|s| !seqs(&taken_second).contains(s)));
        mark_fanned_out(&second, &seqs(&taken_second))
            .await
            .unwrap();
        second.commit().await.unwrap();
        mark_fanned_out(&first, &seqs(&taken_first)).await.unwrap();
        first.commit().await.unwrap();

        let tx = one.transaction().await.unwrap();
        assert!(claim_pending(&tx, 10).await.unwrap().is_empty());
        assert!(pending_events(&client, 10).await.unwrap().is_empty());
        let recent = recent_events(&client, "test.event", 2).await.unwrap();
        let numbers: Vec<_> = recent.iter().map(|e| e.data["n"].clone()).collect();
        assert_eq!(numbers, [3, 4], "the latest two, oldest first");
    }
}
