//! Syncs on PostgreSQL: starting one (with its queue item, in one
//! transaction), its progress, the reasons its documents failed, finishing
//! it (with its outbox event and any follow-up), the documents it writes,
//! and the outbox read back.
//!
//! Replicas start and finish syncs at once, so what the embedded store's
//! write gate serialised is serialised here by the data source's row:
//! starting a sync and finishing one lock it (`FOR NO KEY UPDATE`, which
//! leaves documents and syncs free to reference it) before looking at the
//! source's active sync or its follow-up mark. The unique partial index
//! `syncs_one_active` stays the last word: an insert it refuses reads as
//! the sync already active, as it does when the check sees it first.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use grove_core::ids::{DataSourceId, DocumentId, OrgId, SyncId};
use grove_core::sources::{Document, DocumentError, SourceSync, SyncInitiator};
use serde_json::json;

use super::documents::upsert;
use super::outbox::{pending_events, recent_events, record_event};
use super::queue::insert_item;
use super::{mapped, mapped_opt, now_ms, pg_error, PgStore};
use crate::queue::NewItem;
use crate::rows::documents::{document_from_row, DOCUMENT_COLUMNS as DOC_COLUMNS};
use crate::rows::syncs::{
    document_error_from_row, sync_from_row, DOCUMENT_ERROR_COLUMNS, SYNC_COLUMNS as COLUMNS,
};
use crate::rows::StoredRow;
use crate::{OutboxEvent, StoreError, StoreResult, SyncProgress, SyncStart, SyncStore, SYNC_KIND};

async fn select_sync(client: &impl GenericClient, id: &SyncId) -> StoreResult<Option<SourceSync>> {
    let row = client
        .query_opt(
            &format!("SELECT {COLUMNS} FROM syncs WHERE id = $1"),
            &[&id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    mapped_opt(row, sync_from_row)
}

/// Locks the data source's row until the transaction ends: the one
/// place where starts and finishes of its syncs queue up.
async fn lock_source(client: &impl GenericClient, ds: &DataSourceId) -> StoreResult<()> {
    client
        .execute(
            "SELECT 1 FROM data_sources WHERE id = $1 FOR NO KEY UPDATE",
            &[&ds.as_str()],
        )
        .await
        .map(|_| ())
        .map_err(pg_error)
}

async fn active_sync(
    client: &impl GenericClient,
    ds: &DataSourceId,
) -> StoreResult<Option<SyncId>> {
    let row = client
        .query_opt(
            "SELECT id FROM syncs WHERE data_source_id = $1 AND status IN ('queued', 'running')",
            &[&ds.as_str()],
        )
        .await
        .map_err(pg_error)?;
    mapped_opt(row, |r| r.parsed(0, |s| SyncId::parse(s).ok()))
}

/// Queues a sync of `ds` inside the caller's transaction, or, if one is
/// queued or running, marks a follow-up when `follow_up` is set. Locks the
/// data source's row until the transaction ends (a caller starting syncs
/// of several sources should take them in one order, by id).
pub(crate) async fn sync_in(
    tx: &impl GenericClient,
    org: &OrgId,
    ds: &DataSourceId,
    initiator: SyncInitiator,
    follow_up: bool,
) -> StoreResult<SyncStart> {
    lock_source(tx, ds).await?;
    if active_sync(tx, ds).await?.is_none() {
        if let Some(sync) = insert_sync(tx, org, ds, initiator).await? {
            return Ok(SyncStart::Started(sync));
        }
    }
    // Seen first, or refused by `syncs_one_active`: either way another
    // sync is queued or running.
    let active = active_sync(tx, ds).await?.ok_or_else(|| {
        StoreError::Conflict("another sync of this data source is starting".into())
    })?;
    if follow_up {
        tx.execute(
            "UPDATE data_sources SET follow_up_sync = TRUE WHERE id = $1",
            &[&ds.as_str()],
        )
        .await
        .map_err(pg_error)?;
    }
    Ok(SyncStart::AlreadyActive(active))
}

/// A queued sync and its durable queue item, inside the caller's
/// transaction; `None` if `syncs_one_active` holds another.
async fn insert_sync(
    tx: &impl GenericClient,
    org: &OrgId,
    ds: &DataSourceId,
    initiator: SyncInitiator,
) -> StoreResult<Option<SourceSync>> {
    let id = SyncId::generate();
    let row = tx
        .query_opt(
            &format!(
                "INSERT INTO syncs (id, org_id, data_source_id, status, initiator, created_at)
                 VALUES ($1, $2, $3, 'queued', $4, $5)
                 ON CONFLICT (data_source_id) WHERE status IN ('queued', 'running') DO NOTHING
                 RETURNING {COLUMNS}"
            ),
            &[
                &id.as_str(),
                &org.as_str(),
                &ds.as_str(),
                &initiator.as_str(),
                &now_ms(),
            ],
        )
        .await
        .map_err(pg_error)?;
    let Some(sync) = mapped_opt(row, sync_from_row)? else {
        return Ok(None);
    };
    let mut item = NewItem::new(SYNC_KIND, json!({ "sync_id": id.as_str() }));
    item.org_id = Some(org.clone());
    insert_item(tx, &item).await?;
    Ok(Some(sync))
}

/// The statuses and event a finished sync leaves.
fn outcome_marks(outcome: &Result<(), String>) -> (&str, &str, &str, Option<&str>) {
    match outcome {
        Ok(()) => ("succeeded", "active", "data_source.synced", None),
        Err(reason) => (
            "failed",
            "failed",
            "data_source.failed",
            Some(reason.as_str()),
        ),
    }
}

/// Ends sync `id` inside the caller's transaction: its status, its data
/// source's, the outbox event and any follow-up sync asked for meanwhile.
async fn finish_in(
    tx: &impl GenericClient,
    id: &SyncId,
    outcome: &Result<(), String>,
) -> StoreResult<()> {
    let Some(ds) = tx
        .query_opt(
            "SELECT data_source_id FROM syncs WHERE id = $1",
            &[&id.as_str()],
        )
        .await
        .map_err(pg_error)?
    else {
        return Ok(());
    };
    let ds = DataSourceId::parse(&ds.try_get::<_, String>(0).map_err(pg_error)?)
        .map_err(|e| StoreError::Backend(format!("stored data source id: {e}")))?;
    lock_source(tx, &ds).await?;
    let (status, source_status, event, error) = outcome_marks(outcome);
    let now = now_ms();
    let row = tx
        .query_opt(
            &format!(
                "UPDATE syncs SET status = $2, error = $3, finished_at = $4 WHERE id = $1
                 RETURNING {COLUMNS}"
            ),
            &[&id.as_str(), &status, &error, &now],
        )
        .await
        .map_err(pg_error)?;
    let Some(sync) = mapped_opt(row, sync_from_row)? else {
        return Ok(());
    };
    tx.execute(
        "UPDATE data_sources SET status = $2, updated_at = $3,
                last_synced_at = CASE WHEN $2 = 'active' THEN $3 ELSE last_synced_at END
         WHERE id = $1",
        &[&ds.as_str(), &source_status, &now],
    )
    .await
    .map_err(pg_error)?;
    let data = json!({
        "data_source_id": sync.data_source_id,
        "sync_id": sync.id,
        "documents_done": sync.documents_done,
        "documents_failed": sync.documents_failed,
        "chunks_indexed": sync.chunks_indexed,
        "error": error,
    });
    record_event(tx, sync.org_id.as_str(), event, data).await?;
    let follow_up = tx
        .execute(
            "UPDATE data_sources SET follow_up_sync = FALSE WHERE id = $1 AND follow_up_sync",
            &[&ds.as_str()],
        )
        .await
        .map_err(pg_error)?;
    if follow_up > 0 {
        // Under the source's lock nothing else is active; were one, it
        // would serve the follow-up.
        insert_sync(tx, &sync.org_id, &ds, sync.initiator).await?;
    }
    Ok(())
}

/// A count as a BIGINT.
fn big(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl PgStore {
    async fn begin_sync(
        &self,
        org: &OrgId,
        data_source: &DataSourceId,
        initiator: SyncInitiator,
        follow_up: bool,
    ) -> StoreResult<SyncStart> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let start = sync_in(&tx, org, data_source, initiator, follow_up).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(start)
    }

    /// The documents `clause` (a condition, perhaps with an order) selects.
    async fn documents_where(
        &self,
        clause: &str,
        args: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> StoreResult<Vec<Document>> {
        let rows = self
            .client()
            .await?
            .query(
                &format!("SELECT {DOC_COLUMNS} FROM documents WHERE {clause}"),
                args,
            )
            .await
            .map_err(pg_error)?;
        mapped(rows, document_from_row)
    }
}

#[async_trait]
impl SyncStore for PgStore {
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
        select_sync(&self.client().await?, id).await
    }

    async fn latest_sync(
        &self,
        org: &OrgId,
        data_source: &DataSourceId,
    ) -> StoreResult<Option<SourceSync>> {
        let row = self
            .client()
            .await?
            .query_opt(
                &format!(
                    "SELECT {COLUMNS} FROM syncs WHERE org_id = $1 AND data_source_id = $2
                     ORDER BY created_at DESC, seq DESC LIMIT 1"
                ),
                &[&org.as_str(), &data_source.as_str()],
            )
            .await
            .map_err(pg_error)?;
        mapped_opt(row, sync_from_row)
    }

    async fn mark_sync_running(&self, id: &SyncId) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let now = now_ms();
        tx.execute(
            "UPDATE syncs SET status = 'running', started_at = COALESCE(started_at, $2)
             WHERE id = $1 AND status IN ('queued', 'running')",
            &[&id.as_str(), &now],
        )
        .await
        .map_err(pg_error)?;
        tx.execute(
            "UPDATE data_sources SET status = 'processing', updated_at = $2
             WHERE id = (SELECT data_source_id FROM syncs WHERE id = $1)",
            &[&id.as_str(), &now],
        )
        .await
        .map_err(pg_error)?;
        tx.commit().await.map_err(pg_error)
    }

    async fn report_progress(&self, id: &SyncId, p: SyncProgress) -> StoreResult<()> {
        self.client()
            .await?
            .execute(
                "UPDATE syncs SET documents_total = $2, documents_done = $3,
                        documents_failed = $4, chunks_indexed = $5 WHERE id = $1",
                &[
                    &id.as_str(),
                    &big(p.documents_total),
                    &big(p.documents_done),
                    &big(p.documents_failed),
                    &big(p.chunks_indexed),
                ],
            )
            .await
            .map(|_| ())
            .map_err(pg_error)
    }

    async fn record_document_error(
        &self,
        id: &SyncId,
        document: &str,
        message: &str,
    ) -> StoreResult<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO sync_errors (sync_id, document, message, at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (sync_id, document) DO UPDATE SET message = excluded.message,
                                                               at = excluded.at",
                &[&id.as_str(), &document, &message, &now_ms()],
            )
            .await
            .map(|_| ())
            .map_err(pg_error)
    }

    async fn document_errors(&self, id: &SyncId, limit: u32) -> StoreResult<Vec<DocumentError>> {
        let rows = self
            .client()
            .await?
            .query(
                &format!(
                    "SELECT {DOCUMENT_ERROR_COLUMNS} FROM sync_errors WHERE sync_id = $1
                     ORDER BY at, document COLLATE \"C\" LIMIT $2"
                ),
                &[&id.as_str(), &i64::from(limit)],
            )
            .await
            .map_err(pg_error)?;
        mapped(rows, document_error_from_row)
    }

    async fn finish_sync(&self, id: &SyncId, outcome: Result<(), String>) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        finish_in(&tx, id, &outcome).await?;
        tx.commit().await.map_err(pg_error)
    }

    async fn get_document(
        &self,
        data_source: &DataSourceId,
        source_key: &str,
    ) -> StoreResult<Option<Document>> {
        let found = self
            .documents_where(
                "data_source_id = $1 AND source_key = $2",
                &[&data_source.as_str(), &source_key],
            )
            .await?;
        Ok(found.into_iter().next())
    }

    async fn put_document(
        &self,
        org: &OrgId,
        doc: Document,
        sync: Option<&SyncId>,
    ) -> StoreResult<()> {
        upsert(&self.client().await?, org, &doc, sync, false).await
    }

    async fn put_failed_document(
        &self,
        org: &OrgId,
        doc: Document,
        sync: Option<&SyncId>,
    ) -> StoreResult<()> {
        upsert(&self.client().await?, org, &doc, sync, true).await
    }

    async fn touch_documents(
        &self,
        data_source: &DataSourceId,
        source_keys: &[String],
        sync: &SyncId,
    ) -> StoreResult<()> {
        self.client()
            .await?
            .execute(
                "UPDATE documents SET last_sync_id = $3
                 WHERE data_source_id = $1 AND source_key = ANY($2)",
                &[&data_source.as_str(), &source_keys, &sync.as_str()],
            )
            .await
            .map(|_| ())
            .map_err(pg_error)
    }

    async fn documents(&self, data_source: &DataSourceId) -> StoreResult<Vec<Document>> {
        self.documents_where(
            "data_source_id = $1 ORDER BY source_key COLLATE \"C\"",
            &[&data_source.as_str()],
        )
        .await
    }

    async fn unseen_documents(
        &self,
        data_source: &DataSourceId,
        sync: &SyncId,
    ) -> StoreResult<Vec<Document>> {
        self.documents_where(
            "data_source_id = $1 AND last_sync_id != $2",
            &[&data_source.as_str(), &sync.as_str()],
        )
        .await
    }

    async fn delete_documents(&self, ids: &[DocumentId]) -> StoreResult<()> {
        let ids: Vec<&str> = ids.iter().map(DocumentId::as_str).collect();
        self.client()
            .await?
            .execute("DELETE FROM documents WHERE id = ANY($1)", &[&ids])
            .await
            .map(|_| ())
            .map_err(pg_error)
    }

    async fn pending_events(&self, limit: u32) -> StoreResult<Vec<OutboxEvent>> {
        pending_events(&self.client().await?, limit).await
    }

    async fn recent_events(&self, event: &str, limit: u32) -> StoreResult<Vec<OutboxEvent>> {
        recent_events(&self.client().await?, event, limit).await
    }
}
