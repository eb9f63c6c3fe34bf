//! Documents in SQLite: the row mapping and the writes the sync uses
//! (through [`crate::SyncStore`]), and the reads and delete of the
//! documents API ([`DocumentStore`]).

use async_trait::async_trait;
use grove_core::ids::{DataSourceId, DocumentId, OrgId, SyncId};
use grove_core::page::Page;
use grove_core::sources::Document;
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};

use super::{backend, delete_in_org, filtered_page, now_ms, SqliteStore};
use crate::rows::documents::{
    contains_pattern, document_from_row, DOCUMENT_COLUMNS as COLUMNS, MARK_FAILED, REPLACE_ALL,
};
use crate::{DocumentFilter, DocumentStore, Listed, StoreResult};

/// Inserts `doc`, or updates the row of its data source and key: all of
/// it, or only what a failure changes.
pub(super) fn upsert(
    conn: &Connection,
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
    conn.prepare_cached(&format!(
        "INSERT INTO documents (id, org_id, data_source_id, source_key, title, url, content_hash,
                                chunks, bytes, status, error, indexed_at, last_sync_id,
                                updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (data_source_id, source_key) DO UPDATE SET {update},
            last_sync_id = excluded.last_sync_id, updated_at = excluded.updated_at"
    ))
    .and_then(|mut stmt| {
        stmt.execute(params![
            doc.id.as_str(),
            org.as_str(),
            doc.data_source_id.as_str(),
            doc.source_key,
            doc.title,
            doc.url,
            doc.content_hash,
            doc.chunks,
            doc.bytes.map(|b| b as i64),
            doc.status.as_str(),
            doc.error,
            doc.indexed_at.map(|t| t.as_millisecond()),
            sync.map(SyncId::as_str),
            now_ms()
        ])
    })
    .map(|_| ())
    .map_err(backend)
}

/// The SQL condition and arguments of a filtered listing.
fn condition(
    org: &OrgId,
    data_source: &DataSourceId,
    filter: &DocumentFilter,
) -> (String, Vec<Value>) {
    let mut condition = String::from("org_id = ?1 AND data_source_id = ?2");
    let mut args = vec![
        Value::Text(org.as_str().to_owned()),
        Value::Text(data_source.as_str().to_owned()),
    ];
    if let Some(status) = filter.status {
        args.push(Value::Text(status.as_str().to_owned()));
        condition.push_str(&format!(" AND status = ?{}", args.len()));
    }
    if let Some(text) = &filter.text {
        // LIKE ignores ASCII case without copying each value to lower
        // case; `\` escapes the text's own wildcards.
        args.push(Value::Text(contains_pattern(text)));
        let n = args.len();
        condition.push_str(&format!(
            " AND (title LIKE ?{n} ESCAPE '\\' OR COALESCE(url, '') LIKE ?{n} ESCAPE '\\'
                   OR source_key LIKE ?{n} ESCAPE '\\')"
        ));
    }
    if let Some(error) = &filter.error {
        args.push(Value::Text(error.clone()));
        condition.push_str(&format!(" AND COALESCE(error, '') = ?{}", args.len()));
    }
    (condition, args)
}

#[async_trait]
impl DocumentStore for SqliteStore {
    async fn list_documents(
        &self,
        org: &OrgId,
        data_source: &DataSourceId,
        filter: &DocumentFilter,
        page: Page,
    ) -> StoreResult<Listed<Document>> {
        let (condition, args) = condition(org, data_source, filter);
        self.read(|conn| {
            filtered_page(
                conn,
                "documents",
                COLUMNS,
                &condition,
                args,
                "source_key",
                page,
                |r| Ok(document_from_row(r)?),
            )
        })
    }

    async fn failure_counts(
        &self,
        org: &OrgId,
        data_source: &DataSourceId,
    ) -> StoreResult<Vec<(String, u64)>> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT COALESCE(error, ''), COUNT(*) FROM documents
                 WHERE org_id = ?1 AND data_source_id = ?2 AND status = 'failed'
                 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 50",
            )
            .and_then(|mut stmt| {
                stmt.query_map(params![org.as_str(), data_source.as_str()], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64))
                })?
                .collect()
            })
            .map_err(backend)
        })
    }

    async fn find_document(&self, org: &OrgId, id: &DocumentId) -> StoreResult<Option<Document>> {
        self.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM documents WHERE org_id = ?1 AND id = ?2"
            ))
            .and_then(|mut stmt| {
                stmt.query_row(params![org.as_str(), id.as_str()], |r| {
                    Ok(document_from_row(r)?)
                })
                .optional()
            })
            .map_err(backend)
        })
    }

    async fn delete_document(&self, org: &OrgId, id: &DocumentId) -> StoreResult<bool> {
        delete_in_org(self, "documents", org, id.as_str()).await
    }
}

#[cfg(test)]
mod tests {
    use rusqlite_migration::{Migrations, M};

    use grove_core::sources::DocumentStatus;

    use super::super::{SqliteStore, MIGRATIONS};
    use super::*;

    /// The rebuild of `documents` keeps every row, as an indexed document
    /// whose chunks were written when it was last updated.
    #[tokio::test]
    async fn the_migration_keeps_documents_as_indexed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grove.db");
        let mut conn = Connection::open(&path).unwrap();
        let before = MIGRATIONS
            .iter()
            .position(|m| m.contains("documents_v2"))
            .unwrap();
        Migrations::new(MIGRATIONS[..before].iter().map(|sql| M::up(sql)).collect())
            .to_latest(&mut conn)
            .unwrap();
        conn.execute_batch(
            "INSERT INTO orgs (id, name, created_at) VALUES ('org_a', 'a', 1);
             INSERT INTO data_sources (id, org_id, name, kind, created_at, updated_at)
             VALUES ('ds_a', 'org_a', 'docs', 'website', 1, 1);
             INSERT INTO documents (id, org_id, data_source_id, source_key, title, url,
                                    content_hash, chunks, last_sync_id, updated_at)
             VALUES ('doc_a', 'org_a', 'ds_a', 'https://a.example/', 'A', 'https://a.example/',
                     'abc:512:50', 3, 'syn_a', 1700000000000);",
        )
        .unwrap();
        drop(conn);
        let store = SqliteStore::open(&path).unwrap();
        let org = OrgId::parse("org_a").unwrap();
        let doc = store
            .find_document(&org, &DocumentId::parse("doc_a").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(doc.status, DocumentStatus::Indexed);
        assert_eq!((doc.chunks, doc.content_sha256()), (3, Some("abc")));
        assert_eq!(
            doc.indexed_at.map(|t| t.as_millisecond()),
            Some(1_700_000_000_000)
        );
        assert_eq!((doc.bytes, doc.error), (None, None));
    }
}
