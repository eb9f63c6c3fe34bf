//! Data sources on PostgreSQL.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use grove_core::ids::{DataSourceId, OrgId};
use grove_core::page::Page;
use grove_core::sources::{DataSource, SourceStatus, SyncFrequency};
use jiff::Timestamp;

use super::secrets::{seal, seal_config};
use super::{delete_in_org, list_in_org, mapped_opt, missing_in_org, now_ms, pg_error, PgStore};
use crate::rows::data_sources::{
    data_source_from_row, scheduled_sources_sql, sync_due, DATA_SOURCE_COLUMNS as COLUMNS,
};
use crate::{DataSourcePatch, DataSourceStore, Listed, NewDataSource, StoreError, StoreResult};

async fn select(
    client: &impl GenericClient,
    org: &OrgId,
    id: &DataSourceId,
) -> StoreResult<Option<DataSource>> {
    let row = client
        .query_opt(
            &format!("SELECT {COLUMNS} FROM data_sources WHERE org_id = $1 AND id = $2"),
            &[&org.as_str(), &id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    mapped_opt(row, data_source_from_row)
}

#[async_trait]
impl DataSourceStore for PgStore {
    async fn create_data_source(&self, org: &OrgId, new: NewDataSource) -> StoreResult<DataSource> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let id = DataSourceId::generate();
        let config = seal_config(&tx, &self.keyring, &new.config).await?;
        tx.execute(
            "INSERT INTO data_sources (id, org_id, name, kind, config, sync_frequency,
                                       chunk_size, chunk_overlap, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
            &[
                &id.as_str(),
                &org.as_str(),
                &new.name,
                &new.kind.as_str(),
                &config.to_string(),
                &new.sync_frequency.as_str(),
                &i64::from(new.chunk_size),
                &i64::from(new.chunk_overlap),
                &now_ms(),
            ],
        )
        .await
        .map_err(pg_error)?;
        let created = select(&tx, org, &id)
            .await?
            .ok_or_else(|| StoreError::Backend("data source vanished after insert".into()))?;
        tx.commit().await.map_err(pg_error)?;
        Ok(created)
    }

    async fn get_data_source(
        &self,
        org: &OrgId,
        id: &DataSourceId,
    ) -> StoreResult<Option<DataSource>> {
        select(&self.client().await?, org, id).await
    }

    async fn list_data_sources(
        &self,
        org: &OrgId,
        status: Option<SourceStatus>,
        page: Page,
    ) -> StoreResult<Listed<DataSource>> {
        let filter = status.map(|s| ("status", s.as_str()));
        let client = self.client().await?;
        list_in_org(&client, "data_sources", COLUMNS, org, filter, page, |r| {
            data_source_from_row(r)
        })
        .await
    }

    async fn update_data_source(
        &self,
        org: &OrgId,
        id: &DataSourceId,
        patch: DataSourcePatch,
    ) -> StoreResult<Option<DataSource>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let config = match &patch.config {
            Some(c) => Some(seal_config(&tx, &self.keyring, c).await?.to_string()),
            None => None,
        };
        let changed = tx
            .execute(
                "UPDATE data_sources SET name = COALESCE($3, name),
                        config = COALESCE($4, config),
                        sync_frequency = COALESCE($5, sync_frequency),
                        chunk_size = COALESCE($6, chunk_size),
                        chunk_overlap = COALESCE($7, chunk_overlap), updated_at = $8
                 WHERE org_id = $1 AND id = $2",
                &[
                    &org.as_str(),
                    &id.as_str(),
                    &patch.name,
                    &config,
                    &patch.sync_frequency.map(SyncFrequency::as_str),
                    &patch.chunk_size.map(i64::from),
                    &patch.chunk_overlap.map(i64::from),
                    &now_ms(),
                ],
            )
            .await
            .map_err(pg_error)?;
        if changed == 0 {
            return Ok(None);
        }
        let updated = select(&tx, org, id).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(updated)
    }

    async fn set_data_source_setting(
        &self,
        org: &OrgId,
        id: &DataSourceId,
        key: &str,
        value: &str,
    ) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let stored = if grove_core::credentials::is_secret_key(key) {
            seal(&tx, &self.keyring, value).await?
        } else {
            value.to_owned()
        };
        let changed = tx
            .execute(
                "UPDATE data_sources
                 SET config = jsonb_set(config::jsonb, ARRAY[$3::TEXT], to_jsonb($4::TEXT))::TEXT,
                     updated_at = $5
                 WHERE org_id = $1 AND id = $2",
                &[&org.as_str(), &id.as_str(), &key, &stored, &now_ms()],
            )
            .await
            .map_err(pg_error)?;
        tx.commit().await.map_err(pg_error)?;
        Ok(changed > 0)
    }

    async fn delete_data_source(&self, org: &OrgId, id: &DataSourceId) -> StoreResult<bool> {
        delete_in_org(self, "data_sources", org, id.as_str()).await
    }

    async fn missing_data_sources(
        &self,
        org: &OrgId,
        ids: &[DataSourceId],
    ) -> StoreResult<Vec<DataSourceId>> {
        let client = self.client().await?;
        missing_in_org(&client, "data_sources", org, ids, DataSourceId::as_str).await
    }

    async fn due_data_sources(&self, now: Timestamp) -> StoreResult<Vec<DataSource>> {
        let rows = self
            .client()
            .await?
            .query(&scheduled_sources_sql(), &[])
            .await
            .map_err(pg_error)?;
        let mut due = Vec::new();
        for row in rows {
            let source = data_source_from_row(&row)?;
            let last: Option<i64> = row.try_get(12).map_err(pg_error)?;
            if sync_due(&source, last.map(crate::ts), now) {
                due.push(source);
            }
        }
        Ok(due)
    }
}
