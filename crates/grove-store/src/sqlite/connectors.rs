//! Data connectors and query results in SQLite. The allow-lists are JSON
//! arrays; the credential fields of `config` are sealed.

use async_trait::async_trait;
use grove_core::connectors::DataConnector;
use grove_core::ids::{DataConnectorId, OrgId, ResultId};
use grove_core::page::Page;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::Value;

use super::{backend, delete_in_org, list_in_org, missing_in_org, now_ms, secrets, SqliteStore};
use crate::connectors::{ConnectorStore, NewDataConnector, StoredResult};
use crate::rows::connectors::{
    clamp, connector_from_row, credentials_to_seal, json_list, result_from_row, stored_config,
    CONNECTOR_COLUMNS, RESULT_COLUMNS,
};
use crate::secrets::Keyring;
use crate::{Change, Listed, StoreError, StoreResult};

fn select(
    conn: &Connection,
    org: &OrgId,
    id: &DataConnectorId,
) -> StoreResult<Option<DataConnector>> {
    conn.query_row(
        &format!("SELECT {CONNECTOR_COLUMNS} FROM data_connectors WHERE org_id = ?1 AND id = ?2"),
        params![org.as_str(), id.as_str()],
        |r| Ok(connector_from_row(r)?),
    )
    .optional()
    .map_err(backend)
}

/// `config` with the kind's credential fields sealed.
fn sealed_config(conn: &Connection, ring: &Keyring, new: &NewDataConnector) -> StoreResult<String> {
    let sealed = credentials_to_seal(new)
        .into_iter()
        .map(|(key, plain)| Ok((key, secrets::seal(conn, ring, &plain)?)))
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(stored_config(&new.config, sealed))
}

/// Writes every field of connector `id` (inserting it when `insert`).
fn write_row(
    conn: &Connection,
    ring: &Keyring,
    org: &OrgId,
    id: &DataConnectorId,
    new: &NewDataConnector,
    insert: bool,
) -> StoreResult<Option<DataConnector>> {
    let sql = if insert {
        format!("INSERT INTO data_connectors ({CONNECTOR_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)")
    } else {
        "UPDATE data_connectors SET name = ?3, kind = ?4, config = ?5, allowed_datasets = ?6,
             allowed_tables = ?7, max_rows = ?8, timeout_seconds = ?9, max_cost_usd = ?10,
             price_per_tib_usd = ?11, max_estimated_rows = ?12, updated_at = ?13
         WHERE org_id = ?2 AND id = ?1"
            .to_owned()
    };
    let changed = conn
        .execute(
            &sql,
            params![
                id.as_str(),
                org.as_str(),
                new.name,
                new.kind.as_str(),
                sealed_config(conn, ring, new)?,
                json_list(&new.allowed_datasets),
                json_list(&new.allowed_tables),
                clamp(new.max_rows),
                clamp(new.timeout_seconds),
                new.max_cost_usd,
                new.price_per_tib_usd,
                new.max_estimated_rows.map(clamp),
                now_ms()
            ],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Ok(None);
    }
    select(conn, org, id)
}

fn select_result(
    conn: &Connection,
    org: &OrgId,
    id: &ResultId,
) -> StoreResult<Option<StoredResult>> {
    conn.query_row(
        &format!("SELECT {RESULT_COLUMNS} FROM query_results WHERE org_id = ?1 AND id = ?2"),
        params![org.as_str(), id.as_str()],
        |r| Ok(result_from_row(r)?),
    )
    .optional()
    .map_err(backend)
}

#[async_trait]
impl ConnectorStore for SqliteStore {
    async fn create_connector(
        &self,
        org: &OrgId,
        new: NewDataConnector,
    ) -> StoreResult<DataConnector> {
        let (org, ring) = (org.clone(), self.keyring.clone());
        self.write(move |conn| {
            let id = DataConnectorId::generate();
            write_row(conn, &ring, &org, &id, &new, true)?
                .ok_or_else(|| backend("connector vanished after insert"))
        })
        .await
    }

    async fn get_connector(
        &self,
        org: &OrgId,
        id: &DataConnectorId,
    ) -> StoreResult<Option<DataConnector>> {
        self.read(|conn| select(conn, org, id))
    }

    async fn list_connectors(&self, org: &OrgId, page: Page) -> StoreResult<Listed<DataConnector>> {
        self.read(|conn| {
            list_in_org(
                conn,
                "data_connectors",
                CONNECTOR_COLUMNS,
                org,
                None,
                page,
                |r| connector_from_row(r),
            )
        })
    }

    async fn change_connector(
        &self,
        org: &OrgId,
        id: &DataConnectorId,
        change: Change<NewDataConnector>,
    ) -> StoreResult<Option<DataConnector>> {
        let (org, id, ring) = (org.clone(), id.clone(), self.keyring.clone());
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let Some(mut current) = select(&tx, &org, &id)? else {
                return Ok(None);
            };
            current.config = secrets::open_config(&tx, &ring, &current.config)?;
            let new = change(current.into()).map_err(StoreError::Refused)?;
            let written = write_row(&tx, &ring, &org, &id, &new, false)?;
            tx.commit().map_err(backend)?;
            Ok(written)
        })
        .await
    }

    async fn delete_connector(&self, org: &OrgId, id: &DataConnectorId) -> StoreResult<bool> {
        delete_in_org(self, "data_connectors", org, id.as_str()).await
    }

    async fn missing_connectors(
        &self,
        org: &OrgId,
        ids: &[DataConnectorId],
    ) -> StoreResult<Vec<DataConnectorId>> {
        self.read(|conn| missing_in_org(conn, "data_connectors", org, ids, DataConnectorId::as_str))
    }

    async fn save_result(
        &self,
        org: &OrgId,
        connector: Option<&DataConnectorId>,
        sql: &str,
        result: Value,
    ) -> StoreResult<StoredResult> {
        let (org, connector, sql) = (org.clone(), connector.cloned(), sql.to_owned());
        self.write(move |conn| {
            let id = ResultId::generate();
            conn.execute(
                "INSERT INTO query_results (id, org_id, connector_id, sql, result, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    id.as_str(),
                    org.as_str(),
                    connector.as_ref().map(DataConnectorId::as_str),
                    sql,
                    result.to_string(),
                    now_ms()
                ],
            )
            .map_err(backend)?;
            select_result(conn, &org, &id)?.ok_or_else(|| backend("result vanished after insert"))
        })
        .await
    }

    async fn get_result(&self, org: &OrgId, id: &ResultId) -> StoreResult<Option<StoredResult>> {
        self.read(|conn| select_result(conn, org, id))
    }
}
