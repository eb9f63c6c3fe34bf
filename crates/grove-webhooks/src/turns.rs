//! Turns at an endpoint: at most `limit` attempts in flight per endpoint, so
//! a slow endpoint never takes every delivery slot. A delivery that finds
//! its endpoint busy waits briefly if the endpoint is answering quickly, and
//! is otherwise deferred for about as long as its endpoint's oldest attempt
//! has been running, so a hanging endpoint's deliveries come back rarely
//! while a fast endpoint's come back at once. Written by hand: this is a
//! few lines over a tokio semaphore per endpoint, specific to delivery.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use grove_core::ids::WebhookId;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Attempts younger than this mean the endpoint is answering quickly.
const RESPONSIVE: Duration = Duration::from_millis(100);
/// How long a delivery waits for a responsive endpoint's turn.
const TURN_WAIT: Duration = Duration::from_millis(250);
/// The shortest deferral.
const MIN_DEFER: Duration = Duration::from_millis(100);

#[derive(Default)]
struct Endpoint {
    permits: Option<Arc<Semaphore>>,
    /// Start times of the attempts in flight.
    started: Vec<Instant>,
}

/// Every endpoint's turns.
pub struct Turns {
    limit: usize,
    /// The longest deferral: the time an attempt may take.
    max_defer: Duration,
    endpoints: Mutex<HashMap<WebhookId, Endpoint>>,
}

/// An attempt's turn; given back on drop.
pub struct Turn {
    turns: Arc<Turns>,
    webhook: WebhookId,
    started: Instant,
    _permit: OwnedSemaphorePermit,
}

impl Turns {
    pub fn new(limit: usize, max_defer: Duration) -> Arc<Self> {
        Arc::new(Self {
            limit: limit.max(1),
            max_defer,
            endpoints: Mutex::new(HashMap::new()),
        })
    }

    /// A turn at `webhook`, or how long to defer the delivery.
    pub async fn take(self: &Arc<Self>, webhook: &WebhookId) -> Result<Turn, Duration> {
        let (permits, busy_for) = {
            let mut endpoints = self.endpoints.lock().unwrap_or_else(|e| e.into_inner());
            let endpoint = endpoints.entry(webhook.clone()).or_default();
            let permits = endpoint
                .permits
                .get_or_insert_with(|| Arc::new(Semaphore::new(self.limit)))
                .clone();
            let oldest = endpoint.started.iter().min().map(Instant::elapsed);
            (permits, oldest.unwrap_or_default())
        };
        let permit = match permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) if busy_for < RESPONSIVE => {
                match tokio::time::timeout(TURN_WAIT, permits.acquire_owned()).await {
                    Ok(Ok(permit)) => permit,
                    _ => return Err(MIN_DEFER),
                }
            }
            Err(_) => return Err(busy_for.clamp(MIN_DEFER, self.max_defer.max(MIN_DEFER))),
        };
        let started = Instant::now();
        let mut endpoints = self.endpoints.lock().unwrap_or_else(|e| e.into_inner());
        endpoints
            .entry(webhook.clone())
            .or_default()
            .started
            .push(started);
        Ok(Turn {
            turns: self.clone(),
            webhook: webhook.clone(),
            started,
            _permit: permit,
        })
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let mut endpoints = self
            .turns
            .endpoints
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(endpoint) = endpoints.get_mut(&self.webhook) {
            if let Some(i) = endpoint.started.iter().position(|s| *s == self.started) {
                endpoint.started.swap_remove(i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_endpoint_gets_at_most_its_limit_and_a_slow_one_is_deferred_longer() {
        let turns = Turns::new(2, Duration::from_secs(10));
        let hook = WebhookId::generate();
        let first = turns.take(&hook).await.unwrap();
        let _second = turns.take(&hook).await.unwrap();
        // Busy but responsive: waits briefly, then a short deferral.
        assert_eq!(turns.take(&hook).await.err(), Some(MIN_DEFER));
        // Another endpoint is not affected.
        let other = WebhookId::generate();
        assert!(turns.take(&other).await.is_ok());
        // Attempts running for a while: deferred about that long, at once.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let waited = Instant::now();
        let defer = turns.take(&hook).await.err().unwrap();
        assert!(waited.elapsed() < Duration::from_millis(50));
        assert!(defer >= Duration::from_millis(300), "{defer:?}");
        // A turn given back is free again.
        drop(first);
        assert!(turns.take(&hook).await.is_ok());
    }
}
