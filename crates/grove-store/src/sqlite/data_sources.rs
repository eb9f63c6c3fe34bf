//! Data sources in SQLite.

use async_trait::async_trait;
use grove_core::ids::{DataSourceId, OrgId};
use grove_core::model::DataSource;
use rusqlite::{params, OptionalExtension, Row};

use super::{backend, now_ms, parsed, ts, SqliteStore};
use crate::{DataSourceStore, StoreResult};

const COLUMNS: &str = "id, org_id, name, kind, status, created_at";

fn from_row(row: &Row) -> rusqlite::Result<DataSource> {
    Ok(DataSource {
        id: parsed(row.get(0)?, |s| DataSourceId::parse(s).ok())?,
        org_id: parsed(row.get(1)?, |s| OrgId::parse(s).ok())?,
        name: row.get(2)?,
        kind: row.get(3)?,
        status: row.get(4)?,
        created_at: ts(row.get(5)?),
    })
}

#[async_trait]
impl DataSourceStore for SqliteStore {
    async fn create_data_source(
        &self,
        org: &OrgId,
        name: &str,
        kind: &str,
    ) -> StoreResult<DataSource> {
        let (org, name, kind) = (org.clone(), name.to_owned(), kind.to_owned());
        self.write(move |conn| {
            let id = DataSourceId::generate();
            let now = now_ms();
            conn.execute(
                "INSERT INTO data_sources (id, org_id, name, kind, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![id.as_str(), org.as_str(), name, kind, now],
            )
            .map_err(backend)?;
            conn.query_row(
                &format!("SELECT {COLUMNS} FROM data_sources WHERE id = ?1"),
                [id.as_str()],
                from_row,
            )
            .map_err(backend)
        })
        .await
    }

    async fn get_data_source(
        &self,
        org: &OrgId,
        id: &DataSourceId,
    ) -> StoreResult<Option<DataSource>> {
        self.read(|conn| {
            conn.query_row(
                &format!("SELECT {COLUMNS} FROM data_sources WHERE org_id = ?1 AND id = ?2"),
                params![org.as_str(), id.as_str()],
                from_row,
            )
            .optional()
            .map_err(backend)
        })
    }

    async fn missing_data_sources(
        &self,
        org: &OrgId,
        ids: &[DataSourceId],
    ) -> StoreResult<Vec<DataSourceId>> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached("SELECT 1 FROM data_sources WHERE org_id = ?1 AND id = ?2")
                .map_err(backend)?;
            let mut missing = Vec::new();
            for id in ids {
                if !stmt
                    .exists(params![org.as_str(), id.as_str()])
                    .map_err(backend)?
                {
                    missing.push(id.clone());
                }
            }
            Ok(missing)
        })
    }
}
