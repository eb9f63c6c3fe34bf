//! The durable work queue: items are enqueued, leased by a worker for a
//! bounded time, then completed or failed with retry and backoff. A lease that
//! runs out (the worker crashed or was killed) makes the item available again,
//! so work survives restarts. [`Worker`] runs registered handlers over it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use grove_core::config::QueueConfig;
use grove_core::ids::{OrgId, QueueItemId};
use jiff::Timestamp;
use serde_json::Value;
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;

use crate::StoreResult;

/// Attempts allowed when an item does not say.
pub(crate) const DEFAULT_MAX_ATTEMPTS: u32 = 5;

/// An item to put on the queue.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub kind: String,
    pub payload: Value,
    pub org_id: Option<OrgId>,
    /// Not before this time; now when `None`.
    pub run_at: Option<Timestamp>,
    /// Attempts before the item is given up; the configured default when `None`.
    pub max_attempts: Option<u32>,
}

impl NewItem {
    pub fn new(kind: impl Into<String>, payload: Value) -> Self {
        Self {
            kind: kind.into(),
            payload,
            org_id: None,
            run_at: None,
            max_attempts: None,
        }
    }
}

/// An item held by a worker. `lease_token` proves the lease is still its own.
#[derive(Debug, Clone)]
pub struct Leased {
    pub id: QueueItemId,
    pub kind: String,
    pub payload: Value,
    pub org_id: Option<OrgId>,
    /// Attempts so far, this one included.
    pub attempts: u32,
    pub max_attempts: u32,
    pub lease_token: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemStatus {
    Queued,
    Leased,
    Done,
    Dead,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Queued => "queued",
            ItemStatus::Leased => "leased",
            ItemStatus::Done => "done",
            ItemStatus::Dead => "dead",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Queued, Self::Leased, Self::Done, Self::Dead]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// An item as stored, for inspection.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub id: QueueItemId,
    pub kind: String,
    pub payload: Value,
    pub status: ItemStatus,
    pub attempts: u32,
    pub max_attempts: u32,
    pub run_at: Timestamp,
    pub last_error: Option<String>,
}

/// Exponential backoff between attempts: `base * 2^(attempt-1)`, capped.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Backoff {
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.base.saturating_mul(factor).min(self.max)
    }
}

impl From<&QueueConfig> for Backoff {
    fn from(c: &QueueConfig) -> Self {
        Self {
            base: Duration::from_millis(c.backoff_base_ms),
            max: Duration::from_millis(c.backoff_max_ms),
        }
    }
}

/// What a failure led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    RetryAt(Timestamp),
    Dead,
}

/// Counts of items by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueDepth {
    pub queued: u64,
    pub leased: u64,
    pub dead: u64,
}

#[async_trait]
pub trait QueueStore: Send + Sync {
    async fn enqueue(&self, item: NewItem) -> StoreResult<QueueItemId>;
    /// Leases the next due item of one of `kinds`: a queued item whose time
    /// has come, or a leased one whose lease ran out. Items whose lease ran
    /// out on their last attempt are marked dead instead.
    async fn lease(
        &self,
        kinds: &[String],
        owner: &str,
        lease_for: Duration,
    ) -> StoreResult<Option<Leased>>;
    /// Extends a lease; false if it is no longer held.
    async fn heartbeat(&self, item: &Leased, lease_for: Duration) -> StoreResult<bool>;
    /// Marks an item done; false if the lease is no longer held.
    async fn complete(&self, item: &Leased) -> StoreResult<bool>;
    /// Records a failure and schedules a retry, or gives the item up after
    /// its last attempt. `None` if the lease is no longer held.
    async fn fail(
        &self,
        item: &Leased,
        error: &str,
        backoff: Backoff,
    ) -> StoreResult<Option<FailOutcome>>;
    /// Puts every item leased by `owner` back on the queue without counting
    /// the attempt (used on graceful shutdown).
    async fn release_owner(&self, owner: &str) -> StoreResult<u64>;
    async fn queue_item(&self, id: &QueueItemId) -> StoreResult<Option<QueueItem>>;
    async fn queue_depth(&self) -> StoreResult<QueueDepth>;
}

/// Runs the work of one kind of queue item. An `Err` is recorded on the item
/// and retried with backoff.
#[async_trait]
pub trait JobHandler: Send + Sync {
    async fn handle(&self, item: &Leased) -> Result<(), String>;
}

/// `poll` stretched or shrunk by up to half at random, so that replicas
/// started together do not poll the database in step.
fn jittered(poll: Duration) -> Duration {
    poll.mul_f64(rand::random_range(0.5..1.5))
}

/// Runs registered handlers over the queue with a fixed number of slots,
/// keeping leases alive while handlers run. On shutdown it stops leasing,
/// stops in-flight handlers and releases their leases.
pub struct Worker {
    queue: Arc<dyn QueueStore>,
    config: QueueConfig,
    owner: String,
    handlers: HashMap<String, Arc<dyn JobHandler>>,
    slots: usize,
    /// Woken by whoever enqueues work for this worker in-process, so it
    /// leases at once instead of at its next poll.
    wake: Arc<Notify>,
}

impl Worker {
    pub fn new(queue: Arc<dyn QueueStore>, config: QueueConfig, slots: usize) -> Self {
        // Unique across replicas too: in containers every replica may be
        // pid 1, and one replica's release must not free another's leases.
        let owner = format!(
            "worker-{}-{}-{:08x}",
            std::process::id(),
            Timestamp::now().as_millisecond(),
            rand::random::<u32>()
        );
        Self {
            queue,
            config,
            owner,
            handlers: HashMap::new(),
            slots: slots.max(1),
            wake: Arc::new(Notify::new()),
        }
    }

    /// Has the worker look for items when `wake` is notified.
    pub fn wake_on(&mut self, wake: Arc<Notify>) {
        self.wake = wake;
    }

    pub fn register(&mut self, kind: &str, handler: Arc<dyn JobHandler>) {
        self.handlers.insert(kind.to_owned(), handler);
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Runs until `shutdown` turns true, then releases held leases.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        if self.handlers.is_empty() {
            let _ = shutdown.wait_for(|stop| *stop).await;
            return;
        }
        let this = Arc::new(self);
        let mut running = JoinSet::new();
        let poll = Duration::from_millis(this.config.poll_interval_ms);
        loop {
            if *shutdown.borrow() {
                break;
            }
            let leased = if running.len() < this.slots {
                this.lease_next().await
            } else {
                None
            };
            match leased {
                Some(item) => {
                    let worker = Arc::clone(&this);
                    running.spawn(async move { worker.process(item).await });
                }
                None => {
                    tokio::select! {
                        _ = tokio::time::sleep(jittered(poll)) => {}
                        Some(_) = running.join_next(), if !running.is_empty() => {}
                        _ = this.wake.notified() => {}
                        _ = shutdown.changed() => {}
                    }
                }
            }
        }
        running.shutdown().await;
        match this.queue.release_owner(&this.owner).await {
            Ok(n) => tracing::info!(released = n, "queue leases released"),
            Err(e) => tracing::error!(error = %e, "could not release queue leases"),
        }
    }

    async fn lease_next(&self) -> Option<Leased> {
        let kinds: Vec<String> = self.handlers.keys().cloned().collect();
        let lease_for = Duration::from_secs(self.config.lease_seconds);
        match self.queue.lease(&kinds, &self.owner, lease_for).await {
            Ok(item) => item,
            Err(e) => {
                tracing::error!(error = %e, "queue lease failed");
                None
            }
        }
    }

    async fn process(&self, item: Leased) {
        let Some(handler) = self.handlers.get(&item.kind).cloned() else {
            return;
        };
        let lease_for = Duration::from_secs(self.config.lease_seconds);
        let result = {
            let work = handler.handle(&item);
            tokio::pin!(work);
            let mut beat = tokio::time::interval(lease_for / 3);
            beat.tick().await;
            loop {
                tokio::select! {
                    r = &mut work => break r,
                    _ = beat.tick() => {
                        if !matches!(self.queue.heartbeat(&item, lease_for).await, Ok(true)) {
                            tracing::warn!(item = %item.id, "lease lost; abandoning item");
                            return;
                        }
                    }
                }
            }
        };
        let outcome = match result {
            Ok(()) => self.queue.complete(&item).await.map(|_| ()),
            Err(message) => {
                tracing::warn!(item = %item.id, kind = %item.kind, error = %message, "queue item failed");
                self.queue
                    .fail(&item, &message, Backoff::from(&self.config))
                    .await
                    .map(|_| ())
            }
        };
        if let Err(e) = outcome {
            tracing::error!(item = %item.id, error = %e, "could not record queue item outcome");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_are_jittered_within_half_either_way() {
        let poll = Duration::from_millis(1000);
        let waits: Vec<Duration> = (0..200).map(|_| jittered(poll)).collect();
        assert!(waits
            .iter()
            .all(|w| *w >= poll / 2 && *w <= poll.mul_f64(1.5)));
        assert!(waits.iter().any(|w| *w != waits[0]), "not all the same");
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let b = Backoff {
            base: Duration::from_secs(1),
            max: Duration::from_secs(10),
        };
        assert_eq!(b.delay(1), Duration::from_secs(1));
        assert_eq!(b.delay(2), Duration::from_secs(2));
        assert_eq!(b.delay(4), Duration::from_secs(8));
        assert_eq!(b.delay(5), Duration::from_secs(10));
        assert_eq!(b.delay(40), Duration::from_secs(10));
    }
}
