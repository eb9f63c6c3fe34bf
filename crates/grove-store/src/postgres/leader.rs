//! Leader leases on PostgreSQL: the singleton work of a deployment (outbox
//! fan-out, housekeeping, sync scheduling) is done by whichever replica holds
//! the named lease. A lease has a time-to-live, renewed by its holder, and an
//! epoch bumped whenever it changes hands (or lapses and is taken again);
//! [`fence`] checks the epoch inside a write's transaction and holds the row
//! until it commits, so a leader that stalled past its lease writes nothing
//! once another has taken over. No advisory lock outlives a transaction.

use std::time::Duration;

use tokio_postgres::GenericClient;

use super::{pg_error, PgStore};
use crate::{millis, StoreError, StoreResult};

/// A lease held: who, and in which epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leadership {
    pub name: String,
    pub holder: String,
    pub epoch: i64,
}

impl PgStore {
    /// Takes the lease `name` for `holder`, or renews it when `holder` has
    /// it; `None` while another holder's lease runs. Renewing keeps the
    /// epoch; taking (a free, lapsed or released lease) bumps it.
    pub async fn acquire_leadership(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
    ) -> StoreResult<Option<Leadership>> {
        let row = self
            .client()
            .await?
            .query_opt(
                "INSERT INTO leader_leases AS l (name, holder, epoch, expires_at)
                 VALUES ($1, $2, 1, now() + $3::BIGINT * interval '1 millisecond')
                 ON CONFLICT (name) DO UPDATE
                 SET holder = EXCLUDED.holder,
                     expires_at = EXCLUDED.expires_at,
                     epoch = l.epoch + CASE WHEN l.holder = EXCLUDED.holder
                                             AND l.expires_at > now() THEN 0 ELSE 1 END
                 WHERE l.holder = EXCLUDED.holder OR l.expires_at <= now()
                 RETURNING epoch",
                &[&name, &holder, &millis(ttl)],
            )
            .await
            .map_err(pg_error)?;
        Ok(row.map(|row| Leadership {
            name: name.to_owned(),
            holder: holder.to_owned(),
            epoch: row.get(0),
        }))
    }

    /// Gives the lease up at once (on shutdown), if it is still this one.
    pub async fn release_leadership(&self, lease: &Leadership) -> StoreResult<bool> {
        let changed = self
            .client()
            .await?
            .execute(
                "UPDATE leader_leases SET expires_at = now()
                 WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > now()",
                &[&lease.name, &lease.holder, &lease.epoch],
            )
            .await
            .map_err(pg_error)?;
        Ok(changed == 1)
    }
}

/// Checks, inside the caller's transaction, that `lease` is still held and
/// keeps it from changing hands until that transaction ends. A lost lease
/// is a conflict: the caller rolls back, and stops leading.
pub async fn fence(client: &impl GenericClient, lease: &Leadership) -> StoreResult<()> {
    let held = client
        .query_opt(
            "SELECT 1 FROM leader_leases
             WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > now()
             FOR SHARE",
            &[&lease.name, &lease.holder, &lease.epoch],
        )
        .await
        .map_err(pg_error)?;
    match held {
        Some(_) => Ok(()),
        None => Err(StoreError::Conflict(format!(
            "leadership of {} lost (epoch {})",
            lease.name, lease.epoch
        ))),
    }
}
