//! Data sources in SQLite.

use async_trait::async_trait;
use grove_core::ids::{DataSourceId, OrgId};
use grove_core::page::Page;
use grove_core::sources::{DataSource, SourceStatus, SyncFrequency};
use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use super::{backend, delete_in_org, list_in_org, missing_in_org, now_ms, secrets, SqliteStore};
use crate::rows::data_sources::{
    data_source_from_row, scheduled_sources_sql, sync_due, DATA_SOURCE_COLUMNS as COLUMNS,
};
use crate::{DataSourcePatch, DataSourceStore, Listed, NewDataSource, StoreResult};

fn select(conn: &Connection, org: &OrgId, id: &DataSourceId) -> StoreResult<Option<DataSource>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM data_sources WHERE org_id = ?1 AND id = ?2"),
        params![org.as_str(), id.as_str()],
        |r| Ok(data_source_from_row(r)?),
    )
    .optional()
    .map_err(backend)
}

#[async_trait]
impl DataSourceStore for SqliteStore {
    async fn create_data_source(&self, org: &OrgId, new: NewDataSource) -> StoreResult<DataSource> {
        let (org, ring) = (org.clone(), self.keyring.clone());
        self.write(move |conn| {
            let id = DataSourceId::generate();
            let config = secrets::seal_config(conn, &ring, &new.config)?;
            conn.execute(
                "INSERT INTO data_sources (id, org_id, name, kind, config, sync_frequency,
                                           chunk_size, chunk_overlap, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
                params![
                    id.as_str(),
                    org.as_str(),
                    new.name,
                    new.kind.as_str(),
                    config.to_string(),
                    new.sync_frequency.as_str(),
                    new.chunk_size,
                    new.chunk_overlap,
                    now_ms()
                ],
            )
            .map_err(backend)?;
            select(conn, &org, &id)?.ok_or_else(|| backend("data source vanished after insert"))
        })
        .await
    }

    async fn get_data_source(
        &self,
        org: &OrgId,
        id: &DataSourceId,
    ) -> StoreResult<Option<DataSource>> {
        self.read(|conn| select(conn, org, id))
    }

    async fn list_data_sources(
        &self,
        org: &OrgId,
        status: Option<SourceStatus>,
        page: Page,
    ) -> StoreResult<Listed<DataSource>> {
        let filter = status.map(|s| ("status", s.as_str()));
        self.read(|conn| {
            list_in_org(conn, "data_sources", COLUMNS, org, filter, page, |r| {
                data_source_from_row(r)
            })
        })
    }

    async fn update_data_source(
        &self,
        org: &OrgId,
        id: &DataSourceId,
        patch: DataSourcePatch,
    ) -> StoreResult<Option<DataSource>> {
        let (org, id, ring) = (org.clone(), id.clone(), self.keyring.clone());
        self.write(move |conn| {
            let config = patch
                .config
                .map(|c| secrets::seal_config(conn, &ring, &c))
                .transpose()?;
            let changed = conn
                .execute(
                    "UPDATE data_sources SET name = COALESCE(?3, name),
                            config = COALESCE(?4, config),
                            sync_frequency = COALESCE(?5, sync_frequency),
                            chunk_size = COALESCE(?6, chunk_size),
                            chunk_overlap = COALESCE(?7, chunk_overlap), updated_at = ?8
                     WHERE org_id = ?1 AND id = ?2",
                    params![
                        org.as_str(),
                        id.as_str(),
                        patch.name,
                        config.map(|c| c.to_string()),
                        patch.sync_frequency.map(SyncFrequency::as_str),
                        patch.chunk_size,
                        patch.chunk_overlap,
                        now_ms()
                    ],
                )
                .map_err(backend)?;
            if changed == 0 {
                return Ok(None);
            }
            select(conn, &org, &id)
        })
        .await
    }

    async fn set_data_source_setting(
        &self,
        org: &OrgId,
        id: &DataSourceId,
        key: &str,
        value: &str,
    ) -> StoreResult<bool> {
        let (org, id, ring) = (org.clone(), id.clone(), self.keyring.clone());
        let (key, value) = (key.to_owned(), value.to_owned());
        self.write(move |conn| {
            let stored = if grove_core::credentials::is_secret_key(&key) {
                secrets::seal(conn, &ring, &value)?
            } else {
                value
            };
            conn.execute(
                "UPDATE data_sources SET config = json_set(config, ?3, ?4), updated_at = ?5
                 WHERE org_id = ?1 AND id = ?2",
                params![
                    org.as_str(),
                    id.as_str(),
                    format!("$.\"{key}\""),
                    stored,
                    now_ms()
                ],
            )
            .map(|n| n > 0)
            .map_err(backend)
        })
        .await
    }

    async fn delete_data_source(&self, org: &OrgId, id: &DataSourceId) -> StoreResult<bool> {
        delete_in_org(self, "data_sources", org, id.as_str()).await
    }

    async fn missing_data_sources(
        &self,
        org: &OrgId,
        ids: &[DataSourceId],
    ) -> StoreResult<Vec<DataSourceId>> {
        self.read(|conn| missing_in_org(conn, "data_sources", org, ids, DataSourceId::as_str))
    }

    async fn due_data_sources(&self, now: Timestamp) -> StoreResult<Vec<DataSource>> {
        let candidates: Vec<(DataSource, Option<i64>)> = self.read(|conn| {
            let mut stmt = conn
                .prepare_cached(&scheduled_sources_sql())
                .map_err(backend)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((data_source_from_row(r)?, r.get::<_, Option<i64>>(12)?))
                })
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(backend);
            rows
        })?;
        Ok(candidates
            .into_iter()
            .filter(|(ds, last)| sync_due(ds, last.map(crate::ts), now))
            .map(|(ds, _)| ds)
            .collect())
    }
}
