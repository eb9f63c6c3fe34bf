//! The `webhook.deliver` queue handler: one signed HTTP attempt of one
//! delivery, then, in one transaction, the attempt's record and what follows
//! (success, the next attempt's queue item after the configured wait, or
//! giving up and disabling the endpoint). Attempts take turns at their
//! endpoint ([`crate::turns`]), so a slow endpoint never takes every slot
//! and the others are never held back.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use grove_core::config::Config;
use grove_core::ids::DeliveryId;
use grove_core::webhooks::{Attempt, DeliveryStatus, TEST_EVENT};
use grove_ingest::net::{error_chain, guarded_client, NetworkPolicy};
use grove_store::queue::{JobHandler, Leased};
use grove_store::webhooks::{AfterFailure, DeliveryWork};
use grove_store::Store;
use jiff::Timestamp;
use reqwest::header::{CONTENT_TYPE, USER_AGENT};

use crate::signature::{
    signature_header, DELIVERY_ID_HEADER, EVENT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER,
};
use crate::turns::Turns;

/// How much of an endpoint's error answer is kept with the attempt.
const MAX_ERROR_BODY: usize = 300;

pub struct Deliverer {
    store: Arc<dyn Store>,
    http: reqwest::Client,
    policy: Arc<NetworkPolicy>,
    /// Waits before each retry.
    schedule: Vec<Duration>,
    turns: Arc<Turns>,
}

impl Deliverer {
    /// Fails only on a malformed `ingest.allowed_cidrs`.
    pub fn new(store: Arc<dyn Store>, config: &Config) -> Result<Self, String> {
        let policy = Arc::new(NetworkPolicy::from_config(config)?);
        let http = guarded_client(policy.clone())
            .timeout(Duration::from_secs(config.webhooks.timeout_seconds.max(1)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the webhook client: {e}"))?;
        let schedule = config
            .webhooks
            .retry_schedule_seconds
            .iter()
            .map(|s| Duration::from_secs(*s))
            .collect();
        let turns = Turns::new(
            config.webhooks.max_in_flight_per_endpoint,
            Duration::from_secs(config.webhooks.timeout_seconds.max(1)),
        );
        Ok(Self {
            store,
            http,
            policy,
            schedule,
            turns,
        })
    }

    /// Makes one attempt: sends the signed body and times the answer.
    async fn attempt(&self, work: &DeliveryWork, number: u32) -> Attempt {
        let at = Timestamp::now();
        let started = Instant::now();
        let outcome = self.send(work, at).await;
        let (status_code, error) = match outcome {
            Ok(status) => (Some(status), None),
            Err((status, error)) => (status, Some(error)),
        };
        let attempt = Attempt {
            attempt: number,
            at,
            status_code,
            latency_ms: started.elapsed().as_millis() as u64,
            error,
        };
        metrics::counter!(
            "grove_webhook_attempts_total",
            "outcome" => if attempt.error.is_none() { "succeeded" } else { "failed" }
        )
        .increment(1);
        attempt
    }

    /// The endpoint's 2xx status, or the status (if any) and why it failed.
    async fn send(&self, work: &DeliveryWork, at: Timestamp) -> Result<u16, (Option<u16>, String)> {
        let url = reqwest::Url::parse(&work.webhook.url)
            .map_err(|e| (None, format!("the endpoint URL does not parse: {e}")))?;
        if let Some(why) = self.policy.literal_host_refusal(&url) {
            return Err((None, format!("refused: the endpoint is a {why} address")));
        }
        let body = work.delivery.payload.to_string();
        let mut secrets = Vec::with_capacity(work.secrets.len());
        for stored in &work.secrets {
            let secret = self
                .store
                .reveal(stored)
                .await
                .map_err(|e| (None, format!("the signing secret could not be opened: {e}")))?;
            secrets.push(secret);
        }
        let signature = signature_header(&secrets, at.as_second(), body.as_bytes());
        let response = self
            .http
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .header(
                USER_AGENT,
                concat!("Grove-Webhooks/", env!("CARGO_PKG_VERSION")),
            )
            .header(SIGNATURE_HEADER, signature)
            .header(EVENT_ID_HEADER, work.delivery.event_id.as_str())
            .header(EVENT_HEADER, &work.delivery.event)
            .header(DELIVERY_ID_HEADER, work.delivery.id.as_str())
            .body(body)
            .send()
            .await
            .map_err(|e| {
                (
                    None,
                    format!("request failed: {}", error_chain(&e.without_url())),
                )
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(status.as_u16());
        }
        let snippet = start_of_body(response).await;
        Err((
            Some(status.as_u16()),
            format!("the endpoint answered {status}: {snippet}"),
        ))
    }

    /// Moves the delivery's next attempt `wait` later (its endpoint is busy).
    async fn defer(&self, id: &DeliveryId, item: &str, wait: Duration) -> Result<(), String> {
        let wait = jiff::SignedDuration::try_from(wait).unwrap_or_default();
        let at = Timestamp::now()
            .saturating_add(wait)
            .unwrap_or(Timestamp::MAX);
        self.store
            .defer_delivery(id, item, at)
            .await
            .map(|_| ())
            .map_err(|e| format!("could not defer delivery {id}: {e}"))
    }

    /// What follows failed attempt `number` of `work`.
    fn after_failure(&self, work: &DeliveryWork, number: u32, error: &str) -> AfterFailure {
        if work.delivery.event == TEST_EVENT {
            return AfterFailure::Stop;
        }
        match self.schedule.get(number as usize - 1) {
            Some(wait) => {
                let wait = jiff::SignedDuration::try_from(*wait).unwrap_or_default();
                AfterFailure::RetryAt(Timestamp::now().saturating_add(wait).unwrap_or(Timestamp::MAX))
            }
            None => AfterFailure::GiveUp {
                disable_reason: format!(
                    "disabled after delivery {} ({}) failed all {number} attempts; last error: {error}",
                    work.delivery.id, work.delivery.event
                ),
            },
        }
    }
}

/// The first [`MAX_ERROR_BODY`] characters of an answer's body, reading no
/// more of it than needed (an endpoint may answer with anything).
async fn start_of_body(mut response: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < MAX_ERROR_BODY * 4 {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    text.trim().chars().take(MAX_ERROR_BODY).collect()
}

#[async_trait]
impl JobHandler for Deliverer {
    async fn handle(&self, item: &Leased) -> Result<(), String> {
        let Some(id) = item
            .payload
            .get("delivery_id")
            .and_then(|v| v.as_str())
            .and_then(|s| DeliveryId::parse(s).ok())
        else {
            tracing::error!(item = %item.id, "webhook delivery item without a delivery id");
            return Ok(());
        };
        let work = self
            .store
            .delivery_work(&id)
            .await
            .map_err(|e| format!("could not read delivery {id}: {e}"))?;
        // Gone with its endpoint, already settled, or an older item of a
        // delivery that has been rescheduled since.
        let Some(work) = work else { return Ok(()) };
        if work.delivery.status != DeliveryStatus::Pending
            || work.queue_item_id.as_deref() != Some(item.id.as_str())
        {
            return Ok(());
        }
        if !work.webhook.enabled && work.delivery.event != TEST_EVENT {
            let reason = format!(
                "not sent: the endpoint is disabled ({})",
                work.webhook.status_message.as_deref().unwrap_or("disabled")
            );
            return self
                .store
                .abandon_delivery(&id, &reason)
                .await
                .map_err(|e| format!("could not record delivery {id}: {e}"));
        }
        let _turn = match self.turns.take(&work.webhook.id).await {
            Ok(turn) => turn,
            Err(defer) => return self.defer(&id, item.id.as_str(), defer).await,
        };
        let number = work.delivery.attempts.len() as u32 + 1;
        let attempt = self.attempt(&work, number).await;
        let after = match &attempt.error {
            Some(error) => self.after_failure(&work, number, error),
            None => AfterFailure::Stop,
        };
        if let Some(error) = &attempt.error {
            tracing::warn!(delivery = %id, attempt = number, %error, "webhook attempt failed");
        }
        self.store
            .record_attempt(&id, item.id.as_str(), attempt, after)
            .await
            .map(|_| ())
            .map_err(|e| format!("could not record an attempt of delivery {id}: {e}"))
    }
}
