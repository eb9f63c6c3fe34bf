//! Open connectors kept for reuse (their connection pools with them), keyed
//! by connector id and replaced when the record changes; and how a stored
//! record becomes a [`ConnectorSpec`].

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use grove_core::connectors::{ConnectorKind, DataConnector};
use grove_core::ids::DataConnectorId;
use serde_json::Value;

use crate::catalog::AllowList;
use crate::connector::{Connector, ConnectorSpec};
use crate::{Limits, SqlError, SqlResult};

pub use grove_core::credentials::MASK;

/// The spec of a record whose credentials are opened.
pub fn spec_of(record: &DataConnector) -> ConnectorSpec {
    ConnectorSpec {
        kind: record.kind,
        config: record.config.clone(),
        allow: AllowList {
            datasets: record.allowed_datasets.clone(),
            tables: record.allowed_tables.clone(),
        },
        limits: Limits {
            max_rows: record.max_rows,
            timeout: Duration::from_secs(record.timeout_seconds),
            max_estimated_rows: record.max_estimated_rows,
            max_cost_usd: record.max_cost_usd,
            price_per_tib_usd: record.price_per_tib_usd,
        },
    }
}

/// Connectors opened so far, one per record version.
pub struct ConnectorPool {
    data_dir: PathBuf,
    /// By id: the record as opened (JSON) and its connector.
    open: Mutex<HashMap<DataConnectorId, (String, Arc<Connector>)>>,
}

impl ConnectorPool {
    /// `data_dir` is Grove's own, which SQLite connectors may not read.
    pub fn new(data_dir: PathBuf) -> Self {
        ConnectorPool {
            data_dir,
            open: Mutex::new(HashMap::new()),
        }
    }

    /// The connector for `record` (credentials opened), opened once per
    /// version of the record.
    pub fn get(&self, record: &DataConnector) -> SqlResult<Arc<Connector>> {
        // Keyed by the whole record: two updates within a millisecond still
        // open a new connector.
        let version = serde_json::to_string(record).unwrap_or_default();
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((opened, connector)) = open.get(&record.id) {
            if *opened == version {
                return Ok(connector.clone());
            }
        }
        let connector = Arc::new(Connector::open(spec_of(record), &self.data_dir)?);
        open.insert(record.id.clone(), (version, connector.clone()));
        Ok(connector)
    }

    /// Forgets a deleted connector.
    pub fn forget(&self, id: &DataConnectorId) {
        self.open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }

    /// Checks a config as a write would store it: known keys, the kind's
    /// required settings, and that a driver can be made from it.
    pub fn check_config(&self, kind: ConnectorKind, config: &Value) -> SqlResult<()> {
        let Some(map) = config.as_object() else {
            return Err(SqlError::invalid("config", "must be an object"));
        };
        let known = kind.config_keys();
        if let Some(key) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(SqlError::invalid(
                &format!("config.{key}"),
                grove_core::suggest::unknown_field_reason(key, known),
            ));
        }
        let spec = ConnectorSpec {
            kind,
            config: config.clone(),
            allow: AllowList::default(),
            limits: Limits {
                max_rows: 1,
                timeout: Duration::from_secs(1),
                max_estimated_rows: None,
                max_cost_usd: None,
                price_per_tib_usd: 0.0,
            },
        };
        Connector::open(spec, &self.data_dir).map(|_| ())
    }
}

/// `config` as answers show it: a URL's password and a service-account key
/// replaced by [`MASK`].
pub fn masked_config(kind: ConnectorKind, config: &Value) -> Value {
    let mut shown = config.clone();
    if let Value::Object(map) = &mut shown {
        for key in kind.credential_keys() {
            if let Some(value) = map.get_mut(*key) {
                *value = match value.as_str().map(url::Url::parse) {
                    Some(Ok(url)) if *key == "url" => Value::String(masked_url(url)),
                    _ => Value::String(MASK.into()),
                };
            }
        }
    }
    shown
}

/// A URL with its password masked, in the user part and in query
/// parameters that carry one (`?password=`, `sslpassword`, …).
fn masked_url(mut url: url::Url) -> String {
    if url.password().is_some() {
        let _ = url.set_password(Some(MASK));
    }
    let secret = |key: &str| {
        let key = key.to_ascii_lowercase();
        ["pass", "secret", "token", "key"]
            .iter()
            .any(|m| key.contains(m))
    };
    if url.query_pairs().any(|(k, _)| secret(&k)) {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if secret(&k) {
                    MASK.to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

/// `config` with each credential sent back as it was shown replaced by the
/// stored one (`stored` opened): a config read, edited and sent back keeps
/// its credentials — but only while every other setting is unchanged, so a
/// new `base_url` or `token_url` never receives a stored key's tokens.
pub fn keep_masked(kind: ConnectorKind, mut config: Value, stored: &Value) -> Value {
    let shown = masked_config(kind, stored);
    let others_unchanged = config.as_object().is_some_and(|map| {
        let credential = |k: &str| kind.credential_keys().contains(&k);
        map.iter()
            .filter(|(k, _)| !credential(k))
            .all(|(k, v)| stored.get(k) == Some(v))
            && stored.as_object().is_some_and(|s| s.len() == map.len())
    });
    if !others_unchanged {
        return config;
    }
    if let Value::Object(map) = &mut config {
        for key in kind.credential_keys() {
            let (Some(sent), Some(kept)) = (map.get_mut(*key), stored.get(*key)) else {
                continue;
            };
            if Some(&*sent) == shown.get(*key) && sent != kept {
                *sent = kept.clone();
            }
        }
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn passwords_are_masked_and_a_masked_url_sent_back_keeps_the_stored_one() {
        let stored = json!({"url": "postgres://ann:s3cret@db.internal:5432/sales"});
        let shown = masked_config(ConnectorKind::Postgres, &stored);
        assert_eq!(
            shown["url"],
            "postgres://ann:********@db.internal:5432/sales"
        );
        assert_eq!(keep_masked(ConnectorKind::Postgres, shown, &stored), stored);
        let edited = json!({"url": "postgres://ann:new@db.internal:5432/sales"});
        assert_eq!(
            keep_masked(ConnectorKind::Postgres, edited.clone(), &stored),
            edited
        );
        let key = json!({"project_id": "p", "service_account": "{\"private_key\": \"x\"}"});
        assert_eq!(
            masked_config(ConnectorKind::Bigquery, &key)["service_account"],
            MASK
        );
        // A masked key sent with a new endpoint is not the stored key.
        let mut moved = masked_config(ConnectorKind::Bigquery, &key);
        moved["base_url"] = json!("https://attacker.example");
        assert_eq!(
            keep_masked(ConnectorKind::Bigquery, moved.clone(), &key),
            moved
        );
        let query = json!({"url": "postgres://ann@db/sales?password=s3cret&sslmode=disable"});
        let shown = masked_config(ConnectorKind::Postgres, &query);
        assert_eq!(
            shown["url"],
            "postgres://ann@db/sales?password=********&sslmode=disable"
        );
    }
}
