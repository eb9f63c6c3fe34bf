//! The console's passwords, sessions and one-time links in SQLite.

use async_trait::async_trait;
use grove_core::ids::{OrgId, UserId};
use grove_core::model::{LinkPurpose, User};
use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{backend, now_ms, ts, SqliteStore};
use crate::console::{ConsoleSession, ConsoleStore, SessionLimits};
use crate::rows::console::{link_from_row, users_columns, StoredSession};
use crate::rows::tenancy::user_from_row;
use crate::{millis, StoreResult};

fn put_password(conn: &Connection, user: &UserId, hash: &str) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO user_passwords (user_id, hash, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id) DO UPDATE SET hash = ?2, updated_at = ?3",
        params![user.as_str(), hash, now_ms()],
    )
    .map_err(backend)?;
    conn.execute(
        "DELETE FROM console_sessions WHERE user_id = ?1",
        [user.as_str()],
    )
    .map_err(backend)?;
    // A new password voids every other link the user was given.
    conn.execute(
        "DELETE FROM console_links WHERE user_id = ?1 AND used_at IS NULL",
        [user.as_str()],
    )
    .map_err(backend)?;
    Ok(())
}

#[async_trait]
impl ConsoleStore for SqliteStore {
    async fn password_logins(&self, email: &str) -> StoreResult<Vec<(User, String)>> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {}, p.hash FROM users u JOIN user_passwords p ON p.user_id = u.id
                     WHERE u.email = ?1 ORDER BY u.created_at",
                    users_columns()
                ))
                .map_err(backend)?;
            let rows = stmt
                .query_map([email], |r| Ok((user_from_row(r)?, r.get::<_, String>(7)?)))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(backend);
            rows
        })
    }

    async fn has_password(&self, user: &UserId) -> StoreResult<bool> {
        self.read(|conn| {
            conn.query_row(
                "SELECT 1 FROM user_passwords WHERE user_id = ?1",
                [user.as_str()],
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
            .map_err(backend)
        })
    }

    async fn set_password(&self, org: &OrgId, user: &UserId, hash: &str) -> StoreResult<bool> {
        let (org, user, hash) = (org.clone(), user.clone(), hash.to_owned());
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let exists = tx
                .query_row(
                    "SELECT 1 FROM users WHERE org_id = ?1 AND id = ?2",
                    params![org.as_str(), user.as_str()],
                    |_| Ok(()),
                )
                .optional()
                .map_err(backend)?
                .is_some();
            if exists {
                put_password(&tx, &user, &hash)?;
            }
            tx.commit().map_err(backend)?;
            Ok(exists)
        })
        .await
    }

    async fn create_console_session(
        &self,
        user: &User,
        id_hash: &str,
        csrf_token: &str,
    ) -> StoreResult<()> {
        let (user, id_hash, csrf) = (user.clone(), id_hash.to_owned(), csrf_token.to_owned());
        self.write(move |conn| {
            let now = now_ms();
            conn.execute(
                "INSERT INTO console_sessions (id_hash, user_id, org_id, csrf_token, created_at, last_seen_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![id_hash, user.id.as_str(), user.org_id.as_str(), csrf, now],
            )
            .map(|_| ())
            .map_err(backend)
        })
        .await
    }

    async fn console_session(
        &self,
        id_hash: &str,
        limits: SessionLimits,
    ) -> StoreResult<Option<ConsoleSession>> {
        let id_hash = id_hash.to_owned();
        let found = self.read(|conn| {
            conn.query_row(
                &format!(
                    "SELECT {}, s.csrf_token, s.created_at, s.last_seen_at
                     FROM console_sessions s JOIN users u ON u.id = s.user_id
                     WHERE s.id_hash = ?1",
                    users_columns()
                ),
                [&id_hash],
                |r| Ok(StoredSession::from_row(r)?),
            )
            .optional()
            .map_err(backend)
        })?;
        let Some(session) = found else {
            return Ok(None);
        };
        let now = now_ms();
        if session.expired(now, limits) {
            self.end_console_session(&id_hash).await?;
            return Ok(None);
        }
        if session.due_a_touch(now) {
            self.write(move |conn| {
                conn.execute(
                    "UPDATE console_sessions SET last_seen_at = ?2 WHERE id_hash = ?1",
                    params![id_hash, now],
                )
                .map(|_| ())
                .map_err(backend)
            })
            .await?;
        }
        Ok(Some(ConsoleSession {
            user: session.user,
            csrf_token: session.csrf_token,
            created_at: ts(session.created),
        }))
    }

    async fn end_console_session(&self, id_hash: &str) -> StoreResult<()> {
        let id_hash = id_hash.to_owned();
        self.write(move |conn| {
            conn.execute("DELETE FROM console_sessions WHERE id_hash = ?1", [id_hash])
                .map(|_| ())
                .map_err(backend)
        })
        .await
    }

    async fn purge_console(&self, limits: SessionLimits) -> StoreResult<u64> {
        let now = now_ms();
        let idle_since = now.saturating_sub(millis(limits.idle));
        let born_since = now.saturating_sub(millis(limits.lifetime));
        self.write(move |conn| {
            let sessions = conn.execute(
                "DELETE FROM console_sessions WHERE last_seen_at < ?1 OR created_at < ?2",
                params![idle_since, born_since],
            );
            let links = conn.execute("DELETE FROM console_links WHERE expires_at < ?1", [now]);
            match (sessions, links) {
                (Ok(s), Ok(l)) => Ok((s + l) as u64),
                (Err(e), _) | (_, Err(e)) => Err(backend(e)),
            }
        })
        .await
    }

    async fn create_link(
        &self,
        user: &User,
        purpose: LinkPurpose,
        token_hash: &str,
        ttl: std::time::Duration,
    ) -> StoreResult<Timestamp> {
        let (user, token_hash) = (user.clone(), token_hash.to_owned());
        self.write(move |conn| {
            let now = now_ms();
            let expires = now.saturating_add(millis(ttl));
            conn.execute(
                "INSERT INTO console_links (token_hash, user_id, org_id, purpose, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    token_hash,
                    user.id.as_str(),
                    user.org_id.as_str(),
                    purpose.as_str(),
                    now,
                    expires
                ],
            )
            .map_err(backend)?;
            Ok(ts(expires))
        })
        .await
    }

    async fn peek_link(&self, token_hash: &str) -> StoreResult<Option<(User, LinkPurpose)>> {
        self.read(|conn| live_link(conn, token_hash))
    }

    async fn use_link(&self, token_hash: &str, password_hash: &str) -> StoreResult<Option<User>> {
        let (token_hash, password_hash) = (token_hash.to_owned(), password_hash.to_owned());
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let Some((user, _)) = live_link(&tx, &token_hash)? else {
                return Ok(None);
            };
            tx.execute(
                "UPDATE console_links SET used_at = ?2 WHERE token_hash = ?1",
                params![token_hash, now_ms()],
            )
            .map_err(backend)?;
            put_password(&tx, &user.id, &password_hash)?;
            tx.commit().map_err(backend)?;
            Ok(Some(user))
        })
        .await
    }
}

/// The user and purpose of an unused, unexpired link.
fn live_link(conn: &Connection, token_hash: &str) -> StoreResult<Option<(User, LinkPurpose)>> {
    conn.query_row(
        &format!(
            "SELECT {}, l.purpose FROM console_links l JOIN users u ON u.id = l.user_id
             WHERE l.token_hash = ?1 AND l.used_at IS NULL AND l.expires_at > ?2",
            users_columns()
        ),
        params![token_hash, now_ms()],
        |r| Ok(link_from_row(r)?),
    )
    .optional()
    .map_err(backend)
}
