//! Organisations, their settings and users in SQLite.

use async_trait::async_trait;
use grove_core::agents::DEFAULT_MODEL;
use grove_core::ids::{OrgId, UserId};
use grove_core::model::{Org, OrgSettings, Role, User};
use grove_core::page::Page;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::syncs::record_event;
use super::{backend, keys, list_in_org, now_ms, ts, write_error, SqliteStore};
use crate::rows::tenancy::{
    org_from_row, settings_from_row, user_from_row, EMAIL_TAKEN, NO_ADMIN_KEY_LEFT, NO_ADMIN_LEFT,
    ORG_COLUMNS, SETTINGS_COLUMNS, USER_COLUMNS,
};
use crate::{
    Listed, NewUser, ProvisionOrg, Provisioned, StoreError, StoreResult, TenancyStore, UserPatch,
};

/// Why an organisation would lose its administration: no admin user left,
/// or no admin-scoped key left that can act (not revoked, not expired, and
/// unowned or owned by an admin, since a key acts with its user's role).
pub(super) fn admin_access_lost(
    conn: &Connection,
    org: &OrgId,
) -> StoreResult<Option<&'static str>> {
    let admins: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM users WHERE org_id = ?1 AND role = 'admin'",
            [org.as_str()],
            |r| r.get(0),
        )
        .map_err(backend)?;
    if admins == 0 {
        return Ok(Some(NO_ADMIN_LEFT));
    }
    let keys: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM api_keys k LEFT JOIN users u ON u.id = k.user_id
             WHERE k.org_id = ?1 AND k.revoked_at IS NULL
               AND (k.expires_at IS NULL OR k.expires_at > ?2)
               AND EXISTS (SELECT 1 FROM json_each(k.scopes) WHERE value = 'admin')
               AND (k.user_id IS NULL OR u.role = 'admin')",
            params![org.as_str(), now_ms()],
            |r| r.get(0),
        )
        .map_err(backend)?;
    Ok((keys == 0).then_some(NO_ADMIN_KEY_LEFT))
}

/// Runs `change` in one immediate transaction and keeps it only if the
/// organisation still has an admin and a usable admin key afterwards (when
/// it had them before): otherwise nothing is written and the answer is a
/// conflict naming what would be lost.
pub(super) fn keeping_admin_access<T>(
    conn: &mut Connection,
    org: &OrgId,
    change: impl FnOnce(&Connection) -> StoreResult<T>,
) -> StoreResult<T> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(backend)?;
    let had_access = admin_access_lost(&tx, org)?.is_none();
    let out = change(&tx)?;
    if had_access {
        if let Some(reason) = admin_access_lost(&tx, org)? {
            return Err(StoreError::Conflict(reason.to_owned()));
        }
    }
    tx.commit().map_err(backend)?;
    Ok(out)
}

fn insert_user(conn: &Connection, org: &OrgId, user: &NewUser) -> StoreResult<User> {
    let now = now_ms();
    let id = UserId::generate();
    conn.execute(
        "INSERT INTO users (id, org_id, email, name, role, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![
            id.as_str(),
            org.as_str(),
            user.email,
            user.name,
            user.role.as_str(),
            now
        ],
    )
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

fn select_user(conn: &Connection, org: &OrgId, id: &UserId) -> StoreResult<Option<User>> {
    conn.query_row(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE org_id = ?1 AND id = ?2"),
        params![org.as_str(), id.as_str()],
        |r| Ok(user_from_row(r)?),
    )
    .optional()
    .map_err(backend)
}

#[async_trait]
impl TenancyStore for SqliteStore {
    async fn provision_org(&self, req: ProvisionOrg) -> StoreResult<Provisioned> {
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let now = now_ms();
            let org = Org {
                id: OrgId::generate(),
                name: req.name.clone(),
                created_at: ts(now),
            };
            tx.execute(
                "INSERT INTO orgs (id, name, created_at) VALUES (?1, ?2, ?3)",
                params![org.id.as_str(), org.name, now],
            )
            .map_err(backend)?;
            let admin = insert_user(&tx, &org.id, &req.admin)?;
            let mut key = req.admin_key;
            key.org_id = org.id.clone();
            key.user_id = Some(admin.id.clone());
            let admin_key = keys::insert_key(&tx, key)?;
            tx.commit().map_err(backend)?;
            Ok(Provisioned {
                org,
                admin,
                admin_key,
            })
        })
        .await
    }

    async fn count_orgs(&self) -> StoreResult<u64> {
        self.read(|conn| {
            conn.query_row("SELECT COUNT(*) FROM orgs", [], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
                .map_err(backend)
        })
    }

    async fn list_orgs(&self) -> StoreResult<Vec<Org>> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {ORG_COLUMNS} FROM orgs ORDER BY created_at, id"
                ))
                .map_err(backend)?;
            let orgs = stmt
                .query_map([], |r| Ok(org_from_row(r)?))
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(backend);
            orgs
        })
    }

    async fn get_org(&self, id: &OrgId) -> StoreResult<Option<Org>> {
        self.read(|conn| {
            conn.query_row(
                &format!("SELECT {ORG_COLUMNS} FROM orgs WHERE id = ?1"),
                [id.as_str()],
                |r| Ok(org_from_row(r)?),
            )
            .optional()
            .map_err(backend)
        })
    }

    async fn create_user(&self, org: &OrgId, user: NewUser) -> StoreResult<User> {
        let org = org.clone();
        self.write(move |conn| {
            let tx = conn.transaction().map_err(backend)?;
            let created = insert_user(&tx, &org, &user)?;
            let data = serde_json::to_value(&created).map_err(backend)?;
            record_event(&tx, org.as_str(), "user.created", data)?;
            tx.commit().map_err(backend)?;
            Ok(created)
        })
        .await
    }

    async fn get_user(&self, org: &OrgId, id: &UserId) -> StoreResult<Option<User>> {
        self.read(|conn| select_user(conn, org, id))
    }

    async fn list_users(&self, org: &OrgId, page: Page) -> StoreResult<Listed<User>> {
        self.read(|conn| {
            list_in_org(conn, "users", USER_COLUMNS, org, None, page, |r| {
                user_from_row(r)
            })
        })
    }

    async fn update_user(
        &self,
        org: &OrgId,
        id: &UserId,
        patch: UserPatch,
    ) -> StoreResult<Option<User>> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            keeping_admin_access(conn, &org, |tx| {
                let changed = tx
                    .execute(
                        "UPDATE users SET email = COALESCE(?3, email), name = COALESCE(?4, name),
                                role = COALESCE(?5, role), updated_at = ?6
                         WHERE org_id = ?1 AND id = ?2",
                        params![
                            org.as_str(),
                            id.as_str(),
                            patch.email,
                            patch.name,
                            patch.role.map(Role::as_str),
                            now_ms()
                        ],
                    )
                    .map_err(|e| write_error(e, EMAIL_TAKEN))?;
                if changed == 0 {
                    return Ok(None);
                }
                select_user(tx, &org, &id)
            })
        })
        .await
    }

    async fn delete_user(&self, org: &OrgId, id: &UserId) -> StoreResult<bool> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            keeping_admin_access(conn, &org, |tx| {
                tx.execute(
                    "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?3)
                     WHERE org_id = ?1 AND user_id = ?2",
                    params![org.as_str(), id.as_str(), now_ms()],
                )
                .map_err(backend)?;
                let deleted = tx
                    .execute(
                        "DELETE FROM users WHERE org_id = ?1 AND id = ?2",
                        params![org.as_str(), id.as_str()],
                    )
                    .map_err(backend)?;
                Ok(deleted > 0)
            })
        })
        .await
    }

    async fn org_settings(&self, org: &OrgId) -> StoreResult<OrgSettings> {
        self.read(|conn| select_settings(conn, org))
    }

    async fn put_org_settings(&self, org: &OrgId, default_model: &str) -> StoreResult<OrgSettings> {
        let (org, default_model) = (org.clone(), default_model.to_owned());
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO org_settings (org_id, default_model, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (org_id) DO UPDATE SET default_model = ?2, updated_at = ?3",
                params![org.as_str(), default_model, now_ms()],
            )
            .map_err(backend)?;
            select_settings(conn, &org)
        })
        .await
    }
}

/// The stored settings, or the defaults.
fn select_settings(conn: &Connection, org: &OrgId) -> StoreResult<OrgSettings> {
    let stored = conn
        .query_row(
            &format!("SELECT {SETTINGS_COLUMNS} FROM org_settings WHERE org_id = ?1"),
            [org.as_str()],
            |r| Ok(settings_from_row(r)?),
        )
        .optional()
        .map_err(backend)?;
    Ok(stored.unwrap_or_else(|| OrgSettings {
        default_model: DEFAULT_MODEL.to_owned(),
        updated_at: None,
    }))
}
