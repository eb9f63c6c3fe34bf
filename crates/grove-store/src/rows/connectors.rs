//! Data connectors and kept query results as stored: the allow-lists as
//! JSON arrays, sizes as signed integers, and which fields of a config are
//! credentials to seal (the sealing itself is each backend's).

use grove_core::connectors::{ConnectorKind, DataConnector};
use grove_core::ids::{DataConnectorId, OrgId, ResultId};
use serde_json::Value;

use super::{BadRow, StoredRow};
use crate::connectors::{NewDataConnector, StoredResult};

/// The columns [`connector_from_row`] reads, in its order (also every
/// column a write sets).
pub(crate) const CONNECTOR_COLUMNS: &str = "id, org_id, name, kind, config, allowed_datasets, \
     allowed_tables, max_rows, timeout_seconds, max_cost_usd, price_per_tib_usd, \
     max_estimated_rows, created_at, updated_at";

/// The columns [`result_from_row`] reads, in its order.
pub(crate) const RESULT_COLUMNS: &str = "id, org_id, connector_id, sql, result, created_at";

/// A size as a signed integer column holds it.
pub(crate) fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// An allow-list as stored (a JSON array).
pub(crate) fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
}

/// The credential fields of `new.config` (`ConnectorKind::credential_keys`)
/// that hold something to seal, with their text: a non-empty string as it
/// is, an object (a service account) as its JSON.
pub(crate) fn credentials_to_seal(new: &NewDataConnector) -> Vec<(&'static str, String)> {
    let Value::Object(map) = &new.config else {
        return Vec::new();
    };
    new.kind
        .credential_keys()
        .iter()
        .filter_map(|key| match map.get(*key)? {
            Value::String(text) if !text.is_empty() => Some((*key, text.clone())),
            value @ Value::Object(_) => Some((*key, value.to_string())),
            _ => None,
        })
        .collect()
}

/// `config` as stored: with each of `sealed` (field, sealed text) in place.
pub(crate) fn stored_config(config: &Value, sealed: Vec<(&str, String)>) -> String {
    let mut config = config.clone();
    if let Value::Object(map) = &mut config {
        for (key, text) in sealed {
            map.insert(key.to_owned(), Value::String(text));
        }
    }
    config.to_string()
}

pub(crate) fn connector_from_row(row: &impl StoredRow) -> Result<DataConnector, BadRow> {
    let size = |i: usize| -> Result<u64, BadRow> { Ok(row.col::<i64>(i)?.max(0) as u64) };
    Ok(DataConnector {
        id: row.parsed(0, |s| DataConnectorId::parse(s).ok())?,
        org_id: row.parsed(1, |s| OrgId::parse(s).ok())?,
        name: row.col(2)?,
        kind: row.parsed(3, ConnectorKind::parse)?,
        config: row.json(4)?,
        allowed_datasets: row.json(5)?,
        allowed_tables: row.json(6)?,
        max_rows: size(7)?,
        timeout_seconds: size(8)?,
        max_cost_usd: row.col(9)?,
        price_per_tib_usd: row.col(10)?,
        max_estimated_rows: row.col::<Option<i64>>(11)?.map(|n| n.max(0) as u64),
        created_at: row.time(12)?,
        updated_at: row.time(13)?,
    })
}

pub(crate) fn result_from_row(row: &impl StoredRow) -> Result<StoredResult, BadRow> {
    Ok(StoredResult {
        id: row.parsed(0, |s| ResultId::parse(s).ok())?,
        org_id: row.parsed(1, |s| OrgId::parse(s).ok())?,
        connector_id: row.parsed_opt(2, |s| DataConnectorId::parse(s).ok())?,
        sql: row.col(3)?,
        result: row.json(4)?,
        created_at: row.time(5)?,
    })
}
