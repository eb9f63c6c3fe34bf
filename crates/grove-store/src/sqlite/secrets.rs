//! Sealed credentials in SQLite: the `secret_keys` table of wrapped data
//! keys, sealing the credential fields of a config as it is written,
//! opening them for the connector, notifier or deliverer that uses them,
//! sealing rows written in the clear by older versions, and rotation.
//!
//! Sealing reads the current data key inside the writing transaction, so a
//! rotation (one immediate transaction) and a server's writes are ordered by
//! SQLite's write lock: nothing is ever sealed under a key a rotation has
//! just dropped.

use std::sync::Arc;

use async_trait::async_trait;
use grove_core::credentials::is_secret_key;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::Value;

use super::{backend, now_ms, SqliteStore};
use crate::secrets::{is_sealed, new_data_key, parse_sealed, rewrap, DataKey, Keyring, MasterKey};
use crate::{SecretStore, StoreResult};

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// Data keys now wrapped by the new master key (all of them).
    pub rewrapped_keys: usize,
    /// Credentials sealed again under a new data key (`--reencrypt`).
    pub resealed_values: usize,
    /// The data key that seals from now on.
    pub current_key: String,
}

/// The newest data key; one is made when there is none.
pub(super) fn current_key(conn: &Connection, ring: &Keyring) -> StoreResult<Arc<DataKey>> {
    let row: Option<(String, String, String)> = conn
        .query_row(
            "SELECT id, wrapped, master_id FROM secret_keys
             ORDER BY created_at DESC, id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .map_err(backend)?;
    match row {
        Some((id, wrapped, master_id)) => Ok(ring.unwrap_key(&id, &wrapped, &master_id)?),
        None => insert_new_key(conn, ring, &ring.master()),
    }
}

fn insert_new_key(
    conn: &Connection,
    ring: &Keyring,
    master: &MasterKey,
) -> StoreResult<Arc<DataKey>> {
    let (key, wrapped) = new_data_key(master);
    conn.execute(
        "INSERT INTO secret_keys (id, wrapped, master_id, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![key.id(), wrapped, master.id(), now_ms()],
    )
    .map_err(backend)?;
    ring.insert(key.clone());
    Ok(key)
}

/// Unwraps every data key: the check, at open, that the master key is the
/// one this database was made with. Makes the first key of a new database.
pub(super) fn load_keys(conn: &Connection, ring: &Keyring) -> StoreResult<()> {
    let rows = key_rows(conn)?;
    if rows.is_empty() {
        insert_new_key(conn, ring, &ring.master())?;
    }
    for (id, wrapped, master_id) in rows {
        ring.unwrap_key(&id, &wrapped, &master_id)?;
    }
    Ok(())
}

fn key_rows(conn: &Connection) -> StoreResult<Vec<(String, String, String)>> {
    let mut stmt = conn
        .prepare("SELECT id, wrapped, master_id FROM secret_keys ORDER BY created_at")
        .map_err(backend)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    Ok(rows)
}

/// Opens a sealed value, loading its data key from the table if it is not
/// held yet (it may have been made by another process's rotation).
pub(super) fn open(conn: &Connection, ring: &Keyring, sealed: &str) -> StoreResult<String> {
    if let Some(plain) = ring.open_held(sealed)? {
        return Ok(plain);
    }
    let id = parse_sealed(sealed).map(|(id, _)| id).unwrap_or_default();
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT wrapped, master_id FROM secret_keys WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(backend)?;
    let (wrapped, master_id) =
        row.ok_or_else(|| crate::secrets::SecretError::UnknownKey(id.to_owned()))?;
    ring.unwrap_key(id, &wrapped, &master_id)?;
    Ok(ring
        .open_held(sealed)?
        .ok_or_else(|| crate::secrets::SecretError::UnknownKey(id.to_owned()))?)
}

/// Seals `plain` under the current key. A value that is already sealed and
/// opens here is kept as it is (a config written back unchanged).
pub(super) fn seal(conn: &Connection, ring: &Keyring, plain: &str) -> StoreResult<String> {
    if is_sealed(plain) && open(conn, ring, plain).is_ok() {
        return Ok(plain.to_owned());
    }
    Ok(current_key(conn, ring)?.seal(plain))
}

/// `config` with each credential field's text sealed (see
/// `grove_core::credentials`).
pub(super) fn seal_config(conn: &Connection, ring: &Keyring, config: &Value) -> StoreResult<Value> {
    let mut sealed = config.clone();
    if let Value::Object(map) = &mut sealed {
        for (key, value) in map.iter_mut() {
            if let Value::String(text) = value {
                if is_secret_key(key) && !text.is_empty() {
                    *text = seal(conn, ring, text)?;
                }
            }
        }
    }
    Ok(sealed)
}

/// `config` with every sealed text opened.
pub(super) fn open_config(conn: &Connection, ring: &Keyring, config: &Value) -> StoreResult<Value> {
    let mut opened = config.clone();
    if let Value::Object(map) = &mut opened {
        for value in map.values_mut() {
            if let Value::String(text) = value {
                if is_sealed(text) {
                    *text = open(conn, ring, text)?;
                }
            }
        }
    }
    Ok(opened)
}

/// Tables with a JSON `config` whose credential fields are sealed.
const CONFIG_TABLES: &[&str] = &["data_sources", "notification_channels", "data_connectors"];
/// Columns holding one credential each.
const SECRET_COLUMNS: &[(&str, &str)] = &[("webhooks", "secret"), ("webhooks", "previous_secret")];

/// Every credential in the database, passed through `f` (which returns the
/// new stored text, or `None` to keep it); counts the values changed.
fn rewrite_credentials(
    conn: &Connection,
    mut f: impl FnMut(&str) -> StoreResult<Option<String>>,
) -> StoreResult<usize> {
    let mut changed = 0;
    for table in CONFIG_TABLES {
        let rows = id_text_rows(conn, &format!("SELECT id, config FROM {table}"))?;
        for (id, raw) in rows {
            let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(&raw) else {
                continue;
            };
            let mut touched = false;
            for (key, value) in map.iter_mut() {
                let Value::String(text) = value else { continue };
                if !(is_secret_key(key) || is_sealed(text)) || text.is_empty() {
                    continue;
                }
                if let Some(new) = f(text)? {
                    *text = new;
                    touched = true;
                    changed += 1;
                }
            }
            if touched {
                conn.execute(
                    &format!("UPDATE {table} SET config = ?2 WHERE id = ?1"),
                    params![id, Value::Object(map).to_string()],
                )
                .map_err(backend)?;
            }
        }
    }
    for (table, column) in SECRET_COLUMNS {
        let select = format!("SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL");
        for (id, text) in id_text_rows(conn, &select)? {
            if let Some(new) = f(&text)? {
                conn.execute(
                    &format!("UPDATE {table} SET {column} = ?2 WHERE id = ?1"),
                    params![id, new],
                )
                .map_err(backend)?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}

fn id_text_rows(conn: &Connection, sql: &str) -> StoreResult<Vec<(String, String)>> {
    let mut stmt = conn.prepare(sql).map_err(backend)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    Ok(rows)
}

/// Seals every credential still stored in the clear (written before
/// sealing existed), then empties the WAL so no clear copy stays in it.
/// `secure_delete` (set on every connection) zeroes the replaced cells.
pub(super) fn seal_plaintext(conn: &mut Connection, ring: &Keyring) -> StoreResult<usize> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(backend)?;
    let sealed = rewrite_credentials(&tx, |text| {
        if is_sealed(text) {
            Ok(None)
        } else {
            seal(&tx, ring, text).map(Some)
        }
    })?;
    tx.commit().map_err(backend)?;
    if sealed > 0 {
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(backend)?;
        tracing::info!(
            credentials = sealed,
            "sealed credentials stored in the clear by an older version"
        );
    }
    Ok(sealed)
}

#[async_trait]
impl SecretStore for SqliteStore {
    async fn reveal_config(&self, config: &Value) -> StoreResult<Value> {
        self.read(|conn| open_config(conn, &self.keyring, config))
    }

    async fn reveal(&self, stored: &str) -> StoreResult<String> {
        if !is_sealed(stored) {
            return Ok(stored.to_owned());
        }
        self.read(|conn| open(conn, &self.keyring, stored))
    }
}

impl SqliteStore {
    /// Rotates the keys in one transaction. With `new_master`, every data
    /// key is re-wrapped by it (the caller then makes it the master key).
    /// With `reencrypt`, a new data key is made, every credential is sealed
    /// again under it and the old data keys are dropped.
    pub async fn rotate_secrets(
        &self,
        new_master: Option<MasterKey>,
        reencrypt: bool,
    ) -> StoreResult<Rotation> {
        let ring = self.keyring.clone();
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            load_keys(&tx, &ring)?;
            let mut resealed_values = 0;
            if reencrypt {
                let old: Vec<String> = key_rows(&tx)?.into_iter().map(|(id, ..)| id).collect();
                let wrapping = new_master.clone().unwrap_or_else(|| ring.master());
                let fresh = insert_new_key(&tx, &ring, &wrapping)?;
                resealed_values = rewrite_credentials(&tx, |text| {
                    let plain = if is_sealed(text) {
                        open(&tx, &ring, text)?
                    } else {
                        text.to_owned()
                    };
                    Ok(Some(fresh.seal(&plain)))
                })?;
                for id in old {
                    tx.execute("DELETE FROM secret_keys WHERE id = ?1", [id])
                        .map_err(backend)?;
                }
            }
            let mut rewrapped_keys = 0;
            if let Some(new) = &new_master {
                let old = ring.master();
                for (id, wrapped, master_id) in key_rows(&tx)? {
                    if master_id != new.id() {
                        let rewrapped = rewrap(&id, &wrapped, &old, new)?;
                        tx.execute(
                            "UPDATE secret_keys SET wrapped = ?2, master_id = ?3 WHERE id = ?1",
                            params![id, rewrapped, new.id()],
                        )
                        .map_err(backend)?;
                    }
                    rewrapped_keys += 1;
                }
            }
            let current_key = current_key(&tx, &ring)?.id().to_owned();
            tx.commit().map_err(backend)?;
            if let Some(new) = new_master {
                ring.set_master(new);
            }
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .map_err(backend)?;
            Ok(Rotation {
                rewrapped_keys,
                resealed_values,
                current_key,
            })
        })
        .await
    }
}
