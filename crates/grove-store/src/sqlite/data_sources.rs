//! Data sources in SQLite.

use async_trait::async_trait;
use grove_core::ids::{DataSourceId, OrgId};
use grove_core::page::Page;
use grove_core::sources::{DataSource, SourceKind, SourceStatus, SyncFrequency};
use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{
    backend, delete_in_org, list_in_org, missing_in_org, now_ms, parsed, secrets, ts, SqliteStore,
};
use crate::{DataSourcePatch, DataSourceStore, Listed, NewDataSource, StoreResult};

pub(super) const COLUMNS: &str = "id, org_id, name, kind, config, status, sync_frequency, \
     chunk_size, chunk_overlap, last_synced_at, created_at, updated_at";

pub(super) fn from_row(row: &Row) -> rusqlite::Result<DataSource> {
    let config: String = row.get(4)?;
    Ok(DataSource {
        id: parsed(row.get(0)?, |s| DataSourceId::parse(s).ok())?,
        org_id: parsed(row.get(1)?, |s| OrgId::parse(s).ok())?,
        name: row.get(2)?,
        kind: parsed(row.get(3)?, SourceKind::parse)?,
        config: serde_json::from_str(&config).unwrap_or_default(),
        status: parsed(row.get(5)?, SourceStatus::parse)?,
        sync_frequency: parsed(row.get(6)?, SyncFrequency::parse)?,
        chunk_size: row.get(7)?,
        chunk_overlap: row.get(8)?,
        last_synced_at: row.get::<_, Option<i64>>(9)?.map(ts),
        created_at: ts(row.get(10)?),
        updated_at: ts(row.get(11)?),
    })
}

fn select(conn: &Connection, org: &OrgId, id: &DataSourceId) -> StoreResult<Option<DataSource>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM data_sources WHERE org_id = ?1 AND id = ?2"),
        params![org.as_str(), id.as_str()],
        from_row,
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
        self.read(|conn| list_in_org(conn, "data_sources", COLUMNS, org, filter, page, from_row))
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
                .prepare_cached(&format!(
                    "SELECT {COLUMNS}, (SELECT MAX(s.created_at) FROM syncs s
                                        WHERE s.data_source_id = d.id)
                     FROM data_sources d WHERE sync_frequency != 'manual'
                     AND NOT EXISTS (SELECT 1 FROM syncs s WHERE s.data_source_id = d.id
                                     AND s.status IN ('queued', 'running'))"
                ))
                .map_err(backend)?;
            let rows = stmt
                .query_map([], |r| Ok((from_row(r)?, r.get::<_, Option<i64>>(12)?)))
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(backend);
            rows
        })?;
        // Due: never synced, or the last attempt (successful or not) is at
        // least one interval old, so a failing source is not retried in a loop.
        Ok(candidates
            .into_iter()
            .filter(
                |(ds, last_attempt)| match (last_attempt, ds.sync_frequency.interval()) {
                    (_, None) => false,
                    (None, Some(_)) => true,
                    (Some(at), Some(every)) => {
                        let every = jiff::SignedDuration::try_from(every).unwrap_or_default();
                        now.duration_since(ts(*at)) >= every
                    }
                },
            )
            .map(|(ds, _)| ds)
            .collect())
    }
}
