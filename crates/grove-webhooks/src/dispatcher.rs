//! Fans outbox events out into deliveries: a loop that hands undelivered
//! events to the store (one transaction per batch writes each delivery, its
//! queue item and the event's mark) and wakes the delivery worker.

use std::sync::Arc;
use std::time::Duration;

use grove_store::Store;
use tokio::sync::{watch, Notify};

/// Events fanned out per transaction.
const BATCH: u32 = 200;

/// How often the outbox is looked at: a read of a partial index, so it
/// can be often; a write transaction is opened only when events wait.
pub const POLL: Duration = Duration::from_millis(50);

/// Runs until `stopped` turns true, looking for events every `poll`.
pub async fn run(
    store: Arc<dyn Store>,
    deliveries_queued: Arc<Notify>,
    poll: Duration,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        match store.dispatch_events(BATCH).await {
            Ok(0) => {}
            Ok(n) => {
                deliveries_queued.notify_one();
                if n == BATCH {
                    continue;
                }
            }
            Err(e) => tracing::error!(error = %e, "could not fan out webhook events"),
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = stopped.wait_for(|stop| *stop) => return,
        }
    }
}
