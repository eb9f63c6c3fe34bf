//! Sealed credentials on PostgreSQL: the `secret_keys` table of wrapped
//! data keys, sealing the credential fields of a config as it is written
//! and opening them for the connector, notifier or deliverer that uses
//! them. A replica that meets a key another made (a rotation elsewhere)
//! loads it from the table.
//!
//! Sealing reads the current data key inside the writing transaction and
//! holds its row (`FOR SHARE`) until the write commits, so a rotation,
//! which deletes old keys, waits for writes that sealed under them.

use std::sync::Arc;

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use grove_core::credentials::is_secret_key;
use serde_json::Value;

use super::{now_ms, pg_error, PgStore, MIGRATION_LOCK};
use crate::secrets::{
    is_sealed, new_data_key, parse_sealed, DataKey, Keyring, MasterKey, SecretError,
};
use crate::{SecretStore, StoreResult};

/// The newest data key; one is made when there is none.
pub(crate) async fn current_key(
    client: &impl GenericClient,
    ring: &Keyring,
) -> StoreResult<Arc<DataKey>> {
    let row = client
        .query_opt(
            "SELECT id, wrapped, master_id FROM secret_keys
             ORDER BY created_at DESC, id DESC LIMIT 1 FOR SHARE",
            &[],
        )
        .await
        .map_err(pg_error)?;
    match row {
        Some(r) => Ok(ring.unwrap_key(r.get(0), r.get(1), r.get(2))?),
        None => insert_new_key(client, ring, &ring.master()).await,
    }
}

async fn insert_new_key(
    client: &impl GenericClient,
    ring: &Keyring,
    master: &MasterKey,
) -> StoreResult<Arc<DataKey>> {
    let (key, wrapped) = new_data_key(master);
    client
        .execute(
            "INSERT INTO secret_keys (id, wrapped, master_id, created_at) VALUES ($1, $2, $3, $4)",
            &[&key.id(), &wrapped, &master.id(), &now_ms()],
        )
        .await
        .map_err(pg_error)?;
    ring.insert(key.clone());
    Ok(key)
}

impl PgStore {
    /// Unwraps every data key: the check, at open, that the master key is
    /// the one this database was made with. The first replica to open a
    /// new database makes its first key (under the migrations' lock, so
    /// replicas starting together make one).
    pub(super) async fn load_keys(&self) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(pg_error)?;
        let rows = tx
            .query(
                "SELECT id, wrapped, master_id FROM secret_keys ORDER BY created_at",
                &[],
            )
            .await
            .map_err(pg_error)?;
        if rows.is_empty() {
            insert_new_key(&tx, &self.keyring, &self.keyring.master()).await?;
        }
        for r in rows {
            self.keyring.unwrap_key(r.get(0), r.get(1), r.get(2))?;
        }
        tx.commit().await.map_err(pg_error)
    }
}

/// Opens a sealed value, loading its data key from the table if it is not
/// held yet (it may have been made by another replica's rotation).
pub(crate) async fn open(
    client: &impl GenericClient,
    ring: &Keyring,
    sealed: &str,
) -> StoreResult<String> {
    if let Some(plain) = ring.open_held(sealed)? {
        return Ok(plain);
    }
    let id = parse_sealed(sealed).map(|(id, _)| id).unwrap_or_default();
    let row = client
        .query_opt(
            "SELECT wrapped, master_id FROM secret_keys WHERE id = $1",
            &[&id],
        )
        .await
        .map_err(pg_error)?
        .ok_or_else(|| SecretError::UnknownKey(id.to_owned()))?;
    ring.unwrap_key(id, row.get(0), row.get(1))?;
    Ok(ring
        .open_held(sealed)?
        .ok_or_else(|| SecretError::UnknownKey(id.to_owned()))?)
}

/// Seals `plain` under the current key. A value that is already sealed and
/// opens here is kept as it is (a config written back unchanged).
pub(crate) async fn seal(
    client: &impl GenericClient,
    ring: &Keyring,
    plain: &str,
) -> StoreResult<String> {
    if is_sealed(plain) && open(client, ring, plain).await.is_ok() {
        return Ok(plain.to_owned());
    }
    Ok(current_key(client, ring).await?.seal(plain))
}

/// `config` with each credential field's text sealed (see
/// `grove_core::credentials`).
pub(crate) async fn seal_config(
    client: &impl GenericClient,
    ring: &Keyring,
    config: &Value,
) -> StoreResult<Value> {
    let mut sealed = config.clone();
    if let Value::Object(map) = &mut sealed {
        for (key, value) in map.iter_mut() {
            if let Value::String(text) = value {
                if is_secret_key(key) && !text.is_empty() {
                    *text = seal(client, ring, text).await?;
                }
            }
        }
    }
    Ok(sealed)
}

/// `config` with every sealed text opened.
pub(crate) async fn open_config(
    client: &impl GenericClient,
    ring: &Keyring,
    config: &Value,
) -> StoreResult<Value> {
    let mut opened = config.clone();
    if let Value::Object(map) = &mut opened {
        for value in map.values_mut() {
            if let Value::String(text) = value {
                if is_sealed(text) {
                    *text = open(client, ring, text).await?;
                }
            }
        }
    }
    Ok(opened)
}

#[async_trait]
impl SecretStore for PgStore {
    async fn reveal_config(&self, config: &Value) -> StoreResult<Value> {
        open_config(&self.client().await?, &self.keyring, config).await
    }

    async fn reveal(&self, stored: &str) -> StoreResult<String> {
        if !is_sealed(stored) {
            return Ok(stored.to_owned());
        }
        open(&self.client().await?, &self.keyring, stored).await
    }
}
