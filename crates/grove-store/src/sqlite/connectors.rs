//! Data connectors and query results in SQLite. The allow-lists are JSON
//! arrays; the credential fields of `config` are sealed.

use async_trait::async_trait;
use grove_core::connectors::{ConnectorKind, DataConnector};
use grove_core::ids::{DataConnectorId, OrgId, ResultId};
use grove_core::page::Page;
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use serde_json::Value;

use super::{
    backend, delete_in_org, list_in_org, missing_in_org, now_ms, parsed, secrets, ts, SqliteStore,
};
use crate::connectors::{ConnectorStore, NewDataConnector, StoredResult};
use crate::secrets::Keyring;
use crate::{Change, Listed, StoreError, StoreResult};

const COLUMNS: &str = "id, org_id, name, kind, config, allowed_datasets, allowed_tables, \
     max_rows, timeout_seconds, max_cost_usd, price_per_tib_usd, max_estimated_rows, \
     created_at, updated_at";

fn from_row(row: &Row) -> rusqlite::Result<DataConnector> {
    let text = |i: usize| -> rusqlite::Result<String> { row.get(i) };
    let list = |i: usize| -> rusqlite::Result<Vec<String>> {
        parsed(text(i)?, |s| serde_json::from_str(s).ok())
    };
    Ok(DataConnector {
        id: parsed(text(0)?, |s| DataConnectorId::parse(s).ok())?,
        org_id: parsed(text(1)?, |s| OrgId::parse(s).ok())?,
        name: text(2)?,
        kind: parsed(text(3)?, ConnectorKind::parse)?,
        config: serde_json::from_str(&text(4)?).unwrap_or_default(),
        allowed_datasets: list(5)?,
        allowed_tables: list(6)?,
        max_rows: row.get::<_, i64>(7)?.max(0) as u64,
        timeout_seconds: row.get::<_, i64>(8)?.max(0) as u64,
        max_cost_usd: row.get(9)?,
        price_per_tib_usd: row.get(10)?,
        max_estimated_rows: row.get::<_, Option<i64>>(11)?.map(|n| n.max(0) as u64),
        created_at: ts(row.get(12)?),
        updated_at: ts(row.get(13)?),
    })
}

fn select(
    conn: &Connection,
    org: &OrgId,
    id: &DataConnectorId,
) -> StoreResult<Option<DataConnector>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM data_connectors WHERE org_id = ?1 AND id = ?2"),
        params![org.as_str(), id.as_str()],
        from_row,
    )
    .optional()
    .map_err(backend)
}

/// `config` with the kind's credential fields sealed.
fn sealed_config(conn: &Connection, ring: &Keyring, new: &NewDataConnector) -> StoreResult<String> {
    let mut config = new.config.clone();
    if let Value::Object(map) = &mut config {
        for key in new.kind.credential_keys() {
            if let Some(value) = map.get_mut(*key) {
                let plain = match value {
                    Value::String(text) if !text.is_empty() => text.clone(),
                    Value::Object(_) => value.to_string(),
                    _ => continue,
                };
                *value = Value::String(secrets::seal(conn, ring, &plain)?);
            }
        }
    }
    Ok(config.to_string())
}

/// SQLite integers are signed.
fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
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
        format!("INSERT INTO data_connectors ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)")
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

fn result_from_row(row: &Row) -> rusqlite::Result<StoredResult> {
    let connector: Option<String> = row.get(2)?;
    let result: String = row.get(4)?;
    Ok(StoredResult {
        id: parsed(row.get(0)?, |s| ResultId::parse(s).ok())?,
        org_id: parsed(row.get(1)?, |s| OrgId::parse(s).ok())?,
        connector_id: connector.and_then(|c| DataConnectorId::parse(&c).ok()),
        sql: row.get(3)?,
        result: serde_json::from_str(&result).unwrap_or_default(),
        created_at: ts(row.get(5)?),
    })
}

fn select_result(
    conn: &Connection,
    org: &OrgId,
    id: &ResultId,
) -> StoreResult<Option<StoredResult>> {
    conn.query_row(
        "SELECT id, org_id, connector_id, sql, result, created_at FROM query_results
         WHERE org_id = ?1 AND id = ?2",
        params![org.as_str(), id.as_str()],
        result_from_row,
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
        self.read(|conn| list_in_org(conn, "data_connectors", COLUMNS, org, None, page, from_row))
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
