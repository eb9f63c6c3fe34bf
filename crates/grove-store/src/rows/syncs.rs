//! Syncs, the reasons their documents failed, and outbox events as stored.

use grove_core::ids::{DataSourceId, EventId, OrgId, SyncId};
use grove_core::sources::{DocumentError, SourceSync, SyncInitiator, SyncStatus};

use super::{BadRow, StoredRow};
use crate::OutboxEvent;

/// The columns [`sync_from_row`] reads, in its order.
pub(crate) const SYNC_COLUMNS: &str =
    "id, org_id, data_source_id, status, initiator, documents_total, \
     documents_done, documents_failed, chunks_indexed, error, created_at, started_at, finished_at";

/// The columns [`document_error_from_row`] reads, in its order.
pub(crate) const DOCUMENT_ERROR_COLUMNS: &str = "document, message";

/// The columns [`event_from_row`] reads, in its order.
pub(crate) const EVENT_COLUMNS: &str = "id, org_id, event, data, created_at";

pub(crate) fn sync_from_row(row: &impl StoredRow) -> Result<SourceSync, BadRow> {
    Ok(SourceSync {
        id: row.parsed(0, |s| SyncId::parse(s).ok())?,
        org_id: row.parsed(1, |s| OrgId::parse(s).ok())?,
        data_source_id: row.parsed(2, |s| DataSourceId::parse(s).ok())?,
        status: row.parsed(3, SyncStatus::parse)?,
        initiator: row.parsed(4, SyncInitiator::parse)?,
        documents_total: row.count(5)?,
        documents_done: row.count(6)?,
        documents_failed: row.count(7)?,
        chunks_indexed: row.count(8)?,
        error: row.col(9)?,
        created_at: row.time(10)?,
        started_at: row.time_opt(11)?,
        finished_at: row.time_opt(12)?,
    })
}

pub(crate) fn document_error_from_row(row: &impl StoredRow) -> Result<DocumentError, BadRow> {
    Ok(DocumentError {
        document: row.col(0)?,
        message: row.col(1)?,
    })
}

/// An outbox event; data that is not JSON reads as `null`.
pub(crate) fn event_from_row(row: &impl StoredRow) -> Result<OutboxEvent, BadRow> {
    let data: String = row.col(3)?;
    Ok(OutboxEvent {
        id: row.parsed(0, |s| EventId::parse(s).ok())?,
        org_id: row.parsed(1, |s| OrgId::parse(s).ok())?,
        event: row.col(2)?,
        data: serde_json::from_str(&data).unwrap_or_default(),
        created_at: row.time(4)?,
    })
}
