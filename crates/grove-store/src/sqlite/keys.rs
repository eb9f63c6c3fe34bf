//! API keys in SQLite: hashes, prefixes and grants, never secrets.

use async_trait::async_trait;
use grove_core::ids::{KeyId, OrgId, UserId};
use grove_core::model::ApiKey;
use grove_core::page::Page;
use rusqlite::{params, Connection, OptionalExtension};

use super::{backend, list_in_org, now_ms, ts, write_error, SqliteStore};
use crate::rows::keys::{key_from_row, KEY_COLUMNS};
use crate::{KeyStore, Listed, NewApiKey, StoreResult};

/// Inserts a key inside the caller's connection or transaction.
pub(super) fn insert_key(conn: &Connection, key: NewApiKey) -> StoreResult<ApiKey> {
    let id = KeyId::generate();
    let now = now_ms();
    let scopes = serde_json::to_string(&key.scopes).map_err(backend)?;
    let permissions = serde_json::to_string(&key.permissions).map_err(backend)?;
    conn.execute(
        "INSERT INTO api_keys (id, org_id, user_id, name, prefix, environment, key_hash,
                               scopes, permissions, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            id.as_str(),
            key.org_id.as_str(),
            key.user_id.as_ref().map(UserId::as_str),
            key.name,
            key.prefix,
            key.environment.as_str(),
            key.hash,
            scopes,
            permissions,
            now,
            key.expires_at.map(|t| t.as_millisecond()),
        ],
    )
    .map_err(|e| write_error(e, "key collision; generate a new key"))?;
    Ok(ApiKey {
        id,
        org_id: key.org_id,
        name: key.name,
        prefix: key.prefix,
        environment: key.environment,
        scopes: key.scopes,
        permissions: key.permissions,
        user_id: key.user_id,
        created_at: ts(now),
        expires_at: key.expires_at,
        revoked_at: None,
    })
}

fn select_key(conn: &Connection, org: &OrgId, id: &KeyId) -> StoreResult<Option<ApiKey>> {
    conn.query_row(
        &format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE org_id = ?1 AND id = ?2"),
        params![org.as_str(), id.as_str()],
        |r| Ok(key_from_row(r)?),
    )
    .optional()
    .map_err(backend)
}

#[async_trait]
impl KeyStore for SqliteStore {
    async fn create_key(&self, key: NewApiKey) -> StoreResult<ApiKey> {
        self.write(move |conn| insert_key(conn, key)).await
    }

    async fn key_by_hash(&self, hash: &str) -> StoreResult<Option<ApiKey>> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {KEY_COLUMNS} FROM api_keys WHERE key_hash = ?1"
                ))
                .map_err(backend)?;
            stmt.query_row([hash], |r| Ok(key_from_row(r)?))
                .optional()
                .map_err(backend)
        })
    }

    async fn get_key(&self, org: &OrgId, id: &KeyId) -> StoreResult<Option<ApiKey>> {
        self.read(|conn| select_key(conn, org, id))
    }

    async fn list_keys(&self, org: &OrgId, page: Page) -> StoreResult<Listed<ApiKey>> {
        self.read(|conn| {
            list_in_org(conn, "api_keys", KEY_COLUMNS, org, None, page, |r| {
                key_from_row(r)
            })
        })
    }

    async fn revoke_key(&self, org: &OrgId, id: &KeyId) -> StoreResult<Option<ApiKey>> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            super::tenancy::keeping_admin_access(conn, &org, |tx| {
                tx.execute(
                    "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?3)
                     WHERE org_id = ?1 AND id = ?2",
                    params![org.as_str(), id.as_str(), now_ms()],
                )
                .map_err(backend)?;
                select_key(tx, &org, &id)
            })
        })
        .await
    }
}
