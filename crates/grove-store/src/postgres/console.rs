//! The console's passwords, sessions and one-time links on PostgreSQL, so
//! a user signed in through one replica is signed in on all of them. A
//! link is used once across replicas: using it is one conditional update.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use grove_core::ids::{OrgId, UserId};
use grove_core::model::{LinkPurpose, User};
use jiff::Timestamp;

use super::{mapped, mapped_opt, now_ms, pg_error, PgStore};
use crate::console::{ConsoleSession, ConsoleStore, SessionLimits};
use crate::rows::console::{link_from_row, users_columns, StoredSession};
use crate::rows::tenancy::{user_from_row, USER_COLUMNS};
use crate::rows::StoredRow;
use crate::{millis, ts, StoreResult};

async fn put_password(client: &impl GenericClient, user: &UserId, hash: &str) -> StoreResult<()> {
    client
        .execute(
            "INSERT INTO user_passwords (user_id, hash, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id) DO UPDATE SET hash = $2, updated_at = $3",
            &[&user.as_str(), &hash, &now_ms()],
        )
        .await
        .map_err(pg_error)?;
    client
        .execute(
            "DELETE FROM console_sessions WHERE user_id = $1",
            &[&user.as_str()],
        )
        .await
        .map_err(pg_error)?;
    // A new password voids every other link the user was given.
    client
        .execute(
            "DELETE FROM console_links WHERE user_id = $1 AND used_at IS NULL",
            &[&user.as_str()],
        )
        .await
        .map_err(pg_error)?;
    Ok(())
}

async fn exec(
    store: &PgStore,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> StoreResult<u64> {
    store
        .client()
        .await?
        .execute(sql, params)
        .await
        .map_err(pg_error)
}

#[async_trait]
impl ConsoleStore for PgStore {
    async fn password_logins(&self, email: &str) -> StoreResult<Vec<(User, String)>> {
        let rows = self
            .client()
            .await?
            .query(
                &format!(
                    "SELECT {}, p.hash FROM users u JOIN user_passwords p ON p.user_id = u.id
                     WHERE lower(u.email) = lower($1) ORDER BY u.created_at",
                    users_columns()
                ),
                &[&email],
            )
            .await
            .map_err(pg_error)?;
        mapped(rows, |r| Ok((user_from_row(r)?, r.col(7)?)))
    }

    async fn has_password(&self, user: &UserId) -> StoreResult<bool> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT 1 FROM user_passwords WHERE user_id = $1",
                &[&user.as_str()],
            )
            .await
            .map_err(pg_error)?;
        Ok(row.is_some())
    }

    async fn set_password(&self, org: &OrgId, user: &UserId, hash: &str) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let exists = tx
            .query_opt(
                "SELECT 1 FROM users WHERE org_id = $1 AND id = $2 FOR UPDATE",
                &[&org.as_str(), &user.as_str()],
            )
            .await
            .map_err(pg_error)?
            .is_some();
        if exists {
            put_password(&tx, user, hash).await?;
        }
        tx.commit().await.map_err(pg_error)?;
        Ok(exists)
    }

    async fn create_console_session(
        &self,
        user: &User,
        id_hash: &str,
        csrf_token: &str,
    ) -> StoreResult<()> {
        let now = now_ms();
        exec(
            self,
            "INSERT INTO console_sessions (id_hash, user_id, org_id, csrf_token, created_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $5, $5)",
            &[&id_hash, &user.id.as_str(), &user.org_id.as_str(), &csrf_token, &now],
        )
        .await
        .map(|_| ())
    }

    async fn console_session(
        &self,
        id_hash: &str,
        limits: SessionLimits,
    ) -> StoreResult<Option<ConsoleSession>> {
        let row = self
            .client()
            .await?
            .query_opt(
                &format!(
                    "SELECT {}, s.csrf_token, s.created_at, s.last_seen_at
                     FROM console_sessions s JOIN users u ON u.id = s.user_id
                     WHERE s.id_hash = $1",
                    users_columns()
                ),
                &[&id_hash],
            )
            .await
            .map_err(pg_error)?;
        let Some(session) = mapped_opt(row, StoredSession::from_row)? else {
            return Ok(None);
        };
        let now = now_ms();
        if session.expired(now, limits) {
            self.end_console_session(id_hash).await?;
            return Ok(None);
        }
        if session.due_a_touch(now) {
            exec(
                self,
                "UPDATE console_sessions SET last_seen_at = GREATEST(last_seen_at, $2)
                 WHERE id_hash = $1",
                &[&id_hash, &now],
            )
            .await?;
        }
        Ok(Some(ConsoleSession {
            user: session.user,
            csrf_token: session.csrf_token,
            created_at: ts(session.created),
        }))
    }

    async fn end_console_session(&self, id_hash: &str) -> StoreResult<()> {
        exec(
            self,
            "DELETE FROM console_sessions WHERE id_hash = $1",
            &[&id_hash],
        )
        .await
        .map(|_| ())
    }

    async fn purge_console(&self, limits: SessionLimits) -> StoreResult<u64> {
        let now = now_ms();
        let idle_since = now.saturating_sub(millis(limits.idle));
        let born_since = now.saturating_sub(millis(limits.lifetime));
        let sessions = exec(
            self,
            "DELETE FROM console_sessions WHERE last_seen_at < $1 OR created_at < $2",
            &[&idle_since, &born_since],
        )
        .await?;
        let links = exec(
            self,
            "DELETE FROM console_links WHERE expires_at < $1",
            &[&now],
        )
        .await?;
        Ok(sessions + links)
    }

    async fn create_link(
        &self,
        user: &User,
        purpose: LinkPurpose,
        token_hash: &str,
        ttl: std::time::Duration,
    ) -> StoreResult<Timestamp> {
        let now = now_ms();
        let expires = now.saturating_add(millis(ttl));
        exec(
            self,
            "INSERT INTO console_links (token_hash, user_id, org_id, purpose, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &token_hash,
                &user.id.as_str(),
                &user.org_id.as_str(),
                &purpose.as_str(),
                &now,
                &expires,
            ],
        )
        .await?;
        Ok(ts(expires))
    }

    async fn peek_link(&self, token_hash: &str) -> StoreResult<Option<(User, LinkPurpose)>> {
        let row = self
            .client()
            .await?
            .query_opt(
                &format!(
                    "SELECT {}, l.purpose FROM console_links l JOIN users u ON u.id = l.user_id
                     WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2",
                    users_columns()
                ),
                &[&token_hash, &now_ms()],
            )
            .await
            .map_err(pg_error)?;
        mapped_opt(row, link_from_row)
    }

    async fn use_link(&self, token_hash: &str, password_hash: &str) -> StoreResult<Option<User>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        // Marking it used is the claim: of two replicas using one link at
        // once, the second finds it used and changes nothing.
        let row = tx
            .query_opt(
                &format!(
                    "WITH used AS (
                         UPDATE console_links SET used_at = $2
                         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
                         RETURNING user_id)
                     SELECT {USER_COLUMNS} FROM users WHERE id = (SELECT user_id FROM used)"
                ),
                &[&token_hash, &now_ms()],
            )
            .await
            .map_err(pg_error)?;
        let Some(user) = mapped_opt(row, user_from_row)? else {
            return Ok(None);
        };
        put_password(&tx, &user.id, password_hash).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(Some(user))
    }
}
