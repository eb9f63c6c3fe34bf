//! The web console's sign-in records: each user's password (an argon2id
//! PHC string; hashing and checking belong to the console), server-side
//! sessions known only by the hash of the cookie's id, and one-time links
//! (first-run setup, invitations, resets) known only by their token's hash.
//! Setting a password ends every session of the user and voids their
//! unused links; deleting a user removes their password, sessions and
//! links with them.

use std::time::Duration;

use async_trait::async_trait;
use grove_core::ids::{OrgId, UserId};
use grove_core::model::{LinkPurpose, User};
use jiff::Timestamp;

use crate::StoreResult;

/// A live console session.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsoleSession {
    pub user: User,
    /// Sent with every form; a request without it is refused.
    pub csrf_token: String,
    pub created_at: Timestamp,
}

/// How long sessions live: ended after `idle` without a request, and
/// after `lifetime` whatever happens.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    pub idle: Duration,
    pub lifetime: Duration,
}

impl SessionLimits {
    /// The console's: twelve hours idle, fourteen days in all.
    pub const CONSOLE: SessionLimits = SessionLimits {
        idle: Duration::from_secs(12 * 3600),
        lifetime: Duration::from_secs(14 * 24 * 3600),
    };
}

#[async_trait]
pub trait ConsoleStore: Send + Sync {
    /// Every user with this email (case-insensitive, in any organisation)
    /// who has a password, with its hash.
    async fn password_logins(&self, email: &str) -> StoreResult<Vec<(User, String)>>;
    /// Whether the user has a password.
    async fn has_password(&self, user: &UserId) -> StoreResult<bool>;
    /// Sets the user's password and ends every session of the user. False
    /// when the user is not in `org`.
    async fn set_password(&self, org: &OrgId, user: &UserId, hash: &str) -> StoreResult<bool>;

    async fn create_console_session(
        &self,
        user: &User,
        id_hash: &str,
        csrf_token: &str,
    ) -> StoreResult<()>;
    /// The session with this id hash if it is live (within `limits`),
    /// marking it used now; an expired one is deleted.
    async fn console_session(
        &self,
        id_hash: &str,
        limits: SessionLimits,
    ) -> StoreResult<Option<ConsoleSession>>;
    async fn end_console_session(&self, id_hash: &str) -> StoreResult<()>;
    /// Deletes sessions past `limits` and links past their expiry, so
    /// ones nobody presents again do not stay; returns how many rows.
    async fn purge_console(&self, limits: SessionLimits) -> StoreResult<u64>;

    /// Records a one-time link for `user`, valid for `ttl`.
    async fn create_link(
        &self,
        user: &User,
        purpose: LinkPurpose,
        token_hash: &str,
        ttl: Duration,
    ) -> StoreResult<Timestamp>;
    /// The user and purpose of an unused, unexpired link.
    async fn peek_link(&self, token_hash: &str) -> StoreResult<Option<(User, LinkPurpose)>>;
    /// Uses a link once: marks it used, sets the user's password (ending
    /// their sessions) and returns the user; `None` when the link is
    /// unknown, used or expired, and then nothing changes.
    async fn use_link(&self, token_hash: &str, password_hash: &str) -> StoreResult<Option<User>>;
}
