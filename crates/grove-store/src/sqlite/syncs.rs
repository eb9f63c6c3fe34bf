//! Syncs, documents and the event outbox in SQLite. A sync row and its
//! queue item are written in one transaction, and a partial unique index
//! keeps one queued-or-running sync per data source.

use async_trait::async_trait;
use grove_core::ids::{DataSourceId, DocumentId, EventId, OrgId, SyncId};
use grove_core::sources::{Document, DocumentError, SourceSync, SyncInitiator};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::json;

use super::documents::upsert;
use super::queue::insert_item;
use super::{backend, now_ms, parsed, SqliteStore};
use crate::queue::NewItem;
use crate::rows::documents::{document_from_row, DOCUMENT_COLUMNS as DOC_COLUMNS};
use crate::rows::syncs::{
    document_error_from_row, event_from_row, sync_from_row, DOCUMENT_ERROR_COLUMNS, EVENT_COLUMNS,
    SYNC_COLUMNS as COLUMNS,
};
use crate::{OutboxEvent, StoreResult, SyncProgress, SyncStart, SyncStore, SYNC_KIND};

fn select_sync(conn: &Connection, id: &SyncId) -> StoreResult<Option<SourceSync>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM syncs WHERE id = ?1"),
        [id.as_str()],
        |r| Ok(sync_from_row(r)?),
    )
    .optional()
    .map_err(backend)
}

fn active_sync(conn: &Connection, ds: &DataSourceId) -> StoreResult<Option<SyncId>> {
    conn.query_row(
        "SELECT id FROM syncs WHERE data_source_id = ?1 AND status IN ('queued', 'running')",
        [ds.as_str()],
        |r| parsed(r.get(0)?, |s| SyncId::parse(s).ok()),
    )
    .optional()
    .map_err(backend)
}

/// Appends an event to the outbox (inside the caller's transaction).
pub(super) fn record_event(
    conn: &Connection,
    org: &str,
    event: &str,
    data: serde_json::Value,
) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO outbox (id, org_id, event, data, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            EventId::generate().as_str(),
            org,
            event,
            data.to_string(),
            now_ms()
        ],
    )
    .map(|_| ())
    .map_err(backend)
}

impl SqliteStore {
    async fn begin_sync(
        &self,
        org: &OrgId,
        data_source: &DataSourceId,
        initiator: SyncInitiator,
        follow_up: bool,
    ) -> StoreResult<SyncStart> {
        let (org, ds) = (org.clone(), data_source.clone());
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let start = sync_in(&tx, &org, &ds, initiator, follow_up)?;
            tx.commit().map_err(backend)?;
            Ok(start)
        })
        .await
    }
}

/// Queues a sync of `ds` inside the caller's transaction, or, if one is
/// queued or running, marks a follow-up when `follow_up` is set.
pub(super) fn sync_in(
    tx: &Connection,
    org: &OrgId,
    ds: &DataSourceId,
    initiator: SyncInitiator,
    follow_up: bool,
) -> StoreResult<SyncStart> {
    if let Some(active) = active_sync(tx, ds)? {
        if follow_up {
            tx.execute(
                "UPDATE data_sources SET follow_up_sync = 1 WHERE id = ?1",
                params![ds.as_str()],
            )
            .map_err(backend)?;
        }
        return Ok(SyncStart::AlreadyActive(active));
    }
    Ok(SyncStart::Started(insert_sync(tx, org, ds, initiator)?))
}

/// A queued sync and its durable queue item, inside the caller's transaction.
fn insert_sync(
    tx: &Connection,
    org: &OrgId,
    ds: &DataSourceId,
    initiator: SyncInitiator,
) -> StoreResult<SourceSync> {
    let id = SyncId::generate();
    tx.execute(
        "INSERT INTO syncs (id, org_id, data_source_id, status, initiator, created_at)
         VALUES (?1, ?2, ?3, 'queued', ?4, ?5)",
        params![
            id.as_str(),
            org.as_str(),
            ds.as_str(),
            initiator.as_str(),
            now_ms()
        ],
    )
    .map_err(backend)?;
    let mut item = NewItem::new(SYNC_KIND, json!({ "sync_id": id.as_str() }));
    item.org_id = Some(org.clone());
    insert_item(tx, &item).map_err(backend)?;
    select_sync(tx, &id)?.ok_or_else(|| backend("sync vanished"))
}

#[async_trait]
impl SyncStore for SqliteStore {
    async fn start_sync(
        &self,
        org: &OrgId,
        data_source: &DataSourceId,
        initiator: SyncInitiator,
    ) -> StoreResult<SyncStart> {
        self.begin_sync(org, data_source, initiator, false).await
    }

    async fn start_or_follow_up_sync(
        &self,
        org: &OrgId,
        data_source: &DataSourceId,
        initiator: SyncInitiator,
    ) -> StoreResult<SyncStart> {
        self.begin_sync(org, data_source, initiator, true).await
    }

    async fn get_sync(&self, id: &SyncId) -> StoreResult<Option<SourceSync>> {
        self.read(|conn| select_sync(conn, id))
    }

    async fn latest_sync(
        &self,
        org: &OrgId,
        data_source: &DataSourceId,
    ) -> StoreResult<Option<SourceSync>> {
        self.read(|conn| {
            conn.query_row(
                &format!(
                    "SELECT {COLUMNS} FROM syncs WHERE org_id = ?1 AND data_source_id = ?2
                     ORDER BY created_at DESC, rowid DESC LIMIT 1"
                ),
                params![org.as_str(), data_source.as_str()],
                |r| Ok(sync_from_row(r)?),
            )
            .optional()
            .map_err(backend)
        })
    }

    async fn mark_sync_running(&self, id: &SyncId) -> StoreResult<()> {
        let id = id.clone();
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let now = now_ms();
            tx.execute(
                "UPDATE syncs SET status = 'running', started_at = COALESCE(started_at, ?2)
                 WHERE id = ?1 AND status IN ('queued', 'running')",
                params![id.as_str(), now],
            )
            .map_err(backend)?;
            tx.execute(
                "UPDATE data_sources SET status = 'processing', updated_at = ?2
                 WHERE id = (SELECT data_source_id FROM syncs WHERE id = ?1)",
                params![id.as_str(), now],
            )
            .map_err(backend)?;
            tx.commit().map_err(backend)
        })
        .await
    }

    async fn report_progress(&self, id: &SyncId, p: SyncProgress) -> StoreResult<()> {
        let id = id.clone();
        self.write(move |conn| {
            conn.execute(
                "UPDATE syncs SET documents_total = ?2, documents_done = ?3,
                        documents_failed = ?4, chunks_indexed = ?5 WHERE id = ?1",
                params![
                    id.as_str(),
                    p.documents_total as i64,
                    p.documents_done as i64,
                    p.documents_failed as i64,
                    p.chunks_indexed as i64
                ],
            )
            .map(|_| ())
            .map_err(backend)
        })
        .await
    }

    async fn record_document_error(
        &self,
        id: &SyncId,
        document: &str,
        message: &str,
    ) -> StoreResult<()> {
        let (id, document, message) = (id.clone(), document.to_owned(), message.to_owned());
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO sync_errors (sync_id, document, message, at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (sync_id, document) DO UPDATE SET message = excluded.message,
                                                               at = excluded.at",
                params![id.as_str(), document, message, now_ms()],
            )
            .map(|_| ())
            .map_err(backend)
        })
        .await
    }

    async fn document_errors(&self, id: &SyncId, limit: u32) -> StoreResult<Vec<DocumentError>> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {DOCUMENT_ERROR_COLUMNS} FROM sync_errors WHERE sync_id = ?1
                     ORDER BY at, document LIMIT ?2"
                ))
                .map_err(backend)?;
            let rows = stmt
                .query_map(params![id.as_str(), limit], |r| {
                    Ok(document_error_from_row(r)?)
                })
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(backend);
            rows
        })
    }

    async fn finish_sync(&self, id: &SyncId, outcome: Result<(), String>) -> StoreResult<()> {
        let id = id.clone();
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let Some(sync) = select_sync(&tx, &id)? else {
                return Ok(());
            };
            let now = now_ms();
            let (status, source_status, event, error) = match &outcome {
                Ok(()) => ("succeeded", "active", "data_source.synced", None),
                Err(reason) => (
                    "failed",
                    "failed",
                    "data_source.failed",
                    Some(reason.as_str()),
                ),
            };
            tx.execute(
                "UPDATE syncs SET status = ?2, error = ?3, finished_at = ?4 WHERE id = ?1",
                params![id.as_str(), status, error, now],
            )
            .map_err(backend)?;
            tx.execute(
                "UPDATE data_sources SET status = ?2, updated_at = ?3,
                        last_synced_at = CASE WHEN ?2 = 'active' THEN ?3 ELSE last_synced_at END
                 WHERE id = ?1",
                params![sync.data_source_id.as_str(), source_status, now],
            )
            .map_err(backend)?;
            let data = json!({
                "data_source_id": sync.data_source_id,
                "sync_id": sync.id,
                "documents_done": sync.documents_done,
                "documents_failed": sync.documents_failed,
                "chunks_indexed": sync.chunks_indexed,
                "error": error,
            });
            record_event(&tx, sync.org_id.as_str(), event, data)?;
            let follow_up = tx
                .execute(
                    "UPDATE data_sources SET follow_up_sync = 0
                     WHERE id = ?1 AND follow_up_sync = 1",
                    params![sync.data_source_id.as_str()],
                )
                .map_err(backend)?;
            if follow_up > 0 {
                insert_sync(&tx, &sync.org_id, &sync.data_source_id, sync.initiator)?;
            }
            tx.commit().map_err(backend)
        })
        .await
    }

    async fn get_document(
        &self,
        data_source: &DataSourceId,
        source_key: &str,
    ) -> StoreResult<Option<Document>> {
        self.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {DOC_COLUMNS} FROM documents WHERE data_source_id = ?1 AND source_key = ?2"
            ))
            .and_then(|mut stmt| {
                stmt.query_row(params![data_source.as_str(), source_key], |r| {
                    Ok(document_from_row(r)?)
                })
                .optional()
            })
            .map_err(backend)
        })
    }

    async fn put_document(
        &self,
        org: &OrgId,
        doc: Document,
        sync: Option<&SyncId>,
    ) -> StoreResult<()> {
        let (org, sync) = (org.clone(), sync.cloned());
        self.write(move |conn| upsert(conn, &org, &doc, sync.as_ref(), false))
            .await
    }

    async fn put_failed_document(
        &self,
        org: &OrgId,
        doc: Document,
        sync: Option<&SyncId>,
    ) -> StoreResult<()> {
        let (org, sync) = (org.clone(), sync.cloned());
        self.write(move |conn| upsert(conn, &org, &doc, sync.as_ref(), true))
            .await
    }

    async fn touch_documents(
        &self,
        data_source: &DataSourceId,
        source_keys: &[String],
        sync: &SyncId,
    ) -> StoreResult<()> {
        let (ds, keys, sync) = (data_source.clone(), source_keys.to_vec(), sync.clone());
        self.write(move |conn| {
            let tx = conn.transaction().map_err(backend)?;
            {
                let mut stmt = tx
                    .prepare_cached(
                        "UPDATE documents SET last_sync_id = ?3
                         WHERE data_source_id = ?1 AND source_key = ?2",
                    )
                    .map_err(backend)?;
                for key in &keys {
                    stmt.execute(params![ds.as_str(), key, sync.as_str()])
                        .map_err(backend)?;
                }
            }
            tx.commit().map_err(backend)
        })
        .await
    }

    async fn documents(&self, data_source: &DataSourceId) -> StoreResult<Vec<Document>> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {DOC_COLUMNS} FROM documents WHERE data_source_id = ?1 ORDER BY source_key"
                ))
                .map_err(backend)?;
            let rows = stmt
                .query_map([data_source.as_str()], |r| Ok(document_from_row(r)?))
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(backend);
            rows
        })
    }

    async fn unseen_documents(
        &self,
        data_source: &DataSourceId,
        sync: &SyncId,
    ) -> StoreResult<Vec<Document>> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {DOC_COLUMNS} FROM documents
                     WHERE data_source_id = ?1 AND last_sync_id != ?2"
                ))
                .map_err(backend)?;
            let rows = stmt
                .query_map(params![data_source.as_str(), sync.as_str()], |r| {
                    Ok(document_from_row(r)?)
                })
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(backend);
            rows
        })
    }

    async fn delete_documents(&self, ids: &[DocumentId]) -> StoreResult<()> {
        let ids: Vec<String> = ids.iter().map(|i| i.as_str().to_owned()).collect();
        self.write(move |conn| {
            conn.execute(
                "DELETE FROM documents WHERE id IN (SELECT value FROM json_each(?1))",
                [serde_json::to_string(&ids).map_err(backend)?],
            )
            .map(|_| ())
            .map_err(backend)
        })
        .await
    }

    async fn pending_events(&self, limit: u32) -> StoreResult<Vec<OutboxEvent>> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {EVENT_COLUMNS} FROM outbox
                     WHERE delivered_at IS NULL ORDER BY seq LIMIT ?1"
                ))
                .map_err(backend)?;
            let rows = stmt
                .query_map([limit], |r| Ok(event_from_row(r)?))
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(backend);
            rows
        })
    }

    async fn recent_events(&self, event: &str, limit: u32) -> StoreResult<Vec<OutboxEvent>> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT * FROM (SELECT {EVENT_COLUMNS}, seq FROM outbox
                                    WHERE event = ?1 ORDER BY seq DESC LIMIT ?2)
                     ORDER BY seq"
                ))
                .map_err(backend)?;
            let rows = stmt
                .query_map(params![event, limit], |r| Ok(event_from_row(r)?))
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(backend);
            rows
        })
    }
}
