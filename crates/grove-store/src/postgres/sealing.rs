//! PLACEHOLDER until the PostgreSQL `SecretStore` lands: sealing and
//! opening credentials inside a PostgreSQL transaction, as
//! `sqlite::secrets::{seal, open, open_config}` do inside a SQLite write, so
//! the webhook and connector writes can seal what they store. The
//! PostgreSQL secrets module replaces this file (same signatures, its own
//! module); `PgStore::keyring` is then built from the configured master key
//! instead of [`placeholder_master`].

use std::sync::{Arc, OnceLock};

use deadpool_postgres::GenericClient;
use serde_json::Value;

use super::{now_ms, pg_error};
use crate::rows::StoredRow;
use crate::secrets::{
    is_sealed, new_data_key, parse_sealed, DataKey, Keyring, MasterKey, SecretError,
};
use crate::StoreResult;

/// PLACEHOLDER master key: random, one per process, so every `PgStore`
/// of the process (the replicas of a test) opens what another sealed. A
/// database sealed by one process is not opened by the next; nothing
/// outside tests opens a `PgStore` yet.
pub(super) fn placeholder_master() -> MasterKey {
    static MASTER: OnceLock<MasterKey> = OnceLock::new();
    MASTER.get_or_init(MasterKey::generate).clone()
}

/// The newest data key, held (`FOR SHARE`) until the caller's transaction
/// ends, so a rotation cannot drop it under a value just sealed with it;
/// one is made when there is none.
async fn current_key(client: &impl GenericClient, ring: &Keyring) -> StoreResult<Arc<DataKey>> {
    let row = client
        .query_opt(
            "SELECT id, wrapped, master_id FROM secret_keys
             ORDER BY created_at DESC, id DESC LIMIT 1 FOR SHARE",
            &[],
        )
        .await
        .map_err(pg_error)?;
    if let Some(row) = row {
        let (id, wrapped, master_id): (String, String, String) =
            (row.col(0)?, row.col(1)?, row.col(2)?);
        return Ok(ring.unwrap_key(&id, &wrapped, &master_id)?);
    }
    let master = ring.master();
    let (key, wrapped) = new_data_key(&master);
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

/// Opens a sealed value, loading its data key from the table if it is not
/// held yet.
pub(super) async fn open(
    client: &impl GenericClient,
    ring: &Keyring,
    sealed: &str,
) -> StoreResult<String> {
    if let Some(plain) = ring.open_held(sealed)? {
        return Ok(plain);
    }
    let id = parse_sealed(sealed).map(|(id, _)| id).unwrap_or_default();
    let unknown = || SecretError::UnknownKey(id.to_owned());
    let row = client
        .query_opt(
            "SELECT wrapped, master_id FROM secret_keys WHERE id = $1",
            &[&id],
        )
        .await
        .map_err(pg_error)?
        .ok_or_else(unknown)?;
    let (wrapped, master_id): (String, String) = (row.col(0)?, row.col(1)?);
    ring.unwrap_key(id, &wrapped, &master_id)?;
    Ok(ring.open_held(sealed)?.ok_or_else(unknown)?)
}

/// Seals `plain` under the current key. A value that is already sealed and
/// opens here is kept as it is (a config written back unchanged).
pub(super) async fn seal(
    client: &impl GenericClient,
    ring: &Keyring,
    plain: &str,
) -> StoreResult<String> {
    if is_sealed(plain) && open(client, ring, plain).await.is_ok() {
        return Ok(plain.to_owned());
    }
    Ok(current_key(client, ring).await?.seal(plain))
}

/// `config` with every sealed text opened.
pub(super) async fn open_config(
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
