//! Organisations, their settings and users on PostgreSQL.

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Transaction};
use grove_core::agents::DEFAULT_MODEL;
use grove_core::ids::{OrgId, UserId};
use grove_core::model::{Org, OrgSettings, Role, User};
use grove_core::page::Page;

use super::outbox::record_event;
use super::{keys, list_in_org, mapped, mapped_opt, now_ms, pg_error, write_error, PgStore};
use crate::rows::tenancy::{
    org_from_row, settings_from_row, user_from_row, EMAIL_TAKEN, NO_ADMIN_KEY_LEFT, NO_ADMIN_LEFT,
    ORG_COLUMNS, SETTINGS_COLUMNS, USER_COLUMNS,
};
use crate::{
    json_error, ts, Listed, NewUser, ProvisionOrg, Provisioned, StoreError, StoreResult,
    TenancyStore, UserPatch,
};

/// Why an organisation would lose its administration: no admin user left,
/// or no admin-scoped key left that can act (not revoked, not expired, and
/// unowned or owned by an admin, since a key acts with its user's role).
async fn admin_access_lost(
    client: &impl GenericClient,
    org: &OrgId,
) -> StoreResult<Option<&'static str>> {
    let row = client
        .query_one(
            "SELECT
                 (SELECT COUNT(*) FROM users WHERE org_id = $1 AND role = 'admin'),
                 (SELECT COUNT(*) FROM api_keys k LEFT JOIN users u ON u.id = k.user_id
                  WHERE k.org_id = $1 AND k.revoked_at IS NULL
                    AND (k.expires_at IS NULL OR k.expires_at > $2)
                    AND k.scopes::jsonb ? 'admin'
                    AND (k.user_id IS NULL OR u.role = 'admin'))",
            &[&org.as_str(), &now_ms()],
        )
        .await
        .map_err(pg_error)?;
    let (admins, keys): (i64, i64) = (row.get(0), row.get(1));
    Ok(if admins == 0 {
        Some(NO_ADMIN_LEFT)
    } else if keys == 0 {
        Some(NO_ADMIN_KEY_LEFT)
    } else {
        None
    })
}

/// A transaction that keeps an organisation administrable: it holds the
/// organisation's row (so changes to its admins on other replicas wait for
/// it), and [`AdminGuard::commit`] keeps the changes only if the
/// organisation still has an admin and a usable admin key (when it had them
/// before); otherwise nothing is written and the answer is a conflict
/// naming what would be lost.
pub(super) struct AdminGuard<'c> {
    tx: Transaction<'c>,
    had_access: bool,
}

impl<'c> AdminGuard<'c> {
    pub(super) async fn begin(
        client: &'c mut deadpool_postgres::Object,
        org: &OrgId,
    ) -> StoreResult<Self> {
        let tx = client.transaction().await.map_err(pg_error)?;
        tx.execute(
            "SELECT 1 FROM orgs WHERE id = $1 FOR UPDATE",
            &[&org.as_str()],
        )
        .await
        .map_err(pg_error)?;
        let had_access = admin_access_lost(&tx, org).await?.is_none();
        Ok(Self { tx, had_access })
    }

    pub(super) fn tx(&self) -> &Transaction<'c> {
        &self.tx
    }

    pub(super) async fn commit(self, org: &OrgId) -> StoreResult<()> {
        if self.had_access {
            if let Some(reason) = admin_access_lost(&self.tx, org).await? {
                return Err(StoreError::Conflict(reason.to_owned()));
            }
        }
        self.tx.commit().await.map_err(pg_error)
    }
}

async fn insert_user(
    client: &impl GenericClient,
    org: &OrgId,
    user: &NewUser,
) -> StoreResult<User> {
    let now = now_ms();
    let id = UserId::generate();
    client
        .execute(
            "INSERT INTO users (id, org_id, email, name, role, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
            &[
                &id.as_str(),
                &org.as_str(),
                &user.email,
                &user.name,
                &user.role.as_str(),
                &now,
            ],
        )
        .await
        .map_err(|e| write_error(e, EMAIL_TAKEN))?;
    Ok(User {
        id,
        org_id: org.clone(),
        email: user.email.clone(),
        name: user.name.clone(),
        role: user.role,
        created_at: ts(now),
        updated_at: ts(now),
    })
}

async fn select_user(
    client: &impl GenericClient,
    org: &OrgId,
    id: &UserId,
) -> StoreResult<Option<User>> {
    let row = client
        .query_opt(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE org_id = $1 AND id = $2"),
            &[&org.as_str(), &id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    mapped_opt(row, user_from_row)
}

/// The stored settings, or the defaults.
async fn select_settings(client: &impl GenericClient, org: &OrgId) -> StoreResult<OrgSettings> {
    let row = client
        .query_opt(
            &format!("SELECT {SETTINGS_COLUMNS} FROM org_settings WHERE org_id = $1"),
            &[&org.as_str()],
        )
        .await
        .map_err(pg_error)?;
    Ok(
        mapped_opt(row, settings_from_row)?.unwrap_or_else(|| OrgSettings {
            default_model: DEFAULT_MODEL.to_owned(),
            updated_at: None,
        }),
    )
}

#[async_trait]
impl TenancyStore for PgStore {
    async fn provision_org(&self, req: ProvisionOrg) -> StoreResult<Provisioned> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let now = now_ms();
        let org = Org {
            id: OrgId::generate(),
            name: req.name.clone(),
            created_at: ts(now),
        };
        tx.execute(
            "INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3)",
            &[&org.id.as_str(), &org.name, &now],
        )
        .await
        .map_err(pg_error)?;
        let admin = insert_user(&tx, &org.id, &req.admin).await?;
        let mut key = req.admin_key;
        key.org_id = org.id.clone();
        key.user_id = Some(admin.id.clone());
        let admin_key = keys::insert_key(&tx, key).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(Provisioned {
            org,
            admin,
            admin_key,
        })
    }

    async fn count_orgs(&self) -> StoreResult<u64> {
        let n: i64 = self
            .client()
            .await?
            .query_one("SELECT COUNT(*) FROM orgs", &[])
            .await
            .map_err(pg_error)?
            .get(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn list_orgs(&self) -> StoreResult<Vec<Org>> {
        let rows = self
            .client()
            .await?
            .query(
                &format!("SELECT {ORG_COLUMNS} FROM orgs ORDER BY created_at, id"),
                &[],
            )
            .await
            .map_err(pg_error)?;
        mapped(rows, org_from_row)
    }

    async fn get_org(&self, id: &OrgId) -> StoreResult<Option<Org>> {
        let row = self
            .client()
            .await?
            .query_opt(
                &format!("SELECT {ORG_COLUMNS} FROM orgs WHERE id = $1"),
                &[&id.as_str()],
            )
            .await
            .map_err(pg_error)?;
        mapped_opt(row, org_from_row)
    }

    async fn create_user(&self, org: &OrgId, user: NewUser) -> StoreResult<User> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let created = insert_user(&tx, org, &user).await?;
        let data = serde_json::to_value(&created).map_err(json_error)?;
        record_event(&tx, org.as_str(), "user.created", data).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(created)
    }

    async fn get_user(&self, org: &OrgId, id: &UserId) -> StoreResult<Option<User>> {
        select_user(&self.client().await?, org, id).await
    }

    async fn list_users(&self, org: &OrgId, page: Page) -> StoreResult<Listed<User>> {
        let client = self.client().await?;
        list_in_org(&client, "users", USER_COLUMNS, org, None, page, |r| {
            user_from_row(r)
        })
        .await
    }

    async fn update_user(
        &self,
        org: &OrgId,
        id: &UserId,
        patch: UserPatch,
    ) -> StoreResult<Option<User>> {
        let mut client = self.client().await?;
        let guard = AdminGuard::begin(&mut client, org).await?;
        let changed = guard
            .tx()
            .execute(
                "UPDATE users SET email = COALESCE($3, email), name = COALESCE($4, name),
                        role = COALESCE($5, role), updated_at = $6
                 WHERE org_id = $1 AND id = $2",
                &[
                    &org.as_str(),
                    &id.as_str(),
                    &patch.email,
                    &patch.name,
                    &patch.role.map(Role::as_str),
                    &now_ms(),
                ],
            )
            .await
            .map_err(|e| write_error(e, EMAIL_TAKEN))?;
        if changed == 0 {
            return Ok(None);
        }
        let user = select_user(guard.tx(), org, id).await?;
        guard.commit(org).await?;
        Ok(user)
    }

    async fn delete_user(&self, org: &OrgId, id: &UserId) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let guard = AdminGuard::begin(&mut client, org).await?;
        guard
            .tx()
            .execute(
                "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $3)
                 WHERE org_id = $1 AND user_id = $2",
                &[&org.as_str(), &id.as_str(), &now_ms()],
            )
            .await
            .map_err(pg_error)?;
        let deleted = guard
            .tx()
            .execute(
                "DELETE FROM users WHERE org_id = $1 AND id = $2",
                &[&org.as_str(), &id.as_str()],
            )
            .await
            .map_err(pg_error)?;
        guard.commit(org).await?;
        Ok(deleted > 0)
    }

    async fn org_settings(&self, org: &OrgId) -> StoreResult<OrgSettings> {
        select_settings(&self.client().await?, org).await
    }

    async fn put_org_settings(&self, org: &OrgId, default_model: &str) -> StoreResult<OrgSettings> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO org_settings (org_id, default_model, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (org_id) DO UPDATE SET default_model = $2, updated_at = $3",
                &[&org.as_str(), &default_model, &now_ms()],
            )
            .await
            .map_err(pg_error)?;
        select_settings(&client, org).await
    }
}
