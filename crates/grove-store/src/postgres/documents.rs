//! Documents on PostgreSQL: the upsert a sync writes them with (through
//! [`crate::SyncStore`]), and the reads and delete of the documents API
//! ([`DocumentStore`]). A document is one row per data source and key, so
//! replicas writing the same one meet in `ON CONFLICT`, never in a
//! duplicate.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use grove_core::ids::{DataSourceId, DocumentId, OrgId, SyncId};
use grove_core::page::Page;
use grove_core::sources::Document;

use super::{delete_in_org, filtered_page, mapped_opt, now_ms, pg_error, Arg, PgStore};
use crate::rows::documents::{
    contains_pattern, document_from_row, DOCUMENT_COLUMNS as COLUMNS, MARK_FAILED, REPLACE_ALL,
};
use crate::{DocumentFilter, DocumentStore, Listed, StoreResult};

/// Inserts `doc`, or updates the row of its data source and key: all of
/// it, or only what a failure changes.
pub(super) async fn upsert(
    client: &impl GenericClient,
    org: &OrgId,
    doc: &Document,
    sync: Option<&SyncId>,
    only_failure: bool,
) -> StoreResult<()> {
    let update = if only_failure {
        MARK_FAILED
    } else {
        REPLACE_ALL
    };
    client
        .execute(
            &format!(
                "INSERT INTO documents (id, org_id, data_source_id, source_key, title, url,
                                        content_hash, chunks, bytes, status, error, indexed_at,
                                        last_sync_id, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                 ON CONFLICT (data_source_id, source_key) DO UPDATE SET {update},
                    last_sync_id = excluded.last_sync_id, updated_at = excluded.updated_at"
            ),
            &[
                &doc.id.as_str(),
                &org.as_str(),
                &doc.data_source_id.as_str(),
                &doc.source_key,
                &doc.title,
                &doc.url,
                &doc.content_hash,
                &i64::from(doc.chunks),
                &doc.bytes.map(|b| i64::try_from(b).unwrap_or(i64::MAX)),
                &doc.status.as_str(),
                &doc.error,
                &doc.indexed_at.map(|t| t.as_millisecond()),
                &sync.map(SyncId::as_str),
                &now_ms(),
            ],
        )
        .await
        .map(|_| ())
        .map_err(pg_error)
}

/// The SQL condition and arguments of a filtered listing.
fn condition(
    org: &OrgId,
    data_source: &DataSourceId,
    filter: &DocumentFilter,
) -> (String, Vec<Arg>) {
    let mut condition = String::from("org_id = $1 AND data_source_id = $2");
    let mut args: Vec<Arg> = vec![
        Box::new(org.as_str().to_owned()),
        Box::new(data_source.as_str().to_owned()),
    ];
    if let Some(status) = filter.status {
        args.push(Box::new(status.as_str().to_owned()));
        condition.push_str(&format!(" AND status = ${}", args.len()));
    }
    if let Some(text) = &filter.text {
        // ILIKE, as SQLite's LIKE, ignores case; `\` escapes the text's
        // own wildcards.
        args.push(Box::new(contains_pattern(text)));
        let n = args.len();
        condition.push_str(&format!(
            " AND (title ILIKE ${n} ESCAPE '\\' OR COALESCE(url, '') ILIKE ${n} ESCAPE '\\'
                   OR source_key ILIKE ${n} ESCAPE '\\')"
        ));
    }
    if let Some(error) = &filter.error {
        args.push(Box::new(error.clone()));
        condition.push_str(&format!(" AND COALESCE(error, '') = ${}", args.len()));
    }
    (condition, args)
}

#[async_trait]
impl DocumentStore for PgStore {
    async fn list_documents(
        &self,
        org: &OrgId,
        data_source: &DataSourceId,
        filter: &DocumentFilter,
        page: Page,
    ) -> StoreResult<Listed<Document>> {
        let (condition, args) = condition(org, data_source, filter);
        let client = self.client().await?;
        // Keys in byte order, as SQLite orders them, whatever the
        // database's collation.
        filtered_page(
            &client,
            "documents",
            COLUMNS,
            &condition,
            args,
            "source_key COLLATE \"C\"",
            page,
            document_from_row,
        )
        .await
    }

    async fn failure_counts(
        &self,
        org: &OrgId,
        data_source: &DataSourceId,
    ) -> StoreResult<Vec<(String, u64)>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT COALESCE(error, '') AS reason, COUNT(*) FROM documents
                 WHERE org_id = $1 AND data_source_id = $2 AND status = 'failed'
                 GROUP BY 1 ORDER BY 2 DESC, COALESCE(error, '') COLLATE \"C\" LIMIT 50",
                &[&org.as_str(), &data_source.as_str()],
            )
            .await
            .map_err(pg_error)?;
        rows.iter()
            .map(|r| {
                let count: i64 = r.try_get(1).map_err(pg_error)?;
                Ok((r.try_get(0).map_err(pg_error)?, count.max(0) as u64))
            })
            .collect()
    }

    async fn find_document(&self, org: &OrgId, id: &DocumentId) -> StoreResult<Option<Document>> {
        let row = self
            .client()
            .await?
            .query_opt(
                &format!("SELECT {COLUMNS} FROM documents WHERE org_id = $1 AND id = $2"),
                &[&org.as_str(), &id.as_str()],
            )
            .await
            .map_err(pg_error)?;
        mapped_opt(row, document_from_row)
    }

    async fn delete_document(&self, org: &OrgId, id: &DocumentId) -> StoreResult<bool> {
        delete_in_org(self, "documents", org, id.as_str()).await
    }
}
