//! API keys on PostgreSQL: hashes, prefixes and grants, never secrets.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use grove_core::ids::{KeyId, OrgId, UserId};
use grove_core::model::ApiKey;
use grove_core::page::Page;

use super::tenancy::AdminGuard;
use super::{list_in_org, mapped_opt, now_ms, pg_error, write_error, PgStore};
use crate::rows::keys::{key_from_row, KEY_COLUMNS};
use crate::{json_text, ts, KeyStore, Listed, NewApiKey, StoreResult};

/// Inserts a key inside the caller's connection or transaction.
pub(super) async fn insert_key(client: &impl GenericClient, key: NewApiKey) -> StoreResult<ApiKey> {
    let id = KeyId::generate();
    let now = now_ms();
    let scopes = json_text(&key.scopes)?;
    let permissions = json_text(&key.permissions)?;
    client
        .execute(
            "INSERT INTO api_keys (id, org_id, user_id, name, prefix, environment, key_hash,
                                   scopes, permissions, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[
                &id.as_str(),
                &key.org_id.as_str(),
                &key.user_id.as_ref().map(UserId::as_str),
                &key.name,
                &key.prefix,
                &key.environment.as_str(),
                &key.hash,
                &scopes,
                &permissions,
                &now,
                &key.expires_at.map(|t| t.as_millisecond()),
            ],
        )
        .await
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

async fn select_key(
    client: &impl GenericClient,
    org: &OrgId,
    id: &KeyId,
) -> StoreResult<Option<ApiKey>> {
    let row = client
        .query_opt(
            &format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE org_id = $1 AND id = $2"),
            &[&org.as_str(), &id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    mapped_opt(row, key_from_row)
}

#[async_trait]
impl KeyStore for PgStore {
    async fn create_key(&self, key: NewApiKey) -> StoreResult<ApiKey> {
        insert_key(&self.client().await?, key).await
    }

    async fn key_by_hash(&self, hash: &str) -> StoreResult<Option<ApiKey>> {
        let row = self
            .client()
            .await?
            .query_opt(
                &format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE key_hash = $1"),
                &[&hash],
            )
            .await
            .map_err(pg_error)?;
        mapped_opt(row, key_from_row)
    }

    async fn get_key(&self, org: &OrgId, id: &KeyId) -> StoreResult<Option<ApiKey>> {
        select_key(&self.client().await?, org, id).await
    }

    async fn list_keys(&self, org: &OrgId, page: Page) -> StoreResult<Listed<ApiKey>> {
        let client = self.client().await?;
        list_in_org(&client, "api_keys", KEY_COLUMNS, org, None, page, |r| {
            key_from_row(r)
        })
        .await
    }

    async fn revoke_key(&self, org: &OrgId, id: &KeyId) -> StoreResult<Option<ApiKey>> {
        let mut client = self.client().await?;
        let guard = AdminGuard::begin(&mut client, org).await?;
        guard
            .tx()
            .execute(
                "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $3)
                 WHERE org_id = $1 AND id = $2",
                &[&org.as_str(), &id.as_str(), &now_ms()],
            )
            .await
            .map_err(pg_error)?;
        let key = select_key(guard.tx(), org, id).await?;
        guard.commit(org).await?;
        Ok(key)
    }
}
