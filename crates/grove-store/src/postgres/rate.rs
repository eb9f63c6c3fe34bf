//! Rate limits shared by every replica: GCRA (the generic cell rate
//! algorithm, as the `governor` crate runs it in one process) with its one
//! number of state per key — the theoretical arrival time (TAT) — in a
//! PostgreSQL row. A request is one upsert that moves the TAT on only when
//! the request passes (a refusal writes nothing), so concurrent requests on
//! any replicas are counted exactly, against the database's clock. `governor` cannot keep its state
//! outside the process, hence this hand-written half.

use std::time::Duration;

use super::{pg_error, PgStore};
use crate::StoreResult;

/// A quota: `per_minute` requests on average, up to `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedQuota {
    pub per_minute: u32,
    pub burst: u32,
}

impl SharedQuota {
    /// Microseconds between requests at the average rate.
    fn interval_us(&self) -> i64 {
        60_000_000 / i64::from(self.per_minute.max(1))
    }

    /// How far ahead of now the TAT may be for a request to pass.
    fn tolerance_us(&self) -> i64 {
        self.interval_us() * i64::from(self.burst.max(1) - 1)
    }
}

/// What a request met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedDecision {
    pub allowed: bool,
    /// Requests that could pass right now after this one.
    pub remaining: u32,
    /// Until the bucket is full again.
    pub reset_after: Duration,
    /// When refused: until one request can pass.
    pub retry_after: Option<Duration>,
}

fn micros(us: i64) -> Duration {
    Duration::from_micros(u64::try_from(us).unwrap_or(0))
}

impl PgStore {
    /// Spends one request of `key`'s quota, if it has one left.
    pub async fn spend_rate(&self, key: &str, quota: SharedQuota) -> StoreResult<SharedDecision> {
        let (interval, tolerance) = (quota.interval_us(), quota.tolerance_us());
        let client = self.client().await?;
        // The TAT moves on only when the request passes; the update judges
        // the row's latest version, whatever replica wrote it, at the time
        // it holds the row (`clock_timestamp()`, not the transaction's start:
        // requests that queued on the row would otherwise count from times
        // earlier than the one before them).
        let spent = client
            .query_opt(
                "INSERT INTO rate_limits AS r (key, tat)
                 VALUES ($1, clock_timestamp() + $2::BIGINT * interval '1 microsecond')
                 ON CONFLICT (key) DO UPDATE
                 SET tat = GREATEST(r.tat, clock_timestamp()) + $2::BIGINT * interval '1 microsecond'
                 WHERE GREATEST(r.tat, clock_timestamp()) <= clock_timestamp() + $3::BIGINT * interval '1 microsecond'
                 RETURNING (EXTRACT(EPOCH FROM tat - clock_timestamp()) * 1000000)::BIGINT",
                &[&key, &interval, &tolerance],
            )
            .await
            .map_err(pg_error)?;
        let allowed = spent.is_some();
        // Refused: the TAT as it stands, read in a statement of its own (the
        // refusing one's snapshot may predate the version it was judged on).
        let row = match spent {
            Some(row) => row,
            None => client
                .query_one(
                    "SELECT (EXTRACT(EPOCH FROM tat - clock_timestamp()) * 1000000)::BIGINT
                     FROM rate_limits WHERE key = $1",
                    &[&key],
                )
                .await
                .map_err(pg_error)?,
        };
        // The TAT ahead of now, in microseconds.
        let ahead = row.get::<_, i64>(0).max(0);
        let free = (tolerance + interval - ahead).max(0) / interval.max(1);
        Ok(SharedDecision {
            allowed,
            remaining: u32::try_from(free).unwrap_or(u32::MAX),
            reset_after: micros(ahead),
            retry_after: (!allowed).then(|| micros(ahead - tolerance)),
        })
    }
}
