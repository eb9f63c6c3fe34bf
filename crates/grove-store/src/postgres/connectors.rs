//! Data connectors and query results on PostgreSQL. The allow-lists are
//! JSON arrays; the credential fields of `config` are sealed in the writing
//! transaction. A change locks the connector's row while the caller's
//! change runs, so concurrent changes on other replicas apply one after
//! the other.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use grove_core::connectors::DataConnector;
use grove_core::ids::{DataConnectorId, OrgId, ResultId};
use grove_core::page::Page;
use serde_json::Value;

use super::{
    delete_in_org, list_in_org, mapped_opt, missing_in_org, now_ms, pg_error, secrets, PgStore,
};
use crate::connectors::{ConnectorStore, NewDataConnector, StoredResult};
use crate::rows::connectors::{
    clamp, connector_from_row, credentials_to_seal, json_list, result_from_row, stored_config,
    CONNECTOR_COLUMNS, RESULT_COLUMNS,
};
use crate::secrets::Keyring;
use crate::{Change, Listed, StoreError, StoreResult};

/// The connector, locked (`FOR UPDATE`) when `lock`.
async fn select(
    client: &impl GenericClient,
    org: &OrgId,
    id: &DataConnectorId,
    lock: bool,
) -> StoreResult<Option<DataConnector>> {
    let lock = if lock { "FOR UPDATE" } else { "" };
    let row = client
        .query_opt(
            &format!(
                "SELECT {CONNECTOR_COLUMNS} FROM data_connectors
                 WHERE org_id = $1 AND id = $2 {lock}"
            ),
            &[&org.as_str(), &id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    mapped_opt(row, connector_from_row)
}

/// `config` with the kind's credential fields sealed.
async fn sealed_config(
    client: &impl GenericClient,
    ring: &Keyring,
    new: &NewDataConnector,
) -> StoreResult<String> {
    let mut sealed = Vec::new();
    for (key, plain) in credentials_to_seal(new) {
        sealed.push((key, secrets::seal(client, ring, &plain).await?));
    }
    Ok(stored_config(&new.config, sealed))
}

/// Writes every field of connector `id` (inserting it when `insert`);
/// `None` if there was nothing to update.
async fn write_row(
    client: &impl GenericClient,
    ring: &Keyring,
    org: &OrgId,
    id: &DataConnectorId,
    new: &NewDataConnector,
    insert: bool,
) -> StoreResult<Option<DataConnector>> {
    let sql = if insert {
        format!(
            "INSERT INTO data_connectors ({CONNECTOR_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
             RETURNING {CONNECTOR_COLUMNS}"
        )
    } else {
        format!(
            "UPDATE data_connectors SET name = $3, kind = $4, config = $5, allowed_datasets = $6,
                 allowed_tables = $7, max_rows = $8, timeout_seconds = $9, max_cost_usd = $10,
                 price_per_tib_usd = $11, max_estimated_rows = $12, updated_at = $13
             WHERE org_id = $2 AND id = $1
             RETURNING {CONNECTOR_COLUMNS}"
        )
    };
    let row = client
        .query_opt(
            &sql,
            &[
                &id.as_str(),
                &org.as_str(),
                &new.name,
                &new.kind.as_str(),
                &sealed_config(client, ring, new).await?,
                &json_list(&new.allowed_datasets),
                &json_list(&new.allowed_tables),
                &clamp(new.max_rows),
                &clamp(new.timeout_seconds),
                &new.max_cost_usd,
                &new.price_per_tib_usd,
                &new.max_estimated_rows.map(clamp),
                &now_ms(),
            ],
        )
        .await
        .map_err(pg_error)?;
    mapped_opt(row, connector_from_row)
}

#[async_trait]
impl ConnectorStore for PgStore {
    async fn create_connector(
        &self,
        org: &OrgId,
        new: NewDataConnector,
    ) -> StoreResult<DataConnector> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let id = DataConnectorId::generate();
        let created = write_row(&tx, &self.keyring, org, &id, &new, true)
            .await?
            .ok_or_else(|| StoreError::Backend("connector vanished after insert".into()))?;
        tx.commit().await.map_err(pg_error)?;
        Ok(created)
    }

    async fn get_connector(
        &self,
        org: &OrgId,
        id: &DataConnectorId,
    ) -> StoreResult<Option<DataConnector>> {
        select(&self.client().await?, org, id, false).await
    }

    async fn list_connectors(&self, org: &OrgId, page: Page) -> StoreResult<Listed<DataConnector>> {
        let client = self.client().await?;
        list_in_org(
            &client,
            "data_connectors",
            CONNECTOR_COLUMNS,
            org,
            None,
            page,
            connector_from_row,
        )
        .await
    }

    async fn change_connector(
        &self,
        org: &OrgId,
        id: &DataConnectorId,
        change: Change<NewDataConnector>,
    ) -> StoreResult<Option<DataConnector>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let Some(mut current) = select(&tx, org, id, true).await? else {
            return Ok(None);
        };
        current.config = secrets::open_config(&tx, &self.keyring, &current.config).await?;
        let new = change(current.into()).map_err(StoreError::Refused)?;
        let written = write_row(&tx, &self.keyring, org, id, &new, false).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(written)
    }

    async fn delete_connector(&self, org: &OrgId, id: &DataConnectorId) -> StoreResult<bool> {
        delete_in_org(self, "data_connectors", org, id.as_str()).await
    }

    async fn missing_connectors(
        &self,
        org: &OrgId,
        ids: &[DataConnectorId],
    ) -> StoreResult<Vec<DataConnectorId>> {
        let client = self.client().await?;
        missing_in_org(
            &client,
            "data_connectors",
            org,
            ids,
            DataConnectorId::as_str,
        )
        .await
    }

    async fn save_result(
        &self,
        org: &OrgId,
        connector: Option<&DataConnectorId>,
        sql: &str,
        result: Value,
    ) -> StoreResult<StoredResult> {
        let row = self
            .client()
            .await?
            .query_one(
                &format!(
                    "INSERT INTO query_results (id, org_id, connector_id, sql, result, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6)
                     RETURNING {RESULT_COLUMNS}"
                ),
                &[
                    &ResultId::generate().as_str(),
                    &org.as_str(),
                    &connector.map(DataConnectorId::as_str),
                    &sql,
                    &result.to_string(),
                    &now_ms(),
                ],
            )
            .await
            .map_err(pg_error)?;
        Ok(result_from_row(&row)?)
    }

    async fn get_result(&self, org: &OrgId, id: &ResultId) -> StoreResult<Option<StoredResult>> {
        let row = self
            .client()
            .await?
            .query_opt(
                &format!(
                    "SELECT {RESULT_COLUMNS} FROM query_results WHERE org_id = $1 AND id = $2"
                ),
                &[&org.as_str(), &id.as_str()],
            )
            .await
            .map_err(pg_error)?;
        mapped_opt(row, result_from_row)
    }
}
