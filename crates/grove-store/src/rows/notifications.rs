//! Notification deliveries and their attempts as stored. While a delivery
//! is pending, its next attempt is its queue item's due time; each backend
//! reads that from its own queue table (column 8 of a delivery row).

use grove_core::ids::{ChannelId, NotificationId, RunId};
use grove_core::jobs::{NotificationAttempt, NotificationDelivery, NotificationStatus};

use super::{BadRow, StoredRow};

/// The delivery's own columns [`delivery_from_row`] reads (of `d`, the
/// `notification_deliveries` row), before the next attempt's time.
pub(crate) const DELIVERY_COLUMNS: &str =
    "d.id, d.channel_id, d.run_id, d.event, d.status, d.error, d.created_at, d.updated_at";

/// The columns [`attempt_from_row`] reads, in its order.
pub(crate) const ATTEMPT_COLUMNS: &str = "attempt, at, ok, latency_ms, error";

/// A delivery without its attempts; column 8 is the due time (Unix
/// milliseconds) of its queue item while that is queued, else NULL.
pub(crate) fn delivery_from_row(row: &impl StoredRow) -> Result<NotificationDelivery, BadRow> {
    let status = row.parsed(4, NotificationStatus::parse)?;
    Ok(NotificationDelivery {
        id: row.parsed(0, |s| NotificationId::parse(s).ok())?,
        channel_id: row.parsed(1, |s| ChannelId::parse(s).ok())?,
        run_id: row
            .col::<Option<String>>(2)?
            .and_then(|s| RunId::parse(&s).ok()),
        event: row.col(3)?,
        status,
        attempts: Vec::new(),
        next_attempt_at: row
            .time_opt(8)?
            .filter(|_| status == NotificationStatus::Pending),
        error: row.col(5)?,
        created_at: row.time(6)?,
        updated_at: row.time(7)?,
    })
}

pub(crate) fn attempt_from_row(row: &impl StoredRow) -> Result<NotificationAttempt, BadRow> {
    let attempt: i64 = row.col(0)?;
    Ok(NotificationAttempt {
        attempt: u32::try_from(attempt)
            .map_err(|_| BadRow(format!("attempt number {attempt} out of range")))?,
        at: row.time(1)?,
        status: if row.col::<bool>(2)? {
            NotificationStatus::Delivered
        } else {
            NotificationStatus::Failed
        },
        latency_ms: row.col::<i64>(3)?.max(0) as u64,
        error: row.col(4)?,
    })
}

/// What an attempt's outcome records: whether it went through, its error
/// and the delivery's status after it.
pub(crate) fn attempt_effect(
    outcome: &crate::notifications::AttemptOutcome,
) -> (bool, Option<&str>, &'static str) {
    use crate::notifications::AttemptOutcome;
    match outcome {
        AttemptOutcome::Delivered => (true, None, "delivered"),
        AttemptOutcome::Retrying(e) => (false, Some(e.as_str()), "pending"),
        AttemptOutcome::Failed(e) => (false, Some(e.as_str()), "failed"),
    }
}
