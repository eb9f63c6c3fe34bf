//! Data sources as stored, and when one is due for a scheduled sync.

use grove_core::ids::{DataSourceId, OrgId};
use grove_core::sources::{DataSource, SourceKind, SourceStatus, SyncFrequency};
use jiff::Timestamp;

use super::{BadRow, StoredRow};

/// The columns [`data_source_from_row`] reads, in its order.
pub(crate) const DATA_SOURCE_COLUMNS: &str =
    "id, org_id, name, kind, config, status, sync_frequency, \
     chunk_size, chunk_overlap, last_synced_at, created_at, updated_at";

pub(crate) fn data_source_from_row(row: &impl StoredRow) -> Result<DataSource, BadRow> {
    let config: String = row.col(4)?;
    Ok(DataSource {
        id: row.parsed(0, |s| DataSourceId::parse(s).ok())?,
        org_id: row.parsed(1, |s| OrgId::parse(s).ok())?,
        name: row.col(2)?,
        kind: row.parsed(3, SourceKind::parse)?,
        config: serde_json::from_str(&config).unwrap_or_default(),
        status: row.parsed(5, SourceStatus::parse)?,
        sync_frequency: row.parsed(6, SyncFrequency::parse)?,
        chunk_size: small(row, 7)?,
        chunk_overlap: small(row, 8)?,
        last_synced_at: row.time_opt(9)?,
        created_at: row.time(10)?,
        updated_at: row.time(11)?,
    })
}

fn small(row: &impl StoredRow, i: usize) -> Result<u32, BadRow> {
    let n: i64 = row.col(i)?;
    u32::try_from(n).map_err(|_| BadRow(format!("column {i} holds {n}, out of range")))
}

/// Whether a scheduled source is due at `now`: never synced, or the last
/// attempt (successful or not) is at least one interval old, so a failing
/// source is not retried in a loop.
pub(crate) fn sync_due(
    source: &DataSource,
    last_attempt: Option<Timestamp>,
    now: Timestamp,
) -> bool {
    match (last_attempt, source.sync_frequency.interval()) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(at), Some(every)) => {
            let every = jiff::SignedDuration::try_from(every).unwrap_or_default();
            now.duration_since(at) >= every
        }
    }
}

/// The query of sources with a schedule and no sync queued or running,
/// each with its last sync's creation time (column 12).
pub(crate) fn scheduled_sources_sql() -> String {
    format!(
        "SELECT {DATA_SOURCE_COLUMNS}, (SELECT MAX(s.created_at) FROM syncs s
                                      WHERE s.data_source_id = d.id)
         FROM data_sources d WHERE sync_frequency != 'manual'
         AND NOT EXISTS (SELECT 1 FROM syncs s WHERE s.data_source_id = d.id
                         AND s.status IN ('queued', 'running'))"
    )
}
