//! Webhook endpoints, their deliveries and attempts as stored. An endpoint's
//! status is derived here from its flags and failure count, so both backends
//! word it the same.

use grove_core::ids::{DeliveryId, EventId, OrgId, WebhookId};
use grove_core::webhooks::{Attempt, Delivery, DeliveryStatus, Webhook, WebhookStatus};
use jiff::Timestamp;

use super::{BadRow, StoredRow};

/// The columns [`webhook_from_row`] reads, in its order.
pub(crate) const WEBHOOK_COLUMNS: &str = "id, org_id, url, events, enabled, disabled_reason,
    consecutive_failures, last_error, last_success_at, last_failure_at,
    previous_secret_expires_at, created_at, updated_at";

/// The columns [`delivery_from_row`] reads, in its order.
pub(crate) const DELIVERY_COLUMNS: &str = "id, webhook_id, event_id, event, status,
    next_attempt_at, resent_from, error, payload, created_at";

/// The columns [`attempt_from_row`] reads, in its order.
pub(crate) const ATTEMPT_COLUMNS: &str = "attempt, at, status_code, latency_ms, error";

/// The status message of an endpoint disabled without a recorded reason.
pub(crate) const DISABLED_BY_USER: &str = "disabled by a user";

/// Why a delivery failed when the queue gave its item up (followed by the
/// item's last error).
pub(crate) const QUEUE_GAVE_UP: &str = "the delivery queue gave up on it: ";

/// An endpoint's subscribed events as stored (a JSON array).
pub(crate) fn events_json(events: &[String]) -> String {
    serde_json::to_string(events).unwrap_or_else(|_| "[]".to_owned())
}

pub(crate) fn webhook_from_row(row: &impl StoredRow) -> Result<Webhook, BadRow> {
    let enabled: bool = row.col(4)?;
    let disabled_reason: Option<String> = row.col(5)?;
    let failures = u32::try_from(row.count(6)?).unwrap_or(u32::MAX);
    let last_error: Option<String> = row.col(7)?;
    let (status, status_message) = if !enabled {
        let why = disabled_reason.unwrap_or_else(|| DISABLED_BY_USER.to_owned());
        (WebhookStatus::Disabled, Some(why))
    } else if failures > 0 {
        let last = last_error.unwrap_or_default();
        let message = format!("{failures} failed attempt(s) in a row; last error: {last}");
        (WebhookStatus::Failing, Some(message))
    } else {
        (WebhookStatus::Active, None)
    };
    let now = Timestamp::now();
    Ok(Webhook {
        id: row.parsed(0, |s| WebhookId::parse(s).ok())?,
        org_id: row.parsed(1, |s| OrgId::parse(s).ok())?,
        url: row.col(2)?,
        events: row.json(3)?,
        enabled,
        status,
        status_message,
        consecutive_failures: failures,
        last_success_at: row.time_opt(8)?,
        last_failure_at: row.time_opt(9)?,
        previous_secret_expires_at: row.time_opt(10)?.filter(|until| *until > now),
        created_at: row.time(11)?,
        updated_at: row.time(12)?,
    })
}

/// A delivery row without its attempts.
pub(crate) fn delivery_from_row(row: &impl StoredRow) -> Result<Delivery, BadRow> {
    Ok(Delivery {
        id: row.parsed(0, |s| DeliveryId::parse(s).ok())?,
        webhook_id: row.parsed(1, |s| WebhookId::parse(s).ok())?,
        event_id: row.parsed(2, |s| EventId::parse(s).ok())?,
        event: row.col(3)?,
        status: row.parsed(4, DeliveryStatus::parse)?,
        next_attempt_at: row.time_opt(5)?,
        resent_from: row.parsed_opt(6, |s| DeliveryId::parse(s).ok())?,
        attempts: Vec::new(),
        error: row.col(7)?,
        payload: row.json(8)?,
        created_at: row.time(9)?,
    })
}

pub(crate) fn attempt_from_row(row: &impl StoredRow) -> Result<Attempt, BadRow> {
    let status_code: Option<i64> = row.col(2)?;
    Ok(Attempt {
        attempt: u32::try_from(row.count(0)?).unwrap_or(u32::MAX),
        at: row.time(1)?,
        status_code: status_code
            .map(|code| {
                u16::try_from(code).map_err(|_| BadRow(format!("HTTP status {code} out of range")))
            })
            .transpose()?,
        latency_ms: row.col::<i64>(3)?.max(0) as u64,
        error: row.col(4)?,
    })
}
